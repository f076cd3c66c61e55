"""A big file's filter columns read on both cores: a child process reads from the back of the
file while the viewer reads from the front, and they meet wherever the work took them.

Why: reading the columns costs ~0.5–2 µs a line of one core (`columns.py`; a million lines take
0.5–2 s), and Python runs one thread at a time. So a child, forked as soon as the command line
names the file (while the process is small and has no other thread), reads on the other core.

The child first finds the file's lines for the viewer (`child_index.py`: every row reachable at the
first paint). Then the rows are read in segments of SEGMENT_ROWS: the viewer takes segments from
the first on, the child (niced: the viewer's threads come first whenever both cores are wanted)
from the last one down, each claiming the next before reading it (`Claims`), until they meet. No
split is fixed in advance: the child starts ~0.3 s before the viewer can, and how fast each goes
depends on the file and on what else the machine runs (a fixed share left the viewer waiting up to
0.4 s for a child starved by other work, or the child's core idle while the viewer read on).

The child reads all its segments with one reader (a reader per segment cost it 5–9% more CPU:
each segment coded its values again, the slow way), so a child's code says when the child first met
a value, from the back; `Recoder` (`recoder.py`) puts each segment into the viewer's reader's codes in file order,
so the store sees what one reader reading the whole file would have given it. Whatever goes wrong in the child (it
dies, its count of lines is not the viewer's) only means the viewer reads those segments itself
(`columns_pass.py`, `child_index.py`).

POSIX `fork` only (Linux): elsewhere the viewer reads the whole file itself.
"""

from __future__ import annotations

import os
import select
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from logview.files.back_columns import BackColumns, write_record, write_segment
from logview.files.child_index import ChildIndex, spans_of_rows, write_index
from logview.files.columns import ColumnReader
from logview.files.jsonl import source_for_kind
from logview.files.lines import LineChunk, ReadBuffer, indexed_chunks
from logview.files.split_claims import Claims

SPLIT_FROM_BYTES = 32 << 20  # smaller files are read in well under a second by the viewer alone
# Rows a side claims at a time: the last segment both may read (see `Claims`), and what the viewer
# waits for at most once it has met the child (~10 ms of Supermetrics lines, ~35 ms of Aitronos).
SEGMENT_ROWS = 1 << 14
# The viewer reads 4 MB chunks so as to take turns with its UI thread less often; the child has no
# such turns to take, and each chunk's bytes are held while it is read: 2 MiB took 3–4% less of its
# CPU, but the child held 1.2 (Supermetrics) to 3 MiB (Aitronos) more all along, at the peak of the tree.
CHILD_CHUNK_BYTES = 1 << 20
# Near the viewer's claims (`Claims.near_front`) the child reads smaller chunks, so that the viewer
# sees it get on (`Claims.rows_left`) every ~1,200 Supermetrics or ~430 Aitronos rows, not 4,900 / 1,700.
CHILD_NEAR_CHUNK_BYTES = 256 << 10
# A viewer that has met the child looks at its pace this often (with its core it reads a chunk of
# 256 KiB in ~1 ms, starved, niced behind one busy process, in ~10), and stops it where, at that
# pace, the rows of its segment left would take longer than the viewer reading the whole segment
# itself; never with fewer than CHILD_STALLED_ROWS left (a few ms of the child's, whatever its pace).
CHILD_STALLED_S, CHILD_STALLED_ROWS = 0.005, 2048
CHILD_POLL_S = 0.01  # how often a viewer waiting for the child asks whether it is still wanted
CHILD_NICE = 10  # (the viewer's threads come first whenever both cores are wanted)
DONE = b"\0"  # what the child writes on its `done` pipe once its last segment is recorded


