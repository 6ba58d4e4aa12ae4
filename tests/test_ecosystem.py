"""netzmd where users already work: pre-commit, GitHub Actions, shell completion, Obsidian,
and a progress bar that appears only in a terminal."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from netzmd.cli import PROGRESS_MIN, ProgressBar, State, check, cli, progress_bar_for
from netzmd.vault import load_vault
from tests.conftest import EXAMPLE_VAULT, ROOT, make_vault

TODAY = "2026-12-10"
# No interaction for a key contact: an `overdue` warning on any day.
OVERDUE = "---\nname: Dr. Anna Keller\ncircle: key\n---\nKennengelernt beim Kongress.\n"
BROKEN = "---\nname: Jürgen Müller\n---\n## Log\n- 2026-02-30 met: Kongress\n"


def netzmd(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None
           ) -> subprocess.CompletedProcess[str]:
    """netzmd as a user's shell runs it: a separate process."""
    return subprocess.run([sys.executable, "-m", "netzmd", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, cwd=cwd, timeout=120)


# ---------------------------------------------------------------- pre-commit


def test_hook_manifest_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert (hook["id"], hook["entry"], hook["args"]) == (
        "netzmd-check", "netzmd check", ["--fail-on", "error"]
    )
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert [bool(files.search(p)) for p in (
        "Kontakte/Dr. Anna Keller.md", "netzmd.toml", "Bilder/foto.png", "netzmd.toml.bak"
    )] == [True, True, False, False]


def git(*args: str, cwd: Path, check: bool = True, **env: str
        ) -> subprocess.CompletedProcess[str]:
    # A fixed identity: the test must not depend on the machine's git configuration.
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **identity, **env},
                          check=check, capture_output=True, text=True, timeout=300)


