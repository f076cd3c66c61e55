"""What the archive keeps for a source and an entry: its identity, and an entry as a table row.

A source is known by its API, base URL and scope (organization, or team and connector) — never by
the key that read it, which is not written anywhere. An entry is its raw JSON as received, plus
the columns that time ranges, filters and SQL need, taken from it once, when it is stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, repeat
from typing import Any

import orjson

from logview.jsonutil import dump_json, load_json
from logview.model import SOURCE_KINDS, LogEntry
from logview.sources import AitronosSource, Source, SupermetricsSource
from logview.sources.aitronos import error_message
from logview.sources.api_times import api_times
from logview.sources.base import CONNECTOR_KEYS, DURATION_LIMIT, TOOL_KEYS, connector_of, duration_ms, tool_of
from logview.times import epoch_us, epoch_us_all

ROW_COLUMNS = ("source", "id", "time_us", "status", "status_code", "event", "tool", "connector",
               "credential_id", "duration_ms", "error", "error_group", "invalid", "raw")
# An id archived already takes the newer answer's row in place (its rowid, and so the rows shown
# from it, stay): a server that sends an id again with other fields (a re-run keeping its id, a test
# server restarted) showed the first copy's detail under the newer row. A copy equal to the row
# changes nothing, and is not counted as a change (`insert_rows` pads its statements with such copies);
# OR IGNORE still skips a row that breaks another constraint (no id, no raw JSON), as before.
UPSERT = (" ON CONFLICT (source, id) DO UPDATE SET "
          + ", ".join(f"{name} = excluded.{name}" for name in ROW_COLUMNS[2:])
          + " WHERE entries.raw IS NOT excluded.raw")
INSERT_ROW = (f"INSERT OR IGNORE INTO entries ({', '.join(ROW_COLUMNS)}) "
              f"VALUES ({', '.join('?' * len(ROW_COLUMNS))})" + UPSERT)


@dataclass(frozen=True)
class SourceIdentity:
    """Which logs: `api` ("aitronos" | "supermetrics"), `base_url` as used (no trailing slash),
    `scope` (Aitronos: the organization id; Supermetrics: "team/connector"). Never a key."""

    api: str
    base_url: str
    scope: str

    def __post_init__(self) -> None:
        if self.api not in SOURCE_KINDS:
            raise ValueError(f"unknown API {self.api!r}")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    def describe(self) -> str:
        """One line for a person: `aitronos https://api.aitronos.com org_123`."""
        return f"{self.api} {self.base_url} {self.scope}"


def identity_of(source: Source) -> SourceIdentity | None:
    """The identity a source's entries are archived under; None for a Supermetrics source whose
    connector is not chosen yet (nothing to key its entries by)."""
    if isinstance(source, AitronosSource):
        return SourceIdentity("aitronos", source.base_url, source.organization_id)
    if isinstance(source, SupermetricsSource):
        if source.connector_id is None:
            return None
        return SourceIdentity("supermetrics", source.base_url, f"{source.team_id}/{source.connector_id}")
    raise TypeError(f"no archive identity for {type(source).__name__}")


def source_for(identity: SourceIdentity) -> Source:
    """A source of the identity's API, to rebuild entries (`entry_from_raw`) and group errors."""
    if identity.api == "aitronos":
        return AitronosSource(identity.scope, base_url=identity.base_url)
    team, _, connector = identity.scope.partition("/")
    try:
        return SupermetricsSource(int(team), connector, base_url=identity.base_url)
    except ValueError:  # a scope not written by identity_of: parsing entries needs no ids anyway
        return SupermetricsSource(1, None, base_url=identity.base_url)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return dump_json(value).decode()
    return str(value)


def entry_row(source_id: int, source: Source, entry: LogEntry) -> tuple[Any, ...]:
    """`entry` as a row of `entries` (in ROW_COLUMNS order). Raw bytes are kept as they are;
    anything else is written as compact JSON in its own field order."""
    raw = entry.raw
    if isinstance(raw, (bytes, bytearray, memoryview)):
        blob = bytes(raw)
        try:
            fields = load_json(blob)
        except ValueError:
            fields = None
    else:
        blob, fields = dump_json(raw), raw
    if not isinstance(fields, dict):
        fields = {}
    status = entry.status
    if isinstance(status, bool):
        status = None
    # an integer column holds 64 bits; a hostile status beyond them is kept as text only
    status_code = status if isinstance(status, int) and -(2**63) <= status < 2**63 else None
    error = error_message(fields) if source.kind == "aitronos" else None
    return (source_id, entry.id, epoch_us(entry.time), _text(status), status_code, _text(fields.get("event")),
            _text(tool_of(fields)), _text(connector_of(fields)), _text(fields.get("credential_id")),
            duration_ms(fields), error, source.error_group(status, fields), entry.invalid, blob)


