"""The report context: the weekly digest, the quarterly review and the contact table.

`build_context` turns a loaded vault, its findings and a date into plain dicts and lists
(dates stay `datetime.date`; templates format them). Every built-in template and every
user template gets this one context; its fields are documented in `docs/templates.md`
and are stable (`version`).

Decisions where SPEC 5 is silent (recorded in docs/templates.md):
- "This week" candidates are active, not snoozed contacts with at least one
  relationship finding (`REASON_RULES`). Findings, not raw figures, decide: a rule that
  is switched off or listed in `netzmd_ignore` does not put a contact on the list.
- Everything but `contacts` (the full table) is about active contacts only.

Built for vaults of 10,000 contacts, whose digest `watch` renders after every edit. Each
contact's share (`_Part`: figures, counts, ranking, tasks, birthday) is worked out once per
build, or taken over from the previous build by a `DigestMemo`; its contact record and
finding records are made only when a section shows the contact, and shared by every
section that does. The large lists nobody may read (`contacts`, `findings`,
`quarter.contacts`, `charts`) are made on first read, and only the contacts chosen for
"this week" get their suggestion worked out. docs/architecture.md has the design.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import heapq
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from netzmd.config import Config
from netzmd.findings import Finding, Level
from netzmd.locale import finding_message, t
from netzmd.log import fold
from netzmd.model import Contact, Interaction, Task, Vault
from netzmd.relations import Figures, done, figures

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

    from netzmd.goals import GoalProgress
    from netzmd.rules.base import Context as RuleContext

CONTEXT_VERSION = 1

# Rules that are a reason to get in touch, most specific first: the first one a contact
# has picks the kind of suggestion (a planned step beats a generic "get back in touch").
REASON_RULES = (
    "task-overdue",
    "no-follow-up",
    "one-sided",
    "only-when-needed",
    "career-only",
    "no-personal-touch",
    "overdue",
)
# Shown as a reason for a contact already on the list, but no reason to put one there.
EXTRA_REASON_RULES = ("birthday",)
DATA_RULES = frozenset({
    "yaml-error", "encoding-error", "bad-field", "bad-date", "duplicate-contact",
    "unknown-goal", "conflict-copy", "file-too-large", "outside-vault", "future-date",
    "patient-data",
})

LAST_WEEK_DAYS = 7
CHART_MONTHS = 12
BALANCE_CHART_ROWS = 15

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
# The Tasks plugin's date markers (due, scheduled, start, done, created).
_TASK_DATE = re.compile(r"\s*[📅⏳🛫✅➕]\uFE0F?\s*\d{4}-\d{2}-\d{2}")
_WIKILINK = re.compile(r"!?\[\[([^\]|]*?)(?:\|([^\]]*))?\]\]")


# ---------------------------------------------------------------- weeks and quarters


def parse_week(text: str) -> tuple[int, int]:
    """`2026-W48` (or `2026W48`, `2026-w48`) → (2026, 48); ValueError if no such ISO week."""
    match = _WEEK.match(text.strip())
    if not match:
        raise ValueError(f"not an ISO week (YYYY-Www): {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None
    return year, week


def iso_week(day: dt.date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def reference_date(today: dt.date, week: tuple[int, int] | None) -> dt.date:
    """The day a digest is computed for: today in its own week, else that week's Monday.

    A digest for another week shows the vault as it stands when that week begins, so
    `--week` for a past week reproduces what its digest would have said on Monday.
    """
    if week is None or iso_week(today) == week:
        return today
    return dt.date.fromisocalendar(week[0], week[1], 1)


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end_month = first_month + 2
    next_start = dt.date(day.year + 1, 1, 1) if end_month == 12 else dt.date(
        day.year, end_month + 1, 1)
    return start, next_start - dt.timedelta(days=1)


def _month_starts(today: dt.date, count: int) -> list[dt.date]:
    months: list[dt.date] = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def default_path(config: Config, name: str, fmt: str, week: tuple[int, int]) -> str:
    """Where `-o` alone writes: the digest to `digest_path`, others to `<output>/NAME.FMT`.

    `{year}` and `{week}` are the zero-padded ISO year and week; a digest in another
    format swaps the pattern's `.md` for its own suffix.
    """
    if name == "digest":
        rel = (config.digest_path_pattern.replace("{year}", f"{week[0]:04d}")
               .replace("{week}", f"{week[1]:02d}"))
        return rel if fmt == "md" else rel.removesuffix(".md") + f".{fmt}"
    folder = config.output.strip().strip("/")
    return f"{name}.{fmt}" if folder in ("", ".") else f"{folder}/{name}.{fmt}"


def render_report(vault: Vault, name: str, today: dt.date, week: tuple[int, int] | None,
                  lang: str, fmt: str) -> tuple[str, tuple[int, int]]:
    """Report NAME for the week (default: today's) and the week it is for.

    The rules run as of `reference_date`; TemplateFailure for any template problem.
    """
    from netzmd.engine import RuleMemo, run_rules
    from netzmd.report import render

    day = reference_date(today, week)
    week = week or iso_week(day)
    # Kept for its rule context: the figures and goal progress are not computed twice.
    rules = RuleMemo()
    findings = run_rules(vault, day, lang=lang, memo=rules)
    context = build_context(vault, findings, day, week, lang, rules.context)
    return render(vault.root, name, context, fmt), week


# ---------------------------------------------------------------- helpers


def plain_text(text: str) -> str:
    """Text for reading: `[[Anna Keller|Anna]]` → `Anna`; Tasks plugin dates dropped."""
    text = _TASK_DATE.sub("", text)
    return _WIKILINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), text).strip()


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".md")


def _link(stem: str, name: str) -> str:
    """The Obsidian link target: the file stem, with `|name` when the name differs."""
    return stem if stem == name else f"{stem}|{name}"


def _rule_option(vault: Vault, rule_id: str, option: str, default: Any) -> Any:
    """A rule's configured option, or `default` while that rule does not exist."""
    from netzmd.engine import rule_options
    from netzmd.rules import REGISTRY

    rule = REGISTRY.get(rule_id)
    if rule is None:
        return default
    return rule_options(rule, vault).get(option, default)


# Front-matter values that `_plain` passes through unchanged; checked by exact type, as
# it is the common case by far (10,000 contacts with a dozen fields each).
_SCALARS = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})
_TEXT = frozenset({str})


