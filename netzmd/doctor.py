"""`netzmd doctor`: what netzmd sees on this machine, and what to change when it is not well.

Each check returns a `Check(name, status, text, hint)`; the CLI only prints them. The facts
come from the same functions the other commands use (`find_root`, `load_config`,
`load_vault`), so doctor explains what they do instead of guessing.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from netzmd.cache import cache_dir, cache_path
from netzmd.config import CONFIG_FILE, Config, ConfigError, load_config
from netzmd.locale import detect_lang, t

Status = Literal["ok", "warn", "fail"]
EXIT_CODES: dict[Status, int] = {"ok": 0, "warn": 1, "fail": 2}

INOTIFY = Path("/proc/sys/fs/inotify")
# netzmd watch, Obsidian, a sync client and an editor may all watch the same vault folders,
# and the watches are counted per user: below this many per folder the budget runs out.
WATCHES_PER_FOLDER = 4
# The usual kernel default; a lower value was set on purpose and breaks desktop apps too.
MIN_INSTANCES = 128

# A typical contact's front matter: what the YAML micro-benchmark parses.
SAMPLE_FRONT_MATTER = """\
name: Dr. Anna Keller
aliases: [Anna Keller]
role: Oberärztin
organisation: Universitätsklinikum Rheinfeld, Kardiologie
specialty: Kardiologie
circle: key
met: 2023-11-24
met_at: Hochdruckliga-Kongress 2023
birthday: 1980-08-21
interests: [Triathlon, Jazz]
goals: ["[[Leitliniengruppe aufbauen]]"]
sector: academia
tags: [leitlinie, hypertonie]
email: anna.keller@uk-rheinfeld.example
phone: 07612704410
"""


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the diagnosis: a stable name, a status, the text, and advice (or "")."""

    name: str
    status: Status
    text: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class Diagnosis:
    lang: str
    checks: tuple[Check, ...]

    @property
    def status(self) -> Status:
        statuses = {check.status for check in self.checks}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"

    @property
    def exit_code(self) -> int:
        """0 all well, 1 advice to follow, 2 no vault or a broken config (like `check`)."""
        return EXIT_CODES[self.status]


@dataclass(frozen=True, slots=True)
class Located:
    """Where the vault is and which rule of SPEC 2 found it."""

    root: Path | None
    rule: Literal["option", "env", "marker", "none"]
    given: str | None = None  # the path named by --vault or $NETZMD_VAULT
    marker: str = ""  # netzmd.toml or .obsidian/
    levels: int = 0  # folders between the working directory and the vault


def locate(explicit: str | None, cwd: Path) -> Located:
    """Find the vault exactly as every command does, and say why it is that folder."""
    from netzmd.vault import VaultError, find_root

    env = os.environ.get("NETZMD_VAULT")
    given = explicit or env or None
    rule: Literal["option", "env", "none"] = "option" if explicit else "env" if env else "none"
    try:
        root = find_root(explicit, start=cwd)
    except VaultError:
        return Located(None, rule, given)
    if rule != "none":
        return Located(root, rule, given)
    marker = CONFIG_FILE if (root / CONFIG_FILE).is_file() else ".obsidian/"
    levels = len(cwd.resolve().relative_to(root).parts)
    return Located(root, "marker", marker=marker, levels=levels)


def diagnose(explicit_vault: str | None, lang: str | None = None, cwd: Path | None = None,
             inotify: Path | None = None, cache: bool = True) -> Diagnosis:
    """Run every check; `lang` is --lang (else the config's, else the locale's).

    The vault is read as the other commands read it: with the parse cache unless `cache`
    is False (--no-cache), so the time shown is the time they take.

    `inotify` is the folder with the kernel's inotify limits (default: INOTIFY); where it
    does not exist (not Linux), there is no inotify check.
    """
    here = cwd or Path.cwd()
    inotify = inotify or INOTIFY
    located = locate(explicit_vault, here)
    config: Config | None = None
    config_error: str | None = None
    if located.root is not None:
        try:
            config = load_config(located.root)
        except ConfigError as err:
            config_error = str(err)
    chosen = detect_lang(lang, config.lang if config else None)

    checks = [version_check(chosen), vault_check(chosen, located, here)]
    if located.root is not None:
        checks.append(config_check(chosen, located.root, config, config_error))
        if config is not None:
            checks.append(notes_check(chosen, located.root, config, cache))
    checks.append(yaml_check(chosen, yaml_speedup()))
    checks.append(cache_check(chosen, cache_dir(),
                              cache_path(located.root) if located.root else None))
    if inotify.is_dir():
        checks.append(inotify_check(chosen, inotify, located.root))
    checks.append(templates_check(chosen, located.root))
    return Diagnosis(chosen, tuple(checks))


