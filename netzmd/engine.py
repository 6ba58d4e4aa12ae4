"""run_rules: select/ignore, levels and options from config, netzmd_ignore, archived contacts.

A caller that runs the rules again and again (watch mode) passes a `RuleMemo`: figures and
contact findings are then recomputed only for the contacts that changed.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Any, NamedTuple

from netzmd.config import Config
from netzmd.findings import Finding, Level
from netzmd.goals import GoalFolds
from netzmd.locale import finding_message
from netzmd.model import Contact, Vault
from netzmd.relations import Figures, changed_positions, figures
from netzmd.rules import REGISTRY, Context, Rule
from netzmd.rules.base import ContactCheck, VaultCheck

SortKey = tuple[int, str, int, int, str, str]
Keyed = tuple[SortKey, Finding]  # a finding with its sort key, computed once
_key = itemgetter(0)
_finding = itemgetter(1)


class SelectionError(ValueError):
    """--select/--ignore named a rule that does not exist."""


def check_rule_ids(ids: Iterable[str]) -> None:
    unknown = sorted(set(ids) - set(REGISTRY))
    if unknown:
        raise SelectionError(f"unknown rule: {', '.join(unknown)}")


def rule_level(rule: Rule, vault: Vault) -> Level | None:
    """The configured level of a rule; None when it is off."""
    text = vault.config.rules.get(rule.id, {}).get("level")
    if text is None:
        return rule.level
    return None if text == "off" else Level.parse(text)


def rule_options(rule: Rule, vault: Vault) -> dict[str, object]:
    settings = vault.config.rules.get(rule.id, {})
    return {**rule.options, **{k: v for k, v in settings.items() if k != "level"}}


class RuleMemo:
    """What a run of the rules keeps for the next one, for a caller that runs them again.

    Pass the same memo to each `run_rules` call of a long-running caller (watch mode):
    figures and contact findings are then recomputed only for `Contact` objects the
    previous run did not see — the loader hands over the very same object for an
    unchanged contact. Goal progress, the other vault-level rules and the loader's
    findings are recomputed every run, from the kept figures. The memo holds for one day,
    language, set of rules and config (equal `vault.config`); a run with any of them
    different starts afresh, and so does the run after one that raised. Findings are the
    same with and without a memo.

    After a run, `context` is the rules' `Context` of that run: its `figures` (by contact
    path) and `goal_progress` serve `digest.build_context(..., rule_context=memo.context)`.
    """

    def __init__(self) -> None:
        self.context: Context | None = None
        self._settings: tuple[dt.date, str, frozenset[str]] | None = None
        self._config: Config | None = None
        self._roster = _Roster()
        # id(loader finding) -> (finding, message): the loader keeps the findings of an
        # unchanged note, and their messages need not be rendered again.
        self._messages: dict[int, tuple[Finding, str]] = {}
        # Folded goal fields; they depend on the contacts alone.
        self._goal_folds = GoalFolds()

    def _begin(self, config: Config, settings: tuple[dt.date, str, frozenset[str]]) -> None:
        """Forget the contacts' findings if they were made for other settings."""
        if settings != self._settings or config != self._config:
            self._roster, self._messages = _Roster(), {}
            self._settings, self._config = settings, config

    def _forget(self) -> None:
        """Forget everything: after a failed run, parts may be half updated."""
        self._roster, self._messages, self._goal_folds = _Roster(), {}, GoalFolds()
        self._settings = self._config = None


def run_rules(
    vault: Vault,
    today: dt.date,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    lang: str = "en",
    memo: RuleMemo | None = None,
) -> list[Finding]:
    """All findings for the vault on `today`, sorted, with levels and messages stamped.

    `memo` keeps figures and per-contact findings for the next call (see `RuleMemo`).
    """
    plan = _plan(vault, select, ignore)
    caller_memo = memo is not None
    memo = memo if memo is not None else RuleMemo()
    memo._begin(vault.config, (today, lang, frozenset(plan.levels)))
    try:
        ctx = _check_contacts(vault, today, lang, memo, plan, figures_wanted=caller_memo)
        other = _other_findings(vault, ctx, lang, memo, plan)
    except BaseException:
        # A half-updated memo would give wrong findings next time.
        memo._forget()
        raise
    memo.context = ctx
    keyed = memo._roster.own + other
    if other:
        # The contacts' part is sorted already: this merges the rest in, stably.
        keyed.sort(key=_key)
    return list(map(_finding, keyed))


class _Plan(NamedTuple):
    """The rules of a run: selected, not off, with their levels and options."""

    levels: dict[str, Level]
    contact_checks: list[tuple[ContactCheck, dict[str, Any]]]
    vault_checks: list[tuple[VaultCheck, dict[str, Any]]]


