"""`logview sql`: SQL over the archive through a `logs` view, strictly read-only.

Three locks on the door, each enough alone: the file is opened read-only (`mode=ro`), the
connection is `query_only`, and an authorizer lets a statement do nothing but read tables and call
functions (no INSERT/UPDATE/DELETE, no CREATE/DROP/ALTER, no ATTACH, no PRAGMA that sets anything,
no transactions). So a statement that would write is refused before it runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from logview.archive.db import ArchiveError, error_for, guarded
from logview.archive.db import connect as connect_archive
from logview.archive.db import disconnect
from logview.archive.rows import SourceIdentity
from logview.archive.schema import holds_anything
from logview.archive.scrub import clean_base_url, dirty_sources

# SQLite calls back into Python every this many of its virtual machine's steps (~0.1 ms): a statement
# runs in C, where a Ctrl-C's handler cannot run, and a recursive CTE with no end ignored Ctrl-C and
# SIGTERM for 10 minutes (found in a walk). The callback is Python code, so the handler runs in it; its
# KeyboardInterrupt aborts the statement (SQLITE_INTERRUPT), raised again here as KeyboardInterrupt.
# One call a step this often: ~0.1% of a statement's time.
SIGNAL_CHECK_STEPS = 10_000

# The view's columns, for `--help` and the README: what each holds.
LOGS_COLUMNS: dict[str, str] = {
    "time": "ISO 8601 text, UTC, milliseconds (2025-11-15T10:30:00.123Z)",
    "time_us": "integer, UTC microseconds since the epoch",
    "id": "the entry's id",
    "api": "aitronos or supermetrics", "base_url": "the API's base URL", "scope": "org id, or team/connector",
    "status": "text: success, error, … (Aitronos) or the HTTP status (Supermetrics)",
    "status_code": "integer HTTP status (Supermetrics), else NULL",
    "event": "Supermetrics event", "tool": "Aitronos tool", "connector": "Aitronos connector",
    "credential_id": "Aitronos credential", "duration_ms": "milliseconds: an integer, or a fraction as sent",
    "error": "Aitronos error message",
    "error_group": "the failure's kind, variable parts masked", "invalid": "why the entry broke its schema",
    "raw": "the entry as received, JSON text (json_extract(raw, '$.field'))",
}

# Whole seconds taken with a floor (not truncated), so the milliseconds are right before 1970 too.
_MICROS = "((e.time_us % 1000000) + 1000000) % 1000000"
# The archive keeps a duration as REAL (Aitronos may send a fraction); the APIs send whole milliseconds
# as integers, and `997.0` read as another number (s28 walk #7): an integral one is given back as an
# INTEGER (one beyond 64 bits stays REAL: the cast saturates, so the two are not equal).
_DURATION = ("CASE WHEN e.duration_ms = CAST(e.duration_ms AS INTEGER) THEN CAST(e.duration_ms AS INTEGER) "
             "ELSE e.duration_ms END")
_VIEW = f"""CREATE TEMP VIEW logs AS SELECT
    strftime('%Y-%m-%dT%H:%M:%S', (e.time_us - {_MICROS}) / 1000000, 'unixepoch')
        || printf('.%03dZ', {_MICROS} / 1000) AS time,
    e.time_us, e.id, s.api, s.base_url, s.scope, e.status, e.status_code, e.event, e.tool, e.connector,
    e.credential_id, {_DURATION} AS duration_ms, e.error, e.error_group, e.invalid, CAST(e.raw AS TEXT) AS raw
