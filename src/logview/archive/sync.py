"""Fetching through the archive: what is archived is shown without a request, and the server is
asked only for the time ranges the archive does not cover.

`ArchivedPager` has the `Pager`'s face (`backfill`, `poll`, `follow`), so the viewer and export use
it in its place. For one query (the server's part of the filters; its `query_key`) the archive
knows which time spans are complete. The backfill walks the query's range newest first:

- `paint_first` (the viewer): the covered spans are shown first, straight from the archive (the older ones if
  the cap has room for all: `older_stretches.py`); what is newer comes next, page by page on top (one request
  when nothing is new; Aitronos by `start_date` from the newest archived time, Supermetrics by pages from the
  head until they reach it); then the gaps, down to the range's start: an interrupted backfill resumes below.
- Without it (export), the same pieces come strictly newest first.

Every page is stored as it arrives, with the span it completes, in one transaction (`archiving.py`, `range_fetch.py`):
a crash, a Ctrl-C or a closed viewer loses no page received, and the next run resumes below them.
"""

from __future__ import annotations

import asyncio
from functools import partial
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from logview.api.page_order import sort_key
from logview.api.paging import BackfillDone, EntriesLoaded, Notice, OnTheWire, PagerEvent, capped_notice
from logview.api.streams import spare_request
from logview.archive.archiving import OnArchived, PageArchiving
from logview.archive.columns import ArchivedColumns
from logview.archive.painted import ArchivedRows, SpanPainting, floor_ids
from logview.archive.coverage import Span, query_key
from logview.archive.meanwhile import CoverageWatch, CoveredMeanwhile
from logview.archive.turns import NOT_TRIED, WAITING_WORDS, one_fetch_at_a_time
from logview.archive.range_fetch import Edges, Fetching, RangeFetch
from logview.archive.server_count import ServerCount
from logview.archive.older_stretches import OlderStretches, older_than_span
from logview.archive.tail import TailPager
from logview.archive.timeless import TimelessLedger
from logview.model import Filters, LogEntry
from logview.times import epoch_us, from_epoch_us
from logview.sources.page_columns import first

if TYPE_CHECKING:
    from logview.api.client import ApiClient
    from logview.archive.first_paint import FirstPaint
    from logview.archive.source import ArchivedSource
    from logview.sources.base import Source

PAINT_BATCH = 5_000  # archived entries handed over at once: the first screen comes after the first