def _plan(vault: Vault, select: Iterable[str] | None, ignore: Iterable[str]) -> _Plan:
    selected = set(select) if select else None
    ignored = set(ignore)
    check_rule_ids((selected or set()) | ignored)
    plan = _Plan({}, [], [])
    for rule in REGISTRY.values():
        if (selected is not None and rule.id not in selected) or rule.id in ignored:
            continue
        level = rule_level(rule, vault)
        if level is None:
            continue
        plan.levels[rule.id] = level
        if rule.contact_check is not None:
            plan.contact_checks.append((rule.contact_check, rule_options(rule, vault)))
        elif rule.vault_check is not None:
            plan.vault_checks.append((rule.vault_check, rule_options(rule, vault)))
    return plan


def _check_contacts(vault: Vault, today: dt.date, lang: str, memo: RuleMemo, plan: _Plan,
                    figures_wanted: bool) -> Context:
    """Bring the memo's roster up to `vault.contacts`; the Context for the vault rules."""
    roster = memo._roster
    if not plan.contact_checks and not figures_wanted:
        # Only vault rules run: figures are computed if one of them asks.
        roster.update_owners(vault.contacts)
        return Context(vault, today, goal_folds=memo._goal_folds)
    checking = Context(vault, today)  # contact checks read only today and the window
    roster.update(vault.contacts, lambda contact: _contact_entry(
        checking, contact, plan.contact_checks, plan.levels, lang))
    return Context(vault, today, figures=roster.figures, goal_folds=memo._goal_folds)


def _other_findings(vault: Vault, ctx: Context, lang: str, memo: RuleMemo, plan: _Plan
                    ) -> list[Keyed]:
    """The contacts' findings in other notes, the vault rules' and the loader's.

    They are few: whose they are, and their stamp, are decided every run.
    """
    roster, levels = memo._roster, plan.levels
    other: list[Keyed] = []
    for _, finding in roster.elsewhere:
        owner = roster.owner(finding)
        if owner is None or not _silences(owner, finding):
            if owner is not None and finding.contact is None:
                finding = finding.stamped(owner.name, finding.level, finding.message)
            other.append((finding.sort_key, finding))
    for vault_check, options in plan.vault_checks:
        for finding in vault_check(ctx, options):
            owner = roster.owner(finding)
            if owner is None or not _silences(owner, finding):
                stamped = _stamp(finding, owner, levels, finding_message(finding, lang))
                other.append((stamped.sort_key, stamped))
    # `previous` holds the findings it has messages for, so their ids are not reused.
    previous, memo._messages = memo._messages, {}
    for finding in vault.findings:
        if finding.rule not in levels:
            continue
        owner = roster.owner(finding)
        if owner is None or not _silences(owner, finding):
            cached = previous.get(id(finding))
            if cached is None:
                cached = (finding, finding_message(finding, lang))
            memo._messages[id(finding)] = cached
            stamped = _stamp(finding, owner, levels, cached[1])
            other.append((stamped.sort_key, stamped))
    return other


class _Entry(NamedTuple):
    """One contact's part of a run, kept while the `Contact` object is the same."""

    contact: Contact  # held, so that its id is not reused while the entry lives
    figures: Figures
    own: list[Keyed]  # stamped, in the contact's own file, netzmd_ignore applied
    elsewhere: list[Finding]  # stamped, in other notes: their owner is decided each run


_NOTHING: list[Any] = []  # shared by the entries without findings; never changed


def _contact_entry(
    ctx: Context,
    contact: Contact,
    checks: list[tuple[ContactCheck, dict[str, Any]]],
    levels: dict[str, Level],
    lang: str,
) -> _Entry:
    """Figures and stamped findings of one contact: what a RuleMemo keeps of it."""
    fig = figures(contact, ctx.today, ctx.window_days)
    if not contact.active or not checks:
        return _Entry(contact, fig, _NOTHING, _NOTHING)
    own: list[Keyed] = []
    elsewhere: list[Finding] = []
    for check, options in checks:
        found = check(ctx, contact, fig, options)
        if not found:
            continue
        for finding in found:
            message = finding_message(finding, lang)
            if finding.path != contact.path:
                elsewhere.append(finding.stamped(finding.contact, levels[finding.rule], message))
            elif not _silences(contact, finding):
                # In its own file the contact decides, in this run and the later ones.
                stamped = _stamp(finding, contact, levels, message)
                own.append((stamped.sort_key, stamped))
    return _Entry(contact, fig, own or _NOTHING, elsewhere or _NOTHING)


