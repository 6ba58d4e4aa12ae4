"""The fast path for simple front matter gives exactly what the YAML event parser gives.

`_load_simple` reads the common subset (`key: value`, flow and block lists of plain words)
with one regex over the lines and string methods; whenever it accepts a text, the fields
(with their types), the key lines and the absence of a problem must equal those of
`_load_events`, the libyaml-based parser. Generated front matter sits in and around the
subset: indicators, quotes, comments, odd indentation, Unicode spaces and line breaks,
duplicate keys.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netzmd import frontmatter
from netzmd.frontmatter import (
    _FAST_REFUSED,
    _NOT_YAML_CHAR,
    _load_events,
    _load_simple,
    parse_document,
)


def typed(value: Any) -> Any:
    """A value with the type of every scalar, so that True, 1 and 1.0 differ."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def check_same(lines: list[str]) -> bool:
    """Assert fast == full when the fast path accepts; return whether it accepted."""
    text = "\n".join(lines) + "\n"
    if _NOT_YAML_CHAR.search(text) or _FAST_REFUSED.search(text):
        # `_load_yaml` never offers such text to the fast path.
        return False
    fast = _load_simple(text, 2)
    if fast is None:
        return False
    fields, key_lines, problem = _load_events(text, 2)
    assert problem is None, (lines, problem)
    assert typed(fast[0]) == typed(fields), lines
    assert list(fast[0]) == list(fields), lines
    assert fast[1] == key_lines, lines
    return True


# Pieces chosen to sit on the subset's edges: YAML indicators, quotes, escapes, comment
# and mapping markers, Unicode spaces and breaks, scalars that resolve to other types.
EDGY = [
    " ", "  ", "#", " #", ":", ": ", "-", "- ", "--", "---", "...", "[", "]", ",", ", ",
    "{", "}", "'", '"', "\\", "&", "*", "!", "|", ">", "%", "@", "`", "?", "? ", "~",
    "\t", "\u00a0", "\u2028", "\x85", "\ufeff", "\u3000", "\r",
]
WORDS = [
    "a", "Anna", "Müller", "Dr. Hülya Özlem", "x.y", "12:30", "https://x.example/a#b",
    "C#", "O'Brien", "true", "False", "yes", "on", "null", "Null", "~", "0", "-5", "+3",
    "007", "0123", "1.5", "-2.0e3", "1e3", "0x1F", ".5", "nan", ".inf", "2024-02-29",
    "2023-02-29", "2026-9-1", "9999-12-31", "2024-02-29T10:00", "1_000", "MVZ, Köln",
    "a  b", "ä", "日本", "a]b", "x{y}", "[a]", "a:b", "a:", "-a", "--", "a - b",
    "<!-- x -->", "100%", "a@b", "l'été",
]


@st.composite
def fragments(draw: st.DrawFn) -> str:
    """A value-ish string: words and edgy pieces glued together."""
    parts = draw(
        st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(EDGY)), min_size=0,
                 max_size=4)
    )
    return "".join(parts)


@st.composite
def quoted(draw: st.DrawFn) -> str:
    """A fragment in single or double quotes, sometimes with a stray quote around it."""
    quote = draw(st.sampled_from(["'", '"']))
    text = quote + draw(fragments()) + quote
    return text + draw(st.sampled_from(["", "", " ", "'", '"', "x", ":"]))


VALUES = st.one_of(fragments(), st.sampled_from(WORDS), quoted())


KEYS = st.one_of(
    st.sampled_from(["name", "tags", "a", "2024", "on", "true", "x.y", "met-at", "Größe",
                     "_k", "null", "k9", "a.", "b-", "ключ"]),
    st.sampled_from(["-k", "?k", "~", "a b", "k" * 130, "'q'", "&a", "k#", "*a"]),
    fragments(),
)


