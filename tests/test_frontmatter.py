"""Tests for netzmd.frontmatter: what a user's file turns into, problems with positions."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterator
from pathlib import Path

import frontmatter
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from netzmd import frontmatter as fm
from netzmd.frontmatter import (
    MAX_FRONT_MATTER,
    Document,
    StrictYAMLHandler,
    YamlProblem,
    decode,
    parse_document,
    parse_document_lines,
    split_lines,
)

LOADERS = [pytest.param(yaml.SafeLoader, id="python")]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.insert(0, pytest.param(yaml.CSafeLoader, id="libyaml"))


@pytest.fixture(params=LOADERS, autouse=True)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run every test with libyaml and with the pure-Python fallback."""
    monkeypatch.setattr(fm, "_Loader", request.param)
    yield


def fields_of(text: str) -> dict[str, object]:
    document = parse_document(text)
    assert document.problem is None
    return document.fields


def problem_of(text: str) -> YamlProblem:
    document = parse_document(text)
    assert document.problem is not None
    assert document.fields == {}
    assert document.key_lines == {}
    return document.problem


# --- decoding and lines -------------------------------------------------------------


def test_decode_strips_bom() -> None:
    text = decode("\ufeff---\nname: Änne\n---\n".encode())
    assert text == "---\nname: Änne\n---\n"
    assert parse_document(text).fields == {"name": "Änne"}


def test_decode_rejects_invalid_utf8() -> None:
    with pytest.raises(UnicodeDecodeError):
        decode(b"name: \xff\xfe")


def test_split_lines_lf_crlf_and_final_newline() -> None:
    assert split_lines("a\nb\n") == ["a", "b"]
    assert split_lines("a\r\nb\r\n") == ["a", "b"]
    assert split_lines("a\r\nb") == ["a", "b"]
    assert split_lines("a\n\n") == ["a", ""]
    assert split_lines("") == []
    assert split_lines("\n") == [""]


def test_split_lines_lone_cr_is_not_a_break() -> None:
    assert split_lines("a\rb\n") == ["a\rb"]
    assert split_lines("a\r\r\nb") == ["a\r", "b"]


def test_parse_document_lines_matches_parse_document() -> None:
    text = "---\nname: Anna\ncircle: key\n---\n- 2026-03-14 met\n"
    assert parse_document_lines(split_lines(text)) == parse_document(text)


# --- recognising front matter ---------------------------------------------------------


def test_no_front_matter() -> None:
    assert parse_document("# Anna\n\nname: not front matter\n") == Document({}, {}, 1, None)
    assert parse_document("") == Document({}, {}, 1, None)


@pytest.mark.parametrize("first", ["----", "--- ", " ---", "---x", "--- # comment"])
def test_first_line_must_be_exactly_three_dashes(first: str) -> None:
    document = parse_document(f"{first}\nname: Anna\n---\nbody\n")
    assert document == Document({}, {}, 1, None)


def test_crlf_file() -> None:
    document = parse_document("---\r\nname: Anna\r\ncircle: key\r\n---\r\nbody\r\n")
    assert document == Document({"name": "Anna", "circle": "key"}, {"name": 2, "circle": 3}, 5)


def test_bom_in_text_still_opens_front_matter() -> None:
    assert parse_document("\ufeff---\nname: Anna\n---\n").fields == {"name": "Anna"}


def test_dots_close_front_matter() -> None:
    document = parse_document("---\nname: Anna\n...\nbody\n")
    assert document == Document({"name": "Anna"}, {"name": 2}, 4)


def test_closing_line_with_trailing_space_does_not_close() -> None:
    document = parse_document("---\nname: Anna\n--- \nbody\n---\nmore\n")
    assert document.problem == YamlProblem(3, 1, "front matter holds more than one YAML document")
    assert document.body_start == 6


def test_never_closed() -> None:
    document = parse_document("---\nname: Anna\n\n- 2026-03-14 met\n")
    assert document == Document({}, {}, 1, YamlProblem(1, None, "front matter is never closed"))


@pytest.mark.parametrize(
    "front",
    ["", "# just a comment\n", "\n   \n", "# a\n\n# b\n"],
    ids=["nothing", "comment", "blank", "comments"],
)
def test_empty_front_matter(front: str) -> None:
    text = f"---\n{front}---\nbody\n"
    assert parse_document(text) == Document({}, {}, len(split_lines(text)), None)


def test_explicit_null_front_matter_is_empty() -> None:
    assert parse_document("---\n~\n---\n") == Document({}, {}, 4, None)


