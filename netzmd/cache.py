"""The parse cache: what each note says, kept between runs in the user's cache folder.

One file per vault (named by a hash of the vault's resolved path) under
`$XDG_CACHE_HOME/netzmd`, else `platformdirs.user_cache_dir("netzmd")`; never in the vault.
Each record is keyed by the note's vault-relative path, size, mtime and ctime (ns) and holds
the `ParsedNote` of that file: front matter, log grammar, the file's own findings. Anything
that spans files (contacts, links, duplicates, rules) is recomputed on every run.

The cache is invisible: a missing, truncated, corrupt, foreign or outdated cache file is
rebuilt silently, and a cache folder that cannot be written only costs speed.

Serialisation is `marshal` of plain tuples, each note its own blob so that a run decodes
only what it uses and rewrites unchanged notes without re-encoding them. Unlike `pickle`,
loading marshal data never calls code, so a planted cache file cannot run anything; it is
also several times faster to load than JSON (see docs/performance.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import fields
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from netzmd.findings import Finding, Level
from netzmd.log import BadDate, Body, Entry, LinkLine, OpenTask
from netzmd.vault import NoteFile, ParsedNote, read_note, record_builder

__all__ = ["FORMAT", "RACY_NS", "ParseCache", "cache_dir", "cache_path", "decode", "encode"]

FORMAT = 1
"""Bumped whenever the layout of a record changes; any mismatch rebuilds the cache."""

_MAGIC = "netzmd-parse-cache"

RACY_NS = 2_000_000_000
"""A note modified this close to (or after) the moment it was read is not trusted.

Some file systems keep mtime in whole (FAT: two) seconds, and tools may restore an mtime:
an edit that keeps size and mtime would go unseen. As in git's "racy clean" rule, such a
record is re-read until its mtime is safely older than the read. The ctime, which no tool
can set back, is part of the key as well.
"""

PARALLEL_MIN = 2000
"""Notes to parse before a cold run spreads the work over processes. Measured on 2 cores:
405 notes took 0.08 s alone and 0.13 s with workers, 1,505 notes about 0.3 s either way,
12,005 notes 2.9 s alone and 1.7 s with workers."""

_CHUNK = 400

Progress = Callable[[int, int], None]
# (size, mtime_ns, ctime_ns, read_ns, blob): read_ns is when the file was read.
_Record = tuple[int, int, int, int, bytes]


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/netzmd` when set (on every platform), else the platform's cache folder."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "netzmd"
    import platformdirs

    return Path(platformdirs.user_cache_dir("netzmd", appauthor=False))


def cache_path(root: Path, directory: Path | None = None) -> Path:
    """The cache file of the vault at `root` (an absolute, resolved path)."""
    digest = hashlib.sha256(os.fsencode(str(root))).hexdigest()[:32]
    return (directory or cache_dir()) / f"parse-{digest}.bin"


@cache
def fingerprint() -> str:
    """Everything a cached parse depends on besides the file: a change rebuilds the cache.

    The sources of the parsing modules are included (by size and mtime) so that an
    editable install never serves a parse made by older code under the same version.
    """
    import yaml

    import netzmd
    from netzmd import findings, frontmatter, log, vault

    parts: list[object] = [
        netzmd.__version__, FORMAT, sys.implementation.cache_tag, marshal.version,
        yaml.__version__, yaml.__with_libyaml__,
    ]
    for module in (vault, log, frontmatter, findings, sys.modules[__name__]):
        try:
            stat = os.stat(module.__file__ or "")
            parts.append((module.__name__, stat.st_size, stat.st_mtime_ns))
        except OSError:
            parts.append((module.__name__, None))
    for cls in (ParsedNote, Body, Entry, OpenTask, LinkLine, BadDate, Finding):
        parts.append(tuple(f.name for f in fields(cls)))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# ---------------------------------------------------------------- records <-> notes

class _Uncacheable(Exception):
    """A value marshal cannot hold as plain data; the note is parsed on every run instead."""


def _getter(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    return attrgetter(*(f.name for f in fields(cls)))


_ENTRY_VALUES, _TASK_VALUES = _getter(Entry), _getter(OpenTask)
_LINK_LINE_VALUES, _BAD_DATE_VALUES = _getter(LinkLine), _getter(BadDate)
# A warm run builds some 100,000 entries: without the frozen __setattr__ per field.
_make_entry, _make_task = record_builder(Entry), record_builder(OpenTask)
_make_link_line, _make_bad_date = record_builder(LinkLine), record_builder(BadDate)
_make_body, _make_note = record_builder(Body), record_builder(ParsedNote)
_make_finding = record_builder(Finding)

_ENTRY_DATE = [f.name for f in fields(Entry)].index("date")
_TASK_DUE = [f.name for f in fields(OpenTask)].index("due")
_DATE = dt.date
_ORDINAL = dt.date.toordinal


def _plain(value: Any) -> Any:
    """Front matter and finding data as marshal-able values; a date becomes `(ordinal,)`.

    YAML never yields tuples, so a 1-tuple is free to mean "date".
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is _DATE:
        return (_ORDINAL(value),)
    if kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        return {_key(k): _plain(v) for k, v in value.items()}
    raise _Uncacheable(kind.__name__)


