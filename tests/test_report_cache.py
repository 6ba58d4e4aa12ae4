"""Reports stay exact although a large vault's digest is built with shortcuts and caches.

Compiled templates, filled messages and finding messages are kept between renders (watch
renders again after every edit); the context is built once per contact and shared by
the sections. Each test shows what a user would see if a shortcut were wrong.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from netzmd.digest import build_context, report_message
from netzmd.engine import run_rules
from netzmd.findings import Finding
from netzmd.report import TemplateFailure, render
from netzmd.rules.base import Context
from netzmd.vault import load_vault
from tests.conftest import make_vault

TODAY = dt.date(2026, 12, 10)

ANNA = """---
circle: key
cadence: monthly
met: 2026-11-02
birthday: 1980-12-14
interests: [Segeln, Jazz]
tags: [station]
extra:
  1: eins
  nested: [a, {2: zwei}]
  pair: [x, y]
---
- 2026-12-08 call: Fallbesprechung #geben
- 2026-10-01 mail: Paper geschickt
- 2025-01-10 coffee: Kennengelernt
- [ ] 2026-12-01 Unterlagen schicken
"""
BERT = """---
circle: regular
cadence: 30d
---
- 2026-06-01 call: Rückfrage #nehmen
- 2026-06-02 call: Zweitmeinung #nehmen
- 2026-06-03 call: Befund #nehmen
"""
GOAL = """---
title: Nephrologie
target: 2
since: 2026-01-01
by: 2027-06-30
match:
  circle: key
