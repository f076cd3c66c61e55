"""The names the archive keeps beside a source's entries (credential names, `archive/names.py`):
kept and read back with their age, replaced, forgotten with the source, and an archive written
before the table existed gets it on the next writable open (a read-only one holds no names)."""

from __future__ import annotations

import sqlite3

from logview.archive import Archive

from archive_support import aitronos_entries, aitronos_identity, supermetrics_identity

WORK_GMAIL = {"id": "tcred_1", "display_name": "Work Gmail", "account_email": "me@example.com", "tool_key": "gmail"}


def test_names_are_kept_by_source_with_when_they_were_fetched_and_replaced_whole(tmp_path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        identity = aitronos_identity()
        assert archive.kept_names(identity, "credentials") is None
        archive.keep_names(identity, "credentials", [WORK_GMAIL])
        kept = archive.kept_names(identity, "credentials")
        assert kept is not None and kept.items == [WORK_GMAIL] and 0 <= kept.age_s() < 5
        assert archive.kept_names(supermetrics_identity(), "credentials") is None  # another source's
        archive.keep_names(identity, "credentials", [])
        assert archive.kept_names(identity, "credentials").items == []


def test_clearing_a_source_forgets_its_names_and_no_key_is_written(tmp_path) -> None:
    path = tmp_path / "archive.sqlite3"
    with Archive.open(path) as archive:
        identity = aitronos_identity()
        archive.source(identity).store(aitronos_entries(3))
        archive.keep_names(identity, "credentials", [WORK_GMAIL])
        archive.clear(identity)
        assert archive.kept_names(identity, "credentials") is None
    with sqlite3.connect(path) as db:
        assert [c[1] for c in db.execute("PRAGMA table_info(names)")] == ["source", "kind", "fetched_at", "items"]


def test_an_archive_from_before_the_names_gets_them_at_the_next_writable_open(tmp_path) -> None:
    path = tmp_path / "archive.sqlite3"
    with Archive.open(path) as archive:
        archive.source(aitronos_identity()).store(aitronos_entries(3))
    with sqlite3.connect(path) as db:  # as an earlier logview left it
        db.execute("DROP TABLE names")
    with Archive.open(path, readonly=True) as archive:
        assert archive.kept_names(aitronos_identity(), "credentials") is None  # nothing kept, no error
    with Archive.open(path) as archive:
        archive.keep_names(aitronos_identity(), "credentials", [WORK_GMAIL])
        assert archive.kept_names(aitronos_identity(), "credentials").items == [WORK_GMAIL]
        assert len(list(archive.source(aitronos_identity()).entries())) == 3
