"""Supermetrics Connector Builder execution logs: newest first, paged by a `before` time cursor."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from logview.model import OTHER_STATUS, SUPERMETRICS_STATUS_CLASSES, Filters, LogEntry, Page, ServerQuery, SupermetricsLog
from logview.sources.page_columns import oldest_time
from logview.sources.base import ONE_MILLISECOND, Cursor, Source, numbers_within
from logview.sources.invalid_entries import invalid_entry, validation_reason
from logview.times import format_api_time

CONNECTOR_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_STATUS_CODE = re.compile(r"^[1-5]\d\d$")
_STATUS_CLASS = re.compile(r"^[1-5]xx$")
_INT_OR_NULL, _TEXT_OR_NULL = frozenset({int, type(None)}), frozenset({str, type(None)})


class SupermetricsSource(Source):
    kind = "supermetrics"
    key_env = "SUPERMETRICS_API_KEY"
    default_base_url = "https://api.supermetrics.com"
    max_page_limit = 1000
    time_field = "log_time"
    status_choices = SUPERMETRICS_STATUS_CLASSES
    csv_columns = ("id", "log_time", "status", "event", "request", "duration_ms", "request_id")

    def __init__(self, team_id: int, connector_id: str | None, base_url: str | None = None,
                 page_limit: int | None = None):
        """`connector_id` None: not chosen yet (the viewer offers a picker; see `choose_connector`)."""
        super().__init__(base_url, page_limit)
        if team_id < 1:
            raise ValueError("the team id must be an integer of at least 1")
        self.team_id = team_id
        self.connector_id: str | None = None
        if connector_id is not None:
            self.choose_connector(connector_id)

    def choose_connector(self, connector_id: str) -> None:
        if not isinstance(connector_id, str) or not CONNECTOR_ID.fullmatch(connector_id):
            raise ValueError("a connector id is 1-100 characters of letters, digits, '_' and '-'")
        self.connector_id = connector_id

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def logs_path(self) -> str:
        if self.connector_id is None:
            raise ValueError("no connector chosen")
        return f"/v1/teams/{self.team_id}/connector_builder/connectors/{self.connector_id}/logs"

    def streams(self, filters: Filters, pinned_now: datetime) -> list[ServerQuery]:
        # The upper time bound reaches the server (as the first cursor), and paging stops past the
        # lower one (`reached_lower_bound`); everything else is filtered locally.
        return [ServerQuery(start=filters.since, end=filters.until)]

    def first_cursor(self, query: ServerQuery) -> Cursor:
        return _cursor_after(query.end) if query.end else None

    def request_params(self, cursor: Cursor, query: ServerQuery) -> dict[str, str]:
        params = {"limit": str(self.page_limit)}
        if cursor is not None:
            params["before"] = str(cursor)
        return params

    def next_cursor(self, page: Page, cursor: Cursor) -> Cursor | None:
        if len(page.entries) < self.page_limit:
            return None
        oldest = _oldest(page)
        if oldest is None:
            return None
        # Whether `before` is exclusive is undocumented, and a tie group may straddle the page
        # boundary: ask again from just past the oldest time, so the whole group comes back
        # either way; the pager drops the repeats by id.
        return _cursor_after(oldest)

    def escape_cursors(self, stuck_time: datetime) -> list[Cursor]:
        # `before=T` skips the group if the server is exclusive; if it is inclusive, one
        # millisecond earlier does (timestamps carry at most millisecond precision).
        return [format_api_time(stuck_time), format_api_time(stuck_time - ONE_MILLISECOND)]

    def tail_query(self, query: ServerQuery, newest: datetime) -> ServerQuery:
        return ServerQuery(start=newest, end=None)

    def reached_lower_bound(self, page: Page, query: ServerQuery) -> bool:
        if query.start is None:
            return False
        oldest = _oldest(page)
        return oldest is not None and oldest < query.start

    def server_side_filters(self, filters: Filters) -> frozenset[str]:
        # `since` too: the API cannot filter by it, but it bounds the paging, so a wider range
        # needs the pages not yet fetched (a reload), and a narrow one spares the budget.
        return frozenset(name for name in ("since", "until") if getattr(filters, name) is not None)

    def entry_from_raw(self, raw: Any) -> LogEntry:
        if (plain := self.plain_entry(raw)) is not None:
            return plain
        from pydantic import ValidationError  # (only for a misfit: see `plain_entry`)

        try:
            log = SupermetricsLog.model_validate(raw)
        except ValidationError as error:
            return invalid_entry(raw, "supermetrics", "log_time", validation_reason(error))
        return LogEntry(id=log.id, time=log.log_time, status=log.status, raw=raw, source="supermetrics")

    # Pages read by typed Structs into entries whose raw value is read when needed (`typed_page.py`):
    # what the viewer wants, which reads a few of them. An export writes every one: it sets this
    # False and reads pages the exact way (one `orjson.loads` a page, not two decodes and a third).
    typed_pages = True

    def parse_page(self, body: bytes) -> Page:
        if not self.typed_pages:
            return super().parse_page(body)
        from logview.sources.typed_page import supermetrics_page_entries  # (msgspec: with the first page)

        entries = supermetrics_page_entries(body)  # (None: a page to read the exact way)
        return Page(entries=entries) if entries is not None else super().parse_page(body)

    def plainly_valid(self, raw: dict[str, Any]) -> bool:
        get = raw.get
        if type(get("id")) is not str or type(get("log_time")) is not str:
            return False
        status = get("status")
        if status is not None and (type(status) is not int or not 100 <= status <= 599):
            return False
        duration = get("duration_ms")
        if duration is not None and (type(duration) is not int or duration < 0):
            return False
        for name in ("event", "request", "request_id"):
            value = get(name)
            if value is not None and type(value) is not str:
                return False
        return True

    plain_types = {"id": frozenset({str}), "log_time": frozenset({str}), "status": _INT_OR_NULL,
                   "duration_ms": _INT_OR_NULL, **dict.fromkeys(("event", "request", "request_id"), _TEXT_OR_NULL)}

    def plain_bounds(self, values: dict[str, list[Any]]) -> bool:
        return (numbers_within(values["status"], int, 100, 599)
                and numbers_within(values["duration_ms"], int, 0, math.inf))

    def error_group(self, status: str | int | None, raw: dict[str, Any]) -> str | None:
        # Entries carry no error text: a failure is its HTTP status, within its event.
        if type(status) is not int or status < 400:  # (bool is not a status; `type` is cheap)
            return None
        event = raw.get("event")
        return f"HTTP {status} · {event if isinstance(event, str) else 'no event'}"

    def error_groups(self, statuses: list[Any], raws: list[dict[str, Any]]) -> list[str | None]:
        # Asked only of failures (most entries are not), found among a batch's few distinct statuses.
        failing = {status for status in set(statuses) if type(status) is int and status >= 400}
        if not failing:
            return [None] * len(statuses)
        group = self.error_group
        return [group(status, raw) if status in failing and type(status) is int else None
                for status, raw in zip(statuses, raws)]

    def validate_status(self, value: str) -> str:
        canonical = value.strip().lower()
        if canonical in ("success", "error", OTHER_STATUS) or _STATUS_CODE.match(canonical) or _STATUS_CLASS.match(canonical):
            return canonical
        raise ValueError(
            f"unknown Supermetrics status {value!r}: use an HTTP code like 429, a class like 4xx, "
            "success (<400) / error (>=400), or other (no status in 2xx-5xx)"
        )

    def status_matches(self, status: str | int | None, wanted: str) -> bool:
        if wanted == OTHER_STATUS:
            return type(status) is not int or not 200 <= status < 600
        if not isinstance(status, int) or isinstance(status, bool):
            return False
        if wanted == "success":
            return status < 400
        if wanted == "error":
            return status >= 400
        if wanted.endswith("xx"):
            return status // 100 == int(wanted[0])
        return str(status) == wanted


def _oldest(page: Page) -> datetime | None:
    """The oldest time of the page's entries (None: none has a time), in C for the usual page."""
    return oldest_time(page.entries)


def _cursor_after(moment: datetime) -> str:
    return format_api_time(moment + ONE_MILLISECOND)
