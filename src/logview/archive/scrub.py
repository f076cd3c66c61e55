"""Base URLs an earlier logview archived with a credential in them, made safe on opening.

Before `check_base_url` refused them, `--base-url https://user:PASSWORD@host/?token=…` was kept as
given in `sources.base_url`, and `logview archive list` and `logview sql` printed it. Any writable
open rewrites such a row to the URL without its user, password, query and fragment, keeping its
id (so its entries, coverage and names stay attached); when a row of that URL exists already, the
dirty row's entries join it (the ones it holds already are dropped: the same entry, read twice) and
the dirty row goes. `secure_delete` zeroes what the old text occupied, and a checkpoint moves the
rewritten pages into the file, so the password does not stay on disk in the archive's files.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit, urlunsplit

# What a dirty row's entries join (`UPDATE OR IGNORE`: an entry both rows hold keeps the clean
# row's copy); the leftovers are deleted after.
_MOVED_TABLES = ("entries", "coverage", "names")


def clean_base_url(url: str) -> str:
    """`url` without a user, password, query or fragment (which `check_base_url` refuses now)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")).rstrip("/")


def dirty_sources(db: sqlite3.Connection) -> list[tuple[int, str, str, str]]:
    """(id, api, base_url, scope) of every source whose base URL holds what `clean_base_url` drops."""
    rows = db.execute("SELECT id, api, base_url, scope FROM sources").fetchall()
    return [row for row in rows if clean_base_url(row[2]) != row[2]]


def scrub_sources(db: sqlite3.Connection) -> None:
    """Rewrite every dirty source (see the module); a no-op on a clean archive. Raises
    sqlite3.Error (busy, read-only): the caller leaves it for a later open."""
    if not dirty_sources(db):
        return
    db.execute("PRAGMA secure_delete = ON")  # (only now: it slows every later delete, a prune's)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            for source_id, api, base_url, scope in dirty_sources(db):  # (again: another process may have done it)
                _scrub_one(db, source_id, api, clean_base_url(base_url), scope)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        db.execute("PRAGMA secure_delete = OFF")


def _scrub_one(db: sqlite3.Connection, source_id: int, api: str, clean: str, scope: str) -> None:
    row = db.execute("SELECT id FROM sources WHERE api = ? AND base_url = ? AND scope = ?",
                     (api, clean, scope)).fetchone()
    if row is None:
        db.execute("UPDATE sources SET base_url = ? WHERE id = ?", (clean, source_id))
        return
    for table in _MOVED_TABLES:
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone():
            db.execute(f"UPDATE OR IGNORE {table} SET source = ? WHERE source = ?", (row[0], source_id))
            db.execute(f"DELETE FROM {table} WHERE source = ?", (source_id,))
    db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
