"""Which imported people become contact files, what those files say, and the summary.

A person is skipped when the vault or an earlier row of the same file already has
them: the same LinkedIn profile, the same e-mail address or the same name key (the
name, file name and aliases of every contact, folded as links are). The new files go
through `writer.create`, which never overwrites.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netzmd.io import Person, Source, Unreadable, one_line
from netzmd.log import fold, parse_line
from netzmd.vault import NameIndex, contact_keys

if TYPE_CHECKING:
    from netzmd.model import Vault
    from netzmd.writer import WriteRefused

__all__ = [
    "Outcome",
    "Planned",
    "bare_name",
    "email_key",
    "format_text",
    "linkedin_key",
    "plan_import",
    "render_contact",
    "run_import",
    "yaml_string",
]

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})")
_BULLET = re.compile(r"^([ \t]*)([-*+])")
# Titles written without a dot (those with one, `Dr.`, `Prof.`, `med.`, are dropped anyway).
_TITLE_WORDS = frozenset({"dr", "prof", "pd", "priv-doz", "dipl", "mag"})


# ---------------------------------------------------------------- identity


def linkedin_key(url: str) -> str | None:
    """A profile URL as compared: lower-case, without scheme, `www.`, query, fragment and
    trailing slashes, so `https://www.linkedin.com/in/anna/?trk=x` and
    `linkedin.com/in/Anna` are the same person."""
    text = url.strip().lower()
    text = text.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    text = _SCHEME.sub("", text).removeprefix("www.")
    return text or None


def email_key(email: str) -> str | None:
    text = email.strip().removeprefix("mailto:").removeprefix("MAILTO:").strip()
    return fold(text) or None


def _field_texts(fields: dict[str, Any], key: str) -> list[str]:
    value = fields.get(key)
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def bare_name(name: str) -> str | None:
    """The name without leading titles and a trailing `, suffix`, if two words are left.

    Address books write `Dr. Leyla Yılmaz`, LinkedIn `Leyla Yılmaz` or `Thomas Becker,
    MBA`: for the import they are the same person.
    """
    words = name.split(",", 1)[0].split()
    while words and (words[0].endswith(".") or fold(words[0]) in _TITLE_WORDS):
        words.pop(0)
    return fold(" ".join(words)) if len(words) >= 2 else None


class _Known:
    """Who is already there: profile URLs, e-mail addresses and name keys."""

    def __init__(self) -> None:
        self.profiles: set[str] = set()
        self.emails: set[str] = set()
        self.names = NameIndex()
        self.bare_names: set[str] = set()
        self.files: set[str] = set()

    def add(self, names: Iterable[str], profiles: Iterable[str], emails: Iterable[str],
            files: Iterable[str]) -> None:
        names = list(names)
        self.names.add(names, 0)
        self.bare_names.update(k for k in (bare_name(n) for n in names) if k)
        self.profiles.update(k for k in (linkedin_key(p) for p in profiles) if k)
        self.emails.update(k for k in (email_key(e) for e in emails) if k)
        self.files.update(fold(f) for f in files)

    def has(self, person: Person, rel: str) -> bool:
        profile = linkedin_key(person.linkedin) if person.linkedin else None
        email = email_key(person.email) if person.email else None
        bare = bare_name(person.name)
        return bool(
            (profile and profile in self.profiles)
            or (email and email in self.emails)
            or self.names.get(person.name) is not None
            or (bare and bare in self.bare_names)
            or fold(rel) in self.files
        )


def _vault_known(vault: Vault) -> _Known:
    known = _Known()
    for contact in vault.contacts:
        known.add(
            contact_keys(contact),
            # A LinkedIn profile kept under `url` is the same profile.
            _field_texts(contact.fields, "linkedin") + _field_texts(contact.fields, "url"),
            _field_texts(contact.fields, "email"),
            [contact.path],
        )
    return known


# ---------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class Planned:
    """A contact file to create: who, where (vault-relative), and its text."""

    person: Person
    rel: str
    text: str


@dataclass
class Outcome:
    """What an import did (or, with --dry-run, would do)."""

    created: list[Planned] = field(default_factory=list)
    existing: int = 0
    duplicates: int = 0
    no_name: int = 0
    unreadable: tuple[Unreadable, ...] = ()
    refused: list[tuple[Planned, WriteRefused]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The summary of SPEC 4.4: `{"created": [names], "existing": n, ...}`."""
        return {
            "created": [item.person.name for item in self.created],
            "existing": self.existing,
            "duplicates": self.duplicates,
            "no_name": self.no_name,
            "unreadable": len(self.unreadable),
        }


def _contacts_folder(vault: Vault) -> str:
    folder = vault.config.contacts.strip().strip("/")
    return "" if folder in ("", ".") else folder


