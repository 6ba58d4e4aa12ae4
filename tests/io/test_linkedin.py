"""LinkedIn's Connections.csv as LinkedIn writes it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netzmd.io import Person, SourceError, Unreadable
from netzmd.io.linkedin import parse_connected_on, read

PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    "are missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    'https://www.linkedin.com/psettings/privacy/email."\n'
    "\n"
)
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def people(text: str, bom: bool = True) -> list[Person]:
    data = text.encode("utf-8")
    source = read(b"\xef\xbb\xbf" + data if bom else data)
    assert source.unreadable == ()
    return list(source.people)


def test_bom_preamble_quoted_commas_and_dates() -> None:
    rows = people(PREAMBLE + HEADER + 'Anna,Keller,https://www.linkedin.com/in/anna,,'
                  '"Klinikum Nord, Kardiologie",Oberärztin,02 Apr 2021\n')
    assert rows == [Person(
        name="Anna Keller", line=5, organisation="Klinikum Nord, Kardiologie",
        role="Oberärztin", linkedin="https://www.linkedin.com/in/anna",
        met=dt.date(2021, 4, 2),
    )]


def test_row_empty_but_for_the_date_has_no_name() -> None:
    rows = people(HEADER + ",,,,,,19 Sep 2023\n", bom=False)
    assert rows == [Person(name="", line=2, met=dt.date(2023, 9, 19))]


def test_blank_lines_are_no_rows_and_line_numbers_count_quoted_breaks() -> None:
    text = HEADER + '\nPeter,Groß,,,"Klinikum\nSüd",,\r\n\r\nJana,Kowalczyk,,,,,\n'
    rows = people(text)
    assert [(r.name, r.line, r.organisation) for r in rows] == [
        ("Peter Groß", 3, "Klinikum Süd"),
        ("Jana Kowalczyk", 6, None),
    ]


def test_doubled_quotes_and_crlf() -> None:
    rows = people((HEADER + 'Mara,Richter,,,,"Stationsleitung ""Intensiv 3""",21 Feb 2025\n')
                  .replace("\n", "\r\n"))
    assert rows[0].role == 'Stationsleitung "Intensiv 3"'
    assert rows[0].met == dt.date(2025, 2, 21)


def test_columns_are_found_by_name() -> None:
    rows = people("Connected On,Last Name,First Name,Company\n07 Nov 2023,Weiß,Sophie,USZ\n")
    assert rows == [Person(name="Sophie Weiß", line=2, organisation="USZ",
                           met=dt.date(2023, 11, 7))]


@pytest.mark.parametrize(("text", "expected"), [
    ("02 Apr 2021", dt.date(2021, 4, 2)),
    ("2 Apr 2021", dt.date(2021, 4, 2)),
    ("14 May 2022", dt.date(2022, 5, 14)),
    ("14 Sept 2022", dt.date(2022, 9, 14)),
    ("2021-04-02", dt.date(2021, 4, 2)),
    ("31 Apr 2021", None),
    ("02 Mai 2021", None),
    ("gestern", None),
    ("", None),
])
def test_connected_on(text: str, expected: dt.date | None) -> None:
    assert parse_connected_on(text) == expected


def test_unreadable_date_drops_only_met() -> None:
    rows = people(HEADER + "Anna,Keller,,,,,irgendwann\n")
    assert rows == [Person(name="Anna Keller", line=2)]


def test_not_a_linkedin_export() -> None:
    with pytest.raises(SourceError) as caught:
        read(b"Name;E-Mail\nAnna;anna@example.org\n")
    assert caught.value.key == "no-linkedin-header"


def test_not_utf8_names_the_line() -> None:
    with pytest.raises(SourceError) as caught:
        read((HEADER + "J\xfcrgen,M\xfcller,,,,,\n").encode("latin-1"))
    assert (caught.value.key, caught.value.values) == ("not-utf8", {"line": 2})


def test_a_row_the_csv_module_rejects_is_reported_and_the_rest_go_on() -> None:
    huge = "x" * 200_000  # over the csv module's field limit
    source = read((HEADER + f"Anna,{huge},,,,,\nJana,Kowalczyk,,,,,\n").encode())
    assert [p.name for p in source.people] == ["Jana Kowalczyk"]
    assert [(u.line, u.reason) for u in source.unreadable] == [(2, "row-syntax")]
    assert isinstance(source.unreadable[0], Unreadable)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*'ab,"\n\r\ufeff ', "First Name", "Last Name",
                                  "02 Apr 2021"])))
def test_any_text_gives_rows_or_a_clear_error(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        source = read(text.encode("utf-8"))
    except SourceError as err:
        assert err.key == "no-linkedin-header"
        return
    assert all(person.line >= 2 for person in source.people)
