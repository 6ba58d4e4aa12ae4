"""Loading: discovery, ignored paths, bad input as findings, link resolution, de-duplication."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from netzmd.config import ConfigError
from netzmd.vault import VaultError, find_root, load_vault
from tests.conftest import findings_for, make_vault, summary

ANNA = """---
name: Dr. Anna Keller
aliases: [Anna]
circle: key
---
Kardiologin.

## Log
- 2026-03-14 met: Kongress, Gespräch über die Leitlinie #fachlich
- 2026-03-20 gave: Paper zur Leitlinie geschickt
"""


def test_contact_fields_and_log(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/Anna Keller.md": ANNA})
    vault = load_vault(tmp_path)
    (anna,) = vault.contacts
    assert anna.name == "Dr. Anna Keller"
    assert anna.path == "contacts/Anna Keller.md"
    assert anna.cadence_days == 90
    assert [(i.date, i.kind, i.direction, i.line) for i in anna.interactions] == [
        (dt.date(2026, 3, 14), "met", "touch", 9),
        (dt.date(2026, 3, 20), "gave", "give", 10),
    ]
    assert vault.findings == ()


def test_crlf_and_bom_give_same_result(tmp_path: Path) -> None:
    crlf = "\ufeff" + ANNA.replace("\n", "\r\n")
    make_vault(tmp_path, {"contacts/Anna Keller.md": crlf})
    (anna,) = load_vault(tmp_path).contacts
    assert anna.name == "Dr. Anna Keller"
    assert [i.line for i in anna.interactions] == [9, 10]


def test_entries_in_other_notes_count_for_linked_contacts(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna Keller.md": ANNA,
        "contacts/Jürgen Müller.md": "---\ncircle: regular\n---\n",
        "notes/Fallkonferenz.md": (
            "# Fallkonferenz\n"
            "- 2026-05-02 austausch: Fall besprochen mit [[dr. anna keller|Anna]] "
            "und [[Jürgen Müller#Log]]\n"
        ),
    })
    vault = load_vault(tmp_path)
    by_name = {c.name: c for c in vault.contacts}
    assert [(i.date, i.direction, i.path) for i in by_name["Jürgen Müller"].interactions] == [
        (dt.date(2026, 5, 2), "mutual", "notes/Fallkonferenz.md")
    ]
    assert dt.date(2026, 5, 2) in [i.date for i in by_name["Dr. Anna Keller"].interactions]


def test_dated_note_lines_linking_contacts_are_touches(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna Keller.md": ANNA,
        "Journal/2026-07-10.md": (
            "Frühstück nach der Tagung mit [[Anna]] #persönlich\n"
            "> Zitat von [[Anna]] am Rand\n"
            "- [ ] [[Anna]] anrufen\n"
            "![[Anna]]\n"
            "```\n[[Anna]] im Code\n```\n"
        ),
        "Notizen/undatiert.md": "Gedanken zu [[Anna]]\n",
        "Journal/Besprechung.md": "---\ndate: 2026-08-03\n---\nMit [[Anna]] telefoniert\n",
    })
    (anna,) = load_vault(tmp_path).contacts
    added = [(i.date, i.direction, i.personal, i.path, i.line) for i in anna.interactions
             if i.path != anna.path]
    assert added == [
        (dt.date(2026, 7, 10), "touch", True, "Journal/2026-07-10.md", 1),
        (dt.date(2026, 8, 3), "touch", False, "Journal/Besprechung.md", 4),
    ]


def test_same_contact_date_direction_counts_once(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna Keller.md": ANNA,
        "Journal/2026-03-20.md": "- 2026-03-20 gave: Paper an [[Anna]] geschickt\n",
    })
    (anna,) = load_vault(tmp_path).contacts
    assert [(i.date, i.path) for i in anna.interactions] == [
        (dt.date(2026, 3, 14), "contacts/Anna Keller.md"),
        (dt.date(2026, 3, 20), "contacts/Anna Keller.md"),
    ]


def test_met_counts_as_interaction_unless_logged_that_day(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/A.md": "---\nmet: 2026-01-10\nmet_at: DGIM\n---\n",
        "contacts/B.md": "---\nmet: 2026-03-14\n---\n- 2026-03-14 met: Kongress\n",
    })
    a, b = load_vault(tmp_path).contacts
    assert [(i.date, i.kind, i.text, i.line) for i in a.interactions] == [
        (dt.date(2026, 1, 10), "met", "DGIM", None)
    ]
    assert [(i.date, i.line) for i in b.interactions] == [(dt.date(2026, 3, 14), 4)]


def test_bad_fields_are_findings_at_their_line_and_contact_still_loads(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": (
            "---\nname: Anna\ncadence: sometimes\nbirthday: soon\ncircle: vip\n"
            "phone: 0301234567\nnetzmd_ignore: [overdue, not-a-rule]\n---\n"
        ),
    })
    vault = load_vault(tmp_path)
    (anna,) = vault.contacts
    assert anna.name == "Anna"
    assert anna.cadence_days is None and anna.birthday is None and anna.circle is None
    assert anna.fields["phone"] == "0301234567"
    assert summary(findings_for(tmp_path, "2026-11-27")) == [
        ("no-goals", None, None, {"folder": "goals"}),
        ("bad-field", "contacts/Anna.md", 3,
         {"field": "cadence", "value": "sometimes", "expected": "cadence"}),
        ("bad-field", "contacts/Anna.md", 4,
         {"field": "birthday", "value": "soon", "expected": "birthday"}),
        ("bad-field", "contacts/Anna.md", 5,
         {"field": "circle", "value": "vip", "expected": "circle"}),
        ("bad-field", "contacts/Anna.md", 7,
         {"field": "netzmd_ignore", "value": "overdue, not-a-rule", "expected": "rules"}),
    ]


def test_single_string_is_a_one_item_list(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/A.md": "---\ntags: kongress\naliases: Toni\n---\n"})
    (a,) = load_vault(tmp_path).contacts
    assert a.tags == ("kongress",)
    assert a.aliases == ("Toni",)


def test_yaml_error_keeps_the_log(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": "---\nname: Anna\nrole: a: b\n---\n- 2026-11-01 call: kurz\n",
    })
    vault = load_vault(tmp_path)
    (anna,) = vault.contacts
    assert anna.name == "Anna"  # file name: the fields are gone
    assert [i.date for i in anna.interactions] == [dt.date(2026, 11, 1)]
    (finding,) = findings_for(tmp_path, "2026-11-27", {"yaml-error"})
    assert (finding.rule, finding.path, finding.line) == ("yaml-error", "contacts/Anna.md", 3)


def test_encoding_error_skips_file_and_run_goes_on(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Latin.md": "---\nname: x\n---\nM\xfcller\n".encode("latin-1"),
        "contacts/Ok.md": "---\nname: Ok\n---\n",
    })
    vault = load_vault(tmp_path)
    assert [c.name for c in vault.contacts] == ["Ok"]
    assert summary(findings_for(tmp_path, "2026-11-27")) == [
        ("no-goals", None, None, {"folder": "goals"}),
        ("encoding-error", "contacts/Latin.md", 4, {"byte": 17}),
    ]


def test_too_large_file_is_skipped(tmp_path: Path) -> None:
    big = "---\nname: Big\n---\n" + ("x" * 100 + "\n") * 21000
    make_vault(tmp_path, {"contacts/Big.md": big})
    (finding,) = findings_for(tmp_path, "2026-11-27", {"file-too-large"})
    assert (finding.rule, finding.path, finding.level.label) == (
        "file-too-large", "contacts/Big.md", "warning")


def test_ignored_paths_and_conflict_copies(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": "---\nname: Anna\n---\n",
        "contacts/Anna.sync-conflict-20261101-101010-ABCDEFG.md": "---\nname: Anna\n---\n",
        "contacts/Anna (Conflicted copy 2026-11-01).md": "---\nname: Anna\n---\n",
        ".obsidian/x.md": "- 2026-01-01 [[Anna]]\n",
        ".trash/Old.md": "---\nname: Old\n---\n",
        "contacts/.hidden.md": "---\nname: Hidden\n---\n",
        "digest/2026-W48.md": "- 2026-11-20 gave: [[Anna]]\n",
    })
    vault = load_vault(tmp_path)
    assert [c.name for c in vault.contacts] == ["Anna"]
    assert vault.contacts[0].interactions == ()
    assert summary(findings_for(tmp_path, "2026-11-27")) == [
        ("no-goals", None, None, {"folder": "goals"}),
        ("conflict-copy", "contacts/Anna (Conflicted copy 2026-11-01).md", None, {}),
        ("conflict-copy", "contacts/Anna.sync-conflict-20261101-101010-ABCDEFG.md", None, {}),
    ]


def test_symlinks_outside_the_vault_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    make_vault(outside, {"Secret.md": "---\nname: Secret\n---\n", "dir/S2.md": "x\n"})
    vault_root = make_vault(tmp_path / "vault", {"contacts/Anna.md": "---\nname: Anna\n---\n"})
    os.symlink(outside / "Secret.md", vault_root / "contacts" / "Secret.md")
    os.symlink(outside / "dir", vault_root / "contacts" / "dir")
    os.symlink(vault_root / "contacts" / "Anna.md", vault_root / "Anna-link.md")
    vault = load_vault(vault_root)
    assert [c.name for c in vault.contacts] == ["Anna"]
    assert summary(findings_for(vault_root, "2026-11-27")) == [
        ("no-goals", None, None, {"folder": "goals"}),
        ("outside-vault", "contacts/Secret.md", None, {}),
        ("outside-vault", "contacts/dir", None, {}),
    ]


def test_duplicate_contact_on_later_file_and_key_resolves_to_earlier(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/A Weber.md": "---\naliases: [Dr. Weber]\n---\n",
        "contacts/B Weber.md": "---\naliases: [dr. weber]\n---\n",
        "Journal/2026-11-02.md": "Telefonat mit [[Dr. Weber]]\n",
    })
    vault = load_vault(tmp_path)
    a, b = vault.contacts
    assert len(a.interactions) == 1 and b.interactions == ()
    assert summary(findings_for(tmp_path, "2026-11-27", {"duplicate-contact"})) == [
        ("duplicate-contact", "contacts/B Weber.md", None,
         {"key": "dr. weber", "other": "contacts/A Weber.md"}),
    ]


def test_open_tasks_belong_to_contacts(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": "---\n---\n- [ ] 2026-12-01 Anruf\n- [ ] ohne Datum\n",
        "Journal/2026-11-01.md": "- [ ] Abstract für [[Anna]] gegenlesen 📅 2026-12-05\n",
    })
    (anna,) = load_vault(tmp_path).contacts
    assert [(t.due, t.path, t.line) for t in anna.tasks] == [
        (dt.date(2026, 12, 1), "contacts/Anna.md", 3),
        (dt.date(2026, 12, 5), "Journal/2026-11-01.md", 1),
    ]
    assert anna.interactions == ()


def test_configured_folders(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "Kontakte/Anna.md": "---\nname: Anna\n---\n",
        "contacts/NotAContact.md": "---\nname: X\n---\n",
    })
    (tmp_path / "netzmd.toml").write_text('contacts = "Kontakte"\n', encoding="utf-8")
    assert [c.name for c in load_vault(tmp_path).contacts] == ["Anna"]


def test_invalid_config_names_the_key(tmp_path: Path) -> None:
    make_vault(tmp_path, {})
    (tmp_path / "netzmd.toml").write_text("[rules.overdue]\nlevle = 'error'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules\.overdue\.levle"):
        load_vault(tmp_path)


def test_find_root_walks_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_vault(tmp_path, {"contacts/A.md": ""})
    deep = tmp_path / "contacts" / "sub"
    deep.mkdir()
    assert find_root(None, deep) == tmp_path.resolve()
    monkeypatch.setenv("NETZMD_VAULT", str(tmp_path / "contacts"))
    assert find_root(None, deep) == (tmp_path / "contacts").resolve()
    assert find_root(tmp_path, deep) == tmp_path.resolve()
    with pytest.raises(VaultError):
        find_root(tmp_path / "missing")


def test_find_root_obsidian_folder(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "x").mkdir()
    assert find_root(None, tmp_path / "x") == tmp_path.resolve()