def _say(lang: str, key: str, /, **values: Any) -> str:
    return t("doctor", key, lang, **values)


def _check(name: str, status: Status, lang: str, key: str, hint: str | None = None, /,
           **values: Any) -> Check:
    """A check whose text is the message `key` and whose advice is the message `hint`."""
    return Check(name, status, _say(lang, key, **values), _say(lang, hint) if hint else "")


def _decimal(value: float, digits: int, lang: str) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "de" else text


def version_check(lang: str) -> Check:
    from netzmd import __version__

    return _check("version", "ok", lang, "version", version=__version__,
                  python=platform.python_version(), executable=sys.executable)


def vault_check(lang: str, located: Located, cwd: Path) -> Check:
    if located.root is None:
        if located.rule == "option":
            return _check("vault", "fail", lang, "vault-missing-option", "vault-how",
                          path=located.given)
        if located.rule == "env":
            return _check("vault", "fail", lang, "vault-missing-env", "vault-how",
                          path=located.given)
        return _check("vault", "fail", lang, "vault-missing", "vault-how", cwd=str(cwd))
    root = str(located.root)
    if located.rule == "option":
        return _check("vault", "ok", lang, "vault-option", root=root)
    if located.rule == "env":
        return _check("vault", "ok", lang, "vault-env", root=root)
    if located.levels == 0:
        return _check("vault", "ok", lang, "vault-here", root=root, marker=located.marker)
    return _check("vault", "ok", lang, "vault-above", root=root, marker=located.marker,
                  levels=located.levels)


def config_check(lang: str, root: Path, config: Config | None, error: str | None) -> Check:
    path = root / CONFIG_FILE
    if config is None:
        return _check("config", "fail", lang, "config-error", "config-error-hint",
                      path=str(path), error=error or "")
    folders = {"contacts": _folder(config.contacts), "goals": _folder(config.goals),
               "output": _folder(config.output)}
    if not path.is_file():
        return _check("config", "ok", lang, "config-defaults", **folders)
    return _check("config", "ok", lang, "config-file", path=str(path),
                  language=config.lang or _say(lang, "config-auto"), **folders)


def _folder(name: str) -> str:
    name = name.strip().strip("/")
    return name if name not in ("", ".") else "."


def notes_check(lang: str, root: Path, config: Config, cache: bool = True) -> Check:
    from netzmd.vault import load_vault

    start = time.perf_counter()
    try:
        vault = load_vault(root, config, cache=cache)
    # A crash here is a bug in netzmd; doctor exists to report what breaks, so it shows the
    # error as a failed check rather than a traceback that hides the other checks.
    except Exception as err:
        return _check("notes", "fail", lang, "read-failed", "read-failed-hint",
                      error=f"{type(err).__name__}: {err}")
    seconds = _decimal(time.perf_counter() - start, 2, lang)
    counts: dict[str, Any] = {
        "notes": vault.notes, "contacts": len(vault.contacts), "goals": len(vault.goals)
    }
    if not vault.contacts:
        return _check("notes", "warn", lang, "no-contacts", "no-contacts-hint",
                      notes=vault.notes, contacts=_folder(config.contacts))
    if vault.findings:
        return _check("notes", "ok", lang, "notes-problems", seconds=seconds,
                      problems=len(vault.findings), **counts)
    return _check("notes", "ok", lang, "notes", seconds=seconds, **counts)


def yaml_speedup(sample: str = SAMPLE_FRONT_MATTER, rounds: int = 20, repeats: int = 5
                 ) -> float | None:
    """How many times faster libyaml parses `sample` than pure Python; None without libyaml.

    netzmd reads front matter as YAML events (frontmatter.py), so events are what is timed.
    One untimed warm-up each, then the best of interleaved repeats, so that a busy machine
    disturbs both loaders alike and the figure stays steady (about 60 ms in all).
    """
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return None

    def timed(loader: Any) -> float:
        start = time.perf_counter()
        for _ in range(rounds):
            for _event in yaml.parse(sample, Loader=loader):
                pass
        return time.perf_counter() - start

    timed(fast), timed(yaml.SafeLoader)
    best_fast = best_slow = float("inf")
    for _ in range(repeats):
        best_fast = min(best_fast, timed(fast))
        best_slow = min(best_slow, timed(yaml.SafeLoader))
    return best_slow / max(best_fast, 1e-9)


