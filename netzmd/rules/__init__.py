"""The rule registry: every rule by id, in the order `netzmd rules` lists them."""

from __future__ import annotations

from netzmd.rules import continuity, data
from netzmd.rules.base import Context, Rule

REGISTRY: dict[str, Rule] = {rule.id: rule for rule in (*continuity.RULES, *data.RULES)}

__all__ = ["REGISTRY", "Context", "Rule"]