_EPOCH_US: dict[datetime | None, int | None] = {None: None}  # a page's entries share seconds; so do the pages of a backfill
_EPOCH_US_LIMIT = 20_000
_INT64 = range(-(2**63), 2**63)
_NAMING_KEYS = frozenset(TOOL_KEYS + CONNECTOR_KEYS)  # most entries have none: no lookups for them


def _epoch_us(moment: datetime | None) -> int | None:
    found = _EPOCH_US.get(moment, -1)
    if found == -1:
        found = _EPOCH_US[moment] = epoch_us(moment)
    return found


class Rows:
    """Rows of `entries`, a list per column (ROW_COLUMNS' order): how a page is made ready
    for the archive and gathered with others, without a tuple per row (built, then taken apart
    again to bind them a column at a time: `insert_rows`)."""

    __slots__ = ("columns", "kinds")

    def __init__(self, columns: list[list[Any]], kinds: Sequence[frozenset[type]] | None = None) -> None:
        self.columns = columns
        # Each column's types of value, where its maker knows them without looking (a typed page's:
        # `typed_rows.py`): `insert_rows` binds by them instead of looking at each value, ~0.5 ms a
        # page. Never fewer types than the column holds, and {NoneType} only for a column of Nones.
        self.kinds = kinds

    def __len__(self) -> int:
        return len(self.columns[0])

    @classmethod
    def of(cls, rows: Sequence[tuple[Any, ...]]) -> Rows:
        return cls([list(column) for column in zip(*rows)] if rows else [[] for _ in ROW_COLUMNS])

    @classmethod
    def joined(cls, parts: Sequence[Rows]) -> Rows:
        if len(parts) == 1:
            return parts[0]
        kinds = None if any(part.kinds is None for part in parts) else \
            [frozenset().union(*column) for column in zip(*(part.kinds for part in parts))]  # type: ignore[misc]
        return cls([list(chain.from_iterable(column)) for column in zip(*(part.columns for part in parts))], kinds)

    def tuples(self) -> list[tuple[Any, ...]]:
        return list(zip(*self.columns))


def page_rows(source_id: int, source: Source, entries: Sequence[LogEntry]) -> Rows:
    """`[entry_row(source_id, source, entry) for entry in entries]`, the same rows, with less
    work per entry for the common one (a dict as parsed from the page, a plain status): a page of
    only those a column at a time (`_plain_page_rows`); else, entry by entry, a dict lookup for
    its time, one `orjson.dumps` for its JSON, no checks a string does not need. Any other entry
    takes `entry_row` itself."""
    if len(_EPOCH_US) >= _EPOCH_US_LIMIT:
        _EPOCH_US.clear()
    bulk = _plain_page_rows(source_id, source, entries)
    return Rows(bulk) if bulk is not None else Rows.of(_entry_rows(source_id, source, entries))


