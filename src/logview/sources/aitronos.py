"""Aitronos (Freddy) personal-connector execution logs: offset paging with server-side filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from logview.model import AITRONOS_STATUSES, AitronosLog, Filters, LogEntry, Page, ServerQuery
from logview.sources.base import Cursor, Source, connector_of, csv_cell, numbers_within, tool_of
from logview.sources.error_groups import mask_variable
from logview.sources.invalid_entries import invalid_entry, validation_reason
from logview.times import format_api_time


def error_message(raw: dict[str, Any]) -> str | None:
    """The entry's error text, whether the API sends an object, a string or `error_message`; a
    list or an object as compact JSON (its `str` recursed: an `error` nested 990 deep ended the
    viewer as its row was drawn, found in a walk)."""
    error = raw.get("error")
    if isinstance(error, dict):
        message = error.get("message") or error.get("code")
        return None if message is None else csv_cell(message)
    if error:
        return csv_cell(error)
    message = raw.get("error_message")
    return None if message is None else csv_cell(message)


class AitronosSource(Source):
    kind = "aitronos"
    key_env = "FREDDY_API_KEY"
    default_base_url = "https://api.aitronos.com"
    # The limit's maximum is undocumented; a sibling endpoint caps at 100, so we never ask for more.
    max_page_limit = 100
    time_field = "created_at"
    status_choices = AITRONOS_STATUSES
    csv_columns = ("id", "created_at", "status", "credential_id", "connector", "tool", "duration_ms", "error")

    def __init__(self, organization_id: str, base_url: str | None = None, page_limit: int | None = None):
        super().__init__(base_url, page_limit)
        self.organization_id = organization_id

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"X-API-Key": key}

    def logs_path(self) -> str:
        return "/v1/personal-connectors/logs"

    def streams(self, filters: Filters, pinned_now: datetime) -> list[ServerQuery]:
        # Pinning end_date keeps offsets stable while new entries arrive at the head.
        end = min(filters.until, pinned_now) if filters.until else pinned_now
        statuses = filters.statuses or (None,)
        return [
            ServerQuery(status=status, credential=filters.credential, start=filters.since, end=end)
            for status in statuses
        ]

    def first_cursor(self, query: ServerQuery) -> Cursor:
        return 0

    def request_params(self, cursor: Cursor, query: ServerQuery) -> dict[str, str]:
        params = {
            "organization_id": self.organization_id,
            "limit": str(self.page_limit),
            "offset": str(cursor),
        }
        if query.status:
            params["status"] = query.status
        if query.credential:
            params["credential_id"] = query.credential
        if query.start:
            params["start_date"] = format_api_time(query.start)
        if query.end:
            params["end_date"] = format_api_time(query.end)
        return params

    def _page(self, document: dict[str, Any], entries: list[LogEntry]) -> Page:
        total, returned = document.get("total"), document.get("returned")
        has_more = document.get("has_more")
        return Page(
            entries=entries,
            total=total if isinstance(total, int) and not isinstance(total, bool) else None,
            has_more=has_more if isinstance(has_more, bool) else None,
            returned=returned if isinstance(returned, int) and not isinstance(returned, bool) else None,
        )

    def next_cursor(self, page: Page, cursor: Cursor) -> Cursor | None:
        assert isinstance(cursor, int)
        returned = len(page.entries)
        if returned == 0:
            return None
        if page.has_more is not None:
            return cursor + returned if page.has_more else None
        if page.total is not None:  # fallback when has_more is missing
            return cursor + returned if cursor + returned < page.total else None
        return cursor + returned if returned >= self.page_limit else None

    def tail_query(self, query: ServerQuery, newest: datetime) -> ServerQuery:
        return ServerQuery(status=query.status, credential=query.credential, start=newest, end=None)

    def server_side_filters(self, filters: Filters) -> frozenset[str]:
        names = {"status": bool(filters.statuses), "credential": filters.credential is not None,
                 "since": filters.since is not None, "until": filters.until is not None}
        return frozenset(name for name, active in names.items() if active)

    def entry_from_raw(self, raw: Any) -> LogEntry:
        if (plain := self.plain_entry(raw)) is not None:
            return plain
        from pydantic import ValidationError  # (only for a misfit: see `plain_entry`)

        try:
            log = AitronosLog.model_validate(raw)
        except ValidationError as error:
            return invalid_entry(raw, "aitronos", "created_at", validation_reason(error))
        return LogEntry(id=log.id, time=log.created_at, status=log.status, raw=raw, source="aitronos")

    def plainly_valid(self, raw: dict[str, Any]) -> bool:
        get = raw.get
        if type(get("id")) is not str or type(get("created_at")) is not str:
            return False
        for name in ("status", "credential_id"):
            value = get(name)
            if value is not None and type(value) is not str:
                return False
        duration = get("duration_ms")
        return (duration is None or type(duration) is float
                or (type(duration) is int and abs(duration) < 2**53))

    plain_types = {"id": frozenset({str}), "created_at": frozenset({str}),
                   **dict.fromkeys(("status", "credential_id"), frozenset({str, type(None)})),
                   "duration_ms": frozenset({int, float, type(None)})}

    def plain_bounds(self, values: dict[str, list[Any]]) -> bool:
        return numbers_within(values["duration_ms"], int, 1 - 2**53, 2**53 - 1)  # (a double holds it exactly)

    def validate_status(self, value: str) -> str:
        canonical = value.strip().lower()
        if canonical not in AITRONOS_STATUSES:
            raise ValueError(
                f"unknown Aitronos status {value!r}: use one of {', '.join(AITRONOS_STATUSES)}"
            )
        return canonical

    def status_matches(self, status: str | int | None, wanted: str) -> bool:
        return isinstance(status, str) and status.lower() == wanted

    def error_group(self, status: str | int | None, raw: dict[str, Any]) -> str | None:
        # `CODE: message`, masked; a failed status without any error text is a group of its own.
        error = raw.get("error")
        if error is None and status == "success" and "error_message" not in raw:
            return None  # the common case, first: this runs for every line of a big file
        code = error.get("code") if isinstance(error, dict) else None
        message = error_message(raw)
        if code is not None and message is not None and str(code) != message:
            return mask_variable(f"{code}: {message}")
        if message is not None:
            return mask_variable(message)
        if isinstance(status, str) and status.lower() in ("error", "blocked", "timeout"):
            return f"{status.lower()} (no error message)"
        return None

    def csv_row_of(self, raw: dict[str, Any]) -> list[str]:
        row = super().csv_row_of(raw)
        row[self.csv_columns.index("error")] = error_message(raw) or ""
        for column, value in (("tool", tool_of(raw)), ("connector", connector_of(raw))):
            row[self.csv_columns.index(column)] = csv_cell(value)
        return row