class ArchivedPager:
    """A `Pager` that reads and fills the archive (see the module's docstring)."""

    def __init__(self, source: Source, client: ApiClient, filters: Filters, archived: ArchivedSource, *,
                 max_entries: int | None = None, paint_first: bool = True, show_archived: bool = True,
                 store: Callable[[Sequence[LogEntry], Span | None], Awaitable[Notice | None]] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, paint_columns: bool = False,
                 on_archived: OnArchived | None = None, done_before_archived: bool = False,
                 painted: FirstPaint | None = None) -> None:
        self.source, self.client, self.filters, self.archived = source, client, filters, archived
        self.paint_columns = paint_columns  # archived spans come as `ArchivedRows` (the viewer's store)
        self.max_entries, self.paint_first, self.show_archived = max_entries, paint_first, show_archived
        # Only the server's part of the filters is fetched and archived (a span's); the rest filters what is shown.
        self.server_filters = source.server_part(filters)
        self.key = query_key(self.server_filters)
        self._keep_all = source.keeps_everything(filters)  # (no entry to test against the filters)
        self._archiving = PageArchiving(archived, self.key, on_archived, done_first=done_before_archived)
        self._store = store or self._archiving.store
        # The tail is a plain pager whose head is what the backfill has shown. It waits until the
        # head is final: in paint-first mode, until what is newer than the archive has come.
        unbounded = {"since": None, "until": None}
        self.tail = TailPager(source, client, self.server_filters.model_copy(update=unbounded), sleep=sleep,
                              archive=self._store, wanted=filters.model_copy(update=unbounded), handed=self._archiving.handed)
        self._head_known = self.tail.ready
        # (what is newer than the archive while fetched: see `_head`; or "older": a hole's, `_gap`)
        self._head_pending, self.head_newer, self.head_total, self.filling = False, 0, None, "newer"
        self.pages = self.loaded = 0
        self.count = ServerCount()  # (`from_archive`: entries shown without a request)
        self.on_the_wire = OnTheWire()  # its gaps' requests unanswered (`Pager.on_the_wire`)
        self._unshown = self._superseded = 0  # counted, not shown (`show_archived` False); archived copies passed over
        self._unreached = True  # pieces of the range not yet begun: their entries are not counted yet
        self._told: int | None = None  # the total the last batch gave
        # (`_cut_short`: the cap ended the walk before the range's end; `_more`: `EntriesLoaded.more`'s, the last)
        self._cut_short, self._more = False, None
        self._spans: list[Span] | None = None  # the archive's coverage, once read (`FirstPaint`'s)
        self._painting: SpanPainting | None = None  # the top span, begun by `FirstPaint`
        self._older = OlderStretches(lambda: self.loaded)  # (painted before any request: s19 V3)
        self._held_below: dict[Span, set[str]] = {}  # a span's ids at the time just below it, read as it is shown
        self._fetched_ids = set[str]() if not paint_columns or filters.search else None  # (`_painted_entries`)
        self._fetching = Fetching(source, client, self.server_filters, self.on_the_wire, self._store, self.tail,
                                  self.count, self._keep_all, lambda entry: source.matches(entry, filters))
        if painted is not None:  # (the viewer's: the newest archived rows, read and painted before this was built)
            self._spans, self._painting, self._head_pending = painted.spans, painted.painting, painted.pending
            if painted.rows is not None:
                self._shown(painted.rows.columns)

    @property
    def archiving(self) -> PageArchiving:  # (the viewer's quit, and its status line: `Feed`)
        return self._archiving

    async def flush(self) -> Notice | None:
        """Wait until every page handed over is archived."""
        return await self._archiving.flush()

    # -- bookkeeping ----------------------------------------------------------------------
    def _room(self) -> int | None:  # (what the cap leaves: `_cap`'s; a gap's prefetch's, `Pager(cap_room=)`)
        return None if self.max_entries is None else self.max_entries - self.loaded + self._older.rows

    def _cap(self, entries: Sequence[LogEntry]) -> tuple[Sequence[LogEntry], bool | None]:  # (`Notice.older`)
        fits = (room := self._room()) is None or len(entries) < room
        return (entries, False) if fits else (first(entries, room), len(entries) > room or self._more)

    def _full(self) -> bool:
        return self.max_entries is not None and self.loaded >= self.max_entries

    def _total(self) -> int | None:
        """The server's count: what the archive showed plus each gap's own count."""
        # (unknown until what is newer than the archive has been asked for, until the walk has begun its last piece,
        # and for good once a cap left part of the range unvisited: a partial sum passed for the server's count)
        pending = self._head_pending or self._cut_short or self._unreached
        self._told = None if pending else self.count.value()
        return self._told

    def _loaded(self, entries: Sequence[LogEntry], *, live: bool = False, fetched: bool = False) -> EntriesLoaded:
        if fetched and self._fetched_ids is not None:
            self._fetched_ids.update(entry.id for entry in entries)
        self.loaded += len(entries)
        self.tail.head.note(entries)
        if not self._head_pending:
            self._head_known.set()
        return EntriesLoaded(entries, self.pages, self.loaded + self._unshown, self._total(), live=live,
                             handed=self._archiving.handed(entries) if fetched else None)  # (`HeldEntries.bind`)

    # -- the backfill ---------------------------------------------------------------------
    def _covered(self) -> list[Span]:
        return self.archived.coverage_within(self.key, epoch_us(self.filters.since), epoch_us(self.filters.until))

    async def backfill(self) -> AsyncIterator[PagerEvent]:
        since, until = self.filters.since, self.filters.until
        spans, self._spans = self._spans if self._spans is not None else self._covered(), None
        capped, self._timeless = False, TimelessLedger(self.archived)
        self._watch = CoverageWatch(partial(self.archived.coverage, self.key))  # (the coverage just read)
        try:
            async for event in self._walk(spans, since, until):
                if isinstance(event, Notice) and event.kind == "capped":
                    if capped:
                        continue  # (said once)
                    capped = True
                yield event
            self._unreached = False
            if self.show_archived and since is None and until is None and not self._full():
                async for event in self._painted_entries(self._timeless.archived()):  # (see timeless.py)
                    yield event
            if self._told is None and self._total() is not None:  # (the walk ended on a span: say its count)
                yield EntriesLoaded([], self.pages, self.loaded + self._unshown, self._told)
        except BaseException:  # cancelled (Ctrl-C, a closed viewer, a new query) or failed:
            await self._archiving.writer.flush()  # … what was received is archived all the same
            raise
        finally:
            if self.tail.head.time is None and since is not None:
                # nothing shown from a range's start on: the tail starts there, not at the API's whole history
                self.tail.head.start_from(since, set())
            self._head_pending = False
            self._head_known.set()
        async for event in self._archiving.ending(BackfillDone(self.loaded + self._unshown, self.pages, capped)):
            yield event  # (the archive's trouble and the end, in the order `PageArchiving.ending` says)

    async def _walk(self, spans: list[Span], since: datetime | None, until: datetime | None
                    ) -> AsyncIterator[PagerEvent]:
        # Everything newer than `ceiling` is shown. It is the range's own end (entries at it
        # wanted) until a span has been shown, then that span's start (entries at it are in it).
        ceiling, open_top, inside = until, until is None, False
        shown_below: set[str] = set()  # the ids shown just below `ceiling` (`Span.shown_part`)
        show = partial(self._show_span, since=since, until=until)
        if spans and self.paint_first and open_top:
            top = spans.pop(0)
            self._head_pending, self._unreached = True, top.start_us is not None
            async for event in self._show_span(top, since, until):
                yield event
            rows_in = lambda span: self.archived.count_in(*span.within(epoch_us(since), epoch_us(until)))  # noqa: E731
            async for event in self._older.paint(spans, show, room=self.max_entries, rows_in=rows_in):
                yield event
            head = from_epoch_us(top.end_us)
            self.tail.head.start_from(head, {e.id for e in self.archived.entries(top.end_us, top.end_us)})
            async for event in self._head(head):
                yield event
            if top.start_us is None:
                return
            ceiling, open_top, inside = from_epoch_us(top.start_us), False, True
            shown_below = self._held_below.pop(top, set())
        for span in spans:
            if self._full():
                yield self._cut_at_cap()
                return
            floor = from_epoch_us(span.end_us)
            if ceiling is None or floor < ceiling:
                async for event in self._gap(floor, ceiling, open_top=open_top, keep_above=floor,
                                             keep_below=ceiling if inside else None, shown_below=shown_below):
                    yield event
            if self._full():
                yield self._cut_at_cap()
                return
            async for event in self._older.show_once(span, show):
                yield event
            if span.start_us is None:
                return
            ceiling, open_top, inside = from_epoch_us(span.start_us), False, True
            shown_below = self._held_below.pop(span, set())
        self._unreached = False
        if ceiling is None or since is None or ceiling > since:  # (a part below the last span)
            if self._full():
                yield self._cut_at_cap()
                return
            async for event in self._gap(since, ceiling, open_top=open_top, keep_above=None,
                                         keep_below=ceiling if inside else None, shown_below=shown_below):
                yield event

    def _cut_at_cap(self, older: bool | None = True) -> Notice:
        self._cut_short = True  # (the cap ends the walk with part of the range unvisited: the total is unknown)
        return capped_notice(self.max_entries, older=older)

    async def _show_span(self, span: Span, since: datetime | None, until: datetime | None
                         ) -> AsyncIterator[PagerEvent | ArchivedRows]:
        """The span's entries within the range that match the filters: as columns (`paint_columns`, not a search's)."""
        within = span.within(epoch_us(since), epoch_us(until))
        before = 0 if self._painting is not None else self.count.from_archive + self._superseded  # (`FirstPaint`'s are its)
        if not self.show_archived:  # (counted all the same: the progress and the end say what export says)
            self._unshown += (count := self.archived.count_in(*within))
            self.count.archived(count)
            return
        low, high = span.shown_part(epoch_us(since), epoch_us(until))
        self._held_below[span] = floor_ids(self.archived, span, epoch_us(since))  # (before its rows: more may come)
        async for event in self._archived_rows(low, high):
            if event is None:
                return
            yield event
        rows_left = lambda: self.archived.count_in(*within) - (self.count.from_archive + self._superseded - before)  # noqa: E731
        if self._full() and (older := older_than_span(span, epoch_us(since), rows_left(), self._keep_all)) is not False:
            yield self._cut_at_cap(older)

    def _archived_rows(self, low: int | None, high: int) -> AsyncIterator[PagerEvent | ArchivedRows | None]:
        return self._span_columns(low, high) if self.paint_columns and not self.filters.search else \
            self._painted_entries(self.archived.entries(low, high, timeless=False))  # (as columns: not a search's)

    async def _painted_entries(self, entries: Iterable[LogEntry]) -> AsyncIterator[EntriesLoaded | None]:
        batch: list[LogEntry] = []  # (an archived copy of an id fetched is its older answer: the server sent
        fetched = self._fetched_ids if self._fetched_ids is not None else ()  # it again, s24 walk #1)
        for entry in entries:
            if entry.id in fetched:
                self._superseded += 1  # (neither shown nor counted)
            elif self.source.matches(entry, self.filters):
                batch.append(entry)
            if len(batch) >= PAINT_BATCH:
                yield self._painted(batch)
                batch = []
        if batch and (event := self._painted(batch)) is not None:
            yield event

    async def _span_columns(self, low: int | None, high: int) -> AsyncIterator[ArchivedRows | None]:
        painting, self._painting = self._painting, None
        if self._full():  # (already, with the rows first painted: read no more of the span)
            return
        if painting is None or painting.range != (low, high):
            painting = SpanPainting(self.archived, self.source, self.filters, low, high)
        async for columns, expected in painting.chunks():
            yield self._painted_rows(columns, expected)
            if self._full():
                return

    def _painted_rows(self, columns: ArchivedColumns, expected: int | None) -> ArchivedRows | None:
        """What `_painted` and `_loaded` do for a batch of entries, for archived rows as columns."""
        count = len(columns) if self.max_entries is None else min(len(columns), self.max_entries - self.loaded)
        if count <= 0:
            return None
        columns = self._shown(columns.take(slice(0, count)))
        return ArchivedRows(columns, self.archived, self.pages, self.loaded, self._total(), expected)

    def _shown(self, columns: ArchivedColumns) -> ArchivedColumns:
        """Archived rows shown: counted, and the tail starts above them."""
        self.count.archived(len(columns))
        self.loaded += len(columns)
        newest, head = columns.newest_us(), self.tail.head.time
        if newest is not None and (head is None or from_epoch_us(newest) >= head):
            self.tail.head.start_from(from_epoch_us(newest), {e.id for e in self.archived.entries(newest, newest)
                                                   if self.source.matches(e, self.filters)})
        if not self._head_pending:
            self._head_known.set()
        return columns

    def _painted(self, batch: list[LogEntry]) -> EntriesLoaded | None:
        if not (batch := self._cap(batch)[0]):
            return None
        self.count.archived(len(batch))
        return self._loaded(batch)

    async def _gap(self, low: datetime | None, high: datetime | None, *, open_top: bool,
                   keep_above: datetime | None, keep_below: datetime | None,
                   shown_below: set[str]) -> AsyncIterator[PagerEvent]:
        counting, self.head_newer, probed = self._unreached, 0, False
        wanted_from = epoch_us(keep_above) + 1 if keep_above is not None else epoch_us(low)  # (its lowest time)
        index, fetched, watch, again = self.count.gap(), False, self._watch, None  # (`index`: the gap's server count)
        watch.gap(wanted_from, None if keep_below is None else epoch_us(keep_below), shown_below)
        turns, processes = one_fetch_at_a_time(*self.archived.where, self.key), not open_top or keep_above is None
        while True:  # (other processes' gaps take turns with it too, but a head's above the archive: `turns.py`)
            if (tried := turns.try_processes() if processes else NOT_TRIED) is None:  # (another's: said first)
                yield Notice("waiting", WAITING_WORDS)
            async with turns.turn(self.flush, progress=watch.coverage if processes else None, tried=tried,
                                  under_way=self.client.under_way) as waited:
                if waited and open_top and keep_above is None and (again := self._covered()):
                    break  # (below)
                if (stopped := watch.covered(look_now=waited)) is None:  # (what was archived meanwhile: not asked for)
                    async for item in self._fetch(low, high, open_top=open_top, index=index, rest=fetched, watch=watch,
                                                  edges=Edges(keep_above, keep_below, held_at_ceiling=shown_below)):
                        if isinstance(item, CoveredMeanwhile):
                            stopped = item  # (its last item: the fetch has ended)
                            continue
                        if not isinstance(item, Sequence):  # (a batch: a list, or a typed page's `ColumnEntries`)
                            yield item
                            continue
                        batch, older = self._cap(item)
                        if counting:  # (a hole between stretches: the total waits for the one below; s19 V3)
                            self.filling, self.head_newer, self.head_total = "older", self.head_newer + len(batch), self.count.last()
                        yield self._loaded(batch, fetched=True)
                        if older is None and not probed and spare_request(self.client.budget):
                            probed = True  # (exactly at the cap: the next page says whether anything is older)
                        elif older is not False:
                            yield self._cut_at_cap(older)
                            return
                    if stopped is None:
                        break
                    fetched = True
            async for event in self._show_meanwhile(stopped, wanted_from, index if fetched else None):
                yield event
            if (ceiling := stopped.rest_below(wanted_from)) is None:
                self.count.said(index, None if fetched else 0)  # (none fetched: the server counted none of it)
                break
            if self._full():
                yield self._cut_at_cap()
                return
            high = keep_below = from_epoch_us(ceiling)  # (the rest, below the stretch shown and its ids at its edge)
            open_top, shown_below = False, floor_ids(self.archived, stopped.span, None)
            watch.gap(wanted_from, ceiling, shown_below)
        self.head_newer = 0
        if again:  # the first gap, nothing shown, waited for another's turn, which fetched it: the walk
            self.count.said(index, 0)  # from the top, as a launch now would (each asked for every page)
            async for event in self._walk(again, self.filters.since, self.filters.until):
                yield event

    async def _show_meanwhile(self, stopped: CoveredMeanwhile, wanted_from: int | None, index: int | None
                              ) -> AsyncIterator[PagerEvent | ArchivedRows]:
        """What another process archived below a gap's fetch (`meanwhile.py`), from the archive, in
        the fetch's place: counted in the gap's server count (`index`, None: none fetched yet) already."""
        low, oldest = stopped.shown_from(wanted_from), stopped.oldest_us
        at_oldest = [e for e in self.archived.entries(oldest, oldest, timeless=False) if e.id not in stopped.received]
        with self.count.held_by(index):
            if not self.show_archived:
                self._unshown += (count := len(at_oldest) + self.archived.count_in(low, oldest - 1))
                self.count.archived(count)
                return
            for events in (self._painted_entries(at_oldest), self._archived_rows(low, oldest - 1)):
                async for event in events:
                    if event is None:
                        return  # (the cap is met)
                    yield event

    async def _head(self, head: datetime) -> AsyncIterator[PagerEvent]:
        """What is newer than the archive, each page a live batch on top as it comes (s18 W2: all
        at once at the end), up to the cap even when the archive's rows filled it (the store lets
        the oldest go). The archive's word of where its entries went waits until they are shown."""
        self.head_newer, self.filling = 0, "newer"
        self._archiving.hold_word()
        try:
            edges = Edges(above=head, held_at_floor=set(self.tail.head.ids))
            async for item in self._fetch(head, None, open_top=True, edges=edges, index=self.count.gap()):
                if not isinstance(item, Sequence):  # (a batch: see `_gap`)
                    yield item
                    continue
                self.head_total = self.count.last()  # (the server's count of it, where it gives one)
                room = None if self.max_entries is None else self.max_entries - self.head_newer
                if batch := sorted(item, key=sort_key, reverse=True)[:room]:
                    self.head_newer += len(batch)
                    yield self._loaded(batch, live=True, fetched=True)
                    self._archiving.pass_word(holding=True)  # (what was archived of it is shown now)
            self._head_pending, self.head_newer = False, 0
            yield self._loaded([], live=True)  # (the head is final: the tail may begin; the total is said)
        finally:
            self._archiving.pass_word()

    async def _fetch(self, low: datetime | None, high: datetime | None, *, edges: Edges, **options: Any
                     ) -> AsyncIterator[PagerEvent | Sequence[LogEntry] | CoveredMeanwhile]:
        """A `RangeFetch`'s items (`options`: its own), the walk's pages and `_more` kept up with it."""
        fetch, pages_before = RangeFetch(self._fetching, self._timeless, low, high, edges=edges, **options, cap_room=(
            self._room if edges.held_at_floor is None else None)), self.pages  # (`_head`'s goes on past the cap)
        async for item in fetch.items():
            self.pages, self._more = pages_before + fetch.pages, fetch.more
            yield item

    # -- the live tail --------------------------------------------------------------------
    def poll(self) -> AsyncIterator[PagerEvent]:
        return self.tail.poll()

    def follow(self, interval_s: float, *, max_backoff_s: float = 60.0) -> AsyncIterator[PagerEvent]:
        return self.tail.follow(interval_s, max_backoff_s=max_backoff_s)

__all__ = ["ArchivedPager", "ArchivedRows", "query_key"]
