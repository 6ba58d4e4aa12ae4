"""Both catalogues are complete and agree on placeholders."""

from __future__ import annotations

import datetime as dt
import re

from netzmd.locale import catalogue, fill, format_value
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


def test_several_plurals_a_missing_value_and_braces() -> None:
    template = "{a} {a|Tag|Tage}, {b} {b|Woche|Wochen}; {c} {{wörtlich}}"
    assert fill(template, {"a": 1, "b": 3}, "de") == "1 Tag, 3 Wochen; {c} {wörtlich}"
    # A plural without its number reads as plural; the same template fills anew each time.
    assert fill(template, {"c": "x"}, "de") == "{a} Tage, {b} Wochen; x {wörtlich}"


def test_dates_per_language_also_when_repeated() -> None:
    day = dt.date(2026, 12, 1)
    for _ in range(2):
        assert fill("{d}", {"d": day}, "de") == "01.12.2026"
        assert fill("{d}", {"d": day}, "en") == "2026-12-01"
        assert fill("{d}", {"d": [day, dt.date(999, 1, 2)]}, "de") == "01.12.2026, 02.01.999"


def reference_fill(template: str, values: dict[str, object], lang: str) -> str:
    """What `fill` means: plural forms chosen first, then `str.format` over shown values."""
    def plural(match: re.Match[str]) -> str:
        return match.group(2) if values.get(match.group(1)) == 1 else match.group(3)

    class Missing(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    text = re.sub(r"\{(\w+)\|([^|{}]*)\|([^|{}]*)\}", plural, template)
    return text.format_map(Missing({k: format_value(v, lang) for k, v in values.items()}))


def test_every_catalogue_template_fills_as_str_format_would() -> None:
    samples: list[object] = [1, 2, 0, "ein {Text}", dt.date(2026, 2, 3), None, 0.25, 2.5,
                             [dt.date(2026, 1, 1), dt.date(2026, 2, 1)], ("a", 3)]
    for lang in ("de", "en"):
        for section, entries in catalogue(lang).items():
            for key, template in entries.items():
                names = sorted(set(PLACEHOLDER.findall(template)))
                for shift in range(len(samples)):
                    values = {n: samples[(i + shift) % len(samples)]
                              for i, n in enumerate(names)}
                    assert fill(template, values, lang) == reference_fill(
                        template, values, lang), (section, key, values)
                    if names:
                        # Without its value a placeholder stays as it is.
                        del values[names[0]]
                        assert fill(template, values, lang) == reference_fill(
                            template, values, lang), (section, key)


def test_templates_outside_plain_names_fill_as_str_format_would() -> None:
    for template in ("{n:>4}|", "{n!r} {{x}}", "{l[0]}", "{m:>3}", "{n} {n|Tag|Tage}"):
        values: dict[str, object] = {"n": 1, "l": "xy"}
        assert fill(template, values, "de") == reference_fill(template, values, "de")
