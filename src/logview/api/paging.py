"""Backfill and live tail over any source: cursors, de-duplication, stream merging, progress events.

Exact under change — no duplicates, no gaps:
- Offset paging (Aitronos) pins `end_date` at the start of the backfill so new arrivals cannot
  shift offsets; ids are de-duplicated anyway.
- Cursor paging (Supermetrics) re-asks from just past the oldest time of each page, so a tie group
  straddling a page boundary comes back whole; repeats are dropped by id. A full page that is all
  one timestamp cannot be paged through with a time cursor: that is reported, never looped on.
- Several Aitronos statuses run as one request stream each, merged newest first.
- A tail cycle asks for what is newer than the newest entry seen and walks back page by page until
  it overlaps what it has, so a burst larger than a page is never skipped.
- Every page is checked against the API's contract first (`contract.py`): what a server gets
  wrong is left out or corrected and said, and a server ignoring its cursor stops the stream with
  `ContractBroken` instead of being paged forever.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from contextlib import nullcontext
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from logview.api.contract import ContractBroken, Problems, RecentIds, StreamContract, broken_contract_words, stream_contract
from logview.api.events import BackfillDone, EntriesLoaded, Notice, PagerEvent, TailFailed, capped_notice
from logview.api.head import Head
from logview.api.page_order import sort_key
from logview.api.streams import Batch, Probed, StreamItem, following_entries, probe, spare_request, take_ready
from logview.api.prefetch import OnTheWire, Prefetch, predicted_cursor
from logview.api.types import Priority, RetryEvent, pages_left
from logview.model import ApiFailure, Filters, LogEntry, Page, ServerQuery
from logview.sources.base import Cursor, Source
from logview.sources.page_columns import first

if TYPE_CHECKING:
    from logview.api.client import ApiClient

# Whether a backfill stream sends its next request while the page at hand is parsed and handed
# over (prefetch.py), for a Pager not told otherwise: the viewer's backfills, `export`, `sql --sync`.
# On (s25): on a quiet 2-core machine the server builds the next page on the other core while this
# one is handed over (the viewer's 100k loopback ingest 2.04-1.78x the bare loop against 2.31-2.20x
# without, 13 of 14 pairs faster; on a busy machine the same, both cores taken: RESULTS.md, s20, s25).
# It never costs a request the walk would not have made: no guess past a cap (an ArchivedPager's
# too, `cap_room`), a range's start, a page that does not parse or breaks the contract, nor while
# the budget binds (tests/test_prefetch_requests.py holds the request logs equal, on and off).
PREFETCH = True
# Pages in a row that bring nothing new before a stream is declared stuck (a server ignoring its
# cursor in a way the contract checks cannot see would otherwise be paged forever).
MAX_BARREN_PAGES = 10


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Pager:
    """Pages one source through one client for one set of filters."""

    def __init__(
        self,
        source: Source,
        client: ApiClient,
        filters: Filters | None = None,
        *,
        max_entries: int | None = None,
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        prefetch: bool | None = None,
        new_query: bool = True,
        cap_room: Callable[[], int | None] | None = None,
        on_the_wire: OnTheWire | None = None,
    ) -> None:
        self.prefetch = PREFETCH if prefetch is None else prefetch
        # How many entries a caller's own cap leaves (an `ArchivedPager`'s: it stops the walk, not
        # this pager); prefetch guesses no page after one that may reach it.
        self._cap_room = cap_room
        self.on_the_wire = on_the_wire or OnTheWire()  # (its backfill's requests unanswered; an ArchivedPager's gaps share one)
        self._streams = 1  # (the backfill's request streams; below, the entries each one's pages held)
        self._received: dict[int, int] = {}
        # Each stream's first page is what the user waits for (FIRST: unpaced), unless the query
        # has shown pages before: an archive's older gap is backfill, paced as the rest of it (at a tail's
        # priority it took the tail's turns, counted as its polls, and the line said no "next page": found in a walk).
        self.first_page = Priority.FIRST if new_query else Priority.BACKFILL
        self.source = source
        self.client = client
        self.filters = filters or Filters()
        # The filters a tail's find is shown under, for their time range (`poll`): the viewer's, as typed
        self.shown = self.filters
        self.max_entries = max_entries
        self._clock = clock
        self._sleep = sleep
        self.pages = 0
        self.loaded = 0
        self.head = Head()  # what a tail cycle polls from and must not repeat
        self._contracts: list[StreamContract] = []  # the backfill's streams'
        self._tail_problems: Problems = Counter()  # what the tail's polls corrected so far, all of them

    @property
    def doubted(self) -> bool:
        """A page received so far broke the contract in its times or order (`StreamContract.doubts`):
        the range paged may hold entries the server did not send, and is not known complete."""
        return any(contract.doubts for contract in self._contracts)

    # -- fetching -------------------------------------------------------------------------
    def _requests(self, query: ServerQuery, contract: StreamContract | None = None) -> Prefetch:
        """A stream's requests; with its `contract`, each sent while the page before is parsed."""
        def send(cursor: Cursor, priority: Priority, **hooks: object) -> Awaitable[Page]:
            return self.client.fetch(self.source.logs_path(), self.source.request_params(cursor, query),
                                     self.source.parse_page, priority=priority, **hooks)  # type: ignore[arg-type]

        if not (contract and self.prefetch):
            return Prefetch(send, on_the_wire=self.on_the_wire if contract else None)
        budget = self.client.budget
        goes_now = lambda: budget is None or budget.goes_now(Priority.BACKFILL)  # noqa: E731
        stream = id(contract)
        heard = lambda page: self._expect(stream, page.total, self._received[stream] + len(page.entries))  # noqa: E731
        return Prefetch(send, predicted_cursor(self.source, query, contract, self._room, goes_now), heard,
                        self.on_the_wire)

    def _room(self) -> int | None:
        """How many entries the cap leaves (None: no cap), for prefetch's guesses."""
        left = self._cap_room() if self._cap_room is not None else \
            None if self.max_entries is None else self.max_entries - self.loaded
        # Merged streams under a cap: the others' entries reach it too, in an order a page's body
        # cannot tell (a stream's next page may never be asked for): no guess.
        return 0 if left is not None and self._streams > 1 else left

    async def _fetch(self, cursor: Cursor, query: ServerQuery, priority: Priority,
                     requests: Prefetch | None = None) -> AsyncIterator[RetryEvent | Page]:
        """One page; retry events stream out while the request is still being retried."""
        sent = (requests or self._requests(query)).request(cursor, priority)
        request, retries = sent.task, sent.retries
        try:
            while not request.done():
                waiting = asyncio.ensure_future(retries.get())
                await asyncio.wait({request, waiting}, return_when=asyncio.FIRST_COMPLETED)
                if waiting.done():
                    yield waiting.result()
                else:
                    waiting.cancel()
            while not retries.empty():
                yield retries.get_nowait()
            page = request.result()
        finally:
            if not request.done():
                request.cancel()
        yield page

    async def _fetch_page(self, cursor: Cursor, query: ServerQuery, page_out: list[Page],
                          priority: Priority = Priority.LIVE, requests: Prefetch | None = None
                          ) -> AsyncIterator[RetryEvent]:
        page_out.clear()
        async for item in self._fetch(cursor, query, priority, requests):
            if isinstance(item, Page):
                page_out.append(item)
            else:
                yield item

    def _expect(self, stream: object, total: int | None, received: int) -> None:
        """Tell the budget how many requests `stream` still needs, when the server counts its
        entries (Aitronos): all of them may go at once if they fit in what the window has left."""
        budget = self.client.budget
        if budget is None or total is None:
            return
        room = None if self.max_entries is None else received + self.max_entries - self.loaded
        budget.expect_backfill(stream, pages_left(total, received, self.source.page_limit, room))

    # -- backfill -------------------------------------------------------------------------
    async def _stream(self, query: ServerQuery) -> AsyncIterator[StreamItem]:
        """All pages of one request stream, checked against the API's contract (`contract.py`),
        de-duplicated, oldest page last; at its natural end, what the server got wrong."""
        recent = RecentIds()
        contract = stream_contract(self.source, recent.__contains__)
        self._contracts.append(contract)
        requests = self._requests(query, contract)
        try:
            async for item in self._pages(query, recent, contract, requests):
                yield item
        finally:  # (a broken page, the cap, a new query: the page prefetched is never read)
            requests.close()
            if self.client.budget is not None:
                self.client.budget.expect_backfill(id(contract), None)
        if (corrected := contract.summary()) is not None:
            yield Notice("contract", corrected)

    async def _pages(self, query: ServerQuery, recent: RecentIds, contract: StreamContract,
                     requests: Prefetch) -> AsyncIterator[StreamItem]:
        source = self.source
        cursor = source.first_cursor(query)
        escapes: list[Cursor] = []
        stuck_time: datetime | None = None
        barren = 0
        holder: list[Page] = []
        received = self._received[id(contract)] = 0  # entries the stream's pages held, repeats too (an offset's worth)
        priority = self.first_page  # the rest is backfill
        while True:
            async for retry in self._fetch_page(cursor, query, holder, priority, requests):
                yield retry
            self.pages += 1  # (the backfill's: a tail poll counted too said "page 53" of its 40th, found in a walk)
            priority = Priority.BACKFILL
            page = holder[0]
            received += len(page.entries)
            self._received[id(contract)] = received
            self._expect(id(contract), page.total, received)
            checked = contract.check(page, cursor)
            fresh = recent.take_new(checked.entries)
            contract.took(fresh)
            self.head.note(fresh)
            # (known before the batch goes: a backfill stopped at its cap by it says whether anything is older)
            following = None if source.reached_lower_bound(Page(checked.entries), query) else \
                contract.next_cursor(page, checked, cursor)
            if contract.confirming and not spare_request(self.client.budget):  # (not worth a wait of the pace)
                following, contract.confirming = None, False
            counts = page.has_more is not None or page.total is not None
            yield Batch(fresh, page.total, False if following is None or contract.confirming else True if counts else None)
            if following is None:
                return
            if checked.ignored:  # the third in a row raises ContractBroken
                contract.strike(cursor)
                cursor = following
                continue
            barren = 0 if fresh else barren + 1
            if not fresh and following == cursor:
                # A full page of one timestamp: the time cursor cannot move past it.
                oldest = min((e.time for e in page.entries if e.time is not None), default=None)
                if oldest is None:
                    return
                if oldest != stuck_time:
                    stuck_time, escapes = oldest, list(source.escape_cursors(oldest))
                    yield Notice(
                        "tie_group",
                        f"more than {len(page.entries)} entries share the time {oldest.isoformat()}; "
                        "the API's time cursor cannot page through them, so some entries at exactly "
                        "that time may be missing. Continuing with older entries.",
                    )
                if not escapes:
                    yield Notice("stuck", f"paging stopped at {oldest.isoformat()}: the cursor cannot move")
                    return
                following = escapes.pop(0)
            elif barren >= MAX_BARREN_PAGES:
                yield Notice("stuck", f"paging stopped: {barren} pages in a row brought no new entries")
                return
            cursor = following

    async def backfill(self) -> AsyncIterator[PagerEvent]:
        """Everything matching the filters, newest first, in batches as pages arrive."""
        queries = self.source.streams(self.filters, self._clock())
        self._streams = len(queries)
        streams = [self._stream(query) for query in queries]
        buffers: list[deque[LogEntry]] = [deque() for _ in queries]
        totals: list[int | None] = [None] * len(queries)
        more: list[bool | None] = [None] * len(queries)  # (each stream's last `Batch.more`)
        active = set(range(len(queries)))
        capped = False
        keep_all = self.source.keeps_everything(self.filters)
        single = len(queries) == 1
        try:
            while active or any(buffers):
                for index in sorted(active):
                    # Every live stream needs something buffered before anything can be merged.
                    while index in active and not buffers[index]:
                        try:
                            item = await anext(streams[index])
                        except StopAsyncIteration:
                            active.discard(index)
                            break
                        if isinstance(item, Batch):
                            if single:  # (taken whole, a typed page's columns with it: nothing to merge)
                                buffers[index] = item.entries  # type: ignore[call-overload]
                            else:
                                buffers[index].extend(item.entries)
                            if item.total is not None and totals[index] is None:
                                totals[index] = item.total
                            more[index] = item.more
                        else:
                            yield item
                ready = take_ready(buffers, active)
                batch = ready if keep_all else [entry for entry in ready if self.source.matches(entry, self.filters)]
                following = following_entries(buffers, active, more)
                older: bool | None = False
                if self.max_entries is not None and self.loaded + len(batch) >= self.max_entries:
                    # Beyond the cap: the entries cut from this batch matched and are older. At it:
                    # what follows may all be filtered out here (the server's count, under its own
                    # filters, cannot say: the next page, `streams.probe`, may).
                    older = True if self.loaded + len(batch) > self.max_entries else \
                        following if keep_all or not following else None
                    capped, batch = older is not False, first(batch, self.max_entries - self.loaded)
                self.loaded += len(batch)
                total = sum(totals) if all(t is not None for t in totals) else None  # type: ignore[arg-type]
                yield EntriesLoaded(batch, self.pages, self.loaded, total, more=following)
                if capped and older is None and spare_request(self.client.budget):
                    # Exactly at the cap after a full page that counts nothing: the next page says
                    # whether anything is older (one request, while the budget has it to spare).
                    async for item in probe(streams, active, more,
                                            None if keep_all else lambda entry: self.source.matches(entry, self.filters)):
                        if isinstance(item, Probed):
                            older, capped = item.older, item.older is not False
                        else:
                            yield item
                if capped:
                    yield capped_notice(self.max_entries, older=older)
                    break
        finally:
            for stream in streams:
                await stream.aclose()
        yield BackfillDone(self.loaded, self.pages, capped)

    # -- live tail ------------------------------------------------------------------------
    async def poll(self) -> AsyncIterator[PagerEvent]:
        """One tail cycle: every entry newer than the newest seen, as one `live` batch; none, asking the
        API nothing, once the range shown has ended (it walked from the range's end to now, a drilled-down
        day's end 4 days back: 28 requests of entries archived already, then polled on, none shown; found in a walk)."""
        if self.shown.ended_by(self._clock()):
            yield EntriesLoaded([], self.pages, self.loaded, None, live=True)
            return
        head_time, head_ids = self.head.time, set(self.head.ids)
        found: list[LogEntry] = []
        budget = self.max_entries
        for query in self._tail_streams():
            tail_query = self.source.tail_query(query, head_time) if head_time else ServerQuery(
                status=query.status, credential=query.credential)
            async for event in self._tail_stream(tail_query, head_time, head_ids, found, budget):
                yield event
        found.sort(key=sort_key, reverse=True)
        self.head.note(found)
        batch = [entry for entry in found if self.source.matches(entry, self.filters)]
        self.loaded += len(batch)
        yield EntriesLoaded(batch, self.pages, self.loaded, None, live=True)

    def _tail_streams(self) -> list[ServerQuery]:
        """The request streams of a tail cycle: the filters' own, without their time range."""
        return self.source.streams(self.filters.model_copy(update={"since": None, "until": None}), self._clock())

    async def _tail_stream(
        self,
        query: ServerQuery,
        head_time: datetime | None,
        head_ids: set[str],
        found: list[LogEntry],
        budget: int | None,
    ) -> AsyncIterator[RetryEvent | Notice]:
        cursor = self.source.first_cursor(query)
        seen = {entry.id for entry in found}
        contract = stream_contract(self.source, seen.__contains__, open_top=True)
        holder: list[Page] = []
        while True:
            async for retry in self._fetch_page(cursor, query, holder):
                yield retry
            page = holder[0]
            checked = contract.check(page, cursor)
            older_seen = False
            fresh: list[LogEntry] = []
            unseen = 0  # entries not met before in this cycle: none means the walk goes in circles
            for entry in checked.entries:
                if entry.id in seen:
                    continue
                seen.add(entry.id)
                unseen += 1
                if entry.time is None:
                    if entry.id in self.head.timeless:
                        continue
                elif head_time is not None and entry.time < head_time:
                    older_seen = True  # the walk has reached what we already have
                    continue
                elif head_time is not None and entry.time == head_time and entry.id in head_ids:
                    continue  # the newest tie group may have grown: keep walking through it
                fresh.append(entry)
            contract.took(fresh)
            found.extend(fresh)
            following = contract.next_cursor(page, checked, cursor)
            if checked.ignored and following is not None:
                contract.strike(cursor)  # the third in a row raises: the tail reports it and stops
            elif older_seen or following is None or unseen == 0 or (not fresh and following == cursor):
                break
            if budget is not None and len(found) >= budget:
                break
            cursor = following
        if contract.problems:  # (said as the backfill says it, with the polls' before: each said "1 page")
            self._tail_problems.update(contract.problems)
            yield Notice("contract", f"live tail: {broken_contract_words(self._tail_problems)}", live=True)

    async def follow(self, interval_s: float, *, max_backoff_s: float = 60.0) -> AsyncIterator[PagerEvent]:
        """Tail until the server breaks its contract: a cycle, then a pause; after a failure, pauses
        double up to `max_backoff_s`. While it runs, the backfill leaves it a request per stream
        every interval in the budget."""
        pause = interval_s
        ended = self.shown.ended_by(self._clock())  # (its polls ask nothing: the backfill keeps the budget)
        with nullcontext() if ended else self.client.tail_reserve(interval_s, len(self._tail_streams())):
            while True:
                try:
                    async for event in self.poll():
                        yield event
                    pause = interval_s
                except ContractBroken as failure:
                    # A server that broke its contract (ignored its cursor) does not mend by waiting, nor can a
                    # try tell it cheaply: each walks 3+ requests of a metered budget back to the gap, and what a
                    # poll then brings cannot be trusted. The tail stops (`next_poll_s` None); r or t tries again.
                    yield TailFailed(failure, None)
                    return
                except ApiFailure as failure:
                    pause = min(max(pause * 2, interval_s), max_backoff_s)
                    yield TailFailed(failure, pause)
                await self._sleep(pause)


__all__ = [
    "BackfillDone",
    "EntriesLoaded",
    "capped_notice",
    "Notice",
    "Pager",
    "PagerEvent",
    "RecentIds",
    "TailFailed",
]
