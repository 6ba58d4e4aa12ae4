"""load_vault: the only reader of files. Every bad input becomes a Finding."""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, TypeVar

from netzmd.cadence import parse_cadence
from netzmd.config import CIRCLES, CONFIG_FILE, Config, load_config
from netzmd.findings import Finding
from netzmd.frontmatter import decode, split_document
from netzmd.log import Body, fold, parse_body_text
from netzmd.model import Birthday, Contact, Goal, Vault
from netzmd.records import record_builder

if TYPE_CHECKING:
    from netzmd.cache import ParseCache

T = TypeVar("T")

MAX_FILE_SIZE = 2 * 1024 * 1024

_EDITOR_TEMP = re.compile(r"(\.swp|~|___jb_\w*___)$|^4913$|^\.goutputstream-|___jb_")
# Syncthing `.sync-conflict-…`; Nextcloud `(conflicted copy …)`; Dropbox puts the device or
# owner first: `(Bernd's conflicted copy …)`.
_CONFLICT = re.compile(r"\.sync-conflict-|\([^()]*(?:C|c)onflicted copy")
_DATED_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_MONTH_DAY = re.compile(r"^(?:--)?(\d{2})-(\d{2})$")
_GERMAN_MONTH_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?$")
_LINK = re.compile(r"^\s*\[\[([^\]|#]*)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]\s*$")

# SPEC 3.3 `patient-data`: identifiers that must not sit in a networking vault, by pattern id.
# [0-9], not \d: other scripts' digits are not ids.
_SOME_DATE = r"(?:[0-9]{1,2}\.[ ]?[0-9]{1,2}\.[ ]?(?:[0-9]{4}|[0-9]{2})|[0-9]{4}-[0-9]{2}-[0-9]{2})"
_BIRTH_DATE = re.compile(rf"\b(?i:geb)\.[ \t]*(?i:am[ \t]+)?{_SOME_DATE}(?![0-9])")
_CASE_NUMBER = re.compile(
    r"\b(?:(?i:fall[- ]?(?:nr|nummer)|pat(?:ienten)?\.?[- ]?(?:nr|nummer))|PID)[ \t:.#]*[0-9]{5}"
)
_AHV = re.compile(r"(?<![0-9.])756\.[0-9]{4}\.[0-9]{4}\.[0-9]{2}(?![0-9])")
# The letter first, then "no word character before it": cheaper than a leading lookbehind.
_INSURANCE_NUMBER = re.compile(r"[A-Z](?<!\w[A-Z])[0-9]{9}(?!\w)")
# Digits as 0 and ASCII letters in lower case: one pass gives what the searches need.
_DIGITS_AND_CASE = bytes.maketrans(
    b"123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"000000000abcdefghijklmnopqrstuvwxyz"
)
# What each pattern needs, so translated: five digits in a row, `geb.`, and the digits and
# dots of an AHV number (its long shape lets the search skip ahead far more than `756.`).
_ID_SHAPES = (b"00000", b"geb.", b"000.0000.0000.00")


class VaultError(Exception):
    """The vault cannot be found or read at all (exit 2)."""


def find_root(explicit: str | Path | None, start: Path | None = None) -> Path:
    """The vault: --vault, else $NETZMD_VAULT, else the first folder upwards with a marker."""
    chosen = explicit or os.environ.get("NETZMD_VAULT")
    if chosen:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            raise VaultError(f"vault not found: {root}")
        return root.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file() or (folder / ".obsidian").is_dir():
            return folder
    raise VaultError(
        f"no vault found from {here}: no netzmd.toml or .obsidian/ here or above "
        "(use --vault PATH or set NETZMD_VAULT)"
    )


# ---------------------------------------------------------------- file walk


def is_ignored(rel: str, config: Config) -> bool:
    """Whether a vault-relative path is outside netzmd's view (SPEC 2: ignored paths)."""
    parts = rel.split("/")
    if any(part.startswith(".") for part in parts):
        return True
    if _EDITOR_TEMP.search(parts[-1]):
        return True
    return _under(rel, _norm_folder(config.output))


def _norm_folder(folder: str) -> str:
    folder = folder.strip().strip("/")
    return "" if folder in ("", ".") else folder


def _under(rel: str, folder: str) -> bool:
    if not folder:
        return False
    return rel == folder or rel.startswith(folder + "/")


