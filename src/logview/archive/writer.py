"""Fetched pages archived in a thread while the next ones are fetched, several to a transaction.

Each commit writes every index page it touched to the WAL. Where ids are random (Aitronos' are),
a page's entries land all over the id index, so a commit per page rewrote most of it each time:
100k entries with random ids took SQLite ~1.7 s of CPU at a page a commit, ~1.1–1.3 s at eight
(ids that grow with time, as the demo's Supermetrics ones, cost the same either way). So the
writer lets pages gather for a moment (`GATHER_S`, or until `GATHER_ENTRIES` wait) and stores
them in one transaction, with the span they complete together: ten Aitronos pages of 100 go
together, a Supermetrics page of 1,000 alone (eight of those gathered held ~25 MiB more at the
viewer's peak, and gained nothing for the demo's ids). A crash loses only what was not
committed: the pages gathered or in flight, never a span without its entries.

A page becomes rows on the event loop, just after it is handed over (`PageWriter._build`, run
once the fetch awaits the next page: the server's time, not the fetch's): the thread is left
binding and SQLite, so it takes the interpreter's lock (which the fetching holds most of the
time, each wait up to a switch interval) a few times a transaction instead of through the whole
build; and the gathered pages hold rows, not the parsed entries (freed at once, as without the
archive, instead of aging into the collector's older generations).

Once a transaction is committed, `on_archived` hears where each of its entries is archived (by
id): the viewer lets go of them and reads them back from the archive when they are shown, as it
does the rows a relaunch paints (`store/held.py`).

An interruption (Ctrl-C, a closed viewer: the task that fetches is cancelled) must not lose the
pages gathered either: fetching them again would spend the API's budget. So a cancelled writer
keeps its pages, the transaction in its thread runs on (shielded), and `flush` finishes both, in
order, however the writer stopped: a span is never committed before the pages above it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from logview.archive.coverage import Span, merge_spans
from logview.archive.db import ArchiveError
from logview.archive.rows import Rows
from logview.model import LogEntry

if TYPE_CHECKING:
    from logview.archive.source import ArchivedSource

GATHER_S = 0.2  # how long the first page waits for others (the viewer's batches come as often)
GATHER_ENTRIES = 1_000  # … unless this many entries wait already; and no more go to one transaction
# A fetch faster than the archive (loopback) waits while this many entries wait to be stored: each
# waits as rows, a few KB an entry (100k Supermetrics entries from the demo held ~400 MiB without).
BACKLOG_ENTRIES = 4 * GATHER_ENTRIES


@dataclass(eq=False)
class _Page:
    """A page handed over: its entries until they are made rows (on the loop; by the thread only
    to meet a failure again), and the span it completes."""

    entries: Sequence[LogEntry]
    covered: Span | None
    ids: list[str]  # (for `on_archived`: the entries go once they are rows)
    rows: Rows | None = None
    taken: bool = False  # by the thread

    def __len__(self) -> int:
        return len(self.entries) if self.rows is None else len(self.rows)


class PageWriter:
    """Stores pages in order, in a thread; `problem` says why it stopped (a full disk, a lock held
    too long, text SQLite cannot hold), after which nothing more is tried."""

    def __init__(self, archived: ArchivedSource, query_key: str,
                 on_archived: Callable[[dict[str, int]], None] | None = None) -> None:
        self._archived, self._key = archived, query_key
        self.on_archived = on_archived  # called on the loop after each commit: id → rowid
        self._pending: list[_Page] = []
        self._waiting = 0  # entries in `_pending`
        self._writing: asyncio.Future[None] | None = None
        self._committing: asyncio.Future[dict[str, int]] | None = None  # the transaction in its thread
        self._wake = asyncio.Event()  # enough pages wait, or a flush wants them all now
        self._room = asyncio.Event()  # pages were taken to be stored (see `room`)
        self._hurry = False
        self.problem: str | None = None

    def store(self, entries: Sequence[LogEntry], covered: Span | None) -> None:
        """Hand a page over (and the span it completes, recorded with its entries)."""
        if self.problem is not None:
            return
        ids = [entry.id for entry in entries] if self.on_archived is not None else []
        page = _Page(entries, covered, ids, None if entries else Rows.of(()))
        self._pending.append(page)
        self._waiting += len(entries)
        if entries:
            asyncio.get_running_loop().call_soon(self._build, page)
        if self._waiting >= GATHER_ENTRIES:
            self._wake.set()
        if self._writing is None or self._writing.done():
            self._writing = asyncio.ensure_future(self._write())

    async def room(self) -> None:
        """Wait while more than BACKLOG_ENTRIES wait to be stored (the fetch goes no faster than
        the archive: what waits is held in memory)."""
        while self._waiting > BACKLOG_ENTRIES and self.problem is None:
            self._room.clear()
            await self._room.wait()

    async def flush(self) -> None:
        """Wait until every page handed over is archived (or the archive has failed), also after
        the writer was cancelled. Cancelling the caller leaves the writing going on (shielded)."""
        self._hurry = True
        self._wake.set()
        while True:
            if self._writing is not None and not self._writing.done():
                await asyncio.shield(self._writing)
            elif self._pending and self.problem is None:  # the writer was cancelled with pages left
                self._writing = asyncio.ensure_future(self._write())
            elif self._committing is not None and not self._committing.done():
                await asyncio.shield(self._committing)  # a cancelled writer's last transaction
            else:
                return

    async def _write(self) -> None:
        while self._pending and self.problem is None:
            if self._committing is not None and not self._committing.done():
                await asyncio.shield(self._committing)  # a cancelled writer's transaction goes first
                continue
            if self._waiting < GATHER_ENTRIES and not self._hurry:
                try:
                    await asyncio.wait_for(self._wake.wait(), GATHER_S)
                except TimeoutError:
                    pass
            if not self._hurry:
                self._wake.clear()
            pages, covered = gathered(self._pending)
            del self._pending[:len(pages)]
            for page in pages:
                self._build(page)  # (one whose turn on the loop has not come yet: a burst of pages)
                page.taken = True
                self._waiting -= len(page)
            self._room.set()
            # Shielded: cancelling this task does not forget the transaction, which `flush` awaits.
            self._committing = asyncio.get_running_loop().run_in_executor(None, self._commit, pages, covered)
            archived = await asyncio.shield(self._committing)
            if archived and self.on_archived is not None:
                self.on_archived(archived)
        if self.problem is not None:
            self._pending.clear()
            self._waiting = 0
            self._room.set()

    def _build(self, page: _Page) -> None:
        """The page's rows (once). A failure is left for the thread to meet again and report."""
        if page.taken or page.rows is not None or self.problem is not None:
            return
        try:
            page.rows = self._archived.rows(page.entries)
        except Exception:  # noqa: BLE001 (the thread's attempt says what it was)
            return
        page.entries = ()

    def _commit(self, pages: list[_Page], covered: Span | None) -> dict[str, int]:
        """One transaction (in a thread); a failure becomes `problem`. Where the pages' entries
        are archived now, by id, if anyone asks (`on_archived`)."""
        try:
            rows = Rows.joined([page.rows if page.rows is not None else self._archived.rows(page.entries)
                                for page in pages])
            self._archived.store_rows(rows, covered=covered, query_key=self._key)
            ids = [entry_id for page in pages for entry_id in page.ids]
            return self._archived.rowids(ids) if ids else {}
        except ArchiveError as error:
            self.problem = str(error)
        except ValueError as error:  # text SQLite cannot hold (a lone surrogate in an id)
            self.problem = f"an entry the archive cannot hold ({type(error).__name__})"
        return {}


def gathered(pending: list[_Page]) -> tuple[list[_Page], Span | None]:
    """The first pages of `pending` (`GATHER_ENTRIES` entries at most, unless the first has more)
    whose spans make one span (a gap's pages do: each reaches from the gap's top down to its own
    oldest entry), to store as one page; with that span. At least one page."""
    pages, covered = pending[:1], pending[0].covered
    count = len(pending[0])
    for page in pending[1:]:
        if count + len(page) > GATHER_ENTRIES:
            break  # (a writer far behind would otherwise store every page at once)
        span = page.covered
        if span is not None and covered is not None:
            joined = merge_spans([covered, span])
            if len(joined) != 1:
                break
            span = joined[0]
        pages.append(page)
        count += len(page)
        covered = span if span is not None else covered
    return pages, covered
