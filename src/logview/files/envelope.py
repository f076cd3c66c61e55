"""One line of a mixed file — entries of both APIs, saved from the merged tab — in and out.

Each line is an envelope, keys in this order:
`{"source": "<tab label>", "api": "aitronos"|"supermetrics", "entry": <the entry as received>}`.
The source travels inside the line, never in a side file, so a mixed file survives `grep`, `head`
and `cat a b`; `api` says whose rules parse the entry, because an entry alone may not tell (a
broken one has neither time field).
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any

from logview.jsonutil import dump_json
from logview.model import LogEntry
from logview.sources.aitronos import AitronosSource
from logview.sources.base import InvalidBody, Source, load_json, may_hold_surrogates, unreadable_reason
from logview.sources.invalid_entries import invalid_entry
from logview.sources.supermetrics import SupermetricsSource

ENVELOPE_KEYS = ("source", "api", "entry")
_ENVELOPE_KEY_SET = frozenset(ENVELOPE_KEYS)
UNREADABLE_SOURCE = "(unreadable)"  # shown as the source of a line that names none
PARSERS: dict[str, Source] = {"aitronos": AitronosSource("file"), "supermetrics": SupermetricsSource(1, "file")}


@dataclass(slots=True)
class UnreadableLine(LogEntry):
    """An invalid entry made of a line that is not an envelope. It keeps the line's bytes so a save
    writes it back as it was, rather than inventing a source and an API for it."""

    line: bytes = b""


def is_envelope(value: Any) -> bool:
    return (type(value) is dict and value.keys() == _ENVELOPE_KEY_SET
            and isinstance(value["source"], str) and _known_api(value["api"]))


def _known_api(api: Any) -> bool:
    return isinstance(api, str) and api in PARSERS  # (an `api` that is a list or an object: no hash)


def envelope_line(source: str, entry: LogEntry) -> bytes:
    """The line (without its break) that saves `entry` as coming from `source`; the entry's bytes
    are those `logview export` writes for it."""
    if isinstance(entry, UnreadableLine):
        return entry.line
    return (b'{"source":' + dump_json(source) + b',"api":' + dump_json(entry.source)
            + b',"entry":' + dump_json(entry.raw) + b"}")


def read_envelopes(lines: Sequence[bytes]) -> tuple[list[str], list[LogEntry]]:
    """Lines (without their breaks) as their sources and their entries, each entry parsed by its
    API's `entries_from_raws`, a batch at a time: exactly as the viewer reads it back from its
    line when it is shown (`mixed.EnvelopeLines`). Never raises: a line that is not JSON or not
    an envelope becomes an invalid entry of UNREADABLE_SOURCE (one naming an unknown `api`, of the
    source it names)."""
    sources = [UNREADABLE_SOURCE] * len(lines)
    entries: list[LogEntry | None] = [None] * len(lines)
    raws: list[Any] = [None] * len(lines)
    by_api: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        try:
            value = load_json(line)
        except InvalidBody as error:
            entries[i] = unreadable_line(line, line.decode("utf-8", errors="replace"), unreadable_reason(error))
            continue
        if not is_envelope(value):
            if _names_its_source(value):  # (an unknown `api`: the source it names is still its own)
                sources[i] = value["source"]
                entries[i] = unreadable_line(line, value["entry"], _why_not_an_envelope(value))
            else:
                entries[i] = unreadable_line(line, value, _why_not_an_envelope(value))
            continue
        sources[i], raws[i] = value["source"], value["entry"]
        by_api.setdefault(value["api"], []).append(i)
    for api, rows in by_api.items():
        surrogates = may_hold_surrogates(b"\n".join(lines[i] for i in rows))
        for i, entry in zip(rows, PARSERS[api].entries_from_raws([raws[i] for i in rows], surrogates=surrogates)):
            entries[i] = entry
    return sources, entries  # type: ignore[return-value]  # (every row is filled)


def _names_its_source(value: Any) -> bool:
    """An envelope in every way but its `api`: shown under the source it names, its entry's own
    time and status salvaged as a bare entry's are (it was shown as "(unreadable)", s21 walk #15)."""
    return type(value) is dict and value.keys() == _ENVELOPE_KEY_SET and isinstance(value["source"], str)


def _why_not_an_envelope(value: Any) -> str:
    """Why a JSON line is not an envelope, as precisely as a user can act on it."""
    if type(value) is dict and value.keys() == _ENVELOPE_KEY_SET:
        if not _known_api(value["api"]):
            return f"unknown api {str(value['api'])[:40]!r} (aitronos or supermetrics)"
        return "its source is not text"
    return "not an envelope of a mixed file (source, api, entry)"


def unreadable_line(line: bytes, raw: Any, reason: str) -> UnreadableLine:
    # An entry-shaped line still sorts by its own time, whichever API's field it has.
    kind = "supermetrics" if isinstance(raw, dict) and "log_time" in raw else "aitronos"
    entry = invalid_entry(raw, kind, PARSERS[kind].time_field, reason)
    return UnreadableLine(entry.id, entry.time, entry.status, entry.raw, entry.source, entry.invalid, line=line)
