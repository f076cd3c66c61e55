"""The filter flags (`--status`, `--since`, `--until`, `--credential`, `--event`, `--search`) as
`Filters`, a profile's filters as their defaults; filters no entry of the API could match refused."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from types import SimpleNamespace

from logview.cli.conflicts import blamed_for_time
from logview.cli.errors import UsageError
from logview.model import Filters
from logview.options import Connection
from logview.settings.config import ONE_API_FILTERS, filters_of_another_api
from logview.settings.config_models import ProfileFilters
from logview.sources import Source
from logview.times import ReversedRange, TimeParseError

# A profile's filters when no profile is used: every one unset, as in `ProfileFilters()` (whose
# pydantic model a launch with flags alone, or with --file, need not build).
_NO_PROFILE_FILTERS = SimpleNamespace(status=[], since=None, until=None, credential=None, event=None, tool=None,
                                      search=None)


def filters_from_args(args: argparse.Namespace, source: Source | None, defaults: ProfileFilters | None = None,
             where: str = "") -> Filters:
    """The flags' filters; a flag not given takes the profile's default (`defaults`)."""
    defaults = defaults or _NO_PROFILE_FILTERS
    since_text = args.since or defaults.since or ""
    until_text = args.until or defaults.until or ""
    statuses: list[str] = []
    for value in args.status or defaults.status:
        try:
            canonical = source.validate_status(value) if source else value.strip().lower()
        except ValueError as error:
            raise UsageError(f"{'--status: ' if args.status else where}{error}") from None
        if canonical not in statuses:
            statuses.append(canonical)
    if source is not None:
        _refuse_filters_of_another_api(args, source.kind, defaults, where)
    filters = Filters(statuses=tuple(statuses), credential=args.credential or defaults.credential,
                      event=args.event or defaults.event, tool=defaults.tool,
                      search=args.search or defaults.search or None)
    try:  # kept as typed: the viewer resolves a relative time again on reload and while tailing
        return filters.with_time_range(since_text, until_text)
    except ReversedRange:
        raise UsageError(f"{where}--since is later than --until") from None
    except TimeParseError as error:
        raise UsageError(f"{blamed_for_time(args, where)}{error}") from None


def since_in_the_future(filters: Filters, now: datetime | None = None, done: str = "written") -> str | None:
    """Why an export may match nothing: a `--since` later than now, taken without a word (its
    `0 entries` said nothing of why, s28 walk #10), in words; None otherwise. Said, not refused:
    a file's entries may be dated ahead of this clock."""
    now = now or datetime.now(timezone.utc)
    if filters.since is None or filters.since <= now:
        return None
    typed = filters.since_text or filters.since.isoformat()
    return (f"--since {typed} is later than now ({now.astimezone():%Y-%m-%d %H:%M}): only entries dated after it "
            f"are {done}, none from the past")


def _refuse_filters_of_another_api(args: argparse.Namespace, kind: str, defaults: ProfileFilters,
                                   where: str) -> None:
    """`--event` on Aitronos, `--credential` on Supermetrics: nothing could ever match, so say so
    rather than show nothing. A flag replaces the profile's default of the same name."""
    flags = {name: getattr(args, name, None) for name in ONE_API_FILTERS}
    prefix, wrong = "", [(f"--{name}", owner) for name, owner in filters_of_another_api(kind, **flags)]
    if not wrong:
        unflagged = {name: getattr(defaults, name) for name in ONE_API_FILTERS if not flags[name]}
        prefix, wrong = where, filters_of_another_api(kind, **unflagged)
    if wrong:
        names = " and ".join(name for name, _ in wrong)
        raise UsageError(f"{prefix}{names} {'applies' if len(wrong) == 1 else 'apply'} to {wrong[0][1]} only "
                         f"(this reads {kind})")


def connection_filters(args: argparse.Namespace, connection: Connection) -> Filters:
    profile = connection.profile
    if profile is None:
        return filters_from_args(args, connection.source)
    return filters_from_args(args, connection.source, profile.filters, where=f"{connection.label} filters: ")