def _key(key: Any) -> str:
    if isinstance(key, str) and type(key) is str:
        return key
    raise _Uncacheable("key")


def _with_date(values: tuple[Any, ...], index: int) -> tuple[Any, ...]:
    date = values[index]
    if date is None:
        return values
    if type(date) is not _DATE:
        raise _Uncacheable("date")
    return (*values[:index], _ORDINAL(date), *values[index + 1 :])


def encode(note: ParsedNote) -> bytes | None:
    """A note as a marshal blob; None when it holds something a cache cannot keep."""
    body = note.body
    try:
        fields_ = _plain(note.fields)
        # Only values that are not plain after decoding need a second look on the way back.
        special = tuple(k for k, v in fields_.items() if type(v) in (tuple, list, dict))
        lines = {_key(k): v for k, v in note.key_lines.items()}
        # The usual case, one line per field in the same order, needs no keys.
        key_lines = tuple(lines.values()) if list(lines) == list(fields_) else lines
        record = (
            fields_,
            special,
            key_lines,
            tuple(_with_date(_ENTRY_VALUES(e), _ENTRY_DATE) for e in body.entries),
            tuple(_with_date(_TASK_VALUES(t), _TASK_DUE) for t in body.tasks),
            tuple(_LINK_LINE_VALUES(line) for line in body.link_lines),
            tuple(_BAD_DATE_VALUES(bad) for bad in body.bad_dates),
            tuple(
                (f.rule, f.path, f.line, f.contact, _plain(f.data), int(f.level), f.message)
                for f in note.findings
            ),
            note.skipped,
        )
        return marshal.dumps(record)
    except (_Uncacheable, ValueError):
        # ValueError: marshal met a type it cannot write (inside a tuple of the body).
        return None


