"""`netzmd doctor`: which vault and why, and clear advice when something is missing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from netzmd import doctor
from netzmd.cli import cli
from netzmd.doctor import (
    cache_check,
    diagnose,
    inotify_check,
    shown_factor,
    templates_check,
    yaml_check,
    yaml_speedup,
)
from netzmd.vault import load_vault
from tests.conftest import EXAMPLE_VAULT, make_vault

CONTACT = "---\nname: Dr. Anna Keller\ncircle: key\n---\n- 2026-11-02 met: Kongress\n"


@pytest.fixture(autouse=True)
def _quiet_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Generous inotify limits and an empty cache folder: the same diagnosis on any machine."""
    limits = tmp_path / "inotify"
    limits.mkdir()
    (limits / "max_user_watches").write_text("524288\n")
    (limits / "max_user_instances").write_text("512\n")
    monkeypatch.setattr(doctor, "INOTIFY", limits)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return limits


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["doctor", *args])
    return result.exit_code, result.output


def line(output: str, name: str) -> str:
    """The check line whose name column is `name`."""
    found = [row for row in output.splitlines() if re.match(rf"\S+\s+{re.escape(name)}\s", row)]
    assert len(found) == 1, output
    return found[0]


def test_example_vault_is_well_and_every_check_says_what_it_found() -> None:
    vault = load_vault(EXAMPLE_VAULT)
    code, output = run("--vault", str(EXAMPLE_VAULT), "--lang", "en", "--no-color")
    assert code == 0, output
    assert line(output, "vault") == f"ok    vault      {EXAMPLE_VAULT} (from --vault)"
    assert line(output, "config") == (
        f"ok    config     {EXAMPLE_VAULT}/netzmd.toml (lang: de; contacts in Kontakte/, "
        "goals in Ziele/, output to Digest/)"
    )
    assert re.fullmatch(
        rf"ok    notes      {vault.notes} notes, {len(vault.contacts)} contacts, "
        rf"{len(vault.goals)} goals, read in \d+\.\d\d s; {len(vault.findings)} data problems: "
        r"run netzmd check",
        line(output, "notes"),
    )
    assert re.fullmatch(r"ok    YAML       the fast YAML loader \(libyaml\) is present: front "
                        r"matter parses about \d+× faster than without it", line(output, "YAML"))
    folders = 1 + sum(1 for path in EXAMPLE_VAULT.rglob("*") if path.is_dir())
    assert line(output, "inotify") == (
        f"ok    inotify    max_user_watches 524288, max_user_instances 512; the vault has "
        f"{folders} folders (netzmd watch needs one watch per folder)"
    )
    assert line(output, "templates").startswith("ok    templates  built-in (")
    assert output.endswith("All is well.\n")


def test_german_output_with_decimal_comma_and_config_language() -> None:
    code, output = run("--vault", str(EXAMPLE_VAULT), "--no-color")
    assert code == 0
    assert re.search(r"^ok       Notizen        \d+ Notizen, \d+ Kontakte, 3 Ziele, gelesen in "
                     r"\d+,\d\d s", output, flags=re.MULTILINE), output
    assert output.endswith("Alles in Ordnung.\n")


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (".", "(holds netzmd.toml; it is the working directory)"),
        ("Journal", "(holds netzmd.toml; 1 folder above the working directory)"),
    ],
)
def test_explains_which_folder_upwards_was_found(
    where: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLE_VAULT / where)
    code, output = run("--lang", "en", "--no-color")
    assert code == 0
    assert line(output, "vault") == f"ok    vault      {EXAMPLE_VAULT} {expected}"


def test_an_obsidian_vault_without_config_uses_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "Obsidian"
    (root / ".obsidian").mkdir(parents=True)
    (root / "contacts" / "deep").mkdir(parents=True)
    (root / "contacts" / "Anna.md").write_text(CONTACT, encoding="utf-8")
    monkeypatch.chdir(root / "contacts" / "deep")
    code, output = run("--lang", "en", "--no-color")
    assert code == 0, output
    assert line(output, "vault") == (
        f"ok    vault      {root} (holds .obsidian/; 2 folders above the working directory)"
    )
    assert line(output, "config") == (
        "ok    config     no netzmd.toml, defaults apply (contacts in contacts/, goals in goals/, "
        "output to digest/)"
    )


