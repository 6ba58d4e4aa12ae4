"""P1, P2, P4, P5 and industry-take: the mix of give and take, personal and career.

Today is 2026-11-27 throughout; the window is 365 days, so 2025-11-28 (364 days ago) is in
it and 2025-11-27 (365 days ago) is not.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from netzmd.findings import Level
from tests.conftest import findings_for, make_vault, summary

TODAY = "2026-11-27"
D = dt.date


def contact(front: str, log: str = "") -> str:
    return f"---\n{front}---\n{log}"


def config(root: Path, text: str) -> None:
    (root / "netzmd.toml").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- one-sided


def one_sided_vault(root: Path) -> None:
    make_vault(root, {
        # takes - gives = 2 exactly: reported
        "contacts/Exact.md": contact("", "- 2026-02-01 took: Zweitmeinung\n"
                                         "- 2026-05-01 asked: Empfehlung\n"),
        # 3 takes, 2 gives: a surplus of 1 is not one-sided
        "contacts/Short.md": contact("", "- 2026-02-01 took: a\n- 2026-03-01 took: b\n"
                                         "- 2026-04-01 took: c\n- 2026-05-01 gave: Paper\n"
                                         "- 2026-06-01 gave: Einladung\n"),
        # an exchange is neither a give nor a take
        "contacts/Mutual.md": contact("", "- 2026-02-01 took: a\n- 2026-03-01 took: b\n"
                                          "- 2026-04-01 exchange: Fallbesprechung\n"
                                          "- 2026-05-01 #austausch Treffen\n"),
        # 364 days ago counts: two takes in the window
        "contacts/Edge.md": contact("", "- 2025-11-28 took: a\n- 2026-05-01 took: b\n"),
        # 365 days ago does not: one take in the window
        "contacts/Out.md": contact("", "- 2025-11-27 took: a\n- 2026-05-01 took: b\n"),
        "contacts/Ignored.md": contact("netzmd_ignore: [one-sided]\n",
                                       "- 2026-02-01 took: a\n- 2026-05-01 took: b\n"),
        "contacts/Archived.md": contact("status: archived\n",
                                        "- 2026-02-01 took: a\n- 2026-05-01 took: b\n"),
    })


def test_one_sided_surplus_and_window_edges(tmp_path: Path) -> None:
    one_sided_vault(tmp_path)
    assert summary(findings_for(tmp_path, TODAY, {"one-sided"})) == [
        ("one-sided", "contacts/Edge.md", None, {"gives": 0, "takes": 2}),
        ("one-sided", "contacts/Exact.md", None, {"gives": 0, "takes": 2}),
        ("one-sided", "contacts/Mutual.md", None, {"gives": 0, "takes": 2}),
    ]


def test_one_sided_options_and_level_from_config(tmp_path: Path) -> None:
    one_sided_vault(tmp_path)
    config(tmp_path, '[rules.one-sided]\nlevel = "error"\nmin_surplus = 1\n')
    found = findings_for(tmp_path, TODAY, {"one-sided"})
    assert [(f.path, f.level, f.data) for f in found] == [
        ("contacts/Edge.md", Level.ERROR, {"gives": 0, "takes": 2}),
        ("contacts/Exact.md", Level.ERROR, {"gives": 0, "takes": 2}),
        ("contacts/Mutual.md", Level.ERROR, {"gives": 0, "takes": 2}),
        ("contacts/Out.md", Level.ERROR, {"gives": 0, "takes": 1}),
        ("contacts/Short.md", Level.ERROR, {"gives": 2, "takes": 3}),
    ]


def test_one_sided_off_and_min_surplus_zero(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/Quiet.md": contact("circle: key\n")})
    config(tmp_path, "[rules.one-sided]\nmin_surplus = 0\n")
    # Nothing taken at all is not one-sided, whatever the threshold.
    assert findings_for(tmp_path, TODAY, {"one-sided"}) == []
    one_sided_vault(tmp_path)
    config(tmp_path, '[rules.one-sided]\nlevel = "off"\n')
    assert findings_for(tmp_path, TODAY, {"one-sided"}) == []


def test_one_sided_message_in_both_languages(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/Exact.md": contact(
        "", "- 2026-02-01 took: a\n- 2026-03-01 took: b\n- 2026-04-01 took: c\n"
            "- 2026-05-01 gave: Paper\n")})
    (en,) = findings_for(tmp_path, TODAY, {"one-sided"}, lang="en")
    (de,) = findings_for(tmp_path, TODAY, {"one-sided"}, lang="de")
    assert en.message == (
        "3 takes against 1 give in the period checked — offer something: an article, "
        "an invitation to a case conference, a hint about an event")
    assert de.message == (
        "3-mal genommen, 1-mal gegeben im betrachteten Zeitraum – biete etwas an: einen "
        "Fachartikel, eine Einladung zur interdisziplinären Fallbesprechung, einen Hinweis "
        "auf eine Veranstaltung")


# ---------------------------------------------------------------- only-when-needed


def test_cold_asks_exactly_at_silence_days(tmp_path: Path) -> None:
    # No circle, no cadence: silence is 90 days. 2026-06-01 - 90 days = 2026-03-03.
    make_vault(tmp_path, {
        # a call exactly 90 days before warms the ask; the October ask is cold (122 days)
        "contacts/Warm.md": contact("", "- 2026-03-03 call: Kongress\n"
                                        "- 2026-06-01 took: Zweitmeinung\n"
                                        "- 2026-10-01 took: Empfehlung\n"),
        # 91 days before is too long ago: both asks are cold
        "contacts/Cold.md": contact("", "- 2026-03-02 call: Kongress\n"
                                        "- 2026-06-01 took: Zweitmeinung\n"
                                        "- 2026-10-01 took: Empfehlung\n"),
        # something given on the day of the ask does not warm it: [d - silence, d)
        "contacts/SameDay.md": contact("", "- 2026-06-01 gave: Paper\n"
                                           "- 2026-06-01 took: Zweitmeinung\n"
                                           "- 2026-10-01 took: Empfehlung\n"),
        # a cold ask 365 days ago is outside the window; 364 days ago is inside
        "contacts/Old.md": contact("", "- 2025-11-27 took: a\n- 2026-06-01 took: b\n"),
        "contacts/Edge.md": contact("", "- 2025-11-28 took: a\n- 2026-06-01 took: b\n"),
        "contacts/Archived.md": contact("status: archived\n",
                                        "- 2026-02-01 took: a\n- 2026-06-01 took: b\n"),
    })
    assert summary(findings_for(tmp_path, TODAY, {"only-when-needed"})) == [
        ("only-when-needed", "contacts/Cold.md", None,
         {"cold_asks": 2, "dates": [D(2026, 6, 1), D(2026, 10, 1)]}),
        ("only-when-needed", "contacts/Edge.md", None,
         {"cold_asks": 2, "dates": [D(2025, 11, 28), D(2026, 6, 1)]}),
        ("only-when-needed", "contacts/SameDay.md", None,
         {"cold_asks": 2, "dates": [D(2026, 6, 1), D(2026, 10, 1)]}),
    ]


def test_silence_follows_the_cadence_unless_configured(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        # regular circle: silence 182 days; asks 151 and 172 days after the last contact
        "contacts/Regular.md": contact("circle: regular\n", "- 2026-01-01 call: Tagung\n"
                                                            "- 2026-06-01 took: a\n"
                                                            "- 2026-11-20 took: b\n"),
        # own cadence 6w = 42 days: asks 43 days after the call are cold
        "contacts/Weekly.md": contact("cadence: 6w\n", "- 2026-04-01 call: x\n"
                                                       "- 2026-05-14 took: a\n"
                                                       "- 2026-06-26 took: b\n"),
    })
    assert summary(findings_for(tmp_path, TODAY, {"only-when-needed"})) == [
        ("only-when-needed", "contacts/Weekly.md", None,
         {"cold_asks": 2, "dates": [D(2026, 5, 14), D(2026, 6, 26)]}),
    ]
    config(tmp_path, "[rules.only-when-needed]\nsilence_days = 150\n")
    assert summary(findings_for(tmp_path, TODAY, {"only-when-needed"})) == [
        ("only-when-needed", "contacts/Regular.md", None,
         {"cold_asks": 2, "dates": [D(2026, 6, 1), D(2026, 11, 20)]}),
    ]
    config(tmp_path, "[rules.only-when-needed]\nsilence_days = 150\nmin_cold_asks = 3\n")
    assert findings_for(tmp_path, TODAY, {"only-when-needed"}) == []


def test_only_when_needed_message_lists_dates_per_language(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/Cold.md": contact(
        "netzmd_ignore: one-sided\n", "- 2026-06-01 took: a\n- 2026-10-01 took: b\n")})
    (de,) = findings_for(tmp_path, TODAY, {"only-when-needed", "one-sided"}, lang="de")
    assert de.message == (
        "2 Anfragen nach längerer Funkstille (01.06.2026, 01.10.2026) – melde Dich auch, wenn "
        "Du nichts brauchst: ein Paper teilen, nach einem Projekt fragen")


# ---------------------------------------------------------------- no-personal-touch


def test_no_personal_touch(tmp_path: Path) -> None:
    three = "- 2026-02-01 call: a\n- 2026-05-01 mail: b\n- 2026-09-01 call: c\n"
    make_vault(tmp_path, {
        "contacts/Key.md": contact("circle: key\n", three),
        "contacts/Regular.md": contact("circle: regular\n", three + "- 2026-10-01 call: d\n"),
        "contacts/Two.md": contact("circle: key\n", "- 2026-02-01 call: a\n- 2026-05-01 mail: b\n"),
        # the third interaction is 365 days old: only two in the window
        "contacts/Edge.md": contact("circle: key\n", "- 2025-11-27 call: a\n- 2026-05-01 mail: b\n"
                                                     "- 2026-09-01 call: c\n"),
        "contacts/Personal.md": contact("circle: key\n",
                                        three + "- 2026-10-01 Frühstück nach der Tagung "
                                                "#persönlich\n"),
        "contacts/Loose.md": contact("circle: loose\n", three),
        "contacts/NoCircle.md": contact("", three),
        "contacts/Ignored.md": contact("circle: key\nnetzmd_ignore: [no-personal-touch]\n", three),
    })
    assert summary(findings_for(tmp_path, TODAY, {"no-personal-touch"})) == [
        ("no-personal-touch", "contacts/Key.md", None, {"interactions": 3}),
        ("no-personal-touch", "contacts/Regular.md", None, {"interactions": 4}),
    ]


def test_personal_vocabulary_from_config(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/Key.md": contact(
        "circle: key\n", "- 2026-02-01 call: a\n- 2026-05-01 mail: b #privat\n"
                         "- 2026-09-01 Radtour #freizeit\n")})
    assert findings_for(tmp_path, TODAY, {"no-personal-touch"}) == []
    config(tmp_path, '[vocabulary]\npersonal = ["freizeit"]\n')
    assert summary(findings_for(tmp_path, TODAY, {"no-personal-touch"})) == []
    config(tmp_path, '[vocabulary]\npersonal = ["hobby"]\n')
    assert summary(findings_for(tmp_path, TODAY, {"no-personal-touch"})) == [
        ("no-personal-touch", "contacts/Key.md", None, {"interactions": 3}),
    ]


# ---------------------------------------------------------------- career-only


def test_career_only_share_and_minimum(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        # 2 of 4 = exactly the default share of 0.5
        "contacts/Half.md": contact("", "- 2026-02-01 call: Stelle #karriere\n"
                                        "- 2026-03-01 mail: Empfehlung #career\n"
                                        "- 2026-04-01 call: x\n- 2026-05-01 call: y\n"),
        # 2 of 5 is less than half
        "contacts/Less.md": contact("", "- 2026-02-01 call: a #karriere\n"
                                        "- 2026-03-01 mail: b #karriere\n"
                                        "- 2026-04-01 call: x\n- 2026-05-01 call: y\n"
                                        "- 2026-06-01 call: z\n"),
        # one career talk is not a pattern, even if it is all there is
        "contacts/One.md": contact("", "- 2026-02-01 call: a #karriere\n"),
        # the older career talk (365 days ago) is outside the window
        "contacts/Edge.md": contact("", "- 2025-11-27 call: a #karriere\n"
                                        "- 2026-03-01 mail: b #karriere\n- 2026-04-01 call: x\n"),
    })
    assert summary(findings_for(tmp_path, TODAY, {"career-only"})) == [
        ("career-only", "contacts/Half.md", None, {"career": 2, "total": 4}),
    ]
    config(tmp_path, "[rules.career-only]\nmax_share = 0.4\n")
    assert summary(findings_for(tmp_path, TODAY, {"career-only"})) == [
        ("career-only", "contacts/Half.md", None, {"career": 2, "total": 4}),
        ("career-only", "contacts/Less.md", None, {"career": 2, "total": 5}),
    ]


# ---------------------------------------------------------------- industry-take


def test_industry_take(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Rep.md": contact("sector: industry\n",
                                   "- 2025-11-27 took: Kugelschreiber\n"
                                   "- 2026-03-01 took: Abendessen nach dem Symposium\n"
                                   "- 2026-10-16 erhalten: Fortbildungseinladung\n"
                                   "- 2026-11-01 gave: Feedback zum Gerät\n"),
        "contacts/Capital.md": contact("sector: Industry\n", "- 2026-03-01 took: Muster\n"),
        "contacts/OnlyOld.md": contact("sector: industry\n", "- 2025-11-27 took: Muster\n"),
        "contacts/Clinic.md": contact("sector: clinical\n", "- 2026-03-01 took: Befund\n"),
    })
    found = findings_for(tmp_path, TODAY, {"industry-take"})
    assert summary(found) == [
        ("industry-take", "contacts/Capital.md", None,
         {"takes": 1, "dates": [D(2026, 3, 1)]}),
        ("industry-take", "contacts/Rep.md", None,
         {"takes": 2, "dates": [D(2026, 3, 1), D(2026, 10, 16)]}),
    ]
    assert {f.level for f in found} == {Level.INFO}
    assert found[1].message.startswith("2 takes from a contact in industry (2026-03-01, "
                                       "2026-10-16) — document benefits received")
