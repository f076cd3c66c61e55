"""Entries that broke an API's schema: kept all the same, marked invalid with the first reason,
with what can be salvaged of their id, time and status (a source's `entry_from_raw`, a file's
line that is JSON but no entry).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from logview.jsonutil import dump_json
from logview.model import LogEntry, SourceKind
from logview.times import parse_api_time

if TYPE_CHECKING:
    from pydantic import ValidationError


def validation_reason(error: ValidationError) -> str:
    """The first schema violation, short enough for the table's invalid marker."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "entry"
    return f"{where}: {first.get('msg', 'invalid')}"


def invalid_entry(raw: Any, source: SourceKind, time_field: str, reason: str) -> LogEntry:
    """Keep an entry that broke the schema, salvaging what can be salvaged for sorting.

    Without a usable id the content hash stands in, so de-duplication neither merges different
    broken entries nor lets one repeat."""
    fields = raw if isinstance(raw, dict) else {}
    raw_id = fields.get("id")
    if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) and str(raw_id):
        entry_id = str(raw_id)
    else:
        try:
            blob = dump_json(raw)
        except UnicodeEncodeError:  # a lone surrogate (`"\\ud800"` in the JSON): hash it escaped
            blob = json.dumps(raw, separators=(",", ":")).encode()
        import hashlib  # (a rare line: hashlib loads OpenSSL, ~3.5 MiB resident, in the child too)

        entry_id = "invalid:" + hashlib.sha1(blob).hexdigest()[:16]
    status = fields.get("status")
    return LogEntry(
        id=entry_id,
        time=parse_api_time(fields.get(time_field)),
        status=status if isinstance(status, (str, int)) and not isinstance(status, bool) else None,
        raw=raw,
        source=source,
        invalid=reason,
    )