class _Roster:
    """The contacts of the latest run by position, and what the engine keeps of each.

    Besides the entries it keeps what spans contacts, so that a run in which only a few
    `Contact` objects are new patches these instead of going over all contacts again.
    """

    def __init__(self) -> None:
        self.contacts: tuple[Contact, ...] = ()
        self.entries: list[_Entry] = []
        self.figures: dict[str, Figures] = {}  # by path
        self.own: list[Keyed] = []  # every entry's `own`, sorted by key
        self.elsewhere: list[tuple[int, Finding]] = []  # (position, finding), by position
        self.paths: dict[str, int] = {}  # position by path
        self.names: dict[str, int] = {}  # the first position with a name

    def update(self, contacts: tuple[Contact, ...], make: Callable[[Contact], _Entry]) -> None:
        """Take over `contacts`; `make` computes the entry of a contact not seen before."""
        changed = changed_positions(self.contacts, contacts)
        # Patching keys figures by path; two contacts with one path (no loader makes them)
        # would have one entry, so such a vault is always rebuilt.
        if changed is None or len(self.paths) != len(self.contacts):
            self._rebuild(contacts, make)
        else:
            self._patch(contacts, changed, make)

    def update_owners(self, contacts: tuple[Contact, ...]) -> None:
        """Take over `contacts` for `owner()` only, in a roster of its own (no entries)."""
        self.contacts = contacts
        for position, contact in enumerate(contacts):
            self.paths[contact.path] = position
            self.names.setdefault(contact.name, position)

    def owner(self, finding: Finding) -> Contact | None:
        """The contact whose file the finding is in, else the first one it names."""
        position = self.paths.get(finding.path or "")
        if position is None and finding.contact:
            position = self.names.get(finding.contact)
        return None if position is None else self.contacts[position]

    def _rebuild(self, contacts: tuple[Contact, ...], make: Callable[[Contact], _Entry]
                 ) -> None:
        # The entries hold their contacts, so no other object has one of these ids.
        known = {id(entry.contact): entry for entry in self.entries}
        entries: list[_Entry] = []
        figs: dict[str, Figures] = {}
        own: list[Keyed] = []
        elsewhere: list[tuple[int, Finding]] = []
        paths: dict[str, int] = {}
        names: dict[str, int] = {}
        for position, contact in enumerate(contacts):
            entry = known.get(id(contact))
            if entry is None:
                entry = make(contact)
            entries.append(entry)
            figs[contact.path] = entry.figures
            paths[contact.path] = position
            names.setdefault(contact.name, position)
            if entry.own:
                own += entry.own
            if entry.elsewhere:
                elsewhere += [(position, finding) for finding in entry.elsewhere]
        own.sort(key=_key)  # stable: a contact's findings with equal keys stay in order
        self.contacts, self.entries, self.figures = contacts, entries, figs
        self.own, self.elsewhere, self.paths, self.names = own, elsewhere, paths, names

    def _patch(self, contacts: tuple[Contact, ...], changed: list[int],
               make: Callable[[Contact], _Entry]) -> None:
        old_contacts = self.contacts
        # A new dict: the previous run's context keeps the old one.
        self.figures = figs = dict(self.figures)
        self.contacts = contacts
        # Everything of the old contacts out first, then the new ones in: two changed
        # contacts may have swapped paths or names.
        for position in changed:
            old = self.entries[position]
            del figs[old.contact.path]
            del self.paths[old.contact.path]
            for item in old.own:
                self.own.pop(_index_of(self.own, item))
            start = bisect_left(self.elsewhere, position, key=_key)
            end = bisect_right(self.elsewhere, position, key=_key)
            del self.elsewhere[start:end]
        for position in changed:
            contact = contacts[position]
            entry = self.entries[position] = make(contact)
            figs[contact.path] = entry.figures
            self.paths[contact.path] = position
            for item in entry.own:
                insort(self.own, item, key=_key)  # after equal keys: the order they came in
            start = bisect_left(self.elsewhere, position, key=_key)
            self.elsewhere[start:start] = [(position, finding) for finding in entry.elsewhere]
        # Where a name stays at its position, the first position with it stays too.
        renamed = [p for p in changed if old_contacts[p].name != contacts[p].name]
        for name in {old_contacts[p].name for p in renamed} | {contacts[p].name for p in renamed}:
            self.names.pop(name, None)
            first = next((p for p, c in enumerate(contacts) if c.name == name), None)
            if first is not None:
                self.names[name] = first


def _index_of(items: list[Keyed], item: Keyed) -> int:
    """The position of this very item in a list sorted by key."""
    position = bisect_left(items, item[0], key=_key)
    while items[position] is not item:
        position += 1
    return position


def _silences(owner: Contact, finding: Finding) -> bool:
    """No rule fires for an archived contact, nor one listed in its netzmd_ignore."""
    return not owner.active or finding.rule in owner.ignore


def _stamp(finding: Finding, owner: Contact | None, levels: dict[str, Level], message: str
           ) -> Finding:
    """The finding with its configured level, its message, and its owner's name if unnamed."""
    contact = finding.contact
    if contact is None and owner is not None:
        contact = owner.name
    return finding.stamped(contact, levels[finding.rule], message)
