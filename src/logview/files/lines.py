"""A JSONL file as an array of lines: byte offsets found with numpy, lines read back on demand.

Why: a million-entry export is ~220 MB (Supermetrics) to ~600 MB (Aitronos) of JSON. Holding it as
Python objects costs gigabytes and seconds; holding where each line starts costs 12 bytes a line
and one pass of `buffer == b"\\n"` over the file (~0.1 s for 220 MB from the page cache). Every row
is then reachable at once, and the few rows on screen are read back with `os.pread`.

The file is read in fixed chunks into one reused buffer rather than memory-mapped, so the pages
read do not count against the process's memory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import msgspec
import numpy as np
# A UTF-8 byte order mark opening a file (as Windows tools write one) belongs to no line: read as
# part of the first line it made that line invalid JSON.
BOM = b"\xef\xbb\xbf"


SCAN_CHUNK = 8 << 20  # bytes per read while indexing: large enough that numpy dominates
FIRST_CHUNK = 128 << 10  # the first read: a few hundred lines, enough for the first screen
NEWLINE = ord("\n")
# Blank lines are skipped, as `bytes.strip` would: only a line that starts and ends with one of
# these can be blank. Real entries start with `{`, so the few candidates are looked at one by one.
_BLANK = np.zeros(256, dtype=bool)
_BLANK[list(b" \t\n\r\x0b\x0c")] = True


class LineChunk(msgspec.Struct, frozen=True):
    """Lines found in one stretch of the file, in file order."""

    starts: np.ndarray  # int64 byte offset of each line
    lengths: np.ndarray  # int32 length without the line break
    scanned: int  # bytes of the file scanned so far
    size: int  # the file's size when the scan began
    data: bytes | bytearray | None = None  # with `scan_lines(..., with_data=True)`: bytes from `base` (maybe more)
    base: int = 0

    @classmethod
    def join(cls, chunks: list[LineChunk]) -> LineChunk:
        """Consecutive chunks (without data) as one."""
        if len(chunks) == 1:
            return chunks[0]
        return cls(np.concatenate([c.starts for c in chunks]), np.concatenate([c.lengths for c in chunks]),
                   chunks[-1].scanned, chunks[-1].size)

    def lines(self) -> list[bytes]:
        """The chunk's lines (needs `data`)."""
        assert self.data is not None
        data, base = self.data, self.base
        return [data[s - base:s - base + n] for s, n in zip(self.starts.tolist(), self.lengths.tolist())]


class LineTally(msgspec.Struct):
    """How many lines a reading of a file has found, cut at `max_entries`."""

    max_entries: int | None
    found: int = 0
    chunks: int = 0
    capped: bool = False

    def take(self, chunk: LineChunk) -> LineChunk:
        """Count a chunk of lines, cut at --max-entries."""
        self.chunks += 1
        if self.max_entries is not None and self.found + len(chunk.starts) > self.max_entries:
            keep = self.max_entries - self.found
            chunk = LineChunk(chunk.starts[:keep], chunk.lengths[:keep], chunk.scanned, chunk.size)
            self.capped = True
        self.found += len(chunk.starts)
        return chunk


def scan_lines(path: Path, chunk_bytes: int = SCAN_CHUNK, first_bytes: int = FIRST_CHUNK,
               with_data: bool = False, start: int = 0) -> Iterator[LineChunk]:
    """Yield the non-blank lines of `path` chunk by chunk; a last line without a newline counts.
    The first chunk is small so that the first screen of rows can be shown at once.

    Each read starts at the first line not yet yielded (a line cut by the end of a read is read
    again, not copied), so that `with_data` hands out the bytes read as they are: one copy of a
    chunk in memory, not two. Without it, one buffer is read into again and again. `start`: the
    offset of a line's first byte to begin at (the lines before it are not read)."""
    want = min(first_bytes, chunk_bytes)
    with open(path, "rb", buffering=0) as handle:
        size = os.fstat(handle.fileno()).st_size
        buffer = bytearray(0 if with_data else chunk_bytes)
        newlines = np.empty(0, dtype=bool)  # reused while indexing: a new one would be fresh pages each time
        position = start  # file offset of the first line not yet yielded, where each read starts
        seen = 0  # how far reads have got: a short read that gets no further has met the end
        while True:
            handle.seek(position)
            if with_data:
                block: bytes | bytearray = handle.read(want)
                filled = len(block)
            else:
                if len(buffer) < want:  # one line longer than the buffer: grow it
                    buffer = bytearray(want)
                block = buffer
                filled = handle.readinto(memoryview(buffer)[:want]) or 0
            last = filled < want and position + filled <= seen
            seen = max(seen, position + filled)
            if not filled:
                return
            data = np.frombuffer(block, dtype=np.uint8, count=filled)
            if with_data:  # (its mask is gone before the chunk is handed out: a lower peak while it is read)
                ends = np.flatnonzero(data == NEWLINE)
            else:
                if len(newlines) < filled:
                    newlines = np.empty(max(filled, chunk_bytes), dtype=bool)
                ends = np.flatnonzero(np.equal(data, NEWLINE, out=newlines[:filled]))
            if last and (not len(ends) or ends[-1] != filled - 1):
                ends = np.append(ends, filled)  # the torn last line
            if not len(ends):  # a line longer than all read so far: read it again, with more room
                want = 2 * filled
                continue
            # Few numpy calls a chunk, on purpose: each one releases the GIL and must win it back
            # from the UI thread, which costs up to a switch interval while the UI is busy.
            starts = np.concatenate(([0], ends[:-1] + 1))
            lengths = ends - starts
            if position == 0 and block[:3] == BOM:  # (not part of the first line: see BOM)
                starts[0], lengths[0] = 3, lengths[0] - 3
                if not lengths[0]:  # (a BOM and no more on its line: a file of the BOM alone had its start past the read)
                    starts, lengths = starts[1:], lengths[1:]
            if block.find(b"\r", 0, filled) >= 0:  # a rare byte: memchr skips the rest fast
                # strip a CR before the LF (files written on Windows)
                crlf = np.flatnonzero(lengths > 0)
                crlf = crlf[data[ends[crlf] - 1] == ord("\r")]
                lengths[crlf] -= 1
            if len(starts) and (data[starts] <= 32).any():  # a line starting with whitespace
                keep = _non_blank(data, starts, lengths)
                starts, lengths = starts[keep], lengths[keep]
            consumed = int(ends[-1]) + 1
            yield LineChunk(starts + position, lengths.astype(np.int32), min(size, position + consumed), size,
                            block if with_data else None, position)  # type: ignore[arg-type]
            if last:
                return
            position += consumed
            want = chunk_bytes
            del data, block  # (a chunk's bytes go as soon as its reader drops them)


