"""netzmd: a deliberate professional network in plain Markdown.

Library use::

    import datetime, netzmd
    vault = netzmd.load_vault("example-vault")
    findings = netzmd.run_rules(vault, today=datetime.date(2026, 12, 10))

The names below are imported on first use so that the command line starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netzmd.config import Config, ConfigError, load_config
    from netzmd.engine import run_rules
    from netzmd.findings import Finding, Level
    from netzmd.model import Birthday, Contact, Goal, Interaction, Task, Vault
    from netzmd.vault import VaultError, load_vault

__version__ = "0.1.0"

_EXPORTS = {
    "load_vault": "netzmd.vault",
    "VaultError": "netzmd.vault",
    "run_rules": "netzmd.engine",
    "Config": "netzmd.config",
    "ConfigError": "netzmd.config",
    "load_config": "netzmd.config",
    "Finding": "netzmd.findings",
    "Level": "netzmd.findings",
    "Birthday": "netzmd.model",
    "Contact": "netzmd.model",
    "Goal": "netzmd.model",
    "Interaction": "netzmd.model",
    "Task": "netzmd.model",
    "Vault": "netzmd.model",
}

__all__ = [
    "Birthday",
    "Config",
    "ConfigError",
    "Contact",
    "Finding",
    "Goal",
    "Interaction",
    "Level",
    "Task",
    "Vault",
    "VaultError",
    "__version__",
    "load_config",
    "load_vault",
    "run_rules",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'netzmd' has no attribute {name!r}")
    return getattr(import_module(module), name)
