"""Which time ranges the archive holds completely: spans, merged, per source and server filter.

A span is complete when every entry the server had in it (for the filter it was fetched with) is
archived. Sync asks only for what no span covers; so a span must never claim entries the archive
does not hold (retention trims spans as it prunes: `trimmed`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from logview.model import Filters


class Span(msgspec.Struct, frozen=True):
    """`start_us`..`end_us`, both inclusive, UTC microseconds since the epoch. A `start_us` of
    None reaches back to the beginning of the source's data (a backfill that found its end).

    `joins_at`: a backfill's page claims its range only up to the span its previous page recorded
    (which starts there), and only if that span is still stored when the page is (`record_span`):
    another process may have pruned or cleared the archive between the two pages, and a claim up
    to the stream's top would then call the entries it removed complete (found in a walk)."""

    start_us: int | None
    end_us: int
    joins_at: int | None = None

    def __post_init__(self) -> None:
        if self.start_us is not None and self.start_us > self.end_us:
            raise ValueError(f"a span cannot start ({self.start_us}) after it ends ({self.end_us})")

    def contains(self, time_us: int) -> bool:
        return (self.start_us is None or self.start_us <= time_us) and time_us <= self.end_us

    def meets(self, since_us: int | None, until_us: int | None) -> bool:
        """Whether any of it lies within `since_us`..`until_us` (None: open)."""
        if until_us is not None and self.start_us is not None and self.start_us > until_us:
            return False
        return not (since_us is not None and self.end_us < since_us)

    def within(self, since_us: int | None, until_us: int | None) -> tuple[int | None, int]:
        """Its part within `since_us`..`until_us` (None: open), as (start, end)."""
        low = self.start_us if since_us is None else max(since_us, self.start_us or since_us)
        return low, self.end_us if until_us is None else min(until_us, self.end_us)

    def shown_part(self, since_us: int | None, until_us: int | None) -> tuple[int | None, int]:
        """Its part within the range, and the time just below it: a span starts just after a
        page's oldest time, which may go on in the next page (`sync.ArchivedPager._fetch`), yet the
        entries archived at it are real, and a relaunch waiting for the server (a 429 may say an
        hour) must not hide them. The gap below keeps only its entries at that time that were not
        shown."""
        low, high = self.within(since_us, until_us)
        if self.start_us is not None and low == self.start_us and (since_us is None or since_us < low):
            low -= 1
        return low, high


def _start_key(span: Span) -> float | int:
    return float("-inf") if span.start_us is None else span.start_us


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """The same times as `spans`, as few spans as possible (overlapping and adjacent ones joined:
    times are whole microseconds), newest first."""
    merged: list[Span] = []
    for span in sorted(spans, key=_start_key):
        if merged and (span.start_us is None or span.start_us <= merged[-1].end_us + 1):
            last = merged[-1]
            if span.end_us > last.end_us:
                merged[-1] = Span(last.start_us, span.end_us)
        else:
            merged.append(span)
    merged.reverse()
    return merged


def trimmed(spans: Iterable[Span], floor_us: int) -> list[Span]:
    """`spans` cut to start at `floor_us` or later: what is still complete once every entry
    before `floor_us` may be gone."""
    kept = []
    for span in spans:
        if span.end_us < floor_us:
            continue
        start = span.start_us if span.start_us is not None and span.start_us >= floor_us else floor_us
        kept.append(Span(start, span.end_us))
    return kept


def query_key(filters: Filters) -> str:
    """The archive's name for what the server was asked, apart from the time range: its spans are kept per
    source and per this key."""
    parts = []
    if filters.statuses:
        parts.append("status=" + ",".join(sorted(filters.statuses)))
    if filters.credential is not None:
        parts.append("credential=" + filters.credential)
    return "&".join(parts)


def holding(spans: Iterable[Span], oldest_us: int | None) -> list[Span]:
    """`spans` less those wholly older than `oldest_us`, the oldest entry archived (None: none):
    pruning leaves behind, between two pages it took, the seconds the server had nothing in, and
    those "complete" slivers hold nothing, fill `archive list` and split a later load into one fill a
    gap (s23 walk #4, #5). Dropping one only asks the server again for a range it had nothing in."""
    return [span for span in spans if oldest_us is not None and span.end_us >= oldest_us]


