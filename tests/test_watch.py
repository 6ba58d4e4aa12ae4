"""netzmd watch with real file-system events in temporary folders (no mocked observer).

Every watcher runs in a thread with a short debounce; tests wait for a condition (a
render, a check) with a generous timeout instead of sleeping a fixed time, and sleep
only to show that something does *not* happen.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from netzmd.cli import cli
from netzmd.engine import run_rules
from netzmd.vault import load_vault
from netzmd.watch import Change, IncrementalVault, Watcher, missing_watches
from tests.conftest import ROOT, make_vault

TODAY = dt.date(2026, 12, 10)
DEBOUNCE = 0.15
# Long enough for a stray event to have been rendered if it were going to be.
QUIET = 0.5
DIGEST = "digest/2026-W50.md"

ANNA = """---
name: Anna Keller
circle: key
---
## Log
- 2026-06-02 met: Kongress in Berlin
"""
BERND = """---
name: Bernd Roth
circle: key
---
"""
ANNA_GAVE = ANNA + "- 2026-12-08 gave: Paper zur Leitlinie geschickt\n"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


def vault(tmp_path: Path, **extra: str) -> Path:
    files = {"contacts/Anna.md": ANNA, "contacts/Bernd.md": BERND}
    files.update({k.replace("__", "/"): v for k, v in extra.items()})
    return make_vault(tmp_path / "vault", files)


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the watcher")
        time.sleep(0.02)


class Run:
    """A watcher in a thread, with what it printed."""

    def __init__(self, watcher: Watcher, lines: list[str], problems: list[str]) -> None:
        self.watcher = watcher
        self.lines = lines
        self.problems = problems
        self.errors: list[BaseException] = []

    @property
    def renders(self) -> int:
        return len(self.watcher.renders)

    def wait_renders(self, count: int) -> None:
        wait_for(lambda: self.renders >= count or bool(self.errors))
        assert not self.errors, self.errors

    def wait_checks(self, count: int) -> None:
        wait_for(lambda: self.watcher.checks >= count or bool(self.errors))
        assert not self.errors, self.errors

    def status(self, index: int = -1) -> str:
        return [line for line in self.lines if not line.startswith("Watching")][index]


@contextmanager
def watching(root: Path, **options: Any) -> Iterator[Run]:
    lines: list[str] = []
    problems: list[str] = []
    settings: dict[str, Any] = {"today": TODAY, "lang": "en", "debounce": DEBOUNCE,
                                "tick": 0.05, "poll_interval": 0.1,
                                "clock": lambda: dt.datetime(2026, 12, 10, 9, 30)}
    settings.update(options)
    watcher = Watcher(root, echo=lines.append, warn=problems.append, **settings)
    run = Run(watcher, lines, problems)

    def target() -> None:
        try:
            watcher.run()
        except BaseException as err:  # handed to the test thread
            run.errors.append(err)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        run.wait_renders(1)
        yield run
    finally:
        watcher.stop()
        thread.join(timeout=15)
        assert not thread.is_alive(), "the watcher did not stop"
    assert not run.errors, run.errors


def found(root: Path, today: dt.date = TODAY, lang: str = "en") -> str:
    """The findings part of a status line, as `netzmd check` counts them."""
    n = len(run_rules(load_vault(root), today, lang=lang))
    if lang == "de":
        return f"{n} Befund" if n == 1 else f"{n} Befunde"
    return f"{n} finding" if n == 1 else f"{n} findings"


def digest(root: Path, rel: str = DIGEST) -> str:
    return (root / rel).read_text(encoding="utf-8")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


# ---------------------------------------------------------------- first render


def test_first_render_writes_the_digest_and_prints_one_status_line(tmp_path: Path) -> None:
    root = vault(tmp_path)
    with watching(root) as run:
        assert run.lines[0] == f"Watching {root.resolve()} (file system events); Ctrl-C stops."
        assert re.fullmatch(rf"09:30:00  first render · {found(root)} · \d+ ms · "
                            r"digest/2026-W50\.md written", run.status())
        assert "1. **[[Bernd|Bernd Roth]]** – key" in digest(root)
        assert run.watcher.mode == "events"
        time.sleep(QUIET)
        # Its own write into the output folder is no change.
        assert (run.renders, run.watcher.checks) == (1, 0)
    assert run.problems == []


# ---------------------------------------------------------------- how editors save


def save_vim(note: Path, text: str) -> None:
    folder = note.parent
    write(folder / "4913", "")  # vim's probe: may it create files here?
    (folder / "4913").unlink()
    backup = note.with_name(note.name + "~")
    os.rename(note, backup)
    write(note, text)
    backup.unlink()


def save_gedit(note: Path, text: str) -> None:
    temp = note.with_name(".goutputstream-7QX2K1")
    write(temp, text)
    os.replace(temp, note)


def save_jetbrains(note: Path, text: str) -> None:
    temp = note.with_name(note.name + "___jb_tmp___")
    old = note.with_name(note.name + "___jb_old___")
    write(temp, text)
    os.rename(note, old)
    os.rename(temp, note)
    old.unlink()


def save_in_place(note: Path, text: str) -> None:
    # Obsidian and VS Code by default: truncate the file, then write.
    with open(note, "r+b") as handle:
        handle.truncate(0)
        handle.flush()
        handle.write(text.encode("utf-8"))


def save_delete_and_recreate(note: Path, text: str) -> None:
    note.unlink()
    write(note, text)


def save_hidden_temp(note: Path, text: str) -> None:
    # Atomic-write libraries (and Obsidian on some platforms): a hidden temp, renamed over.
    temp = note.with_name(f".{note.name}.4711.tmp")
    write(temp, text)
    os.replace(temp, note)


@pytest.mark.parametrize("save", [save_vim, save_gedit, save_jetbrains, save_in_place,
                                  save_delete_and_recreate, save_hidden_temp],
                         ids=lambda f: f.__name__.removeprefix("save_"))
def test_an_editor_save_renders_once(tmp_path: Path, save: Callable[[Path, str], None]
                                     ) -> None:
    root = vault(tmp_path)
    with watching(root) as run:
        save(root / "contacts/Anna.md", ANNA_GAVE)
        run.wait_renders(2)
        time.sleep(QUIET)
        assert run.renders == 2
        assert re.fullmatch(rf"09:30:00  contacts/Anna\.md changed · {found(root)} · \d+ ms · "
                            r"digest/2026-W50\.md written", run.status())
        assert "- [[Anna|Anna Keller]] (Dec 8, 2026, give): Paper zur Leitlinie geschickt" in (
            digest(root))
    assert run.problems == []


def test_a_burst_of_saves_renders_once_or_twice(tmp_path: Path) -> None:
    root = vault(tmp_path)
    note = root / "contacts/Anna.md"
    with watching(root) as run:
        for day in range(1, 21):
            save_in_place(note, ANNA + f"- 2026-12-08 call: Rückruf {day}\n")
            time.sleep(0.045)
        wait_for(lambda: "Rückruf 20" in digest(root))
        time.sleep(QUIET)
        assert run.renders in (2, 3)
        assert "Rückruf 19" not in digest(root)


def test_touching_a_note_renders_nothing(tmp_path: Path) -> None:
    root = vault(tmp_path)
    before = (root / DIGEST)
    with watching(root) as run:
        written = before.stat().st_mtime_ns
        os.utime(root / "contacts/Anna.md", ns=(time.time_ns(), time.time_ns() + 10**9))
        run.wait_checks(1)
        time.sleep(QUIET)
        assert run.renders == 1
        assert len(run.lines) == 2  # "Watching …" and the first render
        assert before.stat().st_mtime_ns == written


def test_ignored_files_and_the_output_folder_are_not_even_looked_at(tmp_path: Path) -> None:
    root = vault(tmp_path, **{".obsidian__workspace.json": "{}"})
    with watching(root) as run:
        write(root / ".obsidian/workspace.json", '{"active": "Anna"}')
        write(root / "contacts/.Anna.md.swp", "swap")
        write(root / "contacts/Anna.md~", ANNA_GAVE)
        write(root / "contacts/4913", "")
        write(root / ".trash/Carla.md", BERND)
        write(root / "digest/Notiz.md", ANNA_GAVE)
        write(root / "contacts/Anna.md___jb_old___", ANNA_GAVE)
        time.sleep(QUIET)
        assert run.watcher.checks == 0
        os.utime(root / "contacts/Bernd.md")  # a real event, to know the others were seen
        run.wait_checks(1)
        time.sleep(QUIET)
        assert (run.renders, run.watcher.checks) == (1, 1)


def test_a_digest_outside_the_output_folder_does_not_start_a_render_loop(tmp_path: Path
                                                                       ) -> None:
    root = vault(tmp_path, **{"netzmd.toml": 'digest_path = "Wochen/{year}-W{week}.md"\n'})
    with watching(root) as run:
        # The first render creates Wochen/ (a folder event: the vault is walked) and a
        # Markdown file that is read as a note; neither is a reason to render again.
        time.sleep(QUIET)
        save_in_place(root / "contacts/Anna.md", ANNA_GAVE)
        run.wait_renders(2)
        time.sleep(QUIET)
        assert run.renders == 2
        assert run.status().startswith("09:30:00  contacts/Anna.md changed · ")
        assert "Paper zur Leitlinie geschickt" in digest(root, "Wochen/2026-W50.md")


def test_an_edit_that_leaves_the_digest_alone_does_not_rewrite_it(tmp_path: Path) -> None:
    root = vault(tmp_path)
    with watching(root) as run:
        written = (root / DIGEST).stat().st_mtime_ns
        # A paragraph above the log moves the entries' lines: the note changed, the digest not.
        save_in_place(root / "contacts/Anna.md", ANNA.replace("## Log", "Mag Jazz.\n\n## Log"))
        run.wait_renders(2)
        assert re.fullmatch(rf"09:30:00  contacts/Anna\.md changed · {found(root)} · \d+ ms · "
                            r"digest/2026-W50\.md unchanged", run.status())
        assert (root / DIGEST).stat().st_mtime_ns == written


# ---------------------------------------------------------------- deletes, renames, errors


def test_deleting_a_contact_removes_it_from_the_digest(tmp_path: Path) -> None:
    root = vault(tmp_path)
    with watching(root) as run:
        assert "Bernd Roth" in digest(root)
        (root / "contacts/Bernd.md").unlink()
        run.wait_renders(2)
        assert run.status().startswith(f"09:30:00  contacts/Bernd.md deleted · {found(root)} · ")
        assert "Bernd" not in digest(root)
        assert "· 1 active contact" in digest(root)


def test_renaming_a_contact_is_one_change(tmp_path: Path) -> None:
    root = vault(tmp_path)
    with watching(root) as run:
        os.rename(root / "contacts/Anna.md", root / "contacts/Anna Keller.md")
        run.wait_renders(2)
        assert run.status().startswith(
            f"09:30:00  contacts/Anna.md renamed to contacts/Anna Keller.md · {found(root)} · ")
        assert "[[Anna Keller]]" in digest(root)
        assert "[[Anna|" not in digest(root)


def test_a_new_folder_of_contacts_is_found(tmp_path: Path) -> None:
    root = vault(tmp_path)
    with watching(root) as run:
        (root / "contacts/Klinik").mkdir()
        write(root / "contacts/Klinik/Carla.md", BERND.replace("Bernd Roth", "Carla Vogt"))
        wait_for(lambda: "contacts/Klinik/Carla.md created" in run.lines[-1])
        assert "Carla Vogt" in digest(root)


def test_a_broken_file_is_reported_and_the_watcher_lives_on(tmp_path: Path) -> None:
    root = vault(tmp_path)
    note = root / "contacts/Anna.md"
    with watching(root) as run:
        save_in_place(note, "---\nname: Anna Keller\ncircle: key\n## Log\n")
        run.wait_renders(2)
        assert "- [[contacts/Anna.md]] (line 1): front matter: front matter is never closed" in (
            digest(root))
        assert run.status().startswith(f"09:30:00  contacts/Anna.md changed · {found(root)} · ")
        note.write_bytes(b"---\nname: Anna \xff\n---\n")  # not UTF-8 either
        run.wait_renders(3)
        assert "contacts/Anna.md" in digest(root).split("## Data problems")[1]
        save_in_place(note, ANNA_GAVE)
        run.wait_renders(4)
        assert "No data problems." in digest(root)
    assert run.problems == []


def test_a_broken_template_keeps_the_last_digest_and_the_watch(tmp_path: Path) -> None:
    root = vault(tmp_path, **{"templates__digest.md.j2": "Digest {{ week.label }}\n"})
    template = root / "templates/digest.md.j2"
    with watching(root) as run:
        assert digest(root) == "Digest 2026-W50\n"
        write(template, "Digest {{ week.label }\n")
        wait_for(lambda: bool(run.problems))
        assert re.fullmatch(r"09:30:00  template 'templates/digest\.md\.j2', line 1: .+ – "
                            r"the digest stays as it was", run.problems[0])
        assert digest(root) == "Digest 2026-W50\n"
        write(template, "Woche {{ week.number }}: {{ vault.contacts }} Kontakte\n")
        run.wait_renders(2)
        assert digest(root) == "Woche 50: 2 Kontakte\n"
        assert "templates/digest.md.j2 changed" in run.status()
        os.utime(template, ns=(time.time_ns(), time.time_ns() + 10**9))  # touched: no render
        run.wait_checks(3)
        time.sleep(QUIET)
        assert run.renders == 2


def test_a_vault_moved_away_stops_the_watch_without_recreating_it(tmp_path: Path) -> None:
    root = vault(tmp_path)
    with watching(root) as run:
        os.rename(root, tmp_path / "elsewhere")
        wait_for(lambda: bool(run.errors))
        assert [str(e) for e in run.errors] == [
            f"The vault folder {root.resolve()} is gone (moved or deleted): stopped watching."]
        run.errors.clear()
    assert not root.exists()


# ---------------------------------------------------------------- netzmd.toml


def test_a_config_change_reloads_and_a_broken_one_keeps_the_last_good(tmp_path: Path) -> None:
    root = vault(tmp_path)
    config = root / "netzmd.toml"
    with watching(root, lang=None) as run:
        write(config, 'lang = "de"\n')
        run.wait_renders(2)
        assert digest(root).startswith("# Netzwerk-Digest, KW 50/2026")
        assert run.status().startswith(
            f"09:30:00  netzmd.toml geändert · {found(root, lang='de')} · ")
        write(config, 'lang = "de"\ndigest_size = "drei"\n')
        wait_for(lambda: bool(run.problems))
        assert run.problems == [
            "09:30:00  netzmd.toml: 'digest_size' must be a whole number from 0 to 1000 – "
            "die letzten gültigen Einstellungen gelten weiter; Datei korrigieren und erneut "
            "speichern"
        ]
        save_in_place(root / "contacts/Anna.md", ANNA_GAVE)
        run.wait_renders(3)
        assert "Paper zur Leitlinie geschickt" in digest(root)
        assert digest(root).startswith("# Netzwerk-Digest")
        write(config, "")  # a comment-free, empty config: the defaults, in English
        run.wait_renders(4)
        assert digest(root).startswith("# Network digest, week 50/2026")


# ---------------------------------------------------------------- time


class Clock:
    """A settable wall clock."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_monday_midnight_renders_the_new_week_without_any_file_change(tmp_path: Path) -> None:
    root = vault(tmp_path)
    clock = Clock(dt.datetime(2026, 12, 13, 23, 59, 58))  # a Sunday
    with watching(root, today=None, clock=clock) as run:
        assert "as of Dec 13, 2026" in digest(root)
        clock.now = dt.datetime(2026, 12, 14, 0, 0, 1)
        run.wait_renders(2)
        monday = dt.date(2026, 12, 14)
        assert re.fullmatch(rf"00:00:01  new week 2026-W51 · {found(root, monday)} · \d+ ms · "
                            r"digest/2026-W51\.md written", run.status())
        assert "# Network digest, week 51/2026" in digest(root, "digest/2026-W51.md")
        assert "as of Dec 13, 2026" in digest(root)  # last week's file stays as it was
        clock.now = dt.datetime(2026, 12, 15, 0, 0, 2)
        run.wait_renders(3)
        assert run.status().startswith("00:00:02  new day (2026-12-15) · ")
        assert "as of Dec 15, 2026" in digest(root, "digest/2026-W51.md")
        time.sleep(QUIET)
        assert run.renders == 3


