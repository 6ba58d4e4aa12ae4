"""The log grammar (SPEC 2.4): one list item in, an Entry / OpenTask / BadDate (or nothing) out.

Pure functions over text: no I/O, no clock, and nothing raises for any input. `parse_body`
walks a note's body, skips fenced code and HTML comments, and also collects the lines that
link notes without being entries (`LinkLine`), which dated notes count as touches;
`parse_body_text` does the same for a body as one text, the way every note is read.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from netzmd.records import draft_of, record_builder

__all__ = [
    "DEFAULT_VOCABULARY",
    "BadDate",
    "Body",
    "Entry",
    "LinkLine",
    "OpenTask",
    "Vocabulary",
    "classify",
    "find_links",
    "find_tags",
    "fold",
    "parse_body",
    "parse_body_text",
    "parse_line",
]


def fold(text: str) -> str:
    """Case- and normalisation-insensitive key: NFC, casefold, NFC again.

    The second NFC keeps the result composed (casefold can decompose, e.g. 'ǰ'), so that
    fold(fold(x)) == fold(x).
    """
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


@dataclass(frozen=True, slots=True)
class Entry:
    """A dated list item: an interaction (also a done task `- [x]`)."""

    line: int
    date: datetime.date
    kind: str | None
    text: str
    tags: tuple[str, ...]
    links: tuple[str, ...]
    done_task: bool


@dataclass(frozen=True, slots=True)
class OpenTask:
    """A `- [ ]` planned step; `due` is None when it has no date (the caller ignores it)."""

    line: int
    due: datetime.date | None
    text: str
    tags: tuple[str, ...]
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LinkLine:
    """A line that links notes but is not an entry or task (SPEC 2.4, rule 3)."""

    line: int
    kind: str | None
    tags: tuple[str, ...]
    links: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class BadDate:
    """A list item whose date is date-shaped but not a real date; `token` is that date text."""

    line: int
    token: str


@dataclass(frozen=True, slots=True)
class Body:
    """Everything the grammar finds in a note body, each in file-line order."""

    entries: tuple[Entry, ...]
    tasks: tuple[OpenTask, ...]
    link_lines: tuple[LinkLine, ...]
    bad_dates: tuple[BadDate, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Words (kinds and tags) that mark direction and flags; stored folded, without '#'."""

    give: frozenset[str]
    take: frozenset[str]
    mutual: frozenset[str]
    personal: frozenset[str]
    career: frozenset[str]

    def __post_init__(self) -> None:
        # Folding here keeps classify() cheap and makes `Vocabulary({"Gave"}, ...)` and
        # config words written as tags (`"#geben"`) match as a user would expect.
        for name in ("give", "take", "mutual", "personal", "career"):
            words: frozenset[str] = getattr(self, name)
            object.__setattr__(self, name, frozenset(fold(w).lstrip("#") for w in words))


DEFAULT_VOCABULARY = Vocabulary(
    give=frozenset({"gave", "give", "geben", "gegeben", "gab"}),
    take=frozenset(
        {"took", "take", "asked", "ask", "nehmen", "genommen", "erhalten", "bekommen", "gebeten"}
    ),
    mutual=frozenset({"mutual", "exchange", "austausch", "gegenseitig"}),
    personal=frozenset({"personal", "persönlich", "privat"}),
    career=frozenset({"career", "karriere"}),
)


