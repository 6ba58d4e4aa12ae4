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
from functools import cache
from importlib import resources
from typing import Any

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


def format_date(value: dt.date, lang: str) -> str:
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
    def plural(match: re.Match[str]) -> str:
        return match.group(2) if values.get(match.group(1)) == 1 else match.group(3)

    # A check of a large vault fills thousands of messages: skip what a template lacks.
    text = _PLURAL.sub(plural, template) if _has_plural(template) else template
    shown = {
        k: v if type(v) is str else str(v) if type(v) is int else format_value(v, lang)
        for k, v in values.items()
    }
    return text.format_map(_Missing(shown))


@cache
def _has_plural(template: str) -> bool:
    return _PLURAL.search(template) is not None


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
    values = dict(finding.data)
    if "expected" in values:
        values["expected"] = catalogue(lang)["expected"].get(values["expected"], values["expected"])
    return fill(messages[key], values, lang)


def rule_description(rule_id: str, lang: str) -> str:
    return catalogue(lang)["rule"][rule_id]
