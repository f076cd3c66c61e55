"""Profiles from `config.toml` in the user config dir. A profile names the env var holding its key.

```toml
default = "prod"            # optional: the profile `logview` opens with no arguments
archive = true              # optional: false keeps no local archive of fetched entries
archive_max_entries = 1000000  # optional: per source (the default)
archive_max_age = "90d"     # optional: drop archived entries older than this (default: no limit)

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

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from logview.model import SOURCE_KINDS, SourceKind
from logview.settings.config_models import Config, Profile, ProfileFilters

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


# Filters that only one API's entries can match: the other API's entries never carry the field, so
# there the filter would silently show nothing. A usage error instead, from flags and profiles alike.
ONE_API_FILTERS: dict[str, SourceKind] = {"credential": "aitronos", "event": "supermetrics", "tool": "aitronos"}


def filters_of_another_api(kind: str, **given: object) -> list[tuple[str, str]]:
    """(filter, the API it belongs to) for each filter in `given` that is set and that `kind`'s
    entries cannot match (a view of both APIs at once can match them all)."""
    if kind not in SOURCE_KINDS:
        return []
    return [(name, ONE_API_FILTERS[name]) for name, value in given.items()
            if value and ONE_API_FILTERS.get(name, kind) != kind]


ARCHIVE_KEYS = ("archive", "archive_max_entries", "archive_max_age")


def named_missing(path: Path) -> str | None:
    """Who named `path`, a config file that does not exist: `LOGVIEW_CONFIG names it; its folder
    does not exist`; None where it is the default one's place (none written yet)."""
    named = os.environ.get(CONFIG_ENV)
    if not named or Path(named) != path:
        return None
    return f"{CONFIG_ENV} names it" + ("" if path.parent.is_dir() else "; its folder does not exist")


def missing_config(path: Path) -> str:
    """Why there is no config to read, in words: `no config file at PATH (LOGVIEW_CONFIG names it;
    its folder does not exist)`, or where the default one would be."""
    named = named_missing(path)
    if named is not None:
        return f"no config file at {path} ({named})"
    return f"no config file yet at {path} (`logview config` shows an example)"


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("logview", appauthor=False)) / "config.toml"


@dataclass
class ConfigReading:
    """What a config file says, read as far as it can be: `config` holds every profile that could
    be read (a profile's broken keys left at their defaults), `problems` everything wrong, one line
    each, naming the profile and the key."""

    config: Config
    names: list[str]  # every profile the file names, also those that could not be read
    problems: list[str] = field(default_factory=list)  # about the file as a whole
    # Those of `problems` about `default`: they concern only a run that opens the default profile.
    default_problems: list[str] = field(default_factory=list)
    profile_problems: dict[str, list[str]] = field(default_factory=dict)
    # Each profile's keys that were wrong and so left out (`team`, `filters.since`): reported once
    # already, the checks after reading must not call them missing as well.
    left_out: dict[str, set[str]] = field(default_factory=dict)
    # The archive's keys that were wrong (left at their defaults), each with its line of `problems`: a
    # summary must not state those defaults as what the file keeps, nor a command keep the archive by them.
    archive_problems: dict[str, str] = field(default_factory=dict)

    def all_problems(self) -> list[str]:
        return self.problems + [line for name in self.names for line in self.profile_problems.get(name, [])]


def load_config(path: Path | None = None) -> Config | None:
    """The parsed config, or None when there is no file; ConfigError lists every problem."""
    path = path or config_path()
    reading = read_config(path)
    if reading is None:
        return None
    problems = reading.all_problems()
    if len(problems) == 1:
        raise ConfigError(f"{path}: {problems[0]}")
    if problems:
        raise ConfigError(f"{path} has {len(problems)} problems (`logview config` checks it):\n"
                          + "\n".join(f"  {problem}" for problem in problems))
    return reading.config