def test_vault_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault(tmp_path / "v", {"contacts/Anna.md": CONTACT})
    monkeypatch.setenv("NETZMD_VAULT", str(root))
    code, output = run("--lang", "en")
    assert code == 0
    assert f"{root} (from $NETZMD_VAULT)" in line(output, "vault")


def test_no_vault_explains_how_netzmd_looks_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("--lang", "en", "--no-color")
    assert code == 2
    assert line(output, "vault") == (
        f"fail  vault      no vault found from {tmp_path}: neither it nor any folder above "
        "holds netzmd.toml or .obsidian/"
    )
    advice = output.split(line(output, "vault") + "\n", 1)[1]
    assert advice.startswith(
        "                 netzmd looks for the vault in this order:\n"
        "                   1. --vault PATH\n"
        "                   2. the environment variable NETZMD_VAULT\n"
    )
    for step in ("netzmd doctor --vault PATH", "export NETZMD_VAULT=PATH", "netzmd init PATH"):
        assert step in advice
    # The checks that need no vault still run; those that do are left out.
    assert "YAML" in output and "config" not in output and "notes" not in output
    assert output.endswith("Not ready: see above.\n")


def test_no_vault_in_german(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run("--lang", "de")
    assert code == 2
    assert "kein Vault gefunden ab" in output
    assert "So sucht netzmd das Vault, in dieser Reihenfolge:" in output
    assert "ein neues Vault anlegen: netzmd init PFAD" in output


def test_missing_vault_named_by_option_or_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere"
    code, output = run("--vault", str(missing), "--lang", "en")
    assert code == 2
    assert f"--vault {missing}: there is no such folder" in line(output, "vault")
    monkeypatch.setenv("NETZMD_VAULT", str(missing))
    code, output = run("--lang", "en")
    assert code == 2
    assert f"NETZMD_VAULT={missing}: there is no such folder" in line(output, "vault")


def test_broken_config_fails_and_names_the_key(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"contacts/Anna.md": CONTACT})
    (root / "netzmd.toml").write_text('colour = "blue"\n', encoding="utf-8")
    code, output = run("--vault", str(root), "--lang", "en", "--no-color")
    assert code == 2
    assert line(output, "config") == (
        f"fail  config     {root}/netzmd.toml: unknown key 'colour'"
    )
    assert "docs/format.md lists every key" in output
    assert "notes " not in output


def test_no_contacts_is_advice_exit_1(tmp_path: Path) -> None:
    root = make_vault(tmp_path, {"Kontakte/Anna.md": CONTACT, "Journal/2026-11-02.md": "x\n"})
    code, output = run("--vault", str(root), "--lang", "en", "--no-color")
    assert code == 1
    assert line(output, "notes") == "warn  notes      2 notes, but no contacts in contacts/"
    assert 'name it in netzmd.toml: contacts = "Folder"' in output
    assert output.endswith("Works, with advice above.\n")


def test_json_lists_every_check(tmp_path: Path) -> None:
    code, output = run("--vault", str(EXAMPLE_VAULT), "--format", "json", "--lang", "en")
    assert code == 0
    data = json.loads(output)
    assert data["version"] == 1 and data["status"] == "ok"
    assert [c["name"] for c in data["checks"]] == [
        "version", "vault", "config", "notes", "yaml", "cache", "inotify", "templates"
    ]
    assert data["checks"][1] == {"name": "vault", "status": "ok", "hint": None,
                                 "text": f"{EXAMPLE_VAULT} (from --vault)"}


def test_quiet_leaves_out_the_summary() -> None:
    code, output = run("--vault", str(EXAMPLE_VAULT), "-q", "--lang", "en")
    assert code == 0
    assert "All is well." not in output


