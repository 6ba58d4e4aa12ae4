"""What a rule is: id, default level, principle, options, and a pure check function."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from netzmd.findings import Finding, Level
from netzmd.goals import GoalFolds, GoalProgress, goal_progress
from netzmd.model import Contact, Vault
from netzmd.relations import Figures, figures


class Context:
    """What every check sees: the loaded vault, today, and what is computed once per run.

    A contact check reads only its contact, that contact's figures, `today`, `window_days`
    and its options, never other contacts or `figures` of others: that is what lets the
    engine keep a contact's findings between runs while the `Contact` object is the same
    (`engine.RuleMemo`). Vault checks may read everything.
    """

    def __init__(
        self,
        vault: Vault,
        today: dt.date,
        *,
        figures: dict[str, Figures] | None = None,
        goal_folds: GoalFolds | None = None,
    ) -> None:
        self.vault = vault
        self.today = today
        self.window_days: int = vault.config.window_days
        self._figures = figures
        self._goal_folds = goal_folds
        self._goal_progress: list[GoalProgress] | None = None
        self._active: list[Contact] | None = None

    @property
    def active(self) -> list[Contact]:
        """The contacts that are not archived, in vault order: the ones rules look at."""
        if self._active is None:
            self._active = [c for c in self.vault.contacts if c.active]
        return self._active

    @property
    def figures(self) -> dict[str, Figures]:
        """Every contact's figures (archived ones too) by path, computed once."""
        if self._figures is None:
            window, today = self.window_days, self.today
            self._figures = {c.path: figures(c, today, window) for c in self.vault.contacts}
        return self._figures

    @property
    def goal_progress(self) -> list[GoalProgress]:
        """Every valid goal's progress: `goal-behind`, `goal-missed` and the digest read it."""
        if self._goal_progress is None:
            self._goal_progress = goal_progress(self.vault, self.today, self._goal_folds)
        return self._goal_progress


# A check returns its findings; `()` when it does not fire, which is the common case: a
# contact check runs for every contact, and a plain return costs less than a generator.
Findings = Sequence[Finding]
ContactCheck = Callable[[Context, Contact, Figures, dict[str, Any]], Findings]
VaultCheck = Callable[[Context, dict[str, Any]], Findings]


@dataclass(frozen=True)
class Rule:
    """A rule's declaration. Both checks are None for data rules the loader reports."""

    id: str
    level: Level
    principle: str | None
    options: dict[str, Any] = field(default_factory=dict)
    contact_check: ContactCheck | None = None
    vault_check: VaultCheck | None = None


def contact_rule(
    rule_id: str, level: Level, principle: str | None, **options: Any
) -> Callable[[ContactCheck], Rule]:
    """`check(ctx, contact, fig, options) -> Findings`, run for every active contact."""

    def wrap(check: ContactCheck) -> Rule:
        return Rule(rule_id, level, principle, options, contact_check=check)

    return wrap


def vault_rule(
    rule_id: str, level: Level, principle: str | None, **options: Any
) -> Callable[[VaultCheck], Rule]:
    """`check(ctx, options) -> Findings`, run once per run."""

    def wrap(check: VaultCheck) -> Rule:
        return Rule(rule_id, level, principle, options, vault_check=check)

    return wrap