class ConfigOnce:
    """The config file as one command reads it: read at the first need, and that reading (or its
    ConfigError) given to every later one. `sql --profile P --sync` read it three times (s30): a file
    saved between two reads gave the archive one config and the profile another, and each read cost
    its parse."""

    def __init__(self) -> None:
        self._read: tuple[Path, ConfigReading | None, ConfigError | None] | None = None

    def read(self) -> tuple[Path, ConfigReading | None]:
        """The file's path and its reading (None: no file); ConfigError as `read_config` raises it."""
        if self._read is None:
            path = config_path()
            try:
                self._read = (path, read_config(path), None)
            except ConfigError as error:
                self._read = (path, None, error)
        path, reading, error = self._read
        if error is not None:
            raise ConfigError(str(error))
        return path, reading


def read_config(path: Path) -> ConfigReading | None:
    """Every profile that can be read and every problem; None when there is no file. ConfigError
    only when nothing can be read (no access, not TOML)."""
    try:
        # (a byte order mark, as Notepad writes one, was "not valid TOML … at line 1, column 1": found in a walk)
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    import tomllib  # (here: a file's launch reads no config, and its start-up skips the import)

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    problems: list[str] = []
    for key, value in document.items():
        if key not in Config.model_fields:
            problems.append(_unknown_top_level_key(key, value))
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        problems.append("profiles: must be tables named [profiles.NAME]")
        profiles = {}
    default = document.get("default")
    default_problems: list[str] = []
    if default is not None and not isinstance(default, str):
        default_problems.append("default: must be a profile's name in quotes")
        default = None
    elif default is not None and default not in profiles:
        known = ", ".join(profiles) or "none"
        default_problems.append(f"default profile {_shown(default)} is not defined (profiles: {known})")
    problems += default_problems
    archive_problems: dict[str, str] = {}
    archive_settings = _archive_settings(document, problems, archive_problems)
    reading = ConfigReading(Config(default=default, **archive_settings), names=list(profiles), problems=problems,
                            default_problems=default_problems, archive_problems=archive_problems)
    for name, raw in profiles.items():
        found: list[str] = []
        left_out: set[str] = set()
        profile = _read_profile(name, raw, found, left_out)
        if profile is not None:
            reading.config.profiles[name] = profile
        if found:
            reading.profile_problems[name] = found
        if left_out:
            reading.left_out[name] = left_out
    return reading


def _archive_settings(document: dict, problems: list[str], refused: dict[str, str]) -> dict[str, object]:
    """The archive's keys that are right; each wrong one is a problem, also in `refused` by its
    key, and stays at its default."""
    from pydantic import ValidationError

    settings: dict[str, object] = {}
    for key in ARCHIVE_KEYS:
        if key in document:
            try:
                settings[key] = getattr(Config.model_validate({key: document[key]}), key)
            except ValidationError as error:
                refused[key] = f"{key}: {_explain(error.errors()[0], '')}"
                problems.append(refused[key])
    return settings


# Where a key might be written by mistake: such a value is refused unread and never shown.
KEY_FIELD_NAMES = frozenset({"key", "api_key", "apikey", "token", "secret", "password"})
_HOLDS_A_KEY = ("holds an API key; logview never reads keys from files: put the key in an environment "
                "variable and name it with key_env = \"...\"")


def _safe(name: str) -> str:
    """A name from the file as it may be shown, or a placeholder when it could be a key itself."""
    if _KEY_LIKE_RUN.search(name) or not name.isprintable():
        return "(a name not shown: it looks like a key)"
    return name


def _shown(name: str) -> str:
    safe = _safe(name)
    return repr(name) if safe == name else safe


def _unknown_top_level_key(key: str, value: object) -> str:
    if key.lower() in KEY_FIELD_NAMES:
        return f"{key}: {_HOLDS_A_KEY}"
    if isinstance(value, dict) and "source" in value:
        return f"[{_safe(key)}]: unknown table; a profile is a table named [profiles.{_safe(key)}]"
    return (f"{_safe(key)}: unknown key (the file holds `default`, `archive`, `archive_max_entries`, "
            "`archive_max_age` and [profiles.NAME] tables)")


