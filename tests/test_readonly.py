"""Read-only commands change no byte in the vault (SPEC 4.3: netzmd writes only when asked)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from netzmd.cli import cli
from tests.conftest import EXAMPLE_VAULT

TODAY = "2026-12-10"

# Every command that only reads, with the arguments that make it run on the example vault.
# Commands still being built are tested as soon as the CLI has them.
READ_ONLY: list[tuple[str, ...]] = [
    ("check",),
    ("check", "--format", "json"),
    ("check", "--format", "github"),
    ("list",),
    ("list", "--format", "json"),
    ("list", "--format", "csv", "--sort", "balance"),
    ("show", "keller"),
    ("show", "mueller", "--lang", "en"),
    ("show", "nobody-by-that-name"),
    ("rules",),
    ("export", "json"),
    ("export", "csv"),
    ("goals",),
    ("goals", "--format", "json"),
    ("digest",),
    ("digest", "--format", "html"),
    ("export", "ics"),
    ("report", "contacts"),
    ("report", "quarter"),
    ("doctor",),
]


def available(args: tuple[str, ...]) -> bool:
    command: click.Command | None = cli
    for word in args[:2]:
        if not isinstance(command, click.Group):
            break
        command = command.commands.get(word)
        if command is None:
            return False
    return True


def state(root: Path) -> dict[str, tuple[str, int, int]]:
    """Every file and folder: content hash (folders: none), mode and mtime."""
    found: dict[str, tuple[str, int, int]] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        found[path.relative_to(root).as_posix()] = (digest, info.st_mode, info.st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (EXAMPLE_VAULT / "netzmd.toml").is_file():
        pytest.fail("example-vault/ is missing")
    root = tmp_path_factory.mktemp("readonly") / "example-vault"
    shutil.copytree(EXAMPLE_VAULT, root, symlinks=True)
    return root


@pytest.mark.parametrize("args", [a for a in READ_ONLY if available(a)], ids=" ".join)
def test_read_only_command_changes_nothing(vault: Path, args: tuple[str, ...]) -> None:
    before = state(vault)
    result = CliRunner().invoke(cli, [*args, "--vault", str(vault), "--today", TODAY])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    # 0 clean, 1 findings; `show` of an unknown name is a usage error.
    assert result.exit_code in ((2,) if "nobody-by-that-name" in args else (0, 1)), result.output
    assert state(vault) == before


def test_the_commands_above_cover_the_cli() -> None:
    # A new command must be listed here (read-only) or in WRITING (it writes when asked).
    writing = {"log", "new", "init", "import", "watch"}
    listed = {args[0] for args in READ_ONLY}
    assert set(cli.commands) - writing <= listed
