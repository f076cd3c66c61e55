"""The viewer's time range under the config's `archive_max_age`: an API source loads from that age
on unless the user's range says otherwise, and what it says when it does."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from logview.options import Connection, ViewerOptions

if TYPE_CHECKING:  # (the archive, sqlite, loads for the commands that use it)
    from logview.archive import Retention
    from logview.model import Filters


def within_retention(options: ViewerOptions, retention: Retention) -> ViewerOptions:
    """An API source's view from `archive_max_age` ago on, unless its filters name a start, or an end
    older than that (last week's incident, `--until 2026-12-03`: the range is the user's, though the
    archive will not keep it; a start put before it reversed the range and crashed, s25 walk #7): a
    launch fetched at every start what the archive then dropped at every quit, the API's budget and
    all (s24 walk #4). The date filter says so (`since 1d`); `d` clears it."""
    from logview.archive.retention import age_text
    from logview.times import ReversedRange

    connection, filters = options.connection, options.filters
    if (retention.max_age_s is None or connection is None or connection.demo or filters.since is not None
            or (filters.until is not None and filters.until_text is None)):
        return options
    try:
        bounded = filters.with_time_range(age_text(retention.max_age_s), filters.until_text or "")
    except ReversedRange:
        return options
    return dataclasses.replace(options, filters=bounded)


def reaches_past_age(connection: Connection | None, filters: Filters, retention: Retention) -> bool:
    """Whether a range the user asked for reaches further back than `archive_max_age` (s26 walk #3
    and #6: fetched and shown or written as asked, then dropped, and fetched again each run)."""
    return connection is not None and not connection.demo and retention.drops_from(filters.since)


def within_words(retention: Retention) -> str:
    from logview.archive.retention import describe_age

    return (f"Loading the last {describe_age(retention.max_age_s or 0)}: the config's archive_max_age keeps nothing "
            "older. d changes the time range.")
