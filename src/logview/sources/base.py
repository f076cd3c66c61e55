"""What every log source provides: how to ask for a page, read it, and move the cursor.

A source never touches the network; the pager drives it through the HTTP client. Adding a third
API means one new module with one `Source` subclass.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timedelta, timezone
from itertools import repeat
from typing import Any, ClassVar, Hashable

from logview.jsonutil import DEEPEST, InvalidJSON, NotUTF8JSON, TooDeepJSON, dump_json
from logview.jsonutil import load_json as _load_json
from logview.model import Filters, LogEntry, Page, ServerQuery, SourceKind
from logview.sanitize import shown_otherwise
from logview.sources.api_times import api_time, api_times

Cursor = Hashable


def numbers_within(values: list[Any], kind: type, low: float, high: float) -> bool:
    """Whether every value of type `kind` among `values` lies in [low, high]."""
    numbers = values if set(map(type, values)) == {kind} else [value for value in values if type(value) is kind]
    return not numbers or (low <= min(numbers) and max(numbers) <= high)


def plain_keys(raw: dict[str, Any]) -> bool:
    """Whether every key is text the model takes (it refuses a key with a lone surrogate)."""
    for key in raw:
        if not key.isascii():
            try:
                key.encode()
            except UnicodeEncodeError:
                return False
    return True


def may_hold_surrogates(data: bytes) -> bool:
    """Whether JSON bytes may read as text with a lone surrogate: its escape (`\\ud800`), or its
    raw bytes, which the standard library's parser takes (orjson refuses both). One byte is looked
    for first: that is `memchr`, ~100 times faster over a page than a search for the escape."""
    return (b"\\" in data and (b"\\ud" in data or b"\\uD" in data)) or b"\xed" in data


class InvalidBody(ValueError):
    """A 2xx body that is not the page the contract promises (torn JSON, `logs` not a list...)."""


class TooDeepBody(InvalidBody):
    """JSON nested deeper than logview reads (`TooDeepJSON`): JSON all the same."""


class NotUTF8Body(InvalidBody):
    """JSON whose bytes are not UTF-8 (`NotUTF8JSON`): its reason says so, not "not JSON"."""


def load_json(body: bytes | str) -> Any:
    """Parse JSON; a body that is not JSON raises InvalidBody (a retryable fault upstream)."""
    try:
        return _load_json(body)
    except TooDeepJSON as error:
        raise TooDeepBody(str(error)) from None
    except NotUTF8JSON as error:
        raise NotUTF8Body(str(error)) from None
    except InvalidJSON as error:
        raise InvalidBody(str(error)) from None


def unreadable_reason(error: InvalidBody) -> str:
    """Why a file's line holds no entry, as its row says: not JSON, nested too deep to read (it is
    JSON: 'not JSON: depth limit exceeded' misled), or not UTF-8 (`not UTF-8 (byte 0xFF at byte 10)`)."""
    return str(error) if isinstance(error, (TooDeepBody, NotUTF8Body)) else f"not JSON: {error}"


def searchable_text(value: Any) -> str:
    """Every scalar value of an entry, lower-cased and joined, for case-insensitive search. A string
    the table shows otherwise is in it as shown too (`sanitize.shown_otherwise`), so what the user
    sees is found: `bidi\\u202eevil`, shown `bidievil`, was not (found in a walk)."""
    parts: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            parts.append(str(item))
    text = "\n".join(parts)
    shown = shown_otherwise(parts, text)
    return "\n".join([text, *shown]).lower() if shown else text.lower()


# Aitronos documents no tool field; a sibling endpoint names tools by `tool_key`, and real
# accounts may send any of these. The first present names the entry's tool (or connector).
TOOL_KEYS = ("tool", "tool_key", "tool_name")
CONNECTOR_KEYS = ("connector", "connector_key", "connector_name")


def first_named(raw: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the first of `keys` that `raw` has and is not null."""
    for key in keys:
        value = raw.get(key)
        if value is not None:
            return value
    return None


def tool_of(raw: dict[str, Any]) -> Any:
    return first_named(raw, TOOL_KEYS)


def connector_of(raw: dict[str, Any]) -> Any:
    return first_named(raw, CONNECTOR_KEYS)


_ATTR = {"status": "statuses"}  # a filter's name → its field of `Filters`
_PROBE = Filters(statuses=("probe",), since=datetime(2000, 1, 1, tzinfo=timezone.utc),
                 until=datetime(2000, 1, 2, tzinfo=timezone.utc), credential="probe", event="probe",
                 search="probe")  # every filter set: which ones a source sends to its server


