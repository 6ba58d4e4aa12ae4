"""docs/rules.md documents every rule of the registry, and only those."""

from __future__ import annotations

import re

from netzmd.rules import REGISTRY
from tests.conftest import ROOT

HEADING = re.compile(r"^### `([a-z0-9-]+)`$", flags=re.MULTILINE)


def sections() -> dict[str, str]:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    parts = HEADING.split(text)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_rule_has_a_section_and_every_section_a_rule() -> None:
    assert sorted(sections()) == sorted(REGISTRY)


def test_each_section_gives_level_options_and_data() -> None:
    for rule_id, body in sections().items():
        rule = REGISTRY[rule_id]
        assert "**Checks**" in body, rule_id
        assert "**Options**" in body, rule_id
        assert "**Data**" in body, rule_id
        for option, default in rule.options.items():
            assert f"`{option}` = {default}" in body, (rule_id, option)