def _plain(value: Any) -> Any:
    """Front-matter values as plain data for the sandbox (tuples become lists)."""
    # This runs for the fields of every contact and the data of every finding shown,
    # and nearly all keys are text and nearly all values scalars: those are copied in
    # one go, and only the other values converted.
    if type(value) is dict and _TEXT.issuperset(map(type, value)):
        result = value.copy()
        if not _SCALARS.issuperset(map(type, value.values())):
            for k, v in value.items():
                if type(v) not in _SCALARS:
                    result[k] = (list(v) if type(v) is list and _SCALARS.issuperset(map(type, v))
                                 else _plain(v))
        return result
    if isinstance(value, dict):
        return {k if type(k) is str else str(k): v if type(v) in _SCALARS else _plain(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        if _SCALARS.issuperset(map(type, value)):
            return list(value)
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    return value


# Scalars that are not dates: a message with only these reads as `netzmd check` wrote it.
_UNDATED = _SCALARS - {dt.date, dt.datetime}


def report_message(finding: Finding, lang: str) -> str:
    """The finding's message with dates written as reports write them (`Dec 10, 2026`).

    German reads the same as `netzmd check`; English swaps ISO dates for Babel's, so a
    reason reads like the dates around it.
    """
    values = finding.data.values()
    if _UNDATED.issuperset(map(type, values)) or not any(
            isinstance(v, dt.date) for v in values):
        return finding.message
    if _SCALARS.issuperset(map(type, values)):
        # `watch` renders the same thousands of findings again after every edit. Types
        # are part of the key: 1, 1.0 and True are equal but read differently.
        items = tuple(zip(finding.data, map(type, values), values, strict=True))
        return _dated_message(finding.rule, items, lang)
    return _fill_dated(finding.rule, finding.data, lang)


@functools.lru_cache(maxsize=32768)
def _dated_message(rule: str, items: tuple[tuple[str, type, Any], ...], lang: str) -> str:
    return _fill_dated(rule, {k: v for k, _, v in items}, lang)


def _fill_dated(rule: str, data: dict[str, Any], lang: str) -> str:
    from netzmd.report import babel_date

    shown = {k: babel_date(v, lang) if isinstance(v, dt.date) else v for k, v in data.items()}
    # The message depends on the rule and the data alone.
    return finding_message(Finding(rule, data=shown), lang)


_LABELS = {level: level.label for level in Level}


def finding_record(finding: Finding, lang: str) -> dict[str, Any]:
    """A finding as templates see it (top-level `findings`, a contact's, `problems`)."""
    return {
        "rule": finding.rule,
        "level": _LABELS[finding.level],
        "path": finding.path,
        "line": finding.line,
        "contact": finding.contact,
        "message": report_message(finding, lang),
        "data": _plain(finding.data),
    }


def findings_by_contact(vault: Vault, findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings per contact path; a finding in another file belongs to its named contact."""
    return _attribute(vault, findings)[0]


def _attribute(vault: Vault, findings: Iterable[Finding]
               ) -> tuple[dict[str, list[Finding]], dict[str, str]]:
    """`findings_by_contact`, and the first contact of each name (who owns the rest)."""
    contacts = vault.contacts
    by_path = {c.path for c in contacts}
    first_by_name: dict[str, str] | None = None  # most findings are in contact files
    result: dict[str, list[Finding]] = {}
    for finding in findings:
        owner: str | None = finding.path
        if owner not in by_path:
            if not finding.contact:
                continue
            if first_by_name is None:
                # Backwards, so that the first contact of a name is the one that stays.
                first_by_name = {c.name: c.path for c in reversed(contacts)}
            owner = first_by_name.get(finding.contact)
            if owner is None:
                continue
        own = result.get(owner)
        if own is None:
            result[owner] = [finding]
        else:
            own.append(finding)
    return result, first_by_name or {}


def contact_record(
    contact: Contact, fig: Figures, today: dt.date, quarter_interactions: int,
    findings: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything a template may show about one contact.

    `quarter_interactions` counts its done interactions in the quarter;
    `findings` are its finding records (`finding_record`), a list or a `LazyList`.
    """
    birthday = contact.birthday
    days_since, cadence = fig.days_since, fig.cadence_days
    overdue_days = (
        days_since - cadence if fig.overdue and days_since is not None and cadence else None
    )
    fields = contact.fields
    path, name = contact.path, contact.name
    stem = _stem(path)
    return {
        "name": name,
        "path": path,
        "stem": stem,
        "link": _link(stem, name),
        "aliases": list(contact.aliases) if contact.aliases else [],
        "role": contact.role,
        "organisation": contact.organisation,
        "specialty": contact.specialty,
        "circle": contact.circle,
        "sector": contact.sector,
        "status": contact.status,
        "active": contact.active,
        "snoozed": contact.snoozed(today),
        "snooze_until": contact.snooze_until,
        "met": contact.met,
        "met_at": contact.met_at,
        "birthday": birthday.iso() if birthday else None,
        "next_birthday": birthday.next_date(today) if birthday else None,
        "interests": list(contact.interests) if contact.interests else [],
        "tags": list(contact.tags) if contact.tags else [],
        "goals": list(contact.goals) if contact.goals else [],
        "email": _text_field(fields, "email"),
        "phone": _text_field(fields, "phone"),
        "linkedin": _text_field(fields, "linkedin"),
        "url": _text_field(fields, "url"),
        "cadence_days": cadence,
        "last": fig.last,
        "days_since": days_since,
        "due": fig.due,
        "overdue": fig.overdue,
        "overdue_days": overdue_days,
        "interactions": fig.interactions,
        "gives": fig.gives,
        "takes": fig.takes,
        "mutual": fig.mutual,
        "personal": fig.personal,
        "career": fig.career,
        "balance": fig.balance,
        "quarter_interactions": quarter_interactions,
        "open_tasks": len(contact.tasks),
        "findings": [] if findings is None else findings,
        "fields": _plain(fields),
    }


def _text_field(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if type(value) is str:  # the usual case, first
        return value
    return None if value is None or isinstance(value, dict | list) else str(value)


# ---------------------------------------------------------------- suggestions


# Per kind of suggestion, its variants and the contact facts each one needs. The first
# matching rule in REASON_RULES picks the kind; a stable hash of the name picks the
# variant, so the suggestion for a contact stays put from one run to the next but two
# contacts with the same problem get different ideas.
_VARIANTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "task": (("task", ("task",)),),
    "follow-up": (
        ("follow-up-met-at", ("met_at",)),
        ("follow-up-specialty", ("specialty",)),
        ("follow-up-plain", ()),
    ),
    "offer": (
        ("offer-article", ("specialty",)),
        ("offer-case-conference", ()),
        ("offer-event", ("specialty",)),
        ("offer-experience", ()),
    ),
    "their-work": (
        ("work-project", ("specialty",)),
        ("work-challenges", ()),
        ("work-interest", ("interest",)),
    ),
    "personal": (
        ("personal-breakfast", ()),
        ("personal-interest", ("interest",)),
        ("personal-everyday", ()),
    ),
    "reconnect": (
        ("reconnect-paper", ("specialty",)),
        ("reconnect-interest", ("interest",)),
        ("reconnect-event", ("specialty",)),
        ("reconnect-plain", ()),
    ),
    "introduce": (("introduce", ()),),
}
_KIND_OF_RULE = {
    "task-overdue": "task",
    "no-follow-up": "follow-up",
    "one-sided": "offer",
    "only-when-needed": "offer",
    "career-only": "their-work",
    "no-personal-touch": "personal",
    "overdue": "reconnect",
}
_PRINCIPLE_OF_KIND = {
    "task": "P3", "follow-up": "P3", "offer": "P2", "their-work": "P5", "personal": "P4",
    "reconnect": "P3", "introduce": "P1",
}


def _stable_hash(*parts: str) -> int:
    # crc32 rather than hash(): str hashes change with every interpreter run.
    return zlib.crc32("\x1f".join(fold(p) for p in parts).encode("utf-8"))


def suggestion(
    contact: Contact, fig: Figures, rules: Sequence[str], today: dt.date, lang: str
) -> dict[str, Any] | None:
    """One concrete next step for a contact, from its most specific finding."""
    rule = next((r for r in REASON_RULES if r in rules), None)
    if rule is None:
        return None
    kind = _KIND_OF_RULE[rule]
    if rule == "overdue" and fig.last is None:
        kind = "introduce"
    facts: dict[str, str] = {}
    if contact.specialty:
        facts["specialty"] = contact.specialty
    if contact.met_at:
        facts["met_at"] = contact.met_at
    if contact.interests:
        facts["interest"] = contact.interests[
            _stable_hash(contact.name, "interest") % len(contact.interests)]
    late = [task for task in contact.tasks if task.due < today]
    if late:
        facts["task"] = plain_text(late[0].text).rstrip(". ")
    variants = [key for key, needs in _VARIANTS[kind] if all(n in facts for n in needs)]
    if not variants:
        # A task-overdue finding always has its task; this guards user-configured oddities.
        kind, variants = "reconnect", ["reconnect-plain"]
    key = variants[_stable_hash(contact.name, kind) % len(variants)]
    return {
        "kind": kind,
        "key": key,
        "rule": rule,
        "principle": _PRINCIPLE_OF_KIND[kind],
        "text": t("suggest", key, lang, name=contact.name, **facts),
    }


# ---------------------------------------------------------------- the context


class LazyList(Sequence[Any]):
    """A list of the context that is made the first time a template (or caller) reads it.

    `contacts`, `findings` and `quarter.contacts` hold a record for nearly every contact
    of a large vault, and a contact's `findings` a record for each of its findings; the
    digest shows none of them, so they are made only when read. Reads like a list:
    iteration, `len`, indexing and slicing (a slice is a plain list), `in`, `==` with a
    list, `+`. Jinja's filters and tests (`length`, `sort`, `selectattr`, `is sequence`)
    see no difference.
    """

    __slots__ = ("_items", "_make")

    def __init__(self, make: Callable[[], list[Any]]) -> None:
        self._make: Callable[[], list[Any]] | None = make
        self._items: list[Any] | None = None

    def _list(self) -> list[Any]:
        if self._items is None:
            assert self._make is not None
            self._items, self._make = self._make(), None
        return self._items

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self._list()[index]

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._list())

    def __reversed__(self) -> Iterator[Any]:
        backwards: Iterator[Any] = reversed(self._list())
        return backwards

    def __contains__(self, value: object) -> bool:
        return value in self._list()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyList):
            other = other._list()
        return isinstance(other, list) and self._list() == other

    __hash__ = None  # type: ignore[assignment]  # equal to a list, so unhashable like one

    def __add__(self, other: Iterable[Any]) -> list[Any]:
        return self._list() + list(other)

    def __radd__(self, other: Iterable[Any]) -> list[Any]:
        return list(other) + self._list()

    def __repr__(self) -> str:
        return repr(self._list())


class LazyMapping(Mapping[str, Any]):
    """A mapping of the context whose values are made the first time they are read.

    `charts` is only drawn by the HTML reports; the Markdown digest never pays for it.
    """

    __slots__ = ("_made", "_makers")

    def __init__(self, makers: dict[str, Callable[[], Any]]) -> None:
        self._makers = makers
        self._made: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        try:
            return self._made[key]
        except KeyError:
            value = self._made[key] = self._makers[key]()
            return value

    def __len__(self) -> int:
        return len(self._makers)

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __repr__(self) -> str:
        return repr(dict(self))


class _Record(dict[str, Any]):
    """A contact record that knows its name, path, stem and link, and fills in the rest
    the first time anything else is read.

    The Markdown digest writes `[[link]]` for thousands of contacts and reads nothing
    else of nearly all of them; a whole record (forty fields, the front matter made
    plain) is the largest cost of a context. Every way of reading or changing a dict
    other than looking up a key it holds — another key, `get`, `in`, iteration, `len`,
    `==`, `keys`/`values`/`items`, copies, JSON, pickling, any change — fills it first,
    with its keys in the order of the whole record: it reads as the dict it stands for.
    """

    __slots__ = ("_fill",)

    def __init__(self, known: dict[str, Any], fill: Callable[[], dict[str, Any]]) -> None:
        super().__init__(known)
        self._fill: Callable[[], dict[str, Any]] | None = fill

    def _whole(self) -> dict[str, Any]:
        fill = self._fill
        if fill is not None:
            self._fill = None
            whole = fill()
            dict.clear(self)
            dict.update(self, whole)
        return self

    def __missing__(self, key: str) -> Any:
        if self._fill is None:
            raise KeyError(key)
        return self._whole()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return dict.get(self._whole(), key, default)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self._whole(), key)

    def __iter__(self) -> Iterator[str]:
        return dict.__iter__(self._whole())

    def __reversed__(self) -> Iterator[str]:
        return dict.__reversed__(self._whole())

    def __len__(self) -> int:
        return dict.__len__(self._whole())

    def keys(self) -> dict_keys[str, Any]:
        return dict.keys(self._whole())

    def values(self) -> dict_values[str, Any]:
        return dict.values(self._whole())

    def items(self) -> dict_items[str, Any]:
        return dict.items(self._whole())

    def copy(self) -> dict[str, Any]:
        return dict.copy(self._whole())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Record):
            other._whole()
        return dict.__eq__(self._whole(), other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __or__(self, other: Any) -> Any:
        return dict.__or__(self._whole(), other)

    def __ror__(self, other: Any) -> Any:
        return dict.__ror__(self._whole(), other)

    def __repr__(self) -> str:
        return dict.__repr__(self._whole())

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (dict(self._whole()),)

    def __setitem__(self, key: str, value: Any) -> None:
        dict.__setitem__(self._whole(), key, value)

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self._whole(), key)

    def __ior__(self, other: Any) -> _Record:  # type: ignore[override]
        dict.update(self._whole(), other)
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self._whole(), *args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return dict.setdefault(self._whole(), key, default)

    def pop(self, key: str, *default: Any) -> Any:
        return dict.pop(self._whole(), key, *default)

    def popitem(self) -> tuple[str, Any]:
        return dict.popitem(self._whole())

    def clear(self) -> None:
        self._fill = None
        dict.clear(self)


