"""An archive an earlier logview wrote with a credential in a base URL (`--base-url
http://user:PW@host/?token=…`, accepted before s17 M5): opening it rewrites the source without the
credential, keeps its entries, and nothing shows or keeps the credential after."""

from __future__ import annotations

import sqlite3

from logview.archive import Archive, SourceIdentity, Span, default_archive_path
from logview.archive.location import archive_files
from logview.archive.query import LogsQuery

from archive_support import NOW_US, aitronos_entries
from test_archive_cli import logview

PASSWORD, TOKEN = "ZZPASSWORD-7e6d5c4b", "ZZTOKEN-1a2b3c4d"
CLEAN = "http://127.0.0.1:9"
DIRTY = f"http://user:{PASSWORD}@127.0.0.1:9/?token={TOKEN}#{TOKEN}"


def archive_made_the_old_way(clean_too: bool = False) -> None:
    """The dirty source holds entries 100-399 of 400; with `clean_too`, a source of the clean URL
    (the same server, read after the fix) holds 0-299."""
    entries = aitronos_entries(400)
    with Archive.open() as archive:
        dirty = archive.source(SourceIdentity("aitronos", DIRTY, "org_archive"))
        dirty.store(entries[100:], covered=Span(None, NOW_US))
        if clean_too:
            archive.source(SourceIdentity("aitronos", CLEAN, "org_archive")).store(entries[:300])
    assert any(PASSWORD.encode() in file.read_bytes() for file in archive_files(default_archive_path())
               if file.exists())


def assert_no_credential_on_disk() -> None:
    for file in default_archive_path().parent.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert PASSWORD.encode() not in data and TOKEN.encode() not in data, file.name


def test_archive_list_shows_the_url_without_the_credential_and_the_file_keeps_none():
    archive_made_the_old_way()
    result = logview("archive", "list")
    assert result.returncode == 0, result.stderr
    line = result.stdout.splitlines()[1]
    assert line.startswith(f"aitronos {CLEAN} org_archive · 300 entries · ") and "complete: the beginning" in line
    assert PASSWORD not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr
    assert "user" not in result.stdout
    assert_no_credential_on_disk()


def test_sql_shows_the_url_without_the_credential_and_the_file_keeps_none():
    archive_made_the_old_way()
    result = logview("sql", "--format", "csv", "select base_url, count(*) from logs group by base_url")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["base_url,count(*)", f"{CLEAN},300"]
    result = logview("sql", "--format", "csv", "select base_url from sources")
    assert result.stdout.splitlines() == ["base_url", CLEAN]
    assert_no_credential_on_disk()


def test_a_dirty_source_joins_the_clean_one_of_the_same_server_each_entry_once():
    archive_made_the_old_way(clean_too=True)
    result = logview("sql", "--format", "csv", "select count(*), count(distinct id), count(distinct base_url) "
                     "from logs")
    assert result.stdout.splitlines()[1] == "400,400,1", result.stderr
    with Archive.open(readonly=True) as archive:
        (summary,) = archive.summaries()
    assert (summary.identity.base_url, summary.entries) == (CLEAN, 400)
    assert summary.covered[""]  # the dirty source's complete span came along
    assert_no_credential_on_disk()


def test_an_archive_that_cannot_be_scrubbed_now_still_shows_no_credential():
    """Another process holds the write lock: the scrub waits for a later open, and what is shown
    of the source leaves the credential out meanwhile."""
    archive_made_the_old_way()
    path = default_archive_path()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with LogsQuery(path) as query:
            _, rows = query.run("select distinct base_url from logs")
            assert list(rows) == [(CLEAN,)]
        with Archive.open(path, readonly=True) as archive:
            assert [summary.identity.describe() for summary in archive.summaries()] == [f"aitronos {CLEAN} org_archive"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()
