"""The second pass over a file: its filter columns, chunk by chunk, in file order.

The viewer's reader thread reads them (`ColumnReader`); when a child process was started on the
file (`split_read.py`), the thread reads segments from the front until it meets the child, which
read from the back, then takes the child's segments in its own codes. If the child failed, or saw
another number of lines than the viewer's index holds (the file changed meanwhile), the thread
reads those segments itself: the columns are always those of the lines indexed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeAlias

import numpy as np

from logview.files.columns import ColumnChunk, ColumnReader
from logview.files.lines import ReadBuffer, indexed_chunks, scan_lines
from logview.files.memory import release_free_memory
from logview.files.recoder import Recoder
from logview.files.split_read import BackReader

Spans: TypeAlias = Callable[[int, int], tuple[np.ndarray, np.ndarray]]  # rows [lo, hi) → offsets, lengths
# Rows taken from the line index at a time (`spans`): their offsets as int64, 1 MiB a block.
SPAN_ROWS = 1 << 17
# Indexed lines are read a chunk at a time (`ColumnReader.chunk_bytes`) but their columns made this
# many rows at a time (`ColumnReader.gather`; the child's segment, `split_read.SEGMENT_ROWS`): a 2 MiB
# chunk is ~3,400 Aitronos lines, whose columns made one by one took ~5% more of the viewer's reading
# CPU (in process; ~9,800 Supermetrics lines, 1–2%). The rows held meanwhile are the store's post's.
GATHER_ROWS = 1 << 14


def read_columns(path: Path, reader: ColumnReader, count: int, pause: Callable[[], None],
                 back: BackReader | None = None, wanted: Callable[[], bool] = lambda: True,
                 spans: Spans | None = None, met: Callable[[], None] = lambda: None) -> Iterator[ColumnChunk]:
    """The columns of the first `count` lines of `path`; `pause` is called between blocks read
    (a chance to stand back for the user's keys), `wanted` while the child is waited for (False:
    stop it), `met` once the viewer has met the child, before it waits for the child's last
    segment (a chance to hand on what it has read meanwhile). `spans(lo, hi)`: the offsets and lengths of lines [lo, hi) as indexed (the store's),
    so that they are read where they are instead of being looked for again; without it, the file
    is scanned. Closing the iterator stops the child."""
    try:
        if back is None or spans is None:  # (the child's segments are rows of the index)
            yield from _read(path, reader, count, pause, spans=spans, into=ReadBuffer())
            return
        read, size, began = 0, back.segment_rows, time.monotonic()
        into = ReadBuffer()  # (one for all the segments the viewer reads)
        while read < count and back.claim(read // size):
            want = min(count, read + size) - read
            got = yield from _read(path, reader, want, pause, first_row=read, spans=spans, into=into)
            read += got
            if got < want:  # (the file is shorter than when it was indexed: the lines still there)
                return
            # (The freed heap is not given back between segments: each segment's temporaries, the
            # numpy work of its times above all, took ~3 MiB of pages again, each faulting in at
            # ~1.7 µs: 13% more of the viewer's reading CPU for Supermetrics, and the next segment
            # held them again, so no lower a peak. The chunks' bytes, which did pile up in the
            # heap, are read into one buffer now: `ReadBuffer`.)
        if read < count:
            # The front's read buffers go back to the system before the child is waited for (its
            # last segment, ~35 ms of Aitronos lines) and its columns come: the tree peaks while
            # the child lives, and in the heap they would stay until the read ends (~15 MiB more
            # at the peak, 1M lines). The read buffer itself: 4.5 MiB.
            del into
            release_free_memory()
            met()
            # (a child starved by other work is not waited for: the viewer reads its segment)
            back.met((time.monotonic() - began) / read if read else float("inf"))
            found = back.columns(wanted)
            if not wanted():
                return
            if found is not None and found.rows == count:
                recoder = Recoder(reader, found.values)
                for segment in range(read // size, -(-count // size)):
                    end = min(count, (segment + 1) * size)
                    chunk = found.segment(segment, end - read)
                    if chunk is not None:
                        yield recoder.recode(chunk)
                        read += len(chunk)
                        continue
                    # (not the child's: the one it was stopped in, or one it found cut short)
                    read += yield from _read(path, reader, end - read, pause, first_row=read, spans=spans,
                                             into=ReadBuffer())
                    if read < end:  # (the file is shorter than when it was indexed)
                        return
        yield from _read(path, reader, count - read, pause, first_row=read, spans=spans, into=ReadBuffer())
    finally:
        if back is not None:
            back.close()


def _read(path: Path, reader: ColumnReader, left: int, pause: Callable[[], None], *, first_row: int = 0,
          spans: Spans | None = None, into: ReadBuffer | None = None) -> Iterator[ColumnChunk]:
    """Up to `left` lines from row `first_row` of `spans` (without `spans`, from the file's first
    line, scanned), read `into` a buffer; returns how many were read."""
    read = 0
    if left <= 0:
        return read
    if spans is not None:
        chunks = indexed_chunks(path, _blocks(spans, first_row, first_row + left), reader.chunk_bytes, into)
    else:
        chunks = scan_lines(path, chunk_bytes=reader.chunk_bytes, with_data=True)
    gathered = 0  # (rows whose columns are still to be made with a later chunk's)
    for chunk in chunks:
        pause()
        lines = len(chunk.starts)
        n = min(left - read, lines)
        if n > 0:
            read += n
            gathered += n
            if spans is not None and gathered < GATHER_ROWS and read < left:  # (indexed: n is all its lines)
                reader.gather(chunk, between=pause)
                del chunk
                continue
            columns = reader.read_chunk(chunk, n, between=pause)
            del chunk  # (its bytes go before the next chunk's are read: a lower peak)
            gathered = 0
            yield columns
        if read >= left or n < lines:
            break
    if gathered:  # (the file is shorter than when it was indexed: the columns of the lines still there)
        yield reader.columns_gathered()
    return read


def _blocks(spans: Spans, lo: int, hi: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Rows [lo, hi) of the index a block at a time."""
    while lo < hi:
        starts, lengths = spans(lo, min(hi, lo + SPAN_ROWS))
        if not len(starts):  # (the index is shorter: a reload replaced it meanwhile)
            return
        yield starts, lengths
        lo += len(starts)
