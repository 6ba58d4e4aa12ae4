"""P3 and P4 (birthday): keep contacts up regularly; remember the personal dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from netzmd.findings import Finding, Level
from netzmd.model import Contact
from netzmd.relations import Figures, done
from netzmd.rules.base import Context, contact_rule


@contact_rule("overdue", Level.WARNING, "P3")
def overdue(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
            ) -> Iterator[Finding]:
    if fig.overdue:
        yield Finding(
            "overdue",
            path=contact.path,
            contact=contact.name,
            data={"days_since": fig.days_since, "cadence_days": fig.cadence_days,
                  "last": fig.last},
        )


@contact_rule("no-follow-up", Level.WARNING, "P3", within_days=14, horizon_days=180)
def no_follow_up(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                 ) -> Iterator[Finding]:
    met = contact.met
    if met is None or contact.snoozed(ctx.today):
        return
    within = options["within_days"]
    age = (ctx.today - met).days
    if not within < age <= options["horizon_days"]:
        return
    until = met + dt.timedelta(days=within)
    if any(met < i.date <= until for i in done(contact, ctx.today)):
        return
    yield Finding("no-follow-up", path=contact.path, line=None, contact=contact.name,
                  data={"met": met, "days": age})


@contact_rule("task-overdue", Level.WARNING, "P3")
def task_overdue(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                 ) -> Iterator[Finding]:
    for task in contact.tasks:
        if task.due < ctx.today:
            yield Finding("task-overdue", path=task.path, line=task.line, contact=contact.name,
                          data={"due": task.due, "text": task.text})


@contact_rule("birthday", Level.INFO, "P4", days=14)
def birthday(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
             ) -> Iterator[Finding]:
    if contact.birthday is None:
        return
    date = contact.birthday.next_date(ctx.today)
    in_days = (date - ctx.today).days
    if 0 <= in_days < options["days"]:
        yield Finding("birthday", path=contact.path, contact=contact.name,
                      data={"date": date, "in_days": in_days})


@contact_rule("future-date", Level.WARNING, None)
def future_date(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                ) -> Iterator[Finding]:
    # Interactions are in date order: only the tail after the last done one is future.
    items = contact.interactions
    today = ctx.today
    start = len(items)
    while start and items[start - 1].date > today:
        start -= 1
    # Lines without a number come from front matter (`met`), not from a log entry.
    for item in items[start:]:
        if item.line is not None:
            yield Finding("future-date", path=item.path, line=item.line, contact=contact.name,
                          data={"date": item.date})


RULES = [overdue, no_follow_up, task_overdue, birthday, future_date]