@dataclass(frozen=True, slots=True)
class NoteFile:
    rel: str
    path: str
    size: int
    mtime_ns: int
    # No tool sets ctime back, so the parse cache catches an edit that kept size and mtime.
    ctime_ns: int = 0


def walk(root: Path, config: Config, findings: list[Finding]) -> list[NoteFile]:
    """All Markdown notes in path order; conflict copies and escaping links become findings."""
    real_root = os.path.realpath(root)
    output = _norm_folder(config.output)
    notes: list[NoteFile] = []
    make_note = record_builder(NoteFile)  # 12,000 frozen records: without __setattr__
    seen_dirs = {real_root}
    stack: list[tuple[str, str]] = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            rel = prefix + name
            if name.startswith(".") or _EDITOR_TEMP.search(name):
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_link:
                target = os.path.realpath(entry.path)
                if not (target == real_root or target.startswith(real_root + os.sep)):
                    if is_dir or name.endswith(".md"):
                        findings.append(Finding("outside-vault", path=rel, data={}))
                    continue
            if is_dir:
                if _under(rel, output):
                    continue
                real = os.path.realpath(entry.path)
                if real in seen_dirs:
                    continue
                seen_dirs.add(real)
                stack.append((entry.path, rel + "/"))
                continue
            if not name.endswith(".md"):
                continue
            if _CONFLICT.search(name):
                findings.append(Finding("conflict-copy", path=rel, data={}))
                continue
            try:
                stat = entry.stat()
            except OSError:
                continue
            if not S_ISREG(stat.st_mode):
                # Opening a FIFO named `x.md` would block the run forever; devices and
                # sockets are no notes either.
                continue
            notes.append(
                make_note(rel, entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
            )
    notes.sort(key=lambda n: n.rel)
    return notes


# ---------------------------------------------------------------- one file


@dataclass(frozen=True, slots=True)
class ParsedNote:
    """What one file says, independent of every other file (the unit of caching)."""

    rel: str
    fields: dict[str, Any]
    key_lines: dict[str, int]
    body: Body
    findings: tuple[Finding, ...]
    skipped: bool = False  # unreadable: reported, but not a note


def parse_note(rel: str, data: bytes) -> ParsedNote:
    """Parse one note's bytes; never raises."""
    findings: list[Finding] = []
    try:
        text = decode(data)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        findings.append(Finding("encoding-error", path=rel, line=line, data={"byte": err.start}))
        return ParsedNote(rel, {}, {}, Body((), (), (), ()), tuple(findings), skipped=True)
    doc, body_text = split_document(text)
    if doc.problem is not None:
        findings.append(
            Finding(
                "yaml-error",
                path=rel,
                line=doc.problem.line,
                data={"column": doc.problem.column, "error": doc.problem.message},
            )
        )
    body = parse_body_text(body_text, doc.body_start)
    for bad in body.bad_dates:
        findings.append(Finding("bad-date", path=rel, line=bad.line, data={"date": bad.token}))
    findings.extend(patient_data(rel, data))
    return ParsedNote(rel, doc.fields, doc.key_lines, body, tuple(findings))


def patient_data(rel: str, data: bytes) -> list[Finding]:
    """`patient-data` per line and pattern, over every physical line (front matter and code too).

    Only the pattern id is kept: echoing the match would copy the identifier into output.
    Every pattern needs one of `_ID_SHAPES`; byte searches for those pick the few candidate
    lines, so the patterns do not have to run over the whole vault.
    """
    shapes = data.translate(_DIGITS_AND_CASE)
    starts: list[int] = []
    for needle in _ID_SHAPES:
        pos = shapes.find(needle)
        while pos != -1:
            starts.append(pos)
            end = shapes.find(b"\n", pos)
            pos = -1 if end == -1 else shapes.find(needle, end + 1)
    if not starts:
        return []
    found: list[Finding] = []
    index, counted_to, done = 0, 0, -1
    for pos in sorted(starts):
        index += data.count(b"\n", counted_to, pos)
        counted_to = pos
        if index == done:
            continue
        done = index
        raw = _line_bytes(data, pos)
        # A line without capital letters and without `geb.`, `756.`, `nr` or `nummer` holds
        # no identifier: a case number needs its word, an insurance number a capital
        # letter. A phone number's line is such a line; it is not even decoded.
        if (
            raw == raw.lower()
            and b"nr" not in raw
            and b"nummer" not in raw
            and b"geb." not in raw
            and b"756." not in raw
        ):
            continue
        line = decode(raw) if index == 0 else raw.decode("utf-8")
        found.extend(Finding("patient-data", path=rel, line=index + 1, data={"pattern": p})
                     for p in _patient_patterns(line))
    return found


def _line_bytes(data: bytes, pos: int) -> bytes:
    """The physical line around byte `pos`, cut as `split_lines` cuts the text.

    Cutting at newline bytes never splits a UTF-8 character; only a line ended by CRLF
    loses its CR.
    """
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    if end == -1:
        end = len(data)
    elif data.endswith(b"\r", start, end):
        end -= 1
    return data[start:end]


def _patient_patterns(line: str) -> list[str]:
    """The pattern ids found in one line, in the order they occur."""
    low = line.lower()
    hits: list[tuple[int, str]] = []
    if "geb." in low and (match := _BIRTH_DATE.search(line)):
        hits.append((match.start(), "birth-date"))
    if ("nr" in low or "nummer" in low or "PID" in line) and (
        match := _CASE_NUMBER.search(line)
    ):
        hits.append((match.start(), "case-number"))
    if "756." in line and (match := _AHV.search(line)):
        hits.append((match.start(), "ahv"))
    # An insurance number starts with a capital letter, which a phone or e-mail line has not.
    if line != low and (match := _INSURANCE_NUMBER.search(line)):
        hits.append((match.start(), "insurance-number"))
    return [pattern for _, pattern in sorted(hits)]


def read_note(note: NoteFile) -> ParsedNote:
    if note.size > MAX_FILE_SIZE:
        finding = Finding(
            "file-too-large", path=note.rel, data={"size": note.size, "limit": MAX_FILE_SIZE}
        )
        return ParsedNote(note.rel, {}, {}, Body((), (), (), ()), (finding,), skipped=True)
    try:
        with open(note.path, "rb") as handle:
            data = handle.read(MAX_FILE_SIZE + 1)
    except OSError as err:
        finding = Finding("encoding-error", path=note.rel, data={"error": err.strerror or ""})
        return ParsedNote(note.rel, {}, {}, Body((), (), (), ()), (finding,), skipped=True)
    return parse_note(note.rel, data)


# ---------------------------------------------------------------- fields


class _BadField(ValueError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise _BadField("text")
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text.strip()


def _text_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(t for t in (_text(item) for item in items) if t)


def parse_date(value: Any) -> dt.date:
    """A front-matter date: a YAML date, `DD.MM.YYYY`, or an ISO date and time (its date)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        match = _GERMAN_DATE.match(text)
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                return dt.date(year, month, day)
            # Obsidian's "Date & time" property writes `2026-01-05T10:20`: the day is meant.
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            pass
    raise _BadField("date")


def parse_birthday(value: Any) -> Birthday:
    if isinstance(value, str):
        text = value.strip()
        match = _MONTH_DAY.match(text) or _GERMAN_MONTH_DAY.match(text)
        if match:
            first, second = (int(g) for g in match.groups())
            month, day = (first, second) if match.re is _MONTH_DAY else (second, first)
            try:
                dt.date(2000, month, day)  # 2000 is a leap year: 29 Feb is valid
            except ValueError:
                raise _BadField("birthday") from None
            return Birthday(month, day)
    date = parse_date(value)
    return Birthday(date.month, date.day, date.year)


def link_target(value: str) -> str:
    """`[[Target|alias]]` or `[[Target#h]]` -> `Target`; plain text stays as it is."""
    match = _LINK.match(value)
    return (match.group(1) if match else value).strip()


_CONTACT_TEXT = ("role", "organisation", "specialty", "met_at", "sector", "email", "phone",
                 "linkedin", "url")
_TEXT_KEYS = ("name", *_CONTACT_TEXT)


def _goal_links(value: Any) -> tuple[str, ...]:
    return tuple(link_target(t) for t in _text_list(value))


def _circle(value: Any) -> str:
    return _choice(value, CIRCLES)


def _status(value: Any) -> str:
    return _choice(value, ("active", "archived"))


# Validated in this order, so that their `bad-field` findings keep it.
_CONVERTED: tuple[tuple[str, Callable[[Any], Any], str], ...] = (
    ("goals", _goal_links, "list"),
    ("met", parse_date, "date"),
    ("snooze_until", parse_date, "date"),
    ("birthday", parse_birthday, "birthday"),
    ("circle", _circle, "circle"),
    ("status", _status, "status"),
    ("cadence", parse_cadence, "cadence"),
)


# The validated contact fields of a note, as plain data a cache can keep (dates as ordinals,
# a birthday as (month, day, year)): the order of `ContactValues` below.
ContactValues = tuple[Any, ...]
BadField = tuple[str, int | None, Any, str]  # key, line, the value as shown, expected


def contact_values(
    note: ParsedNote, rule_ids: Iterable[str]
) -> tuple[ContactValues, tuple[BadField, ...]]:
    """Validate a note's fields as a contact's; each wrong one is a bad field and counts as absent.

    Depends on nothing but the note (and the rule ids `netzmd_ignore` may name), so it is
    part of the per-file work the parse cache keeps; the configuration (default cadences)
    is applied when the vault is assembled. Returns the values in this order: name (None:
    the file name), aliases, role, organisation, specialty, circle, cadence (days, None for
    never), whether a cadence was given, met, met_at, birthday, interests, goals, sector,
    snooze_until, status, tags, netzmd_ignore.
    """
    fields = note.fields
    values: dict[str, Any] = {}
    bad: list[BadField] = []

    def take(key: str, convert: Any, expected: str) -> None:
        if key not in fields or fields[key] is None:
            return
        try:
            values[key] = convert(fields[key])
        except (_BadField, ValueError, TypeError):
            bad.append((key, note.key_lines.get(key), _shown(fields[key]), expected))

    # Text that is text and lists of text are by far the most common: they are taken
    # inline (what _text and _text_list would return); anything else goes through take().
    get = fields.get
    for key in _TEXT_KEYS:
        value = get(key)
        if type(value) is str:
            values[key] = value.strip()
        elif value is not None:
            take(key, _text, "text")
    for key in ("aliases", "interests", "tags"):
        value = get(key)
        if type(value) is list and all(type(item) is str for item in value):
            values[key] = tuple(text for text in (item.strip() for item in value) if text)
        elif value is not None:
            take(key, _text_list, "list")
    # Most contacts have few of these: look before calling (80,000 calls on 10,000 contacts).
    for key, convert, expected in _CONVERTED:
        if get(key) is not None:
            take(key, convert, expected)
    if get("netzmd_ignore") is not None:
        take("netzmd_ignore", lambda v: _rule_ids(v, set(rule_ids)), "rules")
    if "tags" in values:
        values["tags"] = tuple(t.lstrip("#") for t in values["tags"])
    met, snooze, birthday = values.get("met"), values.get("snooze_until"), values.get("birthday")
    return (
        values.get("name") or None,
        values.get("aliases", ()),
        values.get("role"),
        values.get("organisation"),
        values.get("specialty"),
        values.get("circle"),
        values.get("cadence"),
        "cadence" in values,
        None if met is None else met.toordinal(),
        values.get("met_at"),
        None if birthday is None else (birthday.month, birthday.day, birthday.year),
        values.get("interests", ()),
        values.get("goals", ()),
        values.get("sector"),
        None if snooze is None else snooze.toordinal(),
        values.get("status", "active"),
        values.get("tags", ()),
        values.get("netzmd_ignore", ()),
    ), tuple(bad)


def bad_field(note: ParsedNote, key: str, expected: str) -> Finding:
    """`bad-field` at the key's line, with the value as the user wrote it."""
    return Finding(
        "bad-field",
        path=note.rel,
        line=note.key_lines.get(key),
        data={"field": key, "value": _shown(note.fields.get(key)), "expected": expected},
    )


def _shown(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list):
        # As the user wrote it, not as Python prints it: `overdue, not-a-rule`.
        return ", ".join("" if item is None else str(_shown(item)) for item in value)
    return str(value)


def _choice(value: Any, allowed: tuple[str, ...]) -> str:
    text = _text(value).casefold()
    if text not in allowed:
        raise _BadField(text)
    return text


def _rule_ids(value: Any, known: set[str]) -> tuple[str, ...]:
    ids = _text_list(value)
    if any(rule_id not in known for rule_id in ids):
        raise _BadField("rules")
    return ids


def build_goal(note: ParsedNote, findings: list[Finding]) -> Goal:
    fields = note.fields
    stem = note.rel.rsplit("/", 1)[-1][:-3]

    def bad(key: str, expected: str) -> None:
        findings.append(bad_field(note, key, expected))

    def positive(key: str, required: bool) -> int | None:
        value = fields.get(key)
        if value is None:
            if required:
                bad(key, "number")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            bad(key, "number")
            return None
        return value

    def date(key: str) -> dt.date | None:
        value = fields.get(key)
        try:
            return parse_date(value)
        except _BadField:
            bad(key, "date")
            return None

    title = stem
    if fields.get("title") is not None:
        try:
            title = _text(fields["title"]) or stem
        except _BadField:
            bad("title", "text")
    target = positive("target", True)
    since = date("since")
    by = date("by")
    if since and by and by <= since:
        bad("by", "after-since")
    min_interactions = positive("min_interactions", False) or 1
    match: dict[str, str] = {}
    raw_match = fields.get("match")
    if raw_match is not None:
        if isinstance(raw_match, dict) and all(
            not isinstance(v, dict | list) and v is not None for v in raw_match.values()
        ):
            # `praxis: true` is a fair thing to match on; _text refuses booleans elsewhere.
            match = {str(k): str(v).lower() if isinstance(v, bool) else _text(v)
                     for k, v in raw_match.items()}
        else:
            bad("match", "mapping")
    return Goal(title, note.rel, fields, target, since, by, min_interactions, match)


# ---------------------------------------------------------------- names


class NameIndex:
    """Folded name keys -> contact index; the first file in path order wins a key."""

    def __init__(self) -> None:
        self.keys: dict[str, int] = {}

    def add(self, keys: Iterable[str], index: int) -> str | None:
        """Register keys; return a key another contact already holds, if any."""
        clash = None
        for key in keys:
            folded = fold(key)
            if not folded:
                continue
            holder = self.keys.setdefault(folded, index)
            if holder != index and clash is None:
                clash = key
        return clash

    def get(self, name: str) -> int | None:
        return self.keys.get(fold(name))


def contact_keys(contact: Contact) -> tuple[str, ...]:
    stem = contact.path.rsplit("/", 1)[-1][:-3]
    return (contact.name, stem, *contact.aliases)


def _note_date(note: ParsedNote) -> dt.date | None:
    stem = note.rel.rsplit("/", 1)[-1]
    match = _DATED_NAME.match(stem)
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    value = note.fields.get("date")
    if value is not None:
        try:
            return parse_date(value)
        except _BadField:
            return None
    return None


# progress(done, total): `total` counts the notes that need parsing, not cache hits, so
# the CLI can show a progress bar only for a cold parse of a large vault.
Progress = Callable[[int, int], None]


def iter_parsed(notes: list[NoteFile], progress: Progress | None = None) -> Iterator[ParsedNote]:
    for done, note in enumerate(notes, 1):
        yield read_note(note)
        if progress is not None:
            progress(done, len(notes))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while loading.

    A load allocates millions of long-lived objects and no cycles; the collector would
    walk them again every few thousand allocations (measured on 10,000 contacts: a
    quarter of a load without cache, half of the assembly).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def load_vault(
    path: str | Path,
    config: Config | None = None,
    progress: Progress | None = None,
    *,
    cache: bool | ParseCache = False,
) -> Vault:
    """Load a vault folder: config, notes, contacts, goals, interactions, loader findings.

    Raises ConfigError for an invalid netzmd.toml and VaultError for a missing folder;
    everything wrong inside a note is a Finding in `vault.findings`. `progress(done, total)`
    is called after each note parsed (for a progress bar; None: nothing is reported).
    `cache=True` keeps each note's parse in the user cache folder between runs
    (`netzmd.cache`); a `ParseCache` of this vault is used as it is, so a long-running
    process re-parses only the notes that changed.
    """
    root = Path(path)
    if not root.is_dir():
        raise VaultError(f"vault not found: {root}")
    root = root.resolve()
    if config is None:
        config = load_config(root)
    findings: list[Finding] = []
    from netzmd.assembly import Assembly, note_record

    with _gc_paused():
        notes = walk(root, config, findings)
        if cache is False:
            records = [note_record(note) for note in iter_parsed(notes, progress)]
        else:
            from netzmd.cache import ParseCache

            store = cache if isinstance(cache, ParseCache) else ParseCache(root)
            if store.root != root:
                raise ValueError(f"parse cache of {store.root} used for {root}")
            records = store.parse(notes, progress)
        by_path = {note.rel: record for note, record in zip(notes, records, strict=True)}
        return Assembly(root, config).build(by_path, findings)
