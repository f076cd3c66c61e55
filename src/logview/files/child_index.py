"""A big file's line index, found by the child process that reads the back of the file.

Why: the line scan is reads and numpy passes, ~0.1 s of one core for a million lines alone; in a
thread of the viewer it took 0.25–0.35 s, because each numpy call gives the interpreter's lock up
and must win it back from the viewer's imports, and the child waited for it to end. The child (`split_read.py`) is forked
before any of that, has a core and an interpreter of its own, and scans first: every row is
reachable at the viewer's first paint, and the child starts on the back's columns that much sooner.

The child writes each chunk of lines (`LineChunk`, as `scan_lines(path)` yields them) to an unnamed
file, then the record's length to a pipe; a length of 0 ends the index. The viewer reads the pipe
(waiting, without the interpreter's lock) and the record at its offset. If the pipe ends without
that 0 (the child died, the scan failed), the viewer scans the rest itself from where the child
got to: the chunks are always those of `scan_lines(path)`, and a scan's error is raised as its own.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from logview.files.lines import LineChunk, scan_lines

_HEADER = struct.Struct("<qqq")  # lines, bytes scanned so far, the file's size
_LENGTH = struct.Struct("<q")  # a record's length on the pipe (0: the index is complete)


def encode(chunk: LineChunk) -> bytes:
    return _HEADER.pack(len(chunk.starts), chunk.scanned, chunk.size) + chunk.starts.astype(np.int64).tobytes() \
        + chunk.lengths.astype(np.int32).tobytes()


def decode(record: bytes | bytearray) -> LineChunk:
    count, scanned, size = _HEADER.unpack_from(record)
    starts = np.frombuffer(record, dtype=np.int64, count=count, offset=_HEADER.size)
    lengths = np.frombuffer(record, dtype=np.int32, count=count, offset=_HEADER.size + 8 * count)
    return LineChunk(starts, lengths, scanned, size)


def write_index(path: Path, out_fd: int, notify_fd: int) -> None:
    """In the child: scan `path`, each chunk written to `out_fd` and its length sent on `notify_fd`,
    then the end (a scan that raises sends no end: the viewer scans from there and meets the error)."""
    for chunk in scan_lines(path):
        record = encode(chunk)
        _write_all(out_fd, record)
        _write_all(notify_fd, _LENGTH.pack(len(record)))
    _write_all(notify_fd, _LENGTH.pack(0))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class ChildIndex:
    """The viewer's end: `chunks()` yields the child's chunks as they come (once)."""

    def __init__(self, path: Path, index_fd: int, notify_fd: int) -> None:
        self.path = path
        self._index_fd, self._notify_fd = index_fd, notify_fd  # (both owned here: closed at the end)
        self.taken = False  # whether `chunks` has begun (then it closes them itself)

    def chunks(self) -> Iterator[LineChunk]:
        """The chunks of `scan_lines(path)`: the child's, then (if it stopped short) the rest."""
        self.taken = True
        offset = resume = 0
        try:
            while (length := self._next_length()) is not None:
                if length == 0:
                    return
                record = bytearray(length)  # (its arrays are then writable, as a scan's are)
                if os.preadv(self._index_fd, [record], offset) != length:
                    break
                offset += length
                chunk = decode(record)
                resume = chunk.scanned
                yield chunk
        finally:
            self.close()
        yield from scan_lines(self.path, start=resume)  # (the child is gone: the rest, read here)

    def _next_length(self) -> int | None:
        """The next record's length, waiting for it; None when the pipe ended without one."""
        wanted, got = _LENGTH.size, b""
        while len(got) < wanted:
            try:
                part = os.read(self._notify_fd, wanted - len(got))
            except OSError:
                return None
            if not part:
                return None
            got += part
        return _LENGTH.unpack(got)[0]

    def close(self) -> None:
        for fd in (self._index_fd, self._notify_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._index_fd = self._notify_fd = -1
