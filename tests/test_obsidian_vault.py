"""A vault shaped like real Obsidian vaults (tests/fixtures/obsidian-vault).

Many scripts and languages, a file name in NFD (synced from macOS), a contact written on
Windows (BOM, CRLF), properties in every style Obsidian users write them, plugins' syntax
(Dataview, Templater, Tasks, Kanban, Excalidraw), callouts, embeds, block references and
`%%` comments. It must read without a traceback and give exactly the findings a user would
agree with.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

from click.testing import CliRunner

from netzmd.cli import cli
from netzmd.engine import run_rules
from netzmd.vault import load_vault
from tests.conftest import ROOT

VAULT = ROOT / "tests" / "fixtures" / "obsidian-vault"
TODAY = dt.date(2026, 12, 10)

ANNA = "People/Dr. Anna Keller.md"
DIMITRIS = "People/Δημήτρης Παπαδόπουλος.md"
FRANCOISE = "People/Françoise Lefèvre.md"
AYSE = "People/Ayşe Yılmaz.md"
HANAKO = "People/山田 花子.md"
LAYLA = "People/ليلى حداد.md"
# Stored decomposed, as macOS writes it; links to it are typed composed.
JUERGEN = unicodedata.normalize("NFD", "People/Jürgen Müller.md")


def test_exact_findings() -> None:
    findings = run_rules(load_vault(VAULT), TODAY)
    assert [(f.rule, f.path, f.line) for f in findings] == [
        # Tasks plugin: `- [ ] ... 📅 2026-11-20` in a daily note, for a linked contact.
        ("task-overdue", "Daily Notes/2026-11-03.md", 8),
        # Templater did not run: `met: <% tp.date.now("YYYY-MM-DD") %>` is not a date.
        ("bad-field", AYSE, 7),
        ("birthday", ANNA, None),
        ("overdue", FRANCOISE, None),
        ("industry-take", JUERGEN, None),
        ("no-personal-touch", JUERGEN, None),
        # `- #medtech` in a block list is a YAML comment: the item is empty.
        ("bad-field", JUERGEN, 6),
        ("no-personal-touch", DIMITRIS, None),
        # `31.11.2026`: November has 30 days.
        ("bad-date", DIMITRIS, 21),
    ]


def test_names_in_every_script_load() -> None:
    vault = load_vault(VAULT)
    by_path = {c.path: c for c in vault.contacts}
    assert sorted(by_path) == sorted([ANNA, DIMITRIS, FRANCOISE, AYSE, HANAKO, LAYLA, JUERGEN])
    assert by_path[DIMITRIS].name == "Δημήτρης Παπαδόπουλος"
    assert by_path[DIMITRIS].organisation == "Νοσοκομείο Ευαγγελισμός, Αθήνα"
    assert by_path[HANAKO].name == "山田花子"
    assert by_path[HANAKO].aliases == ("Hanako Yamada", "山田先生")
    assert by_path[HANAKO].fields["所属"] == "東京大学医学部附属病院"
    # Obsidian's "Date & time" property type: the day counts.
    assert by_path[HANAKO].met == dt.date(2026, 6, 12)
    assert by_path[LAYLA].name == "د. ليلى حداد"
    assert by_path[LAYLA].status == "archived"
    assert by_path[AYSE].name == "Dr. Ayşe Yılmaz"
    assert by_path[AYSE].organisation == "İstanbul Üniversitesi, Cerrahpaşa Tıp Fakültesi"
    # No `name` field: the (decomposed) file name is the name.
    assert by_path[JUERGEN].name == unicodedata.normalize("NFD", "Jürgen Müller")
    assert vault.notes == 15  # .obsidian/, .trash/, the canvas and the image are not notes


def test_front_matter_styles() -> None:
    by_path = {c.path: c for c in load_vault(VAULT).contacts}
    anna = by_path[ANNA]
    # `tags: kardiologie` is a one-item list; `"#kongress"` loses its '#'.
    assert anna.tags == ("kardiologie",)
    assert by_path[FRANCOISE].tags == ("kongress", "paris")
    assert by_path[DIMITRIS].tags == ("kontakt", "nephrologie")
    assert anna.aliases == ("Anna", "Dr. Keller")
    # Obsidian's own and other plugins' properties are kept as written.
    assert anna.fields["cssclasses"] == ["kontakt"]
    assert anna.fields["created"] == "2026-01-05T10:20"
    assert anna.fields["related"] == "[[Δημήτρης Παπαδόπουλος]]"
    # Links in `goals`, with and without an alias, as a list or a single string.
    assert anna.goals == ("Internationales Netzwerk",)
    assert by_path[FRANCOISE].goals == ("Internationales Netzwerk",)
    assert by_path[DIMITRIS].goals == ("Internationales Netzwerk",)
    # BOM and CRLF from Windows change nothing.
    assert by_path[AYSE].aliases == ("Ayse Yilmaz",)
    assert by_path[AYSE].interests == ("Radfahren",)


def interactions(path: str) -> list[tuple[str, str | None, str, bool, str, int | None]]:
    contact = next(c for c in load_vault(VAULT).contacts if c.path == path)
    return [(i.date.isoformat(), i.kind, i.direction, i.personal, i.path, i.line)
            for i in contact.interactions]


def test_links_resolve_across_scripts_and_case() -> None:
    # `[[Δημήτρης Παπαδόπουλος]]` in Anna's log and `[[δημήτρης παπαδόπουλος]]` (lower case,
    # final sigma folded) in a daily note both reach the Greek contact.
    assert interactions(DIMITRIS) == [
        ("2026-09-24", "met", "touch", False, DIMITRIS, 19),
        ("2026-09-30", "austausch", "mutual", False, ANNA, 38),
        ("2026-10-01", "mail", "touch", False, DIMITRIS, 20),
        ("2026-11-05", "austausch", "mutual", False, "Daily Notes/2026-11-05.md", 3),
    ]
    # `[[山田 花子]]` reaches 山田花子 by her file name.
    assert interactions(HANAKO)[-1] == (
        "2026-11-03", "gave", "give", False, "Daily Notes/2026-11-03.md", 7
    )


def test_obsidian_syntax_counts_only_where_it_should() -> None:
    # Callout (`> [!tip]`) and embed (`![[Dr. Anna Keller#Log]]`) lines in the daily note of
    # 3 November are no touches; `[[...#^abc123|Anna]]`, a link to a block, is one.
    assert interactions(ANNA) == [
        ("2026-03-14", "met", "touch", False, ANNA, 35),
        ("2026-03-20", "gave", "give", False, ANNA, 36),
        ("2026-07-10", None, "touch", True, ANNA, 37),
        ("2026-09-30", "austausch", "mutual", False, ANNA, 38),
        ("2026-11-05", "austausch", "mutual", False, "Daily Notes/2026-11-05.md", 3),
        ("2026-11-05", None, "touch", True, "Daily Notes/2026-11-05.md", 6),
    ]
    # A link in a Markdown table (`[[Jürgen Müller\|Jürgen]]`), typed composed, reaches the
    # decomposed file name.
    assert ("2026-11-05", None, "touch", False, "Daily Notes/2026-11-05.md", 10) in (
        interactions(JUERGEN)
    )


def test_datetime_property_dates_a_meeting_note() -> None:
    # `date: 2026-12-02T14:00` (Obsidian's "Date & time" property) dates the note.
    assert interactions(AYSE) == [
        ("2026-12-02", None, "mutual", False, "Meetings/Tumorboard Dezember.md", 8),
    ]


def test_plugin_files_are_quiet() -> None:
    """Templater templates, Kanban boards, Excalidraw drawings and the trash give no findings."""
    findings = run_rules(load_vault(VAULT), TODAY)
    paths = {f.path for f in findings}
    for quiet in ("Templates/Kontakt.md", "Kanban/Kontakte.md", "Home.md",
                  "Excalidraw/Drawing 2026-11-20 10.15.22.excalidraw.md",
                  ".trash/Alter Kontakt.md", "Netzwerk.canvas"):
        assert quiet not in paths


def test_cli_reads_the_vault() -> None:
    runner = CliRunner()
    args = ["--vault", str(VAULT), "--today", TODAY.isoformat()]
    result = runner.invoke(cli, ["check", "--format", "json", *args])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["summary"] == {"contacts": 7, "error": 3, "warning": 4, "info": 2}
    # Typed composed and without accents, the decomposed name is found.
    shown = runner.invoke(cli, ["show", "Jurgen", *args])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[:2] == [
        unicodedata.normalize("NFD", "Jürgen Müller"), JUERGEN,
    ]
    shown = runner.invoke(cli, ["show", "Dimitris", *args])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[0] == "Δημήτρης Παπαδόπουλος"
    listed = runner.invoke(cli, ["list", "--format", "json", "--sort", "name", *args])
    assert [row["name"] for row in json.loads(listed.stdout)] == [
        "Dr. Anna Keller", "Dr. Ayşe Yılmaz", "Françoise Lefèvre",
        unicodedata.normalize("NFD", "Jürgen Müller"), "Δημήτρης Παπαδόπουλος", "山田花子",
    ]
