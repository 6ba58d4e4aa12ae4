"""The report context on its own: ranking, reasons, suggestions and sections 2–8 of SPEC 5.

Today is Thursday 2026-12-10 (ISO week 2026-W50: Monday 7 to Sunday 13 December;
quarter 2026-Q4) unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from netzmd.config import Config
from netzmd.digest import (
    LazyList,
    LazyMapping,
    build_context,
    default_path,
    parse_week,
    plain_text,
    quarter_bounds,
    reference_date,
)
from netzmd.engine import run_rules
from netzmd.locale import catalogue
from netzmd.vault import load_vault
from tests.conftest import ROOT, make_vault

TODAY = dt.date(2026, 12, 10)
D = dt.date


def contact(front: str, log: str = "") -> str:
    return f"---\n{front}---\n{log}"


def context(root: Path, today: dt.date = TODAY, lang: str = "en",
            week: tuple[int, int] | None = None) -> dict[str, Any]:
    vault = load_vault(root)
    return build_context(vault, run_rules(vault, today, lang=lang), today, week, lang)


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["contact"]["name"] for item in items]


def config(root: Path, text: str) -> None:
    (root / "netzmd.toml").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- weeks and quarters


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-W48", (2026, 48)), ("2026W48", (2026, 48)), ("2026-w05", (2026, 5)),
    ("2026-W53", (2026, 53)),  # 2026 has 53 ISO weeks
])
def test_parse_week(text: str, expected: tuple[int, int]) -> None:
    assert parse_week(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("2027-W53", "2027 has no ISO week 53"),
    ("2026-W00", "2026 has no ISO week 0"),
    ("48", "not an ISO week (YYYY-Www): '48'"),
    ("2026-48", "not an ISO week (YYYY-Www): '2026-48'"),
])
def test_parse_week_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_week(text)
    assert str(caught.value) == message


def test_reference_date_is_today_in_its_week_else_that_monday() -> None:
    assert reference_date(TODAY, None) == TODAY
    assert reference_date(TODAY, (2026, 50)) == TODAY
    assert reference_date(TODAY, (2026, 48)) == D(2026, 11, 23)
    assert reference_date(TODAY, (2027, 2)) == D(2027, 1, 11)


def test_quarter_bounds() -> None:
    assert quarter_bounds(TODAY) == (D(2026, 10, 1), D(2026, 12, 31))
    assert quarter_bounds(D(2026, 2, 28)) == (D(2026, 1, 1), D(2026, 3, 31))
    assert quarter_bounds(D(2026, 6, 30)) == (D(2026, 4, 1), D(2026, 6, 30))


def test_default_paths() -> None:
    assert default_path(Config(), "digest", "md", (2026, 5)) == "digest/2026-W05.md"
    assert default_path(Config(), "digest", "html", (2026, 50)) == "digest/2026-W50.html"
    custom = Config(output="Berichte", digest_path="Berichte/KW{week}-{year}.md")
    assert default_path(custom, "digest", "html", (2026, 7)) == "Berichte/KW07-2026.html"
    assert default_path(custom, "quarter", "md", (2026, 7)) == "Berichte/quarter.md"
    assert default_path(Config(output="."), "contacts", "html", (2026, 7)) == "contacts.html"


def test_week_is_the_iso_week_monday_to_sunday(tmp_path: Path) -> None:
    ctx = context(make_vault(tmp_path, {}))
    assert ctx["week"] == {"year": 2026, "number": 50, "label": "2026-W50",
                           "start": D(2026, 12, 7), "end": D(2026, 12, 13)}
    # ISO year differs from the calendar year around New Year.
    ctx = context(tmp_path, today=D(2027, 1, 1))
    assert ctx["week"]["label"] == "2026-W53"


def test_plain_text_drops_link_syntax_and_task_dates() -> None:
    assert plain_text("Fallkonferenz mit [[Anna Keller|Anna]] und [[Ben]] 📅 2026-12-05") == (
        "Fallkonferenz mit Anna und Ben"
    )


# ---------------------------------------------------------------- this week: ranking


def ranking_vault(root: Path) -> Path:
    return make_vault(root, {
        "contacts/Never.md": contact("circle: key\n"),
        "contacts/Alpha.md": contact("circle: key\n", "- 2026-07-01 call: Anruf\n"),
        "contacts/Beta.md": contact("circle: regular\ncadence: 30d\n",
                                    "- 2026-10-01 call: Anruf\n"),
        "contacts/Gamma.md": contact("circle: key\ncadence: monthly\n",
                                     "- 2026-10-11 call: Anruf\n"),
        "contacts/Delta.md": contact("circle: regular\ncadence: 30d\n",
                                     "- 2026-10-11 call: Anruf\n"),
        "contacts/Snoozed.md": contact("circle: key\nsnooze_until: 2027-01-01\n",
                                       "- 2026-01-01 call: Anruf\n"),
        "contacts/Archived.md": contact("circle: key\nstatus: archived\n",
                                        "- 2026-01-01 call: Anruf\n"),
        "contacts/Ignored.md": contact("circle: key\nnetzmd_ignore: [overdue]\n",
                                       "- 2026-01-01 call: Anruf\n"),
        "contacts/Fine.md": contact("circle: key\n", "- 2026-12-01 call: Anruf\n"),
    })


def test_ranking_never_first_then_overdue_ratio_then_key_circle_then_name(
        tmp_path: Path) -> None:
    ranking_vault(tmp_path)
    config(tmp_path, "digest_size = 10\n")
    week = context(tmp_path)["this_week"]
    # Beta 40/30 days over, Gamma and Delta 30/30 (a tie: key first), Alpha 72/90.
    assert names(week) == ["Never", "Beta", "Gamma", "Delta", "Alpha"]
    assert [(w["rank"], w["never"], w["overdue_days"], w["urgency"]) for w in week] == [
        (1, True, 0, 0.0), (2, False, 40, 1.333), (3, False, 30, 1.0), (4, False, 30, 1.0),
        (5, False, 72, 0.8),
    ]
    assert week[1]["reasons"] == ["last contact 70 days ago (Oct 1, 2026); cadence is "
                                  "every 30 days"]
    assert week[1]["rules"] == ["overdue"]


def test_digest_size_limits_this_week(tmp_path: Path) -> None:
    ranking_vault(tmp_path)
    config(tmp_path, "digest_size = 2\n")
    assert names(context(tmp_path)["this_week"]) == ["Never", "Beta"]
    config(tmp_path, "digest_size = 0\n")
    assert context(tmp_path)["this_week"] == []


def test_missing_follow_up_is_due_two_weeks_after_meeting(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        # met 39 days ago: follow-up 25 days late of 14 → 1.79, ahead of 72/90 = 0.8
        "contacts/New.md": contact("circle: loose\nmet: 2026-11-01\nmet_at: DGfN-Kongress\n"),
        "contacts/Alpha.md": contact("circle: key\n", "- 2026-07-01 call: Anruf\n"),
    })
    week = context(tmp_path)["this_week"]
    assert names(week) == ["New", "Alpha"]
    assert (week[0]["overdue_days"], week[0]["urgency"]) == (25, 1.786)


def test_contact_without_due_date_ranks_after_overdue_ones(tmp_path: Path) -> None:
    # Three asks, each after more than 90 days of silence: one-sided and only-when-needed.
    takes = "".join(f"- 2026-{m}-01 took: Frage\n" for m in ("01", "05", "09"))
    make_vault(tmp_path, {
        "contacts/Asker.md": contact("circle: loose\n", takes),
        "contacts/Alpha.md": contact("circle: key\n", "- 2026-07-01 call: Anruf\n"),
    })
    week = context(tmp_path)["this_week"]
    assert names(week) == ["Alpha", "Asker"]
    assert week[1]["rules"] == ["one-sided", "only-when-needed"]
    assert week[1]["urgency"] == 0.0


def test_birthday_is_a_reason_but_not_a_candidate(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Alpha.md": contact("circle: key\nbirthday: 1970-12-15\n",
                                     "- 2026-07-01 call: Anruf\n"),
        "contacts/Party.md": contact("birthday: 12-12\n"),
    })
    week = context(tmp_path)["this_week"]
    assert names(week) == ["Alpha"]
    assert week[0]["reasons"][1] == "birthday on Dec 15, 2026 (in 5 days)"


# ---------------------------------------------------------------- suggestions


def suggestion_texts(lang: str, keys: list[str], **facts: str) -> set[str]:
    from netzmd.locale import fill

    return {fill(catalogue(lang)["suggest"][key], facts, lang) for key in keys}


def test_one_sided_suggests_offering_something(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/Asker.md": contact(
        "specialty: Nephrologie\n", "- 2026-03-01 took: Zweitmeinung\n- 2026-03-02 took: Rat\n")})
    item = context(tmp_path)["this_week"][0]
    assert item["suggestion"]["kind"] == "offer"
    assert item["suggestion"]["principle"] == "P2"
    assert item["suggestion"]["text"] in suggestion_texts(
        "en", ["offer-article", "offer-case-conference", "offer-event", "offer-experience"],
        specialty="Nephrologie")


def test_suggestion_kinds_follow_the_most_specific_finding(tmp_path: Path) -> None:
    shop_talk = "".join(f"- 2026-0{m}-01 call: Fachliches\n" for m in (3, 5, 7))
    career = "- 2026-09-01 call: Bewerbung #karriere\n- 2026-10-01 call: Stelle #karriere\n"
    make_vault(tmp_path, {
        "contacts/Shop.md": contact("circle: regular\n", shop_talk),
        "contacts/Career.md": contact("circle: loose\n", career),
        "contacts/Met.md": contact("met: 2026-11-01\nmet_at: DGfN-Kongress 2026\n"),
        "contacts/Never.md": contact("circle: key\n"),
        "contacts/Late.md": contact("circle: key\n", "- 2026-08-01 call: Anruf\n"),
        "contacts/Planned.md": contact(
            "met: 2026-11-01\n", "- [ ] 2026-11-20 Paper schicken 📅 2026-11-20\n"),
    })
    config(tmp_path, "digest_size = 10\n")
    kinds = {w["contact"]["name"]: w["suggestion"]["kind"] for w in context(tmp_path)["this_week"]}
    assert kinds == {"Shop": "personal", "Career": "their-work", "Met": "follow-up",
                     "Never": "introduce", "Late": "reconnect", "Planned": "task"}


def test_task_suggestion_names_the_planned_step(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/Planned.md": contact(
        "", "- [ ] 2026-11-20 Paper zu [[Heimdialyse]] schicken. 📅 2026-11-20\n")})
    for lang, text in (("en", "Do the step you planned: Paper zu Heimdialyse schicken."),
                       ("de", "Erledige den geplanten Schritt: Paper zu Heimdialyse schicken.")):
        assert context(tmp_path, lang=lang)["this_week"][0]["suggestion"]["text"] == text


def test_follow_up_uses_where_they_met_in_german(tmp_path: Path) -> None:
    # Without specialty the only specific variant is the one with met_at; the plain one
    # is the alternative.
    make_vault(tmp_path, {"contacts/Met.md": contact(
        "met: 2026-11-01\nmet_at: DGfN-Kongress 2026\n")})
    text = context(tmp_path, lang="de")["this_week"][0]["suggestion"]["text"]
    assert text in suggestion_texts("de", ["follow-up-met-at", "follow-up-plain"],
                                    met_at="DGfN-Kongress 2026")


def test_suggestions_vary_between_contacts_but_not_between_runs(tmp_path: Path) -> None:
    takes = "- 2026-03-01 took: a\n- 2026-03-02 took: b\n"
    people = ["Anna", "Ben", "Cem", "Dana", "Emil", "Fritzi", "Gül", "Hanne"]
    make_vault(tmp_path, {f"contacts/{p}.md": contact(
        "specialty: Kardiologie\ninterests: [Jazz, Triathlon]\n", takes) for p in people})
    config(tmp_path, "digest_size = 10\n")
    first = [w["suggestion"]["key"] for w in context(tmp_path)["this_week"]]
    again = [w["suggestion"]["key"] for w in context(tmp_path)["this_week"]]
    assert first == again
    assert len(set(first)) >= 3


def test_interest_makes_a_personal_suggestion_specific(tmp_path: Path) -> None:
    shop_talk = "".join(f"- 2026-0{m}-01 call: Fachliches\n" for m in (3, 5, 7))
    people = ["Anna", "Ben", "Cem", "Dana", "Emil", "Fritzi"]
    make_vault(tmp_path, {f"contacts/{p}.md": contact(
        "circle: regular\ninterests: [Segeln]\n", shop_talk) for p in people})
    config(tmp_path, "digest_size = 10\n")
    texts = [w["suggestion"]["text"] for w in context(tmp_path, lang="de")["this_week"]]
    assert "Trefft Euch auf einen Kaffee und sprecht über Segeln statt über die Arbeit." in texts


# ---------------------------------------------------------------- sections 2–8


def test_planned_steps_due_this_week_or_overdue(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": contact("", "- [ ] 2026-12-13 Sonntag noch fällig\n"
                                        "- [ ] 2026-12-14 nächste Woche\n"
                                        "- [ ] 2026-11-30 längst fällig\n"),
        "contacts/Ben.md": contact(""),
        "Journal/2026-12-01.md": "- [ ] 2026-12-09 Fallkonferenz mit [[Anna]] und [[Ben]]\n",
    })
    tasks = context(tmp_path)["tasks"]
    assert [(t["due"], t["plain"], t["overdue"], t["days_late"],
             [c["name"] for c in t["contacts"]]) for t in tasks] == [
        (D(2026, 11, 30), "längst fällig", True, 10, ["Anna"]),
        (D(2026, 12, 9), "Fallkonferenz mit Anna und Ben", True, 1, ["Anna", "Ben"]),
        (D(2026, 12, 13), "Sonntag noch fällig", False, 0, ["Anna"]),
    ]


def test_birthdays_in_the_next_fourteen_days(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Today.md": contact("birthday: 1980-12-10\n"),
        "contacts/Last.md": contact("birthday: 12-23\n"),
        "contacts/Out.md": contact("birthday: 12-24\n"),
        "contacts/Gone.md": contact("birthday: 12-11\nstatus: archived\n"),
    })
    ctx = context(tmp_path)
    assert [(b["contact"]["name"], b["date"], b["in_days"], b["age"])
            for b in ctx["birthdays"]] == [
        ("Today", D(2026, 12, 10), 0, 46),
        ("Last", D(2026, 12, 23), 13, None),
    ]
    assert ctx["vault"]["birthday_days"] == 14


def test_give_and_take_lists_contacts_taken_from(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Taker.md": contact("", "- 2026-03-01 took: a\n- 2026-04-01 took: b\n"
                                         "- 2026-05-01 took: c\n- 2026-06-01 gave: d\n"),
        "contacts/Even.md": contact("", "- 2026-03-01 took: a\n- 2026-04-01 gave: b\n"),
        "contacts/Giver.md": contact("", "- 2026-03-01 gave: a\n- 2026-04-01 gave: b\n"),
    })
    ctx = context(tmp_path)
    assert [(names([r])[0], r["gives"], r["takes"], r["balance"]) for r in ctx["balance"]] == [
        ("Taker", 1, 3, -2)]
    config(tmp_path, "[rules.one-sided]\nmin_surplus = 3\n")
    assert context(tmp_path)["balance"] == []


def test_goals_carry_progress_and_members(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "goals/Nephro.md": "---\ntitle: Drei aus der Nephrologie\ntarget: 3\n"
                           "since: 2026-07-01\nby: 2027-06-30\nmatch:\n  specialty: Nephrologie\n"
                           "---\n",
        "contacts/Anna.md": contact("specialty: Nephrologie\n", "- 2026-09-01 call: x\n"),
        "contacts/Ben.md": contact("specialty: Nephrologie\n"),
    })
    [goal] = context(tmp_path)["goals"]
    assert {k: goal[k] for k in ("title", "target", "achieved", "expected", "status", "link",
                                 "share", "contacts")} == {
        "title": "Drei aus der Nephrologie", "target": 3, "achieved": 1, "expected": 1,
        "status": "on-track", "link": "Nephro|Drei aus der Nephrologie", "share": 1 / 3,
        "contacts": ["Anna"],
    }
    assert [(m["name"], m["counts"]) for m in goal["members"]] == [("Anna", True),
                                                                    ("Ben", False)]


def test_last_week_is_the_past_seven_days_one_line_one_item(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": contact("", "- 2026-12-04 call: sechs Tage her\n"
                                        "- 2026-12-03 call: sieben Tage her\n"
                                        "- 2026-12-11 call: morgen\n"),
        "contacts/Ben.md": contact(""),
        "Journal/2026-12-08.md": "Fallkonferenz mit [[Anna]] und [[Ben]] #persönlich\n",
    })
    items = context(tmp_path)["last_week"]
    assert [(i["date"], i["plain"], i["direction"], i["personal"],
             [c["name"] for c in i["contacts"]]) for i in items] == [
        (D(2026, 12, 4), "sechs Tage her", "touch", False, ["Anna"]),
        (D(2026, 12, 8), "Fallkonferenz mit Anna und Ben #persönlich", "touch", True,
         ["Anna", "Ben"]),
    ]


def test_quarter_counts_key_contacts_reached_this_quarter(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": contact("circle: key\n", "- 2026-10-01 call: erster Tag\n"
                                                     "- 2026-11-01 call: x\n"),
        "contacts/Ben.md": contact("circle: key\n", "- 2026-09-30 call: Vorquartal\n"),
        "contacts/Cem.md": contact("circle: regular\n", "- 2026-12-01 call: x\n"),
    })
    quarter = context(tmp_path)["quarter"]
    assert {k: quarter[k] for k in ("label", "start", "end", "days_left", "required",
                                    "reached", "met", "interactions")} == {
        "label": "2026-Q4", "start": D(2026, 10, 1), "end": D(2026, 12, 31), "days_left": 21,
        "required": 2, "reached": 1, "met": False, "interactions": 3,
    }
    assert [(names([r])[0], r["reached"], r["interactions"])
            for r in quarter["key_contacts"]] == [("Anna", True, 2), ("Ben", False, 0)]
    assert [(names([r])[0], r["interactions"]) for r in quarter["contacts"]] == [
        ("Anna", 2), ("Cem", 1)]
    config(tmp_path, "[rules.quarterly-plan]\nmin_key_contacts = 1\n")
    assert context(tmp_path)["quarter"]["met"] is True


def test_data_problems_count_files_and_leave_advice_out(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": contact("circle: vip\n", "- 2026-02-30 call: x\n"),
        "contacts/Ben.md": "---\nname: [unclosed\n---\n",
        "contacts/Late.md": contact("circle: key\n", "- 2026-01-01 call: x\n"),
    })
    problems = context(tmp_path)["problems"]
    assert (problems["count"], problems["errors"], problems["warnings"]) == (3, 3, 0)
    assert [(f["path"], f["count"], [x["rule"] for x in f["findings"]])
            for f in problems["files"]] == [
        ("contacts/Anna.md", 2, ["bad-field", "bad-date"]),
        ("contacts/Ben.md", 1, ["yaml-error"]),
    ]


def test_months_chart_counts_the_last_twelve_months(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Anna.md": contact("", "- 2025-12-31 call: zu alt\n- 2026-01-05 call: a\n"
                                        "- 2026-01-20 call: b\n- 2026-12-10 call: heute\n"
                                        "- 2026-12-11 call: morgen\n"),
    })
    chart = context(tmp_path)["charts"]["months"]
    assert [(b["month"], b["count"]) for b in chart["bars"]][:2] == [
        (D(2026, 1, 1), 2), (D(2026, 2, 1), 0)]
    assert chart["bars"][-1]["count"] == 1
    assert (chart["total"], chart["max"]) == (3, 2)
    tallest = max(chart["bars"], key=lambda b: b["height"])
    assert tallest["y"] + tallest["height"] == chart["baseline"]


def test_balance_chart_puts_takes_left_and_gives_right(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Taker.md": contact("", "- 2026-03-01 took: a\n- 2026-04-01 took: b\n"),
        "contacts/Giver.md": contact("", "- 2026-03-01 gave: a\n"),
        "contacts/Quiet.md": contact("", "- 2026-03-01 call: a\n"),
    })
    chart = context(tmp_path)["charts"]["balance"]
    rows = chart["rows"]
    assert [(names([r])[0], r["gives"], r["takes"]) for r in rows] == [
        ("Taker", 0, 2), ("Giver", 1, 0)]
    assert rows[0]["take_x"] + rows[0]["take_width"] == chart["middle"]
    assert rows[0]["take_width"] == 2 * rows[1]["give_width"]


# ---------------------------------------------------------------- the context as a whole


PLAIN = (str, int, float, bool, type(None), dt.date)


def assert_plain(value: Any, where: str = "context") -> None:
    # The lists and mappings made on first use (`contacts`, `charts`, ...) count as plain.
    if isinstance(value, dict | LazyMapping):
        for key, item in value.items():
            assert isinstance(key, str), where
            assert_plain(item, f"{where}.{key}")
    elif isinstance(value, list | LazyList):
        for index, item in enumerate(value):
            assert_plain(item, f"{where}[{index}]")
    else:
        assert isinstance(value, PLAIN), f"{where} is a {type(value).__name__}"


def test_example_vault_context_is_plain_data() -> None:
    ctx = context(ROOT / "example-vault", lang="de")
    assert_plain(ctx)
    assert ctx["version"] == 1
    assert ctx["lang"] == "de"
    assert len(ctx["this_week"]) == 3


def test_every_context_field_is_documented() -> None:
    docs = (ROOT / "docs" / "templates.md").read_text("utf-8")

    def documented(key: str) -> bool:
        return re.search(rf"`{re.escape(key)}`", docs) is not None

    ctx = context(ROOT / "example-vault")
    missing = [k for k in ctx if not documented(k)]
    missing += [f"contact.{k}" for k in ctx["contacts"][0] if not documented(k)]
    for section in ("week", "vault", "quarter", "problems"):
        missing += [f"{section}.{k}" for k in ctx[section] if not documented(k)]
    for section in ("this_week", "tasks", "birthdays", "balance", "goals", "last_week"):
        missing += [f"{section}.{k}" for k in ctx[section][0] if not documented(k)]
    missing += [f"suggestion.{k}" for k in ctx["this_week"][0]["suggestion"]
                if not documented(k)]
    for chart in ("months", "balance"):
        missing += [f"charts.{chart}.{k}" for k in ctx["charts"][chart] if not documented(k)]
    assert missing == []