---
"""


def _vault(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    return make_vault(tmp_path, {
        "contacts/Anna Keller.md": ANNA,
        "contacts/Bert Roth.md": BERT,
        "goals/Nephrologie.md": GOAL,
        **(extra or {}),
    })


def _context(root: Path, lang: str = "en") -> dict[str, Any]:
    vault = load_vault(root)
    return build_context(vault, run_rules(vault, TODAY, lang=lang), TODAY, None, lang)


# ---------------------------------------------------------------- compiled templates


def test_an_edited_template_of_the_same_size_and_time_is_rendered_anew(tmp_path: Path) -> None:
    root = _vault(tmp_path, {"templates/mine.md.j2": "A {{ week.label }}\n"})
    context = _context(root)
    assert render(root, "mine", context, "md") == "A 2026-W50\n"
    template = root / "templates/mine.md.j2"
    before = template.stat()
    template.write_text("B {{ week.label }}\n", encoding="utf-8")
    os.utime(template, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert render(root, "mine", context, "md") == "B 2026-W50\n"


def test_a_template_added_and_removed_between_renders_takes_and_gives_back_its_place(
    tmp_path: Path,
) -> None:
    root = _vault(tmp_path)
    context = _context(root)
    built_in = render(root, "digest", context, "md")
    assert built_in.startswith("# Network digest, week 50/2026\n")
    own = root / "templates/digest.md.j2"
    own.parent.mkdir()
    own.write_text("Meine Woche {{ week.number }}\n", encoding="utf-8")
    assert render(root, "digest", context, "md") == "Meine Woche 50\n"
    own.unlink()
    assert render(root, "digest", context, "md") == built_in


def test_a_template_shared_by_both_formats_is_escaped_only_in_html(tmp_path: Path) -> None:
    # Compiled code depends on autoescaping: one kept copy must not serve both formats.
    include = '{% include "name.j2" %}'
    root = make_vault(tmp_path, {"templates/name.j2": "{{ name }}\n",
                                 "templates/n.md.j2": include, "templates/n.html.j2": include})
    for _ in range(2):
        assert render(root, "n", {"name": "<b>Anna</b>", "lang": "en"}, "md") == "<b>Anna</b>\n"
        assert render(root, "n", {"name": "<b>Anna</b>", "lang": "en"}, "html") == (
            "&lt;b&gt;Anna&lt;/b&gt;\n")


# ---------------------------------------------------------------- filled messages


def test_messages_for_equal_values_of_different_types_read_differently(tmp_path: Path) -> None:
    # 1, true and 1.0 are equal (and hash alike) in Python but are written differently.
    root = make_vault(tmp_path, {"templates/n.md.j2": (
        "{{ t('report', 'interaction-count', n=1) }}|"
        "{{ t('report', 'interaction-count', n=true) }}|"
        "{{ t('report', 'interaction-count', n=1.0) }}\n"
    )})
    assert render(root, "n", {"lang": "en"}, "md") == (
        "1 interaction|True interaction|100% interaction\n")


def test_a_macro_passed_to_a_message_stays_markup_and_text_is_escaped(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"templates/n.html.j2": (
        "{% macro bold() %}<b>Anna</b>{% endmacro %}"
        "{{ t('report', 'goal-members', names='<b>Anna</b>') }}\n"
        "{{ t('report', 'goal-members', names=bold()) }}\n"
        "{{ t('report', 'goal-members', names='<b>Anna</b>') }}\n"
    )})
    assert render(root, "n", {"lang": "en"}, "html") == (
        "Counted: &lt;b&gt;Anna&lt;/b&gt;\n"
        "Counted: <b>Anna</b>\n"
        "Counted: &lt;b&gt;Anna&lt;/b&gt;\n"
    )


def test_the_same_message_is_filled_per_language(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"templates/n.md.j2": "{{ t('report', 'due', date=day) }}\n"})
    day = dt.date(2026, 12, 1)
    for _ in range(2):
        assert render(root, "n", {"lang": "de", "day": day}, "md") == "fällig 01.12.2026\n"
        assert render(root, "n", {"lang": "en", "day": day}, "md") == "due Dec 1, 2026\n"


def test_t_speaks_the_language_a_template_sets_where_it_is_called(tmp_path: Path) -> None:
    # `t` is called directly, not through Jinja's general call: a `lang` set at the top,
    # in a loop or in a block must still reach it, and a wrong call fails as before.
    root = make_vault(tmp_path, {
        "templates/top.md.j2": "{% set lang = 'de' %}{{ t('report', 'this-week') }}\n",
        "templates/loop.md.j2": (
            "{% for x in [1] %}{% set lang = 'de' %}{{ t('report', 'this-week') }}"
            "{% endfor %}|{% for x in [1] %}{% set other = 1 %}{{ t('report', 'this-week') }}"
            "{% endfor %}\n"),
        "templates/page.md.j2": "{% block body %}{% endblock %}\n",
        "templates/block.md.j2": (
            "{% extends 'page.md.j2' %}{% block body %}{% set lang = 'de' %}"
            "{{ t('report', 'this-week') }}{% endblock %}"),
        "templates/bad.md.j2": "{{ t('report') }}\n",
    })
    assert render(root, "top", {"lang": "en"}, "md") == "Diese Woche\n"
    assert render(root, "loop", {"lang": "en"}, "md") == "Diese Woche|This week"
    assert render(root, "block", {"lang": "en"}, "md") == "Diese Woche"
    with pytest.raises(TemplateFailure) as failure:
        render(root, "bad", {"lang": "en"}, "md")
    assert str(failure.value) == (
        "template 'templates/bad.md.j2', line 1: "
        "TypeError: _t() missing 1 required positional argument: 'key'")


def test_map_reads_attributes_as_jinja_does(tmp_path: Path) -> None:
    # `map(attribute="name")` is taken a shorter way; every other form is Jinja's own.
    root = make_vault(tmp_path, {"templates/m.md.j2": (
        "{{ people | map(attribute='name') | join(',') }}"
        "|{{ people | map(attribute='home.city') | join(',') }}"
        "|{{ people | map(attribute='nick', default='-') | join(',') }}"
        "|{{ pairs | map(attribute=1) | join(',') }}"
        "|{{ people | map(attribute='name') | map('upper') | join(',') }}"
        "|{{ none_yet | map(attribute='name') | list }}\n"),
        "templates/bad.md.j2": "{{ people | map(attribute='nick') | join(',') }}\n",
    })
    people = [{"name": "Anna", "home": {"city": "Köln"}},
              {"name": "Bert", "nick": "B", "home": {"city": "Bonn"}}]
    context = {"lang": "en", "people": people, "pairs": [("a", "b"), ("c", "d")],
               "none_yet": []}
    assert render(root, "m", context, "md") == "Anna,Bert|Köln,Bonn|-,B|b,d|ANNA,BERT|[]\n"
    with pytest.raises(TemplateFailure) as failure:
        render(root, "bad", context, "md")
    assert str(failure.value) == (
        "template 'templates/bad.md.j2', line 1: 'dict object' has no attribute 'nick'")


def test_finding_messages_keep_value_types_apart() -> None:
    day = dt.date(2026, 11, 1)
    assert [report_message(Finding("overdue", data={
        "days_since": days, "last": day, "cadence_days": 30}), "en") for days in (1, 1.0, 1)] == [
        "last contact 1 day ago (Nov 1, 2026); cadence is every 30 days",
        "last contact 100% day ago (Nov 1, 2026); cadence is every 30 days",
        "last contact 1 day ago (Nov 1, 2026); cadence is every 30 days",
    ]


# ---------------------------------------------------------------- the context


def test_front_matter_reaches_templates_as_plain_data(tmp_path: Path) -> None:
    vault = load_vault(_vault(tmp_path))
    anna = vault.contacts[0]
    assert anna.name == "Anna Keller"
    # What a loader might hand over: tuples, and keys that are not text.
    odd = replace(anna, fields={**anna.fields, "odd": {1: ("a", {2: ("b",)}), "c": ("d",)}})
    vault = replace(vault, contacts=(odd, *vault.contacts[1:]))
    context = build_context(vault, run_rules(vault, TODAY), TODAY, None, "en")
    fields = next(c for c in context["contacts"] if c["name"] == "Anna Keller")["fields"]
    assert fields["odd"] == {"1": ["a", {"2": ["b"]}], "c": ["d"]}
    assert fields["extra"] == {"1": "eins", "nested": ["a", {"2": "zwei"}], "pair": ["x", "y"]}
    assert fields["interests"] == ["Segeln", "Jazz"]
    assert fields["met"] == dt.date(2026, 11, 2)


def test_counts_by_date_match_the_sections(tmp_path: Path) -> None:
    context = _context(_vault(tmp_path))
    anna = next(c for c in context["contacts"] if c["name"] == "Anna Keller")
    assert anna["quarter_interactions"] == 3  # 1 October, met on 2 November, 8 December
    assert [(i["date"], [c["name"] for c in i["contacts"]]) for i in context["last_week"]] == [
        (dt.date(2026, 12, 8), ["Anna Keller"])]
    bars = {b["month"]: b["count"] for b in context["charts"]["months"]["bars"]}
    assert [bars[dt.date(2026, month, 1)] for month in (12, 11, 10, 6, 1)] == [1, 1, 1, 3, 0]
    assert context["charts"]["months"]["total"] == 6  # January 2025 is out of the chart


def test_one_finding_reads_the_same_everywhere_it_is_shown(tmp_path: Path) -> None:
    context = _context(_vault(tmp_path))
    bert = next(c for c in context["contacts"] if c["name"] == "Bert Roth")
    [overdue] = [f for f in bert["findings"] if f["rule"] == "overdue"]
    assert overdue in context["findings"]
    [entry] = [e for e in context["this_week"] if e["contact"]["name"] == "Bert Roth"]
    assert overdue["message"] in entry["reasons"]
    assert overdue["message"] == (
        "last contact 190 days ago (Jun 3, 2026); cadence is every 30 days")


def test_the_rules_context_gives_the_same_report(tmp_path: Path) -> None:
    vault = load_vault(_vault(tmp_path))
    findings = run_rules(vault, TODAY)
    shared = Context(vault, TODAY)
    assert build_context(vault, findings, TODAY, None, "en", shared) == build_context(
        vault, findings, TODAY, None, "en")
    assert shared.goal_progress[0].achieved == 1


def test_a_rules_context_of_another_day_is_refused(tmp_path: Path) -> None:
    vault = load_vault(_vault(tmp_path))
    try:
        build_context(vault, [], TODAY, None, "en", Context(vault, TODAY - dt.timedelta(days=1)))
    except ValueError as err:
        assert str(err) == "the rule context is for another vault or another day"
    else:
        raise AssertionError("a rule context for another day was accepted")
