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


@dataclass(frozen=True, slots=True, init=False)
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

    def __init__(self, rule: str, path: str | None = None, line: int | None = None,
                 contact: str | None = None, data: dict[str, Any] | None = None,
                 level: Level = Level.WARNING, message: str = "") -> None:
        # The slots set directly: the generated __init__ of a frozen dataclass goes through
        # object.__setattr__ for each field, at twice the cost, and a check of a large
        # vault makes thousands of findings.
        _set_rule(self, rule)
        _set_path(self, path)
        _set_line(self, line)
        _set_contact(self, contact)
        _set_data(self, {} if data is None else data)
        _set_level(self, level)
        _set_message(self, message)

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

    def stamped(self, contact: str | None, level: Level, message: str) -> Finding:
        """This finding with the engine's contact, level and message (`replace`, but faster)."""
        return Finding(self.rule, self.path, self.line, contact, self.data, level, message)


# The slot descriptors, looked up by name (a type checker sees the fields instead).
_set_rule, _set_path, _set_line, _set_contact, _set_data, _set_level, _set_message = (
    getattr(Finding, name).__set__
    for name in ("rule", "path", "line", "contact", "data", "level", "message")
)
