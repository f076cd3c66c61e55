"""`logview config`: where the config file is, what it defines, and everything wrong with it.

Reading a profile only fails when it is used; this checks every profile at once, the way using
it would (ids, base URL, the key's variable, statuses and times of its default filters), and
lists all the problems instead of the first. Keys are never shown: only whether their variable
is set.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from logview.archive import default_archive_path
from logview.settings.config import (ONE_API_FILTERS, ConfigError, ConfigReading, config_path, filters_of_another_api,
                                     looks_like_variable_name, named_missing, read_config)
from logview.settings.config_models import Config, Profile
from logview.api.types import check_base_url
from logview.settings.saved_filters import SavedFilters, SavedFiltersError
from logview.sources import AitronosSource, SupermetricsSource
from logview.sources.base import Source
from logview.times import ReversedRange, TimeParseError, parse_time_range, parse_user_time

EXAMPLE = """\
default = "prod"

[profiles.prod]
source = "aitronos"
org = "org_123"
key_env = "FREDDY_API_KEY"

[profiles.prod.filters]
status = ["error", "timeout"]
since = "24h"

[profiles.builder]
source = "supermetrics"
team = 42
connector = "T3S70"
key_env = "SUPERMETRICS_API_KEY"
"""


@dataclass(frozen=True)
class ReportLine:
    """A line of the report in its parts (a URL, a path, a variable's name each whole inside one), so
    that a narrow terminal's line breaks between them, never inside one (s30: the terminal broke a
    base_url where the edge fell)."""

    parts: tuple[str, ...]
    separator: str = " · "

    def __str__(self) -> str:
        return self.separator.join(self.parts)


@dataclass
class Report:
    parted: list[ReportLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def lines(self) -> list[str]:
        """The report's lines whole, as a pipe receives them."""
        return [str(line) for line in self.parted]

    def add(self, *parts: str, separator: str = " · ") -> None:
        self.parted.append(ReportLine(parts, separator))


# What a command that reads one connector says when the profile names none: why it needs one.
_CONNECTOR_WHY = {"export": "only the viewer offers the team's connectors to pick from"}
_ARCHIVE_CONNECTOR_WHY = "or --connector CONNECTOR_ID: the archive keeps each connector's entries apart"
SOURCE_KEYS = ("org", "team", "connector", "base_url")  # a profile's keys that name its source
_IDS_OF = {"org": "aitronos", "team": "supermetrics", "connector": "supermetrics"}  # the API each id belongs to


def _source(profile: Profile, problems: list[str], left_out: Collection[str] = (),
            needs_connector: str = "") -> Source | None:
    """The profile's source, checked as the CLI checks it; every reason it cannot be built (a
    refused URL and a missing id alike) goes to `problems`. A key in `left_out` was reported as
    wrong when the file was read: it is not reported again as missing. `needs_connector`: the
    command that uses the profile where no one picks a connector (`export`, `sql`)."""
    base_url = None
    if profile.base_url:
        try:
            base_url = check_base_url(profile.base_url)
        except ValueError as error:
            problems.append(f"base_url: {error}")
    # (an id of the other API was read as nothing, "config OK" said: the flag is refused, found in a walk)
    for key, owner in _IDS_OF.items():
        if owner != profile.source and getattr(profile, key) is not None:
            problems.append(f"{key}: applies to {owner} only (this profile reads {profile.source})")
    if profile.source == "aitronos":
        if not profile.org:
            if "org" not in left_out:
                problems.append("org: missing: an aitronos profile needs org = \"ORG_ID\"")
            return None
        return AitronosSource(profile.org, base_url=base_url)
    if needs_connector and profile.connector is None and "connector" not in left_out:
        why = _CONNECTOR_WHY.get(needs_connector, _ARCHIVE_CONNECTOR_WHY)
        problems.append(f"connector: missing: {needs_connector} needs connector = \"CONNECTOR_ID\" ({why})")
    if profile.team is None:
        if "team" not in left_out:
            problems.append("team: missing: a supermetrics profile needs team = TEAM_ID")
        return None
    source: SupermetricsSource | None = None
    try:
        source = SupermetricsSource(profile.team, None, base_url=base_url)
    except ValueError as error:
        problems.append(f"team: {error}")
    if profile.connector is not None:
        try:  # checked even when the team is wrong: one look at the file shows both
            (source or SupermetricsSource(1, None)).choose_connector(profile.connector)
        except ValueError as error:
            problems.append(f"connector: {error}")
    return source


def _key_env(profile: Profile) -> str:
    """The variable the profile's key is read from."""
    return profile.key_env or (AitronosSource if profile.source == "aitronos" else SupermetricsSource).key_env


