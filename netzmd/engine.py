"""run_rules: select/ignore, levels and options from config, netzmd_ignore, archived contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from netzmd.findings import Finding, Level
from netzmd.locale import finding_message
from netzmd.model import Contact, Vault
from netzmd.rules import REGISTRY, Context, Rule
from netzmd.vault import record_builder


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


def run_rules(
    vault: Vault,
    today: dt.date,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    lang: str = "en",
) -> list[Finding]:
    """All findings for the vault on `today`, sorted, with levels and messages stamped."""
    selected = set(select) if select else None
    ignored = set(ignore)
    check_rule_ids((selected or set()) | ignored)
    ctx = Context(vault, today)
    by_path: dict[str, Contact] = {c.path: c for c in vault.contacts}
    by_name: dict[str, Contact] = {}
    for contact in vault.contacts:
        by_name.setdefault(contact.name, contact)
    active = [c for c in vault.contacts if c.active]

    levels: dict[str, Level] = {}
    raw: list[Finding] = []
    for rule in REGISTRY.values():
        if (selected is not None and rule.id not in selected) or rule.id in ignored:
            continue
        level = rule_level(rule, vault)
        if level is None:
            continue
        levels[rule.id] = level
        options = rule_options(rule, vault)
        check = rule.contact_check
        if check is not None:
            figures = ctx.figures
            for contact in active:
                raw.extend(check(ctx, contact, figures[contact.path], options))
        elif rule.vault_check is not None:
            raw.extend(rule.vault_check(ctx, options))
    raw.extend(f for f in vault.findings if f.rule in levels)

    result = []
    make_finding = record_builder(Finding)
    for finding in raw:
        owner: Contact | None = by_path.get(finding.path or "")
        if owner is None and finding.contact:
            owner = by_name.get(finding.contact)
        if owner is not None and (not owner.active or finding.rule in owner.ignore):
            continue
        if owner is not None and finding.contact is None:
            finding = replace(finding, contact=owner.name)
        # A positional builder, not replace(): a large vault has thousands of findings.
        result.append(
            make_finding(
                finding.rule,
                finding.path,
                finding.line,
                finding.contact,
                finding.data,
                levels[finding.rule],
                finding_message(finding, lang),
            )
        )
    # The key once per finding instead of twice per comparison; the same order.
    result.sort(key=_sort_key)
    return result


def _sort_key(finding: Finding) -> tuple[int, str, int, int, str, str]:
    return finding.sort_key
