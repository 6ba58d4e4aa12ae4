"""`export ics`: one iCalendar file with the reminders a calendar app can show.

Three kinds of event, all day, for active contacts only:
- `due`: the next due date of every contact with a cadence (`relations.figures`), with a
  display alarm at 09:00 on the day;
- `birthday`: a yearly event; 29 February recurs on the last day of February
  (`BYMONTH=2;BYMONTHDAY=-1`), as the `birthday` rule counts it;
- `task`: every open task with a date.

Every UID is a hash of the vault-relative path, the kind and, for tasks, the task text
(without its `📅` date, so moving a task's date moves its event), so a calendar that
re-imports or re-subscribes updates its events instead of duplicating them. DTSTAMP is
`--today` at 00:00 UTC: an unchanged vault exports byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from netzmd.locale import t
from netzmd.relations import figures

if TYPE_CHECKING:
    from icalendar import Event

    from netzmd.model import Contact, Task, Vault

__all__ = ["build_calendar", "event_uid", "task_title", "write_calendar"]

PRODID = "-//netzmd//netzmd//EN"
CALENDAR_NAME = "netzmd"
ALARM_AFTER_START = dt.timedelta(hours=9)
_KINDS = ("due", "birthday", "task")
_DUE_MARKER = re.compile("[ \t]*\U0001f4c5\ufe0f?[ \t]*[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WIKILINK = re.compile(r"\[\[([^\[\]|#]*)(?:#[^\[\]|]*)?(?:\|([^\[\]]*))?\]\]")
# A year in which 29 February exists, for birthdays without a year.
_LEAP_YEAR = 2000


def event_uid(path: str, kind: str, text: str = "") -> str:
    """`<sha256 of path, kind and text, 32 hex digits>@netzmd`: the same input, the same UID."""
    digest = hashlib.sha256("\x00".join((path, kind, text)).encode("utf-8")).hexdigest()
    return f"{digest[:32]}@netzmd"


def task_title(text: str) -> str:
    """A task as a calendar shows it: without its `📅` date and with links as plain names."""
    text = _DUE_MARKER.sub("", text)
    text = _WIKILINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str
    path: str
    uid: str
    start: dt.date
    summary: str
    description: str
    yearly: bool = False
    last_day_of_february: bool = False
    alarm: bool = False


def _due_entries(contacts: list[Contact], today: dt.date, window: int, lang: str
                 ) -> Iterator[_Entry]:
    for contact in contacts:
        fig = figures(contact, today, window)
        if fig.due is None:
            continue
        if fig.last is None:
            description = t("ics", "due-never", lang, cadence_days=fig.cadence_days)
        else:
            description = t("ics", "due-description", lang, last=fig.last,
                            cadence_days=fig.cadence_days)
        yield _Entry("due", contact.path, event_uid(contact.path, "due"), fig.due,
                     t("ics", "due", lang, name=contact.name),
                     f"{description}\n{contact.path}", alarm=True)


def _birthday_entries(contacts: list[Contact], lang: str) -> Iterator[_Entry]:
    for contact in contacts:
        birthday = contact.birthday
        if birthday is None:
            continue
        leap_day = birthday.month == 2 and birthday.day == 29
        start = dt.date(birthday.year or _LEAP_YEAR, birthday.month, birthday.day)
        description = contact.path
        if birthday.year:
            description = t("ics", "born", lang, year=str(birthday.year)) + "\n" + description
        yield _Entry("birthday", contact.path, event_uid(contact.path, "birthday"), start,
                     t("ics", "birthday", lang, name=contact.name), description, yearly=True,
                     last_day_of_february=leap_day)


def _task_entries(contacts: list[Contact], lang: str) -> Iterator[_Entry]:
    # A task in a note that links several contacts is one task: keyed by its place.
    tasks: dict[tuple[str, int], tuple[Task, list[str]]] = {}
    for contact in contacts:
        for task in contact.tasks:
            _, names = tasks.setdefault((task.path, task.line), (task, []))
            if contact.name not in names:
                names.append(contact.name)
    seen: dict[str, int] = {}
    for (path, line), (task, names) in sorted(tasks.items()):
        title = task_title(task.text)
        # The same text twice in one file needs two UIDs; the second gets a counter.
        key = f"{path}\x00{title}"
        seen[key] = seen.get(key, 0) + 1
        text = title if seen[key] == 1 else f"{title}\x00{seen[key]}"
        yield _Entry("task", path, event_uid(path, "task", text), task.due,
                     t("ics", "task", lang, text=title, names=", ".join(names)),
                     f"{path}:{line}")


def _entries(vault: Vault, today: dt.date, lang: str) -> list[_Entry]:
    contacts = [c for c in vault.contacts if c.active]
    window = vault.config.window_days
    entries = [
        *_due_entries(contacts, today, window, lang),
        *_birthday_entries(contacts, lang),
        *_task_entries(contacts, lang),
    ]
    entries.sort(key=lambda e: (_KINDS.index(e.kind), e.start, e.path, e.uid))
    return entries


def _event(entry: _Entry, stamp: dt.datetime) -> Event:
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", entry.start)
    if entry.yearly:
        rule: dict[str, object] = {"freq": "yearly"}
        if entry.last_day_of_february:
            rule.update(bymonth=2, bymonthday=-1)
        event.add("rrule", rule)
    event.add("dtend", entry.start + dt.timedelta(days=1))
    event.add("summary", entry.summary)
    event.add("description", entry.description)
    # Reminders, not appointments: they do not make the day look busy.
    event.add("transp", "TRANSPARENT")
    if entry.alarm:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", entry.summary)
        alarm.add("trigger", ALARM_AFTER_START, parameters={"RELATED": "START"})
        event.add_component(alarm)
    return event


def build_calendar(vault: Vault, today: dt.date, lang: str) -> bytes:
    """The whole calendar as iCalendar bytes (CRLF line endings, folded at 75 octets)."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    stamp = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
    for entry in _entries(vault, today, lang):
        calendar.add_component(_event(entry, stamp))
    data: bytes = calendar.to_ical()
    return data


def write_calendar(path: Path, data: bytes) -> bool:
    """Write the calendar to path (anywhere: it is an export), atomically.

    Refused (`WriteRefused`) when path is a symbolic link; nothing is written when the
    file already holds these bytes (False), so a synced or watched folder sees no change.
    """
    from netzmd.writer import WriteRefused, atomic_write

    if os.path.islink(path):
        raise WriteRefused("symlink", path=str(path), link=path.name)
    if path.is_dir():
        raise WriteRefused("not-a-file", path=str(path))
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    try:
        atomic_write(path, data)
    except WriteRefused as err:
        # The writer names only the file; outside the vault the whole path says more.
        raise WriteRefused(err.key, **{**err.values, "path": str(path)}) from None
    return True
