"""Hostile and broken input: the corpus in tests/fixtures/hostile, and read-only commands.

Every file of the corpus is broken in one way and listed in EXPECTED with the data findings it
must produce. What git cannot carry faithfully (a 3 MB note, links that leave the vault, a
FIFO) is added at run time to a copy of the corpus in a temporary folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from netzmd.cli import cli
from netzmd.vault import MAX_FILE_SIZE, load_vault
from tests.conftest import EXAMPLE_VAULT, ROOT

CORPUS = ROOT / "tests" / "fixtures" / "hostile"
OBSIDIAN = ROOT / "tests" / "fixtures" / "obsidian-vault"
TODAY = "2026-12-10"

# Written only into the files outside the vault: it must never reach the output.
OUTSIDE_MARKER = "OUTSIDE-VAULT-MARKER-7f3a9c"
# What the `!!python/object/apply` payloads in the corpus would create if they ran.
PWNED = Path("/tmp/netzmd-pwned")

# The data rules of SPEC 3.3: the loader's findings. Relationship and strategy rules look at
# what loaded; they are tested elsewhere and may fire on the corpus as they like.
DATA_RULES = frozenset({
    "yaml-error", "encoding-error", "bad-field", "bad-date", "future-date",
    "duplicate-contact", "unknown-goal", "conflict-copy", "file-too-large", "outside-vault",
    "patient-data",
})

ANNA = "contacts/Anna Keller.md"

# path -> the data findings (rule, line) it must produce, in output order.
EXPECTED: dict[str, list[tuple[str, int | None]]] = {
    ANNA: [],
    # Sync conflict copies: Syncthing, Nextcloud, Dropbox (owner first), capitalised.
    "contacts/Anna Keller.sync-conflict-20261201-101010-ABCDEF1.md": [("conflict-copy", None)],
    "contacts/Anna Keller (conflicted copy 2026-12-01 101010).md": [("conflict-copy", None)],
    "contacts/Anna Keller (Bernd's conflicted copy 2026-12-01).md": [("conflict-copy", None)],
    "contacts/Anna Keller (Conflicted copy 2026-12-01).md": [("conflict-copy", None)],
    # Billion laughs: refused at the first anchor, before any alias is expanded.
    "contacts/yaml-bomb.md": [("yaml-error", 2)],
    # 5,000 nested `[` on line 3: refused at depth 100, no RecursionError.
    "contacts/deep-nesting.md": [("yaml-error", 3)],
    # Tags are refused at their line; nothing is constructed, so nothing runs.
    "contacts/python-object.md": [("yaml-error", 3)],
    "contacts/python-name.md": [("yaml-error", 2)],
    # Not UTF-8: skipped, at the line of the first byte that is not UTF-8.
    "contacts/latin1.md": [("encoding-error", 2)],
    "contacts/utf16.md": [("encoding-error", 1)],
    # Random bytes with NUL: the decoder refuses them before YAML sees anything.
    "contacts/binary.md": [("encoding-error", 1)],
    # NUL is valid UTF-8 but not YAML: the front matter is refused, the log still loads.
    "contacts/nul-bytes.md": [("yaml-error", 2)],
    "contacts/tab-indent.md": [("yaml-error", 4)],
    # `on:`, `yes:`, `2024:` are ordinary keys to netzmd: no finding.
    "contacts/yaml11-keys.md": [],
    "contacts/complex-key.md": [("yaml-error", 3)],
    # Duplicate keys are an error at the second key (which value would the user mean?).
    "contacts/duplicate-keys.md": [("yaml-error", 4)],
    "contacts/list-front-matter.md": [("yaml-error", 2)],
    "contacts/string-front-matter.md": [("yaml-error", 2)],
    "contacts/unclosed.md": [("yaml-error", 1)],
    "contacts/empty.md": [],
    "goals/broken-goal.md": [("bad-field", None), ("bad-field", 3)],
    "notes/2026-12-01 Fallkonferenz.md": [],
}

# Added at run time by `build_hostile`.
RUNTIME: dict[str, list[tuple[str, int | None]]] = {
    "contacts/huge.md": [("file-too-large", None)],
    "contacts/huge-front-matter.md": [("yaml-error", 1)],
    "contacts/Outside Person.md": [("outside-vault", None)],
    "contacts/outside-folder": [("outside-vault", None)],
    # Not notes: a FIFO (opening it would block), a link loop, a dangling link, a link to the
    # vault root. Skipped without a finding; what matters is that the run ends.
    "contacts/pipe.md": [],
    "contacts/loop.md": [],
    "contacts/dangling.md": [],
    "contacts/vault-root": [],
}


class Hang(BaseException):
    """Not an OSError or Exception, so no `except` in netzmd or Click can swallow it."""


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: a blocked open() or a runaway loop raises after `seconds`."""

    def expire(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def build_hostile(base: Path) -> Path:
    """A copy of the corpus plus the run-time cases; files outside it carry the marker."""
    vault = base / "vault"
    shutil.copytree(CORPUS, vault, symlinks=True)
    outside = base / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.md").write_text(
        f"---\nname: Outside Person {OUTSIDE_MARKER}\ncircle: key\n---\n"
        f"- 2026-12-01 took: {OUTSIDE_MARKER} secret entry\n",
        encoding="utf-8",
    )
    (outside / "folder" / "Folder Person.md").write_text(
        f"---\nname: Folder Person\nrole: {OUTSIDE_MARKER}\n---\n"
        f"- 2026-12-02 call: {OUTSIDE_MARKER}\n",
        encoding="utf-8",
    )
    contacts = vault / "contacts"
    entry = "- 2026-11-01 call: Eine Zeile von vielen in einer viel zu großen Notiz\n"
    huge = "---\nname: Huge\n---\n" + entry * (3 * 1024 * 1024 // len(entry) + 1)
    (contacts / "huge.md").write_text(huge, encoding="utf-8")
    front = "".join(f"field_{i:05d}: some value that fills the front matter\n" for i in range(1400))
    (contacts / "huge-front-matter.md").write_text(
        f"---\nname: Big Front Matter\n{front}---\n- 2026-11-01 call: Body\n", encoding="utf-8"
    )
    os.symlink(outside / "secret.md", contacts / "Outside Person.md")
    os.symlink(outside / "folder", contacts / "outside-folder")
    os.mkfifo(contacts / "pipe.md")
    os.symlink("loop.md", contacts / "loop.md")
    os.symlink("nowhere.md", contacts / "dangling.md")
    os.symlink("..", contacts / "vault-root")
    return vault


def invoke(*args: str, vault: Path) -> Result:
    """Run the CLI the way a user would; exceptions are kept for the test to inspect."""
    with deadline(60):
        return CliRunner().invoke(cli, [*args, "--vault", str(vault), "--today", TODAY])


def assert_calm(result: Result) -> None:
    """Exit 0, 1 or 2, no traceback, nothing from outside the vault."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exception: {result.exception!r}\n{result.output}")
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    assert OUTSIDE_MARKER not in result.output


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_hostile(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def corpus_run(hostile: Path) -> tuple[Result, float]:
    """One `check --format json` over the whole corpus, timed."""
    if PWNED.exists():
        PWNED.unlink()  # left over from elsewhere: it must not hide a new execution
    start = time.perf_counter()
    result = invoke("check", "--format", "json", vault=hostile)
    return result, time.perf_counter() - start


def test_expected_table_covers_the_corpus() -> None:
    committed = {
        path.relative_to(CORPUS).as_posix()
        for path in CORPUS.rglob("*")
        if path.is_file() and path.name != "netzmd.toml"
    }
    assert committed == set(EXPECTED)
    assert not committed & set(RUNTIME)


def test_corpus_run_is_calm_quick_and_executes_nothing(corpus_run: tuple[Result, float]) -> None:
    result, seconds = corpus_run
    assert_calm(result)
    assert result.exit_code == 1
    assert result.stderr == ""
    # A generous bound: a bomb that expanded or a quadratic parser would take minutes.
    assert seconds < 10
    assert not PWNED.exists()


def test_corpus_run_names_every_bad_file(corpus_run: tuple[Result, float]) -> None:
    report = json.loads(corpus_run[0].stdout)
    named = {f["path"] for f in report["findings"]}
    bad = {path for path, found in {**EXPECTED, **RUNTIME}.items() if found}
    assert bad <= named
    assert report["summary"]["contacts"] == len(LOADED)


@pytest.mark.parametrize(("path", "expected"), sorted({**EXPECTED, **RUNTIME}.items()))
def test_each_file_gives_its_finding(
    corpus_run: tuple[Result, float], path: str, expected: list[tuple[str, int | None]]
) -> None:
    findings = json.loads(corpus_run[0].stdout)["findings"]
    found = [(f["rule"], f["line"]) for f in findings
             if f["path"] == path and f["rule"] in DATA_RULES]
    assert found == expected


def test_every_finding_has_a_readable_message(corpus_run: tuple[Result, float]) -> None:
    for finding in json.loads(corpus_run[0].stdout)["findings"]:
        assert finding["message"], finding
        assert "None" not in finding["message"], finding


# Not contacts: conflict copies, files that are not UTF-8 or too large, links out of the
# vault, and what is not a note. Everything else under contacts/ loads, however broken.
LOADED = sorted([
    ANNA, "contacts/complex-key.md", "contacts/deep-nesting.md", "contacts/duplicate-keys.md",
    "contacts/empty.md", "contacts/huge-front-matter.md", "contacts/list-front-matter.md",
    "contacts/nul-bytes.md", "contacts/python-name.md", "contacts/python-object.md",
    "contacts/string-front-matter.md", "contacts/tab-indent.md", "contacts/unclosed.md",
    "contacts/yaml-bomb.md", "contacts/yaml11-keys.md",
])


def test_broken_files_still_load_what_they_can(hostile: Path) -> None:
    with deadline(60):
        vault = load_vault(hostile)
    by_path = {c.path: c for c in vault.contacts}
    assert sorted(by_path) == LOADED
    # The empty file is a contact named by its file; the conflict copies are not loaded.
    assert by_path["contacts/empty.md"].name == "empty"
    assert by_path["contacts/empty.md"].fields == {}
    assert [c.name for c in vault.contacts if "Keller" in c.name] == ["Dr. Anna Keller"]
    # Refused front matter loads no fields, but the log still counts.
    for path, date in [("contacts/unclosed.md", "2026-11-25"),
                       ("contacts/nul-bytes.md", "2026-11-20"),
                       ("contacts/tab-indent.md", "2026-11-20"),
                       ("contacts/python-object.md", "2026-11-02")]:
        contact = by_path[path]
        assert contact.fields == {}
        assert [i.date.isoformat() for i in contact.interactions] == [date]
    assert by_path["contacts/nul-bytes.md"].interactions[0].text == "Text mit \x00 mittendrin"
    # Keys and values stay as written: no YAML 1.1 booleans, numbers or sexagesimals.
    assert by_path["contacts/yaml11-keys.md"].fields == {
        "on": "yes", "yes": "no", "off": None, "2024": "Kongress in Wien", "country": "NO",
        "phone": "0301234567", "postcode": "01067", "time": "12:30", "version": 1.1,
    }
    # Nothing from outside the vault is loaded or linked.
    for contact in vault.contacts:
        assert OUTSIDE_MARKER not in repr(contact)
    assert "contacts/huge.md" not in by_path
    assert (hostile / "contacts" / "huge.md").stat().st_size > MAX_FILE_SIZE


def test_outside_contacts_cannot_be_shown(hostile: Path) -> None:
    for name in ("Outside Person", "Folder Person"):
        result = invoke("show", name, vault=hostile)
        assert_calm(result)
        assert result.exit_code == 2
        assert result.stderr == f"No contact matches '{name}'.\n"


def test_python_tags_are_not_run_by_any_command(hostile: Path) -> None:
    if PWNED.exists():
        PWNED.unlink()
    for args in (["check"], ["list", "--format", "json"], ["export", "json"],
                 ["show", "python-object"]):
        assert_calm(invoke(*args, vault=hostile))
    assert not PWNED.exists()


def test_text_output_names_file_and_line(hostile: Path) -> None:
    result = invoke("check", "--select", "yaml-error,encoding-error", vault=hostile)
    assert_calm(result)
    lines = result.stdout.splitlines()
    assert "contacts/yaml-bomb.md:2: error yaml-error: front matter: YAML anchors, aliases and "\
        "tags are not allowed (column 4)" in lines
    assert "contacts/latin1.md:2: error encoding-error: not valid UTF-8; file skipped" in lines


def plant_config(vault: Path, kind: str) -> None:
    config = vault / "netzmd.toml"
    config.unlink()
    if kind == "dev-zero":
        os.symlink("/dev/zero", config)
    elif kind == "outside":
        # Were it read, its value would be echoed: "'lang' must be one of de, en, not ...".
        outside = vault.parent / "outside.toml"
        outside.write_text(f'lang = "{OUTSIDE_MARKER}"\n', encoding="utf-8")
        os.symlink(outside, config)
    elif kind == "fifo":
        os.mkfifo(config)
    else:
        config.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")


@pytest.mark.parametrize(("kind", "message"), [
    ("dev-zero", "netzmd: netzmd.toml: netzmd.toml is a link to a file outside the vault\n"),
    ("outside", "netzmd: netzmd.toml: netzmd.toml is a link to a file outside the vault\n"),
    ("fifo", "netzmd: netzmd.toml: netzmd.toml is not a regular file of at most 1 MiB\n"),
    ("deep", "netzmd: netzmd.toml: netzmd.toml is nested too deeply\n"),
])
def test_planted_netzmd_toml_is_refused(tmp_path: Path, kind: str, message: str) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(CORPUS, vault)
    plant_config(vault, kind)
    result = invoke("check", vault=vault)
    assert_calm(result)
    assert result.exit_code == 2
    assert result.stderr == message


# ---------------------------------------------------------------- read-only commands

# Every command, and how to run it without writing. Commands that write by design (log, new,
# init, import, watch) are tested by their own suites. A command missing here fails
# `test_every_command_is_classified`, so a new command gets a decision.
READ_ONLY: dict[str, list[list[str]]] = {
    "check": [["check"], ["check", "--format", "json"], ["check", "--format", "github"]],
    "list": [["list"], ["list", "--format", "json"], ["list", "--format", "csv"]],
    "show": [["show", "{name}"]],
    "export": [["export", "json"], ["export", "csv"], ["export", "ics"]],
    "goals": [["goals"], ["goals", "--format", "json"]],
    "digest": [["digest"], ["digest", "--format", "html"]],
    "report": [["report", "digest"], ["report", "quarter"], ["report", "contacts"]],
    "rules": [["rules"]],
    "doctor": [["doctor"]],
}
WRITERS = frozenset({"log", "new", "init", "import", "watch"})


def present_invocations() -> list[list[str]]:
    """The READ_ONLY invocations whose command (and subcommand) exists today."""
    import click

    found = []
    for name, invocations in READ_ONLY.items():
        command = cli.commands.get(name)
        if command is None:
            continue
        for args in invocations:
            if isinstance(command, click.Group) and args[1] not in command.commands:
                continue
            found.append(args)
    return found


def test_every_command_is_classified() -> None:
    unclassified = set(cli.commands) - set(READ_ONLY) - WRITERS
    assert not unclassified, f"add these commands to READ_ONLY or WRITERS: {unclassified}"


def tree_state(root: Path) -> dict[str, str]:
    """Every entry under root: file content hashes, link targets, folders, FIFOs."""
    state: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                state[rel] = "link:" + os.readlink(path)
            elif stat.S_ISDIR(mode):
                state[rel] = "dir"
            elif stat.S_ISREG(mode):
                state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                state[rel] = f"special:{stat.S_IFMT(mode)}"
    return state


def no_network(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(f"network access: {args!r}")


def build_vault(kind: str, base: Path) -> Path:
    if kind == "hostile":
        return build_hostile(base)
    source = OBSIDIAN if kind == "obsidian-vault" else EXAMPLE_VAULT
    vault = base / "vault"
    shutil.copytree(source, vault, symlinks=True)
    return vault


@pytest.mark.parametrize("kind", ["hostile", "obsidian-vault", "example-vault"])
def test_read_only_commands_change_nothing(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A parse cache belongs in the user cache folder: keep it out of the home folder and out
    # of what is hashed (only the vault and its surroundings are).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # netzmd never uses the network: any attempt fails the test.
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    base = tmp_path / "tree"
    vault = build_vault(kind, base)
    with deadline(60):
        loaded = load_vault(vault)
    name = loaded.contacts[0].name if loaded.contacts else "nobody"
    invocations = present_invocations()
    assert len(invocations) >= 9  # check, list, show, export json/csv at the least
    before = tree_state(base)
    if PWNED.exists():
        PWNED.unlink()
    for args in invocations:
        result = invoke(*(a.format(name=name) for a in args), vault=vault)
        assert_calm(result)
        assert tree_state(base) == before, f"{args} changed the vault"
    assert not PWNED.exists()
