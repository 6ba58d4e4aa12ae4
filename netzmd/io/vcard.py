"""vCard files (3.0 and 4.0, and the 2.1 that older Android phones still write) -> `Person`s.

vobject parses one card at a time; it stops at the first error in a stream, so this
module splits the file into `BEGIN:VCARD` ... `END:VCARD` blocks itself and a broken
card costs only that card. Before vobject sees a block, three of its gaps are closed
here: quoted-printable soft line breaks (a 2.1 value ending in `=` continues on the
next line, which vobject would read as a new property), photos and other binary blobs
(never imported, and a corrupt one would make vobject reject the whole card, including
2.1's unindented base64 lines), and blank lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vobject  # type: ignore[import-untyped]

from netzmd.io import Person, Source, SourceError, Unreadable, one_line, read_source_file

__all__ = ["load", "normalise_birthday", "read", "split_cards"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PROPERTY = re.compile(r"(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]+")
# Binary properties: never imported, often megabytes, and a corrupt one would make
# vobject refuse the whole card.
_BLOBS = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_N_PARTS = ("family", "given", "additional", "prefix", "suffix")
_NAME_ORDER = ("prefix", "given", "additional", "family", "suffix")
_SURROGATE = re.compile("[\udc80-\udcff]")

_BDAY_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_BDAY_NO_YEAR = re.compile(r"--(\d{2})-?(\d{2})")
_BDAY_GERMAN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
# Address books store "year unknown" as a placeholder year: iOS writes 1604 (and says so
# in X-APPLE-OMIT-YEAR), others 0000 or 0001. No living contact was born before 1800.
_FIRST_REAL_YEAR = 1800


@dataclass(frozen=True, slots=True)
class Block:
    """One card's logical lines (unfolded, without BEGIN/END), and where it starts."""

    card: int
    line: int
    lines: tuple[str, ...]
    closed: bool


def load(path: Path) -> Source:
    """Read a .vcf file; SourceError if it cannot be read or holds no vCard at all."""
    return read(read_source_file(path))


def read(data: bytes) -> Source:
    """Every card as a Person (name "" when it has none); unreadable cards by position."""
    # Undecodable bytes become lone surrogates, so that one card in another encoding
    # is reported on its own instead of failing the whole file.
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    people: list[Person] = []
    unreadable: list[Unreadable] = []
    blocks = list(split_cards(text))
    if not blocks:
        raise SourceError("no-vcard")
    for block in blocks:
        result = _read_block(block)
        if isinstance(result, Person):
            people.append(result)
        else:
            unreadable.append(result)
    return Source(tuple(people), tuple(unreadable))


