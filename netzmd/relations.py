"""Per-contact figures, computed once and shared by rules, list, show, digest and export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from netzmd.model import Contact, Interaction


def in_window(date: dt.date, today: dt.date, days: int) -> bool:
    """SPEC 2.6: d is in the last N days when 0 <= today - d < N."""
    return 0 <= (today - date).days < days


def done(contact: Contact, today: dt.date) -> tuple[Interaction, ...]:
    """Interactions that have happened (dated on or before today)."""
    items = contact.interactions
    # They are in date order (the loader sorts them): when the last has happened, all
    # have, and rules ask this for every contact, several times.
    if not items or items[-1].date <= today:
        return items
    return tuple(i for i in items if i.date <= today)


@dataclass(frozen=True, slots=True)
class Figures:
    cadence_days: int | None
    last: dt.date | None
    days_since: int | None
    due: dt.date | None
    overdue: bool
    interactions: int
    gives: int
    takes: int
    mutual: int
    personal: int
    career: int

    @property
    def balance(self) -> int:
        """Gives minus takes in the window: negative means I take more than I give."""
        return self.gives - self.takes


def figures(contact: Contact, today: dt.date, window_days: int) -> Figures:
    past = done(contact, today)
    last = past[-1].date if past else None
    days_since = (today - last).days if last else None
    cadence = contact.cadence_days
    if cadence is None:
        due = None
    elif last is None:
        due = today
    else:
        due = last + dt.timedelta(days=cadence)
    overdue = (
        contact.active
        and cadence is not None
        and not contact.snoozed(today)
        and (days_since is None or days_since > cadence)
    )
    # One pass instead of six: this runs for every contact on every run.
    interactions = gives = takes = mutual = personal = career = 0
    for item in past:
        if not 0 <= (today - item.date).days < window_days:  # in_window, inlined
            continue
        interactions += 1
        direction = item.direction
        if direction == "give":
            gives += 1
        elif direction == "take":
            takes += 1
        elif direction == "mutual":
            mutual += 1
        if item.personal:
            personal += 1
        if item.career:
            career += 1
    return Figures(
        cadence_days=cadence,
        last=last,
        days_since=days_since,
        due=due,
        overdue=overdue,
        interactions=interactions,
        gives=gives,
        takes=takes,
        mutual=mutual,
        personal=personal,
        career=career,
    )


def contact_row(contact: Contact, today: dt.date, window_days: int) -> dict[str, object]:
    """The `list --format json` record of SPEC 4.1 (dates as date objects)."""
    fig = figures(contact, today, window_days)
    return {
        "name": contact.name,
        "path": contact.path,
        "circle": contact.circle,
        "cadence_days": fig.cadence_days,
        "last": fig.last,
        "days_since": fig.days_since,
        "due": fig.due,
        "overdue": fig.overdue,
        "interactions": fig.interactions,
        "gives": fig.gives,
        "takes": fig.takes,
        "mutual": fig.mutual,
        "personal": fig.personal,
        "career": fig.career,
        "tags": list(contact.tags),
        "goals": list(contact.goals),
    }


def export_record(contact: Contact, today: dt.date, window_days: int) -> dict[str, object]:
    """`export json`: the list record plus the front matter and every interaction."""
    record = contact_row(contact, today, window_days)
    # Dates stay date objects, as in contact_row; the JSON writer renders them as ISO.
    record["fields"] = dict(contact.fields)
    record["interactions_all"] = [i.as_json() for i in contact.interactions]
    return record
