"""Rows into `entries` in bulk: a page's rows bound a few statements of many rows each, as cheaply as
their values allow, and the text SQLite cannot hold made storable (`rows.py` makes the rows)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from itertools import chain
from typing import Any

from logview.archive.rows import INSERT_ROW, ROW_COLUMNS, UPSERT, Rows


# The rows one statement binds: a count of rows is sent in statements of 1,024 (SQLite's limit on
# variables allowing), the last filled up to the next of these sizes with copies of its last row,
# which the upsert leaves as they are (their id is that row's, their fields the same). A size per count would
# prepare a statement per page (~1.2 MiB each, kept in the connection's cache), and a few fixed
# sizes left a page of 975 fresh rows to nine statements of 100 and more: each runs with the GIL
# released and waits to take it back, up to a switch interval, while the fetching holds it.
_SIZES = (1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1)
_NONE = type(None)
_NONES, _BYTES = frozenset((_NONE,)), frozenset((bytes,))
_TEXT_OR_NONE = frozenset((str, _NONE))
_NUMBER_OR_NONE = frozenset((int, float, _NONE))
_NONE_AS_ZERO = {None: 0}
_NONE_AS_EMPTY = {None: ""}


def insert_rows(db: sqlite3.Connection, rows: Rows) -> list[int] | None:
    """`db.executemany(INSERT_ROW, rows.tuples())`, the same rows in the same order (the last copy
    of an id wins), in a few statements of many rows each rather than one per row: the interpreter
    binds them all, then SQLite inserts them without it (a statement runs with the GIL released),
    so a page is written beside the fetching in the other thread, not row by row against it.

    Returns each row's rowid, in order, when every row was new; else None (an id archived already,
    or twice among the rows: then ask `ArchivedSource.rowids`). A statement's new rows take the
    rowids after the table's largest, one by one in their order (SQLite's rule for a table without
    AUTOINCREMENT, short of the largest possible rowid, which a source never nears): its last is
    `lastrowid`, and the copies it was filled up with are left without taking one. A row replaced
    in place counts as a change too, without a new rowid: so every row was new only when the
    changes and the rowids taken past the table's largest both match the rows sent."""
    most = db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(ROW_COLUMNS)
    sizes = [size for size in _SIZES if size <= most]
    columns, count, start = rows.columns, len(rows), 0
    placed: list[int] | None = []
    top = (db.execute("SELECT max(rowid) FROM entries").fetchone()[0] or 0) if count else 0
    while start < count and sizes:
        end = min(count, start + sizes[0])
        size = min(size for size in sizes if size >= end - start)
        before = db.total_changes
        chunk = [column[start:end] + column[end - 1:end] * (size - end + start) for column in columns]
        try:
            cursor = db.execute(*_statement(chunk, rows.kinds))
        except UnicodeEncodeError:  # (raised while binding: nothing of the statement was inserted)
            cursor = db.execute(*_statement([list(map(storable, column)) for column in chunk], rows.kinds))
        inserted = db.total_changes - before
        if placed is not None and inserted == end - start and cursor.lastrowid == top + inserted:
            placed.extend(range(top + 1, cursor.lastrowid + 1))
            top = cursor.lastrowid
        else:
            placed = None
        start = end
    if start < count:  # (a limit below one row's variables)
        db.executemany(INSERT_ROW, zip(*(list(map(storable, column[start:])) for column in columns)))
        placed = None
    return placed


def storable(value: Any) -> Any:
    """`value` as SQLite can hold it: a text with a lone surrogate (JSON `"\\ud800"`, which UTF-8
    cannot encode) with each such one written as its escape (`\\ud800`, as the raw JSON beside it
    has it); any other value as it is. Only a statement that failed to bind takes this look
    (`insert_rows`); the columns read back take the entry's own value (`columns.FacetCoder`)."""
    if type(value) is not str or value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def has_escaped_surrogate(text: str) -> bool:
    """Whether a text read from the archive may be one `storable` escaped (or held that escape)."""
    return "\\u" in text and ("\\ud" in text or "\\uD" in text)


def _statement(columns: list[list[Any]],
               known: Sequence[frozenset[type]] | None = None) -> tuple[str, tuple[Any, ...]]:
    """One INSERT of the rows in `columns` and its parameters, bound as cheaply as the values
    allow. Python 3.11's sqlite3 binds None through its adapter lookup, which builds and drops an
    AttributeError each time (~0.5 µs against ~0.1 µs for a number, all of it holding the GIL the
    fetching needs; a Supermetrics row has six Nones): a column of Nones is written as NULL, and a
    column of text (or numbers) with Nones among it binds 0 (or '') for them and turns that back
    into NULL in SQL (never equal to a text, or to a number, bound without affinity). Bytes go the
    adapter's way too (3.11 binds only int, float, str and bytearray without it): a column of them
    binds as bytearrays, the same BLOB (100k entries' texts: ~40 ms less, ~12 of it the copies).
    `known`: the columns' `Rows.kinds`, if known."""
    marks: list[str] = []
    bound: list[Sequence[Any]] = []
    for at, column in enumerate(columns):
        kinds = set(map(type, column)) if known is None else known[at]
        if kinds == _NONES:
            marks.append("NULL")
            continue
        if kinds <= _TEXT_OR_NONE:  # (NULLIF also where no None is: fewer statements to prepare)
            marks.append("NULLIF(?, 0)")
            if _NONE in kinds:
                column = list(map(_NONE_AS_ZERO.get, column, column))
        elif kinds <= _NUMBER_OR_NONE:
            marks.append("NULLIF(?, '')")
            if _NONE in kinds:
                column = list(map(_NONE_AS_EMPTY.get, column, column))
        else:
            marks.append("?")
            if kinds == _BYTES:
                column = list(map(bytearray, column))
        bound.append(column)
    return _insert_many(tuple(marks), len(columns[0])), tuple(chain.from_iterable(zip(*bound)))


_STATEMENTS: dict[tuple[tuple[str, ...], int], str] = {}


def _insert_many(marks: tuple[str, ...], size: int) -> str:
    sql = _STATEMENTS.get((marks, size))
    if sql is None:
        if len(_STATEMENTS) > 256:  # (a handful of column patterns in practice)
            _STATEMENTS.clear()
        one = f"({', '.join(marks)})"
        sql = _STATEMENTS[marks, size] = (INSERT_ROW.partition(" VALUES ")[0] + " VALUES "
                                          + ", ".join([one] * size) + UPSERT)
    return sql
