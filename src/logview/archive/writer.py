"""Fetched pages archived while the next ones are fetched (in a thread, or a writer process for a
backfill), several to a transaction.

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

Once a transaction is committed, `on_archived` hears where each of its entries is archived (its
pages' `Handed`s and the rowids in their entries' order): the viewer lets go of them and reads them back from the archive when they are shown, as it
does the rows a relaunch paints (`store/held.py`).

A fast backfill (`PROCESS_AFTER` entries handed over within `PROCESS_WINDOW_S`) is stored by a writer process
instead (`writer_process.py`, `writer_child.py`): a page becomes one JSON text of its raw entries
on the loop (`orjson.dumps`, ~0.3 ms a thousand), and the other core parses it again, makes the
rows and runs SQLite, in an interpreter of its own. In a thread, storing took the fetch's time
again on two cores, whoever held the interpreter's lock (100k Supermetrics entries from the
loopback demo: 2.0× the plain backfill in a thread, 1.45× through the process; RESULTS.md).
Transactions go to the process in the same order, several at a time (`IN_FLIGHT`), and the
answers come back in that order; a tail's trickle, and a backfill's first pages, use the thread (a
process costs ~44 MiB and its start-up). The process ends once idle (`IDLE_S`) or flushed; a page it could not be
given, and any page while none runs, go to the thread.

An interruption (Ctrl-C, a closed viewer: the task that fetches is cancelled) must not lose the
pages gathered either: fetching them again would spend the API's budget. So a cancelled writer
keeps its pages, the transaction in its thread (or those the process holds) runs on, and `flush`
finishes them all, in order, however the writer stopped: a span is never committed before the
pages above it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from logview.archive.coverage import Span
from logview.archive.db import ArchiveError
from logview.archive.gathering import Handed, HandedPage, gathered
from logview.archive.rows import Rows
from logview.archive.writer_child import Part, problem_of, store_transaction
from logview.archive.writer_process import Answer, WriterProcess, process_part
from logview.model import LogEntry

if TYPE_CHECKING:
    from logview.archive.source import ArchivedSource

GATHER_S = 0.2  # how long the first page waits for others (the viewer's batches come as often)
GATHER_ENTRIES = 1_000  # … unless this many entries wait already; and no more go to one transaction
# A fetch faster than the archive (loopback) waits while this much waits to be stored, in memory. A
# page waiting as rows (the thread's), or not made ready yet, counts ROW_BYTES an entry: the 4,000
# entries the bound was before (they hold a few KB each in fact: 100k Supermetrics entries from the
# demo held ~400 MiB without a bound). A page for the writer process counts its JSON text and times
# (~0.2 KB a Supermetrics entry): counted as rows, 4,000 entries were ~1 MiB, and the fetch waited
# for the process 0.04-0.06 s per 100k, mostly while it started (traced); now up to ~37k entries
# wait, ~0.25 s of the process's work (a quit waits for what is handed over: `Feed.aclose`).
BACKLOG_BYTES = 8 << 20
ROW_BYTES = BACKLOG_BYTES // (4 * GATHER_ENTRIES)
# A writer process is started once this many entries are handed over within PROCESS_WINDOW_S: a
# backfill at the network's pace, not a tail's trickle, nor a backfill the API's budget paces (100
# requests a minute of 100 Aitronos entries never: the thread keeps up with that, and the process
# would hold its memory for the many minutes it takes).
PROCESS_AFTER = 2_000
PROCESS_WINDOW_S = 2.0
# Transactions the process holds at once: enough to go on with while the loop is busy elsewhere. Two
# kept it busy only while the loop answered at once: showing a batch of ~50k entries holds the loop
# ~0.1 s, twice in a load of 100k, and the process waited idle meanwhile (the viewer loading 100k from
# the loopback demo through the archive: 1.35 s against 1.04 s at 8, 8 alternating runs). What waits
# in the pipe is each page's text (~0.2 MB for 1,000 Supermetrics entries).
IN_FLIGHT = 8
IDLE_S = 2.0  # a writer process with nothing to store for this long is ended
# The fetch waiting this long for room in the backlog is said on the status line (`behind`): a
# writer process stopped or starved held the load at "loading page N" with no word of why (s20 #4);
# a fast load waits for it a few ms at a time.
BEHIND_AFTER_S = 1.0


class PageWriter:
    """Stores pages in order, in a thread or a writer process; `problem` says why it stopped (a
    full disk, a lock held too long, text SQLite cannot hold), after which nothing more is tried."""

    def __init__(self, archived: ArchivedSource, query_key: str,
                 on_archived: Callable[[list[Handed], Sequence[int]], None] | None = None) -> None:
        self._archived, self._key = archived, query_key
        self.on_archived = on_archived  # called on the loop after each commit: its pages, their rowids
        self._pending: list[HandedPage] = []
        self._waiting = 0  # entries in `_pending`
        self._held = 0  # … and the bytes they count (see BACKLOG_BYTES)
        self._writing: asyncio.Future[None] | None = None
        self._committing: asyncio.Future[Sequence[int]] | None = None  # the transaction in its thread
        self._committing_entries = 0  # … and its entries
        self._wake = asyncio.Event()  # enough pages wait, or a flush wants them all now
        self._room = asyncio.Event()  # pages were taken to be stored (see `room`)
        self._hurry = False
        self._handed: deque[tuple[float, int]] = deque()  # (when, entries): those of the last PROCESS_WINDOW_S
        self._starting: asyncio.Future[WriterProcess | None] | None = None  # the writer process
        self._answers: deque[asyncio.Future[Answer]] = deque()  # its transactions, in order
        self._idle: asyncio.TimerHandle | None = None
        self._ending: asyncio.Future[None] | None = None  # the last process's end (`_begin_ending`)
        self._closing: asyncio.Future[WriterProcess | None] | None = None  # … and that process
        self.checkpointing: asyncio.Future[None] | None = None  # the WAL after a writer process
        self._in_answer: dict[asyncio.Future[Answer], int] = {}  # entries each unanswered transaction holds
        self._stalled_since: float | None = None  # when the fetch began waiting for room (see `behind`)
        self.problem: str | None = None

    def store(self, entries: Sequence[LogEntry], covered: Span | None) -> Handed | None:
        """Hand a page over (and the span it completes, recorded with its entries); what the
        archive's word on it will name (None: not taken, the archive has stopped)."""
        if self.problem is not None:
            return None
        if self._starting is None and self._fast(len(entries)):
            self._starting = asyncio.ensure_future(WriterProcess.start(self._archived))
        page = HandedPage(entries, covered, len(entries), self._starting is not None, None if entries else Rows.of(()),
                     held=len(entries) * ROW_BYTES)
        self._pending.append(page)
        self._waiting += len(entries)
        self._held += page.held
        if entries:
            asyncio.get_running_loop().call_soon(self._build, page)
        if self._waiting >= GATHER_ENTRIES:
            self._wake.set()
        if self._writing is None or self._writing.done():
            self._writing = asyncio.ensure_future(self._write())
        return page.ticket

    @property
    def in_process(self) -> bool:
        """Whether a writer process stores the pages (or is starting to)."""
        return self._starting is not None

    def _fast(self, count: int) -> bool:
        """Whether PROCESS_AFTER entries have now been handed over within PROCESS_WINDOW_S."""
        now = time.monotonic()
        handed = self._handed
        handed.append((now, count))
        while handed[0][0] < now - PROCESS_WINDOW_S:
            handed.popleft()
        return sum(count for _, count in handed) >= PROCESS_AFTER

    async def room(self) -> None:
        """Wait while more than BACKLOG_BYTES wait to be stored (the fetch goes no faster than
        the archive: what waits is held in memory)."""
        try:
            while self._held > BACKLOG_BYTES and self.problem is None:
                self._room.clear()
                self._stalled_since = self._stalled_since or time.monotonic()
                await self._room.wait()
        finally:
            self._stalled_since = None

    @property
    def behind(self) -> int | None:
        """The bytes waiting to be stored, while the fetch has waited BEHIND_AFTER_S or longer for
        room among them (None otherwise)."""
        since = self._stalled_since
        return self._held if since is not None and time.monotonic() - since >= BEHIND_AFTER_S else None

    @property
    def unarchived(self) -> int:
        """Entries handed over and not archived yet: waiting, or in a transaction not answered."""
        committing = self._committing is not None and not self._committing.done()
        return self._waiting + sum(self._in_answer.values()) + (self._committing_entries if committing else 0)

    async def give_up(self) -> int:
        """At a quit that cannot wait longer: stop storing, and kill the writer process (what it
        committed stays; a stopped or starved one would otherwise outlive the viewer, its end
        reported to an event loop closed by then). Returns how many entries handed over were
        not archived (the next launch fetches them). A transaction in the thread runs on."""
        left = self.unarchived
        self.problem = self.problem or "the viewer was closed"
        self._pending.clear()
        self._waiting = self._held = 0
        self._room.set()
        starting = self._starting or self._closing  # (running, or ending: it may be as slow to end)
        self._begin_ending()
        if starting is not None and (process := await starting) is not None:
            await process.kill()
        if self._ending is not None:
            await asyncio.shield(self._ending)
        return left

    async def flush(self) -> None:
        """Wait until every page handed over is archived (or the archive has failed), also after
        the writer was cancelled; then end the writer process. Cancelling the caller leaves the
        writing going on (shielded)."""
        self._hurry = True
        self._wake.set()
        while True:
            if self._writing is not None and not self._writing.done():
                await asyncio.shield(self._writing)
            elif self._pending and self.problem is None:  # the writer was cancelled with pages left
                self._writing = asyncio.ensure_future(self._write())
            elif self._committing is not None and not self._committing.done():
                await asyncio.shield(self._committing)  # a cancelled writer's last transaction
            elif unanswered := [answer for answer in self._answers if not answer.done()]:
                await asyncio.wait(unanswered)  # (waiting on them cancels none)
            else:
                break
        await self._end_process()

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
            # (started before any page is taken: a cancellation here leaves them all pending)
            process = await asyncio.shield(self._starting) if self._pending[0].to_process and self._starting else None
            pages, covered = gathered(self._pending, GATHER_ENTRIES)
            del self._pending[:len(pages)]
            for page in pages:
                self._build(page)  # (one whose turn on the loop has not come yet: a burst of pages)
                page.taken = True
                self._waiting -= len(page)
                self._held -= page.held
            self._room.set()
            if process is not None and all(page.part is not None for page in pages):
                await self._submit(process, pages, covered)
                continue
            # (the thread: also a page that could not be made ready, so that its failure is met
            # again there and becomes `problem`, never a span stored without its entries)
            # Shielded: cancelling this task does not forget the transaction, which `flush` awaits.
            self._committing_entries = sum(map(len, pages))
            self._committing = asyncio.get_running_loop().run_in_executor(None, self._commit, pages, covered)
            archived = await asyncio.shield(self._committing)
            if archived and self.on_archived is not None:
                self.on_archived([page.ticket for page in pages], archived)
        if self.problem is not None:
            self._pending.clear()
            self._waiting = self._held = 0
            self._room.set()

    def _build(self, page: HandedPage) -> None:
        """The page made ready to store (once): rows, or for the writer process the JSON text of
        its raw entries. A failure is left for the thread to meet again and report."""
        if page.taken or page.part is not None or self.problem is not None:
            return
        try:
            archived = self._archived
            page.part = process_part(archived, page.entries) if page.to_process else archived.rows(page.entries)
        except Exception:  # noqa: BLE001 (the thread's attempt says what it was)
            return
        page.entries = ()
        self._held += (held := held_bytes(page.part, len(page))) - page.held
        page.held = held
        if self._held <= BACKLOG_BYTES:
            self._room.set()

    def _commit(self, pages: list[HandedPage], covered: Span | None) -> Sequence[int]:
        """One transaction (in a thread); a failure becomes `problem`. Where the pages' entries
        are archived now, in their order, if anyone asks (`on_archived`)."""
        try:
            parts = [page.part if page.part is not None else self._archived.rows(page.entries) for page in pages]
            return store_transaction(self._archived, parts, covered, self._key, self.on_archived is not None)
        except (ArchiveError, ValueError) as error:
            self.problem = problem_of(error)
        return ()

    # -- the writer process -----------------------------------------------------------------
    async def _submit(self, process: WriterProcess, pages: list[HandedPage], covered: Span | None) -> None:
        """Hand a transaction to the process; wait only while it holds IN_FLIGHT already."""
        answer = process.submit([page.part for page in pages], covered, self._key, self.on_archived is not None)
        self._in_answer[answer] = sum(map(len, pages))
        answer.add_done_callback(partial(self._answered, [page.ticket for page in pages]))
        self._answers.append(answer)
        while self._answers and self._answers[0].done():
            self._answers.popleft()
        if len(self._answers) >= IN_FLIGHT:
            await asyncio.wait([self._answers[0]])

    def _answered(self, tickets: list[Handed], answer: asyncio.Future[Answer]) -> None:
        """A transaction's answer (in order): where its pages' entries went, or the problem."""
        self._in_answer.pop(answer, None)
        error = answer.exception()
        rowids, problem = answer.result() if error is None else ((), str(error))
        if problem is not None:
            self.problem = self.problem or problem
        elif rowids and self.on_archived is not None:
            self.on_archived(tickets, rowids)
        if self._idle is not None:
            self._idle.cancel()
        self._idle = asyncio.get_running_loop().call_later(IDLE_S, self._end_if_idle)

    def _end_if_idle(self) -> None:
        busy = self._pending or (self._writing is not None and not self._writing.done())
        if not busy and all(answer.done() for answer in self._answers):
            self._begin_ending()

    async def _end_process(self) -> None:
        """End the writer process, once every transaction it was given is answered: the next
        pages go to the thread until PROCESS_AFTER entries come within PROCESS_WINDOW_S again.
        A second caller (two flushes: a cancelled backfill's and the quit's) waits for the same
        end: returning at once let the quit close the event loop while the process was still
        ending, and asyncio said "Loop … that handles pid … is closed" after the viewer (s20 #8)."""
        if (ending := self._begin_ending()) is not None:
            await asyncio.shield(ending)

    def _begin_ending(self) -> asyncio.Future[None] | None:
        """The process's end, begun now (its own task, which no cancelled caller takes down) or
        earlier; None if no process was ever started."""
        starting, self._starting = self._starting, None
        self._handed.clear()
        if self._idle is not None:
            self._idle.cancel()
        if starting is not None:
            self._closing = starting
            self._ending = asyncio.ensure_future(self._close_process(starting))
        return self._ending

    async def _close_process(self, starting: asyncio.Future[WriterProcess | None]) -> None:
        if (process := await starting) is not None:
            process.close()
            self._archived.recount()  # (its entries count toward the retention)
            await process.ended()
            # (it left the WAL to grow: copied into the file now, off the loop, by no one waiting)
            self.checkpointing = asyncio.get_running_loop().run_in_executor(None, self._archived.checkpoint)


def held_bytes(part: Part, entries: int) -> int:
    """What a page made ready counts in the backlog: for the writer process its JSON text and
    times as held, as rows ROW_BYTES an entry (see BACKLOG_BYTES)."""
    if isinstance(part, bytes):
        return len(part)
    if isinstance(part, tuple):
        return len(part[0]) + 8 * len(part[1])
    return entries * ROW_BYTES
