"""A big file's line index, found by the child process that reads the back of the file.

Why: the line scan is reads and numpy passes, ~0.1 s of one core for a million lines alone; in a
thread of the viewer it took 0.25–0.35 s, because each numpy call gives the interpreter's lock up
and must win it back from the viewer's imports, and the child waited for it to end. The child
(`split_read.py`) is forked before any of that, has a core and an interpreter of its own, and scans
first: every row is reachable at the viewer's first paint, and the child starts on the back's
columns that much sooner.

The child writes each chunk of lines (`LineChunk`, as `scan_lines(path)` yields them) to an
unnamed file, as a record of raw arrays (a header, the starts, the lengths), then the record's
length to a pipe; a length of 0 ends the index. The viewer reads the pipe (waiting, without the
interpreter's lock) and then every record said so far at once, straight into one pair of arrays
(one `preadv`, without the lock): a million Supermetrics lines were 104 pickles loaded and then
joined, in a thread that took the lock in turns with the UI thread's first refreshes after the
first paint; read so, about half the CPU, the kernel's for the most part. If the pipe ends without
that 0 (the child died, the scan failed), the viewer scans the rest itself from where the child got
to: the lines are always those of `scan_lines(path)`, and a scan's error is raised as its own.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import msgspec
import numpy as np

from logview.files.lines import LineChunk, scan_lines

_LENGTH = struct.Struct("<q")  # a record's length on the pipe (0: the index is complete)
_HEADER = struct.Struct("<qqq")  # a record's lines, then the chunk's `scanned` and `size`
_LINE_BYTES = 8 + 4  # a line's start (int64) and length (int32) in a record
# Records read by one `preadv` (3 buffers each: IOV_MAX is 1024 on Linux)
RECORDS_A_READ = 256

# The child's reads while it finds the lines: 2 MiB, not the viewer's 8 (`lines.SCAN_CHUNK`, sized for
# a thread that gives up the interpreter's lock at each numpy call; the child has it to itself). Its
# buffer and the chunk's newline mask are held through the scan: 4 MiB instead of 16 (Aitronos 1M:
# the child 30 MiB instead of 42 while it scans, beside a viewer that is taking the lines and laying
# out its first screen), for the same CPU (~0.22 s for 1M Aitronos lines either way, in process).
CHILD_SCAN_BYTES = 2 << 20


def write_index(path: Path, out_fd: int, notify_fd: int) -> list[tuple[int, int]]:
    """In the child: scan `path`, each chunk written to `out_fd` and its length sent on `notify_fd`,
    then the end (a scan that raises sends no end: the viewer scans from there and meets the error).
    Returns each record's length and its count of lines, in order (for `spans_of_rows`)."""
    records: list[tuple[int, int]] = []
    with open(out_fd, "wb", closefd=False) as out, open(notify_fd, "wb", closefd=False) as notify:
        for chunk in scan_lines(path, chunk_bytes=CHILD_SCAN_BYTES):
            records.append((send_chunk(out, notify, chunk), len(chunk.starts)))
        notify.write(_LENGTH.pack(0))
    return records


def send_chunk(out: BinaryIO, notify: BinaryIO, chunk: LineChunk) -> int:
    """One chunk for the viewer: its record written out whole before its length is said; returns
    that length."""
    starts, lengths = np.ascontiguousarray(chunk.starts, np.int64), np.ascontiguousarray(chunk.lengths, np.int32)
    out.write(_HEADER.pack(len(starts), chunk.scanned, chunk.size))
    out.write(starts.data)
    out.write(lengths.data)
    out.flush()
    length = _HEADER.size + _LINE_BYTES * len(starts)
    notify.write(_LENGTH.pack(length))
    notify.flush()
    return length


