"""Goal progress (SPEC 2.5): who belongs to a goal, who counts, and whether it is on track.

One place for the rules (`goal-behind`, `goal-missed`), the `goals` command and the digest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from netzmd.log import fold
from netzmd.model import Contact, Goal, Vault
from netzmd.relations import done

STATUSES = ("done", "missed", "behind", "on-track")

# Validated contact fields a `match` compares against; other keys use the raw front matter.
_TEXT_FIELDS = ("name", "role", "organisation", "specialty", "circle", "met_at", "sector",
                "status")
_LIST_FIELDS = ("aliases", "interests", "tags")


@dataclass(frozen=True, slots=True)
class GoalProgress:
    """A valid goal on a given day: its members, who counts, and its status."""

    goal: Goal
    members: tuple[Contact, ...]
    counted: tuple[str, ...]  # names of the members with enough interactions
    achieved: int
    expected: int
    status: str  # one of STATUSES
    elapsed: float  # fraction of [since, by] that has passed, clamped to [0, 1]

    def record(self) -> dict[str, Any]:
        """The `goals --format json` record of SPEC 4.1 (dates as date objects)."""
        return {
            "title": self.goal.title,
            "path": self.goal.path,
            "target": self.goal.target,
            "achieved": self.achieved,
            "expected": self.expected,
            "since": self.goal.since,
            "by": self.goal.by,
            "status": self.status,
            "contacts": list(self.counted),
        }


def goal_keys(goal: Goal) -> frozenset[str]:
    """The names a contact's `goals` link may use: the title and the file name."""
    stem = goal.path.rsplit("/", 1)[-1].removesuffix(".md")
    return frozenset({fold(goal.title), fold(stem)})


def _values(contact: Contact, key: str) -> list[str]:
    if key in _TEXT_FIELDS:
        value = getattr(contact, key)
        return [value] if value else []
    if key in _LIST_FIELDS:
        return list(getattr(contact, key))
    raw = contact.fields.get(key)
    items = raw if isinstance(raw, list) else [raw]
    return [
        item.isoformat() if isinstance(item, dt.date) else str(item)
        for item in items
        if item is not None and not isinstance(item, dict | list)
    ]


def matches(goal: Goal, contact: Contact) -> bool:
    """Every `match` field equals the contact's field (case-insensitive; a list contains it)."""
    return _Matcher(goal, ({}, {})).matches(contact)


def is_member(goal: Goal, keys: frozenset[str], contact: Contact) -> bool:
    return any(fold(link) in keys for link in contact.goals) or matches(goal, contact)


# Folded contact values (stripped first, as `match` compares them) and folded goal links.
_Folds = tuple[dict[str, str], dict[str, str]]


class _Matcher:
    """Membership in one goal; `folded` is shared by all goals of a run.

    A run asks this for every goal and every contact (50,000 times for 5 goals and 10,000
    contacts): the goal's side is folded once, and each distinct contact value once.
    """

    def __init__(self, goal: Goal, folded: _Folds) -> None:
        self.keys = goal_keys(goal)
        self.wanted = [(key, fold(value.strip())) for key, value in goal.match.items()]
        self.values, self.links = folded

    def fold(self, text: str) -> str:
        value = self.values.get(text)
        if value is None:
            value = self.values[text] = fold(text.strip())
        return value

    def fold_link(self, link: str) -> str:
        value = self.links.get(link)
        if value is None:
            value = self.links[link] = fold(link)
        return value

    def matches(self, contact: Contact) -> bool:
        if not self.wanted:
            # An empty match would take in every contact; only an explicit one selects.
            return False
        values, fold_ = self.values, self.fold
        for key, target in self.wanted:
            for value in _values(contact, key):
                if (values.get(value) or fold_(value)) == target:
                    break
            else:
                return False
        return True

    def is_member(self, contact: Contact) -> bool:
        keys, links = self.keys, self.links
        for link in contact.goals:
            folded = links.get(link)
            if folded is None:
                folded = links[link] = fold(link)
            if folded in keys:
                return True
        return self.matches(contact)


def progress(goal: Goal, contacts: tuple[Contact, ...], today: dt.date) -> GoalProgress:
    """Progress of one valid goal; archived contacts are never members."""
    return _progress(goal, contacts, today, ({}, {}))


def _progress(
    goal: Goal, contacts: tuple[Contact, ...], today: dt.date, folded: _Folds
) -> GoalProgress:
    since, by, target = goal.since, goal.by, goal.target
    if since is None or by is None or target is None or by <= since:
        raise ValueError(f"invalid goal: {goal.path}")
    matcher = _Matcher(goal, folded)
    members = tuple(c for c in contacts if c.active and matcher.is_member(c))
    counted = tuple(
        c.name for c in members
        if sum(1 for i in done(c, today) if i.date >= since) >= goal.min_interactions
    )
    achieved = len(counted)
    total_days = (by - since).days
    elapsed_days = min(max((today - since).days, 0), total_days)
    # Integer arithmetic: floor(target × elapsed / total) without float rounding at the edges.
    expected = target * elapsed_days // total_days
    if achieved >= target:
        status = "done"
    elif today > by:
        status = "missed"
    elif achieved < expected:
        status = "behind"
    else:
        status = "on-track"
    return GoalProgress(goal, members, counted, achieved, expected, status,
                        elapsed_days / total_days)


def goal_progress(vault: Vault, today: dt.date) -> list[GoalProgress]:
    """Progress of every valid goal, in path order; invalid goals are `bad-field` findings."""
    folded: _Folds = ({}, {})
    return [_progress(goal, vault.contacts, today, folded) for goal in vault.goals if goal.valid]