# [0-9], not \d: \d also matches other scripts' digits, which int() would turn into dates.
_LEADING_DATE = r"""
    (?:
        (?P<iso>[0-9]{4}-[0-9]{2}-[0-9]{2})
      | (?P<de>[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4})
      | \[\[(?P<wl>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:[|\#][^\[\]]*)?\]\]
    )
    (?=[\s:]|\Z)
"""
# The kind word must start with a letter so that a time (`12:30`) is never a kind, and be
# followed by whitespace so that a URL scheme (`https://`) is not one either. Possessive
# runs (`*+`) never give back what no later part of the pattern could use: a ':' is no
# word character, nothing that follows starts with a blank. This spares backtracking.
# The blanks after the kind are taken too (the text is stripped anyway), so that a
# stripped entry text is mostly the very string matched.
_KIND_WORD = r"[ \t]*+(?:(?P<kind>[^\W\d_][\w-]*+):(?=\s|\Z))?[ \t]*+"
_HEAD = re.compile(
    r"[ \t]*[-*+][ \t]+(?:\[(?P<box>[ xX])\](?:[ \t]+|\Z))?" f"(?:{_LEADING_DATE})?",
    re.VERBOSE,
)
_KIND = re.compile(_KIND_WORD)
# The usual entry, `- 2024-05-01 kind: text` or a done task with a leading date, as
# `_HEAD` then `_KIND` read it (an open task's box is left out), in one match; `rest` is
# all that follows, still to be stripped.
_DATED_ENTRY = re.compile(
    r"[ \t]*+[-*+][ \t]++(?:\[(?P<box>[xX])\](?:[ \t]++|\Z))?"
    f"{_LEADING_DATE}:?{_KIND_WORD}(?P<rest>(?s:.*))",
    re.VERBOSE,
)
_LINK_PREFIX = re.compile(
    r"[ \t]*(?:[-*+][ \t]+(?:\[[ xX]\](?:[ \t]+|\Z))?)?(?:(?P<kind>[^\W\d_][\w-]*):(?=\s|\Z))?"
)
# Tasks plugin markers; the emoji may carry a variation selector (U+FE0F).
_MARKER_DATE = r"\uFE0F?[ \t]*(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})(?![0-9])"
_DUE = re.compile("\U0001f4c5" + _MARKER_DATE)
_DONE = re.compile("\u2705" + _MARKER_DATE)

# A wiki link, not an embed (`![[...]]`); the group is the target (the text before any
# `|alias` or `#heading`). Starting with the brackets and looking back for the `!` only
# then lets the regex engine jump from `[[` to `[[`, several times faster than an optional
# `!` in front. An embed's brackets hold no `[[`, so skipping it finds the same links.
_WIKILINK = re.compile(r"\[\[(?<!!\[\[)([^\[\]|#]*)[^\[\]]*\]\]")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")
# A tag starts after whitespace, the line start or `(,;` — so `C#`, `&#39;`, `x/#y` are not tags.
# Wiki links and Markdown link targets are matched too, and so skipped in the same pass:
# a '#' inside them is an anchor, not a tag. Leading with one character class lets the
# regex engine jump from candidate to candidate, which matters on every log line.
_TAG = re.compile(
    r"[\[\]#](?:(?<=\[)\[[^\[\]]*\]\]|(?<=\])\([^)\s]*\)|(?<=#)(?<![^\s(,;]#)([\w/-]+))"
)

_FENCE_OPEN = re.compile(r" {0,3}(?P<fence>`{3,}(?=[^`]*\Z)|~{3,})")
_FENCE_CLOSE = re.compile(r" {0,3}(?P<fence>`{3,}|~{3,})\s*\Z")

_ITEM_START = frozenset(" \t-*+")


