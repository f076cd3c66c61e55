"""The archive's SQLite file: opening it safely, and its errors (where it lives: `location.py`;
its schema: `schema.py`).

SQLite from the standard library, in WAL mode so one process can tail and write while another
reads or exports; `busy_timeout` makes either wait a few seconds for the other instead of failing
at once. The file is stamped with logview's `application_id` and a schema `user_version`: a file
that is not ours, or one from a newer logview, is refused before anything is written to it.
Every failure becomes one `ArchiveError` line that names the file and what to do.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from logview.archive.location import archive_files, private_file
from logview.archive.schema import APPLICATION_ID, SCHEMA, SCHEMA_VERSION, schema_updates
from logview.archive.scrub import dirty_sources, scrub_sources

BUSY_TIMEOUT_S = 5.0  # how long a reader or writer waits for another process's lock
# The page cache of the connection that writes. 32 MiB was a third of an archived session's peak
# memory (100k fetched: 205 MiB, 173 with 2 MiB); storing 20,000 Aitronos entries (random ids) into
# a 1M-entry archive took the same with 32, 8 or 2 MiB once the session's cache was warm
# (0.18-0.20 s), 1.12 / 1.16 / 1.25 s just after opening it.
CACHE_KIB = 8_192
# The writer process's commits copy the WAL into the file only past this many pages (64 MiB at 4 KiB,
# the WAL's `journal_size_limit`) instead of SQLite's 1,000: at 1,000, storing 100k Supermetrics
# entries checkpointed ten times, ~0.05 s of CPU and each time a wait for the disk (storing them
# took 0.64-1.13 s against 0.53-0.70 s without), on the writer a loopback backfill waits for. The
# viewer checkpoints once the process has ended (`PageWriter`), in a thread no one waits for.
BULK_CHECKPOINT_PAGES = 16_384
_SQLITE_HEADER = b"SQLite format 3\x00"
_WAY_OUT = "or run with --no-archive"


class ArchiveError(Exception):
    """One clear line for the user: the archive is corrupt, locked, foreign, newer or unwritable.
    `reason` names which, so a caller can offer the matching way out; str() is the message."""

    def __init__(self, message: str, reason: str = "other") -> None:
        super().__init__(message)
        self.reason = reason

    def without_no_archive(self) -> str:
        """The message for `sql` and `archive`, which have nothing to do without the archive and
        refuse --no-archive: its other way out only (s18 K1)."""
        return str(self).replace(f", {_WAY_OUT}", "")


def error_for(error: BaseException, path: Path) -> ArchiveError:
    """What a SQLite or OS failure means for the user, in one line."""
    name = getattr(error, "sqlite_errorname", "") or ""
    detail = str(error) or type(error).__name__
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in detail:
        return ArchiveError(f"the archive {path} is locked by another program (waited {BUSY_TIMEOUT_S:g} s): "
                            f"try again, {_WAY_OUT}", "locked")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return damaged(path, detail)
    if isinstance(error, OSError) or name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_FULL",
                                                      "SQLITE_IOERR", "SQLITE_PERM")):
        reason = getattr(error, "strerror", None) or detail
        return ArchiveError(f"cannot use the archive {path}: {reason}; check the folder's permissions and "
                            f"free space, {_WAY_OUT}", "unwritable")
    return ArchiveError(f"the archive {path}: {detail}", "other")


def damaged(path: Path, detail: str) -> ArchiveError:
    return ArchiveError(f"the archive {path} is damaged ({detail}): remove it with `logview archive clear --yes`, "
                        f"{_WAY_OUT}", "corrupt")


@contextmanager
def guarded(path: Path) -> Iterator[None]:
    """Turn any SQLite or OS failure inside into an ArchiveError."""
    try:
        yield
    except ArchiveError:
        raise
    except (sqlite3.Error, OSError) as error:
        raise error_for(error, path) from None


class Database:
    """The open archive file: one connection, used by one thread at a time (the viewer's workers
    share it), each write one transaction."""

    def __init__(self, path: Path, *, readonly: bool) -> None:
        self.path = path
        self.readonly = readonly
        self.connection, self.ready = connect(path, readonly=readonly)
        self.lock = threading.RLock()

    def is_ready(self) -> bool:
        """Whether the schema is there (a read-only open may come before any process made it)."""
        if not self.ready:
            with self.reading() as db:
                self.ready = _check_identity(db, self.path)
        return self.ready

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self.lock, guarded(self.path):
            yield self.connection

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taking the write lock at once (`BEGIN IMMEDIATE`: waiting for another
        writer rather than failing half way); committed whole or not at all."""
        self.check_writable()
        with self.lock, guarded(self.path):
            db = self.connection
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def checkpoint_in_bulk(self) -> None:
        """Let the WAL grow to BULK_CHECKPOINT_PAGES before a commit copies it into the file (the
        writer process, storing a backfill back to back; see `checkpoint`)."""
        with self.lock, guarded(self.path):
            self.connection.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")

    def checkpoint(self) -> None:
        """Copy what the WAL holds into the file and empty it (tens of MB on disk otherwise, until
        the next checkpoint), without waiting: with a reader or writer at work, as far as it can;
        an archive failing now is left as it is (a later commit or the last close does it).

        Through a connection of its own, opened for it: on the shared one it held `lock` through
        the whole copy (~0.13 s after a backfill of 100k Supermetrics entries, in a thread), and a
        read on the event loop meanwhile waited for it (a new query's first reads; the ingest
        benchmark's count after a load waited 0.11-0.12 s)."""
        if self.readonly:
            return
        try:
            db = connect(self.path, readonly=False)[0]
        except ArchiveError:
            return
        try:
            db.execute("PRAGMA busy_timeout = 0")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error:
            pass
        finally:
            disconnect(db)

    def check_writable(self) -> None:
        if self.readonly:
            raise ArchiveError(f"the archive {self.path} is open read-only here", "readonly")

    def mostly_free(self) -> bool:
        """Whether a quarter or more of the file (and at least a MiB) is pages a delete freed, which
        SQLite keeps for later entries rather than giving back (`archive clear --source` of the larger
        of two sources left a 7.7 MiB file holding nothing: found in a walk)."""
        with self.reading() as db:
            free = db.execute("PRAGMA freelist_count").fetchone()[0]
            pages, page_size = (db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
        return free * 4 >= pages and free * page_size >= 1 << 20

    def compact(self) -> None:
        """Give freed space back to the file system; skipped while another process reads."""
        with self.lock:
            try:
                self.connection.execute("VACUUM")
                self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError:
                pass  # busy: the space is reused by later entries all the same

    def close(self) -> None:
        with self.lock:
            disconnect(self.connection)


def connect(path: Path, *, readonly: bool) -> tuple[sqlite3.Connection, bool]:
    """A connection to the archive at `path`, checked to be logview's and set up; with whether
    the schema is there (a read-only open of a file no logview has written yet has none).
    Raises ArchiveError; a foreign or newer file is left exactly as it was."""
    with guarded(path):
        if readonly and not path.is_file():
            raise ArchiveError(f"no archive yet at {path}: logview keeps one once it has read logs from an API",
                               "missing")
        key = _HELD.hold(path, readonly)
        target = f"file:{quote(str(path))}?mode=ro" if readonly else str(path)
        try:
            db = sqlite3.connect(target, uri=readonly, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                 check_same_thread=False)  # the caller serialises use with a lock
        except BaseException:
            _HELD.release(key)
            raise
    _HELD.bind(db, key)
    try:
        with guarded(path):
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            ready = _check_identity(db, path)
            if not readonly:
                _prepare(db, path, ready)
                ready = True
            elif ready and dirty_sources(db):
                _scrub_elsewhere(path)
    except BaseException:
        disconnect(db)
        raise
    return db, ready


def _scrub_elsewhere(path: Path) -> None:
    """A read-only open (`archive list`, `sql`) of an archive holding a credential in a base URL
    (`scrub.py`) has a writable connection scrub it first; a file it cannot write keeps it, and
    what is shown of it leaves the credential out (`clean_base_url`)."""
    try:
        disconnect(connect(path, readonly=False)[0])
    except ArchiveError:
        pass


def disconnect(db: sqlite3.Connection) -> None:
    """Close a connection `connect` made (every one must be closed through here)."""
    db.close()
    _HELD.unbind(db)


class _HeldFiles:
    """The archive files SQLite holds open in this process (by device and inode), with how many
    connections. SQLite's locks are POSIX locks, which belong to the process: closing any
    descriptor of the file drops all of them. A check that opened and closed the file while a
    connection held it (a second connection: the viewer's bulk reader) let another process,
    closing its own connection, think it was the last, delete the WAL, and lose every transaction
    this one committed after (into the deleted file). So a file held here is not opened outside
    SQLite (SQLite's "How To Corrupt An SQLite Database File", 2.2; found in a walk: `logview
    archive clear` beside a tailing viewer)."""

    def __init__(self) -> None:
        self._connections: dict[tuple[int, int] | None, int] = {}
        self._key_of: dict[int, tuple[int, int] | None] = {}  # id(connection) → its file
        self._lock = threading.Lock()

    def hold(self, path: Path, readonly: bool) -> tuple[int, int] | None:
        """Count a connection about to be made to `path`; the file made private (`private_file`)
        and its header checked first, unless a connection holds it already (they were then)."""
        with self._lock:
            key = _file_key(path)
            if not self._connections.get(key):
                if not readonly:
                    private_file(path)
                _check_header(path)
                key = _file_key(path)
            self._connections[key] = self._connections.get(key, 0) + 1
            return key

    def bind(self, db: sqlite3.Connection, key: tuple[int, int] | None) -> None:
        with self._lock:
            self._key_of[id(db)] = key

    def unbind(self, db: sqlite3.Connection) -> None:
        with self._lock:
            if id(db) not in self._key_of:
                return
            key = self._key_of.pop(id(db))
        self.release(key)

    def release(self, key: tuple[int, int] | None) -> None:
        with self._lock:
            left = self._connections.get(key, 0) - 1
            if left > 0:
                self._connections[key] = left
            else:
                self._connections.pop(key, None)


_HELD = _HeldFiles()


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino



def _check_header(path: Path) -> None:
    """Random bytes are refused before SQLite is asked (it might otherwise try to recover them).
    An empty file is a new archive."""
    with open(path, "rb") as handle:
        head = handle.read(len(_SQLITE_HEADER))
    if head and head != _SQLITE_HEADER:
        raise damaged(path, "not a SQLite file")


def _check_identity(db: sqlite3.Connection, path: Path) -> bool:
    """True when the file holds logview's schema, False when it is empty; ArchiveError when it is
    another program's file or from a newer logview."""
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if application_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise ArchiveError(f"the archive {path} was written by a newer logview (schema {version}; this one "
                               f"reads {SCHEMA_VERSION}): upgrade logview, {_WAY_OUT}", "newer")
        return version == SCHEMA_VERSION
    if application_id != 0 or db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise ArchiveError(f"{path} is not a logview archive (another program's SQLite file): logview leaves it "
                           f"alone; move it away, {_WAY_OUT}", "foreign")
    return False


def _update_schema(db: sqlite3.Connection) -> None:
    """Bring an earlier version's schema up to date (`schema_updates`); left for a later open while
    another process holds the archive (an older logview reads on without the one, this one without
    the other)."""
    for statement in schema_updates(db):
        db.execute("PRAGMA busy_timeout = 0")  # not worth a wait
        try:
            db.execute(statement)
        except sqlite3.OperationalError:
            pass  # busy: done by a later open
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def _prepare(db: sqlite3.Connection, path: Path, ready: bool) -> None:
    db.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL mode: a killed process loses nothing committed; only a power cut may lose the
    # last transactions, and never corrupts.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA journal_size_limit = 67108864")  # a big sync's WAL does not stay big
    if not ready:
        db.execute("BEGIN IMMEDIATE")
        try:
            if _check_identity(db, path) is False:  # another process may have made it meanwhile
                for statement in SCHEMA:  # (executescript would commit first)
                    db.execute(statement)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    _update_schema(db)
    db.execute("PRAGMA busy_timeout = 0")  # not worth a wait: what is shown of it leaves the credential out
    try:
        scrub_sources(db)
    except sqlite3.OperationalError:
        pass  # busy or unwritable: done by a later open
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    for file in archive_files(path):
        try:
            os.chmod(file, 0o600)
        except (FileNotFoundError, PermissionError):
            pass  # not made yet (SQLite gives it the database's mode), or not ours to change
