"""netzmd.toml: defaults, every key validated, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from netzmd.config import Config, ConfigError, load_config, parse_config


def test_defaults_without_file(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.cadence == {"key": 90, "regular": 182, "loose": None}
    assert config.digest_path_pattern == "digest/{year}-W{week}.md"


def test_full_config(tmp_path: Path) -> None:
    (tmp_path / "netzmd.toml").write_text(
        'lang = "de"\ncontacts = "Kontakte"\noutput = "Digest"\nwindow_days = 180\n'
        '[cadence]\nkey = "monatlich"\nloose = "1y"\n'
        '[vocabulary]\ngive = ["Gegeben", "#schenken"]\n'
        '[rules.overdue]\nlevel = "error"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.lang == "de"
    assert config.contacts == "Kontakte"
    assert config.window_days == 180
    assert config.cadence == {"key": 30, "regular": 182, "loose": 365}
    assert config.vocabulary.give == frozenset({"gegeben", "schenken"})
    assert "took" in config.vocabulary.take
    assert config.digest_path_pattern == "Digest/{year}-W{week}.md"
    assert config.rules == {"overdue": {"level": "error"}}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"colour": True}, "colour"),
        ({"lang": "fr"}, "lang"),
        ({"window_days": "365"}, "window_days"),
        ({"window_days": True}, "window_days"),
        ({"contacts": 3}, "contacts"),
        ({"cadence": {"vip": "weekly"}}, "cadence.vip"),
        ({"cadence": {"key": "sometimes"}}, "cadence.key"),
        ({"vocabulary": {"give": "gave"}}, "vocabulary.give"),
        ({"vocabulary": {"praise": ["x"]}}, "vocabulary.praise"),
        ({"rules": {"no-such-rule": {}}}, "rules.no-such-rule"),
        ({"rules": {"overdue": {"level": "loud"}}}, "rules.overdue.level"),
        ({"rules": {"no-follow-up": {"within_days": "14"}}}, "rules.no-follow-up.within_days"),
        ({"rules": {"birthday": {"weeks": 2}}}, "rules.birthday.weeks"),
        ({"rules": {"loose-network": {"max_share": ""}}}, "rules.loose-network.max_share"),
        ({"rules": {"career-only": {"max_share": [0.5]}}}, "rules.career-only.max_share"),
    ],
)
def test_bad_config_names_the_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config(data)


def test_toml_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "netzmd.toml").write_text("lang = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"netzmd\.toml"):
        load_config(tmp_path)
