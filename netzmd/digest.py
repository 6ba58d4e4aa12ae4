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
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from netzmd.config import Config
from netzmd.findings import Finding
from netzmd.locale import finding_message, t
from netzmd.log import fold
from netzmd.model import Contact, Interaction, Vault
from netzmd.relations import Figures, done, figures

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


def _link(path: str, name: str) -> str:
    """The Obsidian link target: the file stem, with `|name` when the name differs."""
    stem = _stem(path)
    return stem if stem == name else f"{stem}|{name}"


def _rule_option(vault: Vault, rule_id: str, option: str, default: Any) -> Any:
    """A rule's configured option, or `default` while that rule does not exist."""
    from netzmd.engine import rule_options
    from netzmd.rules import REGISTRY

    rule = REGISTRY.get(rule_id)
    if rule is None:
        return default
    return rule_options(rule, vault).get(option, default)


def _plain(value: Any) -> Any:
    """Front-matter values as plain data for the sandbox (tuples become lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def report_message(finding: Finding, lang: str) -> str:
    """The finding's message with dates written as reports write them (`Dec 10, 2026`).

    German reads the same as `netzmd check`; English swaps ISO dates for Babel's, so a
    reason reads like the dates around it.
    """
    from netzmd.report import babel_date

    if not any(isinstance(v, dt.date) for v in finding.data.values()):
        return finding.message
    data = {k: babel_date(v, lang) if isinstance(v, dt.date) else v
            for k, v in finding.data.items()}
    return finding_message(replace(finding, data=data), lang)


def _finding_record(finding: Finding, lang: str) -> dict[str, Any]:
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
    contact: Contact, fig: Figures, today: dt.date, quarter: tuple[dt.date, dt.date],
    findings: Sequence[Finding] = (), lang: str = "en",
) -> dict[str, Any]:
    """Everything a template may show about one contact."""
    in_quarter = [i for i in done(contact, today) if quarter[0] <= i.date <= quarter[1]]
    birthday = contact.birthday
    overdue_days = (
        fig.days_since - fig.cadence_days
        if fig.overdue and fig.days_since is not None and fig.cadence_days
        else None
    )
    fields = contact.fields
    return {
        "name": contact.name,
        "path": contact.path,
        "stem": _stem(contact.path),
        "link": _link(contact.path, contact.name),
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
        "cadence_days": fig.cadence_days,
        "last": fig.last,
        "days_since": fig.days_since,
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
        "quarter_interactions": len(in_quarter),
        "open_tasks": len(contact.tasks),
        "findings": [_finding_record(f, lang) for f in findings],
        "fields": _plain(fields),
    }


def _text_field(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
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


def build_context(
    vault: Vault,
    findings: Sequence[Finding],
    today: dt.date,
    week: tuple[int, int] | None,
    lang: str,
) -> dict[str, Any]:
    """The context of every report for `today` (the reference date, see `reference_date`)."""
    config = vault.config
    year, number = week if week is not None else iso_week(today)
    monday = dt.date.fromisocalendar(year, number, 1)
    sunday = monday + dt.timedelta(days=6)
    quarter = quarter_bounds(today)

    figs = {c.path: figures(c, today, config.window_days) for c in vault.contacts}
    per_contact = findings_by_contact(vault, findings)
    records = {
        c.path: contact_record(c, figs[c.path], today, quarter, per_contact.get(c.path, ()),
                               lang)
        for c in vault.contacts
    }
    active = [c for c in vault.contacts if c.active]

    def ref(contact: Contact) -> dict[str, Any]:
        return records[contact.path]

    return {
        "version": CONTEXT_VERSION,
        "lang": lang,
        "today": today,
        "vault": {
            "name": vault.root.name,
            "contacts": len(active),
            "archived": len(vault.contacts) - len(active),
            "goals": len(vault.goals),
            "notes": vault.notes,
            "window_days": config.window_days,
            "digest_size": config.digest_size,
            "birthday_days": int(_rule_option(vault, "birthday", "days", 14)),
        },
        "week": {
            "year": year,
            "number": number,
            "label": f"{year}-W{number:02d}",
            "start": monday,
            "end": sunday,
        },
        "this_week": _this_week(vault, active, figs, per_contact, today, lang, ref),
        "tasks": _tasks(active, today, sunday, ref),
        "birthdays": _birthdays(vault, active, today, ref),
        "balance": _balance(vault, active, figs, ref),
        "goals": _goals(vault, today, ref),
        "last_week": _last_week(active, today, ref),
        "quarter": _quarter(vault, active, today, quarter, ref),
        "problems": _problems(findings, lang),
        "charts": {
            "months": _months_chart(active, today),
            "balance": _balance_chart(active, figs, ref),
        },
        "contacts": sorted(records.values(), key=lambda r: (fold(r["name"]), r["path"])),
        "findings": [_finding_record(f, lang) for f in findings],
    }


Ref = Callable[[Contact], dict[str, Any]]  # a contact's record, shared by every section


def _this_week(
    vault: Vault, active: list[Contact], figs: dict[str, Figures],
    per_contact: dict[str, list[Finding]], today: dt.date, lang: str, ref: Ref,
) -> list[dict[str, Any]]:
    """SPEC 5.1: never contacted first, then overdue days ÷ cadence days; key circle, name."""
    follow_up_days = int(_rule_option(vault, "no-follow-up", "within_days", 14))
    ranked: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    for contact in active:
        if contact.snoozed(today):
            continue
        own = per_contact.get(contact.path, [])
        reasons = [f for f in own if f.rule in REASON_RULES]
        if not reasons:
            continue
        reasons += [f for f in own if f.rule in EXTRA_REASON_RULES]
        fig = figs[contact.path]
        never = fig.last is None
        rules = [f.rule for f in reasons]
        overdue_days, urgency = _urgency(contact, fig, rules, today, follow_up_days)
        entry = {
            "contact": ref(contact),
            "never": never,
            "urgency": round(urgency, 3),
            "overdue_days": overdue_days,
            "rules": rules,
            "reasons": [report_message(f, lang) for f in reasons],
            "suggestion": suggestion(contact, fig, rules, today, lang),
        }
        key = (not never, -urgency, contact.circle != "key", fold(contact.name), contact.path)
        ranked.append((key, entry))
    ranked.sort(key=lambda pair: pair[0])
    chosen = [entry for _, entry in ranked[:vault.config.digest_size]]
    for rank, entry in enumerate(chosen, 1):
        entry["rank"] = rank
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


def _tasks(active: list[Contact], today: dt.date, week_end: dt.date, ref: Ref
           ) -> list[dict[str, Any]]:
    """SPEC 5.2: open tasks due by the end of the week (overdue ones included)."""
    by_line: dict[tuple[str, int], dict[str, Any]] = {}
    for contact in active:
        for task in contact.tasks:
            if task.due > week_end:
                continue
            item = by_line.setdefault((task.path, task.line), {
                "due": task.due,
                "text": task.text,
                "plain": plain_text(task.text),
                "path": task.path,
                "line": task.line,
                "overdue": task.due < today,
                "days_late": max((today - task.due).days, 0),
                "contacts": [],
            })
            item["contacts"].append(ref(contact))
    return sorted(by_line.values(), key=lambda i: (i["due"], i["path"], i["line"]))


def _birthdays(vault: Vault, active: list[Contact], today: dt.date, ref: Ref
               ) -> list[dict[str, Any]]:
    """SPEC 5.3: birthdays within the birthday rule's `days` (14)."""
    days = int(_rule_option(vault, "birthday", "days", 14))
    found = []
    for contact in active:
        if contact.birthday is None:
            continue
        date = contact.birthday.next_date(today)
        in_days = (date - today).days
        if 0 <= in_days < days:
            year = contact.birthday.year
            found.append({
                "contact": ref(contact),
                "date": date,
                "in_days": in_days,
                "age": date.year - year if year else None,
            })
    return sorted(found, key=lambda b: (b["date"], fold(b["contact"]["name"])))


