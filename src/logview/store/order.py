"""Newest first, always: rows that arrive out of order are merged into place, column-wise.

A server may send a page out of order, or entries older (or newer) than ones it sent before; the
store's rows stay newest first whatever it does. After an append (older rows after the tail) or a
prepend (newer rows before the head) the new rows' times are checked against their neighbours —
a few comparisons of numpy arrays, which is all an honest server ever costs. Only when they are out
of place is the span from the first row they belong before (found with `searchsorted`) to the end
they came in at put in order by one stable sort, and every column permuted with it; the store's
`moves` records it, so that views and cursors follow the rows that moved.

A row without a time has no place in time: it stays after the row it came after, and never
counts as out of order.
"""

from __future__ import annotations

import numpy as np

from logview.files.columns import NO_TIME
from logview.store.rows import RowBuffer

_FIRST = np.iinfo(np.int64).min  # the key of a timeless row with no timed row before it


def order_keys(times: np.ndarray, seed: int = _FIRST) -> np.ndarray:
    """Ascending sort keys for rows kept newest first (`~time`: no overflow, unlike `-time`); a
    timeless row takes the key of the last timed row before it (`seed` when there is none)."""
    timed = times != NO_TIME
    if timed.all():
        return ~times
    last = np.maximum.accumulate(np.where(timed, np.arange(len(times)), -1))
    keys = np.where(last >= 0, ~times[np.maximum(last, 0)], seed)
    return keys


def in_order(times: np.ndarray) -> bool:
    """Whether the timed rows of `times` are newest first (ties allowed)."""
    return _descending(times[times != NO_TIME])


def _descending(timed: np.ndarray) -> bool:
    return bool((timed[:-1] >= timed[1:]).all())


def _edge_time(times: np.ndarray, last: bool) -> int | None:
    """The time of the last (or first) timed row of `times`, looking at a few rows first: only
    a run of timeless rows makes it look further."""
    for window in (64, len(times)):
        part = times[-window:] if last else times[:window]
        timed = np.flatnonzero(part != NO_TIME)
        if len(timed):
            return int(part[timed[-1] if last else timed[0]])
    return None


def settle_appended(rows: RowBuffer, start: int) -> bool:
    """Rows [start, tail) were appended: merge any that are newer than rows before them into
    place. Returns True when rows moved. In order (the usual case), it costs only the new rows."""
    block = rows.span("time", start, rows.tail)
    timed = block[block != NO_TIME]
    if not len(timed):
        return False
    ordered = _descending(timed)
    newest_time = int(timed[0] if ordered else timed.max())
    oldest_held = _edge_time(rows.span("time", rows.head, start), last=True)
    if ordered and (oldest_held is None or oldest_held >= newest_time):
        return False
    held = order_keys(rows.span("time", rows.head, start))
    lo = rows.head + int(np.searchsorted(held, ~newest_time, side="right"))  # the first older held row
    keys = np.concatenate([held[lo - rows.head:], order_keys(block, int(held[-1]) if len(held) else _FIRST)])
    return _permute(rows, lo, keys)


def settle_prepended(rows: RowBuffer, stop: int) -> bool:
    """Rows [head, stop) were prepended: merge any that are older than rows after them into
    place. Returns True when rows moved. In order (the usual case), it costs only the new rows."""
    block = rows.span("time", rows.head, stop)
    timed = block[block != NO_TIME]
    if not len(timed):
        return False
    ordered = _descending(timed)
    oldest_time = int(timed[-1] if ordered else timed.min())
    newest_held = _edge_time(rows.span("time", stop, rows.tail), last=False)
    if ordered and (newest_held is None or newest_held <= oldest_time):
        return False
    held = order_keys(rows.span("time", stop, rows.tail))
    newer = int(np.searchsorted(held, ~oldest_time, side="left"))  # held rows newer than the oldest new one
    return _permute(rows, rows.head, order_keys(rows.span("time", rows.head, stop + newer)))


def take_out(rows: RowBuffer, ordinals: np.ndarray) -> None:
    """Take the rows at `ordinals` (distinct, ascending) out: each row after them moves up past
    those gone, as a merge into place moves rows (`moves` says where: views and cursors follow),
    and the tail comes in by as many. Nothing else moves, so the rows stay newest first."""
    lo = int(ordinals[0])
    kept = np.ones(rows.tail - lo, dtype=bool)
    kept[ordinals - lo] = False
    _reorder(rows, lo, np.concatenate([np.flatnonzero(kept), ordinals - lo]))
    rows.tail -= len(ordinals)
    rows.ready = min(rows.ready, rows.tail)


def _permute(rows: RowBuffer, lo: int, keys: np.ndarray) -> bool:
    order = np.argsort(keys, kind="stable")
    if (order == np.arange(len(order))).all():
        return False
    _reorder(rows, lo, order)
    return True


def _reorder(rows: RowBuffer, lo: int, order: np.ndarray) -> None:
    """Rows [lo, lo + len(order)) become those at lo + order, in that order."""
    start, stop = lo + rows.offset, lo + rows.offset + len(order)
    for name, column in rows.cols.items():
        # into a copy: columns frozen for a worker thread (`FrozenColumns`) are never written
        moved = column.copy()
        moved[start:stop] = column[start:stop][order]
        rows.cols[name] = moved
    rows.moves.record(lo, order)
