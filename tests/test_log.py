"""The log grammar (SPEC 2.4): what a user writes in a note, and what netzmd reads from it."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netzmd.log import (
    DEFAULT_VOCABULARY,
    BadDate,
    Body,
    Entry,
    LinkLine,
    OpenTask,
    Vocabulary,
    _find_tags,
    classify,
    find_links,
    find_tags,
    fold,
    parse_body,
    parse_body_text,
    parse_line,
)

# The example log of SPEC 2.4, as a user would keep it in a contact note.
SPEC_LOG = """\
- 2026-03-14 met: Kennengelernt beim Kongress, Gespräch über die neue Leitlinie #fachlich
- 2026-03-20 gave: Paper zur Leitlinie per E-Mail geschickt
- 20.03.2026 took: Zweitmeinung zu einem EKG erbeten #fachlich
- [[2026-07-10]] Frühstück nach der Tagung, über Radfahren gesprochen #persönlich
- [x] 2026-09-01 Einladung zur Fallbesprechung geschickt #geben
- [ ] 2026-12-01 Anruf wegen Arbeitsgruppe
- [ ] Abstract gegenlesen 📅 2026-12-05"""


def body(text: str, first_line: int = 1) -> Body:
    return parse_body(text.split("\n"), first_line)


def test_spec_example_log() -> None:
    assert body(SPEC_LOG) == Body(
        entries=(
            Entry(
                1,
                date(2026, 3, 14),
                "met",
                "Kennengelernt beim Kongress, Gespräch über die neue Leitlinie #fachlich",
                ("fachlich",),
                (),
                False,
            ),
            Entry(
                2,
                date(2026, 3, 20),
                "gave",
                "Paper zur Leitlinie per E-Mail geschickt",
                (),
                (),
                False,
            ),
            Entry(
                3,
                date(2026, 3, 20),
                "took",
                "Zweitmeinung zu einem EKG erbeten #fachlich",
                ("fachlich",),
                (),
                False,
            ),
            Entry(
                4,
                date(2026, 7, 10),
                None,
                "Frühstück nach der Tagung, über Radfahren gesprochen #persönlich",
                ("persönlich",),
                (),
                False,
            ),
            Entry(
                5,
                date(2026, 9, 1),
                None,
                "Einladung zur Fallbesprechung geschickt #geben",
                ("geben",),
                (),
                True,
            ),
        ),
        tasks=(
            OpenTask(6, date(2026, 12, 1), "Anruf wegen Arbeitsgruppe", (), ()),
            OpenTask(7, date(2026, 12, 5), "Abstract gegenlesen 📅 2026-12-05", (), ()),
        ),
        link_lines=(),
        bad_dates=(),
    )


def test_spec_example_directions_and_flags() -> None:
    entries = body(SPEC_LOG).entries
    assert [classify(e.kind, e.tags, DEFAULT_VOCABULARY) for e in entries] == [
        ("touch", False, False),
        ("give", False, False),
        ("take", False, False),
        ("touch", True, False),
        ("give", False, False),
    ]


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "- 2026-03-14 Kaffee",
        "- 14.03.2026 Kaffee",
        "- 14.3.2026 Kaffee",
        "- [[2026-03-14]] Kaffee",
        "- [[2026-03-14|Samstag]] Kaffee",
        "* 2026-03-14 Kaffee",
        "+ 2026-03-14 Kaffee",
        "    - 2026-03-14 Kaffee",
        "\t-\t2026-03-14 Kaffee",
    ],
)
def test_date_forms_and_bullets(line: str) -> None:
    assert parse_line(line, 5) == Entry(5, date(2026, 3, 14), None, "Kaffee", (), (), False)


def test_date_alone_and_date_with_colon() -> None:
    assert parse_line("- 2026-03-14") == Entry(1, date(2026, 3, 14), None, "", (), (), False)
    assert parse_line("- 2026-03-14: Kaffee") == Entry(
        1, date(2026, 3, 14), None, "Kaffee", (), (), False
    )


@pytest.mark.parametrize(
    "line",
    [
        "- 2026-03-14abc Kaffee",  # the date must end at a space, ':' or the line end
        "- 2026-3-14 Kaffee",
        "-2026-03-14 Kaffee",  # no space after the bullet: not a list item
        "2026-03-14 Kaffee",  # not a list item
        "1. 2026-03-14 Kaffee",
        "> - 2026-03-14 Kaffee",  # quoted
        "- Kaffee am 2026-03-14",  # the date must come first
        "- ٢٠٢٦-٠٣-١٤ Kaffee",  # other scripts' digits
        "- [-] 2026-03-14 abgesagt",  # a cancelled task (Tasks plugin) is no interaction
        "",
        "   ",
    ],
)
def test_not_an_entry(line: str) -> None:
    assert parse_line(line) is None


@pytest.mark.parametrize(
    ("line", "token"),
    [
        ("- 2026-02-30 Kaffee", "2026-02-30"),
        ("- 31.04.2026 Kaffee", "31.04.2026"),
        ("- 2026-13-01 Kaffee", "2026-13-01"),
        ("- 0000-01-01 Kaffee", "0000-01-01"),
        ("- [[2026-02-30]] Kaffee", "2026-02-30"),
        ("- [x] 2026-02-30 Kaffee", "2026-02-30"),
        ("- [ ] 2026-02-30 Anrufen", "2026-02-30"),
        ("- [ ] Anrufen 📅 2026-02-30", "2026-02-30"),
        ("- [x] Angerufen ✅ 2026-02-30", "2026-02-30"),
    ],
)
def test_bad_dates(line: str, token: str) -> None:
    assert parse_line(line, 9) == BadDate(9, token)


def test_bad_dates_in_a_body() -> None:
    text = "## Log\n- 2026-02-30 met: Kongress\n- 2026-03-01 call: ok"
    assert body(text, 10) == Body(
        entries=(Entry(12, date(2026, 3, 1), "call", "ok", (), (), False),),
        tasks=(),
        link_lines=(),
        bad_dates=(BadDate(11, "2026-02-30"),),
    )


# --- kinds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kind", "text"),
    [
        ("- 2026-03-14 met: Kongress", "met", "Kongress"),
        ("- 2026-03-14 call: kurz", "call", "kurz"),
        ("- 2026-03-14 treffen: Mittagessen", "treffen", "Mittagessen"),
        ("- 2026-03-14 Rückruf: erledigt", "Rückruf", "erledigt"),
        ("- 2026-03-14 follow-up: Paper", "follow-up", "Paper"),
        ("- 2026-03-14   mail:", "mail", ""),
        ("- 2026-03-14 12:30 call", None, "12:30 call"),
        ("- 2026-03-14 https://example.org Paper", None, "https://example.org Paper"),
        ("- 2026-03-14 Paper: Leitlinie", "Paper", "Leitlinie"),
        ("- 2026-03-14 zwei Worte: nein", None, "zwei Worte: nein"),
    ],
)
def test_kind_word(line: str, kind: str | None, text: str) -> None:
    entry = parse_line(line)
    assert isinstance(entry, Entry)
    assert (entry.kind, entry.text) == (kind, text)


# --- direction and flags -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- 2026-03-14 gave: Paper geschickt", ("give", False, False)),
        ("- 2026-03-14 GAB: Paper geschickt", ("give", False, False)),
        ("- 2026-03-14 asked: um Rat gefragt", ("take", False, False)),
        ("- 2026-03-14 erhalten: Einladung", ("take", False, False)),
        ("- 2026-03-14 exchange: Fälle besprochen", ("mutual", False, False)),
        ("- 2026-03-14 Paper geschickt #geben", ("give", False, False)),
        ("- 2026-03-14 Zweitmeinung #Gebeten", ("take", False, False)),
        ("- 2026-03-14 Hospitation #austausch", ("mutual", False, False)),
        ("- 2026-03-14 gave: Paper, dafür Daten #bekommen", ("mutual", False, False)),
        ("- 2026-03-14 Paper #geben und Daten #nehmen", ("mutual", False, False)),
        ("- 2026-03-14 met: Kongress", ("touch", False, False)),
        ("- 2026-03-14 Radtour #persönlich", ("touch", True, False)),
        ("- 2026-03-14 Radtour #PRIVAT", ("touch", True, False)),
        ("- 2026-03-14 personal: Geburtstag", ("touch", True, False)),
        ("- 2026-03-14 Stelle besprochen #karriere", ("touch", False, True)),
        ("- 2026-03-14 asked: Empfehlungsschreiben #career", ("take", False, True)),
        ("- 2026-03-14 Wanderung #privat #karriere #gegeben", ("give", True, True)),
    ],
)
def test_direction_and_flags(line: str, expected: tuple[str, bool, bool]) -> None:
    entry = parse_line(line)
    assert isinstance(entry, Entry)
    assert classify(entry.kind, entry.tags, DEFAULT_VOCABULARY) == expected


def test_custom_vocabulary_replaces_the_defaults() -> None:
    vocabulary = Vocabulary(
        give=frozenset({"Geschenkt"}),
        take=frozenset({"#bitte"}),
        mutual=frozenset(),
        personal=frozenset({"familie"}),
        career=frozenset({"job"}),
    )
    assert vocabulary.give == frozenset({"geschenkt"})
    assert vocabulary.take == frozenset({"bitte"})
    assert classify("geschenkt", (), vocabulary) == ("give", False, False)
    assert classify(None, ("bitte", "job"), vocabulary) == ("take", False, True)
    assert classify("gave", ("familie",), vocabulary) == ("touch", True, False)
    assert classify("geschenkt", ("bitte",), vocabulary) == ("mutual", False, False)


# --- tasks -------------------------------------------------------------------------------


def test_open_task_with_leading_date() -> None:
    assert parse_line("- [ ] 2026-12-01 call: [[Anna Keller]] wegen AG #fachlich", 3) == OpenTask(
        3,
        date(2026, 12, 1),
        "call: [[Anna Keller]] wegen AG #fachlich",
        ("fachlich",),
        ("Anna Keller",),
    )


def test_open_task_with_tasks_plugin_due_date() -> None:
    assert parse_line("* [ ] Abstract an [[Bernd]] 📅 2026-12-05 ⏫") == OpenTask(
        1, date(2026, 12, 5), "Abstract an [[Bernd]] 📅 2026-12-05 ⏫", (), ("Bernd",)
    )
    assert parse_line("- [ ] 05.12.2026 Abstract 📅 2026-12-24") == OpenTask(
        1, date(2026, 12, 5), "Abstract 📅 2026-12-24", (), ()
    )


def test_open_task_without_date() -> None:
    assert parse_line("- [ ] Abstract gegenlesen") == OpenTask(
        1, None, "Abstract gegenlesen", (), ()
    )
    assert parse_line("- [ ]") == OpenTask(1, None, "", (), ())


def test_open_task_is_neither_entry_nor_link_line() -> None:
    assert body("- [ ] Abstract mit [[Anna]]") == Body(
        entries=(),
        tasks=(OpenTask(1, None, "Abstract mit [[Anna]]", (), ("Anna",)),),
        link_lines=(),
        bad_dates=(),
    )


@pytest.mark.parametrize("box", ["x", "X"])
def test_done_task_is_an_entry(box: str) -> None:
    assert parse_line(f"- [{box}] 2026-09-01 gave: Einladung an [[Anna]]", 4) == Entry(
        4, date(2026, 9, 1), "gave", "Einladung an [[Anna]]", (), ("Anna",), True
    )


def test_done_task_dated_by_tasks_plugin() -> None:
    assert parse_line("- [x] Abstract gegengelesen 📅 2026-12-05 ✅ 2026-12-04") == Entry(
        1,
        date(2026, 12, 4),
        None,
        "Abstract gegengelesen 📅 2026-12-05 ✅ 2026-12-04",
        (),
        (),
        True,
    )
    assert parse_line("- [x] call: [[Anna]] 📅 2026-12-05") == Entry(
        1, date(2026, 12, 5), "call", "[[Anna]] 📅 2026-12-05", (), ("Anna",), True
    )


def test_done_task_without_date_is_no_entry() -> None:
    assert parse_line("- [x] Abstract gegengelesen") is None


# --- links and tags ----------------------------------------------------------------------


def test_links_with_alias_and_heading() -> None:
    entry = parse_line(
        "- 2026-03-14 Fallkonferenz mit [[Dr. Anna Keller|Anna]], [[Bernd Roth#Log]] "
        "und [[ Carla Neu #^abc | C ]]"
    )
    assert isinstance(entry, Entry)
    assert entry.links == ("Dr. Anna Keller", "Bernd Roth", "Carla Neu")


def test_find_links() -> None:
    assert find_links("[[Anna]] ![[Anna.png]] [[#Abschnitt]] [[Anna|A]] [[Bernd\\|B]]") == (
        "Anna",
        "Bernd",
    )
    assert find_links("kein Link [Anna](Anna.md) [[]]") == ()


def test_the_date_link_is_not_a_link_of_the_entry() -> None:
    entry = parse_line("- [[2026-07-10]] Frühstück mit [[Anna]], Notiz in [[2026-07-11]]")
    assert isinstance(entry, Entry)
    assert entry.links == ("Anna", "2026-07-11")


def test_embeds_are_not_links() -> None:
    entry = parse_line("- 2026-03-14 Foto ![[Kongress.jpg]] mit ![[Anna]]")
    assert isinstance(entry, Entry)
    assert entry.links == ()


def test_tags_with_umlauts_and_slashes() -> None:
    assert find_tags("#Persönlich #persönlich #Fach/Nephro #zweit-meinung #a_b") == (
        "persönlich",
        "fach/nephro",
        "zweit-meinung",
        "a_b",
    )
    # The same tag typed with a decomposed umlaut (as some macOS tools write it).
    assert find_tags("#perso\u0308nlich") == ("persönlich",)


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/#fragment",
        "siehe http://x.de/a#anker",
        "[[Anna#Log]] und [[Anna #Log]]",
        "[Leitlinie](#abschnitt)",
        "C# und F#",
        "&#39;",
        "Zimmer #12",
        "# Überschrift",
        "##zwei",
    ],
)
def test_not_tags(text: str) -> None:
    assert find_tags(text) == ()


def test_tags_next_to_links_and_urls() -> None:
    assert find_tags("[[Anna]] #geben https://x.de/#y (#privat), #Karriere;") == (
        "geben",
        "privat",
        "karriere",
    )


def test_fold() -> None:
    assert fold("Dr. Anna KELLER") == "dr. anna keller"
    assert fold("MÜLLER") == fold("mu\u0308ller") == "müller"
    assert fold("Groß") == "gross"


# --- code, comments, quotes, link lines --------------------------------------------------


def test_fenced_code_is_skipped() -> None:
    text = "\n".join(
        [
            "```",
            "- 2026-03-14 met: im Code",
            "```",
            "  ~~~~markdown",
            "- 2026-03-15 met: im Code",
            "~~~",  # too short to close a ~~~~ fence
            "```",  # the wrong character
            "~~~~~",
            "- 2026-03-16 met: wieder draußen",
        ]
    )
    assert body(text).entries == (
        Entry(9, date(2026, 3, 16), "met", "wieder draußen", (), (), False),
    )


def test_unclosed_fence_runs_to_the_end() -> None:
    assert body("```python\n- 2026-03-14 x\n[[Anna]]").entries == ()


def test_html_comments_are_skipped() -> None:
    text = "\n".join(
        [
            "<!-- - 2026-03-01 met: einzeilig -->",
            "<!--",
            "- 2026-03-02 met: mehrzeilig",
            "[[Anna]]",
            "-->",
            "- 2026-03-03 met: sichtbar <!-- #privat [[Bernd]] -->",
            "- 2026-03-04 call: vorher <!-- beginnt",
            "- 2026-03-05 met: versteckt",
            "endet --> - 2026-03-06 mail: danach",
        ]
    )
    assert body(text) == Body(
        entries=(
            Entry(6, date(2026, 3, 3), "met", "sichtbar", (), (), False),
            Entry(7, date(2026, 3, 4), "call", "vorher", (), (), False),
            Entry(9, date(2026, 3, 6), "mail", "danach", (), (), False),
        ),
        tasks=(),
        link_lines=(),
        bad_dates=(),
    )


def test_link_lines() -> None:
    text = "\n".join(
        [
            "# Tagung [[Kongress 2026]]",
            "Treffen: mit [[Anna|Dr. Keller]] und [[Bernd]] #privat",
            "- call: [[Carla]] wegen Paper",
            "> [[Anna]] im Zitat",
            "  > [[Anna]] im Zitat",
            "![[Anna]]",
            "Nur Text ohne Link",
            "- [x] [[Dora]] angerufen",
        ]
    )
    assert body(text, 20).link_lines == (
        LinkLine(20, None, (), ("Kongress 2026",), "# Tagung [[Kongress 2026]]"),
        LinkLine(
            21,
            "Treffen",
            ("privat",),
            ("Anna", "Bernd"),
            "mit [[Anna|Dr. Keller]] und [[Bernd]] #privat",
        ),
        LinkLine(22, "call", (), ("Carla",), "[[Carla]] wegen Paper"),
        LinkLine(27, None, (), ("Dora",), "[[Dora]] angerufen"),
    )


def test_entries_are_not_link_lines() -> None:
    assert body("- 2026-03-14 met: [[Anna]]", 3) == Body(
        entries=(Entry(3, date(2026, 3, 14), "met", "[[Anna]]", (), ("Anna",), False),),
        tasks=(),
        link_lines=(),
        bad_dates=(),
    )


def test_line_numbers_follow_first_line() -> None:
    found = body("Text\n\n- 2026-03-14 a\n- [ ] 2026-03-20 b\n[[Anna]]\n- 2026-02-31 c", 41)
    assert [e.line for e in found.entries] == [43]
    assert [t.line for t in found.tasks] == [44]
    assert [k.line for k in found.link_lines] == [45]
    assert found.bad_dates == (BadDate(46, "2026-02-31"),)


# --- nothing raises ----------------------------------------------------------------------

# Text biased towards the grammar's own characters, so that near-misses get exercised.
grammar_text = st.text(
    alphabet=st.sampled_from(list(" \t-*+[]xX#!|:.0123456789<>!`~/aäZ📅✅\ufe0f\u0308\n\r"))
    | st.characters(),
    max_size=60,
)


@given(st.lists(grammar_text, max_size=30), st.integers(min_value=-5, max_value=10**6))
def test_parse_body_never_raises(lines: list[str], first_line: int) -> None:
    found = parse_body(lines, first_line)
    numbers = [
        item.line
        for group in (found.entries, found.tasks, found.link_lines, found.bad_dates)
        for item in group
    ]
    assert all(first_line <= n < first_line + len(lines) for n in numbers)
    assert len(numbers) == len(set(numbers))


@given(grammar_text, st.integers())
def test_parse_line_never_raises(text: str, line: int) -> None:
    result = parse_line(text, line)
    assert result is None or result.line == line


@given(grammar_text)
def test_helpers_never_raise(text: str) -> None:
    tags = find_tags(text)
    assert all(tag and not tag.isdigit() and tag == fold(tag) for tag in tags)
    assert all(link == link.strip() and link for link in find_links(text))
    classify(text, tags, DEFAULT_VOCABULARY)


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


# --- the fast ways agree with the general ones ---------------------------------------------

# Pieces of log lines, glued at random: list markers, boxes, the three date forms (real and
# impossible), kinds, tags, links, embeds, URLs, fences, comments, quotes, odd blanks.
LOG_PIECES = [
    "- ", "* ", "+ ", "  - ", "\t- ", "-", "- [ ] ", "- [x] ", "- [X] ", "[x]", "2026-03-14",
    "14.3.2026", "31.04.2026", "2026-02-30", "[[2026-03-14]]", "[[2026-03-14|Fr]]", ":", " ",
    "met: ", "call:", "12:30 ", "https://x.example/a#b ", "#fachlich", " #Persönlich",
    " #1", "C#", "(#x)", "[[Anna]]", "[[Anna #b]]", "![[Bild.png]]", "[t](u#v)", "[", "]",
    "[[", "]]", "\n", "\n", "\n\n", "```", "~~~", "<!--", "-->", "> ", "📅 2026-12-05",
    "✅ 2026-12-04", "\ufe0f", "e\u0301", "\u3000", "\r", "Text", "Über", "|", "\\",
]
log_texts = st.lists(st.sampled_from(LOG_PIECES) | grammar_text, max_size=25).map("".join)


@settings(max_examples=500)
@given(log_texts, st.integers(min_value=1, max_value=10**6))
def test_parse_body_text_reads_what_parse_body_reads(text: str, first_line: int) -> None:
    assert parse_body_text(text, first_line) == parse_body(text.split("\n"), first_line)


def test_parse_body_text_of_a_log_with_code_and_comments() -> None:
    text = (
        "- 2026-03-14 met: Kongress #fachlich\n"
        "```\n- 2026-03-15 im Code\n```\n"
        "<!-- - 2026-03-16 auskommentiert -->\n"
        "- 2026-03-17 call: [[Anna]]"
    )
    found = parse_body_text(text, 10)
    assert [(e.line, e.date, e.kind) for e in found.entries] == [
        (10, date(2026, 3, 14), "met"),
        (15, date(2026, 3, 17), "call"),
    ]


@settings(max_examples=500)
@given(log_texts)
def test_find_tags_from_the_tail_agrees_with_the_whole_text(text: str) -> None:
    # `_find_tags` reads the whole text; `find_tags` may answer from the tail after the
    # first '#', the second time from its cache.
    expected = _find_tags(text)
    assert find_tags(text) == expected
    assert find_tags(text) == expected


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("Gespräch #fachlich #geben", ("fachlich", "geben")),
        ("mit [[Anna]] #fachlich", ("fachlich",)),
        ("[[Anna #b]] #c", ("c",)),  # the first '#' sits in a link
        ("Text [[Anna #b", ("b",)),  # a link that never closes holds nothing
        ("C# und #x", ("x",)),  # the first '#' follows a letter
        ("https://x.example/#a #b", ("b",)),  # a fragment is no tag
        ("siehe https://x.example/a #b https://y.example/#c", ("b",)),
        ("[t](u #v) #w", ("v", "w")),  # a link target holds no space
    ],
)
def test_find_tags_around_links_and_urls(text: str, tags: tuple[str, ...]) -> None:
    assert find_tags(text) == tags
    assert find_tags(text) == tags


# The link pattern as it was before embeds were skipped by looking back: an oracle.
_LINK_WITH_EMBED = re.compile(r"(!?)\[\[([^\[\]|#]*)[^\[\]]*\]\]")


@given(log_texts)
def test_find_links_skips_embeds_as_a_match_of_the_mark_would(text: str) -> None:
    expected: list[str] = []
    for embed, target in _LINK_WITH_EMBED.findall(text):
        target = target.rstrip("\\").strip()
        if not embed and target and target not in expected:
            expected.append(target)
    assert find_links(text) == tuple(expected)


def test_entries_and_bodies_are_built_as_the_dataclasses_build_them() -> None:
    found = parse_body_text("- [x] 2026-03-14 met: Kongress mit [[Anna]] #fachlich\n")
    expected = Entry(1, date(2026, 3, 14), "met", "Kongress mit [[Anna]] #fachlich",
                     ("fachlich",), ("Anna",), True)
    (entry,) = found.entries
    assert type(entry) is Entry and type(found) is Body
    assert entry == expected and hash(entry) == hash(expected) and repr(entry) == repr(expected)
    assert found == Body((expected,), (), (), ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.text = "anders"  # type: ignore[misc]


def test_parse_line_keeps_all_that_follows_the_head() -> None:
    # Callers pass one line; should a line break slip in, it stays in the text as before.
    entry = parse_line("- 2026-03-14 met: Kongress\nund mehr #fachlich")
    assert isinstance(entry, Entry)
    assert (entry.kind, entry.text, entry.tags) == ("met", "Kongress\nund mehr #fachlich",
                                                    ("fachlich",))
