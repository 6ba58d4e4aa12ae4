"""Import and export: LinkedIn and vCard readers, the importer, the calendar export.

Readers turn a file's bytes into `Person` records and the positions of what they could
not read (`Unreadable`); they never write and never raise for bad content, only
`SourceError` when the file is not what they read at all. `importer` decides which
people become contact files; `ics` builds the calendar.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Person", "Source", "SourceError", "Unreadable", "one_line", "read_source_file"]

# Characters that end a line for YAML or Markdown readers although they are no control
# characters; U+FFFE/U+FFFF are not allowed in YAML at all.
_BREAKING = frozenset("\u2028\u2029\ufffe\uffff")


class SourceError(Exception):
    """The file cannot be imported at all (not UTF-8, no LinkedIn header, no vCard).

    `key` and `values` name a message in the `import` catalogue.
    """

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(key)


@dataclass(frozen=True, slots=True)
class Person:
    """One row or card as read: every value already one line of text, or None."""

    name: str  # "" when the source gives none
    line: int  # where the row or card starts in the source file
    organisation: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    linkedin: str | None = None
    url: str | None = None
    birthday: str | None = None  # YYYY-MM-DD or MM-DD
    met: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A row or card that was skipped because it could not be read.

    `reason` is a key of the `import` catalogue (`card-syntax`, `card-unterminated`,
    `card-encoding`, `row-syntax`); `detail` is the parser's own words, if any.
    """

    line: int
    reason: str
    card: int | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Source:
    """What a reader found in one file, in file order."""

    people: tuple[Person, ...]
    unreadable: tuple[Unreadable, ...] = ()


def one_line(text: str) -> str:
    """A value for one front-matter line: breaks and control characters become spaces.

    Runs of whitespace are squeezed; undecodable bytes (lone surrogates) become U+FFFD.
    """
    pieces = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cs":
            pieces.append("\ufffd")
        elif category == "Cc" or ch in _BREAKING:
            pieces.append(" ")
        else:
            pieces.append(ch)
    return " ".join("".join(pieces).split())


def read_source_file(path: Path) -> bytes:
    """The bytes of an import file; SourceError (not OSError) when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as err:
        raise SourceError("unreadable-file", file=str(path), error=err.strerror or str(err)
                          ) from None
