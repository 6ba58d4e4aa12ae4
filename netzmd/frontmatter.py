"""Strict YAML front matter: BOM, CRLF, YAML 1.2-like scalars, positions in file lines.

`parse_document` never raises: every bad input becomes a `YamlProblem` with a 1-based
file line (the opening `---` is line 1) and, where the parser knows it, a column.
"""

from __future__ import annotations

import bisect
import datetime
import math
import re
from dataclasses import dataclass, field
from typing import Any

import frontmatter.default_handlers
import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from netzmd.records import record_builder

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # PyYAML built without libyaml: same events, only slower
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = [
    "MAX_FRONT_MATTER",
    "Document",
    "StrictYAMLHandler",
    "YamlProblem",
    "decode",
    "parse_document",
    "parse_document_lines",
    "split_document",
    "split_lines",
]

MAX_FRONT_MATTER = 64 * 1024
"""Largest front matter accepted, in UTF-8 bytes; no contact needs more."""

_MAX_DEPTH = 100
_DEPTH_MESSAGE = f"front matter is nested deeper than {_MAX_DEPTH} levels"

_DELIMITER = "---"
_TERMINATORS = ("---", "...")
# A line that ends the front matter (as `_closing_line_index` finds it in a list of lines),
# with the newline before it: the regex engine jumps from newline to newline.
_CLOSING_LINE = re.compile(r"\n(?:---|\.\.\.)(?=\n|\Z)")
_BOM = "\ufeff"
_BOM_BYTES = _BOM.encode("utf-8")

_FORBIDDEN_NODE = "YAML anchors, aliases and tags are not allowed"

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_NUMBER_START = frozenset("-+0123456789")
# An integer, a float or a date, tried in this order; one match instead of three.
_NUMBER = re.compile(
    r"(?P<int>[-+]?(?:0|[1-9][0-9]*))"
    r"|(?P<float>[-+]?[0-9]+\.[0-9]+(?:[eE][-+]?[0-9]+)?)"
    r"|(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
)

# Date scalars seen before and their dates (None: not a real date, so text). The same
# days recur as `met` and `birthday` all over a vault; the bound keeps a long-running
# watch process from growing without end.
_DATES: dict[str, datetime.date | None] = {}
_DATES_MAX = 100_000

# The characters YAML accepts (PyYAML's and libyaml's reader agree). Checking them
# ourselves gives one message and a position in characters from both loaders, and
# keeps lone surrogates (which cannot be encoded) away from the C parser.
_NOT_YAML_CHAR = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
# YAML also breaks lines at these; our lines do not, so marks need remapping.
_EXTRA_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why front matter was refused; line and column are 1-based in the file."""

    line: int
    column: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Document:
    """A file's front matter fields and where its body starts."""

    fields: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    body_start: int = 1
    problem: YamlProblem | None = None


class _Refused(Exception):
    """Internal: carries a problem out of the event loop."""

    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def decode(data: bytes) -> str:
    """Decode UTF-8, dropping a leading BOM; raises UnicodeDecodeError when invalid.

    What the `utf-8-sig` codec does (an error's offsets count from after the BOM, too),
    without its Python-level decode function on every note.
    """
    if data.startswith(_BOM_BYTES):
        return data[3:].decode("utf-8")
    return data.decode("utf-8")


def split_lines(text: str) -> list[str]:
    """Physical lines without their endings (LF or CRLF; a lone CR is not a break)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines[-1]:
        # A final newline ends the last line rather than starting an empty one.
        lines.pop()
    return lines


def parse_document(text: str) -> Document:
    """Parse a whole file's text; see `parse_document_lines`."""
    return split_document(text)[0]