class _Decoder:
    """Blobs back into notes; dates are shared, so equal dates cost one object."""

    def __init__(self) -> None:
        self.dates: dict[int, dt.date] = {}

    def date(self, ordinal: int) -> dt.date:
        date = self.dates.get(ordinal)
        if date is None:
            date = self.dates[ordinal] = _DATE.fromordinal(ordinal)
        return date

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is tuple:
            return self.date(value[0])
        if kind is list:
            return [self.value(item) for item in value]
        if kind is dict:
            return {k: self.value(v) for k, v in value.items()}
        return value

    def note(self, rel: str, blob: bytes) -> ParsedNote:
        """Raises for anything that is not a record this version wrote."""
        (fields_, special, key_lines, entries, tasks, link_lines, bad_dates, found, skipped) = (
            marshal.loads(blob)
        )
        known = self.dates.get
        date = self.date
        value = self.value
        for key in special:
            fields_[key] = value(fields_[key])
        if type(key_lines) is tuple:
            key_lines = dict(zip(fields_, key_lines, strict=True))
        make_entry = _make_entry
        body = _make_body(
            tuple([
                make_entry(line, known(day) or date(day), kind, text, tags, links, done)
                for line, day, kind, text, tags, links, done in entries
            ]),
            tuple([
                _make_task(line, None if due is None else date(due), text, tags, links)
                for line, due, text, tags, links in tasks
            ]),
            tuple([_make_link_line(*values) for values in link_lines]),
            tuple([_make_bad_date(*values) for values in bad_dates]),
        )
        findings = tuple([
            _make_finding(rule, path, line, contact, value(data), Level(level), message)
            for rule, path, line, contact, data, level, message in found
        ])
        if type(fields_) is not dict or type(key_lines) is not dict or type(skipped) is not bool:
            raise TypeError("not a parse record")
        return _make_note(rel, fields_, key_lines, body, findings, skipped)


def decode(rel: str, blob: bytes) -> ParsedNote:
    """The note `encode` made `blob` from; raises for anything else."""
    return _Decoder().note(rel, blob)


# ---------------------------------------------------------------- parsing many notes


def _parse_one(note: NoteFile) -> tuple[ParsedNote, bytes | None]:
    parsed = read_note(note)
    return parsed, encode(parsed)


def _parse_chunk(chunk: list[tuple[str, str, int, int, int]]) -> bytes:
    """Worker process: parse notes, hand back their blobs (b"" for an uncacheable one)."""
    blobs = [encode(read_note(NoteFile(*values))) or b"" for values in chunk]
    return marshal.dumps(blobs)