@dataclass(frozen=True, slots=True)
class _Day:
    """All a contact's share of the context depends on besides the contact and its findings.

    The day, the language, the week and the config, and what follows from them. Equal
    `_Day`s, the same Contact object and equal findings make the same share: that is
    what `DigestMemo` relies on.
    """

    today: dt.date
    lang: str
    week: tuple[int, int]
    config: Config
    week_end: dt.date  # Sunday
    quarter: tuple[dt.date, dt.date]
    first_month: dt.date  # of the month chart
    week_first: dt.date  # the first of the past 7 days
    recent_floor: dt.date  # the oldest date the quarter and the past 7 days count
    follow_up_days: int  # the no-follow-up rule's `within_days`
    birthday_days: int  # the birthday rule's `days`
    # (month, day) of every birthday that may fall within them (None: any may).
    birthdays: frozenset[tuple[int, int]] | None


class _Candidate(NamedTuple):
    """Why a contact is up for "this week", and its place in the ranking."""

    key: tuple[Any, ...]  # SPEC 5.1's order; the path makes it unique
    reasons: tuple[int, ...]  # positions in the part's findings, most specific first
    rules: tuple[str, ...]
    overdue_days: int
    urgency: float


_NO_MONTHS = (0,) * CHART_MONTHS


@dataclass(slots=True, eq=False)
class _Part:
    """One contact's share of the context: what depends on it alone (and on the `_Day`).

    Made for every contact, as the sections rank, count and filter by it. The contact
    record and the finding records, the costly part, are made when a section shows the
    contact (`_Build.ref`, `_finding_records`), and then kept here with the rest.
    """

    contact: Contact
    own: Sequence[Finding]  # its findings, as `findings_by_contact` gives them
    fig: Figures
    folded: str  # fold(name): the sort key of names
    quarter: int  # done interactions in the quarter (archived contacts too)
    # The rest is for active contacts only (empty for archived ones).
    recent: tuple[tuple[Interaction, str], ...]  # the past 7 days in log order, plain text
    candidate: _Candidate | None
    tasks: tuple[tuple[Task, str], ...]  # open tasks due by the end of the week, plain text
    birthday: tuple[dt.date, int, int | None] | None  # within the window: date, in days, age
    # Made on first use, as are the rows of the sections that show one contact a row.
    months: tuple[int, ...] | None = None  # done interactions per month of the month chart
    record: dict[str, Any] | None = None
    findings: list[dict[str, Any]] | None = None
    birthday_row: dict[str, Any] | None = None
    balance_row: dict[str, Any] | None = None
    key_row: dict[str, Any] | None = None  # quarter.key_contacts
    member_rows: dict[bool, dict[str, Any]] | None = None  # goals[].members, by `counts`


