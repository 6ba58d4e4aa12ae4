"""What a rule is: id, default level, principle, options, and a pure check function."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from netzmd.findings import Finding, Level
from netzmd.goals import GoalProgress, goal_progress
from netzmd.model import Contact, Vault
from netzmd.relations import Figures, figures


@dataclass
class Context:
    """What every check sees: the loaded vault, today, and figures computed once per contact."""

    vault: Vault
    today: dt.date

    @cached_property
    def figures(self) -> dict[str, Figures]:
        window = self.vault.config.window_days
        return {c.path: figures(c, self.today, window) for c in self.vault.contacts}

    @cached_property
    def goal_progress(self) -> list[GoalProgress]:
        """Every valid goal's progress: `goal-behind` and `goal-missed` both read it."""
        return goal_progress(self.vault, self.today)

    @property
    def window_days(self) -> int:
        return self.vault.config.window_days


ContactCheck = Callable[[Context, Contact, Figures, dict[str, Any]], Iterator[Finding]]
VaultCheck = Callable[[Context, dict[str, Any]], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A rule's declaration. `check` is None for data rules the loader reports."""

    id: str
    level: Level
    principle: str | None
    options: dict[str, Any] = field(default_factory=dict)
    contact_check: ContactCheck | None = None
    vault_check: VaultCheck | None = None


def contact_rule(
    rule_id: str, level: Level, principle: str | None, **options: Any
) -> Callable[[ContactCheck], Rule]:
    def wrap(check: ContactCheck) -> Rule:
        return Rule(rule_id, level, principle, options, contact_check=check)

    return wrap


def vault_rule(
    rule_id: str, level: Level, principle: str | None, **options: Any
) -> Callable[[VaultCheck], Rule]:
    def wrap(check: VaultCheck) -> Rule:
        return Rule(rule_id, level, principle, options, vault_check=check)

    return wrap