# ---------------------------------------------------------------- splitting


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line, unfolded line): RFC folding and quoted-printable soft breaks."""
    current: list[str] = []
    start = 0
    quoted_printable = False
    for number, raw in enumerate(_LINE_BREAK.split(text), 1):
        if current:
            # A soft break first: a quoted-printable continuation may itself start with
            # a space that belongs to the value.
            if quoted_printable and current[-1].endswith("="):
                current[-1] = current[-1][:-1]
                current.append(raw)
                continue
            if raw[:1] in (" ", "\t"):
                current.append(raw[1:])
                continue
            yield start, "".join(current)
        current, start = [raw], number
        head = raw.split(":", 1)[0].upper()
        quoted_printable = "QUOTED-PRINTABLE" in head and ":" in raw
    if current:
        yield start, "".join(current)


def split_cards(text: str) -> Iterator[Block]:
    """The BEGIN:VCARD ... END:VCARD blocks of a file, numbered from 1, in file order.

    Lines outside blocks are ignored. A BEGIN inside an open block, or the end of the
    file, ends the open block unclosed (`closed=False`): a truncated card, reported
    rather than merged with the next one.
    """
    card = 0
    start = 0
    lines: list[str] | None = None
    in_blob = False
    for number, line in _logical_lines(text):
        marker = line.strip().upper()
        if marker == "BEGIN:VCARD":
            if lines is not None:
                yield Block(card, start, tuple(lines), closed=False)
            card += 1
            start, lines, in_blob = number, [], False
            continue
        if lines is None:
            continue
        if marker == "END:VCARD":
            yield Block(card, start, tuple(lines), closed=True)
            lines = None
            continue
        if not line.strip():
            in_blob = False
            continue
        if in_blob and _BASE64_LINE.fullmatch(line.strip()):
            continue
        in_blob = False
        match = _PROPERTY.match(line)
        if match and match.group(1).upper() in _BLOBS:
            # vCard 2.1 base64 may continue on unindented lines until a blank line.
            in_blob = "BASE64" in line.split(":", 1)[0].upper()
            continue
        lines.append(line)
    if lines is not None:
        yield Block(card, start, tuple(lines), closed=False)


# ---------------------------------------------------------------- one card


def _read_block(block: Block) -> Person | Unreadable:
    if not block.closed:
        return Unreadable(block.line, "card-unterminated", block.card)
    if any(_SURROGATE.search(line) for line in block.lines):
        return Unreadable(block.line, "card-encoding", block.card)
    text = "\r\n".join(("BEGIN:VCARD", *block.lines, "END:VCARD")) + "\r\n"
    try:
        component = vobject.readOne(text)
        return _person(component, block.line)
    except Exception as err:
        # vobject raises ParseError, but also ValueError, LookupError (an unknown
        # CHARSET), binascii.Error and others for malformed input; a bad card is data.
        return Unreadable(block.line, "card-syntax", block.card, _detail(err))


def _detail(err: Exception) -> str:
    message = str(err.args[0]) if err.args else type(err).__name__
    message = one_line(message)
    return message if len(message) <= 80 else message[:79] + "…"


def _text(value: Any, separator: str = " ") -> str:
    """A property value as one line of text; lists (ORG units, N parts) are joined."""
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, list | tuple):
        return separator.join(part for part in (_text(v) for v in value) if part)
    return ""


def _values(card: Any, name: str) -> list[Any]:
    """The content lines of a property, preferred first (TYPE=pref, PREF=1), else in order."""
    lines = list(card.contents.get(name, ()))
    return sorted(lines, key=_preference)


def _preference(line: Any) -> tuple[int, int]:
    params: dict[str, list[str]] = line.params
    tokens = {token.strip().lower() for value in params.get("TYPE", ())
              for token in str(value).split(",")}
    tokens |= {str(token).lower() for token in line.singletonparams}
    rank = 101
    for value in params.get("PREF", ()):
        if str(value).isdigit():
            rank = min(rank, int(value))
    if "pref" in tokens:
        rank = min(rank, 0)
    return (0 if rank <= 100 else 1, rank)


def _first(lines: Iterable[Any], clean: Callable[[str], str] | None = None) -> str | None:
    """The first non-empty value of these content lines."""
    for line in lines:
        value = _text(line.value)
        if clean is not None:
            value = clean(value)
        if value:
            return value
    return None


def _strip_scheme(scheme: str) -> Callable[[str], str]:
    """`mailto:a@b` -> `a@b`, `tel:+49...` -> `+49...` (vCard 4.0 writes URIs)."""
    def clean(value: str) -> str:
        return value[len(scheme):].strip() if value.lower().startswith(scheme) else value

    return clean


def _name(card: Any) -> str:
    formatted = _first(card.contents.get("fn", ()))
    if formatted:
        return formatted
    for line in card.contents.get("n", ()):
        parts = line.value
        if isinstance(parts, str):
            # Unstructured: family;given;additional;prefix;suffix.
            fields = dict(zip(_N_PARTS, parts.split(";"), strict=False))
        else:
            fields = {attr: getattr(parts, attr, "") for attr in _N_PARTS}
        name = " ".join(
            text for text in (_text(fields.get(attr, "")) for attr in _NAME_ORDER) if text
        )
        if name:
            return name
    return ""


def _person(card: Any, line: int) -> Person:
    urls = [_text(u.value) for u in _values(card, "url")]
    profiles = [_text(u.value) for u in _values(card, "x-socialprofile")]
    linkedin = next((u for u in (*urls, *profiles) if "linkedin.com" in u.lower()), None)
    other = next((u for u in urls if u and "linkedin.com" not in u.lower()), None)
    notes = [
        "\n".join(part.rstrip() for part in _LINE_BREAK.split(n.value)).strip()
        for n in card.contents.get("note", ()) if isinstance(n.value, str)
    ]
    birthday = None
    for bday in card.contents.get("bday", ()):
        omit = bday.params.get("X-APPLE-OMIT-YEAR", ())
        birthday = normalise_birthday(_text(bday.value), omit[0] if omit else None)
        if birthday:
            break
    return Person(
        name=_name(card),
        line=line,
        organisation=_org(card),
        role=_first(card.contents.get("title", ())) or _first(card.contents.get("role", ())),
        email=_first(_values(card, "email"), _strip_scheme("mailto:")),
        phone=_first(_values(card, "tel"), _strip_scheme("tel:")),
        linkedin=linkedin,
        url=other,
        birthday=birthday,
        note="\n\n".join(n for n in notes if n) or None,
    )


def _org(card: Any) -> str | None:
    for line in card.contents.get("org", ()):
        text = _text(line.value, ", ")
        if text:
            return text
    return None


def normalise_birthday(value: str, omitted_year: str | None = None) -> str | None:
    """BDAY -> `YYYY-MM-DD` or `MM-DD`; None when it is no date.

    Reads `19750228`, `1975-02-28`, `1975-02-28T00:00:00Z`, `--0520`, `--05-20` and
    `28.02.1975`; a placeholder year (iOS's 1604, `0000`, or the year named by
    X-APPLE-OMIT-YEAR) gives `MM-DD`.
    """
    text = value.strip().split("T", 1)[0]
    year: int | None
    if match := _BDAY_NO_YEAR.fullmatch(text):
        year, month, day = None, int(match.group(1)), int(match.group(2))
    elif match := _BDAY_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _BDAY_GERMAN.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    if year is not None and (year < _FIRST_REAL_YEAR or str(year) == (omitted_year or "")
                             .strip()):
        year = None
    try:
        # 2000 is a leap year: 29 February without a year is a real birthday.
        dt.date(year or 2000, month, day)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d}"
