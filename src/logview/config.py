"""Profiles from `config.toml` in the user config dir. A profile names the env var holding its key.

```toml
default = "prod"            # optional: the profile `logview` opens with no arguments

[profiles.prod]
source = "aitronos"
org = "org_123"
key_env = "FREDDY_PROD_KEY"  # the key itself stays in the environment

[profiles.prod.filters]      # optional: what the profile opens with (flags override them)
status = ["error", "timeout"]
since = "24h"

[profiles.builder]
source = "supermetrics"
team = 42
connector = "T3S70"       # optional in the viewer: it offers the team's connectors
base_url = "https://api.supermetrics.com"
follow = true               # optional: start tailing (and `interval` seconds between polls)
```
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from logview.model import SourceKind

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
CONFIG_ENV = "LOGVIEW_CONFIG"  # overrides the file's location (tests, several setups)


# What environment variables are conventionally called: upper-case words joined by underscores.
_CONVENTIONAL_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
_KEY_LIKE_RUN = re.compile(r"[A-Za-z0-9]{20,}")


def looks_like_variable_name(name: str) -> bool:
    """Whether `name` reads as a variable's name rather than a key: conventional casing and no
    long unbroken run of letters and digits (`FREDDY_PROD_KEY`, not `sk_live_4eC39HqLyjWDarjtT1zd`
    nor `ABCDEF0123456789ABCDEF`)."""
    return bool(_CONVENTIONAL_NAME.fullmatch(name)) and not _KEY_LIKE_RUN.search(name)


class ConfigError(ValueError):
    """The config file exists but cannot be used; the message says where and why."""


class ProfileFilters(BaseModel):
    """A profile's default filters, as typed (times stay relative: `24h` is the last 24 hours
    whenever the profile is opened). Checked against the source when the profile is used."""

    model_config = ConfigDict(extra="forbid")

    status: list[str] = []
    since: str | None = None
    until: str | None = None
    credential: str | None = None
    event: str | None = None
    tool: str | None = None
    search: str | None = None


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: SourceKind
    org: str | None = None
    team: int | None = None
    connector: str | None = None
    base_url: str | None = None
    key_env: str | None = None
    follow: bool = False
    interval: float | None = Field(default=None, gt=0)
    filters: ProfileFilters = ProfileFilters()

    @field_validator("key_env")
    @classmethod
    def _an_env_var_name(cls, value: str | None) -> str | None:
        # Someone may paste the key itself here; refuse it without echoing it in the message.
        if value is not None and not _ENV_NAME.fullmatch(value):
            raise ValueError("must name an environment variable (letters, digits, _), not hold the key itself")
        return value


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: str | None = None
    profiles: dict[str, Profile] = {}


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("logview", appauthor=False)) / "config.toml"


def load_config(path: Path | None = None) -> Config | None:
    """The parsed config, or None when there is no file."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    _refuse_inline_keys(path, document)
    try:
        config = Config.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
    if config.default is not None and config.default not in config.profiles:
        raise ConfigError(f"{path}: default profile {config.default!r} is not defined")
    return config


def _refuse_inline_keys(path: Path, document: dict) -> None:
    """Keys belong in the environment; a key written into the file is refused, never read."""
    profiles = document.get("profiles")
    if not isinstance(profiles, dict):
        return
    for name, profile in profiles.items():
        if isinstance(profile, dict) and any(field in profile for field in ("key", "api_key", "token")):
            raise ConfigError(
                f"{path}: profile {name!r} holds an API key; logview never reads keys from files. "
                "Put the key in an environment variable and name it with key_env = \"...\""
            )