def split_document(text: str) -> tuple[Document, str]:
    """A file's front matter, and its body as text with LF line ends.

    The same document as `parse_document_lines(split_lines(text))`, found without
    splitting the file into lines; the body is what follows the closing line (the whole
    text when there is no front matter or it is refused as never closed).
    """
    if "\r" in text:
        # As `split_lines` does it: once, so that `\r\r\n` leaves `\r\n` within a line.
        text = text.replace("\r\n", "\n")
    # Many notes have no front matter: answer without looking further.
    if text.startswith(_DELIMITER):
        opened = 3
    elif text.startswith(_BOM + _DELIMITER):
        opened = 4
    else:
        return _document({}, {}, 1), text
    if len(text) > opened and text[opened] != "\n":
        # `----` or `--- x`: the first line is not the delimiter alone.
        return _document({}, {}, 1), text
    close = _CLOSING_LINE.search(text, opened)
    if close is None:
        return Document(problem=YamlProblem(1, None, "front matter is never closed")), text
    end = close.start() + 1
    yaml_text = text[opened + 1 : end]
    # The body starts after the opening line, the YAML lines and the closing line.
    body_start = yaml_text.count("\n") + 3
    body = text[end + 4 :]
    if not yaml_text:
        return _document({}, {}, body_start), body
    fields, key_lines, problem = _load_yaml(yaml_text, first_line=2)
    if problem is not None:
        return Document(body_start=body_start, problem=problem), body
    return _document(fields, key_lines, body_start), body


# Once for every note: built without the frozen `__setattr__` (netzmd.records).
_make_document = record_builder(Document)


def _document(fields: dict[str, Any], key_lines: dict[str, int], body_start: int) -> Document:
    """`Document(fields, key_lines, body_start)`, in half the time."""
    return _make_document(fields, key_lines, body_start, None)


def parse_document_lines(lines: list[str]) -> Document:
    """Parse front matter from a file's physical lines (as `split_lines` returns them)."""
    if not lines or (lines[0] != _DELIMITER and lines[0] != _BOM + _DELIMITER):
        return Document()
    close = _closing_line_index(lines)
    if close is None:
        return Document(problem=YamlProblem(1, None, "front matter is never closed"))
    body_start = close + 2
    if close == 1:
        return Document(body_start=body_start)
    fields, key_lines, problem = _load_yaml("\n".join(lines[1:close]) + "\n", first_line=2)
    if problem is not None:
        return Document(body_start=body_start, problem=problem)
    return Document(fields, key_lines, body_start)


def _closing_line_index(lines: list[str]) -> int | None:
    """0-based index of the line that ends the front matter, if any."""
    found: int | None = None
    for terminator in _TERMINATORS:
        # list.index runs in C, which matters when a long file never closes.
        try:
            index = lines.index(terminator, 1)
        except ValueError:
            continue
        if found is None or index < found:
            found = index
    return found


def _load_yaml(
    text: str, first_line: int
) -> tuple[dict[str, Any], dict[str, int], YamlProblem | None]:
    """Load front matter YAML whose first line is file line `first_line`."""
    if len(text) > MAX_FRONT_MATTER:
        return {}, {}, _too_large(len(text.encode("utf-8", "surrogatepass")))
    # Every character that is not allowed, and every one that leaves the simple subset,
    # is a control, format, surrogate, unassigned or separator character, which Python
    # calls not printable: for most front matter one quick test answers both searches
    # (tests/test_frontmatter_fastpath.py checks that for every code point).
    printable = text.replace("\n", " ").isprintable()
    bad = None if printable else _NOT_YAML_CHAR.search(text)
    if bad is not None:
        line, column = _offset_position(text, bad.start(), first_line)
        message = f"character U+{ord(bad.group()):04X} is not allowed in YAML"
        return {}, {}, YamlProblem(line, column, message)
    # A character is at most 4 bytes, so short text needs no encoding to be measured.
    if len(text) * 4 > MAX_FRONT_MATTER:
        size = len(text.encode("utf-8"))
        if size > MAX_FRONT_MATTER:
            return {}, {}, _too_large(size)
    if printable or _FAST_REFUSED.search(text) is None:
        # The subset is read line by line, each line to its newline; a last line without
        # one reads the same with it.
        fast = _load_simple(text if text.endswith("\n") else text + "\n", first_line)
        if fast is not None:
            return fast[0], fast[1], None
    return _load_events(text, first_line)


