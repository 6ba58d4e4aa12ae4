"""netzmd.toml -> typed Config; every problem names its key (SPEC 2.7)."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netzmd.cadence import parse_cadence
from netzmd.log import DEFAULT_VOCABULARY, Vocabulary, fold

CONFIG_FILE = "netzmd.toml"
MAX_CONFIG_SIZE = 1024 * 1024
LANGS = ("de", "en")
LEVELS = ("error", "warning", "info", "off")
CIRCLES = ("key", "regular", "loose")


class ConfigError(Exception):
    """netzmd.toml is unreadable or invalid; the message names the key (exit 2)."""


@dataclass(frozen=True)
class Config:
    lang: str | None = None
    contacts: str = "contacts"
    goals: str = "goals"
    output: str = "digest"
    digest_path: str | None = None
    window_days: int = 365
    digest_size: int = 3
    cadence: dict[str, int | None] = field(
        default_factory=lambda: {"key": 90, "regular": 182, "loose": None}
    )
    vocabulary: Vocabulary = DEFAULT_VOCABULARY
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def digest_path_pattern(self) -> str:
        # Without an explicit digest_path the digest follows the output folder.
        return self.digest_path or f"{self.output}/{{year}}-W{{week}}.md"


_STR_KEYS = ("contacts", "goals", "output", "digest_path")
_INT_KEYS = {"window_days": (1, 100 * 365), "digest_size": (0, 1000)}
_TOP_KEYS = {"lang", *_STR_KEYS, *_INT_KEYS, "cadence", "vocabulary", "rules"}


def _type_name(value: object) -> str:
    return type(value).__name__


def parse_config(data: dict[str, Any]) -> Config:
    """Validate a parsed TOML table; raise ConfigError naming the first bad key."""
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(f"unknown key '{key}'")
    values: dict[str, Any] = {}
    if "lang" in data:
        if data["lang"] not in LANGS:
            raise ConfigError(f"'lang' must be one of {', '.join(LANGS)}, not {data['lang']!r}")
        values["lang"] = data["lang"]
    for key in _STR_KEYS:
        if key in data:
            if not isinstance(data[key], str) or not data[key].strip():
                raise ConfigError(f"'{key}' must be a non-empty string")
            values[key] = data[key]
    for key, (low, high) in _INT_KEYS.items():
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(f"'{key}' must be a whole number from {low} to {high}")
            values[key] = value
    if "cadence" in data:
        values["cadence"] = _parse_cadence_table(data["cadence"])
    if "vocabulary" in data:
        values["vocabulary"] = _parse_vocabulary(data["vocabulary"])
    if "rules" in data:
        values["rules"] = _parse_rules(data["rules"])
    return Config(**values)


def _parse_cadence_table(table: object) -> dict[str, int | None]:
    if not isinstance(table, dict):
        raise ConfigError("'cadence' must be a table")
    result: dict[str, int | None] = dict(Config().cadence)
    for circle, value in table.items():
        if circle not in CIRCLES:
            raise ConfigError(f"unknown key 'cadence.{circle}' (circles: {', '.join(CIRCLES)})")
        try:
            result[circle] = parse_cadence(value)
        except ValueError:
            raise ConfigError(f"'cadence.{circle}' is not a cadence: {value!r}") from None
    return result


def _parse_vocabulary(table: object) -> Vocabulary:
    if not isinstance(table, dict):
        raise ConfigError("'vocabulary' must be a table")
    words = {
        name: getattr(DEFAULT_VOCABULARY, name)
        for name in ("give", "take", "mutual", "personal", "career")
    }
    for name, value in table.items():
        if name not in words:
            raise ConfigError(f"unknown key 'vocabulary.{name}'")
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise ConfigError(f"'vocabulary.{name}' must be a list of strings")
        words[name] = frozenset(fold(w.lstrip("#")) for w in value)
    return Vocabulary(**words)


def _parse_rules(table: object) -> dict[str, dict[str, Any]]:
    from netzmd.rules import REGISTRY

    if not isinstance(table, dict):
        raise ConfigError("'rules' must be a table")
    result: dict[str, dict[str, Any]] = {}
    for rule_id, settings in table.items():
        rule = REGISTRY.get(rule_id)
        if rule is None:
            raise ConfigError(f"unknown rule 'rules.{rule_id}'")
        if not isinstance(settings, dict):
            raise ConfigError(f"'rules.{rule_id}' must be a table")
        checked: dict[str, Any] = {}
        for option, value in settings.items():
            where = f"rules.{rule_id}.{option}"
            if option == "level":
                if value not in LEVELS:
                    raise ConfigError(f"'{where}' must be one of {', '.join(LEVELS)}")
            elif option not in rule.options:
                raise ConfigError(f"unknown key '{where}'")
            else:
                default = rule.options[option]
                ok = isinstance(value, type(default)) and not isinstance(value, bool)
                if isinstance(default, float):
                    ok = isinstance(value, int | float) and not isinstance(value, bool)
                    if ok:
                        value = float(value)
                if not ok or value < 0:
                    raise ConfigError(
                        f"'{where}' must be a non-negative {_type_name(default)}"
                    )
            checked[option] = value
        result[rule_id] = checked
    return result


def load_config(root: Path) -> Config:
    """Read `netzmd.toml` at the vault root; defaults when there is none."""
    path = root / CONFIG_FILE
    try:
        info = path.stat()
        # A shared vault may carry a planted link: `netzmd.toml -> /dev/zero` must not read
        # forever, and a link to a file outside the vault must not echo it in messages.
        real_root = os.path.realpath(root)
        if not os.path.realpath(path).startswith(real_root + os.sep):
            raise ConfigError(f"{CONFIG_FILE} is a link to a file outside the vault")
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CONFIG_SIZE:
            raise ConfigError(f"{CONFIG_FILE} is not a regular file of at most 1 MiB")
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as err:
        raise ConfigError(f"cannot read {CONFIG_FILE}: {err.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{CONFIG_FILE} is not valid UTF-8") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{CONFIG_FILE}: {err}") from None
    except RecursionError:
        # tomllib recurses per nesting level; `a = [[[[...` a thousand deep exhausts it.
        raise ConfigError(f"{CONFIG_FILE} is nested too deeply") from None
    return parse_config(data)
