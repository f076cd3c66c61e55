"""A file's lines coming into a store over it (`entries.py` given `lines`): rows added as the
file's lines are indexed, each a line's offset and length (`file_rows.py`); their filter columns
written later, in order from `ready`, from a background reader's chunks, the reader's category
codes put into the store's; and, once every column is read, the rows put newest first if the file
was written in another order (`files.order`).

Apart from `entries.py` because a store in memory or over the archive never does any of it: these
are functions of the store's row buffer (as `order.py`'s are), called by `EntryStore.append_lines`,
`fill_columns` and `newest_first`, which keep what is the store's own (the search, the epoch).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from logview.categories import CodeMap
from logview.files.columns import ColumnChunk
from logview.files.lines import LineChunk
from logview.files.memory import FAULT_IN_ASIDE_FROM_ROWS, fault_in_aside
from logview.files.order import newest_first_order
from logview.store.codes import Codes
from logview.store.file_rows import write_offsets
from logview.store.rows import RowBuffer


def add_lines(rows: RowBuffer, chunk: LineChunk, max_entries: int | None) -> int:
    """Add a file's next lines as rows after the tail, their filter columns not read yet.
    Returns how many were kept (at most `max_entries` rows in all)."""
    n = len(chunk.starts)
    if max_entries is not None:
        n = min(n, max(0, max_entries - len(rows)))
    if not n:
        return 0
    if not len(rows) and chunk.scanned:
        # Size the columns once, from the first chunk's lines per byte (+5%): growing by
        # doubling would leave up to half of a million-row store's memory unused.
        expected = int(1.05 * chunk.size * len(chunk.starts) / chunk.scanned) + 64
        expected = expected if max_entries is None else min(expected, max_entries)
        rows.reserve(0, expected, exact=True)
        _fault_in_lines(rows, n, expected)
    rows.reserve(0, n)
    lo, hi = rows.tail, rows.tail + n
    start, stop = lo + rows.offset, hi + rows.offset
    cols = rows.cols
    write_offsets(rows, start, stop, chunk.starts[:n])
    cols["length"][start:stop] = chunk.lengths[:n]
    # The filter columns are left as created (zeros, their pages not yet in memory) until
    # `fill_read_columns` writes them: nothing reads a row's columns beyond `ready` (filters,
    # counts and stats cover [head, ready); `EntryStore.time_us` reads the line). Writing "no time"
    # and NaN here touched 16 MB for a million rows at once, while the back of a big file's
    # columns came only at the end of its read, from the child, at the process tree's peak.
    rows.tail = hi
    return n


def _fault_in_lines(rows: RowBuffer, first: int, expected: int) -> None:
    """Fault in, aside, the pages of the offset and length columns the rest of the lines are to
    be written in (from the first chunk's `first` rows to the `expected` ones): the rest comes in
    one post ~50 ms later (`ui/file_reading.py`), and the UI thread wrote them into fresh pages,
    ~8 MB for a million rows, on the way to the oldest entry (3 ms, but 26–63 ms in 3 of 9 launches
    timed: first writes of memory the host backs anew). The filter columns are left alone (see
    below: their pages wait for the columns)."""
    start, stop = rows.head + rows.offset + first, rows.head + rows.offset + expected
    if stop - start < FAULT_IN_ASIDE_FROM_ROWS:  # (a small file's rest: its own write costs less than a thread's)
        return
    fault_in_aside([(column.ctypes.data + start * column.itemsize, (stop - start) * column.itemsize)
                    for column in (rows.cols["start"], rows.cols["length"])])


def fill_read_columns(rows: RowBuffer, codes: Codes, code_map: CodeMap, chunks: Sequence[ColumnChunk]) -> int:
    """Columns for the next rows from `ready`, from consecutive `chunks` of a `ColumnReader`'s
    output (in order), their codes put into `codes` by `code_map`. Returns how many rows they
    covered (fewer when the cap cut the file short).

    Each column is written by one numpy call from all the chunks, straight into the store: a
    reader's post holds the chunks as read (not joined into a copy), and a call per chunk gave
    the interpreter's lock away at each (numpy lets it go for big arrays), to win it back from the
    reading thread a switch interval later."""
    for chunk in chunks:  # (in order: each chunk's new values were coded after the one's before)
        code_map.learn(codes.by_field(), chunk.new_values)
    codes.widen(rows)
    if not chunks:
        return 0
    n = max(0, min(sum(map(len, chunks)), rows.tail - rows.ready))
    start, stop = rows.ready + rows.offset, rows.ready + n + rows.offset
    cols = rows.cols
    if any(chunk.rest_read for chunk in chunks):  # (these rows too: the two threads fault them in side by side)
        _fault_in_rest(rows, codes, start, rows.tail + rows.offset)

    def joined(column: Callable[[ColumnChunk], np.ndarray], out: np.ndarray | None = None) -> np.ndarray:
        arrays, left = [], n
        for chunk in chunks:  # (the first n rows: the cap may cut the last chunk)
            arrays.append(column(chunk)[:left])
            left -= len(arrays[-1])
            if not left:
                break
        return np.concatenate(arrays, out=out)

    joined(lambda chunk: chunk.time, cols["time"][start:stop])
    # A field absent (code 0) or no row invalid: left as created, the pages take no memory
    for name in chunks[0].codes:
        read = joined(lambda chunk: chunk.codes[name])
        if read.any():
            cols[name][start:stop] = code_map.translate(name, read)
    joined(lambda chunk: chunk.duration, cols["duration"][start:stop])
    invalid = joined(lambda chunk: chunk.invalid)
    if invalid.any():
        cols["invalid"][start:stop] = invalid
    rows.ready += n
    codes.update_severity()
    return n


def _fault_in_rest(rows: RowBuffer, codes: Codes, start: int, stop: int) -> None:
    """Fault in, aside, the pages the columns of rows [start, stop) are to be written in, now
    that they are all read (the child's, once it has ended: left unwritten until then, so that the
    tree peaks lower while it lives), a post's rows at a time in the order the posts fill them:
    the time and the duration (always written) and the codes of each field that has a value (an
    absent field's pages stay untouched). At the end of a split read the UI thread took them in
    posts, one at a time, on one core (the other idle): 1.5 ms of first writes a post, 12–24 in
    some launches (first writes, it seems, of memory the host backs anew)."""
    names = ["time", "duration", *(name for name, table in codes.by_field().items() if len(table) > 1)]
    regions = []
    for lo in range(start, stop, FAULT_IN_ROWS):
        for name in names:
            span = rows.cols[name][lo:min(stop, lo + FAULT_IN_ROWS)]
            regions.append((span.ctypes.data, span.nbytes))
    fault_in_aside(regions)


FAULT_IN_ROWS = 1 << 17  # (a post's rows: `ui/file_reading.py` POST_COLUMNS_ROWS_AT_MOST)


def put_newest_first(rows: RowBuffer, lines: int | None = None) -> np.ndarray | None:
    """Once every column is read, keep the first `lines` rows if given (the lines still whole in a
    file truncated while it was read: the rows past them read back as nothing; a view sees
    the tail drop and counts again), then put the rows newest first if the file was written in
    another order (`files.order`). Returns where each row went (its new place, from `head`), or
    None when none moved."""
    if lines is not None and lines < len(rows):
        rows.tail = rows.head + lines
        rows.ready = min(rows.ready, rows.tail)
    if rows.ready < rows.tail:
        return None
    order = newest_first_order(rows.span("time", rows.head, rows.tail))
    if order is None:
        return None
    for name in rows.cols:
        span = rows.span(name, rows.head, rows.tail)
        span[:] = span[order]
    places = np.empty_like(order)
    places[order] = np.arange(len(order))
    return places