@st.composite
def lines_of_front_matter(draw: st.DrawFn) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 7))):
        kind = draw(st.integers(0, 9))
        if kind <= 3:
            key = draw(KEYS)
            sep = draw(st.sampled_from([":", ": ", ":  ", " :", ":\t", ":: "]))
            value = draw(VALUES)
            shape = draw(st.integers(0, 6))
            if shape == 1:
                items = draw(st.lists(VALUES, max_size=4))
                value = "[" + draw(st.sampled_from([",", ", ", " , "])).join(items) + "]"
            elif shape == 2:
                quote = draw(st.sampled_from(["'", '"']))
                value = quote + value + quote
            elif shape == 3:
                value = ""
            trail = draw(st.sampled_from(["", " ", "  ", " # c"]))
            lines.append(f"{key}{sep}{value}{trail}")
        elif kind <= 6:
            indent = draw(st.sampled_from(["", " ", "  ", "    "]))
            dash = draw(st.sampled_from(["- ", "-", "-  ", "- - ", "-x "]))
            item = draw(VALUES)
            lines.append(f"{indent}{dash}{item}")
        elif kind == 7:
            lines.append(draw(st.sampled_from(["", " ", "# note", "#", "  # c", "#: x"])))
        elif kind == 8:
            indent = draw(st.sampled_from([" ", "  ", "    "]))
            lines.append(indent + draw(st.one_of(fragments(), st.sampled_from(WORDS))))
        else:
            lines.append(draw(fragments()))
    return lines


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines_of_front_matter())
def test_fast_path_equals_full_parser(lines: list[str]) -> None:
    check_same(lines)


@st.composite
def simple_front_matter(draw: st.DrawFn) -> list[str]:
    """Front matter of the shapes the fast path is for, with values from WORDS."""
    lines: list[str] = []
    keys = draw(st.lists(st.sampled_from(["name", "role", "tags", "met", "phone", "x.y",
                                          "Größe", "2024", "on"]),
                         min_size=1, max_size=6, unique=True))
    plain = st.sampled_from([w for w in WORDS if frontmatter._simple_plain(w)])
    for key in keys:
        shape = draw(st.integers(0, 4))
        if shape == 0:
            lines.append(f"{key}: {draw(plain)}")
        elif shape == 1:
            items = draw(st.lists(plain.filter(lambda w: "," not in w and "]" not in w
                                               and "[" not in w and ":" not in w
                                               and "#" not in w and "'" not in w
                                               and "{" not in w), max_size=3))
            lines.append(f"{key}: [{', '.join(items)}]")
        elif shape == 2:
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["", "  ", "    "]))
            for item in draw(st.lists(plain, max_size=3)):
                lines.append(f"{indent}- {item}")
        elif shape == 3:
            lines.append(f"{key}: \"{draw(plain)}\"")
        else:
            lines.append(f"{key}:")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "# comment"])))
    return lines


@settings(max_examples=500, deadline=None)
@given(simple_front_matter())
def test_simple_front_matter_takes_the_fast_path(lines: list[str]) -> None:
    assert check_same(lines), lines


@pytest.mark.parametrize(
    "lines",
    [
        ["tags:", "  - a", "", "  - b"],
        ["tags:", "  - a", "# c", "  - b"],
        ["tags:", "# c", "- a", "- b", "next: 1"],
        ["tags:", "  -", "  - b"],
        ["tags: []", "x: [ ]", "y: [a ,b]"],
        ["a: -5", "b: '-5'", 'c: "a # b"', "d: O'Brien", "e: 12:30", "f: x{y}"],
        ["a: 1", "b:", "c: 2024-02-29", "d: 2023-02-29", "e: 1.5", "f: TRUE", "g: 007"],
        ['goals: ["[[Drei Kolleg:innen]]", \'a, b\' , c]', "birthday: \"--11-08\""],
        ["goals:", '  - "[[Ziel #1]]"', "  - '2024-01-01'"],
    ],
)
def test_edge_cases_agree(lines: list[str]) -> None:
    assert check_same(lines), lines


@pytest.mark.parametrize(
    "lines",
    [
        ["a: 1", "a: 2"],  # duplicate: the full parser words the problem
        ["a: b: c"],
        ["a: x", "  continued"],
        ["a:", "  b: 1"],
        ["a:", "  - x", "    - y"],
        ["a: &x 1"],
        ["a: [a, [b]]"],
        ["- a"],
        ["a: 'it''s'"],
        ["a: ['it''s']"],
        ['a: ["x\\"y"]'],
        ['a: ["x" y]'],
        ["a: [a, b,]"],
        ["a: Anna # Kommentar"],
        ["a: Anna: Keller"],
        ["a: Anna:"],
        ["a:", "  - Anna # Kommentar"],
        ["a:", "  - Anna:"],
        ["a:", "  - Anna: Keller"],
    ],
)
def test_outside_the_subset_is_left_to_the_full_parser(lines: list[str]) -> None:
    assert _load_simple("\n".join(lines) + "\n", 2) is None