def _read_profile(name: str, raw: object, problems: list[str], left_out: set[str]) -> Profile | None:
    """The profile, with the keys that are wrong left out (each one reported in `problems` and
    named in `left_out`), so the rest of it can still be checked; None when even its source is
    unusable."""
    from pydantic import ValidationError

    where = f"profile {name!r}"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a table: [profiles.{name}]")
        return None
    raw = {key: dict(value) if key == "filters" and isinstance(value, dict) else value
           for key, value in raw.items()}
    for key in [key for key in raw if key.lower() in KEY_FIELD_NAMES]:
        problems.append(f"{where}: {key}: {_HOLDS_A_KEY}")
        del raw[key]
    while True:
        try:
            return Profile.model_validate(raw)
        except ValidationError as error:
            wrong = error.errors()
        for item in wrong:
            problems.append(f"{where}: {_location(item['loc'])}: {_explain(item, name)}")
        if any(item["loc"][0] == "source" for item in wrong):
            return None  # without its API nothing else about the profile can be checked
        before = repr(raw)
        for item in wrong:
            left_out.add(_leave_out(raw, item["loc"]))
        if repr(raw) == before:
            return None  # nothing left to leave out (not expected: only `source` is required)


def _location(loc: tuple) -> str:
    return ".".join(_safe(part) if isinstance(part, str) else f"[{part}]" for part in loc).replace(".[", "[")


def _leave_out(raw: dict, loc: tuple) -> str:
    """Drop the key an error is about, so validating again checks the others; returns its name
    (`team`, `filters.since`)."""
    filters = raw.get("filters")
    if loc[0] == "filters" and len(loc) > 1 and isinstance(filters, dict):
        filters.pop(loc[1], None)
        return f"filters.{loc[1]}"
    raw.pop(loc[0], None)
    return str(loc[0])


_TYPE_MESSAGES = {
    "int_type": "must be an integer", "int_parsing": "must be an integer", "int_from_float": "must be an integer",
    "float_type": "must be a number", "float_parsing": "must be a number",
    "bool_type": "must be true or false", "bool_parsing": "must be true or false",
    "string_type": "must be a string in quotes", "list_type": "must be a list, like [\"error\"]",
    "model_type": "must be a table", "model_attributes_type": "must be a table", "dict_type": "must be a table",
}


def _explain(item: dict, profile: str) -> str:
    """One pydantic error in the words of the file, with a hint where one helps."""
    kind, loc = item["type"], item["loc"]
    if kind == "extra_forbidden":
        return _unknown_key(_safe(str(loc[-1])), profile, in_filters=loc[0] == "filters")
    if kind == "missing":
        return "missing: every profile names its API (source = \"aitronos\" or \"supermetrics\")" \
            if loc == ("source",) else "missing"
    if kind == "literal_error":
        return f"must be {item['ctx']['expected']}"
    if kind == "greater_than":
        return f"must be greater than {item['ctx']['gt']:g}"
    if kind == "less_than_equal":  # (`interval = 100000` said pydantic's "Input should be less than or equal to")
        return f"must be at most {item['ctx']['le']:,g}" + (" (a day)" if loc == ("interval",) else "")
    if kind == "value_error":
        return str(item["ctx"]["error"])  # our validators' own words, which never repeat the value
    return _TYPE_MESSAGES.get(kind, item["msg"])


def _unknown_key(key: str, profile: str, *, in_filters: bool) -> str:
    if not in_filters and key in ProfileFilters.model_fields:
        return f"unknown key here: `{key}` belongs under [profiles.{profile}.filters]"
    if in_filters and key in Profile.model_fields:
        return f"not a filter: `{key}` belongs under [profiles.{profile}]"
    known = list(ProfileFilters.model_fields if in_filters else Profile.model_fields)
    close = difflib.get_close_matches(key, known, n=1)
    return "unknown key" + (f": did you mean `{close[0]}`?" if close else f" (known: {', '.join(known)})")