def _contact_part(contact: Contact, own: Sequence[Finding], fig: Figures, day: _Day) -> _Part:
    """Work out one contact's share; `DigestMemo` keeps it for the next build."""
    # This runs for every contact of the vault: the common cases (nothing this quarter,
    # no findings, no tasks) cost as little as they can.
    today = day.today
    active = contact.active
    count = 0
    recent: tuple[tuple[Interaction, str], ...] = ()
    past = contact.interactions
    if past and past[-1].date > today:
        past = done(contact, today)
    if past and past[-1].date >= day.recent_floor:
        start, end = day.quarter
        week_first, floor = day.week_first, day.recent_floor
        found = []
        # Newest first, up to the oldest date counted here: interactions are in date
        # order (the loader sorts them; `done` relies on it too), and most of a
        # long-kept log is older than the quarter.
        for interaction in reversed(past):
            date = interaction.date
            if date < floor:
                break
            if start <= date <= end:
                count += 1
            if active and date >= week_first:
                found.append((interaction, plain_text(interaction.text)))
        if found:
            recent = tuple(reversed(found))  # in log order again
    folded = fold(contact.name)
    if not active:
        return _Part(contact, own, fig, folded, count, (), None, (), None, _NO_MONTHS)

    candidate = None
    if own and not contact.snoozed(today):
        reasons, extra = [], []
        for i, finding in enumerate(own):
            if finding.rule in _REASONS:
                reasons.append(i)
            elif finding.rule in _EXTRA_REASONS:
                extra.append(i)
        if reasons:
            reasons += extra
            rules = tuple(own[i].rule for i in reasons)
            overdue_days, urgency = _urgency(contact, fig, rules, today, day.follow_up_days)
            # The path makes every key unique, so a sort never compares the rest.
            key = (fig.last is not None, -urgency, contact.circle != "key", folded,
                   contact.path)
            candidate = _Candidate(key, tuple(reasons), rules, overdue_days, urgency)

    tasks: tuple[tuple[Task, str], ...] = ()
    if contact.tasks:
        week_end = day.week_end
        tasks = tuple((task, plain_text(task.text)) for task in contact.tasks
                      if task.due <= week_end)

    birthday = None
    born = contact.birthday
    if born is not None and (day.birthdays is None or (born.month, born.day) in day.birthdays):
        date = born.next_date(today)
        in_days = (date - today).days
        if 0 <= in_days < day.birthday_days:
            birthday = (date, in_days, date.year - born.year if born.year else None)

    return _Part(contact, own, fig, folded, count, recent, candidate, tasks, birthday)


