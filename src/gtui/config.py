"""Settings: dataclasses read from ``config.toml``, overridden by ``GTUI_*`` variables.

The file lives in ``platformdirs.user_config_path("gtui")``. Every key is documented in
``config.example.toml``; an unknown or ill-typed key is a :class:`ConfigError` that names it,
so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import platformdirs

from gtui import atomic_file

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

ENV_PREFIX = "GTUI_"
SYNC_LEVELS = ("exists", "size", "mtime", "checksum")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(ValueError):
    """The configuration file or an environment override is invalid."""


@dataclass
class GeneralSettings:
    """Which Globus to talk to, as whom, and how it looks."""

    environment: str = "production"
    client_id: str = ""
    theme: str = "textual-dark"
    log_level: str = "INFO"


@dataclass
class PaneSettings:
    """Where the two panes open; an empty collection means "ask"."""

    left_collection: str = ""
    left_path: str = "/~/"
    right_collection: str = ""
    right_path: str = "/~/"


@dataclass
class TaskSettings:
    """How the task queue polls: fast after a submit, slower for long-running tasks."""

    poll_fast_seconds: float = 1.0
    poll_slow_seconds: float = 10.0
    recent_limit: int = 50


@dataclass
class SearchSettings:
    """Globus Search indexes offered on the search screen."""

    indexes: list[str] = field(default_factory=list)


@dataclass
class TransferSettings:
    """Defaults of the transfer-options dialog."""

    sync_level: str = "checksum"
    verify_checksum: bool = True
    preserve_timestamp: bool = False
    encrypt_data: bool = False
    skip_source_errors: bool = False
    fail_on_quota_errors: bool = False
    delete_destination_extra: bool = False
    notify: bool = True


@dataclass
class DemoSettings:
    """The embedded service behind ``gtui --demo``."""

    throttle_bytes_per_second: int = 4_000_000
    clock_speed: float = 1.0
    """How many times faster than real time the demo's Timers run (60: an hourly timer runs
    every minute)."""


@dataclass
class SecuritySettings:
    """Credentials at rest: the token file can be encrypted with a passphrase."""

    encrypt_tokens: bool = False
    passphrase_env: str = "GTUI_TOKEN_PASSPHRASE"


@dataclass
class Settings:
    """All of gtui's settings."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    panes: PaneSettings = field(default_factory=PaneSettings)
    tasks: TaskSettings = field(default_factory=TaskSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    transfer: TransferSettings = field(default_factory=TransferSettings)
    demo: DemoSettings = field(default_factory=DemoSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    keys: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The settings as a TOML-ready dict."""
        return dataclasses.asdict(self)


def config_dir() -> Path:
    """The folder of ``config.toml`` (``GTUI_CONFIG_DIR`` overrides it, for tests)."""
    override = os.environ.get("GTUI_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path("gtui")


def config_path() -> Path:
    """Where ``config.toml`` lives."""
    return config_dir() / "config.toml"


def example_config_text() -> str:
    """The documented example configuration shipped with gtui."""
    from importlib.resources import files

    return files("gtui").joinpath("config.example.toml").read_text(encoding="utf-8")


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the config file (if any) and apply ``GTUI_<SECTION>_<KEY>`` overrides."""
    path = path or config_path()
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    settings = _build(Settings, raw, prefix="")
    _apply_env(settings, environ)
    _validate(settings)
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write every setting to a fresh file (``update_config`` edits an existing one)."""
    path = path or config_path()
    import tomli_w  # only when writing

    write_atomically(path, tomli_w.dumps(settings.to_dict()))
    return path


def update_config(updates: Mapping[str, Mapping[str, Any]], path: Path | None = None) -> Path:
    """Set exactly these ``{section: {key: value}}`` in ``config.toml``, changing nothing else.

    The user's comments, order and formatting stay as they were; the file, or a section, is
    created when missing. The result must still be valid settings (else ``ConfigError`` and
    the file is untouched), and it is written atomically.
    """
    import tomlkit  # only when editing: starting gtui never pays for it
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import InlineTable, Table

    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} cannot be read: {exc}") from exc
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    for section, values in updates.items():
        if section not in document:
            document[section] = tomlkit.table()
        table = document[section]
        if not isinstance(table, Table | InlineTable):
            raise ConfigError(f"[{section}] in {path} must be a table")
        for key, value in values.items():
            _set_in_place(table, key, value)
    edited = tomlkit.dumps(document)
    settings = _build(Settings, tomllib.loads(edited), prefix="")
    _validate(settings)
    write_atomically(path, edited)
    return path


def _set_in_place(table: Any, key: str, value: Any) -> None:
    """Set ``key`` of a tomlkit table. A new key goes right after the table's last key, so a
    comment at the table's end (often one introducing the next table) stays below it."""
    import tomlkit
    from tomlkit.items import AoT, Table

    body = table.value.body if isinstance(table, Table) and key not in table else []
    keyed = [i for i, (name, _) in enumerate(body) if name is not None]
    if keyed and keyed[-1] < len(body) - 1 and not isinstance(body[keyed[-1]][1], Table | AoT):
        table.value._insert_at(keyed[-1] + 1, key, tomlkit.item(value))
    else:
        table[key] = value


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: a crash leaves the old file or the new one.

    A symlinked config file (dotfiles) stays a symlink: its target is what gets replaced.
    The file keeps its permissions; a new one is readable by its owner only.
    """
    Path(os.path.realpath(path)).parent.mkdir(parents=True, exist_ok=True)
    atomic_file.write_atomically(path, text.encode("utf-8"), mode=None)


def _build(cls: type[T], raw: Mapping[str, Any], prefix: str) -> T:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[{prefix.rstrip('.')}] must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in known:
            raise ConfigError(f"unknown setting {prefix}{key!s}")
    values: dict[str, Any] = {}
    for name in known & raw.keys():
        hint = hints[name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            values[name] = _build(hint, raw[name], f"{prefix}{name}.")
        else:
            values[name] = _check_type(f"{prefix}{name}", raw[name], hint)
    return cls(**values)


def _check_type(key: str, value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (list,):
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"setting {key} must be a list, not {type(value).__name__}")
        return [_check_type(f"{key}[{i}]", v, item) for i, v in enumerate(value)]
    if origin in (dict,):
        _, item = typing.get_args(hint)
        if not isinstance(value, dict):
            raise ConfigError(f"setting {key} must be a table, not {type(value).__name__}")
        return {str(k): _check_type(f"{key}.{k}", v, item) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        raise ConfigError(f"setting {key} has an unsupported type")
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is bool and not isinstance(value, bool):
        raise ConfigError(f"setting {key} must be true or false, not {value!r}")
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"setting {key} must be a whole number, not {value!r}")
    if not isinstance(value, hint):
        raise ConfigError(f"setting {key} must be a {hint.__name__}, not {type(value).__name__}")
    return value


def _parse_env(key: str, text: str, hint: Any) -> Any:
    if hint is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"environment variable {key} must be true or false, not {text!r}")
    if hint in (int, float):
        try:
            return hint(text)
        except ValueError:
            raise ConfigError(
                f"environment variable {key} must be a number, not {text!r}"
            ) from None
    if typing.get_origin(hint) is list:
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _apply_env(settings: Settings, environ: Mapping[str, str]) -> None:
    for section in dataclasses.fields(settings):
        value = getattr(settings, section.name)
        if not dataclasses.is_dataclass(value):
            continue
        hints = typing.get_type_hints(type(value))
        for item in dataclasses.fields(value):
            env_key = f"{ENV_PREFIX}{section.name}_{item.name}".upper()
            if env_key in environ:
                setattr(value, item.name, _parse_env(env_key, environ[env_key], hints[item.name]))


def _validate(settings: Settings) -> None:
    if settings.transfer.sync_level not in SYNC_LEVELS:
        raise ConfigError(
            f"setting transfer.sync_level must be one of {', '.join(SYNC_LEVELS)}, "
            f"not {settings.transfer.sync_level!r}"
        )
    if settings.general.log_level.upper() not in LOG_LEVELS:
        raise ConfigError(
            f"setting general.log_level must be one of {', '.join(LOG_LEVELS)}, "
            f"not {settings.general.log_level!r}"
        )
    if settings.tasks.poll_fast_seconds <= 0 or settings.tasks.poll_slow_seconds <= 0:
        raise ConfigError("settings tasks.poll_fast_seconds and poll_slow_seconds must be positive")
    if settings.demo.throttle_bytes_per_second < 0:
        raise ConfigError("setting demo.throttle_bytes_per_second must not be negative")