def test_hook_blocks_only_commits_with_errors(tmp_path: Path) -> None:
    """Real commits in a vault repository, with the hook as the manifest defines it.

    pre-commit's own install of a `language: python` hook (a virtualenv, then `pip install`
    of this repository and its dependencies from the package index) takes 20 to 90 seconds
    and needs the network, too slow and too flaky for every test run. So the hook runs as a
    `repo: local` hook with the manifest's settings and `language: system`, calling the
    netzmd under test; the manifest itself is validated above. Exercised for real: the git
    hook, pre-commit's `files`, `pass_filenames` and `args`, netzmd's output and exit code.
    """
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    program, _, rest = hook["entry"].partition(" ")
    assert program == "netzmd"
    local = {key: hook[key] for key in ("id", "name", "args", "pass_filenames", "always_run",
                                        "files")}
    local |= {"language": "system",
              "entry": f"{shlex.quote(sys.executable)} -m netzmd {rest}"}
    vault = make_vault(tmp_path / "vault", {"contacts/Dr. Anna Keller.md": OVERDUE})
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (vault / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    git("init", "-q", cwd=vault)
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=vault,
                               env={**os.environ, **env}, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr

    def commit(message: str) -> tuple[int, str]:
        git("add", "-A", cwd=vault)
        done = git("commit", "-q", "-m", message, cwd=vault, check=False, **env)
        return done.returncode, done.stdout + done.stderr

    # An overdue contact is a reminder for the digest, not a reason to block a commit.
    code, output = commit("Anna")
    assert code == 0, output
    assert re.search(r"^netzmd check\.+Passed$", output, flags=re.MULTILINE), output

    (vault / "Bilder").mkdir()
    (vault / "Bilder" / "foto.png").write_bytes(b"\x89PNG")
    code, output = commit("Foto")
    assert code == 0, output
    assert re.search(r"^netzmd check\.+\(no files to check\)Skipped$", output,
                     flags=re.MULTILINE), output

    (vault / "contacts" / "Jürgen Müller.md").write_text(BROKEN, encoding="utf-8")
    code, output = commit("Müller")
    assert code == 1
    assert re.search(r"^netzmd check\.+Failed$", output, flags=re.MULTILINE), output
    assert "contacts/Jürgen Müller.md:5: error bad-date: '2026-02-30' is not a real date" \
        in output
    log = git("log", "--format=%s", cwd=vault).stdout.split()
    assert log == ["Foto", "Anna"]


# ---------------------------------------------------------------- GitHub Actions


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load((ROOT / "docs" / "github-workflow.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def run_steps() -> list[str]:
    return [step["run"] for job in workflow()["jobs"].values() for step in job["steps"]
            if "run" in step]


def test_workflow_runs_on_push_pull_requests_and_weekly() -> None:
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as true
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    steps = [step for job in data["jobs"].values() for step in job["steps"]]
    digest = next(shlex.split(s["run"]) for s in steps if "netzmd digest" in s.get("run", ""))
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert digest[digest.index("--format") + 1] == "html"
    assert upload["with"]["path"] == digest[digest.index("-o") + 1] == "digest.html"


def test_workflow_check_command_annotates_the_example_vault() -> None:
    (command,) = [shlex.split(run) for run in run_steps() if run.startswith("netzmd check")]
    assert command[:2] == ["netzmd", "check"] and "github" in command
    result = netzmd(*command[1:], "--vault", str(EXAMPLE_VAULT), "--today", TODAY)
    # The example vault has data errors, and the workflow fails on errors.
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(re.match(r"::(error|warning|notice) ", line) for line in lines)
    assert "::error file=Kontakte/Dr. Tobias Lehmann.md,line=5,title=yaml-error::" \
        "Front Matter: mapping values are not allowed in this context (Spalte 31)" in lines
    assert any(line.startswith("::warning file=Kontakte/") for line in lines)


def test_workflow_digest_step_writes_the_artifact(tmp_path: Path) -> None:
    (command,) = [shlex.split(run) for run in run_steps() if run.startswith("netzmd digest")]
    vault = tmp_path / "vault"
    shutil.copytree(EXAMPLE_VAULT, vault)
    # The steps run at the repository's root, which is the vault.
    result = netzmd(*command[1:], "--today", TODAY, cwd=vault)
    assert result.returncode == 0, result.stderr
    page = (vault / "digest.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "KW 50/2026" in page


def test_workflow_uses_only_existing_commands() -> None:
    for run in run_steps():
        words = shlex.split(run)
        if words[0] == "netzmd":
            assert words[1] in cli.commands, run


# ---------------------------------------------------------------- shell completion


def complete(args: list[str], incomplete: str) -> list[str]:
    """What Click's completion offers, in-process (no shell-specific quoting)."""
    completion = ShellComplete(cli, {}, "netzmd", "_NETZMD_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


@pytest.mark.parametrize("typed", ["mue", "mül", "MÜL", "muell", "jürgen m", "Dr. Mü"])
def test_names_with_umlauts_complete_however_they_are_typed(typed: str) -> None:
    assert complete(["show", "--vault", str(EXAMPLE_VAULT)], typed) == ["Dr. Jürgen Müller"]


def test_completion_matches_any_word_of_names_and_aliases() -> None:
    where = ["--vault", str(EXAMPLE_VAULT), "show"]
    assert complete(where, "gross") == ["Sabine Groß"]
    assert complete(where, "weber") == ["Dr. Christian Weber", "Dr. Miriam Weber"]
    assert complete(where, "fritzi") == ["Dr. Friederike Schäfer"]  # an alias
    assert len(complete(where, "")) == len(load_vault(EXAMPLE_VAULT).contacts)
    assert complete(where, "xyz") == []


def test_log_completes_names_too() -> None:
    assert complete(["log", "--vault", str(EXAMPLE_VAULT)], "özl") == ["Prof. Dr. Özlem Yıldız"]


def test_completion_without_a_usable_vault_offers_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert complete(["show"], "mue") == []
    broken = make_vault(tmp_path / "v", {"contacts/Müller.md": "x\n"})
    (broken / "netzmd.toml").write_text("lang = 3\n", encoding="utf-8")
    assert complete(["show", "--vault", str(broken)], "mue") == []


def test_bash_completion_protocol_escapes_for_readline(tmp_path: Path) -> None:
    def bash_complete(words: str, cword: int, cwd: Path | None = None,
                      **env: str) -> list[str]:
        result = netzmd(env={"_NETZMD_COMPLETE": "bash_complete", "COMP_WORDS": words,
                             "COMP_CWORD": str(cword), **env}, cwd=cwd)
        assert result.returncode == 0, result.stderr
        return [line for line in result.stdout.splitlines() if line]

    # Two backslashes: Click's bash script reads each line with `read`, which takes one.
    assert bash_complete(f"netzmd show --vault {EXAMPLE_VAULT} mue", 4) == [
        "plain,Dr.\\\\ Jürgen\\\\ Müller"
    ]
    # The vault found from the working directory, and from $NETZMD_VAULT.
    assert bash_complete("netzmd log sab", 2, cwd=EXAMPLE_VAULT / "Journal") == [
        "plain,Sabine\\\\ Groß"
    ]
    assert bash_complete("netzmd show gro", 2, cwd=tmp_path, NETZMD_VAULT=str(EXAMPLE_VAULT)) \
        == ["plain,Sabine\\\\ Groß"]
    # Several names: what was typed is offered too, so readline keeps it on the line.
    assert bash_complete(f"netzmd show --vault {EXAMPLE_VAULT} weber", 4) == [
        "plain,Dr.\\\\ Christian\\\\ Weber", "plain,Dr.\\\\ Miriam\\\\ Weber", "plain,weber"
    ]
    assert bash_complete("netzmd show mue", 2, cwd=tmp_path) == []


def test_zsh_and_fish_get_names_unquoted() -> None:
    words = f"netzmd show --vault {EXAMPLE_VAULT} mül"
    # zsh passes the word's index, fish the word itself (`commandline -t`).
    zsh = netzmd(env={"_NETZMD_COMPLETE": "zsh_complete", "COMP_WORDS": words,
                      "COMP_CWORD": "4"})
    assert zsh.stdout == "plain\nDr. Jürgen Müller\n_\n"
    fish = netzmd(env={"_NETZMD_COMPLETE": "fish_complete", "COMP_WORDS": words,
                       "COMP_CWORD": "mül"})
    # Click's framing for fish changed in 8.4.2 (`plain,NAME`, before: three lines).
    assert "Dr. Jürgen Müller" in fish.stdout and "\\" not in fish.stdout


def test_bash_completion_end_to_end(tmp_path: Path) -> None:
    """The install line of docs/ecosystem.md, then Tab, then running what bash inserted."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "netzmd"
    launcher.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m netzmd "$@"\n')
    launcher.chmod(0o755)
    script = f"""
        eval "$(_NETZMD_COMPLETE=bash_source netzmd)"
        COMP_WORDS=(netzmd show --vault {shlex.quote(str(EXAMPLE_VAULT))} mül)
        COMP_CWORD=4
        _netzmd_completion netzmd
        printf '%s\\n' "${{COMPREPLY[@]}}"
        eval "netzmd show --vault {shlex.quote(str(EXAMPLE_VAULT))} --today {TODAY} \\
              ${{COMPREPLY[0]}}" | head -n 2
    """
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines() == [
        "Dr.\\ Jürgen\\ Müller",
        "Dr. Jürgen Müller",
        "Kontakte/Dr. Jürgen Müller.md",
    ], result.stderr


def test_documented_install_lines_produce_completion_scripts() -> None:
    docs = (ROOT / "docs" / "ecosystem.md").read_text(encoding="utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_NETZMD_COMPLETE={shell}_source netzmd" in docs
        result = netzmd(env={"_NETZMD_COMPLETE": f"{shell}_source"})
        assert result.returncode == 0
        assert "_netzmd_completion" in result.stdout, shell


# ---------------------------------------------------------------- progress


def test_load_vault_reports_progress_per_note(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {f"contacts/P{i}.md": OVERDUE.replace("Dr. Anna Keller", f"P{i}")
                                 for i in range(3)})
    calls: list[tuple[int, int]] = []
    load_vault(root, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_cached_notes_are_not_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_vault(tmp_path / "v", {"contacts/A.md": OVERDUE, "contacts/B.md": BROKEN})
    cold: list[tuple[int, int]] = []
    load_vault(root, progress=lambda done, total: cold.append((done, total)), cache=True)
    assert cold == [(1, 2), (2, 2)]
    # Cache entries are trusted only once the file is older than the racy window.
    for note in (root / "contacts").iterdir():
        os.utime(note, (1_700_000_000, 1_700_000_000))
    load_vault(root, cache=True)
    warm: list[tuple[int, int]] = []
    load_vault(root, progress=lambda done, total: warm.append((done, total)), cache=True)
    assert warm == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_only_for_long_runs() -> None:
    screen = Terminal()
    bar = ProgressBar("Reading notes", file=screen)
    for done in range(1, PROGRESS_MIN + 1):
        bar(done, PROGRESS_MIN)
    assert screen.getvalue() == ""
    for done in range(1, PROGRESS_MIN + 2):
        bar(done, PROGRESS_MIN + 1)
    drawn = screen.getvalue()
    assert "Reading notes" in drawn and "100%" in drawn


def test_progress_only_in_a_terminal_and_never_for_machine_formats(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    def callback(args: dict[str, Any], quiet: bool = False) -> ProgressBar | None:
        ctx = click.Context(check, obj=State(quiet=quiet))
        ctx.params.update(args)
        with progress_bar_for(ctx, "de") as progress:
            return progress

    monkeypatch.setattr(sys, "stderr", Terminal())
    text = callback({"fmt": "text"})
    assert text is not None and text.label == "Notizen werden gelesen"
    assert callback({}) is not None
    assert [callback({"fmt": fmt}) for fmt in ("json", "csv", "github")] == [None] * 3
    assert callback({"fmt": "text"}, quiet=True) is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert callback({"fmt": "text"}) is None


def test_no_progress_output_outside_a_terminal(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {f"contacts/P{i}.md": f"---\nname: P{i}\n---\n"
                                 for i in range(PROGRESS_MIN + 20)})
    result = CliRunner().invoke(cli, ["check", "--vault", str(root), "--today", TODAY,
                                      "--lang", "en", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1].startswith(f"{PROGRESS_MIN + 20} contacts")


# ---------------------------------------------------------------- Obsidian


OBSIDIAN_TYPES = {"text", "multitext", "number", "checkbox", "date", "datetime", "aliases",
                  "tags"}


def documented_fields() -> set[str]:
    """Every front-matter field docs/format.md names: `field` in prose, `field:` in examples."""
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([a-z_]+)`", text)) | set(
        re.findall(r"^\s*([a-z_]+):", text, flags=re.MULTILINE)
    )


def test_obsidian_types_name_only_documented_fields() -> None:
    data = json.loads((EXAMPLE_VAULT / ".obsidian" / "types.json").read_text(encoding="utf-8"))
    types: dict[str, str] = data["types"]
    assert set(types) <= documented_fields(), set(types) - documented_fields()
    assert set(types.values()) <= OBSIDIAN_TYPES
    assert {f for f, kind in types.items() if kind == "date"} == {
        "met", "birthday", "snooze_until", "since", "by", "date"
    }
    assert {f for f, kind in types.items() if kind in ("multitext", "aliases", "tags")} == {
        "aliases", "tags", "interests", "goals", "netzmd_ignore"
    }
    # A phone number taken for a number would lose its leading zero.
    assert types["phone"] == "text"


def test_obsidian_settings_leave_the_example_vault_as_it_was() -> None:
    vault = load_vault(EXAMPLE_VAULT)
    assert not any(f.path and f.path.startswith(".obsidian") for f in vault.findings)
    assert all(not c.path.startswith(".obsidian") for c in vault.contacts)
