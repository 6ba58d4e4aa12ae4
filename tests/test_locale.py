"""Both catalogues are complete and agree on placeholders."""

from __future__ import annotations

import re

from netzmd.locale import catalogue, fill
from netzmd.rules import REGISTRY

PLACEHOLDER = re.compile(r"\{(\w+)")


def test_same_keys_and_placeholders_in_de_and_en() -> None:
    de, en = catalogue("de"), catalogue("en")
    assert de.keys() == en.keys()
    for section in en:
        assert de[section].keys() == en[section].keys(), section
        for key in en[section]:
            assert set(PLACEHOLDER.findall(de[section][key])) == set(
                PLACEHOLDER.findall(en[section][key])
            ), (section, key)


def test_every_rule_has_description_and_message() -> None:
    for lang in ("de", "en"):
        for rule_id in REGISTRY:
            assert catalogue(lang)["rule"][rule_id].strip()
            assert catalogue(lang)["message"][rule_id].strip()


def test_plural_and_dates() -> None:
    assert fill("{n} {n|Tag|Tagen}", {"n": 1}, "de") == "1 Tag"
    assert fill("{n} {n|Tag|Tagen}", {"n": 2}, "de") == "2 Tagen"