def _balance(vault: Vault, active: list[Contact], figs: dict[str, Figures], ref: Ref
             ) -> list[dict[str, Any]]:
    """SPEC 5.4: contacts I take from more than I give to, by the one-sided threshold."""
    surplus = int(_rule_option(vault, "one-sided", "min_surplus", 2))
    rows = []
    for contact in active:
        fig = figs[contact.path]
        # As the rule: at least one take, so a surplus of 0 does not list everyone.
        if fig.takes and fig.takes - fig.gives >= surplus:
            rows.append({"contact": ref(contact), "gives": fig.gives, "takes": fig.takes,
                         "mutual": fig.mutual, "balance": fig.balance})
    return sorted(rows, key=lambda r: (r["balance"], fold(r["contact"]["name"])))


def _goals(vault: Vault, today: dt.date, ref: Ref) -> list[dict[str, Any]]:
    """SPEC 5.5: every valid goal with its progress."""
    from netzmd.goals import goal_progress

    result = []
    for progress in goal_progress(vault, today):
        goal = progress.goal
        target = goal.target or 0
        counted = set(progress.counted)
        result.append({
            **progress.record(),
            "stem": _stem(goal.path),
            "link": _link(goal.path, goal.title),
            "elapsed": round(progress.elapsed, 4),
            "share": min(progress.achieved / target, 1.0) if target else 0.0,
            "expected_share": min(progress.expected / target, 1.0) if target else 0.0,
            "days_left": max((goal.by - today).days, 0) if goal.by else None,
            "members": [
                {**ref(member), "counts": member.name in counted} for member in progress.members
            ],
        })
    return result


