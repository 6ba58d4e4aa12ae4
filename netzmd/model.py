"""The domain records: immutable, each carrying its source (path, line)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from netzmd.config import Config
from netzmd.findings import Finding

Date = dt.date


class Interaction(NamedTuple):
    """A done interaction with one contact, from the owner's point of view.

    A named tuple rather than a dataclass: a large vault has 100,000 of them, built on
    every run, and a tuple is built in a quarter of the time (see docs/performance.md).
    Immutable like the other records; compare and read it by attribute.
    """

    date: Date
    kind: str | None
    direction: str  # give | take | mutual | touch
    personal: bool
    career: bool
    text: str
    path: str
    line: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "direction": self.direction,
            "personal": self.personal,
            "career": self.career,
            "text": self.text,
            "path": self.path,
            "line": self.line,
        }


@dataclass(frozen=True, slots=True)
class Task:
    """A planned step (`- [ ]`) with a due date."""

    due: Date
    text: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Birthday:
    month: int
    day: int
    year: int | None = None

    def iso(self) -> str:
        md = f"{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{md}" if self.year else md

    def next_date(self, today: Date) -> Date:
        """The next birthday on or after today; 29 February falls on 28 February."""
        for year in (today.year, today.year + 1):
            day = self.day
            if self.month == 2 and day == 29 and not _is_leap(year):
                day = 28
            candidate = dt.date(year, self.month, day)
            if candidate >= today:
                return candidate
        raise AssertionError("unreachable: a birthday recurs within a year")


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True, slots=True)
class Contact:
    """One contact file, its validated fields and everything logged with it."""

    name: str
    path: str
    fields: dict[str, Any]
    aliases: tuple[str, ...] = ()
    role: str | None = None
    organisation: str | None = None
    specialty: str | None = None
    circle: str | None = None
    cadence_days: int | None = None
    met: Date | None = None
    met_at: str | None = None
    birthday: Birthday | None = None
    interests: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    sector: str | None = None
    snooze_until: Date | None = None
    status: str = "active"
    tags: tuple[str, ...] = ()
    ignore: frozenset[str] = frozenset()
    interactions: tuple[Interaction, ...] = ()
    tasks: tuple[Task, ...] = ()

    @property
    def active(self) -> bool:
        return self.status != "archived"

    def snoozed(self, today: Date) -> bool:
        return self.snooze_until is not None and self.snooze_until >= today


@dataclass(frozen=True, slots=True)
class Goal:
    title: str
    path: str
    fields: dict[str, Any]
    target: int | None
    since: Date | None
    by: Date | None
    min_interactions: int = 1
    match: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return (
            self.target is not None
            and self.since is not None
            and self.by is not None
            and self.by > self.since
        )


@dataclass(frozen=True)
class Vault:
    """A loaded vault: records plus the findings the loader made on the way."""

    root: Path
    config: Config
    contacts: tuple[Contact, ...]
    goals: tuple[Goal, ...]
    notes: int
    findings: tuple[Finding, ...] = ()
