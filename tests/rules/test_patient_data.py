"""patient-data: identifiers in any note, at their line, never echoed back."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from netzmd.cli import cli
from netzmd.findings import Level
from netzmd.frontmatter import decode, split_lines
from netzmd.vault import _AHV, _BIRTH_DATE, _CASE_NUMBER, _INSURANCE_NUMBER, patient_data
from tests.conftest import findings_for, make_vault, summary

TODAY = "2026-11-27"

JOURNAL = """---
date: 2026-11-05
kontext: Fall-Nr. 20261234
---
# Fallbesprechung Nephrologie

Mit [[Dr. Ines Möller]] über Frau K., geb. 12.03.1950, gesprochen.
- 2026-11-05 gave: Befund (PID: 4711234) an [[Dr. Ines Möller]] geschickt
Versichertennummer A123456789 notiert, AHV 756.1234.5678.97.

```
Pat.-Nr.: # 99881
```
Geb. am 1950-03-12 und Fallnummer 123456 in einer Zeile.
"""

HARMLESS = """---
name: Dr. Ines Möller
birthday: 1975-03-12
phone: 0301234567
---
Frau Dr. Möller, geb. Schmitt; PID 1234 ist zu kurz; RAPID 12345 ist ein Studienname.
Kennung XA123456789 und A1234567890 sind keine Versichertennummern; 756.1234.5678 auch nicht.
- 2026-03-14 met: DGfN, gebürtig aus Kiel
"""


def test_every_pattern_at_its_line_front_matter_and_code_included(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "Journal/2026-11-05.md": JOURNAL,
        "contacts/Dr. Ines Möller.md": HARMLESS,
    })
    assert summary(findings_for(tmp_path, TODAY, {"patient-data"})) == [
        ("patient-data", "Journal/2026-11-05.md", 3, {"pattern": "case-number"}),
        ("patient-data", "Journal/2026-11-05.md", 7, {"pattern": "birth-date"}),
        ("patient-data", "Journal/2026-11-05.md", 8, {"pattern": "case-number"}),
        ("patient-data", "Journal/2026-11-05.md", 9, {"pattern": "insurance-number"}),
        ("patient-data", "Journal/2026-11-05.md", 9, {"pattern": "ahv"}),
        ("patient-data", "Journal/2026-11-05.md", 12, {"pattern": "case-number"}),
        ("patient-data", "Journal/2026-11-05.md", 14, {"pattern": "birth-date"}),
        ("patient-data", "Journal/2026-11-05.md", 14, {"pattern": "case-number"}),
    ]


def test_crlf_and_bom_keep_the_line_numbers(tmp_path: Path) -> None:
    data = ("\ufeff" + JOURNAL.replace("\n", "\r\n")).encode("utf-8")
    make_vault(tmp_path, {"Journal/2026-11-05.md": data})
    assert [f.line for f in findings_for(tmp_path, TODAY, {"patient-data"})] == [
        3, 7, 8, 9, 9, 12, 14, 14]


def test_the_match_is_never_echoed(tmp_path: Path) -> None:
    make_vault(tmp_path, {"Journal/2026-11-05.md": JOURNAL})
    for lang in ("en", "de"):
        for finding in findings_for(tmp_path, TODAY, {"patient-data"}, lang=lang):
            shown = finding.message + repr(finding.data)
            for secret in ("1950", "20261234", "4711234", "A123456789", "756.", "99881",
                           "123456"):
                assert secret not in shown, (lang, finding.line)
    (en,) = [f for f in findings_for(tmp_path, TODAY, {"patient-data"}) if f.line == 7]
    assert en.level is Level.WARNING
    assert en.message == (
        "looks like patient data (birth-date) — remove it: patient identifiers do not belong "
        "in a networking vault (professional secrecy, data protection)")


def test_silenced_per_contact_and_per_vault(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": "---\nnetzmd_ignore: [patient-data]\n---\nFall-Nr. 1234567\n",
        "contacts/Archived.md": "---\nstatus: archived\n---\nFall-Nr. 1234567\n",
        "contacts/Bert.md": "---\nname: Bert\n---\nFall-Nr. 1234567\n",
    })
    found = findings_for(tmp_path, TODAY, {"patient-data"})
    assert summary(found) == [
        ("patient-data", "contacts/Bert.md", 4, {"pattern": "case-number"}),
    ]
    assert found[0].contact == "Bert"
    (tmp_path / "netzmd.toml").write_text('[rules.patient-data]\nlevel = "off"\n',
                                          encoding="utf-8")
    assert findings_for(tmp_path, TODAY, {"patient-data"}) == []


def test_check_reports_it_as_a_warning(tmp_path: Path) -> None:
    make_vault(tmp_path, {"Notizen/Station.md": "Patientennummer 5544332 weitergeben\n"})
    result = CliRunner().invoke(cli, ["check", "--vault", str(tmp_path), "--today", TODAY,
                                      "--select", "patient-data", "--lang", "de"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Notizen/Station.md:1: warning patient-data: sieht nach Patientendaten aus "
        "(case-number) – bitte entfernen: Patientenkennungen gehören nicht in ein "
        "Netzwerk-Vault (Schweigepflicht, Datenschutz)",
        "0 Kontakte, 0 Fehler, 1 Warnung, 0 Hinweise",
    ]


# Pieces near the patterns and their prefilters: digit runs of every length, the AHV shape,
# `geb.` in any case, the case-number words, capitals before nine digits, umlauts, BOM.
PATIENT_PIECES = [
    "12345", "050013580550", "1234", "123456789", "756.1234.5678.90", "756.1234.5678",
    "geb.", "Geb. am ", "GEB.", " geb", "geb. am 3.4.1950", "nr", "Nr.", "nummer",
    "Fall-Nr. ", "Pat.-Nr.: # ", "fall-nr ", "pat. nr ", "patientennummer ", "PID ", "pid ",
    "A", "Ä", "ß", "X", "é", "12.03.1950", "1950-03-12", "3.4.50", " ", "\t", ":", "#", ".",
    "-", "\n", "\n", "\r\n", "\r", "\ufeff", "phone: ",
]
patient_notes = st.tuples(
    st.booleans(), st.lists(st.sampled_from(PATIENT_PIECES), max_size=30).map("".join)
).map(lambda bom_text: ("\ufeff" if bom_text[0] else "") + bom_text[1])


@settings(max_examples=500)
@given(patient_notes)
def test_every_line_is_searched_as_the_patterns_would_search_it(text: str) -> None:
    """The byte searches that pick candidate lines never leave out a line with a match."""
    data = text.encode("utf-8")
    expected = []
    for number, line in enumerate(split_lines(decode(data)), 1):
        hits = sorted(
            (match.start(), pattern)
            for pattern, regex in (("birth-date", _BIRTH_DATE), ("case-number", _CASE_NUMBER),
                                   ("ahv", _AHV), ("insurance-number", _INSURANCE_NUMBER))
            if (match := regex.search(line))
        )
        expected += [(number, pattern) for _, pattern in hits]
    found = patient_data("Notizen/x.md", data)
    assert [(f.line, f.data["pattern"]) for f in found] == expected
