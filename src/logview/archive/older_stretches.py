"""The archive's older stretches, painted with the newest before any request (s19 V3).

A quit part way through a relaunch's fill leaves the archive two stretches with a hole between
them. The walk (`sync.ArchivedPager._walk`) used to show the older stretch only once the hole was
filled: for the minutes a budget makes that take, the archive's older rows were hidden ("shown
2,088" of 24,468, 20,105 of them archived). Now they are shown at once, where the cap has room for
them all, and the hole's pages are merged into place above them as they come (the store keeps its
rows newest first). The cap then leaves the rows painted early out of what a hole above them may
fetch: they are older, and the store lets the oldest go, as it does for what is newer than the
archive (`_head`).

A mixin of `ArchivedPager`, whose state it reads as its own (importing `sync.py` here would be an
import loop), as `api/estimates.py` is of the budget.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from logview.archive.coverage import Span
from logview.times import epoch_us


class OlderStretches:
    """`ArchivedPager._paint_older`, `_show_once` and `_early_rows`."""

    _early: Mapping[Span, int] = MappingProxyType({})  # the stretches painted early: rows each showed

    @property
    def _early_rows(self) -> int:
        """Rows painted early older than what the walk fetches now: not in the cap's count for it."""
        return sum(self._early.values())

    async def _paint_older(self, spans: list[Span], since: datetime | None, until: datetime | None
                           ) -> AsyncIterator[Any]:
        """Every stretch of `spans` (older than the one shown), now, if the cap has room for them all."""
        self._early = early = {}
        room = self.max_entries  # type: ignore[attr-defined]
        if room is not None and self.loaded + sum(  # type: ignore[attr-defined]
                self.archived.count_in(*span.within(epoch_us(since), epoch_us(until)))  # type: ignore[attr-defined]
                for span in spans) >= room:
            return
        for span in spans:
            shown = self.loaded  # type: ignore[attr-defined]
            async for event in self._show_span(span, since, until):  # type: ignore[attr-defined]
                yield event
            early[span] = self.loaded - shown  # type: ignore[attr-defined]

    async def _show_once(self, span: Span, since: datetime | None, until: datetime | None) -> AsyncIterator[Any]:
        """`_show_span`, unless `span` was painted early: then what the walk fetches next is older
        than its rows, which count against the cap again."""
        if span in self._early:
            self._early = {key: rows for key, rows in self._early.items() if key != span}
            return
        async for event in self._show_span(span, since, until):  # type: ignore[attr-defined]
            yield event
