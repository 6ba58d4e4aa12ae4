"""The engine: levels and options from config, select/ignore, netzmd_ignore."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from netzmd.engine import SelectionError, run_rules
from netzmd.findings import Finding, Level
from netzmd.vault import load_vault
from tests.conftest import findings_for, make_vault

FILES = {
    "contacts/A.md": "---\ncircle: key\nbirthday: 12-01\n---\n- [ ] 2026-11-01 Anruf\n",
}


def test_levels_from_config_and_off(tmp_path: Path) -> None:
    make_vault(tmp_path, FILES)
    (tmp_path / "netzmd.toml").write_text(
        '[rules.overdue]\nlevel = "error"\n[rules.task-overdue]\nlevel = "off"\n',
        encoding="utf-8",
    )
    assert [(f.rule, f.level) for f in findings_for(tmp_path, "2026-11-27")] == [
        ("no-goals", Level.INFO),
        ("birthday", Level.INFO),
        ("overdue", Level.ERROR),
    ]


def test_select_and_ignore(tmp_path: Path) -> None:
    make_vault(tmp_path, FILES)
    vault = load_vault(tmp_path)
    today = dt.date(2026, 11, 27)
    assert [f.rule for f in run_rules(vault, today, select=["overdue"])] == ["overdue"]
    assert [f.rule for f in run_rules(vault, today, ignore=["overdue", "birthday"])] == [
        "no-goals", "task-overdue"
    ]
    with pytest.raises(SelectionError, match="overdu"):
        run_rules(vault, today, select=["overdu"])


def test_messages_in_both_languages(tmp_path: Path) -> None:
    make_vault(tmp_path, FILES)
    en = findings_for(tmp_path, "2026-11-27", {"birthday"}, lang="en")
    de = findings_for(tmp_path, "2026-11-27", {"birthday"}, lang="de")
    assert en[0].message == "birthday on 2026-12-01 (in 4 days)"
    assert de[0].message == "Geburtstag am 01.12.2026 (in 4 Tagen)"


def test_findings_sort_vault_level_first_then_path_line_rule() -> None:
    items = [
        Finding("b", path="z.md", line=2),
        Finding("a", path="z.md", line=None),
        Finding("c", path=None),
        Finding("a", path="a.md", line=10),
        Finding("a", path="z.md", line=2),
    ]
    assert [(f.path, f.line, f.rule) for f in sorted(items)] == [
        (None, None, "c"), ("a.md", 10, "a"), ("z.md", None, "a"), ("z.md", 2, "a"),
        ("z.md", 2, "b"),
    ]


def test_a_stamped_finding_is_a_complete_copy_with_contact_level_and_message() -> None:
    finding = Finding("overdue", path="contacts/A.md", line=3, data={"days_since": 4})
    stamped = finding.stamped("A", Level.ERROR, "seit 4 Tagen")
    assert stamped == replace(finding, contact="A", level=Level.ERROR, message="seit 4 Tagen")
    assert (finding.contact, finding.level, finding.message) == (None, Level.WARNING, "")


def test_archived_and_ignoring_contacts_silence_findings_in_other_notes(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/A.md": "---\nstatus: archived\n---\n",
        "contacts/B.md": "---\nnetzmd_ignore: [task-overdue]\n---\n",
        "contacts/C.md": "---\n---\n",
        "Journal/2026-11-01.md": "- [ ] 2026-11-02 [[A]], [[B]] und [[C]] anrufen\n",
    })
    assert [(f.rule, f.path, f.contact) for f in findings_for(tmp_path, "2026-11-27",
                                                              {"task-overdue"})] == [
        ("task-overdue", "Journal/2026-11-01.md", "C")]
