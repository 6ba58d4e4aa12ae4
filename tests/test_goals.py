"""Goal progress (SPEC 2.5) and the `netzmd goals` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from netzmd.cli import cli
from netzmd.goals import goal_progress
from netzmd.vault import load_vault
from tests.conftest import make_vault

D = dt.date

NEPHRO = (
    "---\ntitle: Drei Kolleg:innen aus der Nephrologie kennenlernen\ntarget: 3\n"
    "since: 2026-07-01\nby: 2027-06-30\nmin_interactions: 2\nmatch:\n  specialty: Nephrologie\n"
    "---\n"
)
PRAXIS = "---\ntitle: Praxisnachfolge\ntarget: 2\nsince: 2026-01-01\nby: 2026-12-31\n---\n"


def contact(front: str, log: str = "") -> str:
    return f"---\n{front}---\n{log}"


def goals_vault(root: Path) -> Path:
    return make_vault(root, {
        "goals/Nephro.md": NEPHRO,
        "goals/Praxis.md": PRAXIS,
        # match, case-insensitive; two interactions since 2026-07-01
        "contacts/Ines.md": contact("specialty: nephrologie\n",
                                    "- 2026-07-01 met: DGfN\n- 2026-09-01 mail: Paper\n"),
        # match, but one of the two interactions lies before `since`
        "contacts/Jana.md": contact("specialty: Nephrologie\n",
                                    "- 2026-06-30 met: Tagung\n- 2026-09-01 mail: Dank\n"),
        # match, but the second interaction is after today (not done yet)
        "contacts/Lea.md": contact("specialty: Nephrologie\n",
                                   "- 2026-08-01 met: x\n- 2026-12-24 call: y\n"),
        # archived contacts never belong to a goal
        "contacts/Old.md": contact("specialty: Nephrologie\nstatus: archived\n",
                                   "- 2026-08-01 met: x\n- 2026-09-01 call: y\n"),
        # linked by title (other case, alias part) and by file name
        "contacts/Heinz.md": contact("goals: ['[[praxisnachfolge|Praxis]]']\n",
                                     "- 2026-03-01 call: Übergabe\n"),
        "contacts/Petra.md": contact("goals: '[[Praxis]]'\n"),
    })


def test_membership_counting_and_status(tmp_path: Path) -> None:
    vault = load_vault(goals_vault(tmp_path))
    nephro, praxis = goal_progress(vault, D(2026, 11, 27))
    assert [c.name for c in nephro.members] == ["Ines", "Jana", "Lea"]
    assert nephro.counted == ("Ines",)
    # 149 of 364 days: floor(3 × 149 / 364) = 1
    assert (nephro.achieved, nephro.expected, nephro.status) == (1, 1, "on-track")
    assert [c.name for c in praxis.members] == ["Heinz", "Petra"]
    assert praxis.counted == ("Heinz",)
    assert (praxis.achieved, praxis.expected, praxis.status) == (1, 1, "on-track")
    assert praxis.record() == {
        "title": "Praxisnachfolge", "path": "goals/Praxis.md", "target": 2, "achieved": 1,
        "expected": 1, "since": D(2026, 1, 1), "by": D(2026, 12, 31), "status": "on-track",
        "contacts": ["Heinz"],
    }


def test_status_at_since_at_by_and_after(tmp_path: Path) -> None:
    vault = load_vault(goals_vault(tmp_path))

    def praxis(day: dt.date) -> tuple[int, int, str, float]:
        item = goal_progress(vault, day)[1]
        return item.achieved, item.expected, item.status, item.elapsed

    # On `since` nothing is expected yet; before it, the fraction stays at 0.
    assert praxis(D(2026, 1, 1)) == (0, 0, "on-track", 0.0)
    assert praxis(D(2025, 12, 1)) == (0, 0, "on-track", 0.0)
    # 182 of 364 days: exactly half, floor(2 × 0.5) = 1, and Heinz counts from 1 March.
    assert praxis(D(2026, 7, 2)) == (1, 1, "on-track", 0.5)
    # On `by` the whole target is expected: behind, but not missed yet.
    assert praxis(D(2026, 12, 31)) == (1, 2, "behind", 1.0)
    assert praxis(D(2027, 1, 1)) == (1, 2, "missed", 1.0)


def test_done_wins_over_missed_and_min_interactions(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "goals/G.md": "---\ntarget: 1\nsince: 2026-01-01\nby: 2026-02-01\nmin_interactions: 2\n"
                      "match:\n  tags: nephro\n---\n",
        "contacts/A.md": contact("tags: [Kongress, '#Nephro']\n",
                                 "- 2026-01-05 call: a\n- 2026-03-01 call: b\n"),
    })
    vault = load_vault(tmp_path)
    (late,) = goal_progress(vault, D(2026, 2, 2))
    assert (late.achieved, late.status) == (0, "missed")
    # A's second interaction comes after `by`; [since, today] still counts it (SPEC 2.5).
    (done,) = goal_progress(vault, D(2026, 3, 1))
    assert (done.achieved, done.counted, done.status) == (1, ("A",), "done")


def test_match_needs_every_field_and_invalid_goals_are_skipped(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "goals/Both.md": "---\ntarget: 1\nsince: 2026-01-01\nby: 2027-01-01\n"
                         "match:\n  specialty: Nephrologie\n  organisation: Uniklinik\n---\n",
        "goals/Broken.md": "---\ntarget: 1\nsince: 2026-01-01\n---\n",
        "contacts/A.md": contact("specialty: Nephrologie\norganisation: UNIKLINIK\n",
                                 "- 2026-02-01 call: a\n"),
        "contacts/B.md": contact("specialty: Nephrologie\norganisation: Praxis\n",
                                 "- 2026-02-01 call: a\n"),
    })
    (both,) = goal_progress(load_vault(tmp_path), D(2026, 6, 1))
    assert both.goal.path == "goals/Both.md"
    assert [c.name for c in both.members] == ["A"]


# ---------------------------------------------------------------- CLI


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_goals_table_in_both_languages(tmp_path: Path) -> None:
    root = goals_vault(tmp_path)
    code, out = run("goals", "--vault", str(root), "--today", "2026-12-31", "--lang", "en",
                    "--no-color")
    assert code == 0
    # By the end of December Lea's second interaction (24 December) has happened: she counts.
    assert out.splitlines() == [
        "Goal                                                Progress"
        "                  Expected  Status    By",
        "Drei Kolleg:innen aus der Nephrologie kennenlernen  █████████████░░░░░░░ 2/3"
        "  1         on track  2027-06-30",
        "Praxisnachfolge                                     ██████████░░░░░░░░░░ 1/2"
        "  2         behind    2026-12-31",
    ]
    code, out = run("goals", "--vault", str(root), "--today", "2027-01-01", "--lang", "de",
                    "--no-color")
    assert code == 0
    assert out.splitlines() == [
        "Ziel                                                Fortschritt"
        "               Soll  Status    Bis",
        "Drei Kolleg:innen aus der Nephrologie kennenlernen  █████████████░░░░░░░ 2/3"
        "  1     im Plan   30.06.2027",
        "Praxisnachfolge                                     ██████████░░░░░░░░░░ 1/2"
        "  2     verfehlt  31.12.2026",
    ]


def test_goals_status_is_coloured(tmp_path: Path) -> None:
    root = goals_vault(tmp_path)
    result = CliRunner().invoke(cli, ["goals", "--vault", str(root), "--today", "2027-01-01",
                                      "--lang", "en"], color=True)
    assert "\x1b[31mmissed  \x1b[0m" in result.output


def test_goals_json_follows_spec(tmp_path: Path) -> None:
    root = goals_vault(tmp_path)
    code, out = run("goals", "--vault", str(root), "--today", "2026-11-27", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"title": "Drei Kolleg:innen aus der Nephrologie kennenlernen",
         "path": "goals/Nephro.md", "target": 3, "achieved": 1, "expected": 1,
         "since": "2026-07-01", "by": "2027-06-30", "status": "on-track",
         "contacts": ["Ines"]},
        {"title": "Praxisnachfolge", "path": "goals/Praxis.md", "target": 2, "achieved": 1,
         "expected": 1, "since": "2026-01-01", "by": "2026-12-31", "status": "on-track",
         "contacts": ["Heinz"]},
    ]


def test_goals_without_goals_and_with_a_broken_goal(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/A.md": contact("")})
    assert run("goals", "--vault", str(root), "--lang", "en") == (
        0, "No goals yet: add a note to goals/ with target, since and by.\n")
    assert run("goals", "--vault", str(root), "--format", "json") == (0, "[]\n")
    make_vault(tmp_path, {"goals/Broken.md": "---\ntarget: 1\nsince: 2026-01-01\n---\n"})
    code, out = run("goals", "--vault", str(root), "--lang", "de", "--today", "2026-11-27")
    assert code == 0
    assert out.splitlines() == [
        "goals/Broken.md: nicht angezeigt – target, since oder by fehlt oder ist falsch "
        "(siehe netzmd check)",
    ]


def test_match_on_booleans_numbers_and_dates(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "goals/G.md": "---\ntarget: 2\nsince: 2026-01-01\nby: 2027-01-01\n"
                      "match:\n  praxis: true\n  plz: 01067\n---\n",
        "goals/Met.md": "---\ntarget: 1\nsince: 2026-01-01\nby: 2027-01-01\n"
                        "match:\n  met: 2026-02-01\n---\n",
        "contacts/A.md": contact("praxis: TRUE\nplz: '01067'\nmet: 2026-02-01\n"),
        "contacts/B.md": contact("praxis: false\nplz: 01067\n", "- 2026-02-01 call: x\n"),
    })
    g, met = goal_progress(load_vault(tmp_path), D(2026, 6, 1))
    assert [c.name for c in g.members] == ["A"]
    assert (met.counted, met.status) == (("A",), "done")