def stored_spans(db: sqlite3.Connection, source_id: int, query_key: str) -> list[Span]:
    rows = db.execute("SELECT start_us, end_us FROM coverage WHERE source = ? AND query_key = ?",
                      (source_id, query_key)).fetchall()
    return [Span(start, end) for start, end in rows]


def record_span(db: sqlite3.Connection, source_id: int, span: Span, query_key: str) -> None:
    """Add `span` to what is complete for (source, query_key), kept merged. Inside the caller's
    transaction."""
    existing = stored_spans(db, source_id, query_key)
    if span.joins_at is not None:
        # up to the previous page's span if it is still there; else short of the time where the
        # two pages met (the previous page's entries at that time may be gone with the rest)
        end = span.joins_at - (1 if any(s.contains(span.joins_at) for s in existing) else 2)
        if span.start_us is not None and span.start_us > end:
            return
        span = Span(span.start_us, min(span.end_us, end))
    merged = merge_spans([*existing, span])
    if set(merged) != set(existing):  # (a span inside one already complete changes nothing)
        _replace(db, source_id, query_key, merged)


def joined_next(joins_at: int | None, covered: Span | None, top_us: int | None) -> int | None:
    """Where a backfill's next page joins its claim (`Span.joins_at`) once a page was stored with
    `covered`: where that claim starts. A page stored claiming nothing (`top_us`: the stream's
    top, None for no entries), before any did, makes the next claim stop short of the top."""
    if covered is not None:
        return covered.start_us
    return top_us + 1 if joins_at is None and top_us is not None else joins_at


def trim_coverage(db: sqlite3.Connection, source_id: int, floor_us: int) -> None:
    """Every span of the source, for every filter, cut at `floor_us` (entries before it pruned),
    and one microsecond more: a backfill's page whose previous page met it at a time just below
    the floor (whose entries went) then finds its previous span cut, and claims no further than
    its own entries (`Span.joins_at`; entries at `floor_us` itself stay, merely unclaimed)."""
    for key in _query_keys(db, source_id):
        _replace(db, source_id, key, trimmed(stored_spans(db, source_id, key), floor_us + 1))


def drop_slivers(db: sqlite3.Connection, source_id: int) -> None:
    """Every span of the source, for every filter, left only where it reaches the oldest entry
    archived or later (`holding`). A source holding no entry keeps its spans: an empty range
    fetched is complete, and nothing was pruned from it."""
    oldest = db.execute("SELECT min(time_us) FROM entries WHERE source = ?", (source_id,)).fetchone()[0]
    if oldest is None:
        return
    for key in _query_keys(db, source_id):
        spans = stored_spans(db, source_id, key)
        kept = holding(spans, oldest)
        if len(kept) != len(spans):
            _replace(db, source_id, key, kept)


def _query_keys(db: sqlite3.Connection, source_id: int) -> list[str]:
    return [key for (key,) in db.execute("SELECT DISTINCT query_key FROM coverage WHERE source = ?", (source_id,))]


def _replace(db: sqlite3.Connection, source_id: int, query_key: str, spans: list[Span]) -> None:
    db.execute("DELETE FROM coverage WHERE source = ? AND query_key = ?", (source_id, query_key))
    db.executemany("INSERT INTO coverage (source, query_key, start_us, end_us) VALUES (?, ?, ?, ?)",
                   [(source_id, query_key, span.start_us, span.end_us) for span in spans])


# How far in the past (by this machine's clock) a bound sent to the server must be to end a span:
# well beyond any clock skew between the two and the lag of a server storing what it logs.
SETTLED_AFTER = timedelta(hours=1)


def settled(bound: datetime | None) -> bool:
    """Whether a range's end sent to the server may end a complete span (`sync.py`)."""
    return bound is not None and bound < datetime.now(timezone.utc) - SETTLED_AFTER
