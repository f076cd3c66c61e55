"""`logview config`: where the config file is, what it defines, and everything wrong with it.

Reading a profile only fails when it is used; this checks every profile at once, the way using
it would (ids, base URL, the key's variable, statuses and times of its default filters), and
lists all the problems instead of the first. Keys are never shown: only whether their variable
is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from logview.config import Config, ConfigError, Profile, config_path, load_config, looks_like_variable_name
from logview.httptypes import check_base_url
from logview.saved_filters import SavedFilters, SavedFiltersError
from logview.sources import AitronosSource, SupermetricsSource
from logview.sources.base import Source
from logview.times import TimeParseError, parse_user_time

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


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _source(profile: Profile) -> Source:
    """The profile's source, checked as the CLI checks it (ValueError says what is wrong)."""
    base_url = check_base_url(profile.base_url) if profile.base_url else None
    if profile.source == "aitronos":
        if not profile.org:
            raise ValueError("an aitronos profile needs org = \"ORG_ID\"")
        return AitronosSource(profile.org, base_url=base_url)
    if profile.team is None:
        raise ValueError("a supermetrics profile needs team = TEAM_ID")
    return SupermetricsSource(profile.team, profile.connector, base_url=base_url)


def _key_env(profile: Profile) -> str:
    """The variable the profile's key is read from."""
    return profile.key_env or (AitronosSource if profile.source == "aitronos" else SupermetricsSource).key_env


def _describe(name: str, profile: Profile, source: Source | None) -> str:
    if isinstance(source, AitronosSource):
        where = f"aitronos org {source.organization_id}"
    elif isinstance(source, SupermetricsSource):
        where = f"supermetrics team {source.team_id} / {source.connector_id or '(picked in the viewer)'}"
    else:
        where = profile.source
    variable = _key_env(profile)
    state = "set" if os.environ.get(variable, "").strip() else "NOT SET"
    shown = variable if looks_like_variable_name(variable) else "(a variable whose name looks like a key)"
    parts = [f"  {name}: {where}", f"key from {shown} ({state})"]
    defaults = profile.filters
    chosen = [f"{label} {value}" for label, value in (
        ("status", ",".join(defaults.status)), ("since", defaults.since), ("until", defaults.until),
        ("credential", defaults.credential), ("event", defaults.event), ("tool", defaults.tool),
        ("search", defaults.search)) if value]
    if chosen:
        parts.append("filters: " + " · ".join(chosen))
    if profile.follow:
        parts.append(f"follows live every {profile.interval or 2:g} s")
    return " · ".join(parts)


def _check_profile(name: str, profile: Profile, report: Report) -> None:
    try:
        source: Source | None = _source(profile)
    except ValueError as error:
        source = None
        report.problems.append(f"profile {name!r}: {error}")
    if not os.environ.get(_key_env(profile), "").strip():
        report.problems.append(f"profile {name!r}: its key variable is not set")
    # statuses are checked by the kind of source even when its ids or URL are wrong
    checker = source or (AitronosSource("-") if profile.source == "aitronos" else SupermetricsSource(1, None))
    for value in profile.filters.status:
        try:
            checker.validate_status(value)
        except ValueError as error:
            report.problems.append(f"profile {name!r} filters: {error}")
    for label in ("since", "until"):
        text = getattr(profile.filters, label)
        if text:
            try:
                parse_user_time(text)
            except TimeParseError as error:
                report.problems.append(f"profile {name!r} filters: {label}: {error}")
    report.lines.append(_describe(name, profile, source))


def check_config(path: Path | None = None, saved: SavedFilters | None = None) -> Report:
    path = path or config_path()
    report = Report()
    try:
        config: Config | None = load_config(path)
    except ConfigError as error:
        report.lines.append(f"config file: {path}")
        report.problems.append(str(error))
        return report
    if config is None:
        report.lines += [f"config file: {path} (none yet: logview opens the demo without one)",
                         "", "A config file names profiles, for example:", "", *EXAMPLE.splitlines()]
    else:
        report.lines.append(f"config file: {path}")
        report.lines.append(f"default profile: {config.default or '(none)'}")
        report.lines.append(f"profiles ({len(config.profiles)}):" if config.profiles else "profiles: none")
        for name, profile in config.profiles.items():
            _check_profile(name, profile, report)
    saved = saved or SavedFilters()
    try:
        counts = {kind: len(entries) for kind, entries in saved.load().items() if entries}
    except SavedFiltersError as error:
        report.problems.append(str(error))
    else:
        described = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items())) or "none yet"
        report.lines.append(f"saved filters: {saved.path} ({described})")
    return report