def _load_events(
    text: str, first_line: int
) -> tuple[dict[str, Any], dict[str, int], YamlProblem | None]:
    """The full parser, for text `_load_yaml` has checked (size, characters)."""
    data = text.encode("utf-8")
    marks = _Marks(text, first_line)
    try:
        fields, key_lines = _build(data, marks)
    except _Refused as refused:
        return {}, {}, refused.problem
    except yaml.MarkedYAMLError as exc:
        where = marks.position(exc.problem_mark or exc.context_mark)
        message = exc.problem or exc.context or "invalid YAML"
        if message == "exceeded maximum nesting depth":
            # libyaml >= 0.2.5 as bundled by PyYAML 6.0.4 stops deep flow collections
            # while scanning ahead, before our own depth check sees the events: the
            # same refusal, noticed further along the line.
            message = _DEPTH_MESSAGE
        return {}, {}, YamlProblem(*where, message)
    except yaml.YAMLError as exc:
        return {}, {}, YamlProblem(marks.opening_line, None, f"invalid YAML: {exc}")
    except Exception as exc:
        # The parser is C code fed whatever is in the vault; one odd file must
        # become a finding, never stop a run over thousands of notes.
        message = f"front matter could not be read: {exc}"
        return {}, {}, YamlProblem(marks.opening_line, None, message)
    return fields, key_lines, None


def _too_large(size: int) -> YamlProblem:
    return YamlProblem(
        1, None, f"front matter is {size} bytes, more than the {MAX_FRONT_MATTER} allowed"
    )


