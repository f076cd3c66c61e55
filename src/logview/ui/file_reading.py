"""One reading of a file, composed by the `Feed` (a reload starts another).

The first chunk of lines is read at once (`begin`), so that the app's first paint shows rows;
the rest in the feed's worker thread (`run`): the lines are indexed first (every row reachable
within a second or so), then read again for the filter columns, at the offsets found. Only offsets
are kept; entries are read back when shown. What it finds goes up as the feed's messages (`feed_messages.py`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from textual.message import Message
from textual.worker import Worker

from logview.api.events import BackfillDone, Notice, capped_notice
from logview.files.columns import FIELDS, NO_TIME, ColumnChunk, ColumnReader
from logview.files.columns_pass import Spans, read_columns
from logview.files.lines import LineChunk, LineTally
from logview.files.memory import release_free_memory
from logview.files import early
from logview.files.split_read import BackReader
from logview.files.watch import FileWatch
from logview.model import ApiError, counted
from logview.sources.base import Source
from logview.ui.feed_messages import ColumnsRead, Failed, Finished, LinesFound, Noticed

# Each post costs the UI thread (and so the reader) a recount and a repaint: at 0.5/0.2 s, not 0.25/0.05,
# a 1M file's counts were exact ~9% sooner, its oldest row ~6% (tmux, paired), for ~2 MiB more peak.
POST_COLUMNS_EVERY_S, POST_LINES_EVERY_S = 0.5, 0.2
# … but the columns a child read come faster than that: posted in one go, half a million rows were
# held twice over (read, and in a post waiting for the store) as the store took them, the peak of the whole read.
POST_COLUMNS_ROWS_AT_MOST = 131_072
# The rest of the lines and the columns wait for the first paint (its first lines are in it): the
# UI thread's start-up is Python, and a reader beside it takes the interpreter's lock in turns,
# while handling a million rows before the paint cost it ~0.1 s. At most this long, should no paint come.
FIRST_PAINT_WAIT_S = 1.0
LINES_SHOWN_WAIT_S = 0.2  # (a screen not shown, another tab's, draws no frame: the reading goes on)
RECEIVED_POLL_S = 0.01  # how often a reader waiting for its post to be received looks for a cancel


def file_error(path: Path, exc: OSError) -> ApiError:
    return ApiError(code="FILE_ERROR", message=f"cannot read {path}: {exc.strerror or exc}")


def unexpected_error(exc: BaseException) -> ApiError:
    """A bug or an unforeseen fault, shown in the banner instead of killing the app."""
    return ApiError(code="UNEXPECTED_ERROR", message=f"{type(exc).__name__}: {exc}", retryable=True)


def lines_within(spans: Spans, count: int, size: int) -> int:
    """How many of the first `count` lines of `spans` (in file order) end within `size` bytes."""
    lo, hi = 0, count  # (bisected a line at a time: the store's lines are not copied out)
    while lo < hi:
        mid = (lo + hi) // 2
        starts, lengths = spans(mid, mid + 1)
        if len(starts) and int(starts[0]) + int(lengths[0]) <= size:
            lo = mid + 1
        else:
            hi = mid
    return lo


def lines_gone(count: int) -> ColumnChunk:
    """The columns of `count` lines indexed that the file no longer holds: invalid, as their rows
    read back now (else they were never counted, and the sidebar said 'counting … to go' for good)."""
    return ColumnChunk(time=np.full(count, NO_TIME, np.int64), codes={name: np.zeros(count, np.int32) for name in FIELDS},
                       duration=np.full(count, np.nan), invalid=np.ones(count, bool))


class FileReading:
    """Reads `path` for the query `generation`, posting what it finds with `post`."""

    def __init__(self, path: Path, source: Source, *, generation: int, max_entries: int | None,
                 post: Callable[[Message], object], first_paint: threading.Event | None = None,
                 spans: Spans | None = None, watch: FileWatch | None = None) -> None:
        self.path, self.source, self.generation = path, source, generation
        self.first_paint = first_paint  # set once the screen has painted (`None`: no wait)
        self.spans = spans  # the lines as the screen holds them (`columns_pass.read_columns`)
        self.watch = watch  # the file's change on disk, said once (a cut said here is not said again)
        self.load = LineTally(max_entries)  # how far indexing has got
        self._post = post
        self.first_lines: LineChunk | None = None  # read by `begin`, for the first paint
        self._scan: Iterator[LineChunk] = iter(())
        self._back: BackReader | None = None
        self.lines_left: int | None = None  # (a file truncated while it was read: its lines still whole)
        self._file_id: tuple[int, int] | None = None  # (its device and inode)
        # Rows/columns posted (by the reader) and received (by the UI thread, which counts them
        # here): the reader posts again once all are received, so batches grow while the UI is
        # busy (no backlog).
        self.posted = self._received = 0
        self._taken = threading.Condition()  # (told each time the UI thread has received a post)
        # Posts of lines, and how many of them the screen has drawn (`lines_shown`): the columns
        # are read once it has drawn them all
        self._lines_posted = self._lines_drawn = 0

    def lines_shown(self) -> None:
        """The screen has drawn a post of lines (told by the UI thread once the frame is out)."""
        with self._taken:
            self._lines_drawn += 1
            self._taken.notify_all()

    @property
    def received(self) -> int:
        return self._received

    @received.setter
    def received(self, count: int) -> None:
        with self._taken:
            self._received = count
            self._taken.notify_all()

    def begin(self) -> bool:
        """Read the first chunk of lines, taking over the line scan and the child reading the
        back of the file if the command line started them for this file. False: the file cannot
        be read (reported)."""
        try:  # (the file as it is read from here: `_leave_out_lines_gone`)
            opened = os.stat(self.path)
            self._file_id = (opened.st_dev, opened.st_ino)
        except OSError:
            pass
        started = early.take(self.path)
        scan, back = started.chunks, started.back
        try:
            first = next(scan, None)
        except OSError as exc:
            self._post(Failed(self.generation, file_error(self.path, exc), None))
            if back is not None:
                back.close()
            return False
        self._scan, self._back = scan, back
        if first is not None:
            self.first_lines = self.load.take(first)
            if self.load.capped:  # the caller shows the first lines before this is handled
                self._notice_cap()
                self._scan = iter(())
        return True

    def run(self, worker: Worker[None], pause: Callable[[], None]) -> None:
        """The rest, in a worker thread. `pause` waits while the user is pressing keys."""
        try:
            self._wait_for_first_paint(worker)
            self._index_lines(worker)
            release_free_memory()  # (the scan's buffers, before the columns' come)
            self._read_columns(worker, pause)
        except OSError as exc:
            self._post(Failed(self.generation, file_error(self.path, exc), None))
            return
        except Exception as exc:
            self._post(Failed(self.generation, unexpected_error(exc), None))
            return
        finally:
            if self._back is not None:  # (a child still reading the back of the file is stopped)
                self._back.close()
        if not worker.is_cancelled:
            load = self.load
            self._post(Finished(self.generation, BackfillDone(load.found, load.chunks, load.capped), self.lines_left))

    def _wait_for_first_paint(self, worker: Worker[None]) -> None:
        if self.first_paint is None:
            return
        until = time.monotonic() + FIRST_PAINT_WAIT_S
        while not worker.is_cancelled and (left := until - time.monotonic()) > 0:
            if self.first_paint.wait(min(left, 0.05)):
                return

    def _index_lines(self, worker: Worker[None]) -> None:
        pending: list[LineChunk] = []
        posted = time.monotonic()
        for chunk in self._scan:
            if worker.is_cancelled:
                return
            pending.append(chunk)
            if (time.monotonic() - posted >= POST_LINES_EVERY_S and self.posted == self.received) \
                    or chunk.scanned >= chunk.size:  # (each message costs the UI thread a re-layout)
                if not self._post_lines(LineChunk.join(pending)):
                    return
                pending, posted = [], time.monotonic()
        if pending:
            self._post_lines(LineChunk.join(pending))

    def _read_columns(self, worker: Worker[None], pause: Callable[[], None]) -> None:
        if worker.is_cancelled:
            return
        columns: list[ColumnChunk] = []
        posted = time.monotonic()
        rows = read = 0

        def post_at_the_meeting() -> None:
            # (the rows read since the last post go to the store while the child ends its last
            # segment, 0–13 ms of Supermetrics lines, instead of with the child's rows, after it)
            nonlocal columns, posted, rows
            if columns and self.posted == self.received:
                self._post_columns(columns)
                columns, posted, rows = [], time.monotonic(), 0

        # The reader starts once the screen has taken the lines (the child reading the back was
        # let go when the line scan ended): side by side, both took twice as long, and every row
        # is reachable (`G`) only once they are taken (~0.06 s for a million).
        self._wait_until_received(worker)
        self._wait_for_lines_shown(worker)
        for chunk in read_columns(self.path, ColumnReader(self.source), self.load.found, pause, self._back,
                                  wanted=lambda: not worker.is_cancelled, spans=self.spans,
                                  met=post_at_the_meeting):
            if worker.is_cancelled:
                return
            columns.append(chunk)
            rows += len(chunk)
            read += len(chunk)
            if rows >= POST_COLUMNS_ROWS_AT_MOST:
                self._wait_until_received(worker)  # (so that no more than this is held, twice, at once)
            if (time.monotonic() - posted >= POST_COLUMNS_EVERY_S or rows >= POST_COLUMNS_ROWS_AT_MOST) \
                    and self.posted == self.received:
                self._post_columns(columns)
                columns, posted, rows = [], time.monotonic(), 0
        if read < self.load.found and not worker.is_cancelled:  # (the file was cut short since it was indexed)
            columns.append(lines_gone(self.load.found - read))
        if columns:
            self._post_columns(columns)
        if not worker.is_cancelled:
            self._leave_out_lines_gone()

    def _leave_out_lines_gone(self) -> None:
        """If the file was truncated while it was read, its rows past the lines still whole in it
        go (`Finished` says how many are left, and the store keeps those), and the banner says so.
        Shown, they read back as nothing, and were counted as read (the child's, read before the
        cut) or as invalid: 1,000,000 rows in the header for a file cut to 195,763 lines (walk s20).
        Not for a file replaced (another inode) or removed: the rows shown read back from the one
        read (`LineFile`)."""
        try:
            now = os.stat(self.path)
        except OSError:
            return
        if self.spans is None or (now.st_dev, now.st_ino) != self._file_id:
            return
        whole = lines_within(self.spans, self.load.found, now.st_size)
        if whole < self.load.found:
            gone, self.load.found = self.load.found - whole, whole
            self.lines_left = whole
            self._post(Noticed(self.generation, Notice("file", f"{self.path.name} was truncated on disk while it "
                                                      f"was read: its {counted(gone)} past the cut are left out "
                                                      "— r reads it again")))
            if self.watch is not None:  # (else it says the same, less, up to CHECK_EVERY_S later)
                self.watch.read()

    def _wait_for_lines_shown(self, worker: Worker[None]) -> None:
        """Until the frame holding every line found is on the screen (at most LINES_SHOWN_WAIT_S):
        that frame is the first to reach the oldest row (`G`), and drawn while the columns are
        read it took turns at the interpreter with them, twice as long."""
        self._wait_while(lambda: self._lines_drawn < self._lines_posted, worker, at_most_s=LINES_SHOWN_WAIT_S)

    def _wait_until_received(self, worker: Worker[None]) -> None:
        self._wait_while(lambda: self.posted != self._received, worker)

    def _wait_while(self, pending: Callable[[], bool], worker: Worker[None], *, at_most_s: float | None = None) -> None:
        """While `pending()` (and the worker goes on), at most `at_most_s` if given. (Woken as the UI thread
        tells, not at a poll up to 2 ms later: at the end of a split read the UI thread takes the child's rows a
        post at a time, and the reader waits for each.)"""
        until = None if at_most_s is None else time.monotonic() + at_most_s
        with self._taken:
            while pending() and not worker.is_cancelled:
                left = RECEIVED_POLL_S if until is None else min(until - time.monotonic(), RECEIVED_POLL_S)
                if left <= 0:
                    return
                self._taken.wait(left)

    def _post_columns(self, columns: list[ColumnChunk]) -> None:
        self.posted += 1
        self._post(ColumnsRead(self.generation, columns))

    def _post_lines(self, chunk: LineChunk) -> bool:
        """Report a chunk of lines, cut at --max-entries; False once the cap is reached."""
        self.posted += 1
        self._lines_posted += 1
        self._post(LinesFound(self.generation, self.load.take(chunk)))
        if self.load.capped:  # after the lines: the notice counts the rows shown
            self._notice_cap()
        return not self.load.capped

    def _notice_cap(self) -> None:
        self._post(Noticed(self.generation, capped_notice(self.load.max_entries)))