def test_not_a_mapping_list() -> None:
    problem = problem_of("---\n- Anna\n- Ben\n---\nbody\n")
    assert problem == YamlProblem(
        2, 1, "front matter must be a mapping of keys to values, not a list"
    )


@pytest.mark.parametrize(
    ("front", "found"), [("just a sentence", "text"), ("42", "a number"), ("'x'", "text")]
)
def test_not_a_mapping_scalar(front: str, found: str) -> None:
    problem = problem_of(f"---\n{front}\n---\n")
    assert problem.message == f"front matter must be a mapping of keys to values, not {found}"
    assert problem.line == 2


def test_front_matter_over_64_kib_is_refused() -> None:
    notes = "".join(f"note{i}: {'x' * 60}\n" for i in range(1100))  # about 70 KB
    assert len(notes.encode()) > MAX_FRONT_MATTER
    document = parse_document(f"---\n{notes}---\nbody\n")
    assert document.fields == {}
    assert document.problem is not None
    assert document.problem.line == 1
    assert "more than the 65536 allowed" in document.problem.message
    assert document.body_start == 1100 + 3


def test_64_kib_counts_utf8_bytes_not_characters() -> None:
    value = "ä" * 33_000  # 33,000 characters, 66,000 bytes
    problem = problem_of(f"---\nnote: {value}\n---\n")
    assert problem.line == 1
    assert problem.message.startswith("front matter is 66007 bytes")


# --- scalars ------------------------------------------------------------------------


def test_user_data_survives() -> None:
    text = (
        "---\n"
        "phone: 0301234567\n"
        "postcode: 01067\n"
        "time: 12:30\n"
        "a: yes\n"
        "b: no\n"
        "c: on\n"
        "d: off\n"
        "e: Yes\n"
        "f: y\n"
        "octal: 0o17\n"
        "hex: 0x1F\n"
        "sexagesimal: 1:20:30\n"
        "version: 1.2.3\n"
        "exp: 1e5\n"
        "---\n"
    )
    assert fields_of(text) == {
        "phone": "0301234567",
        "postcode": "01067",
        "time": "12:30",
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": "off",
        "e": "Yes",
        "f": "y",
        "octal": "0o17",
        "hex": "0x1F",
        "sexagesimal": "1:20:30",
        "version": "1.2.3",
        "exp": "1e5",
    }


def test_booleans_in_any_case() -> None:
    text = "---\na: True\nb: FALSE\nc: true\nd: fAlSe\n---\n"
    assert fields_of(text) == {"a": True, "b": False, "c": True, "d": False}


def test_numbers_and_null() -> None:
    text = "---\na: 0\nb: -12\nc: +7\nd: 1.5\ne: -0.25e3\nf: ~\ng:\nh: null\ni: NULL\n---\n"
    assert fields_of(text) == {
        "a": 0,
        "b": -12,
        "c": 7,
        "d": 1.5,
        "e": -250.0,
        "f": None,
        "g": None,
        "h": None,
        "i": None,
    }


def test_quoted_scalars_are_strings() -> None:
    text = "---\na: 'true'\nb: \"42\"\nc: '2026-03-14'\nd: ''\ne: |\n  12\n---\n"
    assert fields_of(text) == {"a": "true", "b": "42", "c": "2026-03-14", "d": "", "e": "12\n"}


def test_dates() -> None:
    text = "---\nmet: 2026-03-14\nleap: 2024-02-29\nbad: 2026-02-30\nnot_leap: 2025-02-29\n---\n"
    assert fields_of(text) == {
        "met": datetime.date(2026, 3, 14),
        "leap": datetime.date(2024, 2, 29),
        "bad": "2026-02-30",
        "not_leap": "2025-02-29",
    }


def test_datetime_stays_text() -> None:
    assert fields_of("---\nat: 2026-03-14 10:00\n---\n") == {"at": "2026-03-14 10:00"}


def test_huge_numbers_do_not_raise() -> None:
    digits = "1" * 5000
    assert fields_of(f"---\nn: {digits}\nf: 1.0e999\n---\n") == {"n": digits, "f": "1.0e999"}


def test_nested_values() -> None:
    text = "---\ninterests:\n  - Radfahren\n  - 0301\nmatch: {specialty: Nephrologie, n: 2}\n---\n"
    assert fields_of(text) == {
        "interests": ["Radfahren", "0301"],
        "match": {"specialty": "Nephrologie", "n": 2},
    }


# --- keys ---------------------------------------------------------------------------


def test_keys_are_their_text() -> None:
    text = "---\n2024: a\non: b\ntrue: c\n~: d\n1.5: e\n'quoted': f\n2026-03-14: g\n---\n"
    assert fields_of(text) == {
        "2024": "a",
        "on": "b",
        "true": "c",
        "~": "d",
        "1.5": "e",
        "quoted": "f",
        "2026-03-14": "g",
    }


