"""P3/P4 rules: overdue, no-follow-up, task-overdue, birthday (and future-date)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.conftest import findings_for, make_vault, summary


def contact(front: str, log: str = "") -> str:
    return f"---\n{front}---\n{log}"


def test_overdue_after_cadence_and_not_on_the_day(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Due.md": contact("circle: key\n", "- 2026-08-29 call: kurz\n"),
        "contacts/Late.md": contact("circle: key\n", "- 2026-08-28 call: kurz\n"),
        "contacts/Never.md": contact("cadence: 6w\n"),
        "contacts/Loose.md": contact("circle: loose\n", "- 2020-01-01 call: alt\n"),
        "contacts/None.md": contact("", "- 2020-01-01 call: alt\n"),
    })
    # 2026-11-27 - 2026-08-29 = 90 days: exactly the cadence, not overdue yet.
    assert summary(findings_for(tmp_path, "2026-11-27", {"overdue"})) == [
        ("overdue", "contacts/Late.md", None,
         {"days_since": 91, "cadence_days": 90, "last": dt.date(2026, 8, 28)}),
        ("overdue", "contacts/Never.md", None,
         {"days_since": None, "cadence_days": 42, "last": None}),
    ]


def test_snoozed_archived_and_ignored_contacts_are_not_overdue(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Snoozed.md": contact("circle: key\nsnooze_until: 2026-11-27\n"),
        "contacts/Awake.md": contact("circle: key\nsnooze_until: 2026-11-26\n"),
        "contacts/Archived.md": contact("circle: key\nstatus: archived\n"),
        "contacts/Ignored.md": contact("circle: key\nnetzmd_ignore: overdue\n"),
    })
    assert [f.path for f in findings_for(tmp_path, "2026-11-27", {"overdue"})] == [
        "contacts/Awake.md"
    ]


def test_future_interactions_do_not_count_and_are_reported(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/A.md": contact("circle: key\n",
                                 "- 2026-01-02 call: alt\n- 2026-12-14 gave: Buch\n"),
    })
    assert summary(findings_for(tmp_path, "2026-11-27")) == [
        ("no-goals", None, None, {"folder": "goals"}),
        ("overdue", "contacts/A.md", None,
         {"days_since": 329, "cadence_days": 90, "last": dt.date(2026, 1, 2)}),
        ("future-date", "contacts/A.md", 5, {"date": dt.date(2026, 12, 14)}),
    ]


def test_no_follow_up_window_edges(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        # met 14 days ago: still inside the two weeks, no finding yet
        "contacts/Fresh.md": contact("met: 2026-11-13\n"),
        # met 15 days ago, nothing since: finding
        "contacts/Quiet.md": contact("met: 2026-11-12\n"),
        # followed up on day 14 after meeting: fine
        "contacts/Kept.md": contact("met: 2026-10-01\n", "- 2026-10-15 mail: Danke\n"),
        # followed up only on day 15: too late
        "contacts/Late.md": contact("met: 2026-10-01\n", "- 2026-10-16 mail: Danke\n"),
        # met 181 days ago: beyond the horizon
        "contacts/Old.md": contact("met: 2026-05-30\n"),
        # met exactly 180 days ago: still reported
        "contacts/Edge.md": contact("met: 2026-05-31\n"),
    })
    assert summary(findings_for(tmp_path, "2026-11-27", {"no-follow-up"})) == [
        ("no-follow-up", "contacts/Edge.md", None, {"met": dt.date(2026, 5, 31), "days": 180}),
        ("no-follow-up", "contacts/Late.md", None, {"met": dt.date(2026, 10, 1), "days": 57}),
        ("no-follow-up", "contacts/Quiet.md", None, {"met": dt.date(2026, 11, 12), "days": 15}),
    ]


def test_no_follow_up_options_from_config(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/Quiet.md": contact("met: 2026-11-12\n")})
    (tmp_path / "netzmd.toml").write_text("[rules.no-follow-up]\nwithin_days = 21\n",
                                          encoding="utf-8")
    assert findings_for(tmp_path, "2026-11-27", {"no-follow-up"}) == []


def test_a_cadence_reaching_past_the_calendar_is_never_overdue(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Slow.md": contact("cadence: 99999y\n", "- 2026-01-10 call: irgendwann\n"),
    })
    assert findings_for(tmp_path, "2026-11-27", {"overdue"}) == []


def test_task_overdue_only_before_today(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/A.md": contact("", "- [ ] 2026-11-26 Anruf\n- [ ] 2026-11-27 heute\n"
                                     "- [x] 2026-11-01 erledigt\n"),
    })
    assert summary(findings_for(tmp_path, "2026-11-27", {"task-overdue"})) == [
        ("task-overdue", "contacts/A.md", 3, {"due": dt.date(2026, 11, 26), "text": "Anruf"}),
    ]


def test_birthday_window_and_forms(tmp_path: Path) -> None:
    make_vault(tmp_path, {
        "contacts/Today.md": contact("birthday: 1975-11-27\n"),
        "contacts/In13.md": contact("birthday: --12-10\n"),
        "contacts/In14.md": contact("birthday: 12-11\n"),
        "contacts/Past.md": contact("birthday: 1980-11-26\n"),
    })
    assert summary(findings_for(tmp_path, "2026-11-27", {"birthday"})) == [
        ("birthday", "contacts/In13.md", None, {"date": dt.date(2026, 12, 10), "in_days": 13}),
        ("birthday", "contacts/Today.md", None, {"date": dt.date(2026, 11, 27), "in_days": 0}),
    ]


def test_birthday_29_february_falls_on_28_february(tmp_path: Path) -> None:
    make_vault(tmp_path, {"contacts/Leap.md": contact("birthday: 1988-02-29\n")})
    assert summary(findings_for(tmp_path, "2027-02-20", {"birthday"})) == [
        ("birthday", "contacts/Leap.md", None, {"date": dt.date(2027, 2, 28), "in_days": 8}),
    ]
    assert summary(findings_for(tmp_path, "2028-02-20", {"birthday"})) == [
        ("birthday", "contacts/Leap.md", None, {"date": dt.date(2028, 2, 29), "in_days": 9}),
    ]