FROM main.entries AS e JOIN main.sources AS s ON s.id = e.source"""

_READS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
# Pragmas that only tell (`PRAGMA table_info(logs)` shows the columns; `PRAGMA user_version`):
# allowed with no value to set, or with a table's or an index's name, or (the checks) with the
# most errors to list (`PRAGMA quick_check(1)` was refused while `integrity_check` was answered, s26 walk #6).
_INTROSPECTION_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
                          "quick_check", "integrity_check", "foreign_key_check"}
_READING_PRAGMAS = _INTROSPECTION_PRAGMAS | {
    "user_version", "schema_version", "application_id", "data_version", "journal_mode", "page_size", "page_count",
    "freelist_count", "encoding", "database_list", "compile_options", "function_list", "pragma_list",
    "collation_list", "module_list", "quick_check", "integrity_check", "foreign_key_check",
    # (settings, read when no value is given: `PRAGMA foreign_keys` was refused as acting, s25 walk #9)
    "foreign_keys", "synchronous", "cache_size", "auto_vacuum", "locking_mode", "temp_store", "wal_autocheckpoint",
    "mmap_size", "secure_delete", "recursive_triggers", "query_only", "busy_timeout", "max_page_count",
    "cell_size_check", "automatic_index", "trusted_schema", "read_uncommitted"}
_WRITING_VERBS = {"INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT", "CREATE", "DROP", "ALTER", "ATTACH", "DETACH",
                  "VACUUM", "REINDEX", "ANALYZE", "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}
_ACTIONS = {getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ") for name in (
    "INSERT", "UPDATE", "DELETE", "CREATE_TABLE", "CREATE_TEMP_TABLE", "CREATE_INDEX", "CREATE_TEMP_INDEX",
    "CREATE_VIEW", "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_TEMP_TRIGGER", "CREATE_VTABLE", "DROP_TABLE",
    "DROP_TEMP_TABLE", "DROP_INDEX", "DROP_TEMP_INDEX", "DROP_VIEW", "DROP_TEMP_VIEW", "DROP_TRIGGER",
    "DROP_TEMP_TRIGGER", "DROP_VTABLE", "ALTER_TABLE", "ATTACH", "DETACH", "PRAGMA", "TRANSACTION",
    "SAVEPOINT", "REINDEX", "ANALYZE")}


class QueryError(Exception):
    """Bad SQL, or a statement refused because it would not only read; str() is one line."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


def _without_leading_comments(sql: str) -> str:
    """`sql` from its first token on: its leading whitespace and comments (`-- …` to the line's end,
    `/* … */`, the last maybe unclosed, as SQLite allows) left out."""
    while True:
        sql = sql.lstrip()
        if sql.startswith("--"):
            sql = sql.partition("\n")[2]
        elif sql.startswith("/*"):
            sql = sql[2:].partition("*/")[2]
        else:
            return sql