def test_nested_keys_are_text_too() -> None:
    assert fields_of("---\nmatch:\n  2024: x\n  no: y\n---\n") == {
        "match": {"2024": "x", "no": "y"}
    }


@pytest.mark.parametrize(
    ("front", "line", "column"),
    [
        ("? [a, b]\n: 1\n", 2, 3),
        ("name: Anna\n{a: 1}: x\n", 3, 1),
        ("x:\n  ? {a: 1}\n  : 2\n", 3, 5),
    ],
)
def test_complex_key_is_a_problem(front: str, line: int, column: int) -> None:
    problem = problem_of(f"---\n{front}---\n")
    assert problem == YamlProblem(line, column, "a key must be text, not a list or mapping")


def test_duplicate_key() -> None:
    problem = problem_of("---\nname: Anna\nrole: Oberärztin\nname: Ben\n---\n")
    assert problem == YamlProblem(4, 1, "duplicate key 'name'")


def test_duplicate_key_in_nested_mapping() -> None:
    problem = problem_of("---\nmatch:\n  specialty: a\n  specialty: b\n---\n")
    assert problem == YamlProblem(4, 3, "duplicate key 'specialty'")


def test_same_key_in_different_mappings_is_fine() -> None:
    text = "---\nname: Anna\nmatch:\n  name: Ben\nlist: [{name: a}, {name: b}]\n---\n"
    assert fields_of(text)["list"] == [{"name": "a"}, {"name": "b"}]


def test_key_lines_are_file_lines() -> None:
    text = (
        "---\n"  # 1
        "# contact\n"  # 2
        "name: Anna\n"  # 3
        "\n"  # 4
        "interests:\n"  # 5
        "  - Jazz\n"  # 6
        "match:\n"  # 7
        "  specialty: Nephrologie\n"  # 8
        "'phone': 0301\n"  # 9
        "---\n"  # 10
        "body\n"  # 11
    )
    document = parse_document(text)
    assert document.key_lines == {"name": 3, "interests": 5, "match": 7, "phone": 9}
    assert document.body_start == 11


def test_body_start() -> None:
    assert parse_document("---\na: 1\n---\n").body_start == 4
    assert parse_document("---\na: 1\nb: 2\n...\nbody").body_start == 5
    assert parse_document("no front matter").body_start == 1
    # A broken but closed block still ends where the delimiter says.
    assert parse_document("---\na: b: c\n---\nbody\n").body_start == 4


# --- refused constructs ---------------------------------------------------------------

FORBIDDEN = "YAML anchors, aliases and tags are not allowed"

BILLION_LAUGHS = """\
---
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
"""


def test_billion_laughs_is_refused_quickly() -> None:
    start = time.perf_counter()
    problem = problem_of(BILLION_LAUGHS)
    assert time.perf_counter() - start < 1
    assert problem == YamlProblem(2, 4, FORBIDDEN)


@pytest.mark.parametrize(
    ("front", "column"),
    [
        ("a: &x 1", 4),
        ("a: *x", 4),
        ("a: !!str 1", 4),
        ("a: !foo bar", 4),
        ("a: ! bar", 4),
        ("a: !!set {x}", 4),
        ("a: &x [1]", 4),
        ("a: !!map {x: 1}", 4),
        ("&x a: 1", 1),
        ("<<: *base", 5),
    ],
)
def test_anchors_aliases_and_tags_are_refused(front: str, column: int) -> None:
    assert problem_of(f"---\nname: Anna\n{front}\n---\n") == YamlProblem(3, column, FORBIDDEN)


def test_python_object_tag_is_refused_and_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f'---\nname: Anna\nx: !!python/object/apply:os.system ["touch {marker}"]\n---\n'
    assert problem_of(text) == YamlProblem(3, 4, FORBIDDEN)
    assert not marker.exists()


def test_python_object_tag_in_sample() -> None:
    text = '---\nx: !!python/object/apply:os.system ["echo hi"]\n---\n'
    assert problem_of(text) == YamlProblem(2, 4, FORBIDDEN)


# --- YAML errors with positions -------------------------------------------------------


def test_error_position_mapping_value() -> None:
    text = "---\nrole: Oberärztin\nname: a: b\ncircle: key\n---\nbody\n"
    problem = problem_of(text)
    assert (problem.line, problem.column) == (3, 8)
    assert problem.message.startswith("mapping values are not allowed")


