"""Settings: file, environment overrides, and clear errors naming the bad key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from gtui.config import ConfigError, Settings, example_config_text, load_settings, save_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent.toml", environ={})
    assert settings == Settings()
    assert settings.transfer.verify_checksum is True


def test_file_values_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        '[general]\ntheme = "nord"\n[tasks]\npoll_fast_seconds = 2\n'
        '[search]\nindexes = ["a", "b"]\n',
    )
    settings = load_settings(path, environ={})
    assert settings.general.theme == "nord"
    assert settings.tasks.poll_fast_seconds == 2.0
    assert settings.search.indexes == ["a", "b"]


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[general]\ntheme = "nord"\n')
    env = {
        "GTUI_GENERAL_THEME": "dracula",
        "GTUI_TRANSFER_VERIFY_CHECKSUM": "no",
        "GTUI_DEMO_THROTTLE_BYTES_PER_SECOND": "0",
        "GTUI_SEARCH_INDEXES": "x, y",
    }
    settings = load_settings(path, environ=env)
    assert settings.general.theme == "dracula"
    assert settings.transfer.verify_checksum is False
    assert settings.demo.throttle_bytes_per_second == 0
    assert settings.search.indexes == ["x", "y"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[general]\nthem = 'nord'\n", "general.them"),
        ("[nope]\n", "nope"),
        ("[tasks]\nrecent_limit = 'ten'\n", "tasks.recent_limit"),
        ("[transfer]\nverify_checksum = 1\n", "transfer.verify_checksum"),
        ("[transfer]\nsync_level = 'sometimes'\n", "transfer.sync_level"),
        ("[search]\nindexes = 'one'\n", "search.indexes"),
    ],
)
def test_bad_keys_are_named_in_the_error(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(write(tmp_path / "c.toml", text), environ={})


def test_bad_environment_value_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GTUI_TASKS_RECENT_LIMIT"):
        load_settings(tmp_path / "absent.toml", environ={"GTUI_TASKS_RECENT_LIMIT": "many"})


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path / "c.toml", "[general\n"), environ={})


def test_example_documents_every_key_and_loads_to_defaults(tmp_path: Path) -> None:
    text = example_config_text()
    parsed = tomllib.loads(text)
    defaults = Settings().to_dict()
    for section, values in defaults.items():
        if section == "keys":
            continue
        assert set(parsed[section]) == set(values), section
    assert load_settings(write(tmp_path / "c.toml", text), environ={}) == Settings()


def test_save_round_trips(tmp_path: Path) -> None:
    settings = Settings()
    settings.general.theme = "gruvbox"
    settings.keys["transfer"] = "f5,c"
    path = save_settings(settings, tmp_path / "sub" / "config.toml")
    assert load_settings(path, environ={}) == settings
