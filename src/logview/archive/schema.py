"""The archive's schema: its tables and indexes, the stamp that tells a logview archive from any
other SQLite file (`application_id`) and its version (`user_version`), and what an archive made by an
earlier version lacks or holds in vain (brought up to date by `db.py` as it opens the file).
"""

from __future__ import annotations

import sqlite3

from logview.archive.names import NAMES_TABLE

APPLICATION_ID = 0x4C4F4756  # "LOGV": tells a logview archive from any other SQLite file
SCHEMA_VERSION = 1

SCHEMA = ("""
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY,
    api TEXT NOT NULL,
    base_url TEXT NOT NULL,
    scope TEXT NOT NULL,            -- Aitronos: organization id; Supermetrics: team/connector
    UNIQUE (api, base_url, scope)   -- never a key: entries are kept by what they are, not who read them
)""", """
CREATE TABLE IF NOT EXISTS entries (
    rowid INTEGER PRIMARY KEY,      -- declared, so VACUUM keeps it: the viewer addresses rows by it
    source INTEGER NOT NULL REFERENCES sources (id),
    id TEXT NOT NULL,
    time_us INTEGER,                -- UTC microseconds since the epoch; NULL when unusable
    status TEXT,
    status_code INTEGER,            -- Supermetrics' HTTP status; NULL for Aitronos' words
    event TEXT,
    tool TEXT,
    connector TEXT,
    credential_id TEXT,
    duration_ms REAL,
    error TEXT,                     -- the entry's error message (Aitronos)
    error_group TEXT,               -- its failure kind, variable parts masked (Source.error_group)
    invalid TEXT,                   -- why it broke its schema, when it did
    raw BLOB NOT NULL               -- the entry's JSON as received
)""",
    # The first copy of an id wins (`INSERT OR IGNORE`), and reads by id go through this index. In
    # descending order: a backfill stores newest first, and where ids grow with time (the demo's
    # Supermetrics ids, and any id made from a time or a counter) each one lands at the index's end
    # rather than at its start, where SQLite splits a full page in two halves it leaves half empty.
    # Storing 98k such entries: ~50 ms less of the writer process's CPU (~15% of SQLite's), the index
    # 40% smaller; random ids (Aitronos') cost the same either way. Archives made before this keep
    # the table's `UNIQUE (source, id)` (its `sqlite_autoindex_entries_1`), which does the same.
    "CREATE UNIQUE INDEX IF NOT EXISTS entries_id ON entries (source, id DESC)",
    # then rowid: arrival order. No other index: one on (source, status) served only a `logview sql`
    # filtering by status over all time, and cost a tenth of every insert (`_update_schema`)
    "CREATE INDEX IF NOT EXISTS entries_time ON entries (source, time_us DESC)", """
CREATE TABLE IF NOT EXISTS coverage (
    source INTEGER NOT NULL REFERENCES sources (id),
    query_key TEXT NOT NULL,        -- the server-side filter the span is complete for; '' = none
    start_us INTEGER,               -- NULL: from the beginning of the source's data
    end_us INTEGER NOT NULL         -- inclusive
)""",
    "CREATE INDEX IF NOT EXISTS coverage_source ON coverage (source, query_key)", NAMES_TABLE)


UNUSED_INDEXES = ("entries_status",)  # made by earlier versions


def schema_updates(db: sqlite3.Connection) -> list[str]:
    """The statements that drop what earlier versions indexed and nothing reads, and add the tables
    they did not have (which they ignore: the schema's version stays)."""
    statements = [f"DROP INDEX {name}" for name in UNUSED_INDEXES if db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone()]
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'names'").fetchone():
        statements.append(NAMES_TABLE)
    return statements


def holds_anything(db: sqlite3.Connection, source_id: int) -> bool:
    """Whether the archive holds an entry of the source, or a range known complete for it (a cleared
    source keeps its row, holding nothing: what `Archive.holds` and `logview sql` both ask)."""
    return bool(db.execute("SELECT EXISTS (SELECT 1 FROM entries WHERE source = ?) "
                           "OR EXISTS (SELECT 1 FROM coverage WHERE source = ?)", (source_id, source_id)).fetchone()[0])