def shown_factor(speedup: float, lang: str) -> str:
    """A measured factor at the precision it has: `15`, `7`, `1,5` (German comma)."""
    if speedup >= 10:
        return str(int(5 * round(speedup / 5)))
    return _decimal(speedup, 0 if speedup >= 2 else 1, lang)


def yaml_check(lang: str, speedup: float | None) -> Check:
    if speedup is None:
        return _check("yaml", "warn", lang, "yaml-slow", "yaml-slow-hint")
    return _check("yaml", "ok", lang, "yaml-fast", factor=shown_factor(speedup, lang))


def cache_check(lang: str, folder: Path, vault_cache: Path | None = None) -> Check:
    """The cache folder; `vault_cache` is this vault's cache file, if there is a vault."""
    existing = next((p for p in (folder, *folder.parents) if p.exists()), folder)
    if not os.access(existing, os.W_OK):
        return _check("cache", "warn", lang, "cache-readonly", "cache-readonly-hint",
                      path=str(folder))
    if not folder.exists():
        return _check("cache", "ok", lang, "cache-empty", path=str(folder))
    sizes = list(_file_sizes(folder))
    values: dict[str, Any] = {"path": str(folder), "files": len(sizes),
                              "size": _size(sum(sizes), lang)}
    if vault_cache is not None and vault_cache.is_file():
        return _check("cache", "ok", lang, "cache-vault", name=vault_cache.name,
                      vault_size=_size(vault_cache.stat().st_size, lang), **values)
    return _check("cache", "ok", lang, "cache-present", **values)


def _file_sizes(folder: Path) -> Iterator[int]:
    for base, _dirs, names in os.walk(folder):
        for name in names:
            try:
                yield os.lstat(os.path.join(base, name)).st_size
            except OSError:
                continue


def _size(size: int, lang: str) -> str:
    units = ("B", "KB", "MB", "GB")
    value, index = float(size), 0
    while value >= 1000 and index < len(units) - 1:
        value /= 1000
        index += 1
    return f"{size} B" if index == 0 else f"{_decimal(value, 1, lang)} {units[index]}"


def count_folders(root: Path) -> int:
    """Every folder under the vault, hidden ones too: a recursive inotify watch covers them all."""
    return 1 + sum(len(dirs) for _base, dirs, _files in os.walk(root))


def inotify_check(lang: str, inotify: Path, root: Path | None) -> Check:
    try:
        watches = int((inotify / "max_user_watches").read_text().strip())
        instances = int((inotify / "max_user_instances").read_text().strip())
    except (OSError, ValueError):
        return _check("inotify", "warn", lang, "inotify-unreadable", path=str(inotify))
    if root is None:
        return _check("inotify", "ok", lang, "inotify-no-vault", watches=watches,
                      instances=instances)
    folders = count_folders(root)
    problems = []
    if watches < WATCHES_PER_FOLDER * folders:
        problems.append(_say(lang, "inotify-low-watches", watches=watches, folders=folders))
    if instances < MIN_INSTANCES:
        problems.append(_say(lang, "inotify-low-instances", instances=instances))
    if problems:
        return Check("inotify", "warn", "; ".join(problems), _say(lang, "inotify-hint"))
    return _check("inotify", "ok", lang, "inotify", watches=watches, instances=instances,
                  folders=folders)


def templates_check(lang: str, root: Path | None) -> Check:
    from netzmd.report import BUILTIN, TEMPLATES

    folder = root / TEMPLATES if root is not None else None
    if folder is None or not folder.is_dir():
        return _check("templates", "ok", lang, "templates-builtin", path=str(BUILTIN))
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name.endswith(".j2"))
    builtin = {p.name for p in BUILTIN.iterdir()} if BUILTIN.is_dir() else set()
    replaced = [name for name in names if name in builtin]
    overrides = _say(lang, "templates-overrides", names=", ".join(replaced)) if replaced else ""
    return _check("templates", "ok", lang, "templates-vault", path=str(folder),
                  count=len(names), overrides=overrides)
