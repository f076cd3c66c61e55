"""The archive's storage: schema, what an entry becomes and reads back as, coverage, retention."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timezone

import numpy as np
import pytest

from logview.archive import Archive, ArchiveError, Retention, Span, default_archive_path, identity_of, parse_age
from logview.archive import source as archived_source
from logview.archive.schema import APPLICATION_ID, SCHEMA_VERSION
from logview.files.columns import NO_TIME
from logview.jsonutil import dump_json
from logview.model import LogEntry
from logview.sources import AitronosSource, SupermetricsSource
from logview.times import epoch_us

from archive_support import (AITRONOS, NOW_US, SUPERMETRICS, aitronos_entries, aitronos_identity, filled_archive,
                             supermetrics_entries, supermetrics_identity)


def at(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1e6, tz=timezone.utc)


def raw_aitronos(entry_id: str, time_us: int, **fields) -> LogEntry:
    raw = {"id": entry_id, "created_at": at(time_us).isoformat().replace("+00:00", "Z"), **fields}
    return AITRONOS.entry_from_raw(raw)


def test_a_new_archive_is_stamped_in_the_data_folder_and_reopens_with_its_entries():
    path = default_archive_path()
    assert path.parent.name == "logview" and "cache" not in str(path).lower()
    with Archive.open() as archive:
        assert archive.path == path
        assert archive.source(aitronos_identity()).store(aitronos_entries(50)) == 50
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    with Archive.open() as archive:
        assert archive.source(aitronos_identity()).count() == 50


def test_an_entry_sent_again_with_other_fields_replaces_its_row_and_raw_is_kept_as_received():
    first = raw_aitronos("log_1", NOW_US, status="error", zeta=1, alpha=2, big=123456789012345678901234567890)
    second = raw_aitronos("log_1", NOW_US + 5_000_000, status="success")
    given_bytes = LogEntry(id="log_2", time=at(NOW_US - 1), status="success", source="aitronos",
                           raw=b'{"id": "log_2",   "created_at": "2025-11-15T09:46:39Z", "status": "success"}')
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        assert stored.store([first, given_bytes]) == 2
        assert stored.store([first, given_bytes]) == 0  # the same answer again changes nothing
        columns = stored.columns()
        assert stored.raw(list(columns.rowid)) == [dump_json(first.raw), given_bytes.raw]
        assert dump_json(first.raw).index(b"zeta") < dump_json(first.raw).index(b"alpha")  # field order kept
        again = list(stored.entries())
        assert again[0].raw == first.raw and again[0].status == "error"  # the huge integer exact too
        assert again[1].raw["status"] == "success" and again[1].id == "log_2"
        rowid = stored.rowids(["log_1"])["log_1"]
        assert stored.store([second]) == 1  # the newer answer replaces the row, in place
        assert stored.count() == 2 and stored.rowids(["log_1"]) == {"log_1": rowid}
        assert stored.raw([rowid]) == [dump_json(second.raw)]
        columns = stored.columns()  # its indexed columns too: newest first by its new time
        assert list(columns.rowid) == [rowid, stored.rowids(["log_2"])["log_2"]]
        assert list(columns.time_us)[0] == NOW_US + 5_000_000 and columns.facets["status"].values[
            columns.facets["status"].codes[0]] == "success"


def test_entries_come_back_newest_first_as_the_source_parsed_them_in_chunks(monkeypatch):
    monkeypatch.setattr(archived_source, "ENTRY_CHUNK", 7)
    entries = supermetrics_entries(120)  # tie groups at one second are common in this data
    broken = SUPERMETRICS.entry_from_raw({"id": "no-time", "log_time": "whenever", "status": 200})
    with Archive.open() as archive:
        stored = archive.source(supermetrics_identity())
        stored.store([broken, *entries[60:]])
        stored.store(entries[:60])
        back = list(stored.entries())
        assert back[-1].id == "no-time" and back[-1].invalid  # without a usable time: last, still invalid
        times = [epoch_us(e.time) for e in back[:-1]]
        assert times == sorted(times, reverse=True)
        assert sorted(e.id for e in back[:-1]) == sorted(e.id for e in entries)
        by_id = {e.id: e for e in entries}
        assert all(e == by_id[e.id] for e in back[:-1])  # rebuilt exactly as the source parsed them
        middle = times[len(times) // 2]
        ranged = list(stored.entries(since_us=middle, until_us=times[5]))
        assert [epoch_us(e.time) for e in ranged] == [t for t in times if middle <= t <= times[5]]


def test_columns_hold_the_facets_without_entry_objects():
    aliases = [raw_aitronos("log_a", NOW_US, status="error", tool_key="gmail.send", connector_name="gmail",
                            credential_id="tcred_1", duration_ms=12.5, error={"code": "E", "message": "boom 42"}),
               raw_aitronos("log_b", NOW_US - 10, status="success", tool_name="slack.post", connector="slack")]
    with Archive.open() as archive:
        aitronos = archive.source(aitronos_identity())
        aitronos.store(aliases)
        columns = aitronos.columns()
        assert list(columns.time_us) == [NOW_US, NOW_US - 10]
        assert [columns.facets["tool"].value(i) for i in range(2)] == ["gmail.send", "slack.post"]
        assert [columns.facets["connector"].value(i) for i in range(2)] == ["gmail", "slack"]
        assert columns.facets["credential_id"].value(0) == "tcred_1"
        assert columns.facets["error_group"].value(0) == "E: boom <n>"
        assert columns.facets["error_group"].value(1) is None
        assert columns.duration_ms[0] == 12.5 and np.isnan(columns.duration_ms[1])
        entries = supermetrics_entries(200)
        supermetrics = archive.source(supermetrics_identity())
        supermetrics.store(entries)
        columns = supermetrics.columns()
        assert len(columns) == 200 and columns.time_us.dtype == np.int64
        assert list(columns.time_us) == sorted((epoch_us(e.time) for e in entries), reverse=True)
        statuses = [columns.facets["status"].value(i) for i in range(len(columns))]
        by_row = dict(zip(columns.rowid, statuses))
        raws = supermetrics.raw(list(columns.rowid))
        assert all(by_row[rowid] == SUPERMETRICS.entry_from_raw(__import__("orjson").loads(raw)).status
                   for rowid, raw in zip(columns.rowid, raws))
        assert any(type(value) is int for value in statuses) and None in statuses  # HTTP codes, and none
        assert supermetrics.columns(since_us=NOW_US + 1).time_us.size == 0
        supermetrics.store([SUPERMETRICS.entry_from_raw({"id": "x", "log_time": None})])
        assert supermetrics.columns().time_us[-1] == NO_TIME


def test_newest_and_oldest_name_every_entry_at_that_time():
    entries = [raw_aitronos(f"log_{i}", NOW_US - (i // 3) * 1000) for i in range(9)]
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        assert stored.newest() is None and stored.oldest() is None
        stored.store(entries)
        assert stored.newest() == (NOW_US, {"log_0", "log_1", "log_2"})
        assert stored.oldest() == (NOW_US - 2000, {"log_6", "log_7", "log_8"})


def test_a_span_complete_without_a_server_filter_counts_for_every_filter():
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        stored.cover(Span(100, 200))
        stored.store([raw_aitronos("log_1", 250)], covered=Span(201, 300))  # adjacent: merged
        stored.cover(Span(500, 600), "status=error")
        stored.cover(Span(550, 700), "status=error")
        stored.cover(Span(None, 50), "credential=tcred_1")
        assert stored.coverage() == [Span(100, 300)]
        assert stored.coverage("status=error") == [Span(500, 700), Span(100, 300)]
        assert stored.coverage("credential=tcred_1") == [Span(100, 300), Span(None, 50)]
        other = archive.source(supermetrics_identity())
        assert other.coverage() == [] and other.count() == 0


def test_pruning_by_count_drops_the_oldest_and_no_span_claims_them():
    entries = [raw_aitronos(f"log_{i}", 1_000_000 + i * 10) for i in range(20)]  # times 1_000_000..1_000_190
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        stored.store(entries, covered=Span(None, 2_000_000))
        stored.cover(Span(900_000, 1_000_100), "status=error")
        assert archive.prune(max_entries=5) == 15
        assert {e.id for e in stored.entries()} == {f"log_{i}" for i in range(15, 20)}
        # a microsecond past just after the newest pruned entry (`coverage.trim_coverage`)
        assert stored.coverage() == [Span(1_000_142, 2_000_000)]
        assert stored.coverage("status=error") == [Span(1_000_142, 2_000_000)]  # its own span was all pruned


def test_pruning_by_age_and_a_retention_applied_as_entries_are_stored():
    now_us = int(time.time() * 1e6)
    old, recent = raw_aitronos("log_old", now_us - 40 * 86_400_000_000), raw_aitronos("log_new", now_us)
    with Archive.open(retention=Retention(max_entries=3)) as archive:
        stored = archive.source(aitronos_identity())
        stored.store([old, recent], covered=Span(None, now_us))
        assert archive.prune(max_age_s=parse_age("30d")) == 1
        assert [e.id for e in stored.entries()] == ["log_new"]
        assert stored.coverage()[0].start_us > epoch_us(old.time)
        stored.store([raw_aitronos(f"log_{i}", now_us + i) for i in range(1, 6)])
        assert stored.count() == 3 and stored.oldest()[1] == {"log_3"}
    with pytest.raises(ValueError, match="not an age"):
        parse_age("soon")
    assert Retention().describe() == "up to 1,000,000 entries per source, no age limit"


def test_clear_forgets_one_source_or_everything():
    archive = filled_archive(aitronos=40, supermetrics=60)
    assert [s.entries for s in archive.summaries()] == [40, 60]
    assert archive.clear(aitronos_identity()) == 40
    assert [s.identity for s in archive.summaries()] == [supermetrics_identity()]
    archive.source(aitronos_identity()).store(aitronos_entries(5))  # a cleared source is written again
    assert archive.clear() == 65
    assert archive.summaries() == []
    archive.close()


def test_summaries_say_what_each_source_holds():
    with filled_archive(aitronos=30, supermetrics=20) as archive:
        archive.source(aitronos_identity()).cover(Span(None, NOW_US), "status=error")
        first, second = archive.summaries()
        assert first.identity == aitronos_identity() and first.identity.base_url == "http://127.0.0.1:9"
        assert (first.entries, second.entries) == (30, 20)
        assert first.oldest_us < first.newest_us <= NOW_US
        assert first.covered == {"status=error": [Span(None, NOW_US)]} and second.covered == {}


def test_identities_name_the_source_and_never_a_key():
    assert identity_of(AitronosSource("org_9", base_url="https://h.example/")).scope == "org_9"
    assert identity_of(SupermetricsSource(7, "ABC")).describe() == "supermetrics https://api.supermetrics.com 7/ABC"
    assert identity_of(SupermetricsSource(7, None)) is None  # no connector chosen yet: nothing to key by


def test_read_only_archives_refuse_writes_and_a_missing_one_says_so(tmp_path):
    with pytest.raises(ArchiveError, match="no archive yet") as missing:
        Archive.open(tmp_path / "none.sqlite3", readonly=True)
    assert missing.value.reason == "missing"
    filled_archive(aitronos=10, supermetrics=0).close()
    with Archive.open(readonly=True) as archive:
        assert archive.source(aitronos_identity()).count() == 10
        assert archive.source(supermetrics_identity()).count() == 0
        with pytest.raises(ArchiveError, match="read-only"):
            archive.source(aitronos_identity()).store(aitronos_entries(1))
        with pytest.raises(ArchiveError, match="read-only"):
            archive.source(supermetrics_identity()).store(supermetrics_entries(1))


def test_an_index_of_an_earlier_version_that_nothing_reads_is_dropped_and_the_entries_stay():
    with Archive.open() as archive:
        archive.source(aitronos_identity()).store(aitronos_entries(40))
    db = sqlite3.connect(default_archive_path())
    db.execute("CREATE INDEX entries_status ON entries (source, status)")  # as earlier versions made it
    db.commit()
    db.close()
    with Archive.open(readonly=True) as archive:  # a reader changes nothing
        assert archive.source(aitronos_identity()).count() == 40
    assert _indexes() >= {"entries_status"}
    with Archive.open() as archive:
        assert archive.source(aitronos_identity()).count() == 40
    assert "entries_status" not in _indexes() and "entries_time" in _indexes()


def _indexes() -> set[str]:
    db = sqlite3.connect(default_archive_path())
    try:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        db.close()


def test_each_chunk_of_entries_is_sought_from_where_the_last_stopped(monkeypatch):
    """A big export reads its entries a chunk at a time; each chunk's query must seek by an upper
    bound on the time (not walk every row newer than the chunk again: quadratic over 1M)."""
    monkeypatch.setattr(archived_source, "ENTRY_CHUNK", 7)
    entries = supermetrics_entries(60)
    with Archive.open() as archive:
        stored = archive.source(supermetrics_identity())
        stored.store(entries)
        statements: list[str] = []
        connection = archive._database.connection
        connection.set_trace_callback(statements.append)
        back = list(stored.entries())
        connection.set_trace_callback(None)
        assert sorted(e.id for e in back) == sorted(e.id for e in entries)
        chunks = [sql for sql in statements if sql.startswith("SELECT rowid, time_us, raw")]
        assert len(chunks) >= 60 // 7
        for sql in chunks:
            plan = " ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql))
            assert "entries_time" in plan and "time_us<" in plan.replace(" ", ""), plan