def plan_import(vault: Vault, source: Source) -> tuple[list[Planned], Outcome]:
    """The files to create, and the counts of everything skipped; writes nothing."""
    from netzmd.writer import WriteRefused, safe_filename

    outcome = Outcome(unreadable=source.unreadable)
    in_vault = _vault_known(vault)
    in_file = _Known()
    folder = _contacts_folder(vault)
    planned: list[Planned] = []
    for person in source.people:
        name = one_line(person.name)
        try:
            stem = safe_filename(name) if name else ""
        except WriteRefused:
            stem = ""
        if not stem:
            outcome.no_name += 1
            continue
        person = _cleaned(person, name)
        rel = f"{folder}/{stem}.md" if folder else f"{stem}.md"
        if in_vault.has(person, rel) or os.path.lexists(vault.root / rel):
            outcome.existing += 1
        elif in_file.has(person, rel):
            outcome.duplicates += 1
        else:
            planned.append(Planned(person, rel, render_contact(person)))
        in_file.add([name], [person.linkedin or ""], [person.email or ""], [rel])
    return planned, outcome


def _cleaned(person: Person, name: str) -> Person:
    from dataclasses import replace

    def clean(value: str | None) -> str | None:
        return (one_line(value) or None) if value is not None else None

    return replace(
        person, name=name, organisation=clean(person.organisation), role=clean(person.role),
        email=clean(person.email), phone=clean(person.phone), linkedin=clean(person.linkedin),
        url=clean(person.url), birthday=clean(person.birthday),
    )


def run_import(vault: Vault, source: Source, dry_run: bool = False,
               progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Plan the import and, unless dry_run, create the files.

    A file that appeared since the vault was loaded counts as existing; any other
    refusal is kept in `refused` and the rest go on. `progress(done, total)` is called
    after each file (each one is fsynced, which adds up over thousands of connections).
    """
    from netzmd.writer import WriteRefused, create

    planned, outcome = plan_import(vault, source)
    if dry_run:
        outcome.created = planned
        return outcome
    for done, item in enumerate(planned, 1):
        try:
            create(vault.root, item.rel, item.text)
        except WriteRefused as err:
            if err.key == "exists":
                outcome.existing += 1
            else:
                outcome.refused.append((item, err))
        else:
            outcome.created.append(item)
        if progress is not None:
            progress(done, len(planned))
    return outcome


# ---------------------------------------------------------------- the contact file


def _yaml_printable(ch: str) -> bool:
    """Whether YAML allows ch unescaped inside a double-quoted scalar on one line."""
    code = ord(ch)
    if code < 0x80:
        return 0x20 <= code < 0x7F
    if code in (0x2028, 0x2029, 0xFEFF):
        return False  # line breaks for YAML, and a BOM mid-stream
    return 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000


def yaml_string(value: str) -> str:
    """A double-quoted YAML scalar that loads back as exactly `value`.

    JSON's string syntax is valid YAML; what JSON leaves raw but YAML would fold or
    refuse (DEL, C1 controls, U+2028/2029, a BOM, U+FFFE/FFFF) is escaped as well.
    """
    text = json.dumps(value, ensure_ascii=False)
    return "".join(ch if _yaml_printable(ch) else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_FIELDS = ("organisation", "role", "email", "phone", "linkedin", "url", "birthday")


def render_contact(person: Person) -> str:
    """The new contact file: front matter, the note as body, an empty `## Log` section."""
    lines = ["---", f"name: {yaml_string(one_line(person.name))}"]
    for key in _FIELDS:
        value = getattr(person, key)
        if value and one_line(value):
            lines.append(f"{key}: {yaml_string(one_line(value))}")
    if person.met is not None:
        lines.append(f"met: {person.met.isoformat()}")
    lines += ["circle: loose", "---", ""]
    body = note_lines(person.note or "")
    if body:
        lines += [*body, ""]
    lines.append("## Log")
    return "\n".join(lines) + "\n"


def note_lines(note: str) -> list[str]:
    """The note as body lines that netzmd reads as plain text.

    A note is text, not a log: a line that would read as a log entry, an open task or a
    bad date, a code fence (which would hide every later entry) and an HTML comment
    opener are escaped with a Markdown backslash, so they look the same in Obsidian.
    """
    out: list[str] = []
    for raw in note.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = "".join(
            " " if (unicodedata.category(ch) in ("Cc", "Cs") and ch != "\t")
            or ch in "\u2028\u2029\ufeff\ufffe\uffff" else ch
            for ch in raw
        ).rstrip()
        line = line.replace("<!--", "<\\!--")
        if parse_line(line) is not None:
            line = _BULLET.sub(r"\1\\\2", line, count=1)
        elif fence := _FENCE.match(line):
            line = fence.group(1) + "\\" + line[len(fence.group(1)):]
        out.append(line)
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return out


# ---------------------------------------------------------------- reporting


def unreadable_message(item: Unreadable, shown: str, lang: str) -> str:
    from netzmd.locale import t

    return t("import", item.reason, lang, file=shown, line=item.line, card=item.card,
             detail=item.detail)


def format_text(outcome: Outcome, shown: str, lang: str, dry_run: bool, quiet: bool = False
                ) -> list[str]:
    """The text report: unreadable positions, the files (to be) created, the summary."""
    from netzmd.locale import t

    lines = [unreadable_message(item, shown, lang) for item in outcome.unreadable]
    if quiet:
        return lines
    verb = "would-create" if dry_run else "created"
    lines += [t("import", verb, lang, path=item.rel) for item in outcome.created]
    counts = outcome.as_json()
    counts["created"] = len(outcome.created)
    lines.append(t("import", "summary-dry" if dry_run else "summary", lang, **counts))
    return lines