class Source(ABC):
    """One API's request building, page parsing and paging rules."""

    kind: ClassVar[SourceKind]
    key_env: ClassVar[str]
    default_base_url: ClassVar[str]
    max_page_limit: ClassVar[int]
    time_field: ClassVar[str]
    status_choices: ClassVar[tuple[str, ...]]  # the sidebar's options, in key order 1..n
    csv_columns: ClassVar[tuple[str, ...]]

    def __init__(self, base_url: str | None = None, page_limit: int | None = None) -> None:
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.page_limit = min(page_limit or self.max_page_limit, self.max_page_limit)

    # -- requests -------------------------------------------------------------------------
    @abstractmethod
    def auth_headers(self, key: str) -> dict[str, str]: ...

    @abstractmethod
    def logs_path(self) -> str: ...

    @abstractmethod
    def streams(self, filters: Filters, pinned_now: datetime) -> list[ServerQuery]:
        """The request streams a backfill runs and merges (Aitronos: one per status)."""

    @abstractmethod
    def first_cursor(self, query: ServerQuery) -> Cursor: ...

    @abstractmethod
    def request_params(self, cursor: Cursor, query: ServerQuery) -> dict[str, str]: ...

    @abstractmethod
    def next_cursor(self, page: Page, cursor: Cursor) -> Cursor | None:
        """Where the next page starts, or None when this page was the last."""

    @abstractmethod
    def tail_query(self, query: ServerQuery, newest: datetime) -> ServerQuery:
        """The query a live-tail cycle runs to find entries at or after `newest`."""

    def reached_lower_bound(self, page: Page, query: ServerQuery) -> bool:
        """True when paging can stop early because the page is older than the range asked for."""
        return False

    def escape_cursors(self, stuck_time: datetime) -> list[Cursor]:
        """Cursors to try, in order, to get past a full page that is all `stuck_time`."""
        return []

    @abstractmethod
    def server_side_filters(self, filters: Filters) -> frozenset[str]:
        """Names of the filters (`status`, `since`, ...) the server applies for this source."""

    # -- responses ------------------------------------------------------------------------
    def server_fields(self) -> frozenset[str]:
        """The filter names this source can apply on the server."""
        return self.server_side_filters(_PROBE)

    def server_part(self, filters: Filters) -> Filters:
        """Only the filters the server applies: what a pager is given (and what an archived
        range is complete for). The rest stays local: changing it never needs the network."""
        return Filters(**{_ATTR.get(name, name): getattr(filters, _ATTR.get(name, name))
                          for name in self.server_fields()})

    def parse_page(self, body: bytes) -> Page:
        try:
            document = load_json(body)
        except TooDeepBody:  # an entry nested up to 1,024 deep reads alone; one deeper is kept as its text
            from logview.sources.deep_page import read_deep_page

            try:
                document = read_deep_page(body if isinstance(body, bytes) else body.encode())
            except TooDeepJSON as error:
                raise TooDeepBody(str(error)) from None
        if not isinstance(document, dict):
            raise InvalidBody(f"expected a JSON object, got {type(document).__name__}")
        logs = document.get("logs")
        if not isinstance(logs, list):
            raise InvalidBody("the response has no `logs` list")
        surrogates = not isinstance(body, bytes) or may_hold_surrogates(body)
        return self._page(document, self.entries_from_raws(logs, surrogates=surrogates))

    def entries_from_raws(self, raws: list[Any], *, surrogates: bool = True) -> list[LogEntry]:
        """`[entry_from_raw(raw) for raw in raws]`, without a model per entry on the hot path: an
        entry whose fields plainly have their documented types (`plainly_valid`) and whose time
        parses is built directly, exactly as the model would build it (id and status as they are,
        the time as `parse_api_time` reads it); only the misfits go through the model.
        `surrogates` False: no text in `raws` holds a lone surrogate (see `may_hold_surrogates`), so
        the page may be checked a field at a time; else entry by entry (`plain_entry` sends a key
        with a lone surrogate to the model, which refuses it)."""
        kind, time_field = self.kind, self.time_field
        if not surrogates:  # the usual page: all of it checked and built a field at a time
            plain = self.plain_page(raws)
            if plain is not None:
                moments = api_times(plain[time_field])
                if None not in moments:
                    return list(map(LogEntry, plain["id"], moments, plain["status"], raws, repeat(kind)))
        plain_entry, entry_from_kept = self.plain_entry, self.entry_from_kept
        return [entry if (entry := plain_entry(raw)) is not None else entry_from_kept(raw) for raw in raws]

    def entry_from_kept(self, raw: Any) -> LogEntry:
        """`entry_from_raw` of a raw value as a page or the archive keeps it: an entry kept as its
        JSON text, nested too deep to read (`deep_page.py`), is made again with its id and time."""
        if type(raw) is str and raw[:1] == "{" and len(raw) > 2 * DEEPEST:
            from logview.sources.deep_page import deep_entry

            if (entry := deep_entry(raw, self.entry_from_raw)) is not None:
                return entry
        return self.entry_from_raw(raw)

    def plain_entry(self, raw: Any) -> LogEntry | None:
        """The entry of a plainly valid dict whose time parses, built without the model, exactly
        as the model would build it; None: the model must judge it (pydantic then loads: a file's
        first rows, all plain, need none). Every `entry_from_raw` asks this first."""
        if type(raw) is dict and self.plainly_valid(raw) and plain_keys(raw):
            moment = api_time(raw[self.time_field])
            if moment is not None:
                return LogEntry(raw["id"], moment, raw.get("status"), raw, self.kind)
        return None

    def _page(self, document: dict[str, Any], entries: list[LogEntry]) -> Page:
        return Page(entries=entries)

    @abstractmethod
    def entry_from_raw(self, raw: Any) -> LogEntry:
        """Normalise one raw entry; never raises: a misfit entry comes back marked invalid."""

    def plainly_valid(self, raw: dict[str, Any]) -> bool:
        """True when every schema field of `raw` has its documented JSON type (the time still
        has to parse). Then `entry_from_raw` would accept it and take `status` as it is, so bulk
        readers may skip model validation; False only means "ask `entry_from_raw`"."""
        return False

    # The types each schema field's value may have for `plainly_valid` (NoneType: absent or
    # null), `id`, `status` and the time field among them; empty: a source without a plain page.
    plain_types: ClassVar[dict[str, frozenset[type]]] = {}

    def plain_page(self, raws: list[Any]) -> dict[str, list[Any]] | None:
        """Each schema field's values over `raws` when every one is a dict and `plainly_valid`,
        found a field at a time (a type check over a whole column is a set of types); else None."""
        if not self.plain_types or not raws or set(map(type, raws)) != {dict}:
            return None
        values: dict[str, list[Any]] = {}
        for name, types in self.plain_types.items():
            column = values[name] = list(map(dict.get, raws, repeat(name)))  # (in C: all are dicts)
            if not types.issuperset(map(type, column)):
                return None
        return values if self.plain_bounds(values) else None

    def plain_bounds(self, values: dict[str, list[Any]]) -> bool:
        """Whether the numbers among `plain_page`'s values are within what `plainly_valid` allows."""
        return True

    # -- client-side filtering ------------------------------------------------------------
    @abstractmethod
    def validate_status(self, value: str) -> str:
        """The canonical form of a `--status` value; ValueError with a helpful message if wrong."""

    @abstractmethod
    def status_matches(self, status: str | int | None, wanted: str) -> bool: ...

    @staticmethod
    def keeps_everything(filters: Filters) -> bool:
        """Whether `matches` passes every entry under these filters (none of them is set)."""
        return not (filters.statuses or filters.search) and all(
            value is None for value in (filters.since, filters.until, filters.credential, filters.event,
                                        filters.tool, filters.error))

    def matches(self, entry: LogEntry, filters: Filters) -> bool:
        """Apply every filter locally. Cheap, and a safety net where a server ignores a parameter."""
        if filters.statuses and not any(self.status_matches(entry.status, s) for s in filters.statuses):
            return False
        if filters.since is not None and (entry.time is None or entry.time < filters.since):
            return False
        if filters.until is not None and (entry.time is None or entry.time > filters.until):
            return False
        raw = entry.raw if isinstance(entry.raw, dict) else {}
        if filters.credential is not None and raw.get("credential_id") != filters.credential:
            return False
        if filters.event is not None and raw.get("event") != filters.event:
            return False
        if filters.tool is not None and tool_of(raw) != filters.tool:
            return False
        if filters.error is not None and self.error_group(entry.status, raw) != filters.error:
            return False
        if filters.search and filters.search.lower() not in searchable_text(entry.raw):
            return False
        return True

    def time_field_for(self, entry: LogEntry) -> str:
        """The field holding `entry`'s time (one per API; a mixed view answers per entry)."""
        return self.time_field

    # -- patterns ----------------------------------------------------------------------------
    def error_group(self, status: str | int | None, raw: dict[str, Any]) -> str | None:
        """The kind of failure an entry records, its variable parts masked (`error_groups.py`)
        so that failures of one kind count as one group; None when it records none. `status` is
        the entry's normalised status (`LogEntry.status`)."""
        return None

    def error_groups(self, statuses: list[Any], raws: list[dict[str, Any]]) -> list[str | None]:
        """`error_group` of each entry of a batch (a source may skip those that cannot have one)."""
        group = self.error_group
        return [group(status, raw) for status, raw in zip(statuses, raws)]

    def csv_row(self, entry: LogEntry) -> list[str]:
        return self.csv_row_of(entry.raw if isinstance(entry.raw, dict) else {})

    def csv_row_of(self, raw: dict[str, Any]) -> list[str]:
        """An entry's CSV row from its fields alone (a file's CSV makes no entry: `write_lines`)."""
        return [csv_cell(raw.get(column)) for column in self.csv_columns]


DURATION_LIMIT = 1e300  # beyond any duration, and below what overflows a float (or is infinite)


def duration_ms(raw: dict[str, Any]) -> float | None:
    """`duration_ms` when it is a real, non-negative number of milliseconds within reason."""
    value = raw.get("duration_ms")
    kind = type(value)
    if (kind is int or kind is float) and 0 <= value < DURATION_LIMIT:  # (bool is not a number here)
        return float(value)
    return None


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return dump_json(value).decode()
    return str(value)


ONE_MILLISECOND = timedelta(milliseconds=1)
