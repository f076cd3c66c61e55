"""A big file's filter columns read on both cores: the back of the file by a child process.

Why: reading the columns costs ~1–2 µs a line of one core (`columns.py`; a million lines take
1–2 s), and Python runs one thread at a time. So a child, forked as soon as the command line names
the file (while the process is small and has no other thread), reads the back of the file on the
other core while the viewer's reader thread reads the front.

The child first finds the file's lines for the viewer (`child_index.py`: every row reachable at the
first paint), then reads the columns of the back, niced: the viewer's threads come first whenever
both cores are wanted.

The two halves meet at a line start (`split_point`), found the same way before the fork by both.
The child's columns are in its own reader's codes; `Recoder` puts them into the viewer's reader's,
in order, so the store sees what one reader reading the whole file would have given it. Whatever
goes wrong in the child (it dies, its count of lines is not the viewer's) only means the viewer
reads that part itself (`columns_pass.py`, `child_index.py`).

POSIX `fork` only (Linux): elsewhere the viewer reads the whole file itself.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from logview.categories import CodeMap
from logview.files.child_index import ChildIndex, spans_from, write_index
from logview.files.columns import ColumnChunk, ColumnReader
from logview.files.jsonl import source_for_kind
from logview.files.lines import indexed_chunks, scan_lines

SPLIT_FROM_BYTES = 32 << 20  # smaller files are read in well under a second by the viewer alone
# The child's share. Both read about as fast, but the child starts on the columns once it has
# found the lines (~0.2 s after the command line for 200 MB, ~0.35 s for 600 MB), the viewer once
# it has painted (~0.5 s): the child takes half, plus half of what it reads in that head start.
# The head start is a time, and both it and the reading scale with the machine's speed, so in
# bytes it is about the same anywhere (measured: bench_viewer.py, RESULTS.md).
HEAD_START_BYTES = 48 << 20
MAX_CHILD_SHARE = 0.75
# The viewer reads 4 MB chunks so as to take turns with its UI thread less often; the child has no
# such turns to take, and each chunk's bytes are held about three times over while it is read.
CHILD_CHUNK_BYTES = 1 << 20
# … and writes its columns this many rows at a time (~0.6 MiB): the viewer takes each chunk in its
# own codes at the end of the read, where nothing else goes on; a few dozen cost it less than a hundred.
CHILD_WRITE_ROWS = 16_384
CHILD_POLL_S = 0.01  # how often a viewer waiting for the child asks whether it is still wanted
CHILD_NICE = 10  # (the viewer's threads come first whenever both cores are wanted)
_ALIGN_WINDOW = 1 << 20  # a line start is looked for this far past the middle
_END = "end"  # written after the last chunk: without it, the child did not finish
_ROWS_UNKNOWN = 1 << 62  # the file's header, written over with this + the rows (pickled, the same size)


def child_share(size: int) -> float:
    """The part of a file of `size` bytes that the child reads."""
    return min(MAX_CHILD_SHARE, 0.5 + HEAD_START_BYTES / (2 * max(size, 1)))


@dataclass(frozen=True)
class BackColumns:
    """What the child read: from `start` (a line start) to the end it saw, `rows` lines, whose
    chunks are read from its file one at a time (not all held at once)."""

    start: int
    rows: int
    chunks: Iterator[ColumnChunk]


def split_point(path: Path, size: int, share: float | None = None) -> int | None:
    """The offset of the first line that starts at or after the child's share of `size` bytes
    begins; None when there is none nearby (a very long line there) or the file is too small."""
    if size < SPLIT_FROM_BYTES:
        return None
    middle = int(size * (1 - (child_share(size) if share is None else share)))
    with open(path, "rb", buffering=0) as handle:
        handle.seek(middle - 1)
        window = handle.read(_ALIGN_WINDOW)
    newline = window.find(b"\n")
    if newline < 0 or middle + newline >= size:
        return None
    return middle + newline  # (the byte after the newline at middle - 1 + newline)


class BackReader:
    """A child process that finds the lines of `path` (`index`) and then reads the columns from
    `start` to the end.

    It writes the columns to an unnamed temporary file as it reads them, and the viewer reads that
    file once the child is done: nothing of it waits for the viewer's threads to take their turn
    with the interpreter (a pipe would have stalled the child at each of those waits), and the
    child holds no chunk longer than it takes to write it out."""

    def __init__(self, path: Path, kind: str, start: int) -> None:
        self.path, self.start = path, start
        self._file = tempfile.TemporaryFile(prefix="logview-columns-")
        index_file = tempfile.TemporaryFile(prefix="logview-lines-")
        notify_read, notify_write = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            index_file.close()
            os.close(notify_read)
            os.close(notify_write)
            self._file.close()
            raise
        if self.pid == 0:  # the child: never returns
            try:
                os.close(notify_read)
                _child(path, kind, start, self._file, index_file.fileno(), notify_write)
            finally:
                os._exit(1)  # (`_child` exits itself: this only if it could not even begin)
        os.close(notify_write)
        self.index = ChildIndex(path, os.dup(index_file.fileno()), notify_read)
        index_file.close()
        self._reaped, self._closing = False, threading.Lock()

    def columns(self, wanted: Callable[[], bool] = lambda: True) -> BackColumns | None:
        """The child's columns (waiting for the child to end), or None when it failed, or when
        `wanted` turned False while it was waited for (the viewer quit or reloaded meanwhile: the
        child is stopped at once rather than waited for to read the whole back)."""
        while not self._ended():
            if not wanted():
                self.close()
                return None
            time.sleep(CHILD_POLL_S)
        try:
            if not self._wait() or self._file.closed:
                return None
            self._file.seek(0)
            rows = pickle.load(self._file) - _ROWS_UNKNOWN
        except Exception:  # it was killed, or wrote something else: the viewer reads it instead
            self.close()
            return None
        return BackColumns(self.start, rows, self._chunks())

    def _chunks(self) -> Iterator[ColumnChunk]:
        try:
            while not isinstance(chunk := pickle.load(self._file), str):  # (until _END)
                yield chunk
        finally:
            self.close()

    def _ended(self) -> bool:
        """Whether the child has ended (left for `_wait` to reap); True where that cannot be
        asked without reaping it (no `waitid`: macOS), so that `_wait` waits as before."""
        if not hasattr(os, "waitid"):
            return True
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:  # (reaped already: `_wait` says how it went)
            return True

    def _wait(self) -> bool:
        """Wait for the child to end; whether it ended well."""
        with self._closing:
            if self._reaped:
                return False
            try:
                _, status = os.waitpid(self.pid, 0)
            except ChildProcessError:
                status = -1
            self._reaped = True
        return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0

    def close(self) -> None:
        """Stop the child if it still runs, reap it, and drop its files."""
        if not self.index.taken:  # (else the index's reader closes it when it ends)
            self.index.close()
        if not self._reaped:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._wait()
        self._file.close()


def _child(path: Path, kind: str, start: int, out: IO[bytes], index_fd: int, notify_fd: int) -> None:
    """Find the lines of `path` for the viewer, then read the columns from `start`, writing each
    chunk to `out` as it is read, then _END. Exits without running the parent's clean-up (it is a
    fork)."""
    parent = os.getppid()
    code = 1
    try:
        records = write_index(path, index_fd, notify_fd)  # (at full speed: the viewer waits for it)
        os.close(notify_fd)
        os.nice(CHILD_NICE)
        reader = ColumnReader(source_for_kind(kind))  # type: ignore[arg-type]
        rows = 0
        waiting: list[ColumnChunk] = []

        def write_waiting() -> None:
            joined = ColumnChunk.join(waiting)
            waiting.clear()  # (before it is written: the parts and the whole are not held at once)
            pickle.dump(joined, out, protocol=pickle.HIGHEST_PROTOCOL)

        pickle.dump(_ROWS_UNKNOWN, out)  # (written over at the end with the count of rows)
        # (the lines as indexed: not looked for again; a file changed meanwhile ends them early,
        # and the viewer, counting other rows than its own, reads the back itself)
        for chunk in indexed_chunks(path, spans_from(index_fd, records, start), CHILD_CHUNK_BYTES):
            if os.getppid() != parent:  # the viewer is gone
                break
            columns = reader.read_chunk(chunk)
            rows += len(columns)
            waiting.append(columns)
            if sum(map(len, waiting)) >= CHILD_WRITE_ROWS:
                write_waiting()
            del chunk, columns
        else:
            if waiting:
                write_waiting()
            pickle.dump(_END, out)
            out.seek(0)
            pickle.dump(_ROWS_UNKNOWN + rows, out)  # (the same size: an 8-byte integer)
            out.flush()
            code = 0
    except BaseException:  # noqa: BLE001 - any failure: the viewer reads this part itself
        pass
    finally:
        os._exit(code)  # (not `exit`: the parent's buffers and clean-up are not the child's)


class Recoder:
    """Another reader's chunks (in order) in `reader`'s codes, as if it had read them itself."""

    def __init__(self, reader: ColumnReader) -> None:
        self._tables = reader.tables
        self._map = CodeMap()

    def recode(self, chunk: ColumnChunk) -> ColumnChunk:
        self._map.learn(self._tables, chunk.new_values)
        codes = {name: self._map.translate(name, codes) for name, codes in chunk.codes.items()}
        return ColumnChunk(time=chunk.time, codes=codes, duration=chunk.duration, invalid=chunk.invalid,
                           new_values={name: table.take_new() for name, table in self._tables.items()})


def fork_back_reader(path: Path, kind: str) -> BackReader | None:
    """A child to read the back of `path`, forked now (call it before any thread starts: a fork
    copies only the calling thread); None for a small file, or where it cannot be (no `fork`,
    no room for its temporary file, no more processes): the viewer then reads it all itself."""
    if not hasattr(os, "fork") or sys.platform != "linux":
        return None
    try:
        start = split_point(path, os.stat(path).st_size)
        return None if start is None else BackReader(path, kind, start)
    except OSError:
        return None
