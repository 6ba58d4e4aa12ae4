"""`netzmd import` on fixtures shaped like real exports, through Click's runner."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from netzmd.cli import cli
from netzmd.engine import run_rules
from netzmd.vault import load_vault
from tests.conftest import ROOT, make_vault

FIXTURES = ROOT / "tests" / "fixtures" / "import"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def import_json(vault: Path, kind: str, fixture: str, *extra: str) -> dict[str, object]:
    code, out, err = run("import", kind, str(FIXTURES / fixture), "--vault", str(vault),
                         "--format", "json", *extra)
    assert (code, err) == (0, "")
    result: dict[str, object] = json.loads(out)
    return result


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path, {})


# What each fixture gives in an empty vault (documented in tests/fixtures/import/README.md).
EXPECTED = {
    "Connections.csv": ("linkedin", {
        "created": ["Anna Keller", "Jürgen Müller", "Sophie Weiß", "Thomas Becker, MBA",
                    "Leyla Yılmaz", "Mara Richter: Pflege & Digitalisierung"],
        "existing": 0, "duplicates": 1, "no_name": 2, "unreadable": 0}),
    "ios.vcf": ("vcard", {
        "created": ["Dr. Anna Keller", "Dorothee Schäfer", "Medizintechnik Nord GmbH"],
        "existing": 0, "duplicates": 0, "no_name": 0, "unreadable": 0}),
    "android.vcf": ("vcard", {
        "created": ["Dr. Jürgen Müller", "Dr. Leyla Yılmaz"],
        "existing": 0, "duplicates": 0, "no_name": 1, "unreadable": 1}),
    "outlook.vcf": ("vcard", {
        "created": ["Thomas Becker", "Prof. Dr. med. Ulrich Brandt"],
        "existing": 0, "duplicates": 0, "no_name": 0, "unreadable": 0}),
    "thunderbird.vcf": ("vcard", {
        "created": ["Sophie Weiß"],
        "existing": 0, "duplicates": 0, "no_name": 0, "unreadable": 0}),
    "broken.vcf": ("vcard", {
        "created": ["Katrin Vogel", "Nina Krüger"],
        "existing": 0, "duplicates": 0, "no_name": 0, "unreadable": 2}),
}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_each_fixture_gives_its_documented_result(vault: Path, fixture: str) -> None:
    kind, expected = EXPECTED[fixture]
    assert import_json(vault, kind, fixture) == expected
    loaded = load_vault(vault)
    assert loaded.findings == ()
    assert sorted(c.name for c in loaded.contacts) == sorted(expected["created"])
    # A second import of the same file creates nothing and changes nothing.
    before = snapshot(vault)
    again = import_json(vault, kind, fixture)
    assert again == {
        **expected, "created": [], "duplicates": 0,
        # Duplicates within the file now find the contact their first row created.
        "existing": len(expected["created"]) + expected["duplicates"],
    }
    assert snapshot(vault) == before


def test_imported_contacts_raise_no_data_findings(vault: Path) -> None:
    for fixture, (kind, _) in EXPECTED.items():
        import_json(vault, kind, fixture)
    loaded = load_vault(vault)
    findings = run_rules(loaded, dt.date(2026, 12, 10))
    # Only vault-level advice (no goals yet, a loose network); nothing about any file.
    assert [f for f in findings if f.path] == []
    assert len(loaded.contacts) == 11


def test_linkedin_file_as_written(vault: Path) -> None:
    import_json(vault, "linkedin", "Connections.csv")
    text = (vault / "contacts" / "Mara Richter Pflege & Digitalisierung.md").read_text("utf-8")
    assert text == (
        "---\n"
        'name: "Mara Richter: Pflege & Digitalisierung"\n'
        'organisation: "Städtisches Klinikum Karlsruhe"\n'
        'role: "Stationsleitung \\"Intensiv 3\\""\n'
        'linkedin: "https://www.linkedin.com/in/mara-richter-pflege?trk=public_profile"\n'
        "met: 2025-02-21\n"
        "circle: loose\n"
        "---\n"
        "\n"
        "## Log\n"
    )


def test_ios_file_as_written(vault: Path) -> None:
    import_json(vault, "vcard", "ios.vcf")
    text = (vault / "contacts" / "Dr. Anna Keller.md").read_text("utf-8")
    assert text == (
        "---\n"
        'name: "Dr. Anna Keller"\n'
        'organisation: "Klinikum Nord, Kardiologie"\n'
        'role: "Oberärztin"\n'
        'email: "anna.keller@klinikum-nord.example"\n'
        'phone: "+49 171 2345678"\n'
        'linkedin: "http://www.linkedin.com/in/anna-keller-3b1a2c"\n'
        'url: "https://www.klinikum-nord.example/kardiologie"\n'
        'birthday: "1978-03-14"\n'
        "circle: loose\n"
        "---\n"
        "\n"
        "Kennengelernt beim DGK-Kongress, Mannheim.\n"
        "Interessen: Rennrad, Jazz.\n"
        "\\- 2024-04-05 hat mir ihr Paper zur Leitlinie geschickt\n"
        "\n"
        "## Log\n"
    )
    schaefer = load_vault(vault).contacts
    assert [(c.name, c.birthday and c.birthday.iso()) for c in schaefer
            if c.birthday] == [("Dorothee Schäfer", "11-02"), ("Dr. Anna Keller", "1978-03-14")]


def test_android_quoted_printable_and_phone_number(vault: Path) -> None:
    import_json(vault, "vcard", "android.vcf")
    mueller = next(c for c in load_vault(vault).contacts if c.name == "Dr. Jürgen Müller")
    assert mueller.fields["phone"] == "+49 171 9876543"
    assert mueller.organisation == "Praxis Müller & Partner"
    assert mueller.role == "Facharzt für Nephrologie"
    body = (vault / mueller.path).read_text("utf-8").split("---\n", 2)[2]
    assert body == ("\nTrägt die Leitlinie Dialysezugang mit. Frühstück nach der Tagung "
                    "vereinbart.\n\n## Log\n")


def test_text_summary_lists_files_and_unreadable_positions(vault: Path) -> None:
    path = str(FIXTURES / "broken.vcf")
    code, out, err = run("import", "vcard", path, "--vault", str(vault))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{path}:8: vCard 2 cannot be read and was skipped (Failed to parse line: zweite "
        "Zeile, vom Exportprogramm nicht eingerückt)",
        f"{path}:22: vCard 4 has no END:VCARD and was skipped",
        "created contacts/Katrin Vogel.md",
        "created contacts/Nina Krüger.md",
        "2 created, 0 already in the vault, 0 duplicates in the file, 0 without a name, "
        "2 unreadable",
    ]


def test_german_summary(vault: Path) -> None:
    code, out, _ = run("import", "linkedin", str(FIXTURES / "Connections.csv"), "--vault",
                       str(vault), "--lang", "de")
    assert code == 0
    assert out.splitlines()[0] == "angelegt: contacts/Anna Keller.md"
    assert out.splitlines()[-1] == (
        "6 angelegt, 0 schon im Vault, 1 Dublette in der Datei, 2 ohne Namen, 0 unlesbar")


def test_dry_run_prints_the_same_and_writes_nothing(vault: Path) -> None:
    before = snapshot(vault)
    dry = import_json(vault, "vcard", "ios.vcf", "--dry-run")
    assert snapshot(vault) == before
    assert dry == EXPECTED["ios.vcf"][1]
    code, out, _ = run("import", "vcard", str(FIXTURES / "ios.vcf"), "--vault", str(vault),
                       "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        "would create contacts/Dr. Anna Keller.md",
        "would create contacts/Dorothee Schäfer.md",
        "would create contacts/Medizintechnik Nord GmbH.md",
        "dry run, nothing written: 3 would be created, 0 already in the vault, 0 duplicates "
        "in the file, 0 without a name, 0 unreadable",
    ]
    assert snapshot(vault) == before


def test_all_sources_into_one_vault_find_each_other(tmp_path: Path) -> None:
    vault = make_vault(tmp_path, {
        "netzmd.toml": 'contacts = "Kontakte"\n',
        "Kontakte/Dr. Anna Keller.md": "---\nlinkedin: https://linkedin.com/in/Anna-Keller-3b1a2c/"
                                       "\ncircle: key\n---\n",
    })
    results = [import_json(vault, kind, fixture) for kind, fixture in (
        ("linkedin", "Connections.csv"), ("vcard", "ios.vcf"), ("vcard", "android.vcf"),
        ("vcard", "outlook.vcf"), ("vcard", "thunderbird.vcf"))]
    assert [r["created"] for r in results] == [
        ["Jürgen Müller", "Sophie Weiß", "Thomas Becker, MBA", "Leyla Yılmaz",
         "Mara Richter: Pflege & Digitalisierung"],
        ["Dorothee Schäfer", "Medizintechnik Nord GmbH"],  # Anna: same LinkedIn profile
        [],  # Jürgen Müller: same e-mail; Dr. Leyla Yılmaz: same name without the title
        ["Prof. Dr. med. Ulrich Brandt"],  # Thomas Becker: same e-mail
        [],  # Sophie Weiß: same name and LinkedIn profile
    ]
    assert [r["existing"] for r in results] == [1, 1, 2, 1, 1]
    assert load_vault(vault).findings == ()


def test_not_a_linkedin_file_exits_2(vault: Path) -> None:
    path = str(FIXTURES / "ios.vcf")
    code, out, err = run("import", "linkedin", path, "--vault", str(vault))
    assert (code, out) == (2, "")
    assert err == (f"{path}: no header line 'First Name,Last Name,URL,Email Address,Company,"
                   "Position,Connected On' found; is this LinkedIn's Connections.csv?\n")


def test_missing_file_is_a_usage_error(vault: Path) -> None:
    code, _, err = run("import", "vcard", str(vault / "nope.vcf"), "--vault", str(vault))
    assert code == 2
    assert "does not exist" in err


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_refused_writes_exit_2_and_the_summary_stays_true(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    vault = make_vault(tmp_path / "vault", {"netzmd.toml": ""})
    (vault / "contacts").symlink_to(outside, target_is_directory=True)
    code, out, err = run("import", "vcard", str(FIXTURES / "outlook.vcf"), "--vault",
                         str(vault), "--format", "json")
    assert code == 2
    assert json.loads(out)["created"] == []
    assert err.splitlines() == [
        "contacts/Thomas Becker.md: contacts is a symbolic link; nothing written",
        "contacts/Prof. Dr. med. Ulrich Brandt.md: contacts is a symbolic link; nothing written",
    ]
    assert list(outside.iterdir()) == []