def test_benchmark_front_matter_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A contact as `bench/generate.py` writes it never reaches libyaml."""
    def refuse(*args: object) -> Any:
        raise AssertionError("the event parser was used")

    monkeypatch.setattr(frontmatter, "_build", refuse)
    text = (
        "---\n"
        "name: Dr. Hülya Özlem Lorenz\n"
        "role: Stationsleitung\n"
        "organisation: MVZ Rheinaue\n"
        "circle: regular\n"
        "cadence: monthly\n"
        "met: 2026-09-28\n"
        "met_at: Vorgestellt von Dr. Albrecht\n"
        "birthday: 1978-03-26\n"
        "tags: [lehre, fortbildung, station]\n"
        "interests:\n"
        "  - Radfahren\n"
        "  - Jazz\n"
        "email: lorenz.884@klinik.example\n"
        "phone: 0035380494\n"
        "---\n"
        "\n"
        "- 2026-09-29 met: Frühstück #austausch\n"
    )
    doc = parse_document(text)
    assert doc.problem is None
    assert doc.fields == {
        "name": "Dr. Hülya Özlem Lorenz",
        "role": "Stationsleitung",
        "organisation": "MVZ Rheinaue",
        "circle": "regular",
        "cadence": "monthly",
        "met": datetime.date(2026, 9, 28),
        "met_at": "Vorgestellt von Dr. Albrecht",
        "birthday": datetime.date(1978, 3, 26),
        "tags": ["lehre", "fortbildung", "station"],
        "interests": ["Radfahren", "Jazz"],
        "email": "lorenz.884@klinik.example",
        "phone": "0035380494",
    }
    assert doc.key_lines["name"] == 2
    assert doc.key_lines["phone"] == 15
    assert doc.body_start == 17


def test_generated_benchmark_vault_takes_the_fast_path(tmp_path: Path) -> None:
    """Every contact of a small generated benchmark vault is read without libyaml, identically.

    (Its goals hold a nested `match:` mapping, which is left to the full parser.)
    """
    import subprocess
    import sys

    root = tmp_path / "vault"
    generator = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    subprocess.run(
        [sys.executable, str(generator), str(root), "--contacts", "60", "--journal", "5"],
        check=True, capture_output=True,
    )
    notes = sorted((root / "Kontakte").glob("*.md"))
    assert len(notes) == 60
    for note in notes:
        lines = frontmatter.split_lines(frontmatter.decode(note.read_bytes()))
        close = lines.index("---", 1)
        assert check_same(lines[1:close]), note


@pytest.mark.parametrize(
    "lines",
    [
        ["phone: 0123", "zip: 00", "n: 5", "zero: 0", "neg: -5"],
        ["a: 2024-02-29", "b: 2023-02-29", "c: 2024-02-29  ", "d: 2024-02-29 x"],
        ["e: 2024-2-29", "f: 20240229", "g: 12345678901234567890"],
        ["interests:", "  - Kochen", "  - 2024-02-29", "  - 0815"],
    ],
)
def test_dates_and_digits_agree(lines: list[str]) -> None:
    assert check_same(lines), lines


def test_digits_too_long_for_a_number_stay_text() -> None:
    digits = "1" * 5000
    assert parse_document(f"---\nid: {digits}\n---\n").fields == {"id": digits}


def test_printable_text_holds_nothing_the_checks_refuse() -> None:
    """`_load_yaml` skips both character searches for text that `str.isprintable` accepts."""
    refused = [
        hex(code) for code in range(0x110000)
        if chr(code).isprintable()
        and (_NOT_YAML_CHAR.match(chr(code)) or _FAST_REFUSED.match(chr(code)))
    ]
    assert refused == []