def test_a_fixed_today_never_rolls_over(tmp_path: Path) -> None:
    root = vault(tmp_path)
    clock = Clock(dt.datetime(2026, 12, 13, 23, 59, 58))
    with watching(root, today=dt.date(2026, 12, 13), clock=clock) as run:
        clock.now = dt.datetime(2026, 12, 14, 0, 0, 1)
        time.sleep(QUIET)
        assert run.renders == 1
        assert not (root / "digest/2026-W51.md").exists()


# ---------------------------------------------------------------- observers and limits


def test_polling_mode_sees_changes(tmp_path: Path) -> None:
    root = vault(tmp_path)
    with watching(root, poll=True) as run:
        assert run.lines[0].endswith("(polling every 0.1 s); Ctrl-C stops.")
        assert run.watcher.mode == "poll"
        save_vim(root / "contacts/Anna.md", ANNA_GAVE)
        run.wait_renders(2)
        assert "Paper zur Leitlinie geschickt" in digest(root)
        (root / "contacts/Bernd.md").unlink()
        run.wait_renders(3)
        assert "Bernd" not in digest(root)


class LimitReached(Observer):  # type: ignore[misc, valid-type]
    """The inotify observer as the kernel refuses its watch (ENOSPC, as watchdog raises it)."""

    def start(self) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


