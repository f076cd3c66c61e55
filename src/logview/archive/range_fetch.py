"""One range of the server's entries fetched into the archive, page by page: a gap of the walk
(`sync.ArchivedPager._gap`) or what is newer than the archive (`_head`).

Every page is stored as it comes, with the span it completes. A span starts just after the page's
oldest time (entries at it may go on in the next page), joins the span the page before claimed
(`Span.joins_at`), and claims nothing where the pager doubted the page (out of order, outside its
cursor). The whole range, down to `low`, is claimed once the server says it has no more.

A span's newest end is only ever an entry's own time or a bound the server was sent, never this
machine's clock: a clock ahead of the server's must not claim minutes the server has not filled yet.
A bound not yet well in the past (a histogram's bucket of today ends at midnight) is no end either:
the span ends at the newest entry received, as with no bound, or the next launch and its tail would
take the rest of the day as fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import msgspec

from logview.api.paging import BackfillDone, EntriesLoaded, Notice, OnTheWire, Pager, PagerEvent
from logview.archive.coverage import Span, joined_next, settled
from logview.archive.meanwhile import CoverageWatch, CoveredMeanwhile
from logview.archive.server_count import ServerCount
from logview.archive.tail import TailPager, newest_time
from logview.archive.timeless import TimelessLedger, keeping_timeless
from logview.model import Filters, LogEntry
from logview.sources.page_columns import oldest_time
from logview.times import as_sent, epoch_us

if TYPE_CHECKING:
    from logview.api.client import ApiClient
    from logview.sources.base import Source

ONE_US = timedelta(microseconds=1)
Store = Callable[[Sequence[LogEntry], Span | None], Awaitable[Notice | None]]


class Edges(msgspec.Struct, frozen=True):
    """Which of a range's entries are new to the screen: only those strictly between `above` and
    `below`, the stretches around a gap holding the rest. `held_at_floor`: the ids of the entries
    at `above` shown already (the head above the archive's newest time; None where the stretch
    below holds all of them: a gap). `held_at_ceiling`: the ids shown already just below `below`
    (`Span.shown_part`). What is not kept was counted by the server and shown otherwise: a repeat."""

    above: datetime | None = None
    below: datetime | None = None
    held_at_floor: set[str] | None = None
    held_at_ceiling: Collection[str] = ()

    def kept(self, entries: Sequence[LogEntry]) -> Sequence[LogEntry]:
        above, below, floor, ceiling = self.above, self.below, self.held_at_floor, self.held_at_ceiling
        if above is None and below is None:
            return entries
        return [e for e in entries if e.time is None or (
            (above is None or e.time > above or (e.time == above and floor is not None and e.id not in floor))
            and (below is None or e.time < below) and e.id not in ceiling)]

    def at_ceiling(self, entries: Sequence[LogEntry]) -> int:
        """How many of `entries` lie at or above `below`, or are held just below it."""
        below = self.below
        return 0 if below is None else sum(1 for e in entries if e.time is not None and (
            e.time >= below or e.id in self.held_at_ceiling))


class Fetching(msgspec.Struct, frozen=True):
    """What every range of one walk is fetched with (`ArchivedPager`'s)."""

    source: Source
    client: ApiClient
    server_filters: Filters
    on_the_wire: OnTheWire  # its requests unanswered (`Pager.on_the_wire`)
    store: Store
    tail: TailPager
    count: ServerCount
    keep_all: bool  # (no entry to test against the filters)
    matches: Callable[[LogEntry], bool]  # (the filters' part the server does not apply)


class RangeFetch:
    """The server's entries in [low, high], stored as they come; `items()` yields the batches
    (only `edges.kept`), the pager's other events and, where `watch` saw the archive come to hold
    what lies below the pages (`meanwhile.py`), a `CoveredMeanwhile` as the last item.
    `open_top`: no `high` was sent, so coverage ends at the newest entry received. `index`: the
    gap's server count (`ServerCount`); `rest`: the fetch goes on below a stretch another process
    archived, which the gap's count holds already. `pages`, `more`: its pager's, so far."""

    def __init__(self, fetching: Fetching, timeless: TimelessLedger, low: datetime | None, high: datetime | None,
                 *, open_top: bool, edges: Edges, index: int, rest: bool = False, watch: CoverageWatch | None = None,
                 cap_room: Callable[[], int | None] | None = None) -> None:
        self._with, self._timeless, self.low, self.high = fetching, timeless, low, high
        self.open_top, self.edges, self.index, self.rest, self.watch = open_top, edges, index, rest, watch
        # No cap of its own: what the server sends is archived whole, and the caller stops at its cap.
        # `low` as the server is sent it (cut to the millisecond): the server counts what lies from
        # there on, so the pager keeps it too, and what of it lies below `low` (a stretch's edge, shown
        # from the archive) is a repeat (`Edges.kept`), not an entry the pager hid inside the count.
        self.pager = Pager(keeping_timeless(fetching.source), fetching.client, fetching.server_filters.model_copy(
            update={"since": None if low is None else as_sent(low), "until": high}), new_query=index == 0 and not rest,
            on_the_wire=fetching.on_the_wire, cap_room=cap_room)
        self.more: bool | None = None

    @property
    def pages(self) -> int:
        return self.pager.pages

    async def items(self) -> AsyncIterator[PagerEvent | Sequence[LogEntry] | CoveredMeanwhile]:
        low, high, fetching = self.low, self.high, self._with
        count = fetching.count
        top = None if self.open_top or not settled(high) else high
        joins_at: int | None = None  # where the span of the last page that claimed one starts
        whole = True
        async with aclosing(self.pager.backfill()) as events:
            async for event in events:
                if isinstance(event, EntriesLoaded):
                    self.more = event.more if fetching.keep_all or not event.more else None  # (all filtered out?)
                    count.said(self.index, event.total)
                    top = top or newest_time(event.entries)
                    oldest = oldest_time(event.entries)
                    covered = (Span(epoch_us(oldest + ONE_US), epoch_us(top), joins_at)
                               if oldest and top and oldest < top else None)
                    if self.pager.doubted:  # what a page out of order or outside its cursor spans proves nothing
                        whole, covered = False, None
                        fetching.tail.doubt(event.entries)  # (nor may the tail's span start at one of its entries)
                    joins_at = joined_next(joins_at, covered, epoch_us(top) if event.entries else None)
                    if (trouble := await fetching.store(event.entries, covered)) is not None:
                        yield trouble
                    fresh = self.edges.kept(self._timeless.fresh(event.entries))
                    # (below a stretch archived meanwhile, what the stretch showed is in the gap's count once already)
                    shown = self.edges.at_ceiling(event.entries) if self.rest else 0
                    count.repeated(self.index, len(event.entries) - len(fresh) - shown)
                    yield fresh if fetching.keep_all else [e for e in fresh if fetching.matches(e)]
                    if self.watch is not None:
                        self.watch.note(event.entries, oldest)
                        if (stopped := self.watch.covered()) is not None:
                            yield stopped  # (the pages below are archived: asked for no more)
                            return
                elif isinstance(event, BackfillDone):
                    if whole and not event.capped and top is not None and (low is None or low <= top):
                        if (trouble := await fetching.store([], Span(epoch_us(low), epoch_us(top), joins_at))) is not None:
                            yield trouble
                else:
                    if isinstance(event, Notice):
                        whole = whole and event.kind not in ("stuck", "tie_group", "contract")
                    yield event
