"""Cadence values: named, German, or a count with a unit (SPEC 2.3)."""

from __future__ import annotations

import re

NAMED: dict[str, int | None] = {
    "weekly": 7,
    "biweekly": 14,
    "monthly": 30,
    "quarterly": 90,
    "halfyearly": 182,
    "yearly": 365,
    "none": None,
    "wöchentlich": 7,
    "zweiwöchentlich": 14,
    "monatlich": 30,
    "vierteljährlich": 90,
    "quartalsweise": 90,
    "halbjährlich": 182,
    "jährlich": 365,
    "keine": None,
}
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_COUNT = re.compile(r"([1-9][0-9]{0,4})\s*([dwmy])")


def parse_cadence(value: object) -> int | None:
    """Days between contacts, None for never; raises ValueError for anything else."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"not a cadence: {value!r}")
    text = value.strip().casefold()
    if text in NAMED:
        return NAMED[text]
    match = _COUNT.fullmatch(text)
    if match is None:
        raise ValueError(f"not a cadence: {value!r}")
    return int(match.group(1)) * _UNIT_DAYS[match.group(2)]
