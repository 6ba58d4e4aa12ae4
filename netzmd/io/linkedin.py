"""LinkedIn's connections export (`Connections.csv`) -> `Person` records.

The file as LinkedIn writes it: UTF-8 with an optional BOM, a `Notes:` preamble of a
few lines (one of them a long quoted sentence), then the header
`First Name,Last Name,URL,Email Address,Company,Position,Connected On` and one row per
connection. Fields with commas are quoted; connections who hide their profile come as
rows that are empty but for the date; dates read `02 Apr 2021` in every UI language.
Columns are found by their header name, so a reordered or shortened export still reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

from netzmd.io import Person, Source, SourceError, Unreadable, one_line, read_source_file

__all__ = ["load", "parse_connected_on", "read"]

HEADER = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position",
          "Connected On")
_REQUIRED = ("first name", "last name")

# LinkedIn writes English month abbreviations whatever the user's language, so the
# locale-dependent strptime("%b") would misread them on a German system.
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_CONNECTED_ON = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*\.?[ -](\d{4})")


def parse_connected_on(text: str) -> dt.date | None:
    """`02 Apr 2021` (or ISO `2021-04-02`) -> a date; anything else -> None."""
    text = text.strip()
    match = _CONNECTED_ON.fullmatch(text)
    try:
        if match:
            month = _MONTHS.get(match.group(2).lower())
            if month is None:
                return None
            return dt.date(int(match.group(3)), month, int(match.group(1)))
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def load(path: Path) -> Source:
    """Read a Connections.csv file; SourceError if it cannot be read or is not one."""
    return read(read_source_file(path))


def read(data: bytes) -> Source:
    """Every connection row as a Person (name "" when the row has none); never raises
    for a bad row, only SourceError when the file is no LinkedIn export at all."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SourceError("not-utf8", line=data.count(b"\n", 0, err.start) + 1) from None
    people: list[Person] = []
    unreadable: list[Unreadable] = []
    columns: dict[str, int] | None = None
    for line, row in _rows(text, unreadable):
        if columns is None:
            columns = _header(row)
            continue
        if not any(cell.strip() for cell in row):
            continue
        people.append(_person(row, columns, line))
    if columns is None:
        raise SourceError("no-linkedin-header", header=",".join(HEADER))
    return Source(tuple(people), tuple(unreadable))


def _rows(text: str, unreadable: list[Unreadable]) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) for every CSV record; a record the csv module rejects is
    reported and skipped."""
    # As with open(newline=""): the csv module handles CRLF and quoted line breaks itself,
    # and str.splitlines would also split at U+2028 and friends inside a field.
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    last = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            unreadable.append(Unreadable(last + 1, "row-syntax", detail=str(err)))
            last = reader.line_num
            continue
        start, last = last + 1, reader.line_num
        yield start, row


def _header(row: list[str]) -> dict[str, int] | None:
    """Column positions by lower-case name, if this row is the header."""
    # Built from the right, so that a name that occurs twice maps to its first column.
    names = {cell.strip().lstrip("\ufeff").lower(): i for i, cell in reversed(
        list(enumerate(row)))}
    if all(name in names for name in _REQUIRED):
        return names
    return None


def _person(row: list[str], columns: dict[str, int], line: int) -> Person:
    def cell(name: str) -> str | None:
        index = columns.get(name.lower())
        if index is None or index >= len(row):
            return None
        return one_line(row[index]) or None

    name = " ".join(part for part in (cell("First Name"), cell("Last Name")) if part)
    connected = cell("Connected On")
    return Person(
        name=name,
        line=line,
        organisation=cell("Company"),
        role=cell("Position"),
        email=cell("Email Address"),
        linkedin=cell("URL"),
        met=parse_connected_on(connected) if connected else None,
    )
