"""The command line through Click's runner (and once as a real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from netzmd.cli import cli
from tests.conftest import make_vault

ANNA = (
    "---\nname: Dr. Anna Keller\naliases: [Anna]\ncircle: key\nbirthday: 1980-12-01\n"
    "tags: [kongress]\ngoals: ['[[Nephro]]']\n---\n## Log\n"
    "- 2026-07-16 met: Kongress #fachlich\n- 2026-08-01 took: EKG-Zweitmeinung\n"
    "- [ ] 2026-11-01 Anruf wegen Arbeitsgruppe\n"
)
MUELLER = "---\nname: Jürgen Müller\ncircle: regular\n---\n- 2026-11-20 gave: Paper #geben\n"


def run(*args: str, vault: Path | None = None) -> tuple[int, str]:
    argv = list(args)
    if vault is not None:
        argv += ["--vault", str(vault)]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    return result.exit_code, result.output


def vault_with_findings(tmp_path: Path) -> Path:
    return make_vault(tmp_path, {
        "contacts/Anna Keller.md": ANNA,
        "contacts/Jürgen Müller.md": MUELLER,
        "goals/Nephro.md": "---\ntarget: 1\nsince: 2026-01-01\nby: 2027-01-01\n---\n",
    })


def test_check_text_output_and_exit_code(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    code, out = run("check", "--today", "2026-11-27", vault=root)
    assert code == 1
    assert out.splitlines() == [
        "contacts/Anna Keller.md: info birthday: birthday on 2026-12-01 (in 4 days)",
        "contacts/Anna Keller.md: warning overdue: last contact 118 days ago (2026-08-01); "
        "cadence is every 90 days",
        "contacts/Anna Keller.md:12: warning task-overdue: planned step was due on 2026-11-01: "
        "Anruf wegen Arbeitsgruppe",
        "2 contacts, 0 errors, 2 warnings, 1 info",
    ]


def test_check_german_and_options_before_command(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    result = CliRunner().invoke(
        cli, ["--vault", str(root), "--today", "2026-11-27", "check", "--lang", "de",
              "--select", "overdue"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "contacts/Anna Keller.md: warning overdue: letzter Kontakt vor 118 Tagen (01.08.2026); "
        "Rhythmus: alle 90 Tage",
        "2 Kontakte, 0 Fehler, 1 Warnung, 0 Hinweise",
    ]


def test_check_fail_on(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    assert run("check", "--today", "2026-11-27", "--fail-on", "error", vault=root)[0] == 0
    assert run("check", "--today", "2026-11-27", "--fail-on", "never", vault=root)[0] == 0
    assert run("check", "--today", "2026-11-27", "--select", "birthday", vault=root)[0] == 0
    assert run("check", "--today", "2026-11-27", "--select", "birthday", "--fail-on", "info",
               vault=root)[0] == 1


def test_check_clean_vault_exits_0(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {
        "contacts/Jürgen Müller.md": MUELLER,
        "goals/Nephro.md": "---\ntarget: 1\nsince: 2026-01-01\nby: 2027-01-01\n---\n",
    })
    code, out = run("check", "--today", "2026-11-27", vault=root)
    assert (code, out) == (0, "1 contacts, no findings.\n")


def test_check_json_follows_spec(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    code, out = run("check", "--today", "2026-11-27", "--format", "json", vault=root)
    data = json.loads(out)
    assert code == 1
    assert data["version"] == 1
    assert data["today"] == "2026-11-27"
    assert data["vault"] == str(root.resolve())
    assert data["summary"] == {"contacts": 2, "error": 0, "warning": 2, "info": 1}
    assert data["findings"][1] == {
        "rule": "overdue", "level": "warning", "path": "contacts/Anna Keller.md", "line": None,
        "contact": "Dr. Anna Keller",
        "message": "last contact 118 days ago (2026-08-01); cadence is every 90 days",
        "data": {"days_since": 118, "cadence_days": 90, "last": "2026-08-01"},
    }


def test_check_github_annotations(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    _, out = run("check", "--today", "2026-11-27", "--format", "github", vault=root)
    assert out.splitlines()[0] == (
        "::notice file=contacts/Anna Keller.md,title=birthday::birthday on 2026-12-01 (in 4 days)"
    )
    assert out.splitlines()[2].startswith(
        "::warning file=contacts/Anna Keller.md,line=12,title=task-overdue::")


def test_usage_and_config_errors_exit_2(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    assert run("check", "--today", "2026-13-01", vault=root)[0] == 2
    code, out = run("check", "--select", "nope", vault=root)
    assert code == 2 and "unknown rule: nope" in out
    (root / "netzmd.toml").write_text("window_days = 'x'\n", encoding="utf-8")
    code, out = run("check", vault=root)
    assert code == 2 and "window_days" in out
    code, out = run("check", vault=tmp_path / "missing")
    assert code == 2


def test_no_vault_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2
    assert "no vault found" in result.output


def test_today_from_environment(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--vault", str(root), "--select", "overdue"],
                                env={"NETZMD_TODAY": "2026-11-21"})
    assert result.exit_code == 1
    assert "last contact 112 days ago (2026-08-01)" in result.output


def test_list_json_fields(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    code, out = run("list", "--today", "2026-11-27", "--format", "json", vault=root)
    rows = json.loads(out)
    assert code == 0
    assert rows == [
        {"name": "Dr. Anna Keller", "path": "contacts/Anna Keller.md", "circle": "key",
         "cadence_days": 90, "last": "2026-08-01", "days_since": 118, "due": "2026-10-30",
         "overdue": True, "interactions": 2, "gives": 0, "takes": 1, "mutual": 0,
         "personal": 0, "career": 0, "tags": ["kongress"], "goals": ["Nephro"]},
        {"name": "Jürgen Müller", "path": "contacts/Jürgen Müller.md", "circle": "regular",
         "cadence_days": 182, "last": "2026-11-20", "days_since": 7, "due": "2027-05-21",
         "overdue": False, "interactions": 1, "gives": 1, "takes": 0, "mutual": 0,
         "personal": 0, "career": 0, "tags": [], "goals": []},
    ]


def test_list_filters_sort_and_csv(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    _, out = run("list", "--today", "2026-11-27", "--format", "json", "--overdue", vault=root)
    assert [r["name"] for r in json.loads(out)] == ["Dr. Anna Keller"]
    _, out = run("list", "--today", "2026-11-27", "--format", "json", "--sort", "name",
                 "--circle", "regular", vault=root)
    assert [r["name"] for r in json.loads(out)] == ["Jürgen Müller"]
    _, out = run("list", "--today", "2026-11-27", "--format", "json", "--tag", "#Kongress",
                 vault=root)
    assert [r["name"] for r in json.loads(out)] == ["Dr. Anna Keller"]
    _, out = run("list", "--today", "2026-11-27", "--format", "csv", "--sort", "balance",
                 vault=root)
    lines = out.splitlines()
    assert lines[0].startswith("name,path,circle,cadence_days,last,days_since,due,overdue")
    assert lines[1].startswith("Dr. Anna Keller,contacts/Anna Keller.md,key,90,2026-08-01,118,")


def test_list_table_german(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    code, out = run("list", "--today", "2026-11-27", "--lang", "de", "--no-color", vault=root)
    assert code == 0
    assert out.splitlines()[0].split() == ["Name", "Kreis", "Rhythmus", "Zuletzt", "Fällig",
                                           "Geben/Nehmen"]
    assert "30.10.2026 !" in out.splitlines()[1]


def test_show_finds_by_transliteration_and_lists_ambiguous(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    code, out = run("show", "mueller", "--today", "2026-11-27", "--no-color", vault=root)
    assert code == 0
    assert out.splitlines()[0] == "Jürgen Müller"
    assert "2026-11-20  give     Paper #geben" in out
    make_vault(root, {"contacts/Anna Kellermann.md": "---\n---\n"})
    code, out = run("show", "kell", "--today", "2026-11-27", vault=root)
    assert code == 2
    assert "Dr. Anna Keller  (contacts/Anna Keller.md)" in out
    assert "Anna Kellermann  (contacts/Anna Kellermann.md)" in out
    code, out = run("show", "niemand", vault=root)
    assert (code, out) == (2, "No contact matches 'niemand'.\n")


def test_show_lists_findings_and_tasks(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    code, out = run("show", "anna", "--today", "2026-11-27", "--lang", "de", "--no-color",
                    vault=root)
    assert code == 0
    assert "Geplante Schritte" in out
    assert "[ ] 01.11.2026  Anruf wegen Arbeitsgruppe" in out
    assert "warning overdue: letzter Kontakt vor 118 Tagen" in out


def test_export_json(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    code, out = run("export", "json", "--today", "2026-11-27", vault=root)
    anna = json.loads(out)[0]
    assert code == 0
    assert anna["fields"] == {
        "name": "Dr. Anna Keller", "aliases": ["Anna"], "circle": "key",
        "birthday": "1980-12-01", "tags": ["kongress"], "goals": ["[[Nephro]]"],
    }
    assert anna["interactions_all"] == [
        {"date": "2026-07-16", "kind": "met", "direction": "touch", "personal": False,
         "career": False, "text": "Kongress #fachlich", "path": "contacts/Anna Keller.md",
         "line": 10},
        {"date": "2026-08-01", "kind": "took", "direction": "take", "personal": False,
         "career": False, "text": "EKG-Zweitmeinung", "path": "contacts/Anna Keller.md",
         "line": 11},
    ]
    assert anna["days_since"] == 118


def test_rules_lists_every_rule(tmp_path: Path) -> None:
    code, out = run("rules", "--lang", "de", vault=tmp_path)
    assert code == 0
    assert any(line.startswith("overdue") and "P3" in line and "Rhythmus" in line
               for line in out.splitlines())
    _, out = run("rules", "--format", "json", vault=tmp_path)
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["no-follow-up"]["options"] == {"within_days": 14, "horizon_days": 180}


def test_real_subprocess(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    env = {**os.environ, "NETZMD_TODAY": "2026-11-27", "LANG": "de_DE.UTF-8"}
    env.pop("LC_ALL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "netzmd", "check", "--vault", str(root), "--no-color"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert proc.stdout.splitlines()[-1] == "2 Kontakte, 0 Fehler, 2 Warnungen, 1 Hinweise"
    version = subprocess.run([sys.executable, "-m", "netzmd", "--version"],
                             capture_output=True, text=True, check=True)
    assert version.stdout.startswith("netzmd, version ")


def test_control_characters_from_notes_never_reach_the_terminal(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {
        "contacts/Evil.md": '---\nname: "Eve\\e]0;pwned\\a\\nX"\ncircle: key\n---\n'
                            "- 2026-01-02 call: a\x1b[2Jb\n",
    })
    for args in (["check", "--today", "2026-11-27"], ["list", "--today", "2026-11-27"],
                 ["show", "eve", "--today", "2026-11-27"]):
        _, out = run(*args, vault=root)
        assert "\x1b" not in out and "\x07" not in out, args
        if args[0] != "check":  # check names the file, not the contact
            assert "Eve\ufffd]0;pwned\ufffd\ufffdX" in out, args


def test_today_in_the_last_year_is_refused(tmp_path: Path) -> None:
    root = vault_with_findings(tmp_path)
    code, out = run("check", "--today", "9999-12-31", vault=root)
    assert code == 2 and "not a date" in out


def test_unclosed_front_matter_message_has_no_empty_column(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/A.md": "---\nname: A\n"})
    _, out = run("check", "--today", "2026-11-27", "--select", "yaml-error", vault=root)
    assert out.splitlines()[0].startswith("contacts/A.md:1: error yaml-error: front matter: ")
    assert "column" not in out
