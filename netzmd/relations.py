"""Per-contact figures, computed once and shared by rules, list, show, digest and export."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from itertools import compress, count
from operator import attrgetter, is_not
from typing import NamedTuple

from netzmd.model import Contact, Interaction

_date = attrgetter("date")


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
    return items[:bisect_right(items, today, key=_date)]


def changed_positions(old: Sequence[object], new: Sequence[object]) -> list[int] | None:
    """The positions at which `new` holds another object than `old` (`is not`).

    None when the lengths differ or most positions changed: then rebuilding is simpler
    and no slower than patching. Callers that keep per-contact results between runs (the
    loader hands over the very same object for an unchanged contact) patch the rest.
    """
    if not old or len(old) != len(new):
        return None
    changed = list(compress(count(), map(is_not, new, old)))
    return changed if len(changed) * 8 <= len(new) else None


class Figures(NamedTuple):
    """One contact's figures on a day; a named tuple, built for every contact on every run."""

    cadence_days: int | None
    last: dt.date | None
    days_since: int | None
    due: dt.date | None
    overdue: bool
    # Done interactions in the window: they are the last `interactions` of done(contact).
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
    elif cadence <= (dt.date.max - last).days:
        due = last + dt.timedelta(cadence)  # days; positional is twice as fast
    else:
        due = None  # after the end of the calendar (`cadence: 99999y`): never due
    overdue = (
        contact.active
        and cadence is not None
        and not contact.snoozed(today)
        and (days_since is None or days_since > cadence)
    )
    # In date order (the loader sorts them), the window is the tail of the done ones:
    # count back from the last while in_window. One pass instead of six, over the window
    # only: this runs for every contact on every run.
    interactions = gives = takes = mutual = personal = career = 0
    if days_since is not None and days_since < window_days:
        for item in reversed(past):
            if (today - item.date).days >= window_days:
                break
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
    return Figures(cadence, last, days_since, due, overdue,
                   interactions, gives, takes, mutual, personal, career)


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
