"""Rowids only grow (`archive/rowid_top.py`): a prune, a `clear` or a listing's deletions that remove
the newest-stored rows never hand their rowids to the next entries stored (the viewer addresses its
rows by them: s30 walk #3), and the placeholder that holds the largest is no entry anywhere."""

from __future__ import annotations

from logview.archive import Archive
from logview.archive.query import LogsQuery

from archive_support import aitronos_entries, aitronos_identity, supermetrics_entries, supermetrics_identity


def largest_rowid(archive: Archive) -> int:
    return archive.source(aitronos_identity()).last_rowid()


def test_what_is_stored_after_a_prune_or_a_clear_takes_rowids_never_given_before(tmp_path) -> None:
    path = tmp_path / "archive.sqlite3"
    entries = aitronos_entries(600)
    with Archive.open(path) as archive:
        stored = archive.source(aitronos_identity())
        stored.store(entries[:300])  # (newest first, as a backfill: the oldest take the largest rowids)
        top = largest_rowid(archive)
        before = stored.rowids([entry.id for entry in entries[:300]])
        assert archive.prune(max_entries=100) == 200  # the 200 oldest: the rowids stored last
        stored.store(entries[300:400])
        after = stored.rowids([entry.id for entry in entries[300:400]])
        assert min(after.values()) > top and not set(after.values()) & set(before.values())
        top = largest_rowid(archive)
        archive.source(supermetrics_identity()).store(supermetrics_entries(50))
        top = largest_rowid(archive)
        assert archive.clear(supermetrics_identity()) == 50
        stored.store(entries[400:450])
        assert min(stored.rowids([entry.id for entry in entries[400:450]]).values()) > top
        assert stored.count() == 100 + 100 + 50


def test_the_placeholder_is_in_no_count_list_or_query(tmp_path) -> None:
    path = tmp_path / "archive.sqlite3"
    with Archive.open(path) as archive:
        archive.source(aitronos_identity()).store(aitronos_entries(100))
        archive.source(supermetrics_identity()).store(supermetrics_entries(40))
        archive.clear(supermetrics_identity())  # (stored last: the largest rowids go)
        archive.prune(max_entries=60)
        assert [(summary.identity, summary.entries) for summary in archive.summaries()] == [(aitronos_identity(), 60)]
    with LogsQuery(path) as query:
        _, rows = query.run("SELECT count(*), count(DISTINCT id), sum(id = '') FROM logs")
        assert list(rows) == [(60, 60, 0)]
