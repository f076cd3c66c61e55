"""The archive is safe to keep: private files, one clear line for a file it cannot use (left as it
was), two processes at once, `kill -9` in the middle of writing, and never a key on disk."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from logview.archive import Archive, ArchiveError, default_archive_path, identity_of
from logview.archive import db as archive_db
from logview.archive.location import archive_files
from logview.archive.rowid_top import PLACEHOLDER_SOURCE  # (a clear leaves one: rowids only grow)
from logview.demo import DEMO_AITRONOS_KEY
from logview.options import Connection
from logview.sources import AitronosSource

from archive_support import aitronos_entries, aitronos_identity

# A writer in a process of its own: batch k holds entries b{k}_0..b{k}_{SIZE-1}; it prints each
# batch number once that batch is committed, then pauses (if asked) before the next.
WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    from logview.archive import Archive
    from archive_support import AITRONOS, aitronos_identity
    batches, size, start, pause = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    archive = Archive.open()
    stored = archive.source(aitronos_identity())
    k = start
    while batches < 0 or k < start + batches:
        entries = [AITRONOS.entry_from_raw({{"id": f"b{{k}}_{{i}}", "status": "success", "tool": "t",
                    "created_at": f"2025-11-15T10:{{(k // 60) % 60:02d}}:{{k % 60:02d}}.{{i % 1000:03d}}Z",
                    "padding": "x" * 400}}) for i in range(size)]
        stored.store(entries)
        print(k, flush=True)
        k += 1
        time.sleep(pause)
""").format(tests=str(Path(__file__).parent))


def writer(batches: int, size: int = 50, start: int = 0, pause_s: float = 0.0) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(batches), str(size), str(start), str(pause_s)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())


def one_line(error: ArchiveError, path: Path) -> str:
    message = str(error)
    assert "\n" not in message and str(path) in message and "Traceback" not in message
    return message


def test_the_files_are_private_in_a_private_folder():
    with Archive.open() as archive:
        archive.source(aitronos_identity()).store(aitronos_entries(20))
        path = archive.path
        for file in archive_files(path):
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_corrupt_file_is_one_line_and_left_as_it_was():
    path = default_archive_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(os.urandom(8192))
    before = path.read_bytes()
    with pytest.raises(ArchiveError) as caught:
        Archive.open()
    assert "damaged" in one_line(caught.value, path) and "logview archive clear" in str(caught.value)
    assert caught.value.reason == "corrupt" and path.read_bytes() == before


def test_a_damaged_page_behind_a_good_header_is_one_line_too():
    with Archive.open() as archive:
        archive.source(aitronos_identity()).store(aitronos_entries(300))
    path = default_archive_path()
    data = bytearray(path.read_bytes())
    data[4096 * 2:] = os.urandom(len(data) - 4096 * 2)  # every page after the second
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError) as caught:
        with Archive.open() as archive:
            list(archive.source(aitronos_identity()).entries())
    assert caught.value.reason == "corrupt"
    one_line(caught.value, path)


def test_another_programs_sqlite_file_and_a_newer_logviews_are_refused_untouched(tmp_path):
    foreign = tmp_path / "foreign.sqlite3"
    db = sqlite3.connect(foreign)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.execute("PRAGMA application_id = 42")
    db.commit()
    db.close()
    before = foreign.read_bytes()
    for readonly in (False, True):
        with pytest.raises(ArchiveError) as caught:
            Archive.open(foreign, readonly=readonly)
        assert "not a logview archive" in one_line(caught.value, foreign) and caught.value.reason == "foreign"
    assert foreign.read_bytes() == before and not Path(f"{foreign}-wal").exists()

    newer = tmp_path / "newer.sqlite3"
    Archive.open(newer).close()
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    before = newer.read_bytes()
    with pytest.raises(ArchiveError) as caught:
        Archive.open(newer)
    assert "newer logview" in one_line(caught.value, newer) and newer.read_bytes() == before