def test_tab_indentation() -> None:
    text = "---\nname: Anna\ninterests:\n\t- Jazz\n---\n"
    problem = problem_of(text)
    assert (problem.line, problem.column) == (4, 1)
    assert "cannot start any token" in problem.message


def test_unclosed_flow_sequence_is_noticed_by_the_closing_line() -> None:
    problem = problem_of("---\ntags: [a, b\n---\nbody\n")
    assert (problem.line, problem.column) == (3, 1)
    assert "','" in problem.message or "']'" in problem.message


def test_unclosed_quote() -> None:
    problem = problem_of("---\nname: 'Anna\nrole: x\n---\n")
    assert problem.message == "found unexpected end of stream"
    assert problem.line == 4


def test_control_character() -> None:
    assert problem_of("---\nname: An\x00na\n---\n") == YamlProblem(
        2, 9, "character U+0000 is not allowed in YAML"
    )


def test_lone_surrogate_does_not_raise() -> None:
    assert problem_of("---\nname: \ud800\n---\n") == YamlProblem(
        2, 7, "character U+D800 is not allowed in YAML"
    )


def test_positions_after_a_unicode_line_separator_are_file_lines() -> None:
    # YAML counts U+2028 as a line break; the file does not.
    text = "---\nnote: 'a\u2028b'\nname: a: b\n---\n"
    problem = problem_of(text)
    assert (problem.line, problem.column) == (3, 8)


def test_key_lines_after_a_lone_carriage_return() -> None:
    document = parse_document("---\nnote: 'a\rb'\nname: Anna\n---\n")
    assert document.fields == {"note": "a b", "name": "Anna"}
    assert document.key_lines == {"note": 2, "name": 3}


def test_multiple_documents() -> None:
    problem = problem_of("---\nname: Anna\n--- \nname: Ben\n---\n")
    assert problem == YamlProblem(3, 1, "front matter holds more than one YAML document")


# --- depth --------------------------------------------------------------------------

DEPTH_PROBLEM = "front matter is nested deeper than 100 levels"


@pytest.mark.parametrize(
    ("front", "line", "column"),
    [
        # The 101st level: the top-level mapping is the first.
        ("x: " + "[" * 5000, 2, 103),
        ("x: " + "{a: " * 5000, 2, 400),
        ("x:\n" + "- " * 5000, 3, 199),
    ],
    ids=["flow-list", "flow-mapping", "block-list"],
)
def test_deep_nesting_is_refused(front: str, line: int, column: int) -> None:
    start = time.perf_counter()
    problem = problem_of(f"---\n{front}\n---\n")
    assert time.perf_counter() - start < 1
    assert (problem.line, problem.message) == (line, DEPTH_PROBLEM)
    # Where the parser noticed: our own check at the 101st level, or newer libyaml's
    # scanner limit (1,000 levels) further along the same line.
    assert problem.column in (column, 1003)


def test_deep_root_list() -> None:
    problem = problem_of(f"---\n{'[' * 5000}{']' * 5000}\n---\n")
    # Refused either way: as a list (not a mapping) or, with newer libyaml, for its depth.
    assert problem.message.endswith("not a list") or problem.message == DEPTH_PROBLEM


def test_deep_block_nesting() -> None:
    front = "".join(f"{'  ' * i}k{i}:\n" for i in range(150))
    assert problem_of(f"---\n{front}---\n") == YamlProblem(102, 201, DEPTH_PROBLEM)


def test_100_levels_are_allowed() -> None:
    # The top-level mapping is level 1, then 99 lists.
    fields = fields_of(f"---\nx: {'[' * 99}1{']' * 99}\n---\n")
    value = fields["x"]
    for _ in range(99):
        assert isinstance(value, list)
        value = value[0]
    assert value == 1
    assert problem_of(f"---\nx: {'[' * 100}1{']' * 100}\n---\n").message == DEPTH_PROBLEM


# --- python-frontmatter handler -----------------------------------------------------


def test_strict_handler_with_python_frontmatter() -> None:
    text = "---\nname: Anna\nphone: 0301234567\nmet: 2026-03-14\nok: yes\n---\nbody\n"
    post = frontmatter.loads(text, handler=StrictYAMLHandler())
    assert post.metadata == {
        "name": "Anna",
        "phone": "0301234567",
        "met": datetime.date(2026, 3, 14),
        "ok": "yes",
    }
    assert post.content == "body"


def test_strict_handler_refuses_with_yaml_error() -> None:
    text = "---\nname: Anna\nx: !!python/object/apply:os.system ['echo hi']\n---\nbody\n"
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        frontmatter.loads(text, handler=StrictYAMLHandler())
    assert caught.value.problem == FORBIDDEN
    assert caught.value.problem_mark is not None
    assert caught.value.problem_mark.line + 1 == 3  # the file line


