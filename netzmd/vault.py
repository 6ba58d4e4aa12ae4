"""load_vault: the only reader of files. Every bad input becomes a Finding."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netzmd.cadence import parse_cadence
from netzmd.config import CIRCLES, CONFIG_FILE, Config, load_config
from netzmd.findings import Finding
from netzmd.frontmatter import decode, parse_document_lines, split_lines
from netzmd.log import Body, Entry, LinkLine, Vocabulary, classify, fold, parse_body
from netzmd.model import Birthday, Contact, Goal, Interaction, Task, Vault

MAX_FILE_SIZE = 2 * 1024 * 1024

_EDITOR_TEMP = re.compile(r"(\.swp|~|___jb_\w*___)$|^4913$|^\.goutputstream-|___jb_")
_CONFLICT = re.compile(r"\.sync-conflict-|\((?:C|c)onflicted copy")
_DATED_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_MONTH_DAY = re.compile(r"^(?:--)?(\d{2})-(\d{2})$")
_GERMAN_MONTH_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?$")
_LINK = re.compile(r"^\s*\[\[([^\]|#]*)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]\s*$")


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
            notes.append(NoteFile(rel, entry.path, stat.st_size, stat.st_mtime_ns))
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
    return ParsedNote(rel, doc.fields, doc.key_lines, body, tuple(findings))


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
    """A front-matter date: a YAML date or `DD.MM.YYYY`."""
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
            return dt.date.fromisoformat(text)
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


def build_contact(
    note: ParsedNote, config: Config, rule_ids: Iterable[str], findings: list[Finding]
) -> Contact:
    """Validate a contact's fields; each wrong one becomes `bad-field` and counts as absent."""
    fields = note.fields
    stem = note.rel.rsplit("/", 1)[-1][:-3]
    values: dict[str, Any] = {}
    known_rules = set(rule_ids)

    def bad(key: str, expected: str) -> None:
        findings.append(
            Finding(
                "bad-field",
                path=note.rel,
                line=note.key_lines.get(key),
                data={"field": key, "value": _shown(fields.get(key)), "expected": expected},
            )
        )

    def take(key: str, convert: Any, expected: str) -> None:
        if key not in fields or fields[key] is None:
            return
        try:
            values[key] = convert(fields[key])
        except (_BadField, ValueError, TypeError):
            bad(key, expected)

    take("name", _text, "text")
    for key in _CONTACT_TEXT:
        take(key, _text, "text")
    for key in ("aliases", "interests", "tags"):
        take(key, _text_list, "list")
    take("goals", lambda v: tuple(link_target(t) for t in _text_list(v)), "list")
    take("met", parse_date, "date")
    take("snooze_until", parse_date, "date")
    take("birthday", parse_birthday, "birthday")
    take("circle", lambda v: _choice(v, CIRCLES), "circle")
    take("status", lambda v: _choice(v, ("active", "archived")), "status")
    take("cadence", parse_cadence, "cadence")
    take("netzmd_ignore", lambda v: _rule_ids(v, known_rules), "rules")
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


def _shown(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
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
        findings.append(
            Finding(
                "bad-field",
                path=note.rel,
                line=note.key_lines.get(key),
                data={"field": key, "value": _shown(fields.get(key)), "expected": expected},
            )
        )

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
            match = {str(k): _text(v) for k, v in raw_match.items()}
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


@dataclass
class _Pending:
    contact: int
    priority: int  # 0: the contact's own file, 1: elsewhere
    interaction: Interaction


def _interaction(
    date: dt.date, kind: str | None, tags: Iterable[str], text: str, path: str, line: int | None,
    vocabulary: Vocabulary,
) -> Interaction:
    direction, personal, career = classify(kind, tags, vocabulary)
    return Interaction(date, kind, direction, personal, career, text, path, line)


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

    pending: list[_Pending] = []
    tasks: list[list[Task]] = [[] for _ in contacts]

    def resolve(links: Iterable[str]) -> set[int]:
        found = set()
        for link in links:
            hit = index.get(link)
            if hit is not None:
                found.add(hit)
        return found

    def add_entries(note: ParsedNote, owner: int | None) -> None:
        for entry in note.body.entries:
            targets = resolve(entry.links)
            if owner is not None:
                targets.add(owner)
            if not targets:
                continue
            item = _entry_interaction(entry, note.rel, vocabulary)
            for target in targets:
                pending.append(_Pending(target, 0 if target == owner else 1, item))
        for task in note.body.tasks:
            if task.due is None:
                continue
            targets = resolve(task.links)
            if owner is not None:
                targets.add(owner)
            for target in targets:
                tasks[target].append(Task(task.due, task.text, note.rel, task.line))

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
            item = _link_line_interaction(link_line, note_date, note.rel, vocabulary)
            for target in targets:
                pending.append(_Pending(target, 1, item))

    pending.sort(key=lambda p: (p.contact, p.priority, p.interaction.path, p.interaction.line or 0))
    per_contact: list[list[Interaction]] = [[] for _ in contacts]
    seen: set[tuple[int, dt.date, str]] = set()
    for p in pending:
        key = (p.contact, p.interaction.date, p.interaction.direction)
        if key in seen:
            continue
        seen.add(key)
        per_contact[p.contact].append(p.interaction)

    final: list[Contact] = []
    for i, contact in enumerate(contacts):
        items = per_contact[i]
        met = contact.met
        if met is not None and all(item.date != met for item in items):
            items.append(
                _interaction(met, "met", (), contact.met_at or "", contact.path, None, vocabulary)
            )
        items.sort(key=lambda it: (it.date, it.path, it.line or 0))
        final.append(
            _replace_contact(
                contact,
                tuple(items),
                tuple(sorted(tasks[i], key=lambda t: (t.due, t.path, t.line))),
            )
        )
    return Vault(
        root=root,
        config=config,
        contacts=tuple(final),
        goals=tuple(goals),
        notes=sum(1 for note in parsed if not note.skipped),
        findings=tuple(findings),
    )


def _entry_interaction(entry: Entry, path: str, vocabulary: Vocabulary) -> Interaction:
    return _interaction(
        entry.date, entry.kind, entry.tags, entry.text, path, entry.line, vocabulary
    )


def _link_line_interaction(
    link_line: LinkLine, date: dt.date, path: str, vocabulary: Vocabulary
) -> Interaction:
    return _interaction(
        date, link_line.kind, link_line.tags, link_line.text, path, link_line.line, vocabulary
    )


def _replace_contact(
    contact: Contact, interactions: tuple[Interaction, ...], tasks: tuple[Task, ...]
) -> Contact:
    from dataclasses import replace

    return replace(contact, interactions=interactions, tasks=tasks)


def iter_parsed(notes: list[NoteFile]) -> Iterator[ParsedNote]:
    for note in notes:
        yield read_note(note)


def load_vault(path: str | Path, config: Config | None = None) -> Vault:
    """Load a vault folder: config, notes, contacts, goals, interactions, loader findings.

    Raises ConfigError for an invalid netzmd.toml and VaultError for a missing folder;
    everything wrong inside a note is a Finding in `vault.findings`.
    """
    root = Path(path)
    if not root.is_dir():
        raise VaultError(f"vault not found: {root}")
    root = root.resolve()
    if config is None:
        config = load_config(root)
    findings: list[Finding] = []
    notes = walk(root, config, findings)
    parsed = list(iter_parsed(notes))
    return assemble(root, config, parsed, findings)