def _key_problem(profile: Profile, left_out: Collection[str]) -> str | None:
    """Why the profile has no key, if it has none. A key_env already reported as wrong names no
    variable to look at; one that reads like a key was probably the key itself, pasted in the
    wrong place: the line says so without repeating it."""
    variable = _key_env(profile)
    if "key_env" in left_out or os.environ.get(variable, "").strip():
        return None
    if looks_like_variable_name(variable):
        return f"no API key: set the environment variable {variable}"
    return ("no API key: the variable key_env names is not set, and that name looks like a key itself (not "
            "shown): put the key in an environment variable and write that variable's name in key_env")


def _shown_url(url: str) -> str:
    """A base URL as the summary may show it: credentials in it (`https://user:pass@host`, a
    query) are left out, and control characters are escaped."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        parts = parts._replace(netloc="(credentials not shown)@" + parts.netloc.rpartition("@")[2])
    if parts.query:
        parts = parts._replace(query="(not shown)")
    shown = urlunsplit(parts)
    return shown if shown.isprintable() else repr(shown)


def _describe(name: str, profile: Profile, source: Source | None, left_out: Collection[str] = ()) -> list[str]:
    if isinstance(source, AitronosSource):
        where = f"aitronos org {source.organization_id}"
    elif isinstance(source, SupermetricsSource):
        where = f"supermetrics team {source.team_id} / {source.connector_id or '(picked in the viewer)'}"
    else:
        where = profile.source
    variable = _key_env(profile)
    state = "set" if os.environ.get(variable, "").strip() else "NOT SET"
    shown = variable if looks_like_variable_name(variable) else "(a variable whose name looks like a key)"
    # (a key_env refused is left out of the profile: the default variable it falls back to is not
    # the one the profile gave, and naming it misled, s18 K4)
    key = "key_env refused (below)" if "key_env" in left_out else f"key from {shown} ({state})"
    parts = [f"  {name}: {where}", key]
    if profile.base_url:
        parts.append(f"base_url {_shown_url(profile.base_url)}")
    defaults = profile.filters
    chosen = [f"{label} {value}" for label, value in (
        ("status", ",".join(defaults.status)), ("since", defaults.since), ("until", defaults.until),
        ("credential", defaults.credential), ("event", defaults.event), ("tool", defaults.tool),
        ("search", defaults.search)) if value]
    if chosen:  # (each filter a part: a search's words and a status list are not broken either)
        parts += [f"filters: {chosen[0]}", *chosen[1:]]
    if profile.follow:
        parts.append(f"follows live every {profile.interval or 2:g} s")
    elif profile.interval:  # (an interval without follow was not shown: `t` tails at it, found in a walk)
        parts.append(f"live tail (t) every {profile.interval:g} s")
    return parts


def _check_filters(profile: Profile, problems: list[str], overridden: Collection[str] = ()) -> None:
    """The default filters, checked as opening the profile would check them; a filter in
    `overridden` is replaced by a flag, and the flag is checked where it is read."""
    defaults = profile.filters.model_copy(update=dict.fromkeys(overridden))
    # statuses are checked by the kind of source even when its ids or URL are wrong
    checker = AitronosSource("-") if profile.source == "aitronos" else SupermetricsSource(1, None)
    for value in defaults.status or ():
        try:
            checker.validate_status(value)
        except ValueError as error:
            problems.append(f"filters.status: {error}")
    times_parse = True
    for label in ("since", "until"):
        text = getattr(defaults, label)
        if text:
            try:
                parse_user_time(text)
            except TimeParseError as error:
                problems.append(f"filters.{label}: {error}")
                times_parse = False
    if times_parse:
        try:
            parse_time_range(defaults.since or "", defaults.until or "")
        except ReversedRange:
            problems.append(f"filters.since: {defaults.since!r} is later than until ({defaults.until!r})")
    given = {name: getattr(defaults, name) for name in ONE_API_FILTERS}
    for name, owner in filters_of_another_api(profile.source, **given):
        problems.append(f"filters.{name}: applies to {owner} only (this profile reads {profile.source})")


def _checked(profile: Profile, left_out: Collection[str], *, overridden: Collection[str] = (),
             needs_connector: bool = False) -> tuple[Source | None, list[str]]:
    """The profile's source (None when it cannot be built) and every problem using it would meet."""
    problems: list[str] = []
    source = _source(profile, problems, left_out, "export" if needs_connector else "")
    key_problem = _key_problem(profile, left_out)
    if key_problem:
        problems.append(key_problem)
    _check_filters(profile, problems, overridden)
    return source, problems


