"""Cross-file work: note records become contacts, goals and interactions.

Two stages, so that the expensive one is per file and can be cached:

- `note_record(parsed)`: everything one note says, as plain data (dates as ordinals), with
  its contact fields validated as if it were a contact. Independent of every other file and
  of `netzmd.toml`; this is what the parse cache stores and what parse workers send back.
- `Assembly`: which notes are contacts and goals (by the configured folders), the name
  index and duplicates, link resolution, each contact's interactions (de-duplicated, in date
  order) and tasks, the loader findings. Recomputed on every run (SPEC 6, issue 8).

Watch mode keeps one `Assembly` and calls `update()` with the notes that changed: only the
contacts those notes touch (before and after the change) are built again; every other
`Contact` stays the very same object, which lets the rules and the digest reuse their work
for it. A change that can move names or goals (a contact created, deleted or renamed, its
name or aliases edited, any goal note) rebuilds everything, as `build()` does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from netzmd.config import Config
from netzmd.findings import Finding
from netzmd.log import classify, fold
from netzmd.model import Birthday, Contact, Goal, Interaction, Task, Vault
from netzmd.records import record_builder
from netzmd.vault import (
    ContactValues,
    NameIndex,
    ParsedNote,
    _norm_folder,
    _note_date,
    _under,
    build_goal,
    contact_values,
)

# (ordinal, kind, tags, text, line, links)
EntryRecord = tuple[int, str | None, tuple[str, ...], str, int, tuple[str, ...]]
# (due ordinal, text, line, links): only tasks with a due date
TaskRecord = tuple[int, str, int, tuple[str, ...]]
# (line, kind, tags, text, links)
LinkRecord = tuple[int, str | None, tuple[str, ...], str, tuple[str, ...]]
# (rule, line, data) of a finding at this note's path
FindingRecord = tuple[str, int | None, dict[str, Any]]


class NoteRecord(NamedTuple):
    """What one note says, as plain data: the unit of the parse cache.

    Only `fields` holds values marshal cannot (dates): the cache encodes those itself.
    """

    fields: dict[str, Any]
    key_lines: dict[str, int]
    contact: ContactValues
    bad_fields: tuple[tuple[str, int | None, Any, str], ...]
    note_date: int | None
    entries: tuple[EntryRecord, ...]
    tasks: tuple[TaskRecord, ...]
    link_lines: tuple[LinkRecord, ...]
    findings: tuple[FindingRecord, ...]
    skipped: bool


def note_record(note: ParsedNote) -> NoteRecord:
    """The record of a parsed note (see the module docstring)."""
    from netzmd.rules import REGISTRY

    body = note.body
    contact, bad = contact_values(note, REGISTRY)
    note_date = _note_date(note)
    return NoteRecord(
        note.fields,
        note.key_lines,
        contact,
        bad,
        None if note_date is None else note_date.toordinal(),
        tuple([(e.date.toordinal(), e.kind, e.tags, e.text, e.line, e.links)
               for e in body.entries]),
        tuple([(t.due.toordinal(), t.text, t.line, t.links)
               for t in body.tasks if t.due is not None]),
        tuple([(k.line, k.kind, k.tags, k.text, k.links) for k in body.link_lines]),
        tuple([(f.rule, f.line, f.data) for f in note.findings]),
        note.skipped,
    )


# Interactions in (date, path, line) order. Only the `met` interaction has no line, and it
# is added only when no other interaction has its date, so None is never compared.
# (Interaction fields 0, 6, 7.)
_BY_DATE_PATH_LINE: Callable[[Interaction], Any] = itemgetter(0, 6, 7)
_BY_DATE: Callable[[Interaction], Any] = itemgetter(0)
_LINE = itemgetter(7)
_BY_DUE_PATH_LINE = attrgetter("due", "path", "line")
_new_tuple = tuple.__new__
_make_contact = record_builder(Contact)

CONTACT, GOAL, OTHER = "contact", "goal", "other"


class Assembly:
    """The cross-file state of one vault; `build()` once, then `update()` per change."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self._contacts_dir = _norm_folder(config.contacts)
        self._goals_dir = _norm_folder(config.goals)
        self._dates: dict[int, dt.date] = {}
        self._classified: dict[tuple[str | None, tuple[str, ...]], tuple[str, bool, bool]] = {}
        self._reset()

    def _reset(self) -> None:
        self._records: dict[str, NoteRecord] = {}
        self._walk_findings: tuple[Finding, ...] = ()
        self._note_findings: dict[str, list[Finding]] = {}
        self._rels: list[str] = []                       # contact paths, in path order
        self._index_of: dict[str, int] = {}
        self._base: list[tuple[Any, ...]] = []           # Contact fields before interactions
        self._own: list[list[Interaction]] = []
        self._bad: list[list[Finding]] = []
        self._unknown: list[list[Finding]] = []
        self._incoming: list[set[str]] = []              # other notes that link the contact
        self._out: dict[str, dict[int, list[Interaction]]] = {}
        self._task_out: dict[str, dict[int, list[Task]]] = {}
        self._keys: dict[str, int] = {}                  # folded name key -> contact index
        self._resolved: dict[str, int | None] = {}
        self._duplicates: list[Finding] = []
        self._goals: list[Goal] = []
        self._goal_findings: list[Finding] = []
        self._goal_keys: set[str] = set()
        self._contacts: list[Contact] = []

    # ------------------------------------------------------------ public

    def build(
        self, records: Mapping[str, NoteRecord], walk_findings: Sequence[Finding] = ()
    ) -> Vault:
        """Assemble the vault from every note's record (in path order: the first file wins
        a name)."""
        self._reset()
        self._records = dict(records)
        self._walk_findings = tuple(walk_findings)
        contact_rels: list[str] = []
        goal_rels: list[str] = []
        other_rels: list[str] = []
        for rel, record in self._records.items():
            if record.findings:
                self._note_findings[rel] = self._file_findings(rel, record)
            kind = self._kind(rel, record)
            if kind is CONTACT:
                contact_rels.append(rel)
            elif kind is GOAL:
                goal_rels.append(rel)
            elif kind is OTHER:
                other_rels.append(rel)

        self._rels = contact_rels
        self._index_of = {rel: i for i, rel in enumerate(contact_rels)}
        count = len(contact_rels)
        self._incoming = [set() for _ in range(count)]
        self._unknown = [[] for _ in range(count)]
        for rel in contact_rels:
            base, bad = self._contact_base(rel, self._records[rel])
            self._base.append(base)
            self._bad.append(bad)
        self._index_names()
        for rel in goal_rels:
            record = self._records[rel]
            self._goals.append(build_goal(_as_note(rel, record), self._goal_findings))
        for goal in self._goals:
            self._goal_keys.add(fold(goal.title))
            self._goal_keys.add(fold(goal.path.rsplit("/", 1)[-1][:-3]))
        for i in range(count):
            self._unknown[i] = self._unknown_goals(i)

        for i, rel in enumerate(contact_rels):
            self._own.append(self._contribute(rel, self._records[rel], i))
        for rel in goal_rels:
            self._contribute(rel, self._records[rel], None)
        for rel in other_rels:
            self._contribute(rel, self._records[rel], None, dated_links=True)
        self._contacts = [self._final(i) for i in range(count)]
        return self._vault()

    def update(
        self, changed: Mapping[str, NoteRecord | None], walk_findings: Sequence[Finding] = ()
    ) -> Vault:
        """The vault after `changed` (path -> new record, None: deleted) took effect.

        Builds again only the contacts the changed notes touch; see the module docstring
        for what rebuilds everything.
        """
        if self._needs_rebuild(changed):
            records = dict(self._records)
            for rel, record in changed.items():
                if record is None:
                    records.pop(rel, None)
                else:
                    records[rel] = record
            return self.build(dict(sorted(records.items())), walk_findings)
        self._walk_findings = tuple(walk_findings)
        affected: set[int] = set()
        resort = False
        for rel, record in changed.items():
            affected.update(self._withdraw(rel))
            self._note_findings.pop(rel, None)
            if record is None:
                self._records.pop(rel, None)
                continue
            if rel not in self._records:
                resort = True
            self._records[rel] = record
            if record.findings:
                self._note_findings[rel] = self._file_findings(rel, record)
            index = self._index_of.get(rel)
            if index is not None:
                self._base[index], self._bad[index] = self._contact_base(rel, record)
                self._unknown[index] = self._unknown_goals(index)
                self._own[index] = self._contribute(rel, record, index)
                affected.add(index)
            elif self._kind(rel, record) is OTHER:
                self._contribute(rel, record, None, dated_links=True)
            affected.update(self._out.get(rel, ()))
            affected.update(self._task_out.get(rel, ()))
        if resort:
            self._records = dict(sorted(self._records.items()))
        # The loader's findings stay in path order, whatever came and went.
        found = self._note_findings
        self._note_findings = {rel: found[rel] for rel in self._records if rel in found}
        for i in affected:
            self._contacts[i] = self._final(i)
        return self._vault()

    # ------------------------------------------------------------ notes and contacts

    def _kind(self, rel: str, record: NoteRecord) -> str | None:
        if record.skipped:
            return None
        if self._goals_dir and _under(rel, self._goals_dir):
            return GOAL
        if self._contacts_dir == "" or _under(rel, self._contacts_dir):
            return CONTACT
        return OTHER

    def _needs_rebuild(self, changed: Mapping[str, NoteRecord | None]) -> bool:
        """Whether `changed` can move a name or a goal: then every link may resolve anew."""
        for rel, record in changed.items():
            old = self._records.get(rel)
            old_kind = None if old is None else self._kind(rel, old)
            new_kind = None if record is None else self._kind(rel, record)
            if GOAL in (old_kind, new_kind):
                return True
            if CONTACT in (old_kind, new_kind):
                if old_kind != new_kind or old is None or record is None:
                    return True
                # name and aliases: the file name is the same
                if old.contact[:2] != record.contact[:2]:
                    return True
        return False

    def _file_findings(self, rel: str, record: NoteRecord) -> list[Finding]:
        return [Finding(rule, path=rel, line=line, data=data)
                for rule, line, data in record.findings]

    def _date(self, ordinal: int) -> dt.date:
        date = self._dates.get(ordinal)
        if date is None:
            date = self._dates[ordinal] = dt.date.fromordinal(ordinal)
        return date

    def _contact_base(self, rel: str, record: NoteRecord) -> tuple[tuple[Any, ...], list[Finding]]:
        """The Contact's fields up to `ignore` (configuration applied), and its bad fields."""
        (name, aliases, role, organisation, specialty, circle, cadence, cadence_given, met,
         met_at, birthday, interests, goals, sector, snooze, status, tags, ignore) = record.contact
        if not cadence_given:
            cadence = self.config.cadence.get(circle or "", None)
        base = (
            name or rel.rsplit("/", 1)[-1][:-3], rel, record.fields, aliases, role,
            organisation, specialty, circle, cadence,
            None if met is None else self._date(met), met_at,
            None if birthday is None else Birthday(*birthday), interests, goals, sector,
            None if snooze is None else self._date(snooze), status, tags, frozenset(ignore),
        )
        bad = [
            Finding("bad-field", path=rel, line=line,
                    data={"field": key, "value": shown, "expected": expected})
            for key, line, shown, expected in record.bad_fields
        ]
        return base, bad

    def _index_names(self) -> None:
        """The name index (first file in path order wins a key) and `duplicate-contact`."""
        index = NameIndex()
        for i, base in enumerate(self._base):
            name, rel, aliases = base[0], base[1], base[3]
            clash = index.add((name, rel.rsplit("/", 1)[-1][:-3], *aliases), i)
            if clash is not None:
                first = self._base[index.keys[fold(clash)]]
                self._duplicates.append(Finding(
                    "duplicate-contact", path=rel, contact=name,
                    data={"key": clash, "other": first[1]}))
        self._keys = index.keys

    def _unknown_goals(self, i: int) -> list[Finding]:
        base = self._base[i]
        goals = base[13]
        if not goals:
            return []
        line = self._records[base[1]].key_lines.get("goals")
        return [
            Finding("unknown-goal", path=base[1], line=line, contact=base[0],
                    data={"goal": goal})
            for goal in goals if fold(goal) not in self._goal_keys
        ]

    # ------------------------------------------------------------ interactions

    def _resolve(self, links: Iterable[str]) -> set[int]:
        resolved = self._resolved
        found = set()
        for link in links:
            hit = resolved.get(link, -1)
            if hit == -1:
                hit = resolved[link] = self._keys.get(fold(link))
            if hit is not None:
                found.add(hit)
        return found

    def _contribute(self, rel: str, record: NoteRecord, owner: int | None,
                    dated_links: bool = False) -> list[Interaction]:
        """Register what the note says about contacts; return the owner's own interactions.

        Interactions for other contacts go to `_out[rel][target]` in line order, and `rel`
        into each target's `_incoming`. `dated_links`: lines that only link a contact count
        too (dated notes outside the contact and goal folders, SPEC 2.4).
        """
        entries = record.entries
        out: dict[int, list[Interaction]] = {}
        classified = self._classified
        flags_of = self._flags
        dates = self._dates
        date_of = self._date
        if owner is not None:
            # A contact's own log: every entry is its interaction. One comprehension
            # rather than a loop: this runs for most of the 100,000 entries of a large vault.
            own = [
                _new_tuple(Interaction, (
                    dates.get(ordinal) or date_of(ordinal), kind,
                    *(classified.get((kind, tags)) or flags_of(kind, tags)), text, rel, line))
                for ordinal, kind, tags, text, line, _ in entries
            ]
            for entry, item in zip(entries, own, strict=True):
                if entry[5]:
                    targets = self._resolve(entry[5])
                    targets.discard(owner)
                    for target in targets:
                        out.setdefault(target, []).append(item)
        else:
            own = []
            for ordinal, kind, tags, text, line, links in entries:
                if not links:
                    continue
                targets = self._resolve(links)
                if not targets:
                    continue
                linked: Interaction = _new_tuple(Interaction, (
                    dates.get(ordinal) or date_of(ordinal), kind,
                    *(classified.get((kind, tags)) or flags_of(kind, tags)), text, rel, line))
                for target in targets:
                    out.setdefault(target, []).append(linked)
        if dated_links and record.link_lines and record.note_date is not None:
            date = date_of(record.note_date)
            for line, kind, tags, text, links in record.link_lines:
                targets = self._resolve(links)
                if not targets:
                    continue
                item = _new_tuple(Interaction, (
                    date, kind, *(classified.get((kind, tags)) or flags_of(kind, tags)), text,
                    rel, line))
                for target in targets:
                    out.setdefault(target, []).append(item)
        tasks: dict[int, list[Task]] = {}
        for due, text, line, links in record.tasks:
            task_targets = self._resolve(links)
            if owner is not None:
                task_targets.add(owner)
            if task_targets:
                task = Task(date_of(due), text, rel, line)
                for target in task_targets:
                    tasks.setdefault(target, []).append(task)
        if out:
            for target, items in out.items():
                # Entries first, then link lines: in line order again (they never share one).
                items.sort(key=_LINE)
                self._incoming[target].add(rel)
            self._out[rel] = out
        if tasks:
            for target in tasks:
                self._incoming[target].add(rel)
            self._task_out[rel] = tasks
        return own

    def _flags(self, kind: str | None, tags: tuple[str, ...]) -> tuple[str, bool, bool]:
        """Direction, personal, career of a kind and its tags (once per pair and run)."""
        flags = self._classified[(kind, tags)] = classify(kind, tags, self.config.vocabulary)
        return flags

    def _withdraw(self, rel: str) -> set[int]:
        """Forget what the note said about other contacts; the contacts it said it about."""
        touched: set[int] = set()
        for part in (self._out.pop(rel, None), self._task_out.pop(rel, None)):
            if part:
                touched.update(part)
        for target in touched:
            self._incoming[target].discard(rel)
        return touched

    def _final(self, i: int) -> Contact:
        """Contact `i` with its interactions and tasks from every note that names it."""
        base = self._base[i]
        candidates = self._own[i]
        tasks: list[Task] = []
        incoming = self._incoming[i]
        order = _BY_DATE  # the own file's interactions are in line order already
        if incoming:
            others: list[Interaction] = []
            out, task_out = self._out, self._task_out
            for source in sorted(incoming):
                found = out.get(source)
                if found is not None and i in found:
                    others += found[i]
                found_tasks = task_out.get(source)
                if found_tasks is not None and i in found_tasks:
                    tasks += found_tasks[i]
            if others:
                candidates = candidates + others
                order = _BY_DATE_PATH_LINE
        # The same (date, direction) found in several places is one interaction: the
        # contact's own file first, then the others in path and line order.
        seen: set[tuple[dt.date, str]] = set()
        add = seen.add
        items = [item for item in candidates
                 if not ((key := (item[0], item[2])) in seen or add(key))]
        met = base[9]
        if met is not None and not any(item[0] == met for item in items):
            items.append(_new_tuple(Interaction, (
                met, "met", *(self._classified.get(("met", ())) or self._flags("met", ())),
                base[10] or "", base[1], None)))
        # Stable: equal dates keep their (path,) line order.
        items.sort(key=order)
        if len(tasks) > 1:
            tasks.sort(key=_BY_DUE_PATH_LINE)
        return _make_contact(*base, tuple(items), tuple(tasks))

    # ------------------------------------------------------------ the vault

    def _vault(self) -> Vault:
        findings = list(self._walk_findings)
        for part in self._note_findings.values():
            findings.extend(part)
        for part in self._bad:
            findings.extend(part)
        findings.extend(self._duplicates)
        findings.extend(self._goal_findings)
        for part in self._unknown:
            findings.extend(part)
        return Vault(
            root=self.root,
            config=self.config,
            contacts=tuple(self._contacts),
            goals=tuple(self._goals),
            notes=sum(1 for record in self._records.values() if not record.skipped),
            findings=tuple(findings),
        )


def _as_note(rel: str, record: NoteRecord) -> ParsedNote:
    """A goal note as `build_goal` reads it (fields and their lines only)."""
    from netzmd.log import Body

    return ParsedNote(rel, record.fields, record.key_lines, Body((), (), (), ()), ())
