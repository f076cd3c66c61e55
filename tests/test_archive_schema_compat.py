"""Archives made before the id index was made its own (descending, `entries_id`) keep working: they
keep the table's `UNIQUE (source, id)`, and every write and read does what it did; a new archive
holds ids unique through `entries_id` alone, and reads by id go through it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from logview.archive import Archive, Retention, Span
from logview.archive.schema import APPLICATION_ID, SCHEMA_VERSION
from logview.archive.names import NAMES_TABLE

from archive_support import aitronos_entries, aitronos_identity, supermetrics_entries, supermetrics_identity

# The schema as logview wrote it up to the twenty-second session (schema version 1, unchanged since).
EARLIER_SCHEMA = ("""
CREATE TABLE sources (id INTEGER PRIMARY KEY, api TEXT NOT NULL, base_url TEXT NOT NULL, scope TEXT NOT NULL,
                      UNIQUE (api, base_url, scope))""", """
CREATE TABLE entries (
    rowid INTEGER PRIMARY KEY, source INTEGER NOT NULL REFERENCES sources (id), id TEXT NOT NULL, time_us INTEGER,
    status TEXT, status_code INTEGER, event TEXT, tool TEXT, connector TEXT, credential_id TEXT, duration_ms REAL,
    error TEXT, error_group TEXT, invalid TEXT, raw BLOB NOT NULL,
    UNIQUE (source, id))""",
    "CREATE INDEX entries_time ON entries (source, time_us DESC)", """
CREATE TABLE coverage (source INTEGER NOT NULL REFERENCES sources (id), query_key TEXT NOT NULL, start_us INTEGER,
                       end_us INTEGER NOT NULL)""",
    "CREATE INDEX coverage_source ON coverage (source, query_key)", NAMES_TABLE)


def earlier_archive(path: Path) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for statement in EARLIER_SCHEMA:
        db.execute(statement)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    db.close()


def indexes(path: Path) -> dict[str, str | None]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries'"))
    finally:
        db.close()


def stores_and_reads_as_ever(path: Path) -> None:
    """What the viewer and the writer do with an archive: the first copy of an id wins within a
    page and across pages, where each entry went by id, reads by time, coverage."""
    entries = supermetrics_entries(60)
    with Archive.open(path, retention=Retention(max_entries=None)) as archive:
        stored = archive.source(supermetrics_identity())
        assert stored.store(entries[:40], covered=Span(1, 2)) == 40
        assert stored.store(entries[30:] + entries[35:36]) == 20  # (ten archived already, one twice here)
        assert stored.count() == 60
        placed = stored.rowids([entry.id for entry in entries])
        assert len(placed) == 60 and len(set(placed.values())) == 60
        assert [entry.id for entry in stored.entries()] == [entry.id for entry in entries]
        assert stored.coverage() == [Span(1, 2)]
        other = archive.source(aitronos_identity())
        assert other.store(aitronos_entries(30)) == 30 and other.store(aitronos_entries(30)) == 0


def test_an_archive_made_before_keeps_its_unique_ids_and_works_as_before(tmp_path):
    path = tmp_path / "earlier.sqlite3"
    earlier_archive(path)
    before = indexes(path)
    assert "sqlite_autoindex_entries_1" in before and "entries_id" not in before
    stores_and_reads_as_ever(path)
    assert indexes(path) == before  # (no second index on ids: every insert would pay for both)


def test_a_new_archive_holds_ids_unique_through_its_descending_index_and_reads_by_it(tmp_path):
    path = tmp_path / "new.sqlite3"
    stores_and_reads_as_ever(path)
    found = indexes(path)
    assert "sqlite_autoindex_entries_1" not in found
    assert "UNIQUE" in (found["entries_id"] or "") and "id DESC" in (found["entries_id"] or "")
    with Archive.open(path) as archive:
        connection = archive._database.connection
        plan = " ".join(row[3] for row in connection.execute(
            "EXPLAIN QUERY PLAN SELECT id, rowid FROM entries WHERE source = ? AND id IN (?, ?)", (1, "a", "b")))
        assert "entries_id" in plan, plan