def _make_date(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _marker_date(pattern: re.Pattern[str], text: str) -> tuple[datetime.date | None, str | None]:
    """The first Tasks-plugin date after a marker: (date, None), (None, bad token) or nothing."""
    found = pattern.search(text)
    if found is None:
        return None, None
    year, month, day = found.group("y", "m", "d")
    date = _make_date(year, month, day)
    if date is None:
        return None, f"{year}-{month}-{day}"
    return date, None


# Leading date tokens seen before and their dates (None: not a real date). A vault's log
# repeats the same few thousand days, and a lookup is several times cheaper than building
# the date again; the bound keeps a long-running watch process from growing without end.
_TOKEN_DATES: dict[str, datetime.date | None] = {}
_TOKEN_DATES_MAX = 100_000


def _token_date(token: str) -> datetime.date | None:
    """The date of a leading date token: `YYYY-MM-DD` or `D.M.YYYY` (as `_HEAD` matched it)."""
    try:
        return _TOKEN_DATES[token]
    except KeyError:
        pass
    if "." in token:
        day, month, year = token.split(".")
    else:
        year, month, day = token[:4], token[5:7], token[8:]
    if len(_TOKEN_DATES) >= _TOKEN_DATES_MAX:
        _TOKEN_DATES.clear()
    date = _TOKEN_DATES[token] = _make_date(year, month, day)
    return date


# Built without the frozen `__setattr__` (netzmd.records): 100,000 entries in a large vault.
_new_entry = record_builder(Entry)
_new_body = record_builder(Body)
_ENTRY_DRAFT = draft_of(Entry)
_NEW = object.__new__


def find_links(text: str) -> tuple[str, ...]:
    """Wiki-link targets in order, unique: `[[Target#heading|alias]]` gives "Target".

    Embeds (`![[...]]`) and links to a heading of the same note (`[[#h]]`) are left out.
    """
    if "[[" not in text:
        return ()
    found = _WIKILINK.findall(text)
    # A `\|` is how a link's alias is written inside a Markdown table.
    if len(found) == 1:
        # The usual case, one link: no list to keep them unique.
        target = found[0].rstrip("\\").strip()
        return (target,) if target else ()
    targets: list[str] = []
    for target in found:
        target = target.rstrip("\\").strip()
        if target and target not in targets:
            targets.append(target)
    return tuple(targets)


# Tags of a text from its first '#' on, by that tail. People tag with a few words at the
# end of a line, so the same tails recur all over a vault's log; bounded like _TOKEN_DATES.
# A long tail is mostly prose, seen once: it is not kept.
_TAIL_TAGS: dict[str, tuple[str, ...]] = {}
_TAIL_TAGS_MAX = 100_000
_TAIL_MAX_LENGTH = 80


def find_tags(text: str) -> tuple[str, ...]:
    """`#tags` in order, unique, folded, without '#'; all-digit words (`#1`) are not tags."""
    first = text.find("#")
    if first < 0:
        return ()
    # The text before the first '#' changes nothing when that '#' starts the text or
    # follows a space (so it may start a tag, as at the start of the tail), and no wiki
    # link is open there (the last bracket before it is no `[`). A URL or a Markdown link
    # target holds no space, so neither can reach over the space to that '#'. NFC never
    # composes across a '#', so the tail is normalized as it would be within the text.
    if (first == 0 or text[first - 1] == " ") and (
        "[" not in text or text.rfind("[", 0, first) <= text.rfind("]", 0, first)
    ):
        tail = text[first:]
        tags = _TAIL_TAGS.get(tail)
        if tags is None:
            tags = _find_tags(tail)
            if len(tail) <= _TAIL_MAX_LENGTH:
                if len(_TAIL_TAGS) >= _TAIL_TAGS_MAX:
                    _TAIL_TAGS.clear()
                _TAIL_TAGS[tail] = tags
        return tags
    return _find_tags(text)


def _find_tags(text: str) -> tuple[str, ...]:
    """`find_tags` for a text that holds a '#'."""
    if "://" in text:
        # A '#' in a URL is a fragment, not a tag.
        text = _URL.sub(" ", text)
    if not text.isascii():
        # \w does not match combining marks, so a decomposed umlaut would cut a tag short.
        text = unicodedata.normalize("NFC", text)
    tags: list[str] = []
    for tag in _TAG.findall(text):
        if not tag or tag.isdigit():
            continue
        tag = fold(tag)
        if tag not in tags:
            tags.append(tag)
    return tuple(tags)


def parse_line(text: str, line: int = 1) -> Entry | OpenTask | BadDate | None:
    """One line (outside code and comments) as an entry, an open task, a bad date, or None."""
    if not text or text[0] not in _ITEM_START:
        return None
    return _parse_item(text, line)


def _parse_item(text: str, line: int) -> Entry | OpenTask | BadDate | None:
    """`parse_line` for a non-empty line that starts like a list item."""
    dated = _DATED_ENTRY.match(text)
    if dated is not None:
        return _dated_entry(dated, text, line)
    head = _HEAD.match(text)
    if head is None:
        return None
    box, iso, de, wl = head.groups()
    token = iso or de or wl
    pos = head.end()
    date = None
    if token is not None:
        date = _token_date(token)
        if date is None:
            return BadDate(line, token)
        if text.startswith(":", pos):
            pos += 1

    if box == " ":
        rest = text[pos:].strip()
        if date is None:
            date, bad = _marker_date(_DUE, rest)
            if bad is not None:
                return BadDate(line, bad)
        return OpenTask(line, date, rest, find_tags(rest), find_links(rest))

    done_task = box is not None
    if date is None:
        if not done_task:
            return None
        # A done task without a leading date is dated by the Tasks plugin's done date,
        # else its due date; one that is present but not a real date is reported.
        rest = text[pos:]
        date, bad = _marker_date(_DONE, rest)
        if date is None and bad is None:
            date, bad = _marker_date(_DUE, rest)
        if bad is not None:
            return BadDate(line, bad)
        if date is None:
            return None

    kind_match = _KIND.match(text, pos)
    # _KIND can match the empty string, so it always matches; the check is for mypy.
    if kind_match is None:  # pragma: no cover
        return None
    rest = text[kind_match.end() :].strip()
    return _new_entry(
        line,
        date,
        kind_match.group("kind"),
        rest,
        find_tags(rest),
        find_links(rest),
        done_task,
    )


def _dated_entry(dated: re.Match[str], text: str, line: int) -> Entry | BadDate:
    """The entry of a line that `_DATED_ENTRY` matched, or its bad date."""
    box, iso, de, wl, kind, rest = dated.groups()
    token = iso or de or wl
    # A date is never false; a token seen before is found without the call.
    date = _TOKEN_DATES.get(token) or _token_date(token)
    if date is None:
        return BadDate(line, token)
    rest = rest.strip()
    # Most entries have no link and many no tag: the checks spare the calls.
    return _new_entry(
        line, date, kind, rest, find_tags(rest) if "#" in rest else (),
        find_links(rest) if "[[" in rest else (), box is not None,
    )


def _strip_comments(text: str, in_comment: bool) -> tuple[str, bool]:
    """The text of a line outside HTML comments, and whether a comment is still open after it."""
    pieces: list[str] = []
    pos = 0
    while True:
        if in_comment:
            end = text.find("-->", pos)
            if end < 0:
                return "".join(pieces), True
            pos = end + 3
            in_comment = False
        start = text.find("<!--", pos)
        if start < 0:
            pieces.append(text[pos:])
            return "".join(pieces), False
        pieces.append(text[pos:start])
        # Searching from the opener's own dashes lets `<!-->` and `<!--->` close at once, as
        # in CommonMark.
        pos = start + 2
        in_comment = True


def _link_line(text: str, line: int) -> LinkLine | None:
    # A quote (`\s*>`): `str.isspace` is what `\s` matches.
    if text.lstrip().startswith(">"):
        return None
    links = find_links(text)
    if not links:
        return None
    prefix = _LINK_PREFIX.match(text)
    if prefix is None:  # pragma: no cover - the pattern matches the empty string
        return None
    return LinkLine(
        line, prefix.group("kind"), find_tags(text), links, text[prefix.end() :].strip()
    )


def parse_body(lines: Sequence[str], first_line: int = 1) -> Body:
    """Entries, open tasks, link lines and bad dates of a note body.

    `lines` have no line endings; `first_line` is the file line number of `lines[0]`.
    Lines inside fenced code blocks and HTML comments are skipped.
    """
    found = _Found()
    fence_char = ""
    fence_len = 0
    in_comment = False
    for number, raw in enumerate(lines, first_line):
        if not raw:
            # Nothing to find, and no fence or comment opens or closes here.
            continue
        if fence_len:
            if fence_char in raw:
                close = _FENCE_CLOSE.match(raw)
                if close is not None:
                    fence = close.group("fence")
                    if fence[0] == fence_char and len(fence) >= fence_len:
                        fence_len = 0
            continue
        if not in_comment and ("`" in raw or "~" in raw):
            opened = _FENCE_OPEN.match(raw)
            if opened is not None:
                fence = opened.group("fence")
                fence_char, fence_len = fence[0], len(fence)
                continue
        text = raw
        if in_comment or "<!--" in raw:
            text, in_comment = _strip_comments(raw, in_comment)
        found.add_line(text, number)
    return found.body()


class _Found:
    """What a body holds so far, by kind, in line order."""

    __slots__ = ("bad_dates", "entries", "link_lines", "tasks")

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.tasks: list[OpenTask] = []
        self.link_lines: list[LinkLine] = []
        self.bad_dates: list[BadDate] = []

    def add_line(self, text: str, line: int) -> None:
        """Read one line outside code and comments: an item, else a line of links."""
        if not text:
            return
        if text[0] in _ITEM_START:
            result = _parse_item(text, line)
            if isinstance(result, Entry):
                self.entries.append(result)
                return
            if isinstance(result, OpenTask):
                self.tasks.append(result)
                return
            if isinstance(result, BadDate):
                self.bad_dates.append(result)
                return
        if "[[" in text:
            link_line = _link_line(text, line)
            if link_line is not None:
                self.link_lines.append(link_line)

    def body(self) -> Body:
        return _new_body(tuple(self.entries), tuple(self.tasks), tuple(self.link_lines),
                         tuple(self.bad_dates))


def parse_body_text(text: str, first_line: int = 1) -> Body:
    """`parse_body` of a body given as one text, its lines ended by LF.

    Most bodies have no fenced code and no HTML comments, so that every line stands on its
    own: then the usual dated entry is read right here, prose without a link is passed
    over, and only the other lines take the general way.
    """
    # A single character is found far faster than a string (memchr), and is mostly absent.
    if (
        ("`" in text and "```" in text)
        or ("~" in text and "~~~" in text)
        or ("<" in text and "<!--" in text)
    ):
        return parse_body(text.split("\n"), first_line)
    found = _Found()
    entries, bad_dates = found.entries, found.bad_dates
    match_entry, token_dates = _DATED_ENTRY.match, _TOKEN_DATES
    for number, line in enumerate(text.split("\n"), first_line):
        if not line:
            continue
        if line[0] in _ITEM_START:
            dated = match_entry(line)
            if dated is not None:
                # `_dated_entry` with `_new_entry`, inlined: this runs for every entry of
                # the vault, and sparing the two calls saves some 7 % of a body's time.
                box, iso, de, wl, kind, rest = dated.groups()
                token = iso or de or wl
                date = token_dates.get(token) or _token_date(token)
                if date is None:
                    bad_dates.append(BadDate(number, token))
                    continue
                rest = rest.strip()
                entry: Any = _NEW(_ENTRY_DRAFT)
                entry.line = number
                entry.date = date
                entry.kind = kind
                entry.text = rest
                entry.tags = find_tags(rest) if "#" in rest else ()
                entry.links = find_links(rest) if "[[" in rest else ()
                entry.done_task = box is not None
                entry.__class__ = Entry
                entries.append(entry)
                continue
        elif "[[" not in line:
            continue
        found.add_line(line, number)
    return found.body()


def classify(
    kind: str | None, tags: Iterable[str], vocabulary: Vocabulary = DEFAULT_VOCABULARY
) -> tuple[str, bool, bool]:
    """(direction, personal, career) from the kind word and the tags.

    direction is "mutual" for a mutual word or for both a give and a take word, else
    "give", "take", or "touch" when no word matches.
    """
    words = [fold(tag) for tag in tags]
    if kind:
        words.append(fold(kind))
    give = take = mutual = personal = career = False
    for word in words:
        give = give or word in vocabulary.give
        take = take or word in vocabulary.take
        mutual = mutual or word in vocabulary.mutual
        personal = personal or word in vocabulary.personal
        career = career or word in vocabulary.career
    if mutual or (give and take):
        direction = "mutual"
    elif give:
        direction = "give"
    elif take:
        direction = "take"
    else:
        direction = "touch"
    return direction, personal, career
