"""Loading in the background: backfill and live tail (and a file's reading, `file_reading.py`) as Textual workers.

An API source's client, archive and pager are its `ApiLoading` (`api`; None for a file). Workers never touch
widgets: they post messages, each stamped with the *generation* of the query that produced it.
The feed handles each first: a message from a query the user has since replaced stops here;
any other is taken into the session (`ViewerSession`) and goes on up to the screen, carrying
what changed in the view (`change`), for the screen to redraw.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import get_current_worker

from logview.files.memory import release_free_memory
from logview.files.watch import CHECK_EVERY_S, FileWatch
from logview.api.types import RetryEvent, RetryPolicy
from logview.model import ApiError, ApiFailure, Filters, SourceKind
from logview.options import Connection
from logview.api.events import BackfillDone, EntriesLoaded, Notice, TailFailed
from logview.sources.page_columns import ColumnEntries
from logview.session import ViewerSession
from logview.session.api_loading import ApiLoading
from logview.store import ViewChange
from logview.ui import feed_messages as messages
from logview.ui.bulk_gc import bulk_collection
from logview.ui.file_reading import FIRST_PAINT_WAIT_S, FileReading, unexpected_error
from logview.ui.gathering import Gathering
from logview.ui.tail_pacing import TailPacing
from logview.ui.user_quiet import UserQuiet
from logview.ui.workers import running

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np

    from logview.archive import Archive
    from logview.api.paging import Pager
    from logview.archive.gathering import Handed
    from logview.archive.source import ArchivedSource
    from logview.archive.sync import ArchivedPager, ArchivedRows

# A backfill's pages are posted together at most this often (the first at once): each post costs
# the screen a layout and a repaint. 0.5 s: 100k entries cost ~0.7 s less CPU than at 0.2 s.
POST_ENTRIES_EVERY_S = 0.5
# While a backfill runs, the memory its archived entries freed goes back to the system at most this
# often (and at its end): a trim after each of the archive's words cost ~15 ms per 100k, and the
# page faults of taking the same pages back for the next pages' entries.
TRIM_ARCHIVED_EVERY_S = 0.25
VIEWER_POLICY = RetryPolicy(max_wait_s=None)  # any Retry-After is waited out, with a countdown
QUIT_WAITS_FOR_ARCHIVE_S = 2.0  # then what is not archived yet is given up (the next launch fetches it)
FILE_CHECK_EVERY_S = CHECK_EVERY_S  # how often a file is looked at for a change on disk (one stat)


class Feed(Widget):
    """Non-visual: starts and stops the loading workers and reports what they find."""

    # Its messages (see `feed_messages.py`), named as the feed's own: `Feed.Loaded`, `on_feed_loaded` …
    Loaded, LinesFound, ColumnsRead = messages.Loaded, messages.LinesFound, messages.ColumnsRead
    EntriesArchived = messages.EntriesArchived
    Retrying, Noticed, Finished = messages.Retrying, messages.Noticed, messages.Finished
    Failed, TailFailed, ArchiveCaughtUp = messages.Failed, messages.TailFailed, messages.ArchiveCaughtUp

    def __init__(self, session: ViewerSession, *, connection: Connection | None, file: Path | None,
                 file_kind: SourceKind | None, max_entries: int | None, interval_s: float,
                 policy: RetryPolicy | None = None, archive: Archive | None = None) -> None:
        super().__init__()
        self.session, self.source = session, session.source
        self.file, self.file_kind = file, file_kind
        self.max_entries, self.interval_s = max_entries, interval_s
        self.generation = 0
        self._pacing = TailPacing()  # the tail's pause between cycles
        self.api = None if connection is None else ApiLoading(
            session, connection, policy=policy or VIEWER_POLICY, archive=archive, max_entries=max_entries,
            sleep=self._pacing.sleep)
        self.quiet = UserQuiet()  # (a file's reading stands back for the user's keys)
        self.reading: FileReading | None = None  # the file's current reading
        self.file_watch: FileWatch | None = None  # the file as read (watched from the first reading)
        self._painted = threading.Event()  # the screen's first paint is done (`painted`)
        self._paint_said = False
        self._trimmed_at = -TRIM_ARCHIVED_EVERY_S  # (see `_trim`)
        self._first_archived: ArchivedRows | None = None  # read by `start`, for the first paint
        self._catching_up: int | None = None  # the generation whose backfill is done, its last pages archiving
        self.unarchived = 0  # entries fetched and not archived when the feed was closed
        # (pages gathered into a list that keeps typed pages' columns, for the store: `page_columns.py`)
        self._gathering = Gathering(self.post_message, lambda generation: Feed.Loaded(
            generation, ColumnEntries(), live=False, pages=0, total=None), POST_ENTRIES_EVERY_S)

    @property
    def file_mode(self) -> bool:
        return self.api is None

    @property
    def pager(self) -> Pager | ArchivedPager | None:
        return self.api.pager if self.api is not None else None

    # -- into the session: each message first stops here (see the module's docstring) ---------
    def _taken(self, message: Message, generation: int) -> bool:
        """From the query on screen (not a replaced one), and the app is not shutting down."""
        if not (taken := generation == self.generation and self.is_attached):
            message.stop()
        return taken

    def on_feed_loaded(self, message: Loaded) -> None:
        if not self._taken(message, message.generation):
            return
        if message.rows is not None:
            message.change = self.session.archived_rows(message.rows, archived=message.archived)
        else:
            held, first = self.session.store.held, len(self.session.store.held.entries)  # (a clear makes a new table)
            message.change = self.session.loaded(message.entries, live=message.live, pages=message.pages,
                                                 total=message.total, archived=message.archived,
                                                 head=message.head)
            self.session.store.held.bind(message.handed, first if self.session.store.held is held else 1)

    def on_feed_entries_archived(self, message: EntriesArchived) -> None:
        if not self._taken(message, message.generation):
            return
        released, message.change = self.session.archived(message.words, message.reader)
        if released:
            self._trim(paced=running(self, "backfill"))  # (the entries let go are scattered among objects that stay)
        if message.change == ViewChange():  # (only a change the view made takes the screen's time: one that is not
            message.stop()                  # reordered, rows gone or come at the ends, went unpainted, s25 walk #2)

    def on_feed_lines_found(self, message: LinesFound) -> None:
        if self._taken(message, message.generation):
            message.change, message.chunk = self.session.lines_found(message.chunk), None  # (see below)
        self._count_received(message.generation)  # (once taken: the reader waits for that, `file_reading.py`)
        self.call_after_refresh(self.lines_shown, message.generation)  # (the frame drawn: the columns come next)

    def on_feed_columns_read(self, message: ColumnsRead) -> None:
        if self._taken(message, message.generation):
            message.change, message.chunks = self.session.columns_read(message.chunks), None  # (no copy held while queued)
        self._count_received(message.generation)

    def lines_shown(self, generation: int) -> None:
        """The screen has drawn a post of lines found (`FileReading._wait_for_lines_shown`)."""
        if (reading := self._reading_of(generation)) is not None:
            reading.lines_shown()

    def _count_received(self, generation: int) -> None:
        if (reading := self._reading_of(generation)) is not None:
            reading.received += 1

    def _reading_of(self, generation: int) -> FileReading | None:
        """The file's reading, if it is the one for `generation` (a post of one replaced since goes unsaid)."""
        return self.reading if self.reading is not None and self.reading.generation == generation else None

    def on_feed_finished(self, message: Finished) -> None:
        if self._taken(message, message.generation):
            if self.file_mode and self.session.store.lines is not None:
                self.session.store.newest_first(message.lines)  # (the view resets; a file truncated meanwhile is cut)
            message.change = self.session.finished(message.done.capped)
            self._trim(paced=False)  # the pages the reading freed go back to the system

    def on_feed_archive_caught_up(self, message: ArchiveCaughtUp) -> None:
        if self._taken(message, message.generation):
            self._trim(paced=False)  # (what the last words let go: they came before this)

    def _trim(self, *, paced: bool) -> None:
        """Give the heaps' free pages back to the system; `paced` (while a backfill runs): only
        if the last time was `TRIM_ARCHIVED_EVERY_S` ago."""
        now = time.monotonic()
        if not paced or now - self._trimmed_at >= TRIM_ARCHIVED_EVERY_S:
            self._trimmed_at = now
            release_free_memory()

    def on_feed_failed(self, message: Failed) -> None:
        if self._taken(message, message.generation):
            self.session.failed()

    def on_feed_noticed(self, message: Noticed) -> None:
        if not self._taken(message, message.generation):
            return
        if message.notice.kind == "capped":
            self.session.capped, self.session.capped_older = True, message.notice.older
        elif message.notice.kind == "archive":  # (it stopped: what is fetched from now on stays held)
            self.session.store.held.untrack()

    def on_feed_retrying(self, message: Retrying) -> None:
        self._taken(message, message.generation)

    def on_feed_tail_failed(self, message: TailFailed) -> None:
        self._taken(message, message.generation)

    def first_rows(self) -> ViewChange | None:
        """The first rows read by `start` in time for the first paint (a file's, or the newest
        archived), into the session."""
        if self._first_archived is not None:
            rows, self._first_archived = self._first_archived, None
            return self.session.archived_rows(rows, archived=rows.loaded)  # (all the archive has shown yet)
        if self.reading is None or self.reading.first_lines is None:
            return None
        return self.session.lines_found(self.reading.first_lines)

    # -- control --------------------------------------------------------------------------
    def start(self, server_filters: Filters) -> int:
        """(Re)start loading from scratch; returns the new generation."""
        self.generation += 1
        self.stop_tail()
        self.workers.cancel_group(self, "backfill")
        if self.api is None:
            assert self.file is not None and self.file_kind is not None
            if self.file_watch is None:  # (the first reading: watched from now on)
                self.file_watch = FileWatch(self.file)
                self.set_interval(FILE_CHECK_EVERY_S, self._check_file)
            self.file_watch.read()
            self.reading = FileReading(self.file, self.source, generation=self.generation,
                                       max_entries=self.max_entries, post=self.post_message,
                                       first_paint=self._painted, spans=self._line_spans, watch=self.file_watch)
            if self.reading.begin():
                self._load_file(self.reading)
        else:  # (the newest archived rows first; the pager, and the API layer it imports, once they are on screen)
            generation = self.generation

            def said(notice: Notice) -> None:
                self.post_message(self.Noticed(generation, notice))

            def entries_archived(tickets: list[Handed], rowids: Sequence[int], archived: ArchivedSource) -> None:
                # (after the entries gathered with them)
                self._gathering.then(self.EntriesArchived(generation, (tickets, rowids), archived), messages.merge_archived)

            self._first_archived, build = self.api.begin(server_filters, said=said, on_archived=entries_archived)
            self._backfill(generation, build, after_paint=self._first_archived is not None)
        return self.generation

    def _check_file(self) -> None:
        """A file changed on disk after it was read (rewritten in place, appended to): say so
        once, for the rows shown are read back from it (a rewritten file shows other bytes)."""
        news = None if self.file_watch is None else self.file_watch.news()
        if news is not None:
            self.post_message(self.Noticed(self.generation, Notice("file", news)))

    def _line_spans(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """Offsets and lengths of the file's lines [lo, hi) as the store holds them (asked by the
        reading's thread once every line is in the store; rows never move until it has ended)."""
        store = self.session.store
        return store.line_span(lo, min(hi, len(store)))

    def first_paint_said(self) -> bool:
        """True the first time only: the screen says its first paint once (`ViewerScreen.painted`)."""
        said, self._paint_said = self._paint_said, True
        return not said

    def painted(self) -> None:
        """The screen has painted (its first rows in it): a file's reading goes on."""
        self._painted.set()

    def start_tail(self) -> bool:
        """Start polling for new entries (needs the first page, which fixes the head)."""
        if self.pager is None or self.tailing:
            return False
        self._tail(self.generation, self.pager)
        return True

    def stop_tail(self) -> None:
        self.workers.cancel_group(self, "tail")

    def cancel_backfill(self) -> None:
        self.workers.cancel_group(self, "backfill")

    @property
    def tailing(self) -> bool:
        return running(self, "tail")

    @property
    def backfilling(self) -> bool:
        return running(self, "backfill") and not self.archiving

    @property
    def archiving(self) -> bool:
        """The backfill's entries are all shown, its last pages still archiving (`PageArchiving.ending`)."""
        return self._catching_up == self.generation and running(self, "backfill")

    def poll_now(self) -> None:
        """Cut the tail's pause short: the next cycle runs at once (or right after the current)."""
        self._pacing.poll_now()

    async def aclose(self) -> None:
        self.stop_tail()
        self.cancel_backfill()
        if self.api is not None:  # what was fetched is kept for the next launch
            # (said: `run_viewer`; a quit that gave it up already counted the transaction it left running too)
            self.unarchived = max(self.unarchived, await self.api.aclose(QUIT_WAITS_FOR_ARCHIVE_S))

    # -- workers --------------------------------------------------------------------------
    def _report(self, generation: int, event: object, *, live: bool) -> None:
        if isinstance(event, EntriesLoaded) and not (live or event.live):
            self._gathering.add(generation, event.entries, event.pages, event.total, self._from_archive(), event.handed)
            return
        self._gathering.flush()  # what came before goes first
        if isinstance(event, EntriesLoaded):
            loaded = self.Loaded(generation, event.entries, live=True, pages=event.pages,
                                 total=event.total, archived=self._from_archive(), head=not live)
            loaded.handed = [(0, event.handed)] if event.handed is not None else []
            self.post_message(loaded)
        elif _archived_rows(event):
            self.post_message(self.Loaded(generation, [], live=False, pages=event.pages, total=event.total,
                                          archived=self._from_archive(), rows=event))
        elif isinstance(event, RetryEvent):
            self.post_message(self.Retrying(generation, event, live=live))
        elif isinstance(event, Notice):
            self.post_message(self.Noticed(generation, event))
        elif isinstance(event, BackfillDone):
            self._catching_up = generation if self.api is not None and self.api.archived is not None else None
            self.post_message(self.Finished(generation, event))
        elif isinstance(event, TailFailed):
            self.post_message(self.TailFailed(generation, event.failure.error, event.next_poll_s))

    def _from_archive(self) -> int:
        return self.api.from_archive() if self.api is not None else 0

    def _failed(self, generation: int, error: ApiError, gave_up: str | None) -> None:
        self._gathering.flush()  # the entries before the failure stay
        self.post_message(self.Failed(generation, error, gave_up))

    @work(exclusive=True, group="backfill", exit_on_error=False)
    async def _backfill(self, generation: int, build: Callable[[], Pager | ArchivedPager], *,
                        after_paint: bool = False) -> None:
        """`build`: the query's pager (`ApiLoading.begin`). `after_paint`: archived rows are in the first paint; the
        backfill's first request (with the imports it brings, ~0.1 s: `api/client.py`), and the pager when `build`
        makes it, wait until they are on screen."""
        try:
            if after_paint:
                await self._first_paint()
            pager = self.pager if self.pager is not None else build()
            with bulk_collection():
                async for event in pager.backfill():
                    self._report(generation, event, live=False)
        except ApiFailure as failure:
            self._failed(generation, failure.error, failure.gave_up)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never let a fault take the app down
            self._failed(generation, unexpected_error(exc), None)
        finally:
            if self._catching_up == generation:  # (the status line's "archiving …" goes: see `archiving`)
                self.post_message(self.ArchiveCaughtUp(generation))

    async def _first_paint(self) -> None:
        until = time.monotonic() + FIRST_PAINT_WAIT_S
        while not self._painted.is_set() and time.monotonic() < until:
            await asyncio.sleep(0.005)

    @work(exclusive=True, group="tail", exit_on_error=False)
    async def _tail(self, generation: int, pager: Pager | ArchivedPager) -> None:
        try:
            async for event in pager.follow(self.interval_s):
                self._report(generation, event, live=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.post_message(self.TailFailed(generation, unexpected_error(exc), self.interval_s))

    @work(thread=True, exclusive=True, group="backfill", exit_on_error=False)
    def _load_file(self, reading: FileReading) -> None:
        worker = get_current_worker()
        reading.run(worker, lambda: self.quiet.wait(lambda: worker.is_cancelled))


def _archived_rows(event: object) -> bool:
    """Whether `event` is archived rows (`ArchivedRows`: only an archive's pager, which loads the module, makes them)."""
    painted = sys.modules.get("logview.archive.painted")
    return painted is not None and isinstance(event, painted.ArchivedRows)
