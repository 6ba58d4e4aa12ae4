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

Built for vaults of 10,000 contacts, whose digest `watch` renders after every edit: each
contact's record and each finding's record is made once and shared by every section that
shows it, the interactions are gone through once for everything counted by date, and only
the contacts chosen for "this week" get their reasons and suggestion worked out.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netzmd.config import Config
from netzmd.findings import Finding
from netzmd.locale import finding_message, t
from netzmd.log import fold
from netzmd.model import Contact, Interaction, Vault
from netzmd.relations import Figures, done, figures

if TYPE_CHECKING:
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
    from netzmd.engine import run_rules
    from netzmd.report import render

    day = reference_date(today, week)
    week = week or iso_week(day)
    context = build_context(vault, run_rules(vault, day, lang=lang), day, week, lang)
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
    # This runs for the fields of every contact and the data of every finding, and
    # nearly all keys are text and nearly all values scalars: those are copied in one
    # go, and only the other values converted.
    if type(value) is dict and _TEXT.issuperset(map(type, value)):
        result = value.copy()
        if not _SCALARS.issuperset(map(type, value.values())):
            for k, v in value.items():
                if type(v) not in _SCALARS:
                    result[k] = _plain(v)
        return result
    if isinstance(value, dict):
        return {k if type(k) is str else str(k): v if type(v) in _SCALARS else _plain(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        if _SCALARS.issuperset(map(type, value)):
            return list(value)
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    return value


def report_message(finding: Finding, lang: str) -> str:
    """The finding's message with dates written as reports write them (`Dec 10, 2026`).

    German reads the same as `netzmd check`; English swaps ISO dates for Babel's, so a
    reason reads like the dates around it.
    """
    values = finding.data.values()
    if not any(isinstance(v, dt.date) for v in values):
        return finding.message
    if all(type(v) in _SCALARS for v in values):
        # `watch` renders the same thousands of findings again after every edit. Types
        # are part of the key: 1, 1.0 and True are equal but read differently.
        items = tuple((k, type(v), v) for k, v in finding.data.items())
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


def finding_record(finding: Finding, lang: str) -> dict[str, Any]:
    """A finding as templates see it (top-level `findings`, a contact's, `problems`)."""
    return {
        "rule": finding.rule,
        "level": finding.level.label,
        "path": finding.path,
        "line": finding.line,
        "contact": finding.contact,
        "message": report_message(finding, lang),
        "data": _plain(finding.data),
    }


def findings_by_contact(vault: Vault, findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings per contact path; a finding in another file belongs to its named contact."""
    by_path = {c.path for c in vault.contacts}
    first_by_name: dict[str, str] = {}
    for contact in vault.contacts:
        first_by_name.setdefault(contact.name, contact.path)
    result: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.path in by_path:
            owner: str | None = finding.path
        else:
            owner = first_by_name.get(finding.contact or "")
        if owner is not None:
            result.setdefault(owner, []).append(finding)
    return result


def contact_record(
    contact: Contact, fig: Figures, today: dt.date, quarter_interactions: int,
    findings: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything a template may show about one contact.

    `quarter_interactions` counts its done interactions in the quarter (`_Dated`);
    `findings` are its finding records (`finding_record`).
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
        "aliases": list(contact.aliases),
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
        "interests": list(contact.interests),
        "tags": list(contact.tags),
        "goals": list(contact.goals),
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


@dataclass(frozen=True, slots=True)
class _Shared:
    """What the sections look up, built once per context.

    Every section refers to the same contact record, and sorts by the same folded name;
    a finding's record (its message with Babel dates is the expensive part) is made once
    and shared by the contact's list, the top-level list and the data problems.
    """

    records: dict[str, dict[str, Any]]  # contact path → contact record
    figs: dict[str, Figures]  # contact path → figures
    folded: dict[str, str]  # contact path → fold(name), the sort key of names
    findings: dict[int, dict[str, Any]]  # id(finding) → finding record

    def ref(self, contact: Contact) -> dict[str, Any]:
        return self.records[contact.path]


@dataclass(frozen=True, slots=True)
class _Dated:
    """What the sections count by date, from one pass over all done interactions.

    A large vault has 100,000 interactions; going through them once instead of once per
    section (quarter counts, the month chart, the past week) matters.
    """

    quarter: dict[str, int]  # contact path → done interactions in the quarter (all contacts)
    months: list[int]  # active contacts' interactions per month of the month chart
    last_week: list[tuple[Contact, Interaction]]  # active contacts', in the past 7 days


def _dated(contacts: Sequence[Contact], today: dt.date,
           quarter: tuple[dt.date, dt.date]) -> _Dated:
    start, end = quarter
    first_month = _month_starts(today, CHART_MONTHS)[0]
    offset = first_month.year * 12 + first_month.month
    # 0 <= (today - date).days < LAST_WEEK_DAYS, as date comparisons.
    week_first = today - dt.timedelta(days=LAST_WEEK_DAYS - 1)
    floor = min(start, first_month, week_first)
    in_quarter: dict[str, int] = {}
    months = [0] * CHART_MONTHS
    last_week: list[tuple[Contact, Interaction]] = []
    for contact in contacts:
        count = 0
        active = contact.active
        recent: list[tuple[Contact, Interaction]] = []
        # Newest first, up to the oldest date any section counts: interactions are in
        # date order (the loader sorts them; `done` relies on it too), and most of a
        # long-kept log is older than a year.
        for interaction in reversed(done(contact, today)):
            date = interaction.date
            if date < floor:
                break
            if start <= date <= end:
                count += 1
            if active:
                if date >= first_month:
                    # By month number since the first month: an index, not a date each.
                    months[date.year * 12 + date.month - offset] += 1
                if week_first <= date <= today:
                    recent.append((contact, interaction))
        if recent:
            last_week.extend(reversed(recent))  # in log order again
        in_quarter[contact.path] = count
    return _Dated(in_quarter, months, last_week)


def build_context(
    vault: Vault,
    findings: Sequence[Finding],
    today: dt.date,
    week: tuple[int, int] | None,
    lang: str,
    rule_context: RuleContext | None = None,
) -> dict[str, Any]:
    """The context of every report for `today` (the reference date, see `reference_date`).

    `rule_context` is the rules' `Context` the findings were made with, if the caller
    kept it: its figures and goal progress are then used instead of computed again.
    """
    if rule_context is not None and (rule_context.vault is not vault
                                     or rule_context.today != today):
        raise ValueError("the rule context is for another vault or another day")
    config = vault.config
    year, number = week if week is not None else iso_week(today)
    monday = dt.date.fromisocalendar(year, number, 1)
    sunday = monday + dt.timedelta(days=6)
    quarter = quarter_bounds(today)

    contacts = vault.contacts
    if rule_context is None:
        figs = {c.path: figures(c, today, config.window_days) for c in contacts}
    else:
        figs = rule_context.figures
    dated = _dated(contacts, today, quarter)
    shown = {id(f): finding_record(f, lang) for f in findings}
    per_contact = findings_by_contact(vault, findings)
    records = {}
    for contact in contacts:
        path = contact.path
        own = per_contact.get(path)
        records[path] = contact_record(
            contact, figs[path], today, dated.quarter[path],
            None if own is None else [shown[id(f)] for f in own])
    shared = _Shared(records, figs, {c.path: fold(c.name) for c in contacts}, shown)
    active = [c for c in contacts if c.active]
    birthday_days = int(_rule_option(vault, "birthday", "days", 14))

    return {
        "version": CONTEXT_VERSION,
        "lang": lang,
        "today": today,
        "vault": {
            "name": vault.root.name,
            "contacts": len(active),
            "archived": len(contacts) - len(active),
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
        "this_week": _this_week(vault, active, per_contact, today, lang, shared),
        "tasks": _tasks(active, today, sunday, shared),
        "birthdays": _birthdays(active, today, birthday_days, shared),
        "balance": _balance(vault, active, shared),
        "goals": _goals(_goal_progress(vault, today, rule_context), today, shared),
        "last_week": _last_week(dated, shared),
        "quarter": _quarter(vault, active, today, quarter, shared),
        "problems": _problems(findings, shared),
        "charts": {
            "months": _months_chart(dated, today),
            "balance": _balance_chart(active, shared),
        },
        "contacts": sorted(records.values(),
                           key=lambda r: (shared.folded[r["path"]], r["path"])),
        "findings": [shown[id(f)] for f in findings],
    }


_REASONS = frozenset(REASON_RULES)


def _this_week(
    vault: Vault, active: list[Contact], per_contact: dict[str, list[Finding]],
    today: dt.date, lang: str, shared: _Shared,
) -> list[dict[str, Any]]:
    """SPEC 5.1: never contacted first, then overdue days ÷ cadence days; key circle, name.

    Every candidate is ranked, but only the `digest_size` chosen ones get their entry:
    in a large vault thousands of contacts are due, and the reasons and the suggestion
    are the costly part.
    """
    follow_up_days = int(_rule_option(vault, "no-follow-up", "within_days", 14))
    ranked: list[tuple[tuple[Any, ...], Contact, list[Finding], list[str], int, float]] = []
    for contact in active:
        own = per_contact.get(contact.path)
        if not own or contact.snoozed(today):
            continue
        reasons = [f for f in own if f.rule in _REASONS]
        if not reasons:
            continue
        reasons += [f for f in own if f.rule in EXTRA_REASON_RULES]
        fig = shared.figs[contact.path]
        rules = [f.rule for f in reasons]
        overdue_days, urgency = _urgency(contact, fig, rules, today, follow_up_days)
        # The path makes every key unique, so the sort never compares the rest.
        key = (fig.last is not None, -urgency, contact.circle != "key",
               shared.folded[contact.path], contact.path)
        ranked.append((key, contact, reasons, rules, overdue_days, urgency))
    ranked.sort(key=lambda item: item[0])
    chosen = []
    for rank, (_, contact, reasons, rules, overdue_days, urgency) in enumerate(
            ranked[:vault.config.digest_size], 1):
        fig = shared.figs[contact.path]
        chosen.append({
            "contact": shared.ref(contact),
            "never": fig.last is None,
            "urgency": round(urgency, 3),
            "overdue_days": overdue_days,
            "rules": rules,
            "reasons": [shared.findings[id(f)]["message"] for f in reasons],
            "suggestion": suggestion(contact, fig, rules, today, lang),
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


def _tasks(active: list[Contact], today: dt.date, week_end: dt.date, shared: _Shared
           ) -> list[dict[str, Any]]:
    """SPEC 5.2: open tasks due by the end of the week (overdue ones included)."""
    by_line: dict[tuple[str, int], dict[str, Any]] = {}
    for contact in active:
        for task in contact.tasks:
            if task.due > week_end:
                continue
            item = by_line.get((task.path, task.line))
            if item is None:
                item = by_line[task.path, task.line] = {
                    "due": task.due,
                    "text": task.text,
                    "plain": plain_text(task.text),
                    "path": task.path,
                    "line": task.line,
                    "overdue": task.due < today,
                    "days_late": max((today - task.due).days, 0),
                    "contacts": [],
                }
            item["contacts"].append(shared.ref(contact))
    return sorted(by_line.values(), key=lambda i: (i["due"], i["path"], i["line"]))


def _birthdays(active: list[Contact], today: dt.date, days: int, shared: _Shared
               ) -> list[dict[str, Any]]:
    """SPEC 5.3: birthdays within the birthday rule's `days` (14)."""
    found = []
    for contact in active:
        if contact.birthday is None:
            continue
        record = shared.ref(contact)
        date = record["next_birthday"]  # Birthday.next_date(today), computed for the record
        in_days = (date - today).days
        if 0 <= in_days < days:
            year = contact.birthday.year
            found.append({
                "contact": record,
                "date": date,
                "in_days": in_days,
                "age": date.year - year if year else None,
            })
    return sorted(found, key=lambda b: (b["date"], shared.folded[b["contact"]["path"]]))


def _balance(vault: Vault, active: list[Contact], shared: _Shared) -> list[dict[str, Any]]:
    """SPEC 5.4: contacts I take from more than I give to, by the one-sided threshold."""
    surplus = int(_rule_option(vault, "one-sided", "min_surplus", 2))
    rows = []
    for contact in active:
        fig = shared.figs[contact.path]
        # As the rule: at least one take, so a surplus of 0 does not list everyone.
        if fig.takes and fig.takes - fig.gives >= surplus:
            rows.append({"contact": shared.ref(contact), "gives": fig.gives,
                         "takes": fig.takes, "mutual": fig.mutual, "balance": fig.balance})
    return sorted(rows, key=lambda r: (r["balance"], shared.folded[r["contact"]["path"]]))


def _goal_progress(vault: Vault, today: dt.date, rule_context: RuleContext | None
                   ) -> list[GoalProgress]:
    if rule_context is not None:
        return rule_context.goal_progress
    from netzmd.goals import goal_progress

    return goal_progress(vault, today)


def _goals(progresses: list[GoalProgress], today: dt.date, shared: _Shared
           ) -> list[dict[str, Any]]:
    """SPEC 5.5: every valid goal with its progress."""
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
            "members": [
                {**shared.ref(member), "counts": member.name in counted}
                for member in progress.members
            ],
        })
    return result


def _last_week(dated: _Dated, shared: _Shared) -> list[dict[str, Any]]:
    """SPEC 5.6: interactions dated in the past 7 days; one line logged with three contacts
    is one item with three contacts."""
    items: dict[tuple[str, int | None, dt.date, str], dict[str, Any]] = {}
    for contact, interaction in dated.last_week:
        key = (interaction.path, interaction.line, interaction.date, interaction.text)
        item = items.get(key)
        if item is None:
            item = items[key] = _interaction_record(interaction)
        item["contacts"].append(shared.ref(contact))
    return sorted(items.values(), key=lambda i: (i["date"], i["path"], i["line"] or 0))


def _interaction_record(interaction: Interaction) -> dict[str, Any]:
    return {
        "date": interaction.date,
        "kind": interaction.kind,
        "direction": interaction.direction,
        "personal": interaction.personal,
        "career": interaction.career,
        "text": interaction.text,
        "plain": plain_text(interaction.text),
        "path": interaction.path,
        "line": interaction.line,
        "contacts": [],
    }


def _quarter(vault: Vault, active: list[Contact], today: dt.date,
             bounds: tuple[dt.date, dt.date], shared: _Shared) -> dict[str, Any]:
    """SPEC 5.7: key contacts with a done interaction in this calendar quarter, of the plan."""
    start, end = bounds
    required = int(_rule_option(vault, "quarterly-plan", "min_key_contacts", 2))
    folded = shared.folded
    key_contacts = sorted((c for c in active if c.circle == "key"),
                          key=lambda c: folded[c.path])
    rows = []
    for contact in key_contacts:
        record = shared.ref(contact)
        rows.append({"contact": record, "reached": record["quarter_interactions"] > 0,
                     "interactions": record["quarter_interactions"]})
    reached = sum(1 for r in rows if r["reached"])
    touched = [r for r in map(shared.ref, active) if r["quarter_interactions"]]
    touched.sort(key=lambda r: (-r["quarter_interactions"], folded[r["path"]], r["path"]))
    return {
        "label": f"{start.year}-Q{(start.month - 1) // 3 + 1}",
        "year": start.year,
        "number": (start.month - 1) // 3 + 1,
        "start": start,
        "end": end,
        "days_left": (end - today).days,
        "required": required,
        "reached": reached,
        "met": reached >= required,
        "key_contacts": rows,
        "interactions": sum(r["quarter_interactions"] for r in touched),
        "contacts": [{"contact": r, "interactions": r["quarter_interactions"]} for r in touched],
    }


def _problems(findings: Sequence[Finding], shared: _Shared) -> dict[str, Any]:
    """SPEC 5.8: data problems, counted, and the files to fix with their findings."""
    data = [f for f in findings if f.rule in DATA_RULES]
    files: dict[str, list[Finding]] = {}
    for finding in data:
        files.setdefault(finding.path or "", []).append(finding)
    return {
        "count": len(data),
        "errors": sum(1 for f in data if f.level.label == "error"),
        "warnings": sum(1 for f in data if f.level.label == "warning"),
        "files": [
            {"path": path or None, "count": len(items),
             "findings": [shared.findings[id(f)] for f in items]}
            for path, items in sorted(files.items())
        ],
    }


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


def _months_chart(dated: _Dated, today: dt.date) -> dict[str, Any]:
    """Interactions per month over the last 12 months, as bars."""
    months = _month_starts(today, CHART_MONTHS)
    counts = dated.months
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


def _balance_chart(active: list[Contact], shared: _Shared) -> dict[str, Any]:
    """Gives to the right, takes to the left of a middle line, per contact in the window.

    The contacts furthest out of balance, at most BALANCE_CHART_ROWS, most taken first.
    """
    figs, folded = shared.figs, shared.folded
    rows = [(c, figs[c.path]) for c in active if figs[c.path].gives or figs[c.path].takes]
    rows.sort(key=lambda pair: (-abs(pair[1].balance), folded[pair[0].path]))
    rows = sorted(rows[:BALANCE_CHART_ROWS],
                  key=lambda p: (p[1].balance, folded[p[0].path]))
    top = _nice_max(max((max(f.gives, f.takes) for _, f in rows), default=0) or 1)
    half = (_BAL_W - _BAL_LABEL) / 2
    middle = _BAL_LABEL + half
    unit = (half - 8) / top
    result = []
    for i, (contact, fig) in enumerate(rows):
        y = 8 + i * _BAL_ROW
        result.append({
            "contact": shared.ref(contact),
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