# --- properties ---------------------------------------------------------------------

YAMLISH = st.text(
    alphabet=st.sampled_from(
        [*"ab01:-[]{}&*!?#|>'\", \t\n\r.~%@`", "\u2028", "\x85", "ä", "\x00", "\ud800"]
    ),
    max_size=80,
)


def check_document(text: str, document: Document) -> None:
    lines = split_lines(text)
    assert isinstance(document.fields, dict)
    assert all(isinstance(key, str) for key in document.fields)
    assert set(document.key_lines) == set(document.fields)
    assert 1 <= document.body_start <= len(lines) + 1
    if document.problem is not None:
        assert document.fields == {}
        assert 1 <= document.problem.line <= max(len(lines), 1)
        assert document.problem.column is None or document.problem.column >= 1
    for line in document.key_lines.values():
        assert 2 <= line < document.body_start


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    check_document(text, parse_document(text))


@settings(max_examples=500, deadline=None)
@given(st.text(), st.sampled_from(["---\n", "---\r\n", "\ufeff---\n"]))
def test_arbitrary_front_matter_never_raises(body: str, opening: str) -> None:
    text = opening + body
    check_document(text, parse_document(text))


@settings(max_examples=1000, deadline=None)
@given(YAMLISH, st.sampled_from(["---", "...", ""]), st.text(max_size=10))
def test_yamlish_front_matter_never_raises(front: str, closing: str, body: str) -> None:
    text = f"---\n{front}\n{closing}\n{body}"
    check_document(text, parse_document(text))


BMP_TEXT = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(BMP_TEXT, BMP_TEXT, max_size=6))
def test_double_quoted_text_round_trips(data: dict[str, str]) -> None:
    # JSON strings (ASCII-escaped) are valid YAML double-quoted scalars.
    front = "".join(f"{json.dumps(k)}: {json.dumps(v)}\n" for k, v in data.items())
    document = parse_document(f"---\n{front}---\nbody\n")
    assert document.problem is None
    assert document.fields == data
    assert list(document.key_lines.items()) == [(k, i + 2) for i, k in enumerate(data)]
    assert document.body_start == len(data) + 3


# --- the whole text at once ----------------------------------------------------------

# Pieces around the delimiters and line ends: what decides where front matter ends.
DOCUMENT_PIECES = [
    "---", "...", "----", "--- ", " ---", "\n", "\n", "\r\n", "\r", "\r\r\n", "\ufeff",
    "name: Anna", "tags: [a, b]", "  - x", "# c", "a: 1", "a: b: c", "x", "", " ",
    "- 2026-03-14 met: Kongress", "\t",
]
document_texts = st.lists(st.sampled_from(DOCUMENT_PIECES), max_size=14).map("".join)


@settings(max_examples=500)
@given(document_texts)
def test_split_document_reads_what_the_line_list_reads(text: str) -> None:
    """The same document as from the file's lines, and the body as its remaining lines."""
    lines = split_lines(text)
    document, body = fm.split_document(text)
    assert document == parse_document_lines(lines)
    # Split as `split_lines` splits, without normalizing the line ends a second time.
    body_lines = body.split("\n")
    if body_lines and not body_lines[-1]:
        body_lines.pop()
    assert body_lines == lines[document.body_start - 1 :]


def test_split_document_body_after_the_closing_line() -> None:
    document, body = fm.split_document("\ufeff---\r\nname: Anna\r\n...\r\n\r\n- 2026-03-14 met\r\n")
    assert document == Document({"name": "Anna"}, {"name": 2}, 4)
    assert body == "\n- 2026-03-14 met\n"


def test_documents_are_built_as_the_dataclass_builds_them() -> None:
    document = parse_document("---\nname: Anna\n---\n")
    assert type(document) is Document
    assert document == Document({"name": "Anna"}, {"name": 2}, 4, None)
    with pytest.raises(AttributeError):
        document.body_start = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbfname: \xff", b"name: \xc3", b"\xef\xbb\xbf\xef\xbb\xbf\xfe", b"\xef\xbb"],
)
def test_decode_reports_invalid_bytes_as_the_utf8_sig_codec_does(data: bytes) -> None:
    with pytest.raises(UnicodeDecodeError) as expected:
        data.decode("utf-8-sig")
    with pytest.raises(UnicodeDecodeError) as found:
        decode(data)
    assert (found.value.start, found.value.reason) == (
        expected.value.start, expected.value.reason
    )
