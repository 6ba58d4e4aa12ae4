"""Goal progress (SPEC 2.5): who belongs to a goal, who counts, and whether it is on track.

One place for the rules (`goal-behind`, `goal-missed`), the `goals` command and the digest.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, insort
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from netzmd.log import fold
from netzmd.model import Contact, Goal, Vault
from netzmd.relations import changed_positions, done

_date = attrgetter("date")

STATUSES = ("done", "missed", "behind", "on-track")

# Validated contact fields a `match` compares against; other keys use the raw front matter.
_TEXT_FIELDS = frozenset({"name", "role", "organisation", "specialty", "circle", "met_at",
                          "sector", "status"})
_LIST_FIELDS = frozenset({"aliases", "interests", "tags"})


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


# What a contact offers goal membership: (None, folded link) for each `goals` link and
# (key, folded value) for each value of a `match` key. A goal's members are the contacts
# with one of its link tokens, or with a token for every (key, value) of its `match`.
_Token = tuple[str | None, str]


class GoalFolds:
    """The membership tokens of the contacts, kept between runs by the rules engine's memo.

    Membership compares folded text (Unicode normalisation and case folding), the costly
    part. With this an unchanged `Contact` object (the same object, `is`) is folded once,
    and when only a few of a vault's contacts are new objects, only their tokens are
    taken out of the index and put back in.
    """

    def __init__(self) -> None:
        self._keys: frozenset[str] | None = None
        # The contacts of the latest run and their tokens, by position; holding the
        # contacts keeps their ids from being reused.
        self._contacts: tuple[Contact, ...] = ()
        self._tokens: list[tuple[_Token, ...]] = []
        self._index: dict[_Token, list[int]] = {}

    def index(self, contacts: tuple[Contact, ...], keys: frozenset[str]
              ) -> dict[_Token, list[int]]:
        """Token -> ascending positions in `contacts` of the active contacts that have it."""
        if keys == self._keys:
            changed = changed_positions(self._contacts, contacts)
            if changed is not None:
                self._patch(contacts, keys, changed)
                return self._index
        self._rebuild(contacts, keys)
        return self._index

    def _rebuild(self, contacts: tuple[Contact, ...], keys: frozenset[str]) -> None:
        known: dict[int, tuple[_Token, ...]] = {}
        if keys == self._keys:
            known = {id(c): t for c, t in zip(self._contacts, self._tokens, strict=True)}
        folded: dict[str, str] = {}  # the same values recur across contacts
        index: dict[_Token, list[int]] = {}
        all_tokens = []
        for position, contact in enumerate(contacts):
            tokens = known.get(id(contact))
            if tokens is None:
                tokens = _tokens(contact, keys, folded)
            all_tokens.append(tokens)
            for token in tokens:
                found = index.get(token)
                if found is None:
                    index[token] = [position]
                else:
                    found.append(position)
        self._keys, self._contacts, self._tokens, self._index = keys, contacts, all_tokens, index

    def _patch(self, contacts: tuple[Contact, ...], keys: frozenset[str], changed: list[int]
               ) -> None:
        index = self._index
        folded: dict[str, str] = {}
        for position in changed:
            for token in self._tokens[position]:
                found = index[token]
                found.remove(position)
                if not found:
                    del index[token]
            tokens = self._tokens[position] = _tokens(contacts[position], keys, folded)
            for token in tokens:
                insort(index.setdefault(token, []), position)
        self._contacts = contacts


def _tokens(contact: Contact, keys: frozenset[str], folded: dict[str, str]
            ) -> tuple[_Token, ...]:
    if not contact.active:
        return ()  # archived contacts are never members
    tokens: list[_Token] = [(None, fold(link)) for link in contact.goals] if contact.goals else []
    for key in keys:
        for value in _values(contact, key):
            text = folded.get(value)
            if text is None:
                # `match` compares stripped values, goal links whole.
                text = folded[value] = fold(value.strip())
            tokens.append((key, text))
    # Without repeats: a position is in an index list once.
    return tuple(dict.fromkeys(tokens)) if len(tokens) > 1 else tuple(tokens)


def _progress(goal: Goal, contacts: tuple[Contact, ...], index: dict[_Token, list[int]],
              today: dt.date) -> GoalProgress:
    since, by, target = goal.since, goal.by, goal.target
    if since is None or by is None or target is None or by <= since:
        raise ValueError(f"invalid goal: {goal.path}")
    positions: set[int] = set()
    for key in goal_keys(goal):
        positions.update(index.get((None, key), ()))
    wanted = [(key, fold(value.strip())) for key, value in goal.match.items()]
    # An empty match would take in every contact; only an explicit one selects.
    if wanted:
        first, *others = (index.get(token, ()) for token in wanted)
        positions.update(set(first).intersection(*others))
    members = tuple(contacts[p] for p in sorted(positions))
    counted = tuple(
        c.name for c in members
        if _done_since(c, today, since) >= goal.min_interactions
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


def _done_since(contact: Contact, today: dt.date, since: dt.date) -> int:
    """How many interactions happened from `since` up to today (they are in date order)."""
    past = done(contact, today)
    return len(past) - bisect_left(past, since, key=_date)


def goal_progress(vault: Vault, today: dt.date, folds: GoalFolds | None = None
                  ) -> list[GoalProgress]:
    """Progress of every valid goal, in path order; invalid goals are `bad-field` findings.

    Archived contacts are never members. `folds` keeps the contacts' folded fields for
    the next run (see `GoalFolds`).
    """
    goals = [goal for goal in vault.goals if goal.valid]
    if not goals:
        return []
    keys = frozenset(key for goal in goals for key in goal.match)
    index = (GoalFolds() if folds is None else folds).index(vault.contacts, keys)
    return [_progress(goal, vault.contacts, index, today) for goal in goals]