def _offset_position(text: str, offset: int, first_line: int) -> tuple[int, int]:
    """File line and column of a character offset into `text`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return first_line + text.count("\n", 0, line_start), offset - line_start + 1


class _Marks:
    """Turns parser marks (0-based, in the YAML text) into 1-based file positions."""

    __slots__ = ("_first_line", "_last_line", "_line_starts", "_text", "opening_line")

    def __init__(self, text: str, first_line: int) -> None:
        self._text = text
        self._first_line = first_line
        # The `---` line, for problems the parser cannot place.
        self.opening_line = max(first_line - 1, 1)
        # The line after the YAML text: the closing delimiter, where end-of-stream
        # problems are noticed.
        self._last_line = first_line + text.count("\n")
        self._line_starts: list[int] | None = None
        if _EXTRA_BREAK.search(text):
            self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def position(self, mark: Any) -> tuple[int, int | None]:
        if mark is None:
            return self.opening_line, None
        line: int
        column: int
        if self._line_starts is None:
            line, column = self._first_line + mark.line, mark.column + 1
        else:
            # YAML counted breaks that are not line ends for us: recount from the
            # character offset, which both loaders report in characters.
            offset = min(max(mark.index, 0), len(self._text))
            index = bisect.bisect_right(self._line_starts, offset) - 1
            line = self._first_line + index
            column = offset - self._line_starts[index] + 1
        return min(line, self._last_line), column

    def problem(self, mark: Any, message: str) -> _Refused:
        line, column = self.position(mark)
        return _Refused(YamlProblem(line, column, message))


def _build(data: bytes, marks: _Marks) -> tuple[dict[str, Any], dict[str, int]]:
    """Build the top-level mapping from the event stream, refusing what we don't allow.

    Working from events (not nodes) keeps depth under our control, without recursion,
    and lets us see anchors, tags and duplicate keys before anything is constructed.
    """
    loader = _Loader(data)
    try:
        get_event = loader.get_event
        root: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        # containers[i] is a dict or list being filled; keys[i] the key whose value
        # comes next in that dict (None while a key is expected).
        containers: list[Any] = []
        keys: list[str | None] = []
        documents = 0
        while True:
            # Dispatch on the exact type: cheaper than isinstance chains, and these
            # classes are never subclassed by the parser.
            event: Any = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise marks.problem(event.start_mark, _FORBIDDEN_NODE)
                if not containers:
                    value = _scalar(event)
                    if value is not None:
                        raise marks.problem(event.start_mark, _not_a_mapping(value))
                    continue
                container = containers[-1]
                if type(container) is list:
                    container.append(_scalar(event))
                    continue
                key = keys[-1]
                if key is not None:
                    container[key] = _scalar(event)
                    keys[-1] = None
                    continue
                # Keys are the text as written: `2024:` and `on:` stay "2024" and "on".
                key = event.value
                if key in container:
                    raise marks.problem(event.start_mark, f"duplicate key {key!r}")
                if len(containers) == 1:
                    key_lines[key] = marks.position(event.start_mark)[0]
                keys[-1] = key
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    raise marks.problem(event.start_mark, _FORBIDDEN_NODE)
                new: dict[str, Any] | list[Any]
                if not containers:
                    if kind is SequenceStartEvent:
                        raise marks.problem(event.start_mark, _not_a_mapping([]))
                    new = root
                else:
                    if len(containers) >= _MAX_DEPTH:
                        message = _DEPTH_MESSAGE
                        raise marks.problem(event.start_mark, message)
                    new = {} if kind is MappingStartEvent else []
                    parent = containers[-1]
                    if type(parent) is list:
                        parent.append(new)
                    else:
                        key = keys[-1]
                        if key is None:
                            message = "a key must be text, not a list or mapping"
                            raise marks.problem(event.start_mark, message)
                        parent[key] = new
                        keys[-1] = None
                containers.append(new)
                keys.append(None)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                containers.pop()
                keys.pop()
            elif kind is AliasEvent:
                raise marks.problem(event.start_mark, _FORBIDDEN_NODE)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    message = "front matter holds more than one YAML document"
                    raise marks.problem(event.start_mark, message)
            elif kind is StreamEndEvent:
                return root, key_lines
    finally:
        loader.dispose()


def _scalar(event: Any) -> Any:
    """The value of a scalar event: plain scalars are resolved, quoted ones are text."""
    value: str = event.value
    if event.style:
        return value
    return _plain_scalar(value)


def _plain_scalar(value: str) -> Any:
    """Resolve an unquoted scalar the YAML 1.2 way, so user data survives.

    Leading-zero numbers (phone numbers, postcodes), times like 12:30 and
    yes/no/on/off stay text; impossible dates stay text too.
    """
    if value in _NULLS:
        return None
    if value[0] in _NUMBER_START:
        found = _NUMBER.fullmatch(value)
        if found is None:
            return value
        kind = found.lastgroup
        if kind == "int":
            # Python refuses to convert very long digit strings: they stay text.
            try:
                return int(value)
            except ValueError:
                return value
        if kind == "float":
            number = float(value)
            return number if math.isfinite(number) else value
        return _date(value)
    if len(value) in (4, 5):
        lowered = value.lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return value


def _date(value: str) -> datetime.date | str:
    """The date of a `YYYY-MM-DD` scalar, or the text when there is no such day."""
    try:
        date = _DATES[value]
    except KeyError:
        if len(_DATES) >= _DATES_MAX:
            _DATES.clear()
        try:
            date = datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            date = None
        _DATES[value] = date
    return value if date is None else date


def _not_a_mapping(value: Any) -> str:
    if isinstance(value, list):
        found = "a list"
    elif isinstance(value, bool):
        found = "true/false"
    elif isinstance(value, int | float):
        found = "a number"
    elif isinstance(value, datetime.date):
        found = "a date"
    else:
        found = "text"
    return f"front matter must be a mapping of keys to values, not {found}"


# ---------------------------------------------------------------- the simple subset
#
# Nearly all real front matter is `key: value` lines and lists of plain words. Such text
# is read here with one regex over its lines and string methods, several times faster than
# libyaml's event stream; everything else goes to `_build`. When in doubt, a line or value
# is left to it. tests/test_frontmatter_fastpath.py checks the two against each other on
# generated front matter in and around the subset.

# Anywhere in the text these leave the subset: tabs (YAML's indentation rules), the
# characters YAML breaks lines at besides LF, and the BOM, which libyaml skips at the
# start of a line.
_FAST_REFUSED = re.compile("[\t\r\x85\u2028\u2029\ufeff]")
# Indicators that make a plain scalar impossible or mean something else as its first
# character; `-` is handled apart, since `-5` is a plain scalar and `- x` is not.
_PLAIN_START_REFUSED = frozenset("?:,[]{}#&*!|>'\"%@`")
# In a flow list item, anything near flow syntax, comments, mappings or quotes.
_FLOW_REFUSED = re.compile("[][{}#:'\"]")


def _simple_plain(value: str) -> bool:
    """Whether `value` (non-empty, no surrounding spaces) is one plain scalar in block context."""
    first = value[0]
    if first in _PLAIN_START_REFUSED or (first == "-" and (len(value) == 1 or value[1] == " ")):
        return False
    # `: ` starts a mapping, ` #` a comment, and a final `:` is a mapping too.
    return ": " not in value and " #" not in value and value[-1] != ":"


def _simple_flow(value: str) -> list[Any] | None:
    """`[a, "b"]` on one line with plain or simply quoted items, or None."""
    if value[-1] != "]":
        return None
    inner = value[1:-1]
    if not inner.strip(" "):
        return []
    if _FLOW_REFUSED.search(inner) is None:
        # Most lists are words: split at the commas, and keep them when each is text.
        words = [word.strip(" ") for word in inner.split(",")]
        for word in words:
            if not word[:1].isalpha() or word.lower() in _NOT_TEXT:
                break
        else:
            return words
    items: list[Any] = []
    pos = 0
    while True:
        while inner.startswith(" ", pos):
            pos += 1
        quote = inner[pos : pos + 1]
        if quote == "'" or quote == '"':
            close = inner.find(quote, pos + 1)
            if close < 0:
                return None
            text = inner[pos + 1 : close]
            if quote == '"' and "\\" in text:
                return None
            # Only spaces may follow before the comma; `''` (an escaped quote) does not.
            comma = inner.find(",", close + 1)
            if inner[close + 1 : comma if comma >= 0 else len(inner)].strip(" "):
                return None
            items.append(text)
        else:
            comma = inner.find(",", pos)
            item = inner[pos : comma if comma >= 0 else len(inner)].strip(" ")
            if (
                not item
                or item[0] in _PLAIN_START_REFUSED
                or (item[0] == "-" and (len(item) == 1 or item[1] == " "))
                or _FLOW_REFUSED.search(item) is not None
            ):
                return None
            items.append(_plain_scalar(item))
        if comma < 0:
            return items
        pos = comma + 1


def _simple_quoted(value: str) -> str | None:
    """The text of `'text'` or `"text"` without escapes or inner quotes, or None."""
    quote = value[0]
    if len(value) < 2 or value[-1] != quote:
        return None
    inner = value[1:-1]
    if quote in inner or (quote == '"' and "\\" in inner):
        return None
    return inner


# One line of the subset, from its start to its newline: `key:` at column 0 (a one-word
# key, well below libyaml's 1024-character limit on simple keys) with a value or none, a
# block list item (`dash` is its indentation and dash) with an item or none, a comment at
# column 0, or an empty line (those two match with no group set). A line of any other
# shape does not match. Values and items come without the spaces around them; a value
# that is a date or digits alone (a phone number, a postcode) comes in a group of its own.
_SIMPLE_LINE = re.compile(
    r"""
    ^(?:
        (?P<key>\w[\w.-]{0,127}) :
        (?:[ ]+ (?: (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}) | (?P<digits>[0-9]+)
                  | (?P<value>[^\n]*[^ \n]) ) )?
        [ ]*
      | (?P<dash>[ ]*-) (?:[ ]+ (?P<item>[^\n]*[^ \n]) )? [ ]*
      | \#[^\n]*
      |
    )\n
    """,
    re.MULTILINE | re.VERBOSE,
)
# Lowered, the words that a plain scalar of letters may resolve to instead of text.
_NOT_TEXT = frozenset({"null", "true", "false"})


def _is_text(value: str) -> bool:
    """True for a value that is plain text, as `_simple_plain` and `_plain_scalar` see it.

    A letter first is no indicator, no number and no date; the rest of what `_simple_plain`
    refuses is checked too. False only means "ask the general way": `null` or `trUe` are
    left to it whatever they turn out to be.
    """
    return (
        value[0].isalpha()
        and (len(value) > 5 or value.lower() not in _NOT_TEXT)
        and ": " not in value
        and " #" not in value
        and value[-1] != ":"
    )


def _load_simple(text: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Fields and key lines of front matter in the simple subset; None when outside it.

    `text` ends with a newline. The subset: `key: plain value`, `key: 'text'` or `"text"`,
    `key: [a, b]` of plain items, `key:` followed by `- item` lines (all at one
    indentation), comments at column 0 and empty lines. A duplicate key is left to
    `_build` too, which words the problem.
    """
    lines = _SIMPLE_LINE.findall(text)
    # Each match is one whole line, so a line outside the subset leaves one missing.
    if len(lines) != text.count("\n"):
        return None
    fields: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    # The last key without a value, whose list items may follow; its list once they do.
    open_key: str | None = None
    items: list[Any] | None = None
    indent = 0
    for number, (key, date, digits, value, dash, item) in enumerate(lines, first_line):
        if key:
            if key in fields:
                return None
            key_lines[key] = number
            open_key, items = None, None
            parsed: Any
            # The usual values are decided without the general calls further down.
            if date:
                fields[key] = _date(date)
                continue
            if digits:
                # Leading zeros keep digits text (YAML 1.2): a phone number stays one.
                is_text = digits[0] == "0" and len(digits) > 1
                fields[key] = digits if is_text else _plain_scalar(digits)
                continue
            if not value:
                fields[key] = None
                open_key = key
                continue
            first = value[0]
            # `_is_text(value)`, inlined for the most common value of all.
            if (
                first.isalpha()
                and (len(value) > 5 or value.lower() not in _NOT_TEXT)
                and ": " not in value
                and " #" not in value
                and value[-1] != ":"
            ):
                parsed = value
            elif first == "[":
                parsed = _simple_flow(value)
            elif first == "'" or first == '"':
                parsed = _simple_quoted(value)
            elif _simple_plain(value):
                fields[key] = _plain_scalar(value)
                continue
            else:
                return None
            if parsed is None:
                return None
            fields[key] = parsed
        elif dash:
            if open_key is None:
                return None
            if items is None:
                items = fields[open_key] = []
                indent = len(dash)
            elif len(dash) != indent:
                return None
            if not item:
                items.append(None)
            elif _is_text(item):
                items.append(item)
            elif _simple_plain(item):
                items.append(_plain_scalar(item))
            elif item[0] == "'" or item[0] == '"':
                quoted = _simple_quoted(item)
                if quoted is None:
                    return None
                items.append(quoted)
            else:
                return None
    return fields, key_lines


class StrictYAMLHandler(frontmatter.default_handlers.YAMLHandler):
    """python-frontmatter handler with netzmd's strict loader.

    `load` raises `yaml.MarkedYAMLError` for refused front matter; lines count
    from the opening `---` as line 1, as python-frontmatter passes the text after it.
    """

    def load(self, fm: str, **kwargs: object) -> dict[str, Any]:
        """Parse front matter text; keyword arguments (such as `Loader`) are ignored."""
        fields, _, problem = _load_yaml(fm, first_line=1)
        if problem is not None:
            mark = yaml.Mark(
                "<front matter>", 0, problem.line - 1, (problem.column or 1) - 1, None, 0
            )
            raise yaml.MarkedYAMLError(problem=problem.message, problem_mark=mark)
        return fields
