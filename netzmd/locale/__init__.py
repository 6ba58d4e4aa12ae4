"""Messages in German and English: one catalogue per language (TOML), used by CLI and reports.

Catalogue values are `str.format` templates over a finding's data. Two additions:
dates are written per language (`27.11.2026` in German), and `{n|Tag|Tagen}` picks the
singular when n is 1, so German and English plurals read naturally.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from functools import cache, lru_cache
from importlib import resources
from string import Formatter
from typing import Any, NamedTuple

from netzmd.findings import Finding

LANGS = ("de", "en")
_PLURAL = re.compile(r"\{(\w+)\|([^|{}]*)\|([^|{}]*)\}")


@cache
def catalogue(lang: str) -> dict[str, dict[str, str]]:
    """All `locale/<lang>/*.toml` files merged; one file per feature keeps edits apart."""
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("netzmd.locale").joinpath(lang)
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".toml"):
            for section, entries in tomllib.loads(item.read_text("utf-8")).items():
                merged.setdefault(section, {}).update(entries)
    return merged


def detect_lang(explicit: str | None = None, configured: str | None = None) -> str:
    """--lang, else the config's `lang`, else the locale's language, else English."""
    if explicit:
        return explicit
    if configured:
        return configured
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value:
            return "de" if value.lower().startswith("de") else "en"
    return "en"


@lru_cache(maxsize=4096)
def format_date(value: dt.date, lang: str) -> str:
    # Cached: a check of a large vault writes the same few thousand dates again and again.
    return value.strftime("%d.%m.%Y") if lang == "de" else value.isoformat()


def format_value(value: Any, lang: str) -> str:
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.0%}" if value <= 1 else f"{value:g}"
        return text.replace(".", ",") if lang == "de" else text
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v, lang) for v in value)
    return str(value)


def t(section: str, key: str, lang: str, **values: Any) -> str:
    """Look up `section.key` in the language's catalogue and fill in the values."""
    template = catalogue(lang)[section][key]
    return fill(template, values, lang)


def fill(template: str, values: dict[str, Any], lang: str) -> str:
    compiled = _compile(template)
    if compiled.parts is None:
        return _fill_by_format(compiled, values, lang)
    # The same text as _fill_by_format, without parsing the template again for each of
    # the thousands of messages a check of a large vault fills.
    pieces = []
    for literal, name, forms in compiled.parts:
        pieces.append(literal)
        if forms is not None:
            pieces.append(forms[0] if values.get(name) == 1 else forms[1])
        elif name:
            if name in values:
                v = values[name]
                pieces.append(v if type(v) is str else str(v) if type(v) is int
                              else format_value(v, lang))
            else:
                pieces.append("{" + name + "}")  # a placeholder without a value stays
    return "".join(pieces)


def _fill_by_format(compiled: _Template, values: dict[str, Any], lang: str) -> str:
    """Fill any template: `str.format` over the shown values, the plural forms chosen."""
    shown = {
        k: v if type(v) is str else str(v) if type(v) is int else format_value(v, lang)
        for k, v in values.items()
    }
    for slot, name, one, many in compiled.plurals:
        shown[slot] = one if values.get(name) == 1 else many
    return compiled.text.format_map(_Missing(shown))


class _Template(NamedTuple):
    text: str  # the template, each `{n|one|many}` made a placeholder `{|i}` of its own
    plurals: tuple[tuple[str, str, str, str], ...]  # (placeholder, n, one, many)
    # (literal, name or "" after the last placeholder, (one, many) for a plural) when
    # every placeholder is a plain name; None when one has a format spec, a conversion,
    # an index or an attribute.
    parts: tuple[tuple[str, str, tuple[str, str] | None], ...] | None


@cache
def _compile(template: str) -> _Template:
    """A template taken apart once: a check of a large vault fills thousands of messages."""
    plurals: list[tuple[str, str, str, str]] = []

    def slot(match: re.Match[str]) -> str:
        name = f"|{len(plurals)}"
        plurals.append((name, match.group(1), match.group(2), match.group(3)))
        return "{" + name + "}"

    text = _PLURAL.sub(slot, template)
    forms = {placeholder: (name, (one, many)) for placeholder, name, one, many in plurals}
    return _Template(text, tuple(plurals), _plain_parts(text, forms))


def _plain_parts(text: str, forms: dict[str, tuple[str, tuple[str, str]]]
                 ) -> tuple[tuple[str, str, tuple[str, str] | None], ...] | None:
    parts: list[tuple[str, str, tuple[str, str] | None]] = []
    try:
        for literal, field, spec, conversion in Formatter().parse(text):
            if field is None:
                parts.append((literal, "", None))
            elif spec or conversion or not field or field.isdigit() or "." in field \
                    or "[" in field:
                return None
            elif field in forms:
                parts.append((literal, *forms[field]))
            else:
                parts.append((literal, field, None))
    except ValueError:
        return None  # unbalanced braces: str.format says so, as ever
    return tuple(parts)


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _variant(finding: Finding) -> str:
    if finding.rule == "overdue" and finding.data.get("last") is None:
        return "overdue-never"
    if finding.rule == "yaml-error" and finding.data.get("column") is None:
        return "yaml-error-no-column"
    return finding.rule


def finding_message(finding: Finding, lang: str) -> str:
    key = _variant(finding)
    messages = catalogue(lang)["message"]
    if key not in messages:
        key = finding.rule
    values = finding.data
    if "expected" in values:
        values = dict(values)
        values["expected"] = catalogue(lang)["expected"].get(values["expected"], values["expected"])
    return fill(messages[key], values, lang)


def rule_description(rule_id: str, lang: str) -> str:
    return catalogue(lang)["rule"][rule_id]
