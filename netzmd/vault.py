"""load_vault: the only reader of files. Every bad input becomes a Finding."""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from operator import attrgetter
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, TypeVar

from netzmd.cadence import parse_cadence
from netzmd.config import CIRCLES, CONFIG_FILE, Config, load_config
from netzmd.findings import Finding
from netzmd.frontmatter import decode, parse_document_lines, split_lines
from netzmd.log import Body, classify, fold, parse_body
from netzmd.model import Birthday, Contact, Goal, Interaction, Task, Vault

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
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


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
                NoteFile(rel, entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
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
    lines = split_lines(text)
    doc = parse_document_lines(lines)
    if doc.problem is not None:
        findings.append(
            Finding(
                "yaml-error",
                path=rel,
                line=doc.problem.line,
                data={"column": doc.problem.column, "error": doc.problem.message},
            )
        )
    body = parse_body(lines[doc.body_start - 1 :], doc.body_start)
    for bad in body.bad_dates:
        findings.append(Finding("bad-date", path=rel, line=bad.line, data={"date": bad.token}))
    findings.extend(patient_data(rel, data, lines))
    return ParsedNote(rel, doc.fields, doc.key_lines, body, tuple(findings))


def patient_data(rel: str, data: bytes, lines: list[str]) -> list[Finding]:
    """`patient-data` per line and pattern, over every physical line (front matter and code too).

    Only the pattern id is kept: echoing the match would copy the identifier into output.
    Every pattern needs `geb.`, `756.` or five digits in a row; byte searches for those pick
    the few candidate lines, so the patterns do not have to run over the whole vault.
    """
    starts: list[int] = []
    searches = ((data.translate(_DIGITS_TO_ZERO), b"00000"), (data, b"756."),
                (data.lower(), b"geb."))
    for haystack, needle in searches:
        pos = haystack.find(needle)
        while pos != -1:
            starts.append(pos)
            end = data.find(b"\n", pos)
            pos = -1 if end == -1 else haystack.find(needle, end + 1)
    found: list[Finding] = []
    index, counted_to, done = 0, 0, -1
    for pos in sorted(starts):
        index += data.count(b"\n", counted_to, pos)
        counted_to = pos
        if index == done or index >= len(lines):
            continue
        done = index
        found.extend(Finding("patient-data", path=rel, line=index + 1, data={"pattern": p})
                     for p in _patient_patterns(lines[index]))
    return found


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
    if match := _INSURANCE_NUMBER.search(line):
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


def build_contact(
    note: ParsedNote, config: Config, rule_ids: Iterable[str], findings: list[Finding]
) -> Contact:
    """Validate a contact's fields; each wrong one becomes `bad-field` and counts as absent."""
    fields = note.fields
    stem = note.rel.rsplit("/", 1)[-1][:-3]
    values: dict[str, Any] = {}

    def bad(key: str, expected: str) -> None:
        findings.append(bad_field(note, key, expected))

    def take(key: str, convert: Any, expected: str) -> None:
        if key not in fields or fields[key] is None:
            return
        try:
            values[key] = convert(fields[key])
        except (_BadField, ValueError, TypeError):
            bad(key, expected)

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

    circle = values.get("circle")
    cadence_days = (
        values["cadence"] if "cadence" in values else config.cadence.get(circle or "", None)
    )
    name = values.get("name") or stem
    return Contact(
        name=name,
        path=note.rel,
        fields=fields,
        aliases=values.get("aliases", ()),
        role=values.get("role"),
        organisation=values.get("organisation"),
        specialty=values.get("specialty"),
        circle=circle,
        cadence_days=cadence_days,
        met=values.get("met"),
        met_at=values.get("met_at"),
        birthday=values.get("birthday"),
        interests=values.get("interests", ()),
        goals=values.get("goals", ()),
        sector=values.get("sector"),
        snooze_until=values.get("snooze_until"),
        status=values.get("status", "active"),
        tags=values.get("tags", ()),
        ignore=frozenset(values.get("netzmd_ignore", ())),
    )


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


# ---------------------------------------------------------------- assembly


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


# Interactions in (date, path, line) order. Only the `met` interaction has no line, and it
# is added only when no other interaction has its date, so None is never compared.
_BY_DATE_PATH_LINE = attrgetter("date", "path", "line")


def record_builder(cls: type[T]) -> Callable[..., T]:
    """A positional constructor for a frozen, slotted dataclass without `__post_init__`.

    The generated `__init__` of a frozen dataclass sets each field through
    `object.__setattr__`; setting the slots directly builds the same object in half the
    time, which counts for the 100,000 interactions of a large vault. Other classes get
    their own constructor.
    """
    built = _BUILDERS.get(cls)
    if built is None:
        built = _BUILDERS[cls] = _compile_builder(cls)
    return built


_BUILDERS: dict[type, Callable[..., Any]] = {}


def _compile_builder(cls: type) -> Callable[..., Any]:
    names = [f.name for f in dataclass_fields(cls)]
    if not set(names) <= set(getattr(cls, "__slots__", ())) or hasattr(cls, "__post_init__"):
        return cls
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    lines = [f"def build({', '.join(names)}):", "    obj = new(cls)"]
    for name in names:
        namespace[f"set_{name}"] = getattr(cls, name).__set__
        lines.append(f"    set_{name}(obj, {name})")
    lines.append("    return obj")
    exec("\n".join(lines), namespace)
    builder: Callable[..., Any] = namespace["build"]
    return builder


def assemble(
    root: Path, config: Config, parsed: list[ParsedNote], findings: list[Finding]
) -> Vault:
    """Cross-file work: contacts, goals, link resolution, de-duplication."""
    from netzmd.rules import REGISTRY

    contacts_dir = _norm_folder(config.contacts)
    goals_dir = _norm_folder(config.goals)
    vocabulary = config.vocabulary
    contact_notes: list[ParsedNote] = []
    goal_notes: list[ParsedNote] = []
    other_notes: list[ParsedNote] = []
    for note in parsed:
        findings.extend(note.findings)
        if note.skipped:
            continue
        if goals_dir and _under(note.rel, goals_dir):
            goal_notes.append(note)
        elif contacts_dir == "" or _under(note.rel, contacts_dir):
            contact_notes.append(note)
        else:
            other_notes.append(note)

    contacts = [build_contact(n, config, REGISTRY, findings) for n in contact_notes]
    index = NameIndex()
    for i, contact in enumerate(contacts):
        clash = index.add(contact_keys(contact), i)
        if clash is not None:
            first = contacts[index.keys[fold(clash)]]
            findings.append(
                Finding(
                    "duplicate-contact",
                    path=contact.path,
                    contact=contact.name,
                    data={"key": clash, "other": first.path},
                )
            )
    goals = [build_goal(n, findings) for n in goal_notes]
    goal_keys: set[str] = set()
    for goal in goals:
        goal_keys.add(fold(goal.title))
        goal_keys.add(fold(goal.path.rsplit("/", 1)[-1][:-3]))
    for contact, note in zip(contacts, contact_notes, strict=True):
        for goal_name in contact.goals:
            if fold(goal_name) not in goal_keys:
                findings.append(
                    Finding(
                        "unknown-goal",
                        path=contact.path,
                        line=note.key_lines.get("goals"),
                        contact=contact.name,
                        data={"goal": goal_name},
                    )
                )

    # Per contact: its own file's entries (already in line order, and first by priority),
    # then (path, line, seq, item) from elsewhere, sorted below. Classifying per distinct
    # (kind, tags) and building records without the frozen __setattr__ matter at 100,000
    # entries; the result is the same as one sort over everything.
    own: list[list[Interaction]] = [[] for _ in contacts]
    elsewhere: list[list[tuple[str, int, int, Interaction]]] = [[] for _ in contacts]
    tasks: list[list[Task]] = [[] for _ in contacts]
    classified: dict[tuple[str | None, tuple[str, ...]], tuple[str, bool, bool]] = {}
    make_interaction = record_builder(Interaction)
    # The same link text recurs across the vault: fold and look it up once per run.
    resolved: dict[str, int | None] = {}
    keys_get = index.keys.get

    def lookup(link: str) -> int | None:
        if link in resolved:
            return resolved[link]
        hit = resolved[link] = keys_get(fold(link))
        return hit

    def interaction(
        date: dt.date, kind: str | None, tags: tuple[str, ...], text: str, path: str,
        line: int | None,
    ) -> Interaction:
        flags = classified.get((kind, tags))
        if flags is None:
            flags = classified[(kind, tags)] = classify(kind, tags, vocabulary)
        return make_interaction(date, kind, *flags, text, path, line)

    def resolve(links: Iterable[str]) -> set[int]:
        found = set()
        for link in links:
            hit = lookup(link)
            if hit is not None:
                found.add(hit)
        return found

    def add_elsewhere(targets: Iterable[int], path: str, line: int, item: Interaction) -> None:
        for target in targets:
            bucket = elsewhere[target]
            bucket.append((path, line, len(bucket), item))

    def add_entries(note: ParsedNote, owner: int | None) -> None:
        path = note.rel
        for entry in note.body.entries:
            links = entry.links
            targets = resolve(links) if links else None
            if owner is None and not targets:
                continue
            # interaction(), inlined: this runs once per log entry of the vault.
            kind, tags = entry.kind, entry.tags
            flags = classified.get((kind, tags))
            if flags is None:
                flags = classified[(kind, tags)] = classify(kind, tags, vocabulary)
            item = make_interaction(entry.date, kind, *flags, entry.text, path, entry.line)
            if owner is not None:
                own[owner].append(item)
                if targets:
                    targets.discard(owner)
            if targets:
                add_elsewhere(targets, path, entry.line, item)
        for task in note.body.tasks:
            if task.due is None:
                continue
            task_targets = resolve(task.links)
            if owner is not None:
                task_targets.add(owner)
            for target in task_targets:
                tasks[target].append(Task(task.due, task.text, path, task.line))

    for i, note in enumerate(contact_notes):
        add_entries(note, i)
    for note in goal_notes:
        add_entries(note, None)
    for note in other_notes:
        add_entries(note, None)
        note_date = _note_date(note)
        if note_date is None:
            continue
        for link_line in note.body.link_lines:
            targets = resolve(link_line.links)
            if not targets:
                continue
            item = interaction(note_date, link_line.kind, link_line.tags, link_line.text,
                               note.rel, link_line.line)
            add_elsewhere(targets, note.rel, link_line.line, item)

    final: list[Contact] = []
    for i, contact in enumerate(contacts):
        candidates = own[i]
        others = elsewhere[i]
        if others:
            others.sort()
            candidates = candidates + [entry[3] for entry in others]
        # The same (date, direction) found in several places is one interaction: the
        # contact's own file first, then the others in path and line order.
        seen: set[tuple[dt.date, str]] = set()
        items: list[Interaction] = []
        for item in candidates:
            key = (item.date, item.direction)
            if key not in seen:
                seen.add(key)
                items.append(item)
        met = contact.met
        if met is not None:
            for item in items:
                if item.date == met:
                    break
            else:
                items.append(interaction(met, "met", (), contact.met_at or "", contact.path, None))
        items.sort(key=_BY_DATE_PATH_LINE)
        # The contact was built above and is not shared yet: completing it in place
        # spares a copy of every contact (dataclasses.replace).
        object.__setattr__(contact, "interactions", tuple(items))
        object.__setattr__(
            contact, "tasks", tuple(sorted(tasks[i], key=lambda t: (t.due, t.path, t.line)))
        )
        final.append(contact)
    return Vault(
        root=root,
        config=config,
        contacts=tuple(final),
        goals=tuple(goals),
        notes=sum(1 for note in parsed if not note.skipped),
        findings=tuple(findings),
    )


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
    with _gc_paused():
        notes = walk(root, config, findings)
        if cache is False:
            parsed = list(iter_parsed(notes, progress))
        else:
            from netzmd.cache import ParseCache

            store = cache if isinstance(cache, ParseCache) else ParseCache(root)
            if store.root != root:
                raise ValueError(f"parse cache of {store.root} used for {root}")
            parsed = store.parse(notes, progress)
        return assemble(root, config, parsed, findings)
