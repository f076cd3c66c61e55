"""Entries of both APIs in one view (the merged timeline across tabs).

Not an API: it is never asked for pages (those come from each tab's own source). It gives the
client-side rules a view of mixed entries needs: statuses compared by how alarming they are
(`success` and `200` are both *ok*, `timeout` and `429` both *warning*), each entry's own time
field, and each API's own error groups.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from logview.model import Filters, LogEntry, ServerQuery
from logview.sources.aitronos import AitronosSource
from logview.sources.base import Cursor, Source
from logview.sources.supermetrics import SupermetricsSource
from logview.model import OTHER_STATUS, SEV_ERROR, SEV_INFO, SEV_OK, SEV_UNKNOWN, SEV_WARN, severity

MIXED_STATUSES = ("ok", "info", "warning", "error", OTHER_STATUS)  # other: no status either API knows
_SEVERITY_OF = {"ok": SEV_OK, "info": SEV_INFO, "warning": SEV_WARN, "error": SEV_ERROR, OTHER_STATUS: SEV_UNKNOWN}
_AITRONOS, _SUPERMETRICS = AitronosSource("-"), SupermetricsSource(1, None)


def _not_an_api() -> NoReturn:
    raise TypeError("a mixed view reads the tabs' entries; it never asks an API for pages")


class MixedSource(Source):
    kind = "mixed"  # type: ignore[assignment]  # a view kind, not an API
    key_env = ""
    default_base_url = "-"
    max_page_limit = 1
    time_field = "created_at"  # Aitronos; `time_field_for` answers per entry
    status_choices = MIXED_STATUSES
    # `source`: the tab an entry comes from, which the entry itself does not know (see `csv_row`)
    csv_columns = ("source", "id", "time", "status", "event_or_tool", "duration_ms", "error_or_request")

    def time_field_for(self, entry: LogEntry) -> str:
        return _SUPERMETRICS.time_field if entry.source == "supermetrics" else _AITRONOS.time_field

    # -- client-side rules ----------------------------------------------------------------
    def validate_status(self, value: str) -> str:
        canonical = value.strip().lower()
        if canonical not in MIXED_STATUSES:
            raise ValueError(f"unknown status {value!r} across APIs: use one of {', '.join(MIXED_STATUSES)}")
        return canonical

    def status_matches(self, status: str | int | None, wanted: str) -> bool:
        return severity(status) == _SEVERITY_OF.get(wanted)

    def error_group(self, status: str | int | None, raw: dict[str, Any]) -> str | None:
        # Aitronos statuses are words, Supermetrics ones HTTP codes: that tells whose rule applies.
        owner = _SUPERMETRICS if type(status) is int or (status is None and "log_time" in raw) else _AITRONOS
        return owner.error_group(status, raw)

    def csv_row(self, entry: LogEntry, origin: str = "") -> list[str]:
        """`origin`: the label of the tab `entry` comes from (a merged store's `origin` column)."""
        raw = entry.raw if isinstance(entry.raw, dict) else {}
        own = _SUPERMETRICS if entry.source == "supermetrics" else _AITRONOS
        row = own.csv_row(entry)
        named = dict(zip(own.csv_columns, row))
        what = named.get("event", named.get("tool", ""))
        rest = named.get("request", named.get("error", ""))
        return [origin, named.get("id", ""), str(raw.get(own.time_field, "")), named.get("status", ""), what,
                named.get("duration_ms", ""), rest]

    def entry_from_raw(self, raw: Any) -> LogEntry:
        _not_an_api()

    def server_side_filters(self, filters: Filters) -> frozenset[str]:
        return frozenset()

    # -- an API's side: never used ----------------------------------------------------------
    def auth_headers(self, key: str) -> dict[str, str]:
        _not_an_api()

    def logs_path(self) -> str:
        _not_an_api()

    def streams(self, filters: Filters, pinned_now: datetime) -> list[ServerQuery]:
        _not_an_api()

    def first_cursor(self, query: ServerQuery) -> Cursor:
        _not_an_api()

    def request_params(self, cursor: Cursor, query: ServerQuery) -> dict[str, str]:
        _not_an_api()

    def next_cursor(self, page: Any, cursor: Cursor) -> Cursor | None:
        _not_an_api()

    def tail_query(self, query: ServerQuery, newest: datetime) -> ServerQuery:
        _not_an_api()