def test_a_locked_file_is_one_line_after_a_short_wait(monkeypatch):
    monkeypatch.setattr(archive_db, "BUSY_TIMEOUT_S", 0.2)
    Archive.open().close()
    path = default_archive_path()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")  # in exclusive locking mode no one else may even read
    try:
        started = time.monotonic()
        with pytest.raises(ArchiveError) as caught:
            Archive.open()
        assert "locked" in one_line(caught.value, path) and caught.value.reason == "locked"
        assert time.monotonic() - started < 3
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_writer_waiting_too_long_for_another_writer_is_one_line(monkeypatch):
    monkeypatch.setattr(archive_db, "BUSY_TIMEOUT_S", 0.2)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        holder = sqlite3.connect(archive.path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(ArchiveError, match="locked"):
                stored.store(aitronos_entries(5))
            assert stored.count() == 0  # reading goes on meanwhile (WAL)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert stored.store(aitronos_entries(5)) == 5


def test_a_place_that_cannot_be_written_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # (a folder without write permission would not stop root)
    for path in (blocker / "archive.sqlite3", tmp_path):
        with pytest.raises(ArchiveError) as caught:
            Archive.open(path)
        assert caught.value.reason == "unwritable" and "--no-archive" in one_line(caught.value, path)


def test_two_processes_at_once_one_writing_one_reading():
    Archive.open().close()
    # (a pause between batches: on a busy machine the 80 batches once went by within one read)
    process = writer(batches=80, pause_s=0.01)
    reads, seen = 0, set()
    with Archive.open(readonly=True) as archive:
        stored = archive.source(aitronos_identity())
        while process.poll() is None or reads == 0:
            count = stored.count()
            assert count % 50 == 0  # a batch is seen whole or not at all
            seen.add(count)
            columns = stored.columns()
            if len(columns):
                stored.raw(list(columns.rowid[:20]))
            sum(1 for _ in stored.entries())
            reads += 1
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "locked" not in err and out.split() == [str(k) for k in range(80)]
    with Archive.open() as archive:
        assert archive.source(aitronos_identity()).count() == 80 * 50
    assert len(seen - {0, 80 * 50}) >= 2  # it read while the other wrote


@pytest.mark.parametrize("other", ["a connection", "logview archive clear --yes"])
def test_what_is_committed_after_a_second_connection_and_another_process_closing_stays(other):
    """Found in a walk: beside a tailing viewer, `logview archive clear --yes` deleted the
    viewer's WAL, and every entry the viewer stored after it was lost. The viewer opens a second
    connection (its bulk reader), and opening one checked the file outside SQLite: an open and a
    close of the file, which dropped every POSIX lock the process held on it, so the other
    process's close thought itself the last connection and deleted the WAL."""
    path = default_archive_path()
    entries = aitronos_entries(600)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        stored.store(entries[:300])
        assert len(stored.raw(list(stored.columns().rowid[:5]))) == 5  # through the second connection
        if other == "a connection":
            code = f"import sqlite3; db = sqlite3.connect({str(path)!r}); db.execute('SELECT 1'); db.close()"
            subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
        else:
            subprocess.run([sys.executable, "-m", "logview", "archive", "clear", "--yes"], check=True, timeout=30,
                           capture_output=True)
        stored.store(entries[300:])
        assert Path(f"{path}-wal").exists()
    expected = 600 if other == "a connection" else 300
    fresh = subprocess.run([sys.executable, "-c", f"import sqlite3; print(sqlite3.connect({str(path)!r})"
                            f".execute('SELECT count(*) FROM entries WHERE source != {PLACEHOLDER_SOURCE}').fetchone()[0])"],
                           capture_output=True, text=True, check=True, timeout=30)
    assert int(fresh.stdout) == expected  # what this process committed, as another process sees it


def test_the_file_is_checked_outside_sqlite_only_while_no_connection_holds_it(monkeypatch):
    checked = []
    real_check = archive_db._check_header
    monkeypatch.setattr(archive_db, "_check_header", lambda path: (checked.append(path), real_check(path)))
    first = Archive.open()
    second = Archive.open(readonly=True)  # (as the viewer's bulk reader opens)
    assert len(checked) == 1
    second.close()
    first.close()
    Archive.open().close()  # nothing holds it now: checked again (a file made anew may be anything)
    assert len(checked) == 2


def test_a_known_source_is_opened_without_waiting_for_another_writers_lock():
    """Found in a walk: while another process held the write lock (a long prune or compaction),
    a launch showed a blank screen for 5 s and then went on without the archive: asking for its
    source wrote (INSERT OR IGNORE) even when the source was there. Now only a new source writes;
    a known one paints its archived rows at once, as WAL lets a reader."""
    with Archive.open() as archive:
        archive.source(aitronos_identity()).store(aitronos_entries(50))
    holder = sqlite3.connect(default_archive_path(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process's long write
    try:
        started = time.monotonic()
        with Archive.open() as archive:
            assert archive.source(aitronos_identity()).count() == 50
        assert time.monotonic() - started < archive_db.BUSY_TIMEOUT_S / 2
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_kill_9_while_writing_loses_no_committed_batch_and_corrupts_nothing():
    Archive.open().close()
    process = writer(batches=-1, size=200)
    committed = []
    assert process.stdout is not None
    while len(committed) < 15:
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else ""
        committed.append(int(line))
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    path = default_archive_path()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sizes = dict(db.execute("SELECT substr(id, 1, instr(id, '_') - 1), count(*) FROM entries GROUP BY 1"))
    db.close()
    assert all(sizes.get(f"b{k}") == 200 for k in committed)  # every batch it said was committed
    assert set(sizes.values()) == {200}  # and none in part
    resumed = writer(batches=2, start=max(committed) + 10)
    out, err = resumed.communicate(timeout=30)
    assert resumed.returncode == 0, err
    with Archive.open() as archive:
        assert archive.source(aitronos_identity()).count() == sum(sizes.values()) + 2 * 50


def test_the_key_is_on_no_archive_file(server):
    """Entries fetched with a key, stored under the connection's identity: the key's bytes appear in
    none of the database, its WAL or its shared-memory file."""
    import asyncio

    from logview.api.paging import EntriesLoaded, Pager

    source = AitronosSource("org_demo", base_url=server.url)
    connection = Connection(source=source, key=DEMO_AITRONOS_KEY, label="test")
    identity = identity_of(connection.source)

    async def fetch() -> list:
        async with connection.client() as client:
            return [entry async for event in Pager(source, client, max_entries=300).backfill()
                    if isinstance(event, EntriesLoaded) for entry in event.entries]

    entries = asyncio.run(fetch())
    assert entries
    archive = Archive.open()
    archive.source(identity).store(entries)
    archive.summaries()
    files = [file for file in archive_files(archive.path) if file.exists()]
    assert len(files) == 3
    for file in files:
        assert DEMO_AITRONOS_KEY.encode() not in file.read_bytes(), file
    archive.close()
    assert DEMO_AITRONOS_KEY.encode() not in default_archive_path().read_bytes()