def _months(part: _Part, day: _Day) -> tuple[int, ...]:
    """The contact's done interactions per month of the month chart (made once)."""
    if part.months is None:
        first_month = day.first_month
        offset = first_month.year * 12 + first_month.month
        months = [0] * CHART_MONTHS
        for interaction in reversed(done(part.contact, day.today)):
            date = interaction.date
            if date < first_month:
                break
            # By month number since the first month: an index, not a date each.
            months[date.year * 12 + date.month - offset] += 1
        part.months = tuple(months) if any(months) else _NO_MONTHS
    return part.months


def _whole_record(part: _Part, day: _Day) -> dict[str, Any]:
    # The finding records only when read: no built-in template shows them.
    findings = LazyList(functools.partial(_finding_records, part, day.lang)) if (
        part.own and part.findings is None) else part.findings
    return contact_record(part.contact, part.fig, day.today, part.quarter, findings)


def _birthdays_within(today: dt.date, days: int) -> frozenset[tuple[int, int]] | None:
    """(month, day) of the birthdays whose next date is within `days` days of today.

    A filter before `Birthday.next_date`, which most contacts need not be asked: it may
    let through too many, never too few. 29 February is celebrated on the 28th in other
    years; None when the window spans a year or more.
    """
    if days > 365:
        return None
    found = set()
    for offset in range(max(days, 0)):
        date = today + dt.timedelta(days=offset)
        found.add((date.month, date.day))
        if date.month == 2 and date.day == 28 and not calendar.isleap(date.year):
            found.add((2, 29))
    return frozenset(found)


def _finding_records(part: _Part, lang: str) -> list[dict[str, Any]]:
    if part.findings is None:
        part.findings = [finding_record(f, lang) for f in part.own]
    return part.findings


class _Build:
    """One build's lookups: the parts by path, and records made on first use.

    Every section refers to the same contact record, and a finding's record (its
    message with Babel dates is the expensive part) is made once and shared by the
    contact's list, the top-level list and the data problems.
    """

    __slots__ = ("day", "first_by_name", "parts", "per_contact", "shown")

    def __init__(self, day: _Day, parts: dict[str, _Part],
                 per_contact: dict[str, list[Finding]], first_by_name: dict[str, str]) -> None:
        self.day = day
        self.parts = parts
        self.per_contact = per_contact
        self.first_by_name = first_by_name
        self.shown: dict[int, dict[str, Any]] = {}  # id(finding) → its record

    def ref(self, part: _Part) -> dict[str, Any]:
        """The contact's record, made the first time any section shows it (`_Record`)."""
        record = part.record
        if record is None:
            contact = part.contact
            path, name = contact.path, contact.name
            stem = _stem(path)
            record = part.record = _Record(
                {"name": name, "path": path, "stem": stem, "link": _link(stem, name)},
                functools.partial(_whole_record, part, self.day))
        return record

    def finding(self, finding: Finding) -> dict[str, Any]:
        """The finding's record; a contact's findings share theirs with its record."""
        record = self.shown.get(id(finding))
        if record is not None:
            return record
        owner = finding.path if finding.path in self.parts else self.first_by_name.get(
            finding.contact or "")
        if owner is None:
            record = self.shown[id(finding)] = finding_record(finding, self.day.lang)
            return record
        # The part may come from an earlier build (equal findings, other objects): pair
        # this build's findings with its records by position.
        for current, made in zip(self.per_contact[owner],
                                 _finding_records(self.parts[owner], self.day.lang),
                                 strict=True):
            self.shown[id(current)] = made
        return self.shown[id(finding)]


class DigestMemo:
    """What `build_context` keeps from one build for the next: each contact's share.

    For `watch`, which builds the context again after every edit: pass the same memo to
    every build. A contact's share (its figures, counts, ranking, tasks, birthday, and its
    contact and finding records once made) is taken over while the Contact is the very
    same object as last time (the incremental loader keeps unchanged contacts), its
    findings are equal, and today, the language, the week and the config are equal;
    everything else is worked out again, and contacts no longer in the vault are
    dropped. Everything that spans contacts (ranking, sorting, sums, goals) is done on
    every build; the data problems are kept while their findings are equal. The memo
    holds the contacts of the last build.

    Contexts built with one memo share records: treat a context as read-only (templates
    cannot change it anyway). With the rules' memo of the same run::

        findings = run_rules(vault, day, lang=lang, memo=rule_memo)
        context = build_context(vault, findings, day, week, lang, rule_memo.context,
                                memo=digest_memo)
    """

    def __init__(self) -> None:
        self._day: _Day | None = None
        self._parts: dict[str, _Part] = {}
        # The data findings of the last build and its `problems` section.
        self._problems: tuple[tuple[Finding, ...], dict[str, Any]] | None = None
        self.reused = 0  # contacts whose share the last build took over
        self.built = 0  # contacts whose share the last build worked out

    def _previous(self, day: _Day) -> dict[str, _Part]:
        if self._day != day:
            self._parts, self._problems = {}, None
        return self._parts

    def _keep(self, day: _Day, parts: dict[str, _Part], built: int) -> None:
        self._day, self._parts = day, parts
        self.built, self.reused = built, len(parts) - built