def _workers() -> int:
    """Worker processes worth starting for a cold parse: one per idle core, else none."""
    if sys.platform != "linux" or threading.active_count() > 1:
        # Forking is cheap only on Linux, and forking a process that runs threads (watch
        # mode) can leave a lock held in the child forever.
        return 1
    # On busy cores workers only fight other processes, and this one still decodes all
    # they send back: on 2 cores with one busy, a parallel cold run was 10 % slower, with
    # both idle 40 % faster. The load average lags by a minute; the number of processes
    # running right now (ours included) does not.
    cores = len(os.sched_getaffinity(0))
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            running = int(handle.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        running = 1
    return max(1, min(cores - max(running - 1, 0), 8))


def _parse_parallel(
    notes: list[NoteFile], workers: int, decoder: _Decoder
) -> Iterator[tuple[int, ParsedNote, bytes | None]]:
    """Parse in worker processes; decode each chunk here while the workers go on."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    chunks = [notes[i : i + _CHUNK] for i in range(0, len(notes), _CHUNK)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {
            pool.submit(
                _parse_chunk, [(n.rel, n.path, n.size, n.mtime_ns, n.ctime_ns) for n in chunk]
            ): start
            for start, chunk in zip(range(0, len(notes), _CHUNK), chunks, strict=True)
        }
        for future in as_completed(futures):
            start = futures[future]
            for offset, blob in enumerate(marshal.loads(future.result())):
                note = notes[start + offset]
                if blob:
                    yield start + offset, decoder.note(note.rel, blob), blob
                else:
                    yield start + offset, *_parse_one(note)


class ParseCache:
    """The parsed notes of one vault, on disk between runs and in memory between reloads.

    `parse(notes)` answers from the cache what has not changed and parses the rest; a
    long-running process (watch mode) keeps one instance, so an edit re-parses one file.
    """

    def __init__(self, root: Path, directory: Path | None = None) -> None:
        self.root = root
        self.path = cache_path(root, directory)
        self.hits = 0
        self.parsed = 0
        self._records: dict[str, _Record] | None = None
        self._notes: dict[str, ParsedNote] = {}
        self._decoder = _Decoder()

    def parse(self, notes: list[NoteFile], progress: Progress | None = None) -> list[ParsedNote]:
        """Every note's parse, in the order given; the cache file is rewritten if it changed."""
        read_ns = time.time_ns()
        if self._records is None:
            self._records = self._load()
        old = self._records
        records: dict[str, _Record] = {}
        result: list[ParsedNote | None] = [None] * len(notes)
        todo: list[int] = []
        self.hits = self.parsed = 0
        for index, note in enumerate(notes):
            record = old.get(note.rel)
            if (
                record is not None
                and record[0] == note.size
                and record[1] == note.mtime_ns
                and record[2] == note.ctime_ns
                and note.mtime_ns < record[3] - RACY_NS
            ):
                parsed = self._notes.get(note.rel) or self._decode(note.rel, record[4])
                if parsed is not None:
                    result[index] = parsed
                    records[note.rel] = record
                    self.hits += 1
                    continue
            todo.append(index)

        changed = False
        for done, (index, parsed, blob) in enumerate(self._parse_many(notes, todo), 1):
            note = notes[index]
            result[index] = self._notes[note.rel] = parsed
            self.parsed += 1
            if progress is not None:
                progress(done, len(todo))
            if blob is None:
                changed = changed or note.rel in old
                continue
            record = (note.size, note.mtime_ns, note.ctime_ns, read_ns, blob)
            records[note.rel] = record
            before = old.get(note.rel)
            # A racy note re-read with the same result is only worth writing once the
            # new read makes it trustworthy for the next run.
            changed = changed or before is None or before[:3] != record[:3] or (
                before[4] != blob or note.mtime_ns < read_ns - RACY_NS
            )
        # Notes that disappeared (or whose record could not be read back) are dropped.
        changed = changed or any(rel not in records for rel in old)
        self._records = records
        if len(self._notes) > len(records):
            self._notes = {rel: self._notes[rel] for rel in records if rel in self._notes}
        if changed:
            self._save(records)
        return result  # type: ignore[return-value]

    def _decode(self, rel: str, blob: bytes) -> ParsedNote | None:
        try:
            parsed = self._decoder.note(rel, blob)
        except Exception:
            # A record this code cannot read back is a miss, whatever is wrong with it.
            return None
        self._notes[rel] = parsed
        return parsed

    def _parse_many(
        self, notes: list[NoteFile], todo: list[int]
    ) -> Iterator[tuple[int, ParsedNote, bytes | None]]:
        workers = _workers() if len(todo) >= PARALLEL_MIN else 1
        if workers > 1:
            done: set[int] = set()
            try:
                for index, parsed, blob in _parse_parallel(
                    [notes[i] for i in todo], workers, self._decoder
                ):
                    done.add(index)
                    yield todo[index], parsed, blob
                return
            except Exception:
                # No processes to be had (a sandbox, no /dev/shm) or a worker died: the
                # rest is parsed here, as if there were one core.
                todo = [i for n, i in enumerate(todo) if n not in done]
        for index in todo:
            yield index, *_parse_one(notes[index])

    def _load(self) -> dict[str, _Record]:
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        try:
            magic, form, stamp, root, records = marshal.loads(data)
        except Exception:
            return {}
        if (
            magic != _MAGIC
            or form != FORMAT
            or stamp != fingerprint()
            or root != str(self.root)
            or type(records) is not dict
        ):
            return {}
        checked: dict[str, _Record] = {}
        for rel, record in records.items():
            if (
                type(rel) is str
                and type(record) is tuple
                and len(record) == 5
                and all(type(v) is int for v in record[:4])
                and type(record[4]) is bytes
            ):
                checked[rel] = record
        return checked

    def _save(self, records: dict[str, _Record]) -> None:
        data = marshal.dumps((_MAGIC, FORMAT, fingerprint(), str(self.root), records))
        folder = self.path.parent
        temp = None
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=".parse-", suffix=".tmp", dir=folder)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temp, self.path)
            temp = None
        except OSError:
            # A read-only or full cache folder costs speed, never the run.
            pass
        finally:
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
