"""Reading one source's archived entries newest first, a chunk at a time, each chunk its own query
(keyset paging: a chunk starts below where the last one stopped, by time and then row): the archive
is free for others (the pages being stored) between two chunks, a caller that stops early reads no
more, and memory stays flat however many there are. Also the SQL of an inclusive time range, and
the rows of a list of ids, as many a query as SQLite takes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager

from logview.archive.inserting import storable

Reading = Callable[[], AbstractContextManager[sqlite3.Connection]]  # (`Database.reading`)
IDS_A_QUERY = 900  # (within the 999 parameters older SQLite builds allow)


def time_range(since_us: int | None, until_us: int | None) -> tuple[str, list[int]]:
    """The SQL condition (after `source = ?`) and parameters for an inclusive time range."""
    condition, params = "", []
    if since_us is not None:
        condition, params = condition + " AND time_us >= ?", [*params, since_us]
    if until_us is not None:
        condition, params = condition + " AND time_us <= ?", [*params, until_us]
    return condition, params


def timed_chunks(reading: Reading, source_id: int, select: str, since_us: int | None, until_us: int | None,
                 first: int, then: int) -> Iterator[list[tuple]]:
    """The rows of `select` (its first two columns: rowid, time_us) of the source's entries with a
    usable time in the range, newest first, entries of one time in the order they came: `first`
    rows, then `then` each, each chunk read through `reading`. The last chunk is the first one
    shorter than asked for (it may be empty)."""
    after, size = (2**63 - 1, -1), first
    while True:
        # one upper bound, the lower of the range's end and where the last chunk stopped: with the
        # two apart, SQLite seeks by the range's and walks every row before the chunk, each chunk
        # (300k entries took 7.5 s instead of 1.1 s; a million, minutes)
        bound = after[0] if until_us is None else min(until_us, after[0])
        condition, params = time_range(since_us, bound)
        timed = (f"SELECT {select} FROM entries WHERE source = ? AND time_us IS NOT NULL{condition} "
                 "AND (time_us < ? OR rowid > ?) ORDER BY time_us DESC, rowid ASC LIMIT ?")
        with reading() as db:
            rows = db.execute(timed, (source_id, *params, after[0], after[1], size)).fetchall()
        yield rows
        if len(rows) < size:
            break
        after, size = (rows[-1][1], rows[-1][0]), then


def untimed_chunks(reading: Reading, source_id: int, select: str, first: int, then: int, *,
                   below: int | None = None) -> Iterator[list[tuple]]:
    """The rows of `select` (its first column: rowid) of the source's entries without a usable
    time, `first` rows, then `then` each, in the order they were archived, or newest first from
    below row `below` when it is given. The last chunk is the first one shorter than asked for."""
    newer = below is None
    untimed = (f"SELECT {select} FROM entries WHERE source = ? AND time_us IS NULL AND rowid {'>' if newer else '<'} ? "
               f"ORDER BY rowid {'ASC' if newer else 'DESC'} LIMIT ?")
    last_row, size = -1 if below is None else below, first
    while True:
        with reading() as db:
            rows = db.execute(untimed, (source_id, last_row, size)).fetchall()
        yield rows
        if len(rows) < size:
            break
        last_row, size = rows[-1][0], then


def rows_of_ids(reading: Reading, source_id: int | None, sql: str, ids: Sequence[str], chunk: int,
                *after: object) -> list[tuple]:
    """The rows `sql` finds of the source's entries among `ids` (its `IN ({})` given `chunk` of
    them a query, then `after`), each row's id (its first column) as asked: the archive holds an
    id's lone surrogate escaped (`inserting.storable`), so those are asked escaped and given back
    as they were (`_as_stored`, once for both ways)."""
    stored = _as_stored(ids)
    keys = list(ids) if stored is None else list(stored)
    rows: list[tuple] = []
    with reading() as db:
        for start in range(0, len(keys), chunk):
            part = keys[start:start + chunk]
            rows.extend(db.execute(sql.format(", ".join("?" * len(part))), (source_id, *part, *after)))
    return rows if stored is None else [(stored[row[0]], *row[1:]) for row in rows]


def _as_stored(ids: Sequence[str]) -> dict[str, str] | None:
    """Each id as the archive holds it (`inserting.storable`: a lone surrogate escaped) → the id, if
    any of `ids` is held otherwise than as it is; else None (the usual case: ASCII ids)."""
    if all(map(str.isascii, ids)):
        return None
    stored = {storable(entry_id): entry_id for entry_id in ids}
    return None if all(key is value for key, value in stored.items()) else stored
