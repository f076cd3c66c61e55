"""What a listing proves about the archive: pages that complete a range (their span, see
`coverage.py`) hold every entry the server has in it, so an archived entry in that range that
they do not hold is no longer the server's, and goes.

Found in a walk: a server that sent made-up entries for a while (the demo's `random_values`) was
caught breaking its contract, and no range was claimed complete from those pages; but their
entries stayed archived. Once the server was healed, a reload listed the whole history again and
the archive claimed it complete, made-up entries (dated 1890) included: every later launch showed
them, and `export` wrote them with exit 0. An entry the server deleted stayed archived the same way.

Only the unfiltered query's spans prove this (a filtered one lists only what matches), and only
strictly inside the span and the pages' times: entries at a span's ends may be ones shown already
and so not stored again (the tail's, from the archive's newest time on; a gap's, at the spans
around it), entries at the pages' oldest time may go on in the next page, and entries at their
newest time may be the previous page's.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right

from logview.archive.coverage import Span
from logview.archive.inserting import storable
from logview.archive.rowid_top import rowids_kept_growing
from logview.archive.rows import ROW_COLUMNS, Rows

_ID, _TIME = ROW_COLUMNS.index("id"), ROW_COLUMNS.index("time_us")


def forget_unlisted(db: sqlite3.Connection, source_id: int, covered: Span, rows: Rows) -> int:
    """Inside the caller's transaction, after `rows` were stored with `covered` (the unfiltered
    query's span): delete the source's archived entries inside it that `rows` do not hold.
    Returns how many went. One indexed count when none is to go (the usual case)."""
    column = rows.columns[_TIME]
    times = column if None not in column else [moment for moment in column if moment is not None]
    if not times:
        return 0
    high = min(covered.end_us, max(times) - 1)
    low = None if covered.start_us is None else covered.start_us + 1
    if low is not None and high < low:
        return 0
    where, bounds = ("time_us BETWEEN ? AND ?", (low, high)) if low is not None else ("time_us <= ?", (high,))
    ordered = sorted(times)  # (counted by bisection, in C: a page's loop over its times was ~10 ms per 100k)
    listed = bisect_right(ordered, high) - (0 if low is None else bisect_left(ordered, low))
    archived = db.execute(f"SELECT count(*) FROM entries WHERE source = ? AND {where}",
                          (source_id, *bounds)).fetchone()[0]
    if archived <= listed:  # (nothing more than the listed: the usual case, decided without the ids;
        return 0            # a listed entry whose first copy was archived at another time may hide one)
    ids = set(map(storable, rows.columns[_ID]))  # (as archived: an id's lone surrogate escaped)
    gone = [(rowid,) for rowid, entry_id in db.execute(
        f"SELECT rowid, id FROM entries WHERE source = ? AND {where}", (source_id, *bounds)) if entry_id not in ids]
    with rowids_kept_growing(db):
        db.executemany("DELETE FROM entries WHERE rowid = ?", gone)
    return len(gone)
