"""Settings: file, environment overrides, and clear errors naming the bad key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from gtui.config import (
    ConfigError,
    Settings,
    example_config_text,
    load_settings,
    save_settings,
    update_config,
)


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


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old line, new line) for each line that differs; the files must have as many lines."""
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new), after
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_update_changes_only_the_keys_asked_for_and_keeps_every_comment(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", example_config_text())

    update_config({"general": {"theme": "nord", "client_id": "a-client"}}, path)

    after = path.read_text(encoding="utf-8")
    assert changed_lines(example_config_text(), after) == [
        ('client_id = ""', 'client_id = "a-client"'),
        ('theme = "textual-dark"', 'theme = "nord"'),
    ]
    assert load_settings(path, environ={}).general.theme == "nord"


def test_update_keeps_a_comment_on_the_same_line_and_adds_a_missing_section(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "config.toml", '[general]\ntheme = "gruvbox"  # my favourite\n')

    update_config({"general": {"theme": "nord"}, "keys": {"transfer": "f6"}}, path)

    text = path.read_text(encoding="utf-8")
    assert text.startswith('[general]\ntheme = "nord"  # my favourite\n')
    assert load_settings(path, environ={}).keys == {"transfer": "f6"}


def test_a_new_key_goes_under_its_section_not_under_the_next_sections_comment(
    tmp_path: Path,
) -> None:
    text = '[general]\ntheme = "nord"\n\n# where the panes open\n[panes]\nleft_path = "/"\n'
    path = write(tmp_path / "config.toml", text)

    update_config({"general": {"client_id": "a-client"}}, path)

    assert path.read_text(encoding="utf-8") == (
        '[general]\ntheme = "nord"\nclient_id = "a-client"\n\n# where the panes open\n'
        '[panes]\nleft_path = "/"\n'
    )


def test_update_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"

    update_config({"general": {"client_id": "a-client"}}, path)

    assert load_settings(path, environ={}).general.client_id == "a-client"


def test_an_update_that_would_break_the_file_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "config.toml", example_config_text())

    with pytest.raises(ConfigError, match=r"general\.them"):
        update_config({"general": {"them": "nord"}}, path)
    with pytest.raises(ConfigError, match="sync_level"):
        update_config({"transfer": {"sync_level": "sometimes"}}, path)

    assert path.read_text(encoding="utf-8") == example_config_text()
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_update_of_a_broken_file_says_so_and_leaves_it_alone(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "[general\n")

    with pytest.raises(ConfigError, match="not valid TOML"):
        update_config({"general": {"theme": "nord"}}, path)

    assert path.read_text(encoding="utf-8") == "[general\n"


def test_update_through_a_symlink_edits_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = write(tmp_path / "dotfiles-config.toml", example_config_text())
    target.chmod(0o640)
    link = tmp_path / "config.toml"
    link.symlink_to(target)

    update_config({"general": {"theme": "nord"}}, link)

    assert link.is_symlink()
    assert load_settings(target, environ={}).general.theme == "nord"
    assert target.stat().st_mode & 0o777 == 0o640
