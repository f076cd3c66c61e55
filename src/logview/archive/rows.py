"""What the archive keeps for a source and an entry: its identity, and an entry as a table row.

A source is known by its API, base URL and scope (organization, or team and connector) — never by
the key that read it, which is not written anywhere. An entry is its raw JSON as received, plus
the columns that time ranges, filters and SQL need, taken from it once, when it is stored.
"""

from __future__ import annotations

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
# changes nothing, and is not counted as a change (`inserting.insert_rows` pads its statements with such copies);
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
    again to bind them a column at a time: `inserting.insert_rows`)."""

    __slots__ = ("columns", "kinds")

    def __init__(self, columns: list[list[Any]], kinds: Sequence[frozenset[type]] | None = None) -> None:
        self.columns = columns
        # Each column's types of value, where its maker knows them without looking (a typed page's:
        # `typed_rows.py`): `inserting.insert_rows` binds by them instead of looking at each value, ~0.5 ms a
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


def entry_from_row(source: Source, raw: bytes) -> LogEntry:
    """The entry again, exactly as `entry_from_raw` made it when it was fetched."""
    try:
        value = load_json(raw)
    except ValueError:  # only a file changed behind logview's back: kept, and shown invalid
        value = raw.decode("utf-8", "replace")
    return source.entry_from_kept(value)
