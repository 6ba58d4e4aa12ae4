"""Data rules: problems the loader finds in files (SPEC 3.3). The loader yields them."""

from __future__ import annotations

from netzmd.findings import Level
from netzmd.rules.base import Rule

RULES = [
    Rule("yaml-error", Level.ERROR, None),
    Rule("encoding-error", Level.ERROR, None),
    Rule("bad-field", Level.ERROR, None),
    Rule("bad-date", Level.ERROR, None),
    Rule("duplicate-contact", Level.ERROR, None),
    Rule("unknown-goal", Level.WARNING, "P6"),
    Rule("conflict-copy", Level.WARNING, None),
    Rule("file-too-large", Level.WARNING, None),
    Rule("outside-vault", Level.WARNING, None),
    Rule("patient-data", Level.WARNING, None),
]
