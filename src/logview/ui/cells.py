"""What each table column shows for an entry, per source, as plain sanitised strings.

Kept apart from the widget so the column rules can be read (and tested) without a running app.
Entries are untrusted and may be malformed: every accessor tolerates any JSON shape and returns
one-line text with control characters removed.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import date, datetime, timedelta, timezone
from collections.abc import Sequence
from typing import Any

import msgspec
from msgspec.structs import replace

from logview.model import LogEntry, SourceKind
from logview.sanitize import clean_line
from logview.sources.aitronos import error_message
from logview.sources.base import connector_of, dump_json, tool_of
from logview.model import SEV_ERROR, SEV_INFO, SEV_OK, SEV_UNKNOWN, SEV_WARN, severity

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_CELL_CHARS = 400  # a cell never needs more than a screen width; huge values are cut early

SEVERITY_CLASS = {
    SEV_OK: "ok",
    SEV_INFO: "info",
    SEV_WARN: "warn",
    SEV_ERROR: "error",
    SEV_UNKNOWN: "dim",
}


class Column(msgspec.Struct, frozen=True):
    """One table column: a preferred width, the width it may shrink to, or `flex` for the rest;
    `essential`: it never leaves a narrow screen (the others give way from the last, `table_layout.fit`)."""

    key: str
    title: str
    width: int
    min_width: int
    flex: bool = False
    right: bool = False
    essential: bool = False


# In the order of what matters: the time and status always stay; on a narrow screen the last column
# gives way first, the credential (a name, or a long id), then the error text or request (the flex
# column, taking what is left), then the duration; the tool or event stays longest. The picker shows
# this order, and the user's own is the table's (the credential, listed first before, left the screen
# first anyway and was drawn after the error, whatever the picker said; found in a walk).
MARK = Column("mark", "", 1, 1, essential=True)  # (`!` an invalid row, `✖` an error where colour is grey)
DURATION = Column("duration", "duration", 8, 8, right=True)
COLUMNS: dict[str, tuple[Column, ...]] = {
    "aitronos": (
        MARK,
        Column("time", "time", 23, 23, essential=True),
        Column("status", "status", 7, 7, essential=True),
        Column("tool", "tool", 24, 8),
        DURATION,
        Column("message", "error", 0, 12, flex=True),
        Column("credential", "credential", 22, 8),
    ),
    "supermetrics": (
        MARK,
        Column("time", "time", 19, 19, essential=True),
        Column("status", "status", 6, 6, essential=True),
        Column("event", "event", 20, 8),
        DURATION,
        Column("request", "request", 0, 12, flex=True),
    ),
    # the merged timeline: both APIs, each row says which tab it comes from
    "mixed": (
        MARK,
        Column("time", "time", 23, 23, essential=True),
        Column("origin", "source", 14, 6),
        Column("status", "status", 7, 7, essential=True),
        Column("what", "tool / event", 24, 8),
        DURATION,
        Column("detail", "error / request", 0, 12, flex=True),
    ),
}
GAP = 2
ALWAYS = ("mark", "time", "status")  # the columns every table keeps, first
FIELD_PREFIX = "field:"  # a column showing one top-level field of the raw entries, by name
# The raw fields a built-in column already shows (they are not offered again as plain fields).
BUILTIN_FIELDS = {"status": "status", "credential": "credential_id", "tool": "tool", "duration": "duration_ms",
                  "message": "error", "event": "event", "request": "request", "what": "tool", "detail": "error"}


def counted(count: int, noun: str) -> str:
    """`1 entry`, `2,345 entries`: a count with its noun, singular or plural."""
    if count == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{count:,} {plural}"


def default_keys(kind: SourceKind) -> list[str]:
    """The optional columns a source's table shows until the user picks others."""
    return [c.key for c in COLUMNS[kind] if c.key not in ALWAYS]


def field_column(name: str) -> Column:
    return Column(FIELD_PREFIX + name, clean_line(name), 16, 6)


def columns_for(kind: SourceKind, keys: list[str] | None) -> tuple[Column, ...]:
    """The table's columns: the fixed ones, then `keys` in order (built-in keys, or `field:NAME`).
    The built-in flex column keeps the spare width; without it, the last column takes it."""
    builtin = {c.key: c for c in COLUMNS[kind]}
    chosen = [builtin[key] for key in ALWAYS]
    # a field a fixed column already shows is never a second column (an old choice may name it)
    shown_as_fields = {FIELD_PREFIX + name for name in covered_fields(kind, ALWAYS)}
    for key in default_keys(kind) if keys is None else keys:
        if key in builtin and key not in ALWAYS:
            chosen.append(builtin[key])
        elif key.startswith(FIELD_PREFIX) and len(key) > len(FIELD_PREFIX) and key not in shown_as_fields:
            chosen.append(field_column(key[len(FIELD_PREFIX):]))
    if not any(c.flex for c in chosen) and len(chosen) > len(ALWAYS):
        last = chosen[-1]
        chosen[-1] = replace(last, width=0, min_width=max(last.min_width, 12), flex=True)
    return tuple(chosen)


