"""`netzmd check` as a process: every byte printed, the exit code kept, nothing skipped.

A check run by `main()` (the console script, `python -m netzmd`) ends with os._exit once
its output is flushed; these tests make sure the user cannot tell, except by the time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from netzmd.cli import cli, main, terminal_safe
from tests.conftest import make_vault

TODAY = "2026-11-27"
# What the console script runs (`sys.exit(main())`), without depending on where it is.
CONSOLE_SCRIPT = "import sys; from netzmd.cli import main; sys.argv[0] = 'netzmd'; sys.exit(main())"


def big_vault(root: Path) -> Path:
    """Enough findings for more output than a pipe holds (64 KiB), one file name unsafe."""
    files: dict[str, str | bytes] = {
        f"contacts/Person {i:03d}.md": f"---\nname: Person {i}\ncircle: key\n---\n"
        f"- 2026-0{1 + i % 6}-02 call: Befund besprochen\n"
        for i in range(800)
    }
    files["contacts/Eve\x1b[2J.md"] = "---\nname: Eve\ncircle: key\n---\n- 2026-01-02 call: a\n"
    return make_vault(root, files)


def in_process(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--vault", str(root), "--today", TODAY, *args])
    return result.exit_code, result.output


def as_process(root: Path, *args: str, code: str | None = None, stdout: int | None = None
               ) -> subprocess.CompletedProcess[bytes]:
    start = [sys.executable, "-c", code] if code else [sys.executable, "-m", "netzmd"]
    # Buffered output, as in a user's shell: a missing flush would lose lines.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | {"LANG": "C.UTF-8"}
    return subprocess.run(
        [*start, "check", "--vault", str(root), "--today", TODAY, *args],
        stdout=stdout if stdout is not None else subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, check=False,
    )


@pytest.mark.parametrize("args", [
    ("--no-color",),
    ("--no-color", "--fail-on", "never"),
    ("--format", "json"),
    ("--format", "github", "--fail-on", "error"),
    ("--no-color", "-q", "--lang", "de"),
])
def test_a_real_process_prints_what_the_runner_prints(tmp_path: Path, args: tuple[str, ...]
                                                      ) -> None:
    root = big_vault(tmp_path)
    code, expected = in_process(root, *args)
    assert len(expected.encode()) > 64 * 1024
    for start in (None, CONSOLE_SCRIPT):
        proc = as_process(root, *args, code=start)
        assert proc.stderr == b""
        assert proc.stdout.decode() == expected
        assert proc.returncode == code


def test_output_to_a_file_is_complete(tmp_path: Path) -> None:
    root = big_vault(tmp_path / "vault")
    _, expected = in_process(root, "--no-color")
    target = tmp_path / "out.txt"
    with target.open("wb") as out:
        proc = as_process(root, "--no-color", stdout=out.fileno())
    assert proc.returncode == 1
    assert target.read_text(encoding="utf-8") == expected
    assert expected.endswith("\n801 contacts, 0 errors, 801 warnings, 1 info\n")


def test_exit_handlers_still_run(tmp_path: Path) -> None:
    """Whatever registered a handler for the end of the process gets it."""
    root = big_vault(tmp_path)
    _, expected = in_process(root, "--no-color")
    code = ("import atexit; atexit.register(print, 'handler ran'); " + CONSOLE_SCRIPT)
    proc = as_process(root, "--no-color", code=code)
    assert proc.returncode == 1
    assert proc.stdout.decode() == expected + "handler ran\n"


def test_main_with_arguments_returns_to_its_caller(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Library use (`main([...])`) ends in SystemExit, as before, never ends the process."""
    root = big_vault(tmp_path)
    with pytest.raises(SystemExit) as stop:
        main(["check", "--vault", str(root), "--today", TODAY, "--no-color"])
    assert stop.value.code == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "801 contacts, 0 errors, 801 warnings, 1 info"


def test_check_colours_the_level_only(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {
        "contacts/Anna.md": "---\nname: Anna\ncircle: key\nbirthday: 1980-12-01\n---\n"
                            "- 2026-08-01 took: Zweitmeinung\n",
        "contacts/Broken.md": "---\nname: [\n---\n",
    })
    result = CliRunner().invoke(cli, ["check", "--vault", str(root), "--today", TODAY,
                                      "--ignore", "no-goals"], color=True)
    assert result.output.splitlines() == [
        "contacts/Anna.md: \x1b[36minfo\x1b[0m birthday: birthday on 2026-12-01 (in 4 days)",
        "contacts/Anna.md: \x1b[33mwarning\x1b[0m overdue: last contact 118 days ago "
        "(2026-08-01); cadence is every 90 days",
        "contacts/Broken.md:3: \x1b[31merror\x1b[0m yaml-error: front matter: did not find "
        "expected node content (column 1)",
        "2 contacts, 1 error, 1 warning, 1 info",
    ]


def test_terminal_safe_keeps_text_and_replaces_control_characters() -> None:
    text = "Dr. Jürgen Müller – Zoë\u00a0Çelik\tşğ 📅 2026-12-01"
    assert terminal_safe(text) == text  # no-break space and tab are not unprintable controls
    assert terminal_safe("a\x1b[2Jb\nc\x9bd\x7f") == "a\ufffd[2Jb\ufffdc\ufffdd\ufffd"
