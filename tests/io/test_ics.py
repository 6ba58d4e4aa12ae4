"""`export ics`: the calendar parses back, UIDs are stable and unique, output is reproducible."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from dateutil.rrule import rrulestr

from netzmd.cli import cli
from netzmd.io.ics import event_uid, task_title
from tests.conftest import make_vault

ANNA = (
    "---\nname: Dr. Anna Keller\ncircle: key\nbirthday: 1980-02-29\n---\n## Log\n"
    "- 2026-09-24 met: Kongress\n"
    "- [ ] 2026-12-15 Anruf wegen [[Arbeitsgruppe Leitlinie|AG]] #fachlich\n"
    "- [ ] Abstract gegenlesen 📅 2026-12-20\n"
    "- [ ] 2026-12-18 Nachfassen\n"
    "- [ ] 2026-12-19 Nachfassen\n"
    "- [ ] Ohne Datum\n"
)
MUELLER = "---\nname: Jürgen Müller\ncadence: monthly\nbirthday: --05-20\n---\n"
LOOSE = "---\nname: Peter Groß\ncircle: loose\nbirthday: 1975-03-01\n---\n"
ARCHIVED = ("---\nname: Alt Kontakt\ncircle: key\nstatus: archived\nbirthday: 1970-01-01\n---\n"
            "- [ ] 2026-12-20 Nie wieder\n")
JOURNAL = "- [ ] 2026-12-12 Fallkonferenz mit [[Dr. Anna Keller]] und [[Jürgen Müller]]\n"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return make_vault(tmp_path, {
        "contacts/Anna Keller.md": ANNA,
        "contacts/Jürgen Müller.md": MUELLER,
        "contacts/Peter Groß.md": LOOSE,
        "contacts/Alt.md": ARCHIVED,
        "Journal/2026-12-01.md": JOURNAL,
    })


def export(vault: Path, *extra: str, today: str = "2026-12-10") -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, ["export", "ics", "--vault", str(vault), "--today", today,
                                      *extra], catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def events(data: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return [c for c in calendar.walk("VEVENT")]


def test_calendar_parses_back_with_every_event(vault: Path) -> None:
    code, data, err = export(vault)
    assert (code, err) == (0, "")
    calendar = icalendar.Calendar.from_ical(data)
    assert (str(calendar["PRODID"]), str(calendar["VERSION"]), str(calendar["X-WR-CALNAME"])) == (
        "-//netzmd//netzmd//EN", "2.0", "netzmd")
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in events(data)] == [
        ("Get in touch: Jürgen Müller", dt.date(2026, 12, 10)),  # never contacted: due today
        ("Get in touch: Dr. Anna Keller", dt.date(2026, 12, 23)),
        ("Birthday: Peter Groß", dt.date(1975, 3, 1)),
        ("Birthday: Dr. Anna Keller", dt.date(1980, 2, 29)),
        ("Birthday: Jürgen Müller", dt.date(2000, 5, 20)),
        ("Planned: Fallkonferenz mit Dr. Anna Keller und Jürgen Müller "
         "(Dr. Anna Keller, Jürgen Müller)", dt.date(2026, 12, 12)),
        ("Planned: Anruf wegen AG #fachlich (Dr. Anna Keller)", dt.date(2026, 12, 15)),
        ("Planned: Nachfassen (Dr. Anna Keller)", dt.date(2026, 12, 18)),
        ("Planned: Nachfassen (Dr. Anna Keller)", dt.date(2026, 12, 19)),
        ("Planned: Abstract gegenlesen (Dr. Anna Keller)", dt.date(2026, 12, 20)),
    ]


def test_due_event_is_all_day_with_a_morning_alarm(vault: Path) -> None:
    _, data, _ = export(vault)
    anna = next(e for e in events(data) if e["SUMMARY"] == "Get in touch: Dr. Anna Keller")
    assert anna["DTSTART"].params["VALUE"] == "DATE"
    assert anna.decoded("DTEND") == dt.date(2026, 12, 24)
    assert str(anna["TRANSP"]) == "TRANSPARENT"
    assert str(anna["DESCRIPTION"]) == ("Last contact: 2026-09-24; cadence: every 90 days.\n"
                                        "contacts/Anna Keller.md")
    (alarm,) = anna.subcomponents
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == dt.timedelta(hours=9)
    assert alarm["TRIGGER"].params["RELATED"] == "START"
    assert b"TRIGGER;RELATED=START:PT9H\r\n" in data


def test_birthdays_recur_yearly_and_29_february_on_the_last_day_of_february(vault: Path
                                                                          ) -> None:
    _, data, _ = export(vault)
    rules = {str(e["SUMMARY"]): e["RRULE"].to_ical().decode() for e in events(data)
             if "RRULE" in e}
    assert rules == {
        "Birthday: Dr. Anna Keller": "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2",
        "Birthday: Jürgen Müller": "FREQ=YEARLY",
        "Birthday: Peter Groß": "FREQ=YEARLY",
    }
    leap = rrulestr(rules["Birthday: Dr. Anna Keller"], dtstart=dt.datetime(1980, 2, 29))
    assert leap.between(dt.datetime(2026, 12, 10), dt.datetime(2029, 1, 1)) == [
        dt.datetime(2027, 2, 28), dt.datetime(2028, 2, 29)]


def test_uids_are_unique_and_derived_from_path_kind_and_text(vault: Path) -> None:
    _, data, _ = export(vault)
    uids = [str(e["UID"]) for e in events(data)]
    assert len(set(uids)) == len(uids)
    assert event_uid("contacts/Anna Keller.md", "due") in uids
    assert event_uid("contacts/Anna Keller.md", "birthday") in uids
    assert event_uid("contacts/Anna Keller.md", "task", "Abstract gegenlesen") in uids
    assert event_uid("contacts/Anna Keller.md", "task", "Nachfassen") in uids
    assert all(uid.endswith("@netzmd") and len(uid) == 32 + len("@netzmd") for uid in uids)


def test_two_exports_of_an_unchanged_vault_are_byte_identical(vault: Path) -> None:
    assert export(vault)[1] == export(vault)[1]
    assert b"DTSTAMP:20261210T000000Z\r\n" in export(vault)[1]


def test_uids_survive_a_new_day_and_a_moved_task(vault: Path) -> None:
    def uids(data: bytes) -> dict[str, str]:
        return {str(e["UID"]): str(e["SUMMARY"]) for e in events(data)}

    before = uids(export(vault)[1])
    assert uids(export(vault, today="2026-12-11")[1]) == before
    path = vault / "contacts" / "Anna Keller.md"
    path.write_text(ANNA.replace("📅 2026-12-20", "📅 2027-01-08")
                    .replace("2026-12-15 Anruf", "2026-12-16 Anruf"), encoding="utf-8")
    moved = {str(e["UID"]): e.decoded("DTSTART") for e in events(export(vault)[1])}
    assert moved.keys() == before.keys()
    assert moved[event_uid("contacts/Anna Keller.md", "task", "Abstract gegenlesen")] == (
        dt.date(2027, 1, 8))


def test_german_summaries(vault: Path) -> None:
    _, data, _ = export(vault, "--lang", "de")
    summaries = [str(e["SUMMARY"]) for e in events(data)]
    assert summaries[:3] == ["Kontakt: Jürgen Müller", "Kontakt: Dr. Anna Keller",
                             "Geburtstag: Peter Groß"]
    assert "Geplant: Abstract gegenlesen (Dr. Anna Keller)" in summaries
    anna = next(e for e in events(data) if e["SUMMARY"] == "Kontakt: Dr. Anna Keller")
    assert str(anna["DESCRIPTION"]).startswith("Letzter Kontakt: 24.09.2026; Rhythmus: alle 90")


def test_empty_vault_gives_an_empty_calendar(tmp_path: Path) -> None:
    code, data, _ = export(make_vault(tmp_path, {}))
    assert code == 0
    assert events(data) == []
    assert icalendar.Calendar.from_ical(data)["X-WR-CALNAME"] == "netzmd"


def test_output_file_is_written_once_and_not_rewritten_when_unchanged(vault: Path,
                                                                     tmp_path: Path) -> None:
    target = tmp_path / "out" / "netzmd.ics"
    target.parent.mkdir()
    code, out, _ = export(vault, "-o", str(target))
    assert (code, out) == (0, b"")
    assert target.read_bytes() == export(vault)[1]
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    assert export(vault, "-o", str(target))[0] == 0
    assert target.stat().st_mtime_ns == 1_000_000_000
    assert export(vault, "-o", str(target), today="2026-12-11")[0] == 0
    assert b"DTSTAMP:20261211T000000Z" in target.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["netzmd.ics"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_output_through_a_symbolic_link_is_refused(vault: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.ics"
    real.write_bytes(b"mine")
    link = tmp_path / "link.ics"
    link.symlink_to(real)
    code, out, err = export(vault, "-o", str(link))
    assert (code, out) == (2, b"")
    assert err == f"{link}: link.ics is a symbolic link; nothing written\n"
    assert real.read_bytes() == b"mine"


def test_task_title() -> None:
    assert task_title("Abstract [[Dr. Anna Keller#Log|Anna]] gegenlesen 📅 2026-12-05 #x") == (
        "Abstract Anna gegenlesen #x")
    assert task_title("Treffen mit [[Jürgen Müller]] 📅️2026-12-05") == "Treffen mit Jürgen Müller"


def test_output_into_a_missing_folder_exits_2_with_the_path(vault: Path, tmp_path: Path
                                                            ) -> None:
    target = tmp_path / "missing" / "netzmd.ics"
    code, out, err = export(vault, "-o", str(target))
    assert (code, out) == (2, b"")
    assert err == f"{target}: No such file or directory; nothing written\n"