def test_yaml_loader_speed_is_measured_and_its_absence_explained() -> None:
    speedup = yaml_speedup(rounds=5, repeats=3)
    # libyaml is part of PyYAML's wheels; parsing events in C is many times faster.
    assert speedup is not None and speedup > 2
    assert yaml_check("en", None) == doctor.Check(
        "yaml", "warn",
        "the fast YAML loader (libyaml) is missing: front matter parses about 10–20× slower",
        "reinstall PyYAML from a wheel that includes libyaml: "
        "pip install --force-reinstall --no-cache-dir PyYAML",
    )


def test_speed_factor_is_shown_at_the_precision_it_has() -> None:
    assert shown_factor(17.3, "en") == "15"
    assert shown_factor(13.0, "en") == "15"
    assert shown_factor(7.4, "en") == "7"
    assert shown_factor(1.46, "de") == "1,5"


def write_limits(folder: Path, watches: int, instances: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "max_user_watches").write_text(f"{watches}\n")
    (folder / "max_user_instances").write_text(f"{instances}\n")
    return folder


def test_low_inotify_limits_give_the_sysctl_advice(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"contacts/A.md": CONTACT, "goals/x/G.md": "x\n"})
    (root / ".git" / "objects").mkdir(parents=True)  # watched too: watchdog recurses into it
    low = write_limits(tmp_path / "low", 20, 128)
    check = inotify_check("en", low, root)
    assert check.status == "warn"
    assert check.text == (
        "max_user_watches 20 is low for 6 folders: netzmd watch, Obsidian, sync clients and "
        "editors share these watches"
    )
    assert "sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512" \
        in check.hint
    assert "netzmd watch --poll" in check.hint
    few = write_limits(tmp_path / "few", 524288, 16)
    assert inotify_check("en", few, root).text == (
        "max_user_instances 16 is low: every program that watches files needs one"
    )
    assert inotify_check("en", write_limits(tmp_path / "ok", 24, 128), root).status == "ok"
    assert inotify_check("en", tmp_path / "absent", root).status == "warn"


def test_cache_folder_before_and_after_a_cached_run(tmp_path: Path) -> None:
    from netzmd.cache import cache_dir, cache_path

    root = make_vault(tmp_path / "v", {"contacts/A.md": CONTACT})
    folder = cache_dir()
    assert folder == tmp_path / "cache" / "netzmd"  # XDG_CACHE_HOME is honoured
    assert cache_check("en", folder, cache_path(root.resolve())).text == (
        f"{folder} (not created yet)"
    )
    load_vault(root, cache=True)
    text = cache_check("en", folder, cache_path(root.resolve())).text
    assert re.fullmatch(rf"{re.escape(str(folder))} \(1 file, \d+ B\); this vault's parses: "
                        r"parse-[0-9a-f]{32}\.bin \(\d+ B\)", text), text


def test_vault_templates_and_what_they_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import netzmd.report

    builtin = tmp_path / "builtin"
    builtin.mkdir()
    (builtin / "digest.md.j2").write_text("x")
    monkeypatch.setattr(netzmd.report, "BUILTIN", builtin)
    root = make_vault(tmp_path / "v", {"templates/digest.md.j2": "x", "templates/mine.md.j2": "y",
                                       "templates/README.md": "not a template"})
    assert templates_check("en", root).text == (
        f"{root}/templates: 2 templates (instead of the built-in: digest.md.j2); the built-in "
        "ones for the rest"
    )
    assert templates_check("de", tmp_path).text == f"eingebaut ({builtin})"


def test_diagnosis_exit_code_is_the_worst_status(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", {"contacts/A.md": CONTACT})
    low = write_limits(tmp_path / "low", 1, 1)
    diagnosis = diagnose(str(root), "en", inotify=low)
    assert [c.status for c in diagnosis.checks if c.status != "ok"] == ["warn"]
    assert diagnosis.exit_code == 1