def spans_of_rows(index_fd: int, records: list[tuple[int, int]], lo: int, hi: int
                  ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """In the child, once the index is written: the offsets and lengths of lines [lo, hi), a record
    at a time (read back from the index file, not held); they end early where the file does."""
    offset = first = 0
    for length, rows in records:
        if first + rows > lo:
            chunk = _record(index_fd, length, offset)
            if chunk is None:  # (the viewer, counting other rows than its own, reads them itself)
                return
            yield chunk.starts[max(lo - first, 0):hi - first], chunk.lengths[max(lo - first, 0):hi - first]
        offset, first = offset + length, first + rows
        if first >= hi:
            return


def _record(index_fd: int, length: int, offset: int) -> LineChunk | None:
    """The chunk whose record is at `offset` of the index file; None if the file ends before it."""
    return _records(index_fd, [length], offset)


def _records(index_fd: int, lengths: list[int], offset: int, into: LineArrays | None = None) -> LineChunk | None:
    """The consecutive records of `lengths` from `offset` of the index file as one chunk, read
    into its arrays by the kernel (the front of `into`'s, if they have room); None if the file
    ends before their end. (By offset: the child's writes move the file position the two share.)"""
    rows = [(length - _HEADER.size) // _LINE_BYTES for length in lengths]
    if into is not None and len(into.starts) >= sum(rows):
        starts, line_lengths = into.starts[:sum(rows)], into.lengths[:sum(rows)]
    else:
        starts, line_lengths = np.empty(sum(rows), np.int64), np.empty(sum(rows), np.int32)
    headers = [bytearray(_HEADER.size) for _ in lengths]
    buffers: list[bytearray | memoryview] = []
    first = 0
    for header, count in zip(headers, rows):
        buffers += [header, _bytes_of(starts[first:first + count]), _bytes_of(line_lengths[first:first + count])]
        first += count
    for at in range(0, len(buffers), 3 * RECORDS_A_READ):
        group = buffers[at:at + 3 * RECORDS_A_READ]
        wanted = sum(map(len, group))
        if os.preadv(index_fd, group, offset) != wanted:
            return None
        offset += wanted
    if any(_HEADER.unpack(header)[0] != count for header, count in zip(headers, rows)):
        return None  # (not records as written: never from a child of this version)
    _, scanned, size = _HEADER.unpack(headers[-1])
    return LineChunk(starts, line_lengths, scanned, size)


class LineArrays(msgspec.Struct):
    """Arrays a take of the index reads its lines' starts and lengths into."""

    starts: np.ndarray
    lengths: np.ndarray

    @classmethod
    def for_the_rest(cls, first: LineChunk) -> LineArrays | None:
        """Room for the lines after the first chunk, as many as its lines a byte say the rest of
        the file holds (+5%: a take with more reads into arrays of its own), their pages faulted
        in aside now (`memory.fault_in_aside`). The rest is taken after the first paint, ~50 ms
        on, and its take wrote 12 MB of fresh pages for a million lines on the way to the oldest
        entry (5–23 ms of CPU in the app). None for a small rest, or a scan that says no size."""
        if not first.scanned or first.size <= first.scanned:
            return None
        rows = int(1.05 * (first.size - first.scanned) * len(first.starts) / first.scanned) + 64
        from logview.files.memory import FAULT_IN_ASIDE_FROM_ROWS, fault_in_aside

        if rows < FAULT_IN_ASIDE_FROM_ROWS:
            return None
        arrays = cls(np.empty(rows, np.int64), np.empty(rows, np.int32))
        fault_in_aside([(array.ctypes.data, array.nbytes) for array in (arrays.starts, arrays.lengths)])
        return arrays


def _bytes_of(array: np.ndarray) -> memoryview:
    """A (contiguous) array as the bytes `preadv` fills."""
    return memoryview(array).cast("B")


class ChildIndex:
    """The viewer's end: `chunks()` yields the child's chunks as they come (once)."""

    def __init__(self, path: Path, index_fd: int, notify_fd: int) -> None:
        self.path = path
        self._index_fd = index_fd  # (both owned here: closed at the end)
        self._notify = open(notify_fd, "rb")
        self.taken = False  # whether `chunks` has begun (then it closes them itself)

    def chunks(self) -> Iterator[LineChunk]:
        """The lines of `scan_lines(path)`: the child's first chunk alone (for the first screen),
        then all it has said since, joined, each time; then (if it stopped short) the rest."""
        self.taken = True
        offset = resume = 0
        rest: LineArrays | None = None
        try:
            lengths = self._said(at_most_one=True)
            while lengths is not None:
                ended = 0 in lengths
                if ended:
                    lengths = lengths[:lengths.index(0)]
                if lengths:
                    chunk = _records(self._index_fd, lengths, offset, rest)
                    if chunk is None:
                        break
                    rest = LineArrays.for_the_rest(chunk) if not offset else None  # (one take reads into them)
                    offset += sum(lengths)
                    resume = chunk.scanned
                    yield chunk
                if ended:
                    return
                lengths = self._said(at_most_one=False)
        finally:
            self.close()
        yield from scan_lines(self.path, start=resume)  # (the child is gone: the rest, read here)

    def _said(self, *, at_most_one: bool) -> list[int] | None:
        """The lengths said on the pipe and not yet read (at least one: waiting for it); None when
        the pipe ended without one."""
        try:  # (`read1`: what the pipe holds, without waiting for more)
            said = self._notify.read(_LENGTH.size) if at_most_one else self._notify.read1(1 << 16)
            if len(said) % _LENGTH.size:  # (a length cut in two by a read: its rest)
                said += self._notify.read(_LENGTH.size - len(said) % _LENGTH.size)
        except (OSError, ValueError):  # (closed meanwhile)
            return None
        whole = len(said) - len(said) % _LENGTH.size
        return [length for (length,) in _LENGTH.iter_unpack(said[:whole])] or None

    def close(self) -> None:
        self._notify.close()
        if self._index_fd >= 0:
            os.close(self._index_fd)
            self._index_fd = -1
