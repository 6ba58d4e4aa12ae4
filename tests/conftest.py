"""Shared helpers: real vaults in real temporary folders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
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


@pytest.fixture(autouse=True, scope="session")
def _private_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Module-scoped fixtures run commands before any test: they get a cache folder too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("session-cache")))
        yield


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                       ) -> None:
    for var in ("NETZMD_VAULT", "NETZMD_TODAY", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    # Commands keep a parse cache: tests must neither share the user's nor litter it.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
