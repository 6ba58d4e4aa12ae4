"""Meta tests: every command explains itself with an example; the README matches the CLI."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner

from netzmd.cli import cli
from tests.conftest import ROOT


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path + " "))
    return found


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    for path, _ in all_commands(cli):
        result = runner.invoke(cli, [*path.split(), "--help"])
        assert result.exit_code == 0, path
        assert "Example" in result.output, f"`netzmd {path} --help` has no example"
        assert "netzmd " in result.output.split("Example", 1)[1], path


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `netzmd ([a-z]+)", readme, flags=re.MULTILINE))
    assert listed == set(cli.commands), "README's command table differs from `netzmd --help`"


def test_readme_starts_with_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:2500]
    assert "--vault example-vault --today 2026-12-10" in head
    assert "bash .ci/run" in head
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-m pytest" in ci