class BackReader:
    """A child process that finds the lines of `path` (`index`) and then reads segments of their
    columns from the last one down, as long as the viewer has not claimed them (`claim`).

    It writes the columns to an unnamed temporary file as it reads them (`back_columns.py`), and the viewer reads that
    file once the child is done (or, the child stalled, the segments it recorded whole): nothing of it waits for the viewer's threads to take their turn
    with the interpreter (a pipe would have stalled the child at each of those waits), and the
    child holds no segment longer than it takes to write it out."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self._claims = Claims(SEGMENT_ROWS)
        self.segment_rows = self._claims.segment_rows
        self._file = tempfile.TemporaryFile(prefix="logview-columns-")
        index_file = tempfile.TemporaryFile(prefix="logview-lines-")
        notify_read, notify_write = os.pipe()
        # (the child says on `done` that its last segment is recorded: its exit, its pages let go
        # niced, 2–5 ms on a quiet machine and up to 40 on a busy one, is not waited for)
        done_read, done_write = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            index_file.close()
            for end in (notify_read, notify_write, done_read, done_write):
                os.close(end)
            self._file.close()
            raise
        if self.pid == 0:  # the child: never returns
            try:
                os.close(notify_read)
                os.close(done_read)
                os._exit(_child(path, kind, self._claims, self._file, index_file.fileno(), notify_write,
                                done_fd=done_write))
            finally:
                os._exit(1)  # (not `exit`: the parent's buffers and clean-up are not the child's)
        os.close(notify_write)
        os.close(done_write)
        self._done = done_read
        self.index = ChildIndex(path, os.dup(index_file.fileno()), notify_read)
        index_file.close()
        self._reaped, self._closing = False, threading.Lock()
        self._stop_stalled, self._viewer_row_s = False, 0.0  # (`met`)
        self._reaper: threading.Thread | None = None

    def claim(self, segment: int) -> bool:
        """Whether the viewer reads `segment` (the one after its last): False once the child has
        claimed it, i.e. the two have met."""
        return self._claims.claim_front(segment)

    def met(self, row_s: float) -> None:
        """The viewer has met the child, reading a row in `row_s` seconds: while it waits for it
        (`columns`), a child slower than that at its segment's rest (CHILD_STALLED_S) is stopped,
        its whole segments taken, and the viewer reads the rest."""
        self._stop_stalled, self._viewer_row_s = True, row_s

    def columns(self, wanted: Callable[[], bool] = lambda: True) -> BackColumns | None:
        """The child's columns (waiting for the child to say it has read all it could claim, or to
        end), or None when it failed, or when `wanted` turned False while it was waited for (the
        viewer quit or reloaded meanwhile: the child is stopped at once rather than waited for to
        read its segments)."""
        stop_stalled, stalled, done = self._stop_stalled, False, False
        poll = CHILD_STALLED_S if stop_stalled else CHILD_POLL_S
        rows_left = self._claims.rows_left
        while not stalled and not done and not self._ended():
            if not wanted():
                self.close()
                return None
            # (waiting for the segment the child is reading when the viewer meets it: the columns
            # are taken as it says it is done, not up to a poll later; an end without a word, a
            # child that failed, makes the pipe readable too)
            # (`poll`, not `select`: a process with over 1,024 files open, a long test run's worker, cannot select on more)
            if _readable(self._done, poll):
                said = os.read(self._done, 1)
                if not said:  # (it ended without a word: `_wait` says how)
                    break
                done = said == DONE
            stalled = stop_stalled and self._slower_than_the_viewer(rows_left, self._claims.rows_left, poll)
            rows_left = self._claims.rows_left
        try:
            if stalled and not done:  # (its segment's rest is the viewer's to read: `read_columns`)
                self._kill()
                self._reap_aside()
            elif done:  # (its segments all recorded: it is reaped aside as it ends)
                self._reap_aside()
            elif not self._wait():
                return None
            if self._file.closed:
                return None
            found = BackColumns.recorded(self._file, self._claims.committed)
        except Exception:  # it wrote something else: the viewer reads it instead
            found = None
        if found is None:
            self.close()
        return found

    def _slower_than_the_viewer(self, rows_left: int, left_now: int, seconds: float) -> bool:
        """Whether the child, having read `rows_left - left_now` rows in `seconds`, would take longer
        over the `left_now` of its segment left than the viewer over the whole segment."""
        if left_now < CHILD_STALLED_ROWS:
            return False
        read = rows_left - left_now
        return read <= 0 or left_now * seconds / read > self.segment_rows * self._viewer_row_s

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
        if self._reaper is None:
            self._kill()
            self._wait()
        self._file.close()
        if self._done >= 0:
            os.close(self._done)
            self._done = -1

    def _kill(self) -> None:
        if not self._reaped:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _reap_aside(self) -> None:
        """Reap the child, killed, on a thread of its own: starved, niced, it may take tens of ms
        to be gone (its pages let go at its pace); the viewer has what it needs meanwhile."""
        self._reaper = threading.Thread(target=self._wait, name="logview-reaper", daemon=True)
        self._reaper.start()


def _readable(fd: int, timeout_s: float) -> bool:
    watch = select.poll()
    watch.register(fd, select.POLLIN)
    return bool(watch.poll(timeout_s * 1000))


def _child(path: Path, kind: str, claims: Claims, out: IO[bytes], index_fd: int, notify_fd: int, *,
           done_fd: int) -> int:
    """Find the lines of `path` for the viewer, then read segments of their columns from the last
    one down while `claims` lets it, each written to `out` as it is read, with a record of it (its
    place, the values its codes met first, where the record before it is), marked in `claims` once
    whole: the viewer may take the segments recorded without the child's end (`BackReader.columns`),
    and says on `done_fd` when it has read all it could claim, before its memory is let go.
    Returns its exit code: 0 when done, 1 if anything failed."""
    parent = os.getppid()
    code = 1
    try:
        records = write_index(path, index_fd, notify_fd)  # (at full speed: the viewer waits for it)
        os.close(notify_fd)
        os.nice(CHILD_NICE)
        source = source_for_kind(kind)  # type: ignore[arg-type]
        rows = sum(count for _, count in records)
        size = claims.segment_rows
        reader = ColumnReader(source)  # (its codes follow the order it reads in, from the back: see `Recoder`)
        into = ReadBuffer()
        for segment in range(-(-rows // size) - 1, -1, -1):
            if os.getppid() != parent or not claims.claim_back(segment):  # the viewer is gone, or met
                break
            lo, hi = segment * size, min(rows, (segment + 1) * size)
            chunk_bytes = min(CHILD_NEAR_CHUNK_BYTES, CHILD_CHUNK_BYTES) if claims.near_front(segment) \
                else CHILD_CHUNK_BYTES
            # (the lines as indexed: not looked for again; a file changed meanwhile ends them early,
            # and the viewer, counting other rows than its own, reads the segment itself)
            # (the segment's columns worked out once, not once a chunk: 7–9% of the child's CPU)
            chunks = indexed_chunks(path, spans_of_rows(index_fd, records, lo, hi), chunk_bytes, into)
            columns = reader.read_chunks(_counted(chunks, claims, hi - lo))
            if len(columns):
                new_values, columns.new_values = columns.new_values, {}
                place = write_segment(columns, out)
                del columns
                at = write_record(out, rows, segment, place, new_values, claims.committed)
                claims.commit(at)  # (flushed first: `write_record`)
        os.write(done_fd, DONE)
        code = 0
    except BaseException:  # noqa: BLE001 - any failure: the viewer reads this part itself
        pass
    return code


def _counted(chunks: Iterator[LineChunk], claims: Claims, rows: int) -> Iterator[LineChunk]:
    """A segment's `chunks` (`rows` lines), the rows left marked in `claims` as each is read."""
    claims.left(rows)
    for chunk in chunks:
        rows -= len(chunk.starts)
        yield chunk
        del chunk
        claims.left(rows)
    claims.left(0)


def fork_back_reader(path: Path, kind: str) -> BackReader | None:
    """A child to read the back of `path`, forked now (call it before any thread starts: a fork
    copies only the calling thread); None for a small file, or where it cannot be (no `fork`,
    no room for its temporary file, no more processes): the viewer then reads it all itself."""
    if not hasattr(os, "fork") or sys.platform != "linux":
        return None
    try:
        return BackReader(path, kind) if os.stat(path).st_size >= SPLIT_FROM_BYTES else None
    except OSError:
        return None
