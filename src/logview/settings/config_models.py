"""The config file's models: the whole file (`Config`), a `[profiles.NAME]` table (`Profile`) and a
profile's default filters (`ProfileFilters`), each a pydantic model built on first use. Reading
the file, and the problems it may hold in the file's words, are `config.py`'s.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from logview.model import BuiltOnFirstUse, SourceKind

if TYPE_CHECKING:
    from logview.archive.retention import Retention

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
LONGEST_POLL_INTERVAL_S = 86_400  # a tail's `interval`, `--interval`: up to a day (not `inf`)


# The models below are pydantic's, built the first time a config file is read (or one is asked
# for): a launch without a config file, or with `--file`, imports neither pydantic nor the archive.

def _build_profile_filters() -> type:
    from pydantic import BaseModel, ConfigDict

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

    return ProfileFilters


def _build_profile() -> type:
    from pydantic import BaseModel, ConfigDict, Field, field_validator

    filters_model = ProfileFilters.built_model()

    class Profile(BaseModel):
        model_config = ConfigDict(extra="forbid")

        source: SourceKind
        org: str | None = None
        team: int | None = None
        connector: str | None = None
        base_url: str | None = None
        key_env: str | None = None
        follow: bool = False
        interval: float | None = Field(default=None, gt=0, le=LONGEST_POLL_INTERVAL_S)
        filters: filters_model = filters_model()  # type: ignore[valid-type]

        @field_validator("key_env")
        @classmethod
        def _an_env_var_name(cls, value: str | None) -> str | None:
            # Someone may paste the key itself here; refuse it without echoing it in the message.
            if value is not None and not _ENV_NAME.fullmatch(value):
                raise ValueError("must name an environment variable (letters, digits, _), not hold the key itself")
            return value

    return Profile


def _build_config() -> type:
    from pydantic import BaseModel, ConfigDict, Field, field_validator

    from logview.archive.retention import DEFAULT_MAX_ENTRIES, Retention, parse_age

    profile_model = Profile.built_model()

    class Config(BaseModel):
        model_config = ConfigDict(extra="forbid")

        default: str | None = None
        profiles: dict[str, profile_model] = {}  # type: ignore[valid-type]
        archive: bool = True  # keep the local archive of fetched entries (`--no-archive`: not this run)
        archive_max_entries: int = Field(default=DEFAULT_MAX_ENTRIES, gt=0)
        archive_max_age: str | None = None  # `90d`: archived entries older than this are dropped

        @field_validator("archive_max_age")
        @classmethod
        def _an_age(cls, value: str | None) -> str | None:
            # (ValueError: says what an age looks like; "0d" passed and hid every entry, the live
            # tail's too, s26 walk #5: leaving the key out is how no age limit is said)
            if value is not None and parse_age(value) <= 0:
                raise ValueError(f"{value!r} would keep nothing, not even the newest entries: give an age "
                                 "greater than zero, such as \"30d\", or leave archive_max_age out for no age limit")
            return value

        def retention(self) -> Retention:
            return Retention(max_entries=self.archive_max_entries,
                             max_age_s=None if self.archive_max_age is None else parse_age(self.archive_max_age))

    return Config


class ProfileFilters(metaclass=BuiltOnFirstUse):
    """A profile's default filters (a pydantic model, built on first use)."""

    build = staticmethod(_build_profile_filters)


class Profile(metaclass=BuiltOnFirstUse):
    """One `[profiles.NAME]` table (a pydantic model, built on first use)."""

    build = staticmethod(_build_profile)


class Config(metaclass=BuiltOnFirstUse):
    """The whole file: profiles and the archive's settings (a pydantic model, built on first use)."""

    build = staticmethod(_build_config)
