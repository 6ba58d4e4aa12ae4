"""The rule registry: every rule by id, in the order `netzmd rules` lists them."""

from __future__ import annotations

from netzmd.rules import balance, continuity, data, strategy
from netzmd.rules.base import Context, Rule


def _principle_rank(rule: Rule) -> str:
    # P1..P6 in order, rules without a principle after them; sorted() keeps module order.
    return rule.principle or "P~"


REGISTRY: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        *sorted((*balance.RULES, *continuity.RULES, *strategy.RULES), key=_principle_rank),
        *data.RULES,
    )
}

__all__ = ["REGISTRY", "Context", "Rule"]
