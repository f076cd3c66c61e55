"""One line of a mixed file — entries of both APIs, saved from the merged tab — in and out.

Each line is an envelope, keys in this order:
`{"source": "<tab label>", "api": "aitronos"|"supermetrics", "entry": <the entry as received>}`.
The source travels inside the line, never in a side file, so a mixed file survives `grep`, `head`
and `cat a b`; `api` says whose rules parse the entry, because an entry alone may not tell (a
broken one has neither time field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logview.jsonutil import dump_json
from logview.model import LogEntry
from logview.sources.aitronos import AitronosSource
from logview.sources.base import InvalidBody, Source, invalid_entry, load_json
from logview.sources.supermetrics import SupermetricsSource
from logview.times import parse_api_time

ENVELOPE_KEYS = ("source", "api", "entry")
UNREADABLE_SOURCE = "(unreadable)"  # shown as the source of a line that names none
PARSERS: dict[str, Source] = {"aitronos": AitronosSource("file"), "supermetrics": SupermetricsSource(1, "file")}


@dataclass(slots=True)
class UnreadableLine(LogEntry):
    """An invalid entry made of a line that is not an envelope. It keeps the line's bytes so a save
    writes it back as it was, rather than inventing a source and an API for it."""

    line: bytes = b""


def is_envelope(value: Any) -> bool:
    return (isinstance(value, dict) and value.keys() == set(ENVELOPE_KEYS)
            and isinstance(value["source"], str) and value["api"] in PARSERS)


def envelope_line(source: str, entry: LogEntry) -> bytes:
    """The line (without its break) that saves `entry` as coming from `source`; the entry's bytes
    are those `logview export` writes for it."""
    if isinstance(entry, UnreadableLine):
        return entry.line
    return (b'{"source":' + dump_json(source) + b',"api":' + dump_json(entry.source)
            + b',"entry":' + dump_json(entry.raw) + b"}")


def entry_from_envelope(line: bytes) -> tuple[str, LogEntry]:
    """One line (without its break) as (its source, its entry parsed by its API); never raises:
    a line that is not JSON or not an envelope becomes an invalid entry of UNREADABLE_SOURCE."""
    try:
        value = load_json(line)
    except InvalidBody as error:
        return UNREADABLE_SOURCE, unreadable_line(line, line.decode("utf-8", errors="replace"), f"not JSON: {error}")
    if not is_envelope(value):
        return UNREADABLE_SOURCE, unreadable_line(line, value, "not an envelope of a mixed file "
                                                               "(source, api, entry)")
    return value["source"], entry_of(value["api"], value["entry"])


def entry_of(api: str, raw: Any) -> LogEntry:
    """`raw` parsed by `api`'s rules. Entries as the API documents them skip model validation
    (half of reading a file's worth of them), exactly as `Source.plainly_valid` allows."""
    parser = PARSERS[api]
    if isinstance(raw, dict) and parser.plainly_valid(raw):
        moment = parse_api_time(raw[parser.time_field])
        if moment is not None:
            return LogEntry(id=raw["id"], time=moment, status=raw.get("status"), raw=raw, source=parser.kind)
    return parser.entry_from_raw(raw)


def unreadable_line(line: bytes, raw: Any, reason: str) -> UnreadableLine:
    # An entry-shaped line still sorts by its own time, whichever API's field it has.
    kind = "supermetrics" if isinstance(raw, dict) and "log_time" in raw else "aitronos"
    entry = invalid_entry(raw, kind, PARSERS[kind].time_field, reason)
    return UnreadableLine(entry.id, entry.time, entry.status, entry.raw, entry.source, entry.invalid, line=line)
