"""Findings: what a rule (or the loader) says about the vault."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Level(enum.IntEnum):
    """Severity of a finding; ordered so that `>=` means 'at least as severe'."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level:
        return cls[text.upper()]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem or piece of advice, with its source and the numbers behind it.

    Rules and the loader leave `level` at its placeholder and `message` empty: the
    engine stamps the configured level and renders the message in the output language.
    """

    rule: str
    path: str | None = None
    line: int | None = None
    contact: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    level: Level = Level.WARNING
    message: str = ""

    @property
    def sort_key(self) -> tuple[int, str, int, int, str, str]:
        # Vault-level findings (no path) first, then by path; no line before line 1.
        return (
            0 if self.path is None else 1,
            self.path or "",
            0 if self.line is None else 1,
            self.line or 0,
            self.rule,
            self.contact or "",
        )

    def __lt__(self, other: Finding) -> bool:
        return self.sort_key < other.sort_key
