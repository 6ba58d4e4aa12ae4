"""netzmd watch: keep the digest current while the vault changes (SPEC 4.2).

Three parts, each usable on its own:

- `IncrementalVault`: the vault in memory between reloads. A refresh reads again only the
  notes whose size, mtime or ctime changed (or that were created, moved or deleted) and
  says which notes now *say* something else; the cross-file work (`assembly.Assembly`)
  is redone only for the contacts those notes touch, so every other `Contact` stays the
  same object and the rules and the digest reuse their work for it.
- `_Events`: the watchdog handler. It only sorts events into "a note", "netzmd.toml",
  "a template" or "a folder" (and drops everything netzmd ignores); what actually changed
  is decided by the refresh, from the files themselves.
- `Watcher`: the loop. Debounce, config reloads, the new day and week, the inotify limits,
  one status line per render, a clean stop from another thread or a signal handler.

Decisions where SPEC 4.2 is silent are recorded in docs/watch.md.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserverVFS

from netzmd.assembly import Assembly, NoteRecord, note_record
from netzmd.cache import RACY_NS
from netzmd.config import CONFIG_FILE, Config, ConfigError, load_config
from netzmd.findings import Finding
from netzmd.vault import (
    NoteFile,
    Progress,
    _gc_paused,
    is_ignored,
    read_note,
    walk,
)

if TYPE_CHECKING:
    from netzmd.cache import ParseCache
    from netzmd.digest import DigestMemo
    from netzmd.engine import RuleMemo
    from netzmd.model import Vault

__all__ = [
    "Change",
    "IncrementalVault",
    "Render",
    "WatchFailure",
    "Watcher",
    "inotify_watches",
    "missing_watches",
]

DEFAULT_DEBOUNCE = 0.5
DEFAULT_POLL_INTERVAL = 1.0
# How often the loop looks at the clock (midnight, a stop request without a signal). The
# wall clock is read, not a timer: a laptop that sleeps through midnight renders on waking.
DEFAULT_TICK = 1.0
# Past this many changed paths at once (a git checkout, a sync catching up) one walk of
# the vault is cheaper than looking at each path, and it cannot miss a folder move.
MAX_PATHS = 500
TEMPLATES = "templates"
MAX_TEMPLATE_SIZE = 1024 * 1024

# Opening and reading files (Obsidian's indexer, our own loader) is no change.
_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
    FileAttribEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
]


# ---------------------------------------------------------------- incremental vault


@dataclass(frozen=True, slots=True)
class Change:
    """A file whose content now means something else: created, changed, deleted or renamed.

    `old` is the previous path of a renamed file. A touch, or an edit that parses to the
    same note, is no change.
    """

    kind: str
    path: str
    old: str | None = None


@dataclass(frozen=True, slots=True)
class _Known:
    file: NoteFile
    note: NoteRecord


def _same_stat(a: NoteFile, b: NoteFile) -> bool:
    return a.size == b.size and a.mtime_ns == b.mtime_ns and a.ctime_ns == b.ctime_ns


def _parent(rel: str) -> str:
    return rel.rpartition("/")[0]


class IncrementalVault:
    """A vault kept in memory: `refresh()` re-reads only what changed, `vault()` assembles.

    Typical use (this is what watch mode and the benchmark do)::

        live = IncrementalVault(root)
        live.refresh()                      # first load: every note
        vault = live.vault()
        ...                                 # a note is edited
        changes = live.refresh(["contacts/Anna.md"])   # or refresh() to walk the vault
        vault = live.vault()                # assembled again only after a change

    `refresh(paths)` looks only at those vault-relative paths when it can be sure that is
    enough (plain Markdown files in folders it already knows); anything unusual (a new
    folder, a symbolic link, a conflict copy) falls back to a walk of the whole vault, so
    the result always equals `load_vault`. `reads` counts the files the last refresh read.
    `cache` (True or a `ParseCache`) serves the first load from the parse cache.
    """

    def __init__(
        self, root: Path, config: Config | None = None, *, cache: bool | ParseCache = False
    ) -> None:
        self.root = Path(root).resolve()
        self.config = config if config is not None else load_config(self.root)
        self.reads = 0
        self._cache = cache
        self._known: dict[str, _Known] | None = None
        self._folders: set[str] = set()
        self._walk_findings: tuple[Finding, ...] = ()
        # Notes read so soon after their last write that a same-size edit within the
        # file system's timestamp granularity could hide behind an unchanged stat.
        self._racy: set[str] = set()
        self._vault: Vault | None = None
        self._assembly: Assembly | None = None
        # What changed since the last assembly: path -> new record (None: deleted).
        self._pending: dict[str, NoteRecord | None] = {}

    def refresh(
        self,
        paths: Iterable[str] | None = None,
        config: Config | None = None,
        progress: Progress | None = None,
    ) -> list[Change]:
        """Bring the notes up to date; the changes, sorted by path.

        `paths`: the vault-relative paths that may have changed (None: walk the vault).
        `config`: a new configuration (its folders decide what a note is: a walk follows).
        `progress(done, total)` reports the first load only.
        """
        if config is not None and config != self.config:
            self.config = config
            self._vault = None
            self._assembly = None
            paths = None
        if self._known is None:
            return self._first_load(progress)
        stats = self._stat_paths(paths) if paths is not None else None
        reported: list[Change] = []
        if stats is None:
            stats, reported = self._walk()
        return self._apply(stats, reported)

    def vault(self) -> Vault:
        """The assembled vault; assembled again only after a refresh that changed something."""
        if self._known is None:
            self.refresh()
        assert self._known is not None
        if self._vault is None:
            with _gc_paused():
                if self._assembly is None:
                    # Path order, as `walk` gives it: the first file wins a name.
                    records = {rel: known.note for rel, known in sorted(self._known.items())}
                    self._assembly = Assembly(self.root, self.config)
                    self._vault = self._assembly.build(records, self._walk_findings)
                else:
                    self._vault = self._assembly.update(self._pending, self._walk_findings)
            self._pending = {}
        return self._vault

    # -------------------------------------------------------- internals

    def _first_load(self, progress: Progress | None) -> list[Change]:
        findings: list[Finding] = []
        read_ns = time.time_ns()
        with _gc_paused():
            notes = walk(self.root, self.config, findings)
            if self._cache is False:
                parsed = []
                for done, note in enumerate(notes, 1):
                    parsed.append(note_record(read_note(note)))
                    if progress is not None:
                        progress(done, len(notes))
            else:
                from netzmd.cache import ParseCache

                store = self._cache if isinstance(self._cache, ParseCache) else ParseCache(
                    self.root)
                parsed = store.parse(notes, progress)
                # The store's own copy of every record is not needed between renders.
                self._cache = False
        self._known = {n.rel: _Known(n, p) for n, p in zip(notes, parsed, strict=True)}
        self._racy = {n.rel for n in notes if n.mtime_ns >= read_ns - RACY_NS}
        self._folders = {"", *(_parent(n.rel) for n in notes)}
        self._walk_findings = tuple(findings)
        self._vault = None
        self._assembly = None
        self._pending = {}
        self.reads = len(notes)
        return [Change("created", n.rel) for n in notes]

    def _walk(self) -> tuple[dict[str, NoteFile | None], list[Change]]:
        """Every note's stat (None: gone), and the reported files that came or went."""
        assert self._known is not None
        findings: list[Finding] = []
        notes = walk(self.root, self.config, findings)
        stats: dict[str, NoteFile | None] = {n.rel: n for n in notes}
        for rel in self._known:
            stats.setdefault(rel, None)
        self._folders = {"", *(_parent(n.rel) for n in notes)}
        reported = _finding_changes(self._walk_findings, findings)
        self._walk_findings = tuple(findings)
        return stats, reported

    def _stat_paths(self, paths: Iterable[str]) -> dict[str, NoteFile | None] | None:
        """The stat of each path that is a note, or None when only a walk can tell.

        `walk` stays the one judge of what a note is: this fast path takes only plain
        regular `.md` files in folders the last walk found notes in, by name neither
        ignored nor a conflict copy; a symbolic link, a folder or anything new defers to it.
        """
        rels = list(dict.fromkeys(paths))
        if len(rels) > MAX_PATHS:
            return None
        stats: dict[str, NoteFile | None] = {}
        for rel in rels:
            if not rel.endswith(".md") or is_ignored(rel, self.config):
                continue
            name = rel.rpartition("/")[2]
            if _parent(rel) not in self._folders or "conflict" in name.casefold():
                return None
            path = os.path.join(self.root, *rel.split("/"))
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                stats[rel] = None
                continue
            except OSError:
                return None
            if not S_ISREG(info.st_mode):
                return None
            stats[rel] = NoteFile(rel, path, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        return stats

    def _apply(self, stats: dict[str, NoteFile | None], reported: list[Change]) -> list[Change]:
        assert self._known is not None
        known_notes = self._known
        read_ns = time.time_ns()
        created: list[NoteFile] = []
        deleted: list[NoteFile] = []
        changes = list(reported)
        self.reads = 0
        for rel, file in stats.items():
            known = known_notes.get(rel)
            if file is None:
                if known is not None:
                    del known_notes[rel]
                    self._racy.discard(rel)
                    self._pending[rel] = None
                    deleted.append(known.file)
                continue
            if known is not None and rel not in self._racy and _same_stat(known.file, file):
                continue
            note = note_record(read_note(file))
            self.reads += 1
            if file.mtime_ns >= read_ns - RACY_NS:
                self._racy.add(rel)
            else:
                self._racy.discard(rel)
            known_notes[rel] = _Known(file, note)
            if known is None:
                created.append(file)
                self._folders.add(_parent(rel))
                self._pending[rel] = note
            elif note != known.note:
                changes.append(Change("changed", rel))
                self._pending[rel] = note
        changes.extend(_pair_renames(created, deleted))
        if changes:
            self._vault = None
        return sorted(changes, key=lambda c: (c.path, c.kind))


def _pair_renames(created: list[NoteFile], deleted: list[NoteFile]) -> list[Change]:
    """A deleted and a created note with the same size and mtime are one note renamed.

    A rename keeps the file's size and mtime (to the nanosecond); an editor's atomic save
    of a *changed* note gets a new mtime, so it never looks like a rename.
    """
    gone = {(f.size, f.mtime_ns): f for f in deleted}
    changes: list[Change] = []
    for file in created:
        old = gone.pop((file.size, file.mtime_ns), None)
        if old is not None:
            changes.append(Change("renamed", file.rel, old.rel))
        else:
            changes.append(Change("created", file.rel))
    changes.extend(Change("deleted", f.rel) for f in gone.values())
    return changes


def _finding_changes(before: Iterable[Finding], after: Iterable[Finding]) -> list[Change]:
    """Files the walk reports (conflict copies, links out of the vault) that came or went."""
    old = {f.path for f in before if f.path}
    new = {f.path for f in after if f.path}
    return [Change("created", p) for p in sorted(new - old)] + [
        Change("deleted", p) for p in sorted(old - new)
    ]


# ---------------------------------------------------------------- templates


def template_digests(root: Path, config: Config) -> dict[str, str]:
    """Vault-relative path -> content hash of every file in the vault's `templates/`.

    Hashes, not mtimes: touching a template renders nothing, like touching a note.
    """
    folder = root / TEMPLATES
    found: dict[str, str] = {}
    for base, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = os.path.join(base, name)
            rel = Path(path).relative_to(root).as_posix()
            if is_ignored(rel, config):
                continue
            try:
                # A FIFO named like a template would block the open forever.
                if not S_ISREG(os.stat(path).st_mode):
                    continue
                with open(path, "rb") as handle:
                    data = handle.read(MAX_TEMPLATE_SIZE + 1)
            except OSError:
                continue
            found[rel] = hashlib.sha256(data).hexdigest()
    return found


def _template_changes(before: dict[str, str], after: dict[str, str]) -> list[Change]:
    changes = [Change("created" if rel not in before else "changed", rel)
               for rel, digest in after.items() if before.get(rel) != digest]
    changes += [Change("deleted", rel) for rel in before if rel not in after]
    return sorted(changes, key=lambda c: c.path)


# ---------------------------------------------------------------- observers and limits


class WatchFailure(Exception):
    """Why the watch cannot start or go on (exit 2), or why one render failed."""


def inotify_watches() -> int | None:
    """The inotify watches this process holds (Linux); None where there is no inotify."""
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return None
    total: int | None = None
    for fd in fds:
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != "anon_inode:inotify":
                continue
            with open(f"/proc/self/fdinfo/{fd}", encoding="ascii", errors="replace") as info:
                total = (total or 0) + sum(1 for line in info if line.startswith("inotify wd:"))
        except OSError:
            continue
    return total


def _watchable_folders(root: Path) -> int:
    """Folders a recursive inotify watch of root covers: every readable one, links not followed."""
    count = 1
    for base, dirs, _files in os.walk(root):
        kept = []
        for name in dirs:
            path = os.path.join(base, name)
            if os.path.islink(path) or not os.access(path, os.R_OK | os.X_OK):
                continue
            kept.append(name)
        count += len(kept)
        dirs[:] = kept
    return count


def missing_watches(root: Path) -> tuple[int, int]:
    """(folders without an inotify watch, folders) after a recursive watch of root started.

    watchdog raises when the watch limit stops it at the vault root, but skips a subfolder
    it cannot watch without a word: the count of the process's watches tells. (0, n) where
    there is no inotify (macOS, Windows, or another observer).
    """
    watches = inotify_watches()
    folders = _watchable_folders(root)
    if watches is None:
        return 0, folders
    return max(0, folders - watches), folders


def _visible_entries(path: str | None) -> Iterator[os.DirEntry[str]]:
    """A folder's entries without hidden ones: polling skips `.git/` and `.obsidian/`."""
    with os.scandir(path) as entries:
        return iter([e for e in entries if not e.name.startswith(".")])


def polling_observer(interval: float) -> BaseObserver:
    """A polling observer that neither follows links (no loops) nor walks hidden folders."""
    return PollingObserverVFS(os.lstat, _visible_entries, polling_interval=interval)


def is_limit_error(err: OSError) -> bool:
    """The inotify watch limit (ENOSPC) or instance limit (EMFILE)."""
    return err.errno in (errno.ENOSPC, errno.EMFILE)


# ---------------------------------------------------------------- events


class _Events(FileSystemEventHandler):
    """Sorts watchdog's events for the watcher; runs in the observer's thread."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.root = str(watcher.root)

    def _rel(self, path: bytes | str) -> str | None:
        """The vault-relative path; "." for the vault itself, None for a path outside it."""
        rel = os.path.relpath(os.fsdecode(path), self.root)
        if rel == ".." or rel.startswith(".." + os.sep):
            return None
        return rel.replace(os.sep, "/")

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path]
        if event.event_type == "moved":
            # Editors save by renaming: `x.md` -> `x.md~` (vim's backup) has the note as its
            # source, `.goutputstream-ABC` -> `x.md` (gedit) as its destination.
            paths.append(event.dest_path)
        for path in paths:
            rel = self._rel(path) if path else None
            if rel is not None:
                self.watcher.notice(rel, folder=event.is_directory)


class _WatchdogLog(logging.Handler):
    """watchdog reports a lost event queue only in its log: that calls for a full walk."""

    def __init__(self, watcher: Watcher) -> None:
        super().__init__(logging.WARNING)
        self.watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "overflow" in message.casefold():
            self.watcher.notice_overflow()
        else:
            self.watcher.say_error("watchdog", message=message)


# ---------------------------------------------------------------- the watcher


@dataclass(frozen=True)
class Render:
    """One render: what prompted it, what it wrote, how long it took."""

    reason: str  # "start", "files", "day", "week"
    changes: tuple[Change, ...]
    day: dt.date
    path: str
    written: bool
    findings: int
    ms: float


@dataclass
class _Pending:
    paths: set[str] = field(default_factory=set)
    walk: bool = False
    config: bool = False
    templates: bool = False
    first: float = 0.0
    last: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.paths) or self.walk or self.config or self.templates


class Watcher:
    """Renders the digest, then again after each settled change; `run()` blocks until `stop()`.

    `output` is a fixed vault-relative path; None: the config's `digest_path` for the week
    of the day rendered (a new file each week). `today` fixes the date (no rollover);
    otherwise `clock()` (local time) gives it and the digest is rendered again when the
    date changes. `echo` gets the status lines, `warn` the problems. `native` makes the
    file-system-event observer (a test hands in one that fails as at the inotify limit).
    `renders` and `checks` count what happened, for tests and the benchmark.
    """

    def __init__(
        self,
        root: Path,
        *,
        output: str | None = None,
        config: Config | None = None,
        fmt: str = "md",
        today: dt.date | None = None,
        lang: str | None = None,
        debounce: float = DEFAULT_DEBOUNCE,
        poll: bool = False,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        clock: Callable[[], dt.datetime] = dt.datetime.now,
        tick: float = DEFAULT_TICK,
        echo: Callable[[str], None] = print,
        warn: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
        quiet: bool = False,
        cache: bool | ParseCache = False,
        progress: Progress | None = None,
        native: Callable[[], BaseObserver] = Observer,
    ) -> None:
        self.root = Path(root).resolve()
        self.output = output
        self.live = IncrementalVault(self.root, config, cache=cache)
        self.fmt = fmt
        self.fixed_today = today
        self.lang = lang
        self.debounce = debounce
        # Under a steady stream of events (a sync catching up) render at least this often.
        self.max_delay = max(2.0, 10 * debounce)
        self.poll = poll
        self.poll_interval = poll_interval
        self.clock = clock
        self.tick = tick
        self.echo = echo
        self.warn = warn
        self.quiet = quiet
        self.progress = progress
        self.native = native
        self.mode = ""  # "events" or "poll" once running
        self.renders: list[Render] = []
        self.checks = 0  # settled batches of events looked at (rendered or not)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._pending = _Pending()
        self._current_output: str | None = None
        self._templates: dict[str, str] = {}
        self._rendered_day: dt.date | None = None
        # The rules' and the digest's work per contact, kept between renders: after an
        # edit only the contacts the assembly built again are worked out again.
        self._memos: tuple[RuleMemo, DigestMemo] | None = None
        self._observer: BaseObserver | None = None

    # -------------------------------------------------------- control

    def stop(self) -> None:
        """Ask `run()` to return (from another thread); a render in progress finishes first."""
        self._stopping.set()
        self._wake.set()

    def stop_from_signal(self) -> None:
        """`stop()` for a signal handler.

        The handler runs in the thread of `run()`, between two steps of whatever it was
        doing: possibly inside the wake-up event's lock, which it would then wait for
        forever. Setting the stop flag takes no lock the loop holds; the wake-up is left
        to a thread of its own.
        """
        self._stopping.set()
        threading.Thread(target=self._wake.set, daemon=True).start()

    @property
    def config(self) -> Config:
        return self.live.config

    def run(self) -> None:
        """Render once, then watch until `stop()`. Raises WatchFailure if it cannot start."""
        self.live.refresh(progress=self.progress)
        self._templates = template_digests(self.root, self.live.config)
        self._start_observer()
        log = _WatchdogLog(self)
        watchdog_log = logging.getLogger("watchdog")
        watchdog_log.addHandler(log)
        try:
            if not self.quiet:
                self.echo(self._t("started", root=str(self.root), how=self._how()))
            # What changed while the first load ran (before the observer saw anything).
            self.live.refresh()
            if self._stopping.is_set():
                return
            self._render("start", ())
            while not self._stopping.is_set():
                self._wake.wait(self._timeout())
                self._wake.clear()
                if self._stopping.is_set():
                    break
                self._step()
        finally:
            watchdog_log.removeHandler(log)
            observer, self._observer = self._observer, None
            if observer is not None:
                observer.stop()
                observer.join(timeout=5)

    # -------------------------------------------------------- events (observer thread)

    def notice(self, rel: str, folder: bool = False) -> None:
        """A path changed (vault-relative); remember it and wake the loop if it matters."""
        config = self.live.config
        if rel == self._current_output or (rel != "." and is_ignored(rel, config)):
            return
        with self._lock:
            pending = self._pending
            if folder:
                # A folder created, deleted or moved (the vault itself included): only a
                # walk can tell which notes came and went.
                pending.walk = True
            elif rel == CONFIG_FILE:
                pending.config = True
            elif rel.startswith(TEMPLATES + "/"):
                pending.templates = True
                if rel.endswith(".md"):
                    pending.paths.add(rel)
            elif rel.endswith(".md"):
                pending.paths.add(rel)
            else:
                return
            now = time.monotonic()
            if not pending.first:
                pending.first = now
            pending.last = now
        self._wake.set()

    def notice_overflow(self) -> None:
        """The kernel dropped events: only a walk of the whole vault can tell what changed."""
        with self._lock:
            now = time.monotonic()
            self._pending.walk = True
            self._pending.first = self._pending.first or now
            self._pending.last = now
        self._wake.set()

    # -------------------------------------------------------- the loop

    def _timeout(self) -> float:
        with self._lock:
            pending = self._pending
            if not pending:
                return self.tick
            due = min(pending.last + self.debounce, pending.first + self.max_delay)
        return max(0.0, min(self.tick, due - time.monotonic()))

    def _step(self) -> None:
        if not self.root.is_dir():
            # Moved or deleted: writing the digest now would create an empty vault there.
            raise WatchFailure(self._t("vault-gone", root=str(self.root)))
        now = time.monotonic()
        with self._lock:
            pending = self._pending
            settled = bool(pending) and (
                now - pending.last >= self.debounce or now - pending.first >= self.max_delay
            )
            if settled:
                self._pending = _Pending()
        if settled:
            self._check(pending)
        elif self.fixed_today is None and self._rendered_day is not None:
            day = self.clock().date()
            if day != self._rendered_day:
                new_week = day.isocalendar()[:2] != self._rendered_day.isocalendar()[:2]
                self._render_safely("week" if new_week else "day", ())

    def _check(self, pending: _Pending) -> None:
        """Look at what the settled events touched; render only if something means more."""
        self.checks += 1
        started = time.perf_counter()
        extra: list[Change] = []
        config: Config | None = None
        if pending.config:
            try:
                new = load_config(self.root)
            except ConfigError as err:
                self.say_error("config-error", error=str(err))
            else:
                if new != self.live.config:
                    config = new
                    extra.append(Change("changed", CONFIG_FILE))
        if pending.templates:
            templates = template_digests(self.root, self.live.config)
            extra += _template_changes(self._templates, templates)
            self._templates = templates
        paths = None if pending.walk else pending.paths
        output = self._current_output
        # A digest written outside the output folder is read as a note like any other, but
        # its own rewrite is no reason to render it again.
        changes = [c for c in self.live.refresh(paths, config=config)
                   if output not in (c.path, c.old)]
        if changes or extra:
            self._render_safely("files", tuple(extra + changes), started)

    def _render_safely(self, reason: str, changes: tuple[Change, ...],
                       started: float | None = None) -> None:
        """A render that fails (a broken template, a refused write) leaves the digest as it
        was and the watch running."""
        try:
            self._render(reason, changes, started=started)
        except WatchFailure as err:
            self.say_error("render-error", error=str(err))
        except Exception as err:
            # Not bad input (the loader turns that into findings) but a bug: say so and
            # keep watching, as a long-running process must.
            self.say_error("render-error", error=f"{type(err).__name__}: {err}")

    def _render(self, reason: str, changes: tuple[Change, ...],
                started: float | None = None) -> None:
        """Render and write the digest; WatchFailure for a broken template or a refused write."""
        from netzmd.digest import DigestMemo, build_context, default_path, iso_week
        from netzmd.engine import RuleMemo, run_rules
        from netzmd.locale import detect_lang
        from netzmd.report import TemplateFailure, render
        from netzmd.writer import WriteRefused, write_output

        started = time.perf_counter() if started is None else started
        day = self.fixed_today or self.clock().date()
        # A failed render is not retried every tick: the next change or day tries again.
        self._rendered_day = day
        with _gc_paused():
            vault = self.live.vault()
            lang = detect_lang(self.lang, vault.config.lang)
            week = iso_week(day)
            if self._memos is None:
                self._memos = (RuleMemo(), DigestMemo())
            rule_memo, digest_memo = self._memos
            try:
                findings = run_rules(vault, day, lang=lang, memo=rule_memo)
                context = build_context(vault, findings, day, week, lang, rule_memo.context,
                                        memo=digest_memo)
            except Exception:
                # A memo a failed build left half way is of no use for the next one.
                self._memos = None
                raise
            try:
                text = render(self.root, "digest", context, self.fmt)
            except TemplateFailure as err:
                raise WatchFailure(str(err)) from None
        rel = self.output or default_path(vault.config, "digest", self.fmt, week)
        self._current_output = rel
        try:
            written = write_output(self.root, rel, text)
        except WriteRefused as err:
            raise WatchFailure(err.message(lang)) from None
        ms = (time.perf_counter() - started) * 1000
        done = Render(reason, changes, day, rel, written, len(findings), ms)
        self.renders.append(done)
        if not self.quiet:
            self.echo(self._status(done, lang))

    # -------------------------------------------------------- observers

    def _start_observer(self) -> None:
        handler = _Events(self)
        if not self.poll:
            observer = self.native()
            try:
                observer.schedule(handler, str(self.root), recursive=True, event_filter=_EVENTS)
                observer.start()
            except OSError as err:
                key = "limit" if is_limit_error(err) else "no-events"
                self.say_error(key, error=err.strerror or str(err), seconds=self._seconds())
                if is_limit_error(err):
                    self.say_error("limit-hint")
            else:
                missing, folders = self._missing_watches()
                if not missing:
                    self._observer = observer
                    self.mode = "events"
                    return
                observer.stop()
                observer.join(timeout=5)
                self.say_error("missing-watches", n=missing, folders=folders,
                               seconds=self._seconds())
                self.say_error("limit-hint")
        observer = polling_observer(self.poll_interval)
        try:
            observer.schedule(handler, str(self.root), recursive=True, event_filter=_EVENTS)
            observer.start()
        except OSError as err:
            raise WatchFailure(f"{self.root}: {err.strerror or err}") from None
        self._observer = observer
        self.mode = "poll"

    def _missing_watches(self) -> tuple[int, int]:
        missing, folders = missing_watches(self.root)
        if missing:
            # A folder created a moment ago may not have its watch yet: look once more.
            time.sleep(0.2)
            missing, folders = missing_watches(self.root)
        return missing, folders

    # -------------------------------------------------------- messages

    def _lang(self) -> str:
        from netzmd.locale import detect_lang

        return detect_lang(self.lang, self.live.config.lang)

    def _t(self, key: str, lang: str | None = None, **values: object) -> str:
        from netzmd.locale import t

        return t("watch", key, lang or self._lang(), **values)

    def _seconds(self) -> str:
        # Floats up to 1 would be shown as percentages by `format_value`: text it is.
        text = f"{self.poll_interval:g}"
        return text.replace(".", ",") if self._lang() == "de" else text

    def _how(self) -> str:
        if self.mode == "poll":
            return self._t("how-poll", seconds=self._seconds())
        return self._t("how-events")

    def say_error(self, key: str, **values: object) -> None:
        """A problem on the warning channel, with the time for those that happen later."""
        from netzmd.locale import t

        self.warn(t("watch", key, self._lang(), time=self.clock().strftime("%H:%M:%S"),
                    **values))

    def describe(self, render: Render, lang: str) -> str:
        """What prompted a render, in words: `Kontakte/Anna.md geändert und 2 weitere`."""
        if render.reason == "start":
            return self._t("first", lang)
        if render.reason == "week":
            year, week, _ = render.day.isocalendar()
            return self._t("new-week", lang, week=f"{year}-W{week:02d}")
        if render.reason == "day":
            return self._t("new-day", lang, date=render.day)
        first = render.changes[0]
        what = self._t(first.kind, lang, path=first.path, old=first.old or "")
        if len(render.changes) > 1:
            what = self._t("more", lang, what=what, n=len(render.changes) - 1)
        return what

    def _status(self, render: Render, lang: str) -> str:
        result = self._t("written" if render.written else "unchanged", lang, path=render.path)
        return self._t("status", lang, time=self.clock().strftime("%H:%M:%S"),
                       what=self.describe(render, lang), n=render.findings,
                       ms=round(render.ms), result=result)
