"""P3 quarterly plan and P6 goals and strategy: vault-level rules."""

from __future__ import annotations

from pathlib import Path

from netzmd.findings import Level
from tests.conftest import findings_for, make_vault, summary

STRATEGY = {"goal-behind", "goal-missed", "no-goals", "quarterly-plan", "loose-network"}
GOAL = "---\ntitle: Praxisnachfolge\ntarget: 2\nsince: 2026-01-01\nby: 2026-12-31\n---\n"


def contact(front: str, log: str = "") -> str:
    return f"---\n{front}---\n{log}"


def config(root: Path, text: str) -> None:
    (root / "netzmd.toml").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- goals


def goal_vault(root: Path) -> None:
    make_vault(root, {
        "goals/Praxis.md": GOAL,
        "contacts/Heinz.md": contact("goals: ['[[Praxisnachfolge]]']\n",
                                     "- 2026-01-01 call: Übergabe\n"),
        "contacts/Petra.md": contact("goals: ['[[Praxis]]']\n"),
    })


def test_goal_at_since_at_by_and_the_day_after(tmp_path: Path) -> None:
    goal_vault(tmp_path)
    # On `since`: nothing expected yet, and Heinz counts already (interaction on that day).
    assert findings_for(tmp_path, "2026-01-01", {"goal-behind", "goal-missed"}) == []
    # On `by`: the whole target is expected, 1 of 2 reached: behind, not missed yet.
    assert summary(findings_for(tmp_path, "2026-12-31", {"goal-behind", "goal-missed"})) == [
        ("goal-behind", "goals/Praxis.md", None, {"achieved": 1, "expected": 2, "target": 2}),
    ]
    assert summary(findings_for(tmp_path, "2027-01-01", {"goal-behind", "goal-missed"})) == [
        ("goal-missed", "goals/Praxis.md", None, {"achieved": 1, "expected": 2, "target": 2}),
    ]


def test_goal_behind_half_way_and_done(tmp_path: Path) -> None:
    goal_vault(tmp_path)
    # 2026-07-02 is 182 of 364 days: expected floor(2 × 0.5) = 1, reached 1.
    assert findings_for(tmp_path, "2026-07-02", STRATEGY) == []
    make_vault(tmp_path, {"contacts/Petra.md": contact("goals: ['[[Praxis]]']\n",
                                                       "- 2026-12-01 call: Abrechnung\n")})
    assert findings_for(tmp_path, "2027-03-01", {"goal-behind", "goal-missed"}) == []


def test_goal_rules_levels_and_archived_members(tmp_path: Path) -> None:
    goal_vault(tmp_path)
    make_vault(tmp_path, {
        "contacts/Petra.md": contact("goals: ['[[Praxis]]']\nstatus: archived\n",
                                     "- 2026-12-01 call: Abrechnung\n"),
    })
    config(tmp_path, '[rules.goal-missed]\nlevel = "error"\n')
    found = findings_for(tmp_path, "2027-01-01", {"goal-behind", "goal-missed"})
    assert [(f.rule, f.level, f.data["achieved"]) for f in found] == [
        ("goal-missed", Level.ERROR, 1),
    ]
    config(tmp_path, '[rules.goal-missed]\nlevel = "off"\n')
    assert findings_for(tmp_path, "2027-01-01") == []


def test_goal_messages(tmp_path: Path) -> None:
    goal_vault(tmp_path)
    (en,) = findings_for(tmp_path, "2026-12-31", {"goal-behind"}, lang="en")
    (de,) = findings_for(tmp_path, "2026-12-31", {"goal-behind"}, lang="de")
    assert en.message == ("1 of 2 contacts so far, 2 expected by now — who could they be, how "
                          "can you reach them, and when will you get in touch?")
    assert de.message == ("bisher 1 von 2 Kontakten, nach Plan wären jetzt 2 erreicht – wer "
                          "kommt in Frage, wie erreichst Du sie, und wann meldest Du Dich?")


# ---------------------------------------------------------------- no-goals