def _last_week(active: list[Contact], today: dt.date, ref: Ref) -> list[dict[str, Any]]:
    """SPEC 5.6: interactions dated in the past 7 days; one line logged with three contacts
    is one item with three contacts."""
    items: dict[tuple[str, int | None, dt.date, str], dict[str, Any]] = {}
    for contact in active:
        for interaction in done(contact, today):
            if not 0 <= (today - interaction.date).days < LAST_WEEK_DAYS:
                continue
            key = (interaction.path, interaction.line, interaction.date, interaction.text)
            item = items.setdefault(key, _interaction_record(interaction))
            item["contacts"].append(ref(contact))
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
             bounds: tuple[dt.date, dt.date], ref: Ref) -> dict[str, Any]:
    """SPEC 5.7: key contacts with a done interaction in this calendar quarter, of the plan."""
    start, end = bounds
    required = int(_rule_option(vault, "quarterly-plan", "min_key_contacts", 2))
    key_contacts = sorted((c for c in active if c.circle == "key"), key=lambda c: fold(c.name))
    rows = []
    for contact in key_contacts:
        record = ref(contact)
        rows.append({"contact": record, "reached": record["quarter_interactions"] > 0,
                     "interactions": record["quarter_interactions"]})
    reached = sum(1 for r in rows if r["reached"])
    touched = [ref(c) for c in active if ref(c)["quarter_interactions"]]
    touched.sort(key=lambda r: (-r["quarter_interactions"], fold(r["name"]), r["path"]))
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


def _problems(findings: Sequence[Finding], lang: str) -> dict[str, Any]:
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
             "findings": [_finding_record(f, lang) for f in items]}
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


def _months_chart(active: list[Contact], today: dt.date) -> dict[str, Any]:
    """Interactions per month over the last 12 months, as bars."""
    months = _month_starts(today, CHART_MONTHS)
    counts = dict.fromkeys(months, 0)
    first = months[0]
    for contact in active:
        for interaction in done(contact, today):
            if interaction.date >= first:
                counts[interaction.date.replace(day=1)] += 1
    top = _nice_max(max(counts.values(), default=0) or 1)
    plot_h = _MONTHS_H - _MONTHS_TOP - _MONTHS_BOTTOM
    slot = (_MONTHS_W - _MONTHS_LEFT) / CHART_MONTHS
    bars = []
    for i, month in enumerate(months):
        count = counts[month]
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
        "total": sum(counts.values()),
        "bars": bars,
        "ticks": ticks,
    }


def _balance_chart(active: list[Contact], figs: dict[str, Figures], ref: Ref
                   ) -> dict[str, Any]:
    """Gives to the right, takes to the left of a middle line, per contact in the window.

    The contacts furthest out of balance, at most BALANCE_CHART_ROWS, most taken first.
    """
    rows = [(c, figs[c.path]) for c in active if figs[c.path].gives or figs[c.path].takes]
    rows.sort(key=lambda pair: (-abs(pair[1].balance), fold(pair[0].name)))
    rows = sorted(rows[:BALANCE_CHART_ROWS], key=lambda p: (p[1].balance, fold(p[0].name)))
    top = _nice_max(max((max(f.gives, f.takes) for _, f in rows), default=0) or 1)
    half = (_BAL_W - _BAL_LABEL) / 2
    middle = _BAL_LABEL + half
    unit = (half - 8) / top
    result = []
    for i, (contact, fig) in enumerate(rows):
        y = 8 + i * _BAL_ROW
        result.append({
            "contact": ref(contact),
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
