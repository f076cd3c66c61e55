"""A Supermetrics page's rows made straight from the JSON text of its entries, as the archive's
writer process is handed it (`writer_child.part_rows`): one typed msgspec decode, no dict per
entry, each entry's text stored as it came.

The exact way (`raws_rows` of `load_json(text)`) builds a dict per entry, checks it plain, takes
each field out of it and writes it back as compact JSON (`orjson.dumps`): ~0.27 s of the writer's
~0.8 s of CPU for 100k entries from the loopback demo, the writer being what a loopback backfill
through the archive waits for. The typed decode (`SupermetricsDocumented`, as the viewer reads a
page: `sources/typed_page.py`) proves the same entries plain and gives the same fields.

The stored JSON must be what `orjson.dumps` writes of the value `load_json` reads, whatever the
server wrote. So the text is taken as it came only when msgspec, encoding the decoded Structs, writes
it again byte for byte: compact, every documented key present, in the Struct's order (the API's),
none twice. With no backslash in the text, its strings hold no character either encoder escapes, and
its integers are plain digits, which both write alike; so that text is orjson's too. Any other text
(whitespace, an absent key, another order, an escape, a float, a misfit) is made the exact way, and
so is a duration of 19 digits or more, which `load_json` reads its own way (or refuses, past 4,300
digits: the writer's problem then, as the thread's).
"""

from __future__ import annotations

from collections import deque
from itertools import compress
from typing import Any

import msgspec

from logview.archive.rows import Rows
from logview.jsonutil import is_utf8
from logview.sources.api_times import api_times_us
from logview.sources.base import Source
from logview.sources.shapes import SupermetricsDocumented
from logview.sources.typed_page import (DECODE_ERRORS, duration_of, event_of, id_of, stamp_of,
                                        status_of)

_entries = msgspec.json.Decoder(list[SupermetricsDocumented]).decode
_encode = msgspec.json.Encoder().encode
_NINETEEN_DIGITS = 10**18


def supermetrics_text_rows(source_id: int, source: Source, text: bytes,
                           times_us: list[int] | None = None) -> Rows | None:
    """The rows `raws_rows(source_id, source, load_json(text))` makes of `text`, a JSON array of
    Supermetrics entries, when it is one as described in the module (None otherwise: then make
    them that way). `times_us`: each entry's time in epoch microseconds, as the viewer's parse of
    the page found them (`typed_page.py`), not found again here from the texts."""
    if b"\\" in text or not (text.isascii() or is_utf8(text)):
        return None
    try:
        fields = _entries(text)
    except DECODE_ERRORS:
        return None
    # Each entry encoded alone is its text, where the page is the array of them byte for byte (as
    # msgspec writes a list): the check and the texts in one pass, where a second decode cut the
    # page into texts (`msgspec.Raw`, then a copy each) after the page was encoded whole for the
    # check: ~35 ms less of the writer process's ~0.65 s of CPU per 100k.
    texts = list(map(_encode, fields))
    if not fields or not _is_array_of(texts, text):
        return None
    times = times_us if times_us is not None and len(times_us) == len(fields) else \
        api_times_us(list(map(stamp_of, fields)))
    if times is None:
        return None
    durations: list[int | None] = list(map(duration_of, fields))
    if max(filter(None, durations), default=0) >= _NINETEEN_DIGITS:
        return None
    count = len(fields)
    statuses: list[int | None] = list(map(status_of, fields))  # (100..599 or None: each fits a code)
    events: list[str | None] = list(map(event_of, fields))
    def nothing() -> list[Any]:  # (tool, connector, credential, error, invalid: a documented entry has none)
        return [None] * count

    # (a duration is an integer from 0 to 10**18 here: within `DURATION_LIMIT`, kept as `raws_rows` keeps it)
    return Rows([[source_id] * count, list(map(id_of, fields)), times, list(map(_STATUS_TEXT.__getitem__, statuses)),
                 statuses, events, nothing(), nothing(), nothing(),
                 list(map(float, durations)) if None not in durations else
                 [None if duration is None else float(duration) for duration in durations],
                 nothing(), _error_groups(source, statuses, events), nothing(), texts],
                _KINDS)


def _is_array_of(texts: list[bytes], text: bytes) -> bool:
    """Whether `text` is the JSON array of `texts`, written compact (`[`, them joined by `,`, `]`)."""
    return (len(text) == sum(map(len, texts)) + len(texts) + 1 and text[:1] == b"[" and text[-1:] == b"]"
            and text.startswith(b",".join(texts), 1))


_STATUS_TEXT: dict[int | None, str | None] = {None: None, **{code: str(code) for code in range(100, 600)}}
_TEXT, _NUMBER, _NONE = frozenset((str, type(None))), frozenset((int, type(None))), frozenset((type(None),))
# (`Rows.kinds` of these rows, in ROW_COLUMNS' order: the columns' makers above say them)
_KINDS = (frozenset((int,)), frozenset((str,)), frozenset((int,)), _TEXT, _NUMBER, _TEXT, _NONE, _NONE, _NONE,
          frozenset((float, type(None))), _NONE, _TEXT, _NONE, frozenset((bytes,)))


def _error_groups(source: Source, statuses: list[int | None], events: list[str | None]) -> list[str | None]:
    """`source.error_groups` of entries holding these statuses and events (a Supermetrics group
    is made of the two alone), asked once per distinct pair of the failing entries' (a status of
    400 and up: no other is in a group, as `SupermetricsSource.error_groups` finds them first), not
    of a dict per entry nor a pair per entry (~0.23 against ~0.15 ms a page of 1,000, ~12% failing)."""
    groups: list[str | None] = [None] * len(statuses)
    failing = {status for status in set(statuses) if status is not None and status >= 400}
    if not failing:
        return groups
    rows = list(compress(range(len(statuses)), map(failing.__contains__, statuses)))
    pairs = list(zip(map(statuses.__getitem__, rows), map(events.__getitem__, rows)))
    distinct = list(set(pairs))
    named = source.error_groups([status for status, _ in distinct], [{"event": event} for _, event in distinct])
    deque(map(groups.__setitem__, rows, map(dict(zip(distinct, named)).__getitem__, pairs)), maxlen=0)
    return groups