def test_the_watch_limit_says_how_to_raise_it_and_falls_back_to_polling(tmp_path: Path
                                                                        ) -> None:
    root = vault(tmp_path)
    with watching(root, native=LimitReached) as run:
        assert run.watcher.mode == "poll"
        assert run.problems[0] == ("The inotify limit is reached (inotify watch limit "
                                   "reached): watching by polling every 0.1 s instead.")
        assert "sudo sysctl fs.inotify.max_user_watches=524288" in run.problems[1]
        assert "/etc/sysctl.d/" in run.problems[1]
        save_in_place(root / "contacts/Anna.md", ANNA_GAVE)
        run.wait_renders(2)
        assert "Paper zur Leitlinie geschickt" in digest(root)


class RootOnly(Observer):  # type: ignore[misc, valid-type]
    """inotify that watches the vault root but, as at the watch limit, none of its folders."""

    def schedule(self, handler: Any, path: Any, *, recursive: bool = False,
                 **options: Any) -> Any:
        return super().schedule(handler, path, recursive=False, **options)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_folders_left_unwatched_at_the_limit_fall_back_to_polling(tmp_path: Path) -> None:
    root = vault(tmp_path, **{"goals__Ziel.md": "---\ntarget: 1\n---\n"})
    with watching(root, native=RootOnly) as run:
        assert run.watcher.mode == "poll"
        assert run.problems[0] == (
            "inotify could not watch 2 of the vault's 3 folders (the watch limit is "
            "reached): watching by polling every 0.1 s instead.")
        assert "sudo sysctl fs.inotify.max_user_watches=524288" in run.problems[1]
        (root / "contacts/Bernd.md").unlink()
        run.wait_renders(2)
        assert "Bernd" not in digest(root)


