"""What another process archived while a backfill waited: not fetched again.

A backfill reads the archive's coverage once, when it starts, and fetches its gaps page by page.
Its pages may wait for minutes (a budget paced to its reset, a 429 whose `Retry-After` says an
hour), and meanwhile another logview on the same archive (a second viewer, `export`, `sql --sync`)
may fetch the very range the waiting one was about to ask for. On a Supermetrics budget of 20
requests an hour, fetching it again wastes the hour (s30 walk).

So once the walk has gone `LOOK_AFTER_S` without looking, a gap looks at the coverage again before
its first page and before each next one: a span that now holds the oldest time it received (or
showed, just below its top) and reaches below it was archived by someone else. The walk then stops
asking, shows that stretch from the archive, and fetches only what is below it
(`sync.ArchivedPager._gap`).

Two gaps walking the same range at one pace, the budget's (two tabs of one source, two processes),
ask for the same pages in turn: a look never finds the other ahead. So they take turns (`turns.py`):
the one that waited looks at once, and shows what the other fetched from the archive.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

import msgspec

from logview.archive.coverage import Span
from logview.model import LogEntry
from logview.times import epoch_us

# How long a gap's fetch goes without looking at the coverage again: a loopback backfill's pages
# come every few ms and never look, a budget's pace (~0.6 s an Aitronos page at 100 a minute) looks
# every other page, a wait of minutes at once after it. One look is one small read of the archive.
LOOK_AFTER_S = 1.0


class CoveredMeanwhile(msgspec.Struct, frozen=True):
    """A gap's fetch stopped: the archive now holds what lies below its last page. `oldest_us`:
    that page's oldest time, where the fetch stopped; `received`: the ids received at it, shown
    already; `span`: the stretch another process archived, which holds `oldest_us`."""

    oldest_us: int
    received: frozenset[str]
    span: Span

    def shown_from(self, floor_us: int | None) -> int | None:
        """Where the archive's stretch shown in the fetch's place starts: just below the span (its
        entries at that time are archived and real: `Span.shown_part`), or at the gap's own
        floor (`floor_us`: its lowest time wanted; None, the range's start) where the span
        reaches it."""
        start = self.span.start_us
        if start is None or (floor_us is not None and start - 1 <= floor_us):
            return floor_us
        return start - 1

    def rest_below(self, floor_us: int | None) -> int | None:
        """Where the gap's fetch goes on, as its new ceiling (entries below it wanted): the span's
        start; None where the span reaches the gap's floor and nothing is left to fetch."""
        shown_from = self.shown_from(floor_us)
        return None if shown_from == floor_us else self.span.start_us


class CoverageWatch:
    """The walk's gaps, one after another: the oldest time each has received (or shown just below
    its top) and the ids at it, and whether the archive's coverage (`coverage()`, newest first)
    has meanwhile come to hold what lies below. It looks at most once a `LOOK_AFTER_S`, counted from
    the walk's own read of the coverage: a gap begun after a long wait looks before its first page."""

    def __init__(self, coverage: Callable[[], list[Span]], *, clock: Callable[[], float] = time.monotonic) -> None:
        self._coverage, self._clock = coverage, clock
        self._looked = clock()
        self._floor_us: int | None = None
        self.oldest_us: int | None = None
        self._shown: set[str] = set()  # ids at `oldest_us` shown by the stretch above the gap
        self._pages: list[Sequence[LogEntry]] = []  # the pages whose oldest time it is

    def coverage(self) -> list[Span]:
        """The archive's coverage now (newest first), without looking for a stretch below the gap."""
        return self._coverage()

    def gap(self, floor_us: int | None, below_us: int | None, shown: Iterable[str] = ()) -> None:
        """A gap begun: its lowest time wanted (None: the range's start), and the time it is
        fetched below (None: its top is open) with the ids shown just below that time."""
        self._floor_us = floor_us
        self.oldest_us = None if below_us is None else below_us - 1
        self._shown, self._pages = set(shown), []

    def note(self, entries: Sequence[LogEntry], oldest: datetime | None) -> None:
        """A page received, `oldest` its oldest time. Its ids at that time are read only if the
        fetch stops there (`covered`): a page's entries may be columns, made objects one by one."""
        moment = epoch_us(oldest)
        if moment is None:
            return
        if self.oldest_us is None or moment < self.oldest_us:
            self.oldest_us, self._shown, self._pages = moment, set(), [entries]
        elif moment == self.oldest_us:
            self._pages.append(entries)  # (a time's entries over more than one page)

    def _received(self) -> frozenset[str]:
        """The ids received or shown at the oldest time."""
        at = self.oldest_us
        return frozenset(self._shown.union(entry.id for page in self._pages for entry in page
                                           if entry.time is not None and epoch_us(entry.time) == at))

    def covered(self, *, look_now: bool = False) -> CoveredMeanwhile | None:
        """What the archive now holds below the gap's oldest, if it is time to look (`look_now`:
        it is, whenever it last looked: the gap waited for another's fetch)."""
        oldest = self.oldest_us
        if oldest is None or (self._floor_us is not None and oldest <= self._floor_us):
            return None  # (nothing received yet; or at the gap's floor: the fetch is ending anyway)
        now = self._clock()
        if now - self._looked < LOOK_AFTER_S and not look_now:
            return None
        self._looked = now
        # (a span holding the page's oldest time is none of this fetch's own: each of its pages
        # claims only what lies above its oldest time, `range_fetch.RangeFetch`)
        for span in self._coverage():
            if span.contains(oldest) and (span.start_us is None or span.start_us < oldest):
                return CoveredMeanwhile(oldest, self._received(), span)
        return None