def covered_fields(kind: SourceKind, keys: Sequence[str]) -> set[str]:
    """The raw fields the built-in columns `keys` show, the time always among them."""
    covered = {BUILTIN_FIELDS[key] for key in keys if key in BUILTIN_FIELDS}
    return covered | ({"created_at", "log_time"} if kind == "mixed"
                      else {"created_at" if kind == "aitronos" else "log_time"})


def discovered_fields(entries: list[LogEntry], kind: SourceKind) -> list[str]:
    """Top-level field names found in `entries`, in first-seen order, less those a built-in
    column of `kind` shows (and the time, which always has its column)."""
    covered = covered_fields(kind, [c.key for c in COLUMNS[kind]])
    seen: dict[str, None] = {}
    for entry in entries:
        if isinstance(entry.raw, dict):
            for key in entry.raw:
                if isinstance(key, str) and key not in covered and key not in seen and len(seen) < 200:
                    seen[key] = None
    return list(seen)


def field_cell(entry: LogEntry, name: str) -> str:
    raw = entry.raw if isinstance(entry.raw, dict) else {}
    return cell_text(raw.get(name))


def cell_text(value: Any) -> str:
    """Any JSON value as one safe line (objects as compact JSON)."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value[:MAX_CELL_CHARS]
    elif isinstance(value, (dict, list)):
        try:
            text = dump_json(value)[:MAX_CELL_CHARS].decode("utf-8", errors="replace")
        except UnicodeEncodeError:  # a lone surrogate (`"\\ud800"` in the JSON): keep it escaped
            text = json.dumps(value, separators=(",", ":"))[:MAX_CELL_CHARS]
    else:
        text = str(value)[:MAX_CELL_CHARS]
    return clean_line(text)


def format_duration(value: Any) -> str:
    """Milliseconds for people: `845 ms`, `2.31 s`, `1m 04s`, `3h 05m`; over a century, which no one
    measured, short as given: `1.2e+29 ms` (its 30 digits pushed the stats' p50 and p95 out of the
    panel: found in a walk); anything odd is shown as text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return cell_text(value)
    # (isfinite asked of floats only: it raises on an int beyond a float's range)
    if isinstance(value, float) and not math.isfinite(value) or value < 0:
        return cell_text(value)  # NaN, ±Infinity (`1e400` in a file), negative: as given
    if value < 1000:
        return f"{value:.0f} ms"
    if value >= 1000 * 3600 * 1_000_000:
        return f"{float(value):.1e} ms" if value <= sys.float_info.max else f">{sys.float_info.max:.1e} ms"
    seconds = value / 1000
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
    if seconds < 3600:
        minutes, rest = divmod(int(seconds), 60)
        return f"{minutes}m {rest:02d}s"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}h {rest // 60:02d}m"


def local_time(us: int | None) -> datetime | None:
    """The local-time-zone datetime for an epoch-µs value (None if absent or out of range)."""
    if us is None:
        return None
    try:
        return (_EPOCH + timedelta(microseconds=us)).astimezone()
    except (OverflowError, OSError, ValueError):
        return None


def today() -> date:
    """The local date now (a function, so tests can pin it)."""
    return datetime.now().astimezone().date()


def time_width(*, dated: bool, millis: bool) -> int:
    """The time column's width: `HH:MM:SS` (`.mmm` with `millis`), after `YYYY-MM-DD ` if `dated`."""
    return (11 if dated else 0) + (12 if millis else 8)


def format_time(moment: datetime | None, *, with_date: bool, millis: bool, dated: bool = True) -> tuple[str, str]:
    """(date part, time part) of a local time; the date part is blank-padded when omitted, and
    left out when the column is not `dated` (every row is today's)."""
    date_width = 11 if dated else 0
    if moment is None:
        return " " * date_width, "—"
    clock = moment.strftime("%H:%M:%S")
    if millis:
        clock += f".{moment.microsecond // 1000:03d}"
    return (moment.strftime("%Y-%m-%d ") if with_date and dated else " " * date_width), clock


def status_text(status: str | int | None) -> str:
    return "—" if status is None else cell_text(status)


def status_class(status: str | int | None) -> str:
    return SEVERITY_CLASS[severity(status)]


def row_cells(entry: LogEntry) -> dict[str, str]:
    """The per-source cells of one row (everything but time, status and the marker)."""
    raw = entry.raw if isinstance(entry.raw, dict) else {}
    if entry.source == "aitronos":
        message = error_message(raw) if raw else None
        cells = {
            "credential": cell_text(raw.get("credential_id")),
            "tool": cell_text(tool_of(raw) or connector_of(raw)),
            "duration": format_duration(raw.get("duration_ms")),
            "message": cell_text(message),
        }
        flex = "message"
        cells["what"], cells["detail"] = cells["tool"], cells["message"]  # the merged timeline's
    else:
        cells = {
            "event": cell_text(raw.get("event")),
            "request": cell_text(raw.get("request")),
            "duration": format_duration(raw.get("duration_ms")),
        }
        flex = "request"
        cells["what"], cells["detail"] = cells["event"], cells["request"]
    if entry.invalid is not None:
        shown = cell_text(entry.raw) if not raw else cells[flex]
        cells[flex] = cells["detail"] = clean_line(f"invalid entry: {entry.invalid}") + (f" · {shown}" if shown else "")
    return cells
