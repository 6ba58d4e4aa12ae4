"""The parse cache: what each note says, kept between runs in the user's cache folder.

One file per vault (named by a hash of the vault's resolved path) under
`$XDG_CACHE_HOME/netzmd`, else `platformdirs.user_cache_dir("netzmd")`; never in the vault.
Each record is keyed by the note's vault-relative path, size, mtime and ctime (ns) and holds
the `NoteRecord` of that file (`netzmd.assembly`): front matter, its contact fields
validated, the log entries, tasks and link lines, the file's own findings. Anything that
spans files or depends on `netzmd.toml` (which notes are contacts, default cadences,
links, duplicates, the rules) is recomputed on every run.

The cache is invisible: a missing, truncated, corrupt, foreign or outdated cache file is
rebuilt silently, and a cache folder that cannot be written only costs speed.

Serialisation is `marshal` of plain tuples in one blob: a warm run loads it in one call and
then builds interactions straight from the tuples. Unlike `pickle`, loading marshal data
never calls code, so a planted cache file cannot run anything; it is also several times
faster to load than JSON (see docs/performance.md).
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
from functools import cache
from pathlib import Path
from typing import Any

from netzmd.assembly import NoteRecord, note_record
from netzmd.vault import NoteFile, read_note

__all__ = ["FORMAT", "RACY_NS", "ParseCache", "cache_dir", "cache_path", "decode", "encode"]

FORMAT = 2
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
# (size, mtime_ns, ctime_ns, read_ns, plain record): read_ns is when the file was read.
_Record = tuple[int, int, int, int, Any]


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
    from netzmd import assembly, cadence, findings, frontmatter, log, vault
    from netzmd.rules import REGISTRY

    parts: list[object] = [
        netzmd.__version__, FORMAT, sys.implementation.cache_tag, marshal.version,
        yaml.__version__, yaml.__with_libyaml__,
    ]
    # `contact_values` checks `netzmd_ignore` against the rule ids.
    parts.append(tuple(REGISTRY))
    for module in (vault, assembly, cadence, log, frontmatter, findings, sys.modules[__name__]):
        try:
            stat = os.stat(module.__file__ or "")
            parts.append((module.__name__, stat.st_size, stat.st_mtime_ns))
        except OSError:
            parts.append((module.__name__, None))
    parts.append(NoteRecord._fields)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# ---------------------------------------------------------------- records <-> plain data

class _Uncacheable(Exception):
    """A value marshal cannot hold as plain data; the note is parsed on every run instead."""


_DATE = dt.date
_ORDINAL = dt.date.toordinal
_RECORD_SIZE = len(NoteRecord._fields) + 1  # plus the keys of fields holding dates


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
    if type(key) is str:
        return key
    raise _Uncacheable("key")


def encode(record: NoteRecord) -> tuple[Any, ...] | None:
    """A record as plain data marshal can keep; None when it holds something else.

    Everything but the front matter and finding data is plain by construction
    (`assembly.note_record`); those two are converted, and the keys of fields that held
    a date are listed so that loading converts only those back.
    """
    try:
        fields_ = _plain(record.fields)
        special = tuple(k for k, v in fields_.items() if type(v) in (tuple, list, dict)
                        and v != record.fields[k])
        findings = tuple((rule, line, _plain(data)) for rule, line, data in record.findings)
    except _Uncacheable:
        return None
    return (fields_, special, *record[1:8], findings, record.skipped)


class _Decoder:
    """Plain data back into records; dates are shared, so equal dates cost one object."""

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

    def record(self, plain: Any) -> NoteRecord:
        """Raises for anything that is not plain data this version wrote."""
        if type(plain) is not tuple or len(plain) != _RECORD_SIZE:
            raise TypeError("not a parse record")
        fields_, special, key_lines, contact, bad, note_date, entries, tasks, links, found, \
            skipped = plain
        if (type(fields_) is not dict or type(key_lines) is not dict or type(contact) is not tuple
                or type(entries) is not tuple or type(skipped) is not bool):
            raise TypeError("not a parse record")
        if special:
            # A copy: the plain record stays as it is, to be written back as it was read.
            fields_ = dict(fields_)
            for key in special:
                fields_[key] = self.value(fields_[key])
        if found:
            found = tuple((rule, line, self.value(data)) for rule, line, data in found)
        record: NoteRecord = _new_tuple(NoteRecord, (
            fields_, key_lines, contact, bad, note_date, entries, tasks, links, found, skipped))
        return record


_new_tuple = tuple.__new__


def decode(plain: Any) -> NoteRecord:
    """The record `encode` made `plain` from; raises for anything else."""
    return _Decoder().record(plain)


# ---------------------------------------------------------------- parsing many notes


def _parse_one(note: NoteFile) -> tuple[NoteRecord, tuple[Any, ...] | None]:
    record = note_record(read_note(note))
    return record, encode(record)


def _parse_chunk(chunk: list[tuple[str, str, int, int, int]]) -> bytes:
    """Worker process: parse notes, hand back their plain records (None: uncacheable)."""
    return marshal.dumps([_parse_one(NoteFile(*values))[1] for values in chunk])


def _workers() -> int:
    """Worker processes worth starting for a cold parse: one per idle core, else none."""
    if sys.platform != "linux" or threading.active_count() > 1:
        # Forking is cheap only on Linux, and forking a process that runs threads (watch
        # mode) can leave a lock held in the child forever.
        return 1
    # On busy cores workers only fight other processes, and this one still takes over
    # all they send back: on 2 cores with one busy, a parallel cold parse of the bench
    # vault took 2.1 s against 1.8 s alone. The load average lags by a minute; the
    # number of processes running right now (ours included) does not.
    cores = len(os.sched_getaffinity(0))
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            running = int(handle.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        running = 1
    return max(1, min(cores - max(running - 1, 0), 8))


def _parse_parallel(
    notes: list[NoteFile], workers: int, decoder: _Decoder
) -> Iterator[tuple[int, NoteRecord, tuple[Any, ...] | None]]:
    """Parse in worker processes; take over each chunk here while the workers go on."""
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
            for offset, plain in enumerate(marshal.loads(future.result())):
                note = notes[start + offset]
                if plain is not None:
                    yield start + offset, decoder.record(plain), plain
                else:
                    yield start + offset, *_parse_one(note)


class ParseCache:
    """The note records of one vault, on disk between runs and in memory between reloads.

    `parse(notes)` answers from the cache what has not changed and parses the rest; a
    long-running process keeps one instance, so a reload re-parses only what changed.
    """

    def __init__(self, root: Path, directory: Path | None = None) -> None:
        self.root = root
        self.path = cache_path(root, directory)
        self.hits = 0
        self.parsed = 0
        self._records: dict[str, _Record] | None = None
        self._notes: dict[str, NoteRecord] = {}
        self._decoder = _Decoder()

    def parse(self, notes: list[NoteFile], progress: Progress | None = None) -> list[NoteRecord]:
        """Every note's record, in the order given; the cache file is rewritten if it changed."""
        read_ns = time.time_ns()
        if self._records is None:
            self._records = self._load()
        old = self._records
        known = self._notes
        records: dict[str, _Record] = {}
        result: list[NoteRecord | None] = [None] * len(notes)
        todo: list[int] = []
        self.hits = self.parsed = 0
        for index, note in enumerate(notes):
            rel = note.rel
            cached = old.get(rel)
            if (
                cached is not None
                and cached[0] == note.size
                and cached[1] == note.mtime_ns
                and cached[2] == note.ctime_ns
                and note.mtime_ns < cached[3] - RACY_NS
            ):
                record = known.get(rel) or self._decode(rel, cached[4])
                if record is not None:
                    result[index] = record
                    records[rel] = cached
                    continue
            todo.append(index)
        self.hits = len(notes) - len(todo)

        changed = False
        for done, (index, record, plain) in enumerate(self._parse_many(notes, todo), 1):
            note = notes[index]
            result[index] = known[note.rel] = record
            self.parsed += 1
            if progress is not None:
                progress(done, len(todo))
            if plain is None:
                changed = changed or note.rel in old
                continue
            entry = (note.size, note.mtime_ns, note.ctime_ns, read_ns, plain)
            records[note.rel] = entry
            before = old.get(note.rel)
            # A racy note re-read with the same result is only worth writing once the
            # new read makes it trustworthy for the next run.
            changed = changed or before is None or before[:3] != entry[:3] or (
                before[4] != plain or note.mtime_ns < read_ns - RACY_NS
            )
        # Notes that disappeared (or whose record could not be read back) are dropped.
        changed = changed or any(rel not in records for rel in old)
        self._records = records
        if len(known) > len(records):
            self._notes = {rel: known[rel] for rel in records if rel in known}
        if changed:
            self._save(records)
        return result  # type: ignore[return-value]

    def _decode(self, rel: str, plain: Any) -> NoteRecord | None:
        try:
            record = self._decoder.record(plain)
        except Exception:
            # A record this code cannot read back is a miss, whatever is wrong with it.
            return None
        self._notes[rel] = record
        return record

    def _parse_many(
        self, notes: list[NoteFile], todo: list[int]
    ) -> Iterator[tuple[int, NoteRecord, tuple[Any, ...] | None]]:
        workers = _workers() if len(todo) >= PARALLEL_MIN else 1
        if workers > 1:
            done: set[int] = set()
            try:
                for index, record, plain in _parse_parallel(
                    [notes[i] for i in todo], workers, self._decoder
                ):
                    done.add(index)
                    yield todo[index], record, plain
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
                and type(record[0]) is int
                and type(record[1]) is int
                and type(record[2]) is int
                and type(record[3]) is int
            ):
                checked[rel] = record
        return checked

    def _save(self, records: dict[str, _Record]) -> None:
        try:
            data = marshal.dumps((_MAGIC, FORMAT, fingerprint(), str(self.root), records))
        except ValueError:
            # Something marshal cannot write slipped into a record: no cache this time.
            return
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
