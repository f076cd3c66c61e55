"""The live tail of a query kept in the archive (see `sync.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from msgspec.structs import replace

from logview.api.paging import EntriesLoaded, Notice, Pager, PagerEvent
from logview.archive.coverage import Span
from logview.model import Filters, LogEntry
from logview.sources.page_columns import columns_of
from logview.times import epoch_us


class TailPager(Pager):
    """The tail's pager: its head is set from what the backfill showed (archived or fetched), its
    first cycle waits until that head is final, and each cycle archives what it finds with the
    span from the head it started at. `follow` is the `Pager`'s own (with its tail reserve)."""

    def __init__(self, *args: Any, archive: Callable[[Sequence[LogEntry], Span | None], Awaitable[Notice | None]],
                 wanted: Filters, handed: Callable[[Sequence[LogEntry]], Any] = lambda batch: None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._archive, self._wanted = archive, wanted
        self._handed = handed  # what the archive was handed of a batch (`PageArchiving.handed`)
        self.ready = asyncio.Event()
        # The newest time pages that broke the contract brought (the backfill's or a cycle's): a
        # head at or below it may be one of their made-up entries, and a span from it would
        # vouch for that entry (at a span's start, no listing removes it: s17 D1).
        self._doubted_up_to: datetime | None = None

    def doubt(self, entries: Iterable[LogEntry]) -> None:
        """`entries` came in pages that broke the contract: no span starts at one of them."""
        newest = newest_time(entries)
        if newest is not None and (self._doubted_up_to is None or newest > self._doubted_up_to):
            self._doubted_up_to = newest

    async def poll(self) -> AsyncIterator[PagerEvent]:
        await self.ready.wait()
        head, doubted = self.head.time, False
        vouched = head is not None and (self._doubted_up_to is None or head > self._doubted_up_to)
        async for event in super().poll():
            # (a cycle whose pages broke the contract archives what it found, but claims no span)
            doubted = doubted or (isinstance(event, Notice) and event.kind == "contract")
            if isinstance(event, EntriesLoaded) and event.entries:
                newest = newest_time(event.entries)
                if doubted:
                    self.doubt(event.entries)
                trouble = await self._archive(event.entries, Span(epoch_us(head), epoch_us(newest))
                                              if vouched and newest and not doubted else None)
                if trouble is not None:
                    yield trouble
                kept = [e for e in event.entries if self.source.matches(e, self._wanted)]
                event = replace(event, entries=kept, handed=self._handed(kept))
            yield event


def newest_time(entries: Iterable[LogEntry]) -> datetime | None:
    columns = columns_of(entries)  # (a typed page's: every entry timed)
    if columns is not None:
        return max(columns.times, default=None)
    return max((e.time for e in entries if e.time is not None), default=None)
