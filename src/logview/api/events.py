"""What a pager yields: entries as they come, notices, retries, the end of a backfill, a tail's
failure. The viewer, export and the archived pager all speak in these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Union

import msgspec

from logview.api.types import RetryEvent
from logview.model import ApiFailure, LogEntry, counted


class EntriesLoaded(msgspec.Struct, frozen=True):
    """New entries matching the filters, newest first. `live`: from a tail cycle, newer than all."""

    entries: Sequence[LogEntry]  # (a list, or typed pages' `ColumnEntries`: `sources/page_columns.py`)
    pages: int
    loaded: int
    total: int | None
    live: bool = False
    # a backfill's: whether entries follow (None: unknown, a full page that counted nothing)
    more: bool | None = None
    # what the archive was handed of them, for the store to bind (`archive/archiving.py`: `Handing`)
    handed: Any = None


class Notice(msgspec.Struct, frozen=True):
    """Something the user should know that is not an error: the cap, a tie group that cannot be
    paged, what a server got wrong that paging corrected (`contract`)."""

    kind: Literal["capped", "tie_group", "stuck", "contract", "archive", "file", "retention", "waiting"]
    message: str
    # a "capped" one's: whether entries older than the cap exist (None: unknown, the server counts
    # nothing and the last page was full; s20 #5 said "older entries not loaded" of none)
    older: bool | None = True
    live: bool = False  # from the live tail (a banner line of its own: the backfill's stays)


class BackfillDone(msgspec.Struct, frozen=True):
    loaded: int
    pages: int
    capped: bool


class TailFailed(msgspec.Struct, frozen=True):
    """A tail cycle failed for good; the tail goes on and retries after `next_poll_s`, or, None (the
    server broke its contract), has stopped."""

    failure: ApiFailure
    next_poll_s: float | None


def capped_notice(cap: int | None, *, older: bool | None = True) -> Notice:
    """What a backfill stopped by `--max-entries` says (the archived pager's too); `older`: see `Notice`."""
    unsure = "" if older else "; older entries may exist"
    return Notice("capped", f"stopped at {counted(cap or 0)} (--max-entries){unsure}", older)


PagerEvent = Union[EntriesLoaded, RetryEvent, Notice, BackfillDone, TailFailed]