def profile_problems(reading: ConfigReading, name: str, *, overridden: Collection[str] = (),
                     replaced: Mapping[str, object] | None = None, needs_connector: bool = False) -> list[str]:
    """Everything wrong with profile `name` (which the file names), read and checked as using it
    would: one line each, naming the profile. `overridden`: its default filters that flags
    replace; `replaced`: its keys (ids, base_url) that flags replace, with their values, so what
    the file has wrong or missing there is not held against it; `needs_connector`: no one picks a
    Supermetrics connector (export)."""
    replaced = replaced or {}
    stale = tuple(f"profile {name!r}: {key}:" for key in replaced)
    problems = [problem for problem in reading.profile_problems.get(name, []) if not problem.startswith(stale)]
    profile = reading.config.profiles.get(name)
    if profile is not None:
        left_out = [key for key in reading.left_out.get(name, ()) if key not in replaced]
        _, found = _checked(profile.model_copy(update=replaced), left_out, overridden=overridden,
                            needs_connector=needs_connector)
        problems += [f"profile {name!r}: {problem}" for problem in found]
    return problems


def source_problems(reading: ConfigReading, name: str, command: str, *,
                    replaced: Mapping[str, object] | None = None) -> list[str]:
    """What keeps profile `name` (which the file names) from naming one archived source, for a
    `command` that reads the archive without a key and picks no connector (`sql`, `archive prune`):
    its ids and base URL only, one line each naming the profile, as `profile_problems` says them.
    `replaced`: the keys flags replace."""
    replaced = replaced or {}
    left_out = [key for key in reading.left_out.get(name, ()) if key not in replaced]
    wrong = tuple(f"profile {name!r}: {key}:" for key in left_out if key in SOURCE_KEYS)
    problems = [problem for problem in reading.profile_problems.get(name, []) if problem.startswith(wrong)]
    profile = reading.config.profiles.get(name)
    if profile is not None:
        found: list[str] = []
        _source(profile.model_copy(update=replaced), found, left_out, command)
        problems += [f"profile {name!r}: {problem}" for problem in found]
    return problems


def _check_profile(name: str, profile: Profile, left_out: Collection[str], report: Report) -> None:
    source, problems = _checked(profile, left_out)
    report.problems += [f"profile {name!r}: {problem}" for problem in problems]
    report.add(*_describe(name, profile, source, left_out))


def check_config(path: Path | None = None, saved: SavedFilters | None = None) -> Report:
    path = path or config_path()
    report = Report()
    try:
        reading = read_config(path)
    except ConfigError as error:
        report.add(f"config file: {path}")
        report.problems.append(str(error))
        reading = None
    else:
        named = named_missing(path)
        none = f"none: {named}" if named is not None else "none yet"
        report.add(f"config file: {path}", *([] if reading else [f"({none}; logview opens the demo without one)"]),
                   separator=" ")
    if reading is None and report.ok:
        for line in ["", "A config file names profiles, for example:", "", *EXAMPLE.splitlines()]:
            report.add(line)
    elif reading is not None:
        _check_reading(reading, report)
    report.add(*_describe_archive(reading.config if reading else Config(),
                                  reading.archive_problems if reading else {}))
    saved = saved or SavedFilters()
    try:
        counts = {kind: len(entries) for kind, entries in saved.load().items() if entries}
    except SavedFiltersError as error:
        report.problems.append(str(error))
    else:
        described = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items())) or "none yet"
        report.add(f"saved filters: {saved.path}", f"({described})", separator=" ")
    return report


def _describe_archive(config: Config, refused: Collection[str]) -> list[str]:
    """The archive's line; a key refused (left at its default) is said as refused, not as its
    default: "no age limit" printed above an archive_max_age refused below contradicted it."""
    where = f"archive: {default_archive_path()}"
    if "archive" in refused:
        return [where, "archive refused (below)"]
    if not config.archive:  # (`archive list` then refuses: pointing to it misled, s18 K3)
        return [where, "off (archive = false): nothing is read from it or kept in it"]
    retention = config.retention()
    limits = {"archive_max_entries": f"{retention.entries_words()} per source",
              "archive_max_age": retention.age_words()}
    kept = [words for key, words in limits.items() if key not in refused]
    parts = [where] + ([f"keeps {', '.join(kept)}"] if kept else [])
    wrong = [key for key in limits if key in refused]
    parts += [f"{' and '.join(wrong)} refused (below)"] if wrong else []
    return [*parts, "`logview archive list` shows what it holds"]


def _check_reading(reading: ConfigReading, report: Report) -> None:
    config = reading.config
    report.problems += reading.problems
    report.add(f"default profile: {config.default or '(none)'}")
    report.add(f"profiles ({len(reading.names)}):" if reading.names else "profiles: none")
    for name in reading.names:
        report.problems += reading.profile_problems.get(name, [])
        profile = config.profiles.get(name)
        if profile is None:
            report.add(f"  {name}: cannot be read (see the problems)")
        else:
            _check_profile(name, profile, reading.left_out.get(name, ()), report)
