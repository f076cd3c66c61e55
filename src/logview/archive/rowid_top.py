"""Rowids only grow: a deletion never hands an entry's rowid to a later one.

The viewer addresses an archived row by its rowid, and the archive's readers rely on rows after a
rowid being stored later (`ArchivedSource.last_rowid`, `archived_timeless`). SQLite gives a new row
of a table without AUTOINCREMENT the largest rowid + 1, so deleting the rows that hold the largest
rowids gave them out again: a backfill stores newest first, so a prune of the oldest entries (or a
`clear`) under a running viewer removed the newest-stored rows, and the viewer's next pages took
their rowids: 600 rows the viewer still showed then read back other entries, and it counted 600
fewer than it had fetched (s30 walk #3).

AUTOINCREMENT would mean rebuilding every archive's table. Instead, a deletion that lowers the
largest rowid leaves one placeholder row at the old largest (`source` 0, which no source has: the
`logs` view joins sources, and every read of entries names its source), so SQLite's rule goes on
from above it. One placeholder at most: a later one replaces it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

PLACEHOLDER_SOURCE = 0  # (sources' ids start at 1)


@contextmanager
def rowids_kept_growing(db: sqlite3.Connection) -> Iterator[None]:
    """Around deletions of entries, inside the caller's transaction."""
    top = _largest(db)
    yield
    if top and _largest(db) < top:
        db.execute("DELETE FROM entries WHERE source = ?", (PLACEHOLDER_SOURCE,))
        db.execute("INSERT INTO entries (rowid, source, id, raw) VALUES (?, ?, '', x'')", (top, PLACEHOLDER_SOURCE))


def _largest(db: sqlite3.Connection) -> int:
    return db.execute("SELECT ifnull(max(rowid), 0) FROM entries").fetchone()[0]
