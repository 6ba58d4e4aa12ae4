"""Per-contact figures: what has happened, what is in the window, and the reuse helper."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from netzmd.relations import changed_positions, done, figures
from netzmd.vault import load_vault
from tests.conftest import make_vault

D = dt.date


def test_done_window_and_figures_around_today_and_the_window_edge(tmp_path: Path) -> None:
    vault = load_vault(make_vault(tmp_path, {"contacts/A.md": (
        "---\ncircle: key\n---\n"
        "- 2025-11-27 took: zu alt für das Fenster\n"
        "- 2025-11-28 gave: gerade noch im Fenster #privat\n"
        "- 2026-11-27 exchange: heute #karriere\n"
        "- 2026-11-27 took: auch heute\n"
        "- 2026-11-28 gave: morgen\n"
    )}))
    (anna,) = vault.contacts
    today = D(2026, 11, 27)
    assert [i.date for i in done(anna, today)] == [D(2025, 11, 27), D(2025, 11, 28), today, today]
    fig = figures(anna, today, 365)
    assert (fig.last, fig.days_since, fig.due, fig.overdue) == (today, 0, D(2027, 2, 25), False)
    assert (fig.interactions, fig.gives, fig.takes, fig.mutual, fig.personal, fig.career,
            fig.balance) == (3, 1, 1, 1, 1, 1, 0)
    # A day later the oldest take leaves the window, tomorrow's gift has happened.
    later = figures(anna, today + dt.timedelta(days=1), 365)
    assert (later.interactions, later.gives, later.takes) == (3, 1, 1)


def test_nothing_done_yet_and_a_window_reaching_before_the_calendar(tmp_path: Path) -> None:
    vault = load_vault(make_vault(tmp_path, {"contacts/A.md": (
        "---\ncadence: 4w\n---\n- 0001-01-02 call: früh\n- 2026-01-01 call: später\n"
    )}))
    (anna,) = vault.contacts
    before = figures(anna, D(1, 1, 1), 36500)
    assert (before.last, before.days_since, before.due, before.overdue, before.interactions) == (
        None, None, D(1, 1, 1), True, 0)
    assert done(anna, D(1, 1, 1)) == ()
    early = figures(anna, D(1, 1, 3), 36500)
    assert (early.last, early.days_since, early.interactions) == (D(1, 1, 2), 1, 1)


def test_changed_positions_only_for_a_few_new_objects_in_a_list_as_long() -> None:
    old = [object() for _ in range(16)]
    new = list(old)
    assert changed_positions(old, new) == []
    new[3], new[9] = object(), object()
    assert changed_positions(old, new) == [3, 9]
    # Most positions new, another length, or nothing before: rebuild instead.
    assert changed_positions(old, [object() for _ in range(16)]) is None
    assert changed_positions(old, new[:-1]) is None
    assert changed_positions([], []) is None


def test_a_cadence_past_the_end_of_the_calendar_is_never_due(tmp_path: Path) -> None:
    vault = load_vault(make_vault(tmp_path, {"contacts/A.md": (
        "---\ncadence: 99999y\n---\n- 2026-01-01 call: irgendwann\n"
    )}))
    (anna,) = vault.contacts
    fig = figures(anna, D(2026, 11, 27), 365)
    assert (fig.cadence_days, fig.due, fig.overdue) == (99999 * 365, None, False)