class ReadBuffer:
    """One buffer the chunks of a read are read into, one after another (`indexed_chunks`): a
    chunk's bytes are then good until the next chunk is read.

    Why: bytes of their own for each chunk took fresh pages from the heap each time (the freed
    ones, split by the small objects made meanwhile, seldom fit the next chunk), which the heap
    kept until trimmed: in a thread reading an Aitronos file 2.5 MiB more a segment of 16k lines
    (1.0 reused), and 6% more CPU (the page faults)."""

    SHORT = 0.6  # a chunk under this share of the largest read so far (a segment's last) is read apart

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._room = 0  # the largest length read into it: its allocation holds at least that

    def read(self, fd: int, length: int, offset: int) -> bytes | bytearray:
        """`length` bytes of `fd` at `offset` (fewer where the file ends first)."""
        if length < self._room * self.SHORT:  # (shrunk below half, the buffer would be allocated anew)
            return os.pread(fd, length, offset)
        buffer = self._buffer
        if sys.getrefcount(buffer) > 3:  # (here, `buffer` and the call's own: the last chunk is still held)
            buffer = self._buffer = bytearray(length)  # (so it is not read over)
        elif length < len(buffer):
            del buffer[length:]
        elif length > len(buffer):
            buffer.extend(bytes(length - len(buffer)))
        self._room = max(self._room, length)
        read = os.preadv(fd, [buffer], offset)
        return buffer if read == length else bytes(buffer[:read])


def indexed_chunks(path: Path, spans: Iterable[tuple[np.ndarray, np.ndarray]],
                   chunk_bytes: int, into: ReadBuffer | None = None) -> Iterator[LineChunk]:
    """The lines at `spans` (offsets and lengths, in file order, as a scan found them) with their
    bytes, read about `chunk_bytes` at a time: a second pass over lines already indexed, without
    looking for their line breaks again (~10% of reading a line's columns). Ends early where the
    file has become shorter than a line's end (it changed since it was indexed), after the lines
    still whole. `into`: each chunk's bytes are read into it, good only until the next chunk is
    asked for."""
    with open(path, "rb", buffering=0) as handle:
        fd = handle.fileno()
        size = os.fstat(fd).st_size
        for starts, lengths in spans:
            lo, count = 0, len(starts)
            while lo < count:
                base = int(starts[lo])
                hi = max(lo + 1, int(np.searchsorted(starts, base + chunk_bytes)))
                stop = int(starts[hi - 1]) + int(lengths[hi - 1])
                data = os.pread(fd, stop - base, base) if into is None else into.read(fd, stop - base, base)
                if len(data) < stop - base:  # (the lines wholly in what is left, then no more)
                    whole = int(np.searchsorted(starts[lo:hi] + lengths[lo:hi], base + len(data), side="right"))
                    if whole:
                        end = int(starts[lo + whole - 1]) + int(lengths[lo + whole - 1])
                        yield LineChunk(starts[lo:lo + whole], lengths[lo:lo + whole], end, size, data, base)
                    return
                yield LineChunk(starts[lo:hi], lengths[lo:hi], stop, size, data, base)
                del data  # (a chunk's bytes go as soon as its reader drops them, before the next read)
                lo = hi


def _non_blank(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    keep = lengths > 0
    some = np.flatnonzero(keep)
    first, last = starts[some], starts[some] + lengths[some] - 1
    for i in some[_BLANK[data[first]] & _BLANK[data[last]]]:
        start = int(starts[i])
        if not data[start:start + int(lengths[i])].tobytes().strip():
            keep[i] = False
    return keep


class LineFile:
    """Random access to lines by their offsets (thread-safe: `pread` has no shared position)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = os.open(path, os.O_RDONLY)

    def read(self, start: int, length: int) -> bytes:
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        return os.pread(self._fd, length, start)

    def read_lines(self, starts: np.ndarray, lengths: np.ndarray) -> list[bytes]:
        """The lines at `starts`, read as one span when they lie close together (they usually do)."""
        if not len(starts):
            return []
        first = int(starts.min())
        stop = int((starts + lengths).max())
        if stop - first <= 64 * max(1, int(lengths.sum())):
            block = self.read(first, stop - first)
            return [block[s - first:s - first + n] for s, n in zip(starts.tolist(), lengths.tolist())]
        return [self.read(s, n) for s, n in zip(starts.tolist(), lengths.tolist())]

    def reopen(self) -> None:
        """Read the path afresh: a file replaced since (an editor's save, `s` over it, a new
        export) is another inode, which the old descriptor would go on reading."""
        fd = os.open(self.path, os.O_RDONLY)
        self.close()
        self._fd = fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
