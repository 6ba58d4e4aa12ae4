"""vCard reading: the shapes phones and mail programs write, and vobject's gaps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netzmd.io import Person, SourceError, Unreadable
from netzmd.io.vcard import normalise_birthday, read, split_cards


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(("BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD")) + "\r\n"


def one(text: str) -> Person:
    source = read(text.encode("utf-8"))
    assert source.unreadable == ()
    assert len(source.people) == 1
    return source.people[0]


def test_all_fields_of_a_3_0_card() -> None:
    person = one(card(
        "N:Keller;Anna;;Dr.;", "FN:Dr. Anna Keller", "ORG:Klinikum Nord;Kardiologie",
        "TITLE:Oberärztin", "EMAIL;TYPE=INTERNET:anna@example.org", "TEL;TYPE=CELL:0171 1",
        "BDAY:1978-03-14", "URL:https://klinikum-nord.example", "NOTE:Kennengelernt in Mannheim",
    ))
    assert person == Person(
        name="Dr. Anna Keller", line=1, organisation="Klinikum Nord, Kardiologie",
        role="Oberärztin", email="anna@example.org", phone="0171 1",
        url="https://klinikum-nord.example", birthday="1978-03-14",
        note="Kennengelernt in Mannheim",
    )


def test_lf_only_and_lower_case_markers() -> None:
    person = one("begin:vcard\nversion:3.0\nfn:Klaus Weber\nend:vcard\n")
    assert person.name == "Klaus Weber"


def test_folded_lines_escaped_commas_and_newlines() -> None:
    person = one(card(
        "FN:Dorothee Sch", " äfer",
        "ORG:Hausarztpraxis Schäfer\\, Lindenstraße;",
        "NOTE:Erste Zeile\\nzweite Zeile\\, mit Komma und\\; Semikolon",
    ))
    assert person.name == "Dorothee Schäfer"
    assert person.organisation == "Hausarztpraxis Schäfer, Lindenstraße"
    assert person.note == "Erste Zeile\nzweite Zeile, mit Komma und; Semikolon"


def test_preferred_email_and_phone_win_over_the_first() -> None:
    person = one(card(
        "FN:Anna Keller",
        "EMAIL;type=INTERNET;type=HOME:privat@example.org",
        "item1.EMAIL;type=INTERNET;type=pref:dienst@example.org",
        "item1.X-ABLabel:_$!<Other>!$_",
        "TEL;type=WORK:030 1",
        "TEL;type=CELL;type=VOICE;type=pref:0171 2",
    ))
    assert (person.email, person.phone) == ("dienst@example.org", "0171 2")


def test_vcard_4_pref_numbers_and_uris() -> None:
    person = one(card(
        "FN:Sophie Weiß", "EMAIL;PREF=2:zwei@example.ch", "EMAIL;PREF=1:eins@example.ch",
        "TEL;VALUE=uri;TYPE=cell:tel:+41-79-123", "EMAIL:mailto:x@example.ch",
        version="4.0",
    ))
    assert (person.email, person.phone) == ("eins@example.ch", "+41-79-123")


def test_vcard_2_1_bare_type_words_and_pref() -> None:
    person = one(card("FN:Peter Groß", "TEL;HOME:040 1", "TEL;CELL;PREF:0160 2",
                      "EMAIL;INTERNET:a@example.org", version="2.1"))
    assert (person.phone, person.email) == ("0160 2", "a@example.org")


def test_quoted_printable_with_soft_line_break() -> None:
    person = one(card(
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;",
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BC=",
        "ller",
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Fr=C3=BChst=C3=BCck=0D=0Avereinbart",
        version="2.1",
    ))
    assert person.name == "Jürgen Müller"
    assert person.note == "Frühstück\nvereinbart"


def test_photos_are_dropped_even_when_corrupt_or_unindented() -> None:
    person = one(card(
        "FN:Anna Keller",
        "PHOTO;ENCODING=b;TYPE=JPEG:!!! not base64 !!!",
        " still not base64",
        "TEL:030 1",
    ))
    assert (person.name, person.phone) == ("Anna Keller", "030 1")
    person = one(card(
        "FN:Peter Groß",
        "PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD",
        "/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a",
        "",
        "TEL;CELL:0160 1",
        version="2.1",
    ))
    assert (person.name, person.phone) == ("Peter Groß", "0160 1")


def test_name_from_n_when_fn_is_missing_or_empty() -> None:
    assert one(card("N:Becker;Thomas;;Dr.;MBA")).name == "Dr. Thomas Becker MBA"
    assert one(card("FN:", "N:Becker;Thomas;;;")).name == "Thomas Becker"
    assert one(card("N:;;;;", "TEL:1")).name == ""


def test_linkedin_from_url_or_social_profile() -> None:
    person = one(card(
        "FN:Anna Keller", "URL:https://klinikum.example",
        "X-SOCIALPROFILE;type=linkedin;x-user=anna:http://www.linkedin.com/in/anna",
    ))
    assert (person.linkedin, person.url) == ("http://www.linkedin.com/in/anna",
                                             "https://klinikum.example")
    person = one(card("FN:Sophie Weiß", "URL:https://www.linkedin.com/in/sophie/"))
    assert (person.linkedin, person.url) == ("https://www.linkedin.com/in/sophie/", None)


def test_umlauts_and_other_scripts_in_names() -> None:
    person = one(card("FN:Prof. Dr. Özlem Yıldız", "N;LANGUAGE=de:Yıldız;Özlem;;Prof. Dr.;"))
    assert person.name == "Prof. Dr. Özlem Yıldız"


def test_a_broken_card_in_the_middle_costs_only_that_card() -> None:
    text = (card("FN:Katrin Vogel") + card("FN:Stefan Wolf", "NOTE:eins", "zwei ohne Einzug")
            + card("FN:Nina Krüger"))
    source = read(text.encode())
    assert [p.name for p in source.people] == ["Katrin Vogel", "Nina Krüger"]
    assert source.unreadable == (Unreadable(
        line=5, reason="card-syntax", card=2,
        detail="Failed to parse line: zwei ohne Einzug"),)
    assert [p.line for p in source.people] == [1, 11]


def test_unterminated_cards() -> None:
    text = "BEGIN:VCARD\nFN:Ohne Ende\nBEGIN:VCARD\nFN:Anna\nEND:VCARD\nBEGIN:VCARD\nFN:Olaf\n"
    source = read(text.encode())
    assert [p.name for p in source.people] == ["Anna"]
    assert source.unreadable == (Unreadable(1, "card-unterminated", 1),
                                 Unreadable(6, "card-unterminated", 3))


def test_a_card_in_another_encoding_is_unreadable_alone() -> None:
    data = card("FN:Anna").encode() + card("FN:J\xfcrgen").encode("latin-1")
    source = read(data)
    assert [p.name for p in source.people] == ["Anna"]
    assert source.unreadable == (Unreadable(5, "card-encoding", 2),)


def test_unknown_charset_is_unreadable_not_a_crash() -> None:
    source = read(card("FN;CHARSET=klingon;ENCODING=QUOTED-PRINTABLE:x=C3=9F",
                       version="2.1").encode())
    assert source.people == ()
    assert [(u.reason, u.card) for u in source.unreadable] == [("card-syntax", 1)]


def test_no_vcard_at_all() -> None:
    with pytest.raises(SourceError) as caught:
        read(b"First Name,Last Name\n")
    assert caught.value.key == "no-vcard"


def test_bom_and_text_around_cards() -> None:
    source = read(b"\xef\xbb\xbfExported by Foo\r\n" + card("FN:Anna").encode() + b"\r\n\r\n")
    assert [(p.name, p.line) for p in source.people] == [("Anna", 2)]


def test_split_cards_keeps_physical_line_numbers() -> None:
    text = "BEGIN:VCARD\nFN:A\n folded\nEND:VCARD\nBEGIN:VCARD\nFN:B\nEND:VCARD\n"
    assert [(b.card, b.line, b.lines, b.closed) for b in split_cards(text)] == [
        (1, 1, ("FN:Afolded",), True),
        (2, 5, ("FN:B",), True),
    ]


@pytest.mark.parametrize(("value", "omitted", "expected"), [
    ("19750228", None, "1975-02-28"),
    ("1975-02-28", None, "1975-02-28"),
    ("1975-02-28T00:00:00Z", None, "1975-02-28"),
    ("--0520", None, "05-20"),
    ("--05-20", None, "05-20"),
    ("1604-05-20", "1604", "05-20"),
    ("1604-05-20", None, "05-20"),
    ("0000-05-20", None, "05-20"),
    ("1980-05-20", "1980", "05-20"),
    ("28.02.1975", None, "1975-02-28"),
    ("--0229", None, "02-29"),
    ("1976-02-29", None, "1976-02-29"),
    ("1975-02-29", None, None),
    ("1990-02-30", None, None),
    ("--1332", None, None),
    ("circa 1970", None, None),
    ("", None, None),
])
def test_birthdays(value: str, omitted: str | None, expected: str | None) -> None:
    assert normalise_birthday(value, omitted) == expected


def test_birthday_from_a_card_with_apple_omit_year() -> None:
    person = one(card("FN:Dorothee", "BDAY;X-APPLE-OMIT-YEAR=1604:1604-11-02"))
    assert person.birthday == "11-02"
    assert one(card("FN:Nina", "BDAY:1990-02-30")).birthday is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "BEGIN:VCARD", "END:VCARD", "VERSION:2.1", "FN:Anna", "N:a;b;c;d;e", " folded",
    "NOTE;ENCODING=QUOTED-PRINTABLE:x=", "PHOTO;ENCODING=BASE64:AAAA", "QUJD", "",
    "TEL;PREF:1", "EMAIL;PREF=x:a@b", "BDAY:--1399", "ORG:;;", "X-CUSTOM(x):y", "\udcff",
]) | st.text(max_size=30), max_size=30), st.sampled_from(["\r\n", "\n", "\r"]))
def test_any_input_gives_people_and_positions_never_a_crash(lines: list[str], end: str
                                                           ) -> None:
    data = end.join(lines).encode("utf-8", "surrogateescape")
    try:
        source = read(data)
    except SourceError as err:
        assert err.key == "no-vcard"
        return
    for person in source.people:
        assert "\n" not in person.name and "\r" not in person.name
    assert all(u.card is not None and u.line >= 1 for u in source.unreadable)