class LogsQuery:
    """A read-only connection to the archive with its `logs` view: every source, or only
    `identity`'s (then `known` says whether the archive has it at all)."""

    def __init__(self, path: Path, identity: SourceIdentity | None = None) -> None:
        self.path = path
        self._db, ready = connect_archive(path, readonly=True)
        self._refused: list[str] = []
        self.known = True
        try:
            with guarded(path):
                self._create_view(ready, identity)
                self._db.execute("PRAGMA query_only = ON")
                self._db.set_authorizer(self._authorize)
                self._db.set_progress_handler(_let_signals_in, SIGNAL_CHECK_STEPS)
        except BaseException:
            disconnect(self._db)
            raise

    def _create_view(self, ready: bool, identity: SourceIdentity | None) -> None:
        if not ready:  # a file no logview has written to yet: an empty view of the same shape
            columns = ", ".join(f"NULL AS {name}" for name in LOGS_COLUMNS)
            self._db.execute(f"CREATE TEMP VIEW logs AS SELECT {columns} WHERE 0")
            self.known = identity is None
            return
        view = _VIEW
        if dirty_sources(self._db):  # (only an archive this process could not scrub: `scrub.py`)
            self._db.create_function("logview_clean_url", 1, clean_base_url, deterministic=True)
            view = view.replace("s.base_url,", "logview_clean_url(s.base_url) AS base_url,")
        if identity is None:
            self._db.execute(view)
            return
        row = self._db.execute("SELECT id FROM sources WHERE api = ? AND base_url = ? AND scope = ?",
                               (identity.api, identity.base_url, identity.scope)).fetchone()
        self.known = row is not None and holds_anything(self._db, int(row[0]))
        source_id = int(row[0]) if row else -1  # (a view cannot take parameters; an int is safe)
        self._db.execute(f"{view} WHERE e.source = {source_id}")

    def _authorize(self, action: int, first: str | None, second: str | None, *_: Any) -> int:
        if action in _READS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and first == "sqlite_master":
            return sqlite3.SQLITE_OK  # (how a pragma's table-valued function says it reads the schema; query_only holds)
        if action == sqlite3.SQLITE_PRAGMA and first is not None and first.lower() in _READING_PRAGMAS and (
                second is None or first.lower() in _INTROSPECTION_PRAGMAS):
            return sqlite3.SQLITE_OK
        what = _ACTIONS.get(action, f"action {action}")
        self._refused.append(f"{what} {first}".strip() if action == sqlite3.SQLITE_PRAGMA and first else what)
        return sqlite3.SQLITE_DENY

    def run(self, sql: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        """The result's column names and its rows (read as they are iterated). QueryError for bad
        SQL or a refused statement, also while rows are read."""
        if not _without_leading_comments(sql).strip(" \t\r\n\f;"):  # ("-- why" alone read as a write refused)
            raise QueryError("no statement given: write a SELECT over `logs`, e.g. \"SELECT * FROM logs LIMIT 5\"")
        if sql.lstrip().startswith("."):  # (what the sqlite3 shell's users type first: "near '.': syntax error")
            raise QueryError(f"{sql.split()[0]} is a command of the sqlite3 shell, not SQL: `logview sql --help` names "
                             "the columns of `logs`, as SELECT * FROM pragma_table_info('logs') does")
        self._refused.clear()
        try:
            cursor = self._db.execute(sql)
        except (sqlite3.Error, sqlite3.Warning) as error:
            raise self._error(error, sql) from None
        if cursor.description is None:
            raise QueryError("the statement returns no rows: logview sql only reads (SELECT or WITH … SELECT)")
        return [column[0] for column in cursor.description], self._rows(cursor)

    def _rows(self, cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
        try:
            while rows := cursor.fetchmany(1000):
                yield from rows
        except (sqlite3.Error, sqlite3.Warning) as error:
            raise self._error(error) from None

    def _error(self, error: BaseException, sql: str = "") -> QueryError | ArchiveError:
        """`error` in one line: a refusal if the statement would write. A statement a signal
        interrupted raises KeyboardInterrupt (`_let_signals_in`)."""
        if getattr(error, "sqlite_errorname", "") == "SQLITE_INTERRUPT":
            raise KeyboardInterrupt from None
        words = sql.split(None, 1)
        verb = words[0].upper() if words and words[0].isalpha() else ""
        if not self._refused and str(error) == "not authorized":  # (SQLite's own: `load_extension()`, turned off;
            self._refused.append("load_extension")               # 'not authorized' alone said nothing of why)
        # (a write to the `logs` view fails as SQLite prepares it, before the authorizer is asked)
        if self._refused or verb in _WRITING_VERBS:
            # what the statement says it does (DROP, VACUUM), or what a read tried underneath
            what = self._refused[0] if verb in ("", "SELECT", "WITH", "VALUES", "PRAGMA") and self._refused else verb
            if what.startswith("PRAGMA"):  # (the reading ones are answered: "only SELECT" said otherwise, s24 walk #11)
                return QueryError(f"refused: {what} acts on the archive — logview sql only reads (SELECT, WITH … SELECT, "
                                  "and the pragmas that read, such as table_info); the archive is unchanged", refused=True)
            return QueryError(f"refused: {what} — logview sql only reads (SELECT or WITH … SELECT); "
                              "the archive is unchanged", refused=True)
        if isinstance(error, sqlite3.ProgrammingError) and "one statement" in str(error):  # (SQLite's words, s29 #8)
            return QueryError("one statement at a time: this holds more than one (;) — run each on its own")
        if str(error).startswith("Could not decode to UTF-8"):  # (Python's words, then the text itself: not echoed)
            return QueryError("a text value of the result is not UTF-8 (as SQL can make it: `x'ff' || 'a'`); "
                              "CAST it AS BLOB to see its bytes, written x'…'")
        name = getattr(error, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_IOERR")):
            return error_for(error, self.path)
        if "readonly" in name.lower() or "read-only" in str(error) or "readonly" in str(error):
            return QueryError(f"refused: {error} — logview sql only reads; the archive is unchanged", refused=True)
        return QueryError(" ".join(str(error).split()) or type(error).__name__)

    def close(self) -> None:
        disconnect(self._db)

    def __enter__(self) -> LogsQuery:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _let_signals_in() -> int:
    """SQLite's progress callback: Python code, in which a pending signal's handler runs (Ctrl-C's
    KeyboardInterrupt aborts the statement); 0 lets the statement go on."""
    return 0
