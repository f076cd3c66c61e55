"""A page's plain entries decoded by typed msgspec Structs, their raw JSON kept as text until read.

The usual Supermetrics page holds the documented keys alone, each of its documented type
(`SupermetricsDocumented`, the file reader's Struct): one typed decode of the page proves that
(a page that fails it is parsed the exact way, `Source.parse_page`) and yields the fields its
entry and its filter columns need, and a second decode of the page cuts it into each entry's JSON
text (`msgspec.Raw`, no copy). No dict is built per entry: the store codes its columns from the
fields (`Codes.encode`), and the archive's writer takes the texts as they came. The raw value is
decoded by `load_json` when something reads `entry.raw` (the table's rows on screen, the detail,
a search, a filter, an export), exactly as the page's exact parse would have read it.

Where msgspec reads bytes otherwise than `load_json` (non-UTF-8 bytes in values it skips, escaped
surrogates), the page never reaches it. An integer of 19 digits or more needs no such care: both
keep it exact (`load_json` through the standard library), and only the raw text holds it anyway
(or an entry's `duration_ms`, an int either way).
"""

from __future__ import annotations

from itertools import repeat
from operator import attrgetter, itemgetter
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from logview.jsonutil import is_utf8, load_json
from logview.model import LogEntry
from logview.sources.api_times import api_times_and_us
from logview.sources.page_columns import _RAW_SLOT, ColumnEntries, PageColumns, PageEntry, columns_of
from logview.sources.shapes import SupermetricsDocumented
from logview.times import epoch_us_remembered

Undecoded = tuple[msgspec.Raw, str | None, int | None]  # (JSON text, event, duration_ms)


def undecoded(entries: Sequence[LogEntry]) -> list[Undecoded] | None:
    """Each entry's (JSON text, event, duration_ms) when every one is a `PageEntry` whose raw
    value has not been read yet (in C: `map`); else None."""
    if set(map(type, entries)) != _PAGE_ENTRY:
        return None
    slots = list(map(_RAW_SLOT.__get__, entries))
    return slots if set(map(type, slots)) == _TUPLE else None


_PAGE_ENTRY, _TUPLE = {PageEntry}, {tuple}


def raw_values(entries: Sequence[LogEntry]) -> list[Any]:
    """`[entry.raw for entry in entries]`, the unread texts of a batch of typed entries read in
    one `load_json` call (one by one, each would cost its own call: an export writes every entry);
    none is kept (the entries stay unread). Alike either way: a typed entry's text holds only
    strings, integers and nulls, which every path of `load_json` reads the same."""
    texts = undecoded(entries)
    if texts is None:
        return [entry.raw for entry in entries]
    return load_json(joined_texts(texts))


def joined_texts(texts: list[Undecoded]) -> bytes:
    """The JSON array of `undecoded`'s texts, as they came."""
    return json_array(map(_TEXT, texts))


def json_array(texts: Iterable[msgspec.Raw]) -> bytes:
    """The JSON array of these JSON texts, made in one buffer of its size: brackets added to the
    joined texts copied ~0.2 MB twice more for a page of 1,000 Supermetrics entries, each into a
    buffer new to the process (0.38 against 0.12 ms a page; the archive takes every page's). The
    join reads each `Raw` where it lies (a view of the page's body): a `bytes` copy of each first
    cost the viewer 0.22 against 0.05 ms a page (~17 ms of its CPU per 100k through the archive)."""
    parts: list[Any] = list(texts)
    if not parts:
        return b"[]"
    parts[0] = b"[" + parts[0]  # (bytes.join and + take any buffer: a Raw, a memoryview)
    parts[-1] = bytes(parts[-1]) + b"]"  # (after: one text is both the first and the last)
    return b",".join(parts)


def texts_and_times(entries: Sequence[LogEntry], texts: list[Undecoded]) -> tuple[bytes, list[int]]:
    """What the archive makes typed entries' rows of (`typed_rows.py`), given their `undecoded`
    texts: the texts joined (`joined_texts`), and the entries' times in epoch microseconds, from
    the times the parse made (remembered for the store's time column, which the entries' batch
    makes next), where the archive's writer process would parse each new time text again: ~50 ms
    of its ~0.7 s of CPU per 100k."""
    return joined_texts(texts), epoch_us_remembered(list(map(_TIME, entries)))  # type: ignore[return-value]


_TEXT, _TIME = itemgetter(0), attrgetter("time")


def typed_texts_and_times(entries: Sequence[LogEntry]) -> tuple[bytes, list[int]] | None:
    """`texts_and_times` of typed entries whose raw values are unread (None for any other batch):
    a typed page's straight from its columns (`page_columns.py`), else from the entries."""
    columns = columns_of(entries)
    if columns is not None and not entries.filled and columns.ids:  # type: ignore[attr-defined]
        return json_array(columns.texts), columns.times_us  # (no entry made: none read)
    listed = entries if columns is not None else list(entries)
    texts = undecoded(listed) if listed else None
    if texts is None:
        return None
    if columns is not None:
        return json_array(columns.texts), columns.times_us
    return texts_and_times(listed, texts)


def column_raws(entries: Sequence[LogEntry]) -> list[Any]:
    """Each entry's raw value as the filter columns read it, decoding none: an undecoded
    `PageEntry` stands in as the two fields they read of it (it holds no other they read), any
    other entry as its raw value (a batch may mix them: a page read by the archive's thread)."""
    slots = list(map(_RAW_SLOT.__get__, entries))
    if tuple not in set(map(type, slots)):
        return slots
    return [{"event": slot[1], "duration_ms": slot[2]} if type(slot) is tuple else slot for slot in slots]


class _TypedLogs(msgspec.Struct):
    logs: list[SupermetricsDocumented]


class _RawLogs(msgspec.Struct):
    logs: list[msgspec.Raw]


_typed_logs, _raw_logs = msgspec.json.Decoder(_TypedLogs).decode, msgspec.json.Decoder(_RawLogs).decode
# A `SupermetricsDocumented`'s fields, taken in C (`map`): here and in the archive's `typed_rows.py`
id_of, stamp_of, status_of, event_of, duration_of = (attrgetter(name) for name in ("id", "stamp", "status",
                                                                                   "event", "duration_ms"))
DECODE_ERRORS = (msgspec.DecodeError, RecursionError)  # what a typed decode refuses with (ValidationError too)


def supermetrics_page_entries(body: bytes) -> Sequence[LogEntry] | None:
    """The entries `SupermetricsSource.parse_page` makes of `body`, when it is an object whose
    `logs` are plainly valid entries holding the documented keys alone, each time parsing; None
    when not (the page is then parsed the exact way)."""
    if type(body) is not bytes:
        return None
    if not body.isascii() and not is_utf8(body):  # (strict: surrogates written as bytes too)
        return None
    if b"\\" in body and (b"\\ud" in body or b"\\uD" in body):  # escaped surrogates
        return None
    try:
        fields, texts = _typed_logs(body).logs, _raw_logs(body).logs
    except DECODE_ERRORS:
        return None
    if not fields or len(fields) != len(texts):
        return None
    times = api_times_and_us(list(map(stamp_of, fields)))
    if times is None:
        return None
    moments, times_us = times
    # (the Structs go: their other fields are in the text, read again only if `raw` is)
    columns = PageColumns(list(map(id_of, fields)), moments, times_us,
                          list(map(status_of, fields)), list(map(event_of, fields)), list(map(duration_of, fields)),
                          texts)
    return ColumnEntries(columns=columns)  # (its entries made when first asked for: most never are)