def build_context(
    vault: Vault,
    findings: Sequence[Finding],
    today: dt.date,
    week: tuple[int, int] | None,
    lang: str,
    rule_context: RuleContext | None = None,
    memo: DigestMemo | None = None,
) -> dict[str, Any]:
    """The context of every report for `today` (the reference date, see `reference_date`).

    `rule_context` is the rules' `Context` the findings were made with, if the caller
    kept it: its figures and goal progress are then used instead of computed again.
    `memo` keeps each contact's share for the next build (see `DigestMemo`).
    `contacts`, `findings` and `quarter.contacts` are `LazyList`s and `charts` is a
    `LazyMapping`, made on first use; a contact record fills in its fields when first
    read (`_Record`).
    """
    if rule_context is not None and (rule_context.vault is not vault
                                     or rule_context.today != today):
        raise ValueError("the rule context is for another vault or another day")
    config = vault.config
    year, number = week if week is not None else iso_week(today)
    monday = dt.date.fromisocalendar(year, number, 1)
    sunday = monday + dt.timedelta(days=6)
    birthday_days = int(_rule_option(vault, "birthday", "days", 14))
    quarter = quarter_bounds(today)
    # 0 <= (today - date).days < LAST_WEEK_DAYS, as a date comparison.
    week_first = today - dt.timedelta(days=LAST_WEEK_DAYS - 1)
    day = _Day(
        today, lang, (year, number), config, sunday, quarter,
        _month_starts(today, CHART_MONTHS)[0], week_first, min(quarter[0], week_first),
        int(_rule_option(vault, "no-follow-up", "within_days", 14)), birthday_days,
        _birthdays_within(today, birthday_days))

    findings = tuple(findings)  # the top-level list is made later, from these
    per_contact, first_by_name = _attribute(vault, findings)
    previous = memo._previous(day) if memo is not None else {}
    figs = rule_context.figures if rule_context is not None else None
    window = config.window_days
    parts: dict[str, _Part] = {}
    built = 0
    for contact in vault.contacts:
        path = contact.path
        own: Sequence[Finding] = per_contact.get(path, ())
        old = previous.get(path)
        if old is not None and old.contact is contact:
            if old.own == own:
                parts[path] = old
                continue
            fig = old.fig
        elif figs is not None:
            fig = figs[path]
        else:
            fig = figures(contact, today, window)
        parts[path] = _contact_part(contact, own, fig, day)
        built += 1
    if memo is not None:
        memo._keep(day, parts, built)

    build = _Build(day, parts, per_contact, first_by_name)
    active = [p for p in parts.values() if p.contact.active]
    return {
        "version": CONTEXT_VERSION,
        "lang": lang,
        "today": today,
        "vault": {
            "name": vault.root.name,
            "contacts": len(active),
            "archived": len(parts) - len(active),
            "goals": len(vault.goals),
            "notes": vault.notes,
            "window_days": config.window_days,
            "digest_size": config.digest_size,
            "birthday_days": birthday_days,
        },
        "week": {
            "year": year,
            "number": number,
            "label": f"{year}-W{number:02d}",
            "start": monday,
            "end": sunday,
        },
        "this_week": _this_week(active, config.digest_size, build),
        "tasks": _tasks(active, build),
        "birthdays": _birthdays(active, build),
        "balance": _balance(vault, active, build),
        "goals": _goals(_goal_progress(vault, today, rule_context), today, build),
        "last_week": _last_week(active, build),
        "quarter": _quarter(vault, active, build),
        "problems": _problems(findings, build, memo),
        "charts": LazyMapping({
            "months": lambda: _months_chart(active, day),
            "balance": lambda: _balance_chart(active, build),
        }),
        "contacts": LazyList(lambda: [
            build.ref(p) for p in sorted(parts.values(),
                                         key=lambda p: (p.folded, p.contact.path))]),
        "findings": LazyList(lambda: [build.finding(f) for f in findings]),
    }


_REASONS = frozenset(REASON_RULES)
_EXTRA_REASONS = frozenset(EXTRA_REASON_RULES)


def _candidate_key(part: _Part) -> tuple[Any, ...]:
    assert part.candidate is not None
    return part.candidate.key


def _this_week(active: list[_Part], size: int, build: _Build) -> list[dict[str, Any]]:
    """SPEC 5.1: never contacted first, then overdue days ÷ cadence days; key circle, name.

    Every candidate is ranked (`_Candidate.key`), but only the `digest_size` chosen ones
    get their entry: in a large vault thousands of contacts are due, and the reasons and
    the suggestion are the costly part.
    """
    day = build.day
    ranked = [p for p in active if p.candidate is not None]
    chosen = []
    for rank, part in enumerate(heapq.nsmallest(size, ranked, key=_candidate_key), 1):
        candidate = part.candidate
        assert candidate is not None
        messages = _finding_records(part, day.lang)
        chosen.append({
            "contact": build.ref(part),
            "never": part.fig.last is None,
            "urgency": round(candidate.urgency, 3),
            "overdue_days": candidate.overdue_days,
            "rules": list(candidate.rules),
            "reasons": [messages[i]["message"] for i in candidate.reasons],
            "suggestion": suggestion(part.contact, part.fig, candidate.rules, day.today,
                                     day.lang),
            "rank": rank,
        })
    return chosen