def _entry_rows(source_id: int, source: Source, entries: Sequence[LogEntry]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    append, dumps = rows.append, orjson.dumps
    error_group = source.error_group
    aitronos = source.kind == "aitronos"
    for entry in entries:
        raw, status = entry.raw, entry.status
        kind = type(status)
        if type(raw) is not dict or not (kind is str or kind is int or status is None):
            append(entry_row(source_id, source, entry))
            continue
        try:
            blob = dumps(raw)
        except TypeError:  # a number beyond a double, kept as it was written (see `dump_json`)
            blob = dump_json(raw)
        time_us = _epoch_us(entry.time)
        if kind is int:
            status_text, status_code = str(status), status if status in _INT64 else None
        else:
            status_text, status_code = status, None
        get = raw.get
        if raw.keys().isdisjoint(_NAMING_KEYS):
            tool = connector = None
        else:
            tool, connector = tool_of(raw), connector_of(raw)
        event, credential, duration = get("event"), get("credential_id"), get("duration_ms")
        number = type(duration)
        append((source_id, entry.id, time_us, status_text, status_code,
                event if event is None or type(event) is str else _text(event),
                tool if tool is None or type(tool) is str else _text(tool),
                connector if connector is None or type(connector) is str else _text(connector),
                credential if credential is None or type(credential) is str else _text(credential),
                float(duration) if (number is int or number is float) and 0 <= duration < DURATION_LIMIT else None,
                error_message(raw) if aitronos else None, error_group(status, raw), entry.invalid, blob))
    return rows


_PLAIN_STATUS = frozenset((str, type(None)))
_TEXT = frozenset((str, type(None)))
_NUMBER = frozenset((int, float, type(None)))


def raws_rows(source_id: int, source: Source, raws: list[Any], times_us: list[int | None] | None = None) -> Rows:
    """`page_rows` of the entries `source.entries_from_raws(raws)` makes (a page as parsed, with
    no lone surrogate in it), the same rows; for a page of plainly valid entries, straight from the
    columns `plain_page` checked, with no entry made (the archive's writer process). `times_us`:
    those entries' times in epoch microseconds, as the viewer's parse of the page found them (its
    entries' `time`), not parsed again from their texts here (an Aitronos page's: ~0.3 s of the
    writer process's ~2.1 s of CPU per 100k)."""
    values = source.plain_page(raws)
    if values is not None:
        given = times_us is not None and len(times_us) == len(raws) and None not in times_us
        moments = None if given else api_times(values[source.time_field])
        if given or None not in moments:  # type: ignore[operator]
            columns = _plain_columns(source_id, source, values["id"], moments, values["status"], raws,
                                     [None] * len(raws), times_us if given else None)
            if columns is not None:
                return Rows(columns)
    return page_rows(source_id, source, source.entries_from_raws(raws, surrogates=False))


def _plain_page_rows(source_id: int, source: Source, entries: Sequence[LogEntry]) -> list[list[Any]] | None:
    """`page_rows` a column at a time, each in one pass the interpreter runs in C (`map`, `zip`):
    for a page whose every entry is plain (a dict, a string or integer status, text facets, a
    numeric duration), as its columns; None for any other page."""
    return _plain_columns(source_id, source, [entry.id for entry in entries], [entry.time for entry in entries],
                          [entry.status for entry in entries], [entry.raw for entry in entries],
                          [entry.invalid for entry in entries])


def _plain_columns(source_id: int, source: Source, ids: list[Any], times: list[datetime | None] | None,
                   statuses: list[Any], raws: list[Any], invalids: list[str | None],
                   times_us: list[int | None] | None = None) -> list[list[Any]] | None:
    count = len(raws)
    status_kinds = set(map(type, statuses))
    if set(map(type, raws)) != {dict} or not status_kinds <= _PLAIN_STATUS | {int}:
        return None
    if not all(map(_NAMING_KEYS.isdisjoint, raws)):
        tools, connectors = _first_named(raws, TOOL_KEYS), _first_named(raws, CONNECTOR_KEYS)
        if not (set(map(type, tools)) <= _TEXT and set(map(type, connectors)) <= _TEXT):
            return None
    else:
        tools, connectors = [None] * count, [None] * count
    events = list(map(dict.get, raws, repeat("event", count)))
    credentials = list(map(dict.get, raws, repeat("credential_id", count)))
    durations = list(map(dict.get, raws, repeat("duration_ms", count)))
    if not (set(map(type, events)) <= _TEXT and set(map(type, credentials)) <= _TEXT
            and set(map(type, durations)) <= _NUMBER):
        return None
    try:
        blobs = list(map(orjson.dumps, raws))
    except TypeError:  # a number beyond a double: `dump_json` keeps it as it was written
        return None
    if int in status_kinds:
        texts = [status if type(status) is not int else str(status) for status in statuses]
        codes = [status if type(status) is int and status in _INT64 else None for status in statuses]
    else:
        texts, codes = statuses, [None] * count
    times_us = epoch_us_all(times) if times_us is None else times_us  # type: ignore[arg-type]
    return [[source_id] * count, ids, times_us,
            texts, codes, events, tools, connectors, credentials,
            [None if duration is None or not 0 <= duration < DURATION_LIMIT else float(duration)
             for duration in durations],
            list(map(error_message, raws)) if source.kind == "aitronos" else [None] * count,
            source.error_groups(statuses, raws), invalids, blobs]


def _first_named(raws: list[dict[str, Any]], keys: tuple[str, ...]) -> list[Any]:
    """`[first_named(raw, keys) for raw in raws]` a key at a time (most entries have the first)."""
    found = list(map(dict.get, raws, repeat(keys[0], len(raws))))
    for key in keys[1:]:
        if None not in found:
            break
        found = [value if value is not None else other
                 for value, other in zip(found, map(dict.get, raws, repeat(key, len(raws))))]
    return found


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


def entry_from_row(source: Source, raw: bytes) -> LogEntry:
    """The entry again, exactly as `entry_from_raw` made it when it was fetched."""
    try:
        value = load_json(raw)
    except ValueError:  # only a file changed behind logview's back: kept, and shown invalid
        value = raw.decode("utf-8", "replace")
    return source.entry_from_kept(value)
