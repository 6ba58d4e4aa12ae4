"""P3 (quarterly plan) and P6: goals and a strategy — quality over quantity. Vault-level rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from netzmd.findings import Finding, Level
from netzmd.rules.base import Context, Findings, vault_rule


def _goal_findings(ctx: Context, rule_id: str, status: str) -> Findings:
    return [Finding(rule_id, path=item.goal.path,
                    data={"achieved": item.achieved, "expected": item.expected,
                          "target": item.goal.target})
            for item in ctx.goal_progress if item.status == status]


@vault_rule("goal-behind", Level.WARNING, "P6")
def goal_behind(ctx: Context, options: dict[str, Any]) -> Findings:
    return _goal_findings(ctx, "goal-behind", "behind")


@vault_rule("goal-missed", Level.WARNING, "P6")
def goal_missed(ctx: Context, options: dict[str, Any]) -> Findings:
    return _goal_findings(ctx, "goal-missed", "missed")


@vault_rule("no-goals", Level.INFO, "P6")
def no_goals(ctx: Context, options: dict[str, Any]) -> Findings:
    # A goal note with bad fields is still a goal: it gets `bad-field`, not this.
    if ctx.vault.goals:
        return ()
    return [Finding("no-goals", data={"folder": ctx.vault.config.goals})]


def quarter_of(day: dt.date) -> tuple[str, dt.date, dt.date]:
    """The calendar quarter holding `day`: its label (`2026-Q4`), first and last day."""
    index = (day.month - 1) // 3
    first = dt.date(day.year, 3 * index + 1, 1)
    # Not the day before next year's 1 January: there is no year 10000.
    last = (dt.date(day.year, 12, 31) if index == 3
            else dt.date(day.year, 3 * index + 4, 1) - dt.timedelta(days=1))
    return f"{day.year}-Q{index + 1}", first, last


@vault_rule("quarterly-plan", Level.WARNING, "P3", min_key_contacts=2, last_days=30)
def quarterly_plan(ctx: Context, options: dict[str, Any]) -> Findings:
    label, first, last = quarter_of(ctx.today)
    if (last - ctx.today).days >= options["last_days"]:
        return ()
    figures = ctx.figures
    # `last` is the latest done interaction up to today, so last >= first means "this quarter".
    reached = sum(
        1 for c in ctx.active
        if c.circle == "key" and (seen := figures[c.path].last) is not None and seen >= first
    )
    required = options["min_key_contacts"]
    if reached >= required:
        return ()
    return [Finding("quarterly-plan",
                    data={"reached": reached, "required": required, "quarter": label})]


@vault_rule("loose-network", Level.INFO, "P6", max_share=0.6, min_contacts=10)
def loose_network(ctx: Context, options: dict[str, Any]) -> Findings:
    figures = ctx.figures
    total = len(ctx.active)
    if total == 0 or total < options["min_contacts"]:
        return ()
    loose = [figures[c.path].interactions for c in ctx.active].count(0)
    if loose / total <= options["max_share"]:
        return ()
    return [Finding("loose-network", data={"loose": loose, "total": total})]


RULES = [quarterly_plan, goal_behind, goal_missed, no_goals, loose_network]