def _urgency(contact: Contact, fig: Figures, rules: Sequence[str], today: dt.date,
             follow_up_days: int) -> tuple[int, float]:
    """(overdue days, overdue days ÷ cadence days) — the larger of two due dates.

    The cadence makes a contact due `cadence_days` after the last interaction. A missing
    follow-up is a contact that was due `within_days` (14) after meeting, whatever the
    circle: the guide's short note right after first meeting someone.
    """
    best_days, best = 0, 0.0
    if fig.cadence_days and fig.days_since is not None and fig.days_since > fig.cadence_days:
        best_days = fig.days_since - fig.cadence_days
        best = best_days / fig.cadence_days
    if "no-follow-up" in rules and contact.met is not None and follow_up_days > 0:
        late = (today - contact.met).days - follow_up_days
        if late / follow_up_days > best:
            best_days, best = late, late / follow_up_days
    return best_days, best


def _tasks(active: list[_Part], build: _Build) -> list[dict[str, Any]]:
    """SPEC 5.2: open tasks due by the end of the week (overdue ones included)."""
    today = build.day.today
    by_line: dict[tuple[str, int], dict[str, Any]] = {}
    for part in active:
        if not part.tasks:
            continue
        record = build.ref(part)
        for task, plain in part.tasks:
            item = by_line.get((task.path, task.line))
            if item is None:
                item = by_line[task.path, task.line] = {
                    "due": task.due,
                    "text": task.text,
                    "plain": plain,
                    "path": task.path,
                    "line": task.line,
                    "overdue": task.due < today,
                    "days_late": max((today - task.due).days, 0),
                    "contacts": [],
                }
            item["contacts"].append(record)
    return sorted(by_line.values(), key=lambda i: (i["due"], i["path"], i["line"]))


def _birthdays(active: list[_Part], build: _Build) -> list[dict[str, Any]]:
    """SPEC 5.3: birthdays within the birthday rule's `days` (14)."""
    found = []
    for part in active:
        if part.birthday is not None:
            row = part.birthday_row
            if row is None:
                date, in_days, age = part.birthday
                row = part.birthday_row = {
                    "contact": build.ref(part), "date": date, "in_days": in_days, "age": age}
            found.append((row["date"], part.folded, row))
    # Stable, so equal keys keep the vault's order, as when sorting the records.
    found.sort(key=lambda item: (item[0], item[1]))
    return [item for _, _, item in found]


def _balance(vault: Vault, active: list[_Part], build: _Build) -> list[dict[str, Any]]:
    """SPEC 5.4: contacts I take from more than I give to, by the one-sided threshold."""
    surplus = int(_rule_option(vault, "one-sided", "min_surplus", 2))
    rows = []
    for part in active:
        fig = part.fig
        # As the rule: at least one take, so a surplus of 0 does not list everyone.
        if fig.takes and fig.takes - fig.gives >= surplus:
            row = part.balance_row
            if row is None:
                row = part.balance_row = {
                    "contact": build.ref(part), "gives": fig.gives, "takes": fig.takes,
                    "mutual": fig.mutual, "balance": fig.balance}
            rows.append((fig.balance, part.folded, row))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [row for _, _, row in rows]


def _goal_progress(vault: Vault, today: dt.date, rule_context: RuleContext | None
                   ) -> list[GoalProgress]:
    if rule_context is not None:
        return rule_context.goal_progress
    from netzmd.goals import goal_progress

    return goal_progress(vault, today)


def _goals(progresses: list[GoalProgress], today: dt.date, build: _Build
           ) -> list[dict[str, Any]]:
    """SPEC 5.5: every valid goal with its progress."""
    parts = build.parts
    result = []
    for progress in progresses:
        goal = progress.goal
        target = goal.target or 0
        counted = set(progress.counted)
        result.append({
            **progress.record(),
            "stem": _stem(goal.path),
            "link": _link(_stem(goal.path), goal.title),
            "elapsed": round(progress.elapsed, 4),
            "share": min(progress.achieved / target, 1.0) if target else 0.0,
            "expected_share": min(progress.expected / target, 1.0) if target else 0.0,
            "days_left": max((goal.by - today).days, 0) if goal.by else None,
            "members": [_member_row(parts[member.path], member.name in counted, build)
                        for member in progress.members],
        })
    return result


def _member_row(part: _Part, counts: bool, build: _Build) -> dict[str, Any]:
    """A goal member: its contact record and `counts` (the same for every goal)."""
    rows = part.member_rows
    if rows is None:
        rows = part.member_rows = {}
    row = rows.get(counts)
    if row is None:
        record = build.ref(part)
        known = {key: record[key] for key in ("name", "path", "stem", "link")}
        row = rows[counts] = _Record({**known, "counts": counts},
                                     functools.partial(_with_counts, record, counts))
    return row


def _with_counts(record: dict[str, Any], counts: bool) -> dict[str, Any]:
    return {**record, "counts": counts}


def _last_week(active: list[_Part], build: _Build) -> list[dict[str, Any]]:
    """SPEC 5.6: interactions dated in the past 7 days; one line logged with three contacts
    is one item with three contacts."""
    items: dict[tuple[str, int | None, dt.date, str], dict[str, Any]] = {}
    for part in active:
        if not part.recent:
            continue
        record = build.ref(part)
        for interaction, plain in part.recent:
            key = (interaction.path, interaction.line, interaction.date, interaction.text)
            item = items.get(key)
            if item is None:
                item = items[key] = _interaction_record(interaction, plain)
            item["contacts"].append(record)
    return sorted(items.values(), key=lambda i: (i["date"], i["path"], i["line"] or 0))


def _interaction_record(interaction: Interaction, plain: str) -> dict[str, Any]:
    return {
        "date": interaction.date,
        "kind": interaction.kind,
        "direction": interaction.direction,
        "personal": interaction.personal,
        "career": interaction.career,
        "text": interaction.text,
        "plain": plain,
        "path": interaction.path,
        "line": interaction.line,
        "contacts": [],
    }


