"""P3 and P4 (birthday): keep contacts up regularly; remember the personal dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from netzmd.findings import Finding, Level
from netzmd.model import Contact
from netzmd.relations import Figures, done
from netzmd.rules.base import Context, Findings, contact_rule


@contact_rule("overdue", Level.WARNING, "P3")
def overdue(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]) -> Findings:
    if not fig.overdue:
        return ()
    return [Finding("overdue", path=contact.path, contact=contact.name,
                    data={"days_since": fig.days_since, "cadence_days": fig.cadence_days,
                          "last": fig.last})]


@contact_rule("no-follow-up", Level.WARNING, "P3", within_days=14, horizon_days=180)
def no_follow_up(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                 ) -> Findings:
    met = contact.met
    if met is None:
        return ()
    within = options["within_days"]
    age = (ctx.today - met).days
    if not within < age <= options["horizon_days"] or contact.snoozed(ctx.today):
        return ()
    until = met + dt.timedelta(days=within)
    if any(met < i.date <= until for i in done(contact, ctx.today)):
        return ()
    return [Finding("no-follow-up", path=contact.path, line=None, contact=contact.name,
                    data={"met": met, "days": age})]


@contact_rule("task-overdue", Level.WARNING, "P3")
def task_overdue(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                 ) -> Findings:
    if not contact.tasks:
        return ()
    today = ctx.today
    return [Finding("task-overdue", path=task.path, line=task.line, contact=contact.name,
                    data={"due": task.due, "text": task.text})
            for task in contact.tasks if task.due < today]


@contact_rule("birthday", Level.INFO, "P4", days=14)
def birthday(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]) -> Findings:
    if contact.birthday is None:
        return ()
    date = contact.birthday.next_date(ctx.today)
    in_days = (date - ctx.today).days
    if not 0 <= in_days < options["days"]:
        return ()
    return [Finding("birthday", path=contact.path, contact=contact.name,
                    data={"date": date, "in_days": in_days})]


@contact_rule("future-date", Level.WARNING, None)
def future_date(ctx: Context, contact: Contact, fig: Figures, options: dict[str, Any]
                ) -> Findings:
    items = contact.interactions
    # In date order: only the tail after the last done one is in the future.
    if not items or items[-1].date <= ctx.today:
        return ()
    future = items[len(done(contact, ctx.today)):]
    # Lines without a number come from front matter (`met`), not from a log entry.
    return [Finding("future-date", path=item.path, line=item.line, contact=contact.name,
                    data={"date": item.date})
            for item in future if item.line is not None]


RULES = [overdue, no_follow_up, task_overdue, birthday, future_date]