def test_no_goals(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/A.md": contact("")})
    assert summary(findings_for(tmp_path, "2026-11-27", STRATEGY)) == [
        ("no-goals", None, None, {"folder": "goals"}),
    ]
    (de,) = findings_for(tmp_path, "2026-11-27", {"no-goals"}, lang="de")
    assert de.level is Level.INFO
    assert de.message.startswith("noch keine Ziele – setz Dir eines für die nächsten zwölf")
    assert de.message.endswith("als Notiz in goals/")
    config(tmp_path, 'goals = "Ziele"\n')
    assert summary(findings_for(tmp_path, "2026-11-27", {"no-goals"})) == [
        ("no-goals", None, None, {"folder": "Ziele"}),
    ]
    # An incomplete goal is still a goal: it gets bad-field, not no-goals.
    make_vault(tmp_path, {"Ziele/Halb.md": "---\ntarget: 2\nsince: 2026-01-01\n---\n"})
    assert summary(findings_for(tmp_path, "2026-11-27", {"no-goals", "bad-field"})) == [
        ("bad-field", "Ziele/Halb.md", None, {"field": "by", "value": None, "expected": "date"}),
    ]


# ---------------------------------------------------------------- quarterly-plan


def quarter_vault(root: Path) -> None:
    make_vault(root, {
        "goals/Praxis.md": GOAL,
        "contacts/Reached.md": contact("circle: key\n", "- 2026-10-01 call: Q4\n"),
        "contacts/LastQuarter.md": contact("circle: key\n", "- 2026-09-30 call: Q3\n"),
        "contacts/Archived.md": contact("circle: key\nstatus: archived\n",
                                        "- 2026-11-01 call: Q4\n"),
        "contacts/Regular.md": contact("circle: regular\n", "- 2026-11-01 call: Q4\n"),
    })


def test_quarterly_plan_in_the_last_30_days(tmp_path: Path) -> None:
    quarter_vault(tmp_path)
    # 2026-12-31 - 2026-12-02 = 29 days < 30: reported; on 2026-12-01 (30 days) not yet.
    assert summary(findings_for(tmp_path, "2026-12-02", {"quarterly-plan"})) == [
        ("quarterly-plan", None, None, {"reached": 1, "required": 2, "quarter": "2026-Q4"}),
    ]
    assert findings_for(tmp_path, "2026-12-01", {"quarterly-plan"}) == []
    # The last day of the quarter still counts; the first day of the next starts afresh.
    assert summary(findings_for(tmp_path, "2026-12-31", {"quarterly-plan"})) == [
        ("quarterly-plan", None, None, {"reached": 1, "required": 2, "quarter": "2026-Q4"}),
    ]
    assert findings_for(tmp_path, "2027-01-01", {"quarterly-plan"}) == []
    # Q1 of 2027: nobody reached yet, 29 days before 31 March.
    assert summary(findings_for(tmp_path, "2027-03-02", {"quarterly-plan"})) == [
        ("quarterly-plan", None, None, {"reached": 0, "required": 2, "quarter": "2027-Q1"}),
    ]


def test_quarterly_plan_in_the_last_quarter_of_the_calendar(tmp_path: Path) -> None:
    quarter_vault(tmp_path)
    assert summary(findings_for(tmp_path, "9999-12-02", {"quarterly-plan"})) == [
        ("quarterly-plan", None, None, {"reached": 0, "required": 2, "quarter": "9999-Q4"}),
    ]


def test_quarterly_plan_enough_key_contacts_and_options(tmp_path: Path) -> None:
    quarter_vault(tmp_path)
    make_vault(tmp_path, {"contacts/Second.md": contact("circle: key\n",
                                                        "- 2026-12-01 mail: Paper\n")})
    assert findings_for(tmp_path, "2026-12-10", {"quarterly-plan"}) == []
    config(tmp_path, "[rules.quarterly-plan]\nmin_key_contacts = 3\nlast_days = 31\n")
    assert summary(findings_for(tmp_path, "2026-12-01", {"quarterly-plan"})) == [
        ("quarterly-plan", None, None, {"reached": 2, "required": 3, "quarter": "2026-Q4"}),
    ]
    (en,) = findings_for(tmp_path, "2026-12-01", {"quarterly-plan"}, lang="en")
    assert en.message == ("2 of 3 key contacts reached in 2026-Q4, and the quarter ends soon — "
                          "write a short message to two or three key contacts")


# ---------------------------------------------------------------- loose-network


def network(loose: int, kept: int, archived: int = 0) -> dict[str, str]:
    files = {f"contacts/Loose{i:02d}.md": contact("", "- 2025-11-27 call: vor einem Jahr\n")
             for i in range(loose)}
    files.update({f"contacts/Kept{i:02d}.md": contact("", "- 2025-11-28 call: gerade noch\n")
                  for i in range(kept)})
    files.update({f"contacts/Gone{i:02d}.md": contact("status: archived\n")
                  for i in range(archived)})
    files["goals/Praxis.md"] = GOAL
    return files


def test_loose_network_share(tmp_path: Path) -> None:
    # 7 of 10 had no interaction in the window (365 days ago is outside, 364 inside).
    make_vault(tmp_path / "a", network(loose=7, kept=3, archived=5))
    assert summary(findings_for(tmp_path / "a", "2026-11-27", {"loose-network"})) == [
        ("loose-network", None, None, {"loose": 7, "total": 10}),
    ]
    # exactly 6 of 10 is not more than 0.6
    make_vault(tmp_path / "b", network(loose=6, kept=4))
    assert findings_for(tmp_path / "b", "2026-11-27", {"loose-network"}) == []
    # all 9 loose, but fewer than 10 active contacts: too few to judge
    make_vault(tmp_path / "c", network(loose=9, kept=0, archived=3))
    assert findings_for(tmp_path / "c", "2026-11-27", {"loose-network"}) == []
    config(tmp_path / "c", "[rules.loose-network]\nmin_contacts = 9\nmax_share = 0.95\n")
    assert summary(findings_for(tmp_path / "c", "2026-11-27", {"loose-network"})) == [
        ("loose-network", None, None, {"loose": 9, "total": 9}),
    ]


def test_a_quiet_well_kept_vault_has_no_strategy_findings(tmp_path: Path) -> None:
    quarter_vault(tmp_path)
    make_vault(tmp_path, {"contacts/Second.md": contact(
        "circle: key\ngoals: ['[[Praxisnachfolge]]']\n", "- 2026-12-01 mail: Paper\n")})
    assert findings_for(tmp_path, "2026-12-10", STRATEGY) == []
