"""The importer's pieces: identity keys, the YAML emitter, the contact file, the plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from netzmd.frontmatter import parse_document
from netzmd.io import Person, Source, Unreadable, one_line
from netzmd.io.importer import (
    bare_name,
    email_key,
    linkedin_key,
    note_lines,
    plan_import,
    render_contact,
    yaml_string,
)
from netzmd.log import parse_body
from netzmd.vault import load_vault, parse_note
from tests.conftest import make_vault


def test_linkedin_key_ignores_case_scheme_www_query_and_trailing_slash() -> None:
    same = {
        linkedin_key(url) for url in (
            "https://www.linkedin.com/in/Anna-Keller-3b1a2c/",
            "http://linkedin.com/in/anna-keller-3b1a2c?trk=public_profile",
            "  www.linkedin.com/in/anna-keller-3b1a2c#about ",
        )
    }
    assert same == {"linkedin.com/in/anna-keller-3b1a2c"}
    assert linkedin_key("   ") is None


def test_email_key() -> None:
    assert email_key("MAILTO:J.Mueller@Example.org ") == email_key("j.mueller@example.org")


def test_bare_name_drops_titles_and_suffixes() -> None:
    assert bare_name("Dr. Leyla Yılmaz") == bare_name("Leyla Yılmaz") == "leyla yılmaz"
    assert bare_name("PD Dr. med. Jana Kowalczyk") == "jana kowalczyk"
    assert bare_name("Thomas Becker, MBA") == "thomas becker"
    assert bare_name("Dr. Keller") is None  # one word left is too little to match on


def load_yaml_value(text: str) -> object:
    doc = parse_document(f"---\nvalue: {text}\n---\n")
    assert doc.problem is None, doc.problem
    return doc.fields["value"]


def test_yaml_string_keeps_phone_numbers_colons_and_quotes() -> None:
    for value in ("0301234567", "01067", "12:30", "Mara Richter: Pflege", 'Station "3"',
                  "yes", "true", "2026-01-01", "#kein Tag", "- kein Eintrag", "a\\b", "",
                  "[[Link]]", "{x: 1}", "&anker", "*alias", "!!python/object"):
        assert load_yaml_value(yaml_string(value)) == value


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_yaml_string_round_trips_any_text(value: str) -> None:
    # Lone surrogates cannot be stored as UTF-8; readers never produce them.
    value = value.encode("utf-8", "replace").decode("utf-8")
    assert load_yaml_value(yaml_string(value)) == value
    assert yaml.safe_load(yaml_string(value)) == value


ANNA = Person(
    name="Dr. Anna Keller", line=1, organisation="Klinikum Nord, Kardiologie",
    role="Oberärztin", email="anna@example.org", phone="0301234567",
    linkedin="https://www.linkedin.com/in/anna", url="https://klinikum.example",
    birthday="05-20", met=dt.date(2021, 4, 2), note="Kennengelernt in Mannheim.",
)


def test_render_contact() -> None:
    assert render_contact(ANNA) == (
        "---\n"
        'name: "Dr. Anna Keller"\n'
        'organisation: "Klinikum Nord, Kardiologie"\n'
        'role: "Oberärztin"\n'
        'email: "anna@example.org"\n'
        'phone: "0301234567"\n'
        'linkedin: "https://www.linkedin.com/in/anna"\n'
        'url: "https://klinikum.example"\n'
        'birthday: "05-20"\n'
        "met: 2021-04-02\n"
        "circle: loose\n"
        "---\n"
        "\n"
        "Kennengelernt in Mannheim.\n"
        "\n"
        "## Log\n"
    )
    assert render_contact(Person(name="Anna", line=1)) == (
        '---\nname: "Anna"\ncircle: loose\n---\n\n## Log\n'
    )


def test_rendered_contact_loads_as_written(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/Dr. Anna Keller.md": render_contact(ANNA)})
    vault = load_vault(root)
    assert vault.findings == ()
    (contact,) = vault.contacts
    assert (contact.name, contact.organisation, contact.role, contact.circle,
            contact.met, contact.birthday and contact.birthday.iso()) == (
        "Dr. Anna Keller", "Klinikum Nord, Kardiologie", "Oberärztin", "loose",
        dt.date(2021, 4, 2), "05-20")
    assert contact.fields["phone"] == "0301234567"
    assert contact.cadence_days is None
    assert [i.kind for i in contact.interactions] == ["met"]


def test_note_is_text_not_a_log() -> None:
    note = ("Kennengelernt 2024.\r\n- 2024-04-05 hat ein Paper geschickt\n  * [ ] 2024-05-01 "
            "Anruf\n- 31.04.2024 kein Datum\n```\nCode?\n<!-- nicht versteckt\n- ohne Datum\n\n")
    assert note_lines(note) == [
        "Kennengelernt 2024.",
        "\\- 2024-04-05 hat ein Paper geschickt",
        "  \\* [ ] 2024-05-01 Anruf",
        "\\- 31.04.2024 kein Datum",
        "\\```",
        "Code?",
        "<\\!-- nicht versteckt",
        "- ohne Datum",
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_any_person_gives_a_file_that_loads_without_findings(name: str, note: str) -> None:
    person = Person(name=name, line=1, organisation=name, role=note[:40], note=note)
    data = render_contact(person).encode("utf-8", "replace")
    parsed = parse_note("contacts/x.md", data)
    assert parsed.findings == ()
    assert parsed.fields["name"] == one_line(name.encode("utf-8", "replace").decode())
    assert parsed.body.entries == () and parsed.body.tasks == ()
    # The log section stays reachable: an entry added at the end is read.
    lines = (data + b"- 2026-01-01 call: test\n").decode("utf-8").split("\n")
    body = parse_body(lines)
    assert [e.text for e in body.entries] == ["test"]


def test_plan_skips_existing_duplicates_and_nameless(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {
        "contacts/Dr. Anna Keller.md": "---\nlinkedin: https://linkedin.com/in/anna/\n---\n",
        "contacts/Jürgen Müller.md": "---\nemail: [J.Mueller@example.org, privat@example.org]\n"
                                     "aliases: [Jogi]\n---\n",
        "contacts/Groß.md": "---\nname: Sabine Groß\n---\n",
    })
    vault = load_vault(root)
    people = (
        Person("Anna K.", 2, linkedin="https://www.linkedin.com/in/ANNA?x=1"),  # profile
        Person("J. Müller", 3, email="privat@example.org"),  # second e-mail of a contact
        Person("jogi", 4),  # alias
        Person("groß", 5),  # file name
        Person("Sabine Gross", 6),  # case folding makes ß and ss the same
        Person("Katrin Vogel", 7),
        Person("KATRIN VOGEL", 7),  # the same person again in the file
        Person("Neu Mensch", 8, email="neu@example.org"),
        Person("Neu Mensch (privat)", 9, email="NEU@example.org"),  # duplicate by e-mail
        Person("", 10, email="x@example.org"),
        Person("???", 11),  # nothing left for a file name
    )
    planned, outcome = plan_import(vault, Source(people, (Unreadable(12, "row-syntax"),)))
    assert [(p.person.name, p.rel) for p in planned] == [
        ("Katrin Vogel", "contacts/Katrin Vogel.md"),
        ("Neu Mensch", "contacts/Neu Mensch.md"),
    ]
    assert (outcome.existing, outcome.duplicates, outcome.no_name, len(outcome.unreadable)) == (
        5, 2, 2, 1)


def test_plan_uses_the_configured_contacts_folder(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"netzmd.toml": 'contacts = "Kontakte/"\n'})
    planned, _ = plan_import(load_vault(root), Source((Person("Anna: Keller", 1),)))
    assert [p.rel for p in planned] == ["Kontakte/Anna Keller.md"]
    root2 = make_vault(tmp_path / "flat", {"netzmd.toml": 'contacts = "."\n'})
    planned, _ = plan_import(load_vault(root2), Source((Person("Anna", 1),)))
    assert [p.rel for p in planned] == ["Anna.md"]


def test_run_import_reports_progress_per_file(tmp_path: Path) -> None:
    from netzmd.io.importer import run_import

    root = make_vault(tmp_path, {"contacts/Anna.md": "---\n---\n"})
    calls: list[tuple[int, int]] = []
    people = (Person("Anna", 1), Person("Ben Berg", 2), Person("Cem Cakir", 3))
    outcome = run_import(load_vault(root), Source(people), progress=lambda d, t: calls.append(
        (d, t)))
    assert [p.person.name for p in outcome.created] == ["Ben Berg", "Cem Cakir"]
    assert calls == [(1, 2), (2, 2)]
    assert (root / "contacts" / "Cem Cakir.md").read_text("utf-8").startswith(
        '---\nname: "Cem Cakir"\n')
