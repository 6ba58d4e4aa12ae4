"""Shared helpers: real vaults in real temporary folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from netzmd.engine import run_rules
from netzmd.findings import Finding
from netzmd.vault import load_vault

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_VAULT = ROOT / "example-vault"


def make_vault(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write files (text as UTF-8 exactly as given, bytes as they are) under root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    (root / "netzmd.toml").touch(exist_ok=True)
    return root


def findings_for(
    root: Path, today: str, rules: set[str] | None = None, lang: str = "en"
) -> list[Finding]:
    vault = load_vault(root)
    return run_rules(vault, dt.date.fromisoformat(today), select=rules, lang=lang)


def summary(findings: list[Finding]) -> list[tuple[str, str | None, int | None, dict[str, object]]]:
    """(rule, path, line, data) per finding: what rule tests compare in one line."""
    return [(f.rule, f.path, f.line, f.data) for f in findings]


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("NETZMD_VAULT", "NETZMD_TODAY", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
