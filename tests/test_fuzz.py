"""Fuzzing the readers: front matter, the log grammar, netzmd.toml, and whole vaults.

The strategies build text that looks like what people write (keys, scalars, lists, anchors,
tags, dates, bullets, checkboxes, links, emoji) with the odd corner thrown in, since purely
random text rarely gets past the first `---`.

CI runs a fixed, reproducible budget. `NETZMD_FUZZ=long` runs 100 times as many random
examples (see docs/security.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netzmd.config import ConfigError, parse_config
from netzmd.engine import run_rules
from netzmd.findings import Finding, Level
from netzmd.log import Entry, OpenTask, parse_body
from netzmd.relations import contact_row, export_record
from netzmd.rules import REGISTRY
from netzmd.vault import load_vault, parse_note

LONG = os.environ.get("NETZMD_FUZZ") == "long"
FUZZ = settings(
    max_examples=20_000 if LONG else 200,
    deadline=None,
    # The long run explores new ground each time; CI repeats the same examples.
    derandomize=not LONG,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------- building blocks

NAMES = ["Anna Keller", "Dr. Anna Keller", "Jürgen Müller", "Δημήτρης Παπαδόπουλος",
         "山田 花子", "ليلى حداد", "O'Brien", "Ayşe Yılmaz", "Zoë", "x"]

# Any character a file can hold once decoded (lone surrogates cannot be encoded).
atom = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)

recent = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31))
date_token = st.one_of(
    recent.map(dt.date.isoformat),
    recent.map(lambda d: d.strftime("%d.%m.%Y")),
    st.dates().map(dt.date.isoformat),
    st.builds("{:04d}-{:02d}-{:02d}".format,
              st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)),
    st.builds("{}.{}.{:04d}".format,
              st.integers(0, 32), st.integers(0, 13), st.integers(0, 9999)),
    st.dates().map(lambda d: f"[[{d.isoformat()}]]"),
    st.sampled_from(["--12-24", "12-24", "02-29", "24.12.", "2026-02-30", "31.04.2026",
                     "2026-W48", "2026-01-05T10:20", "2026-01-05 10:20:00+01:00",
                     "9999-12-31", "0001-01-01", "[[2026-11-03|Mo]]", "20261103"]),
)

yaml_scalar = st.one_of(
    date_token,
    st.sampled_from([
        "yes", "no", "on", "off", "true", "False", "~", "null", "NULL", "", "0301234567",
        "01067", "12:30", "1e400", "-0", "0x1F", "0o17", ".inf", "-.nan", "1_000", "+1",
        "key", "regular", "loose", "vip", "weekly", "vierteljährlich", "45d", "0d",
        "99999d", "6w", "3m", "1y", "archived", "active", "industry", "overdue",
        "[[Internationales Netzwerk]]", '"[[Anna Keller]]"', "'[[Anna|A]]'", "[[Anna]]",
        "&a x", "*a", "!!python/object/apply:os.system ['true']", "!tag x", "!!str 1",
        "|", ">-", '"\\e[2J"', '"\\x00"', '"\\uD800"', "'it''s'", '"unterminated', "{a: 1}",
        "[a, [b, {c: d}]]", "{", "]", "- x", "a: b: c", "#comment", "@x", "`x", "%x", "? x",
        "<% tp.date.now() %>", "[" * 120 + "]" * 120,
    ]),
    st.integers().map(str),
    st.floats().map(repr),
    atom,
    atom.map(json.dumps),  # double-quoted, with escapes
)

yaml_key = st.one_of(
    st.sampled_from([
        "name", "aliases", "role", "organisation", "specialty", "circle", "cadence", "met",
        "met_at", "birthday", "interests", "goals", "sector", "snooze_until", "status", "tags",
        "netzmd_ignore", "email", "title", "target", "since", "by", "min_interactions",
        "match", "date", "on", "yes", "2024", "~", "null", "? [a, b]", "<<", "- name",
    ]),
    atom.map(json.dumps),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_ -]{0,10}", fullmatch=True),
)

indent = st.sampled_from(["", "", " ", "  ", "    ", "\t", " \t"])

front_matter_line = st.one_of(
    st.builds("{}{}: {}".format, indent, yaml_key, yaml_scalar),
    st.builds("{}{}:".format, indent, yaml_key),
    st.builds("{}- {}".format, indent, yaml_scalar),
    st.builds(lambda i, k, vs: f"{i}{k}: [{', '.join(vs)}]",
              indent, yaml_key, st.lists(yaml_scalar, max_size=4)),
    st.builds(lambda k, a, v: f"{k}: &{a} {v}", yaml_key, st.sampled_from("ab"), yaml_scalar),
    yaml_scalar,
    atom,
)
# Mostly well-formed YAML, so that fields load and reach the field checks and the rules.
plain_value = st.one_of(
    date_token.filter(lambda t: not t.startswith("[[")),
    st.sampled_from(["key", "regular", "loose", "vip", "weekly", "45d", "none", "archived",
                     "active", "industry", "0301234567", "12:30", "yes", "true", "overdue"]),
    st.integers().map(str),
    atom.map(json.dumps),
    st.sampled_from(NAMES).map(lambda n: json.dumps(f"[[{n}]]")),
)
well_formed_entry = st.one_of(
    st.builds("{}: {}".format, yaml_key.filter(lambda k: ":" not in k and "?" not in k and
                                               "-" not in k[:1] and "<" not in k),
              plain_value),
    st.builds(lambda k, vs: k + ":" + "".join(f"\n  - {v}" for v in vs),
              st.sampled_from(["aliases", "tags", "goals", "interests", "netzmd_ignore"]),
              st.lists(plain_value, max_size=3)),
    st.builds(lambda k, vs: f"{k}: [{', '.join(vs)}]",
              st.sampled_from(["aliases", "tags", "goals", "match"]),
              st.lists(plain_value, max_size=3)),
)
front_matter = st.one_of(
    st.lists(well_formed_entry, max_size=10, unique_by=lambda e: e.split(":")[0]),
    st.lists(well_formed_entry, max_size=10, unique_by=lambda e: e.split(":")[0]),
    st.lists(front_matter_line, max_size=12),
).map("\n".join)

bullet = st.sampled_from(["- ", "* ", "+ ", "-", "1. ", "  - ", "\t- ", "    * ", "", "> - ",
                          "-\t"])
checkbox = st.sampled_from(["", "", "[ ] ", "[x] ", "[X] ", "[-] ", "[ ]", "[x]"])
kind = st.sampled_from(["", "", "met: ", "gave: ", "took: ", "austausch: ", "call:",
                        "Ümlaut: ", "12:30 ", "https://x.org/#y ", "mail : ", "a-b: "])
log_token = st.one_of(
    st.sampled_from(["#geben", "#persönlich", "#karriere", "#take", "#1", "C#", "#a/b", "&#39;",
                     "#", "##", "#privat,", "(#gave)", "#Persönlich"]),
    st.sampled_from([f"[[{n}]]" for n in NAMES] + [
        "[[Anna Keller|Anna]]", "![[Anna Keller]]", "[[Anna Keller#Log]]", "[[", "]]",
        "[[]]", "[[#h]]", "[[Jürgen Müller\\|J]]", "[x](y#z)", "[[a|b|c]]",
    ]),
    st.sampled_from(["📅 2026-12-05", "📅\ufe0f2026-02-30", "✅ 2026-11-01", "✅", "📅", "🎉",
                     "👩🏽‍⚕️", "\u200f", "\u0301", "ﬁ", "geb. 01.02.1960", "PID 1234567",
                     "756.1234.5678.97", "A123456789"]),
    date_token,
    st.sampled_from(["```", "~~~", "````", "<!--", "-->", "<!-->", "%%", "^abc123", "$$"]),
    atom,
)
log_line = st.builds(
    lambda b, x, d, k, tokens: f"{b}{x}{d}{' ' if d else ''}{k}{' '.join(tokens)}",
    bullet, checkbox, st.one_of(st.just(""), date_token), kind,
    st.lists(log_token, max_size=6),
)
# What log lines usually look like: a bullet, maybe a box, a date, maybe a kind.
usual_log_line = st.builds(
    lambda x, d, k, tokens: f"- {x}{d} {k}{' '.join(tokens)}",
    checkbox, date_token, kind, st.lists(log_token, max_size=4),
)
body_line = st.one_of(
    log_line, usual_log_line, usual_log_line,
    st.sampled_from(["```", "~~~", "<!--", "-->", "", "---", "...", "## Log", "> [!note]"]),
    atom,
)
body_lines = st.lists(body_line, max_size=15)


@st.composite
def note_text(draw: st.DrawFn) -> str:
    """A note: maybe front matter (maybe never closed), then a body of log-like lines."""
    opening = draw(st.sampled_from(["---\n"] * 4 + ["\ufeff---\n", "", "--- \n"]))
    closing = draw(st.sampled_from(["---\n"] * 4 + ["...\n", "", "--- \n"]))
    text = opening + draw(front_matter) + "\n" + closing + "\n".join(draw(body_lines))
    newline = draw(st.sampled_from(["\n"] * 4 + ["\r\n", "\r", "\u2028"]))
    return text.replace("\n", newline)


note_bytes = st.one_of(
    note_text().map(lambda t: t.encode("utf-8")),
    note_text().map(lambda t: t.encode("utf-8")),
    note_text().map(lambda t: t.encode("utf-8")),
    note_text().map(lambda t: t.encode("latin-1", "replace")),
    st.binary(max_size=300),
)

# ---------------------------------------------------------------- netzmd.toml

toml_scalar = st.one_of(
    st.sampled_from(['"de"', '"en"', '"fr"', '"."', '""', '"contacts"', '"../outside"',
                     '"/etc"', '"digest/{year}-W{week}.md"', "true", "1e999", "nan", "-inf",
                     "0", "-1", "365", "9223372036854775807", "1979-05-27", "07:32:00",
                     '"quarterly"', '"45d"', '"sometimes"', '"error"', '"off"', '"loud"',
                     '["gave", "#geben"]', "[]", "[1, 2]", '{ level = "off" }', "[[]]"]),
    st.integers().map(str),
    atom.map(json.dumps),
)
toml_key = st.one_of(
    st.sampled_from(["lang", "contacts", "goals", "output", "digest_path", "window_days",
                     "digest_size", "key", "regular", "loose", "give", "take", "mutual",
                     "personal", "career", "level", "min_surplus", "days", "within_days",
                     "max_share", '"quoted key"', "a.b", "unknown"]),
    st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True),
)
toml_table = st.one_of(
    st.sampled_from(["[cadence]", "[vocabulary]", "[rules]", "[[rules]]", "[lang]", "[",
                     "[rules.nope]"]),
    st.sampled_from(sorted(REGISTRY)).map(lambda r: f"[rules.{r}]"),
)
toml_line = st.one_of(
    st.builds("{} = {}".format, toml_key, toml_scalar),
    toml_table,
    st.integers(0, 3000).map(lambda n: "deep = " + "[" * n + "]" * n),
    atom,
)
toml_text = st.lists(toml_line, max_size=10).map("\n".join)


def _arrays_and_tables(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(children, max_size=4),
                     st.dictionaries(st.text(max_size=8), children, max_size=4))


# TOML values as tomllib returns them, for parse_config directly.
toml_value = st.recursive(
    st.one_of(st.text(max_size=10), st.integers(), st.floats(), st.booleans(), st.dates(),
              st.datetimes(), st.times(),
              st.sampled_from(["de", "en", "off", "error", "key", "quarterly", "12d", "."])),
    _arrays_and_tables,
    max_leaves=12,
)
rule_settings = st.dictionaries(
    st.sampled_from(["level", *{o for r in REGISTRY.values() for o in r.options}, "nope"]),
    toml_value, max_size=4,
)
config_dict = st.fixed_dictionaries({}, optional={
    "lang": toml_value,
    "contacts": toml_value,
    "goals": toml_value,
    "output": toml_value,
    "digest_path": toml_value,
    "window_days": st.one_of(st.integers(), toml_value),
    "digest_size": st.one_of(st.integers(), toml_value),
    "cadence": st.one_of(st.dictionaries(st.sampled_from(["key", "regular", "loose", "x"]),
                                         toml_value), toml_value),
    "vocabulary": st.one_of(st.dictionaries(
        st.sampled_from(["give", "take", "mutual", "personal", "career", "x"]),
        st.one_of(st.lists(st.text(max_size=8)), toml_value)), toml_value),
    "rules": st.one_of(st.dictionaries(st.sampled_from([*REGISTRY, "nope"]), rule_settings),
                       toml_value),
}) | st.dictionaries(st.text(max_size=8), toml_value, max_size=4)

# ---------------------------------------------------------------- checks


def line_count(data: bytes) -> int:
    """An upper bound for any 1-based line number in the file."""
    return data.count(b"\n") + 1


def assert_sound(finding: Finding, files: dict[str, bytes]) -> None:
    """A finding a user can act on: a known rule, and a place that exists."""
    assert finding.rule in REGISTRY, finding
    if finding.path is None:
        assert finding.line is None, finding
        return
    assert finding.path in files, finding
    if finding.line is not None:
        assert 1 <= finding.line <= line_count(files[finding.path]), finding


# ---------------------------------------------------------------- properties


@FUZZ
@given(data=note_bytes)
def test_parse_note_never_raises(data: bytes) -> None:
    note = parse_note("contacts/x.md", data)
    for finding in note.findings:
        assert_sound(finding, {"contacts/x.md": data})
    assert all(isinstance(key, str) for key in note.fields)
    for item in (*note.body.entries, *note.body.tasks, *note.body.link_lines):
        assert 1 <= item.line <= line_count(data)


@FUZZ
@given(lines=body_lines, first=st.integers(1, 1000))
def test_log_grammar_never_raises(lines: list[str], first: int) -> None:
    body = parse_body(lines, first)
    numbers = [item.line for item in (*body.entries, *body.tasks, *body.link_lines,
                                      *body.bad_dates)]
    # Each line is one thing at most, and every line number is a line of the input.
    assert len(numbers) == len(set(numbers))
    assert all(first <= n < first + len(lines) for n in numbers)
    for entry in body.entries:
        assert isinstance(entry, Entry) and isinstance(entry.date, dt.date)
        assert all(not tag.startswith("#") for tag in entry.tags)
    for task in body.tasks:
        assert isinstance(task, OpenTask)


@FUZZ
@given(data=config_dict)
def test_parse_config_raises_only_config_error(data: dict[str, Any]) -> None:
    try:
        parse_config(data)
    except ConfigError as err:
        assert str(err)


@FUZZ
@given(text=toml_text)
def test_netzmd_toml_text_raises_only_config_error(text: str) -> None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        data = None
    if data is not None:
        with contextlib.suppress(ConfigError):
            parse_config(data)
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "netzmd.toml").write_text(text, encoding="utf-8")
        try:
            load_vault(folder)
        except ConfigError as err:
            assert str(err)


# A contact as people keep them, so that the relationship and strategy rules have work.
usual_contact = st.builds(
    lambda fields, lines: ("---\n" + "\n".join(fields) + "\n---\n## Log\n"
                           + "\n".join(lines) + "\n").encode("utf-8"),
    st.lists(st.sampled_from([
        "circle: key", "circle: regular", "circle: loose", "cadence: monthly", "cadence: 2w",
        "sector: industry", "met: 2026-03-14", "met: 2026-11-20", "birthday: 12-24",
        "birthday: 02-29", "birthday: 9999-12-31", "snooze_until: 2026-12-31",
        "status: archived", 'goals: ["[[Ziel]]", "[[Nephro]]"]', "netzmd_ignore: [overdue]",
        "aliases: [Anna, Zoë]", "specialty: Nephrologie",
    ]), max_size=6, unique_by=lambda line: line.split(":")[0]),
    st.lists(usual_log_line, max_size=12),
)
usual_goal = st.builds(
    lambda target, since, by, extra: (
        f"---\ntarget: {target}\nsince: {since}\nby: {by}\n{extra}---\n"
    ).encode(),
    st.integers(-1, 5), recent, recent,
    st.sampled_from(["", "min_interactions: 2\n", "match:\n  specialty: Nephrologie\n",
                     "match: [a]\n"]),
)


@st.composite
def vault_files(draw: st.DrawFn) -> dict[str, bytes]:
    """Contacts, goals and dated notes with fuzzed content, plus maybe a fuzzed netzmd.toml."""
    files: dict[str, bytes] = {}
    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True)):
        files[f"contacts/{name}.md"] = draw(st.one_of(note_bytes, usual_contact))
    for stem in draw(st.lists(st.sampled_from(["Ziel", "Nephro", "Zoë"]), max_size=2,
                              unique=True)):
        files[f"goals/{stem}.md"] = draw(st.one_of(note_bytes, usual_goal))
    stems = st.one_of(st.dates().map(dt.date.isoformat),
                      st.sampled_from(["2026-02-30 Treffen", "Notiz", "2026-11-03"]))
    for stem in draw(st.lists(stems, max_size=3, unique=True)):
        files[f"notes/{stem}.md"] = draw(note_bytes)
    if draw(st.booleans()):
        files["netzmd.toml"] = draw(toml_text).encode("utf-8")
    return files


@FUZZ
@given(files=vault_files(),
       today=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)),
       lang=st.sampled_from(["de", "en"]))
def test_vault_of_fuzzed_files_never_raises(
    files: dict[str, bytes], today: dt.date, lang: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for rel, data in files.items():
            path = Path(folder, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            vault = load_vault(folder)
        except ConfigError:
            assert "netzmd.toml" in files
            return
        findings = run_rules(vault, today, lang=lang)
    for finding in findings:
        assert_sound(finding, files)
        assert isinstance(finding.level, Level)
        assert finding.message
    window = vault.config.window_days
    for contact in vault.contacts:
        # What `list` and `export json` print for each contact.
        json.dumps(export_record(contact, today, window), default=str)
        contact_row(contact, today, window)
