"""The file a big file's child reader writes its columns to (`split_read.py`), and how the viewer
reads them back: each segment's arrays from where a page begins, so that the viewer maps them
rather than copying them (`BackColumns.segment`), then a record of the segment (its place, the
values its codes met first, where the record before it is), each record after its length.
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
from typing import IO, Any

import msgspec

from logview.files.columns import ColumnChunk

RECORD_LENGTH = struct.Struct("<q")  # (each record of the child's file begins with its length)


class BackColumns(msgspec.Struct, frozen=True):
    """What the child read: the lines it counted, the segments it read (each a `ColumnChunk` in
    the child's codes, mapped from its file one at a time: see `write_segment`), and the values
    its codes stand for, per field (`Categories.values`)."""

    rows: int
    segments: dict[int, tuple[int, int, bytes, tuple[int, ...]]]  # segment → `write_segment`'s place
    file: IO[bytes]
    values: dict[str, list[Any]]

    @classmethod
    def recorded(cls, file: IO[bytes], offset: int) -> BackColumns | None:
        """The segments the child's file records as whole, from its last record (at `offset`) back
        to its first (each says where the one before it is: `_child`); None if it recorded none."""
        segments: dict[int, tuple[int, int, bytes, tuple[int, ...]]] = {}
        news: list[dict[str, list[Any]]] = []
        rows = 0
        while offset >= 0:
            length = RECORD_LENGTH.unpack(os.pread(file.fileno(), RECORD_LENGTH.size, offset))[0]
            rows, segment, place, new_values, offset = pickle.loads(
                os.pread(file.fileno(), length, offset + RECORD_LENGTH.size))
            segments[segment] = place
            news.append(new_values)
        if not segments:
            return None
        values = {name: [None, *(value for new in reversed(news) for value in new[name])] for name in news[0]}
        return cls(rows, segments, file, values)

    def segment(self, segment: int, rows: int) -> ColumnChunk | None:
        """The child's columns of `segment`, if it read that segment and found `rows` lines in it.
        Its arrays are the file's pages mapped, not copied: a copy's fresh pages cost ~2 µs each
        to fault in (unpickled, the 590k rows of a 1M Supermetrics file's back took 7–8 ms, the
        same bytes copied into memory used before 1.6), where a mapped file's pages come from the
        page cache 16 at a fault. They are unmapped as the arrays are dropped (once the store has
        copied them), so no more is held than a copy held."""
        place = self.segments.get(segment)
        if place is None or place[1] != rows:
            return None
        offset, _, layout, sizes = place
        if not sum(sizes):
            return pickle.loads(layout)
        length = sum(map(_padded, sizes))
        try:
            pages: mmap.mmap | bytes = mmap.mmap(self.file.fileno(), length, offset=offset, prot=mmap.PROT_READ)
        except OSError:  # (a file system that cannot map it, no mapping left: its bytes read instead)
            pages = os.pread(self.file.fileno(), length, offset)
        view, buffers, at = memoryview(pages), [], 0
        for size in sizes:
            buffers.append(view[at:at + size])
            at += _padded(size)
        return pickle.loads(layout, buffers=buffers)


def write_segment(columns: ColumnChunk, out: IO[bytes]) -> tuple[int, int, bytes, tuple[int, ...]]:
    """Write a segment's arrays to `out` from where a page begins, each from a multiple of 64
    bytes on; returns where (its offset, its rows, the rest of its pickle, its arrays' sizes)."""
    buffers: list[pickle.PickleBuffer] = []
    layout = pickle.dumps(columns, protocol=5, buffer_callback=buffers.append)
    offset = -(-out.tell() // mmap.ALLOCATIONGRANULARITY) * mmap.ALLOCATIONGRANULARITY
    out.seek(offset)
    sizes = []
    for buffer in buffers:
        raw = buffer.raw()
        out.write(raw)
        out.write(bytes(_padded(len(raw)) - len(raw)))
        sizes.append(len(raw))
    return offset, len(columns), layout, tuple(sizes)


def _padded(size: int) -> int:
    return -(-size // 64) * 64



def write_record(out: IO[bytes], rows: int, segment: int, place: tuple[int, int, bytes, tuple[int, ...]],
                 new_values: dict[str, list[Any]], before: int) -> int:
    """Write the record of a segment written at `place` (`write_segment`), after the one at `before`
    (-1 for the first), and return where it begins: what `BackColumns.recorded` reads from."""
    record = pickle.dumps((rows, segment, place, new_values, before), protocol=pickle.HIGHEST_PROTOCOL)
    at = out.tell()
    out.write(RECORD_LENGTH.pack(len(record)))
    out.write(record)
    out.flush()  # (in the file before it is marked: the viewer may read it at once)
    return at
