"""The filters in force as a few short parts, for the line that stands in for the folded sidebar:
`status 4xx,5xx · since 2h · search "token"`. No Textual here: the UI styles the parts."""

from __future__ import annotations

from collections.abc import Mapping

from logview.model import Filters
from logview.sanitize import clean_line
from logview.session.filtering import time_inputs

MAX_VALUE_CHARS = 60  # one line: a long search or event is cut (the sidebar shows it whole)
NAMES = {"credential": "credential", "event": "event", "tool": "tool", "error": "error group", "origin": "source"}


def filter_parts(filters: Filters, labels: Mapping[str, Mapping[str, str]] | None = None) -> list[tuple[str, str]]:
    """(name, value) per filter in force, in the sidebar's order; values are one clean line.
    `labels`: per filter, what to show for a value instead (a credential's name for its id)."""
    labels = labels or {}
    parts: list[tuple[str, str]] = []
    if filters.statuses:
        parts.append(("status", ",".join(clean_line(s) for s in filters.statuses)))
    since, until = time_inputs(filters)
    if since:
        parts.append(("since", _short(since)))
    if until:
        parts.append(("until", _short(until)))
    for field, name in NAMES.items():
        value = getattr(filters, field)
        if value is not None:
            parts.append((name, _short(labels.get(field, {}).get(value, value))))
    if filters.search:
        parts.append(("search", f'"{_short(filters.search)}"'))
    return parts


def _short(value: str) -> str:
    value = clean_line(str(value))
    return value if len(value) <= MAX_VALUE_CHARS else value[:MAX_VALUE_CHARS - 1] + "…"
