"""The archive's older stretches, painted with the newest before any request (s19 V3).

A quit part way through a relaunch's fill leaves the archive two stretches with a hole between
them. The walk (`sync.ArchivedPager._walk`) used to show the older stretch only once the hole was
filled: for the minutes a budget makes that take, the archive's older rows were hidden ("shown
2,088" of 24,468, 20,105 of them archived). Now they are shown at once, where the cap has room for
them all, and the hole's pages are merged into place above them as they come (the store keeps its
rows newest first). The cap then leaves the rows painted early out of what a hole above them may
fetch: they are older, and the store lets the oldest go, as it does for what is newer than the
archive (`_head`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from logview.archive.coverage import Span

Event = TypeVar("Event")


def older_than_span(span: Span, since_us: int | None, rows_left: int, keep_all: bool) -> bool | None:
    """Whether entries older than a span's rows shown up to a cap met exactly exist (`Notice.older`):
    rows of it left unshown (True; None where filters may match none of them); else a range below it
    (None: not known without a request, or older stretches yet to be shown), or none (False: it
    reaches the range's start). A relaunch on an archive of exactly the cap's entries said "capped at
    300 — older entries not loaded" of none (s21)."""
    if rows_left > 0:
        return True if keep_all else None
    return False if span.start_us is None or (since_us is not None and since_us >= span.start_us) else None


class OlderStretches:
    """Which stretches the walk painted early, and how many rows each showed. The pager says how
    many rows it has shown so far (`shown`) and, to each call, how a span is shown (`show`)."""

    def __init__(self, shown: Callable[[], int]) -> None:
        self._shown = shown
        self._early: dict[Span, int] = {}

    @property
    def rows(self) -> int:
        """Rows painted early, older than what the walk fetches now: not in the cap's count for it."""
        return sum(self._early.values())

    async def paint(self, spans: list[Span], show: Callable[[Span], AsyncIterator[Event]], *,
                    room: int | None, rows_in: Callable[[Span], int]) -> AsyncIterator[Event]:
        """Every stretch of `spans` (older than the one shown), now, if `room` (the cap's, None: no
        cap) holds what is shown already and all their rows (`rows_in` a span)."""
        self._early = {}
        if room is not None and self._shown() + sum(rows_in(span) for span in spans) >= room:
            return
        for span in spans:
            before = self._shown()
            async for event in show(span):
                yield event
            self._early[span] = self._shown() - before

    async def show_once(self, span: Span, show: Callable[[Span], AsyncIterator[Event]]) -> AsyncIterator[Event]:
        """`span` shown, unless it was painted early: then what the walk fetches next is older
        than its rows, which count against the cap again."""
        if self._early.pop(span, None) is not None:
            return
        async for event in show(span):
            yield event