def test_a_recursive_inotify_watch_covers_every_folder(tmp_path: Path) -> None:
    root = vault(tmp_path, **{"Journal__2026__x.md": ""})
    observer = Observer()
    observer.schedule(FileSystemEventHandler(), str(root), recursive=True)
    observer.start()
    try:
        assert missing_watches(root) == (0, 4)  # the root, contacts, Journal, Journal/2026
    finally:
        observer.stop()
        observer.join()


# ---------------------------------------------------------------- the command


def start_cli(root: Path, tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "netzmd", "watch", "--vault", str(root), "--today",
         "2026-12-10", "--lang", "en", "--debounce", "0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_sigterm_and_ctrl_c_exit_0(tmp_path: Path, sig: signal.Signals) -> None:
    root = vault(tmp_path)
    process = start_cli(root, tmp_path)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith(f"Watching {root.resolve()}"), first
        status = process.stdout.readline()
        assert f" first render · {found(root)} · " in status, status
        process.send_signal(sig)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert (process.returncode, out, err) == (0, "Stopped.\n", "")
    assert (root / DIGEST).is_file()


def test_a_broken_config_at_start_exits_2(tmp_path: Path) -> None:
    root = vault(tmp_path, **{"netzmd.toml": "colour = 1\n"})
    result = CliRunner().invoke(cli, ["watch", "--vault", str(root), "--today", "2026-12-10"])
    assert (result.exit_code, result.output) == (2, "netzmd: netzmd.toml: unknown key 'colour'\n")


def test_an_output_outside_the_vault_exits_2(tmp_path: Path) -> None:
    root = vault(tmp_path)
    result = CliRunner().invoke(cli, ["watch", "--vault", str(root), "--today", "2026-12-10",
                                      "--lang", "en", "-q", "-o", str(tmp_path / "out.md")])
    assert result.exit_code == 2
    assert "out.md" in result.output and "outside" in result.output


# ---------------------------------------------------------------- incremental vault


def age(path: Path, seconds: int = 60) -> None:
    """Make a file (every file in a folder) look written a while ago: no longer "racy"."""
    past = time.time_ns() - seconds * 10**9
    for each in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(each, ns=(past, past), follow_symlinks=False)


def test_a_refresh_reads_only_what_changed(tmp_path: Path) -> None:
    root = vault(tmp_path, **{"Journal__2026-12-01 Klinik.md": "- [[Anna]] Visite\n"})
    age(root)
    live = IncrementalVault(root)
    assert live.refresh() == [Change("created", "Journal/2026-12-01 Klinik.md"),
                              Change("created", "contacts/Anna.md"),
                              Change("created", "contacts/Bernd.md")]
    first = live.vault()
    assert (live.refresh(), live.reads) == ([], 0)
    assert live.vault() is first

    os.utime(root / "contacts/Anna.md")
    assert (live.refresh(), live.reads) == ([], 1)  # touched: read again, nothing new
    assert live.vault() is first

    save_vim(root / "contacts/Anna.md", ANNA_GAVE)
    assert (live.refresh(["contacts/Anna.md~", "contacts/Anna.md"]), live.reads) == (
        [Change("changed", "contacts/Anna.md")], 1)
    # Anna was written a moment ago: a same-size edit within the file system's timestamp
    # granularity could hide behind an unchanged stat, so it is read again until it is old.
    assert (live.refresh(), live.reads) == ([], 1)
    age(root / "contacts/Anna.md")
    assert (live.refresh(), live.reads) == ([], 1)  # aged: its stat changed once more
    assert (live.refresh(), live.reads) == ([], 0)

    (root / "contacts/Bernd.md").unlink()
    write(root / "contacts/Carla.md", BERND.replace("Bernd", "Carla"))
    assert (live.refresh(), live.reads) == (
        [Change("deleted", "contacts/Bernd.md"), Change("created", "contacts/Carla.md")], 1)
    os.rename(root / "contacts/Carla.md", root / "contacts/Carla Vogt.md")
    assert live.refresh(["contacts/Carla.md", "contacts/Carla Vogt.md"]) == [
        Change("renamed", "contacts/Carla Vogt.md", "contacts/Carla.md")]
    assert live.vault() == load_vault(root)


def test_a_refresh_of_paths_defers_to_a_walk_for_anything_unusual(tmp_path: Path) -> None:
    root = vault(tmp_path)
    live = IncrementalVault(root)
    live.refresh()
    (root / "contacts/Neu").mkdir()
    write(root / "contacts/Neu/Dora.md", BERND.replace("Bernd", "Dora"))
    write(root / "contacts/Anna.sync-conflict-20261201-101010-ABC.md", ANNA)
    os.symlink(root / "contacts/Anna.md", root / "Anna-Link.md")
    # Only the new note's path is given: its folder is new, so the whole vault is walked.
    assert live.refresh(["contacts/Neu/Dora.md"]) == [
        Change("created", "Anna-Link.md"),
        Change("created", "contacts/Anna.sync-conflict-20261201-101010-ABC.md"),
        Change("created", "contacts/Neu/Dora.md"),
    ]
    assert live.vault() == load_vault(root)
    assert {c.name for c in live.vault().contacts} == {"Anna Keller", "Bernd Roth", "Dora Roth"}