def _quarter(vault: Vault, active: list[_Part], build: _Build) -> dict[str, Any]:
    """SPEC 5.7: key contacts with a done interaction in this calendar quarter, of the plan."""
    start, end = build.day.quarter
    required = int(_rule_option(vault, "quarterly-plan", "min_key_contacts", 2))
    key_contacts = sorted((p for p in active if p.contact.circle == "key"),
                          key=lambda p: p.folded)
    rows = [p.key_row or _key_row(p, build) for p in key_contacts]
    reached = sum(1 for r in rows if r["reached"])
    touched = [p for p in active if p.quarter]

    def contacts() -> list[dict[str, Any]]:
        touched.sort(key=lambda p: (-p.quarter, p.folded, p.contact.path))
        return [{"contact": build.ref(p), "interactions": p.quarter} for p in touched]

    return {
        "label": f"{start.year}-Q{(start.month - 1) // 3 + 1}",
        "year": start.year,
        "number": (start.month - 1) // 3 + 1,
        "start": start,
        "end": end,
        "days_left": (end - build.day.today).days,
        "required": required,
        "reached": reached,
        "met": reached >= required,
        "key_contacts": rows,
        "interactions": sum(p.quarter for p in touched),
        "contacts": LazyList(contacts),
    }


def _key_row(part: _Part, build: _Build) -> dict[str, Any]:
    row = part.key_row = {
        "contact": build.ref(part), "reached": part.quarter > 0, "interactions": part.quarter}
    return row


def _problems(findings: Sequence[Finding], build: _Build, memo: DigestMemo | None
              ) -> dict[str, Any]:
    """SPEC 5.8: data problems, counted, and the files to fix with their findings.

    With a memo, the last build's section while the data findings are equal: they are
    a thousand in a large vault, and an edit seldom changes them.
    """
    data = tuple(f for f in findings if f.rule in DATA_RULES)
    if memo is not None and memo._problems is not None and memo._problems[0] == data:
        return memo._problems[1]
    files: dict[str, list[Finding]] = {}
    for finding in data:
        files.setdefault(finding.path or "", []).append(finding)
    problems = {
        "count": len(data),
        "errors": sum(1 for f in data if f.level is Level.ERROR),
        "warnings": sum(1 for f in data if f.level is Level.WARNING),
        "files": [
            {"path": path or None, "count": len(items),
             "findings": [build.finding(f) for f in items]}
            for path, items in sorted(files.items())
        ],
    }
    if memo is not None:
        memo._problems = (data, problems)
    return problems


# ---------------------------------------------------------------- chart geometry

# Geometry in SVG user units; the HTML template scales the SVG to the page width.
_MONTHS_W, _MONTHS_H, _MONTHS_TOP, _MONTHS_BOTTOM, _MONTHS_LEFT = 640, 220, 16, 36, 32
_BAL_W, _BAL_LABEL, _BAL_ROW = 640, 220, 24


def _nice_max(value: int) -> int:
    """A round axis maximum at or above value (1, 2, 5, 10, 20, 50, ...)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def _months_chart(active: list[_Part], day: _Day) -> dict[str, Any]:
    """Interactions per month over the last 12 months, as bars."""
    months = _month_starts(day.today, CHART_MONTHS)
    vectors = [m for m in (_months(p, day) for p in active) if m is not _NO_MONTHS]
    counts = [sum(column) for column in zip(*vectors, strict=True)] if vectors else list(
        _NO_MONTHS)
    top = _nice_max(max(counts, default=0) or 1)
    plot_h = _MONTHS_H - _MONTHS_TOP - _MONTHS_BOTTOM
    slot = (_MONTHS_W - _MONTHS_LEFT) / CHART_MONTHS
    bars = []
    for i, (month, count) in enumerate(zip(months, counts, strict=True)):
        height = round(plot_h * count / top, 1)
        bars.append({
            "month": month,
            "count": count,
            "x": round(_MONTHS_LEFT + i * slot + slot * 0.15, 1),
            "width": round(slot * 0.7, 1),
            "y": round(_MONTHS_TOP + plot_h - height, 1),
            "height": height,
            "label_x": round(_MONTHS_LEFT + i * slot + slot / 2, 1),
        })
    ticks = [{"value": v, "y": round(_MONTHS_TOP + plot_h - plot_h * v / top, 1)}
             for v in sorted({0, top // 2, top})]
    return {
        "width": _MONTHS_W,
        "height": _MONTHS_H,
        "left": _MONTHS_LEFT,
        "baseline": _MONTHS_TOP + plot_h,
        "label_y": _MONTHS_TOP + plot_h + 16,
        "year_y": _MONTHS_TOP + plot_h + 30,
        "max": top,
        "total": sum(counts),
        "bars": bars,
        "ticks": ticks,
    }


def _balance_chart(active: list[_Part], build: _Build) -> dict[str, Any]:
    """Gives to the right, takes to the left of a middle line, per contact in the window.

    The contacts furthest out of balance, at most BALANCE_CHART_ROWS, most taken first.
    """
    # nsmallest is sorted(...)[:n], ties in the vault's order as well.
    rows = heapq.nsmallest(
        BALANCE_CHART_ROWS, (p for p in active if p.fig.gives or p.fig.takes),
        key=lambda p: (-abs(p.fig.balance), p.folded))
    rows.sort(key=lambda p: (p.fig.balance, p.folded))
    top = _nice_max(max((max(p.fig.gives, p.fig.takes) for p in rows), default=0) or 1)
    half = (_BAL_W - _BAL_LABEL) / 2
    middle = _BAL_LABEL + half
    unit = (half - 8) / top
    result = []
    for i, part in enumerate(rows):
        fig = part.fig
        y = 8 + i * _BAL_ROW
        result.append({
            "contact": build.ref(part),
            "gives": fig.gives,
            "takes": fig.takes,
            "balance": fig.balance,
            "y": y,
            "bar_y": y + 4,
            "text_y": y + 16,
            "give_width": round(fig.gives * unit, 1),
            "take_x": round(middle - fig.takes * unit, 1),
            "take_width": round(fig.takes * unit, 1),
        })
    return {
        "width": _BAL_W,
        "height": 16 + len(rows) * _BAL_ROW + 20,
        "label_width": _BAL_LABEL,
        "middle": round(middle, 1),
        "bar_height": 16,
        "max": top,
        "axis_y": 12 + len(rows) * _BAL_ROW,
        "rows": result,
    }
