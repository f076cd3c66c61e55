"""The histogram (h) and the stats panel (i): when they are computed and what picking in them does.

A mixin of `ViewerScreen`. Whenever the rows change (`refresh_all`) and one of the two is open, a
recomputation is scheduled — at most every PATTERNS_EVERY_S, less often while loading, since each
takes the filtered rows' columns on the UI thread (a few ms per 100k rows) — and runs in a worker
thread; its result is shown when it is still about the rows on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from textual import work
from textual.timer import Timer
from textual.worker import get_current_worker

from logview.store.analytics import Capture, Histogram, Snapshot, error_groups, group_stats, histogram
from logview.model import Filters
from logview.times import epoch_us
from logview.ui.filtering import time_inputs
from logview.ui.widgets.histogram import VolumeHistogram
from logview.ui.widgets.stats_panel import StatsData, StatsPanel

PATTERNS_EVERY_S = 0.25
PATTERNS_WHILE_LOADING_S = 1.0
STATS_FIELDS = {"aitronos": ("tool", "credential"), "supermetrics": ("event",), "mixed": ("origin", "tool", "event")}
FILTER_FIELDS = ("tool", "credential", "event", "error", "origin")

if TYPE_CHECKING:
    from logview.ui.viewer import ViewerScreen

    _Base = ViewerScreen
else:
    _Base = object


@dataclass(frozen=True)
class _Request:
    """What one recomputation is for (its result is dropped if the screen moved on)."""

    token: int
    max_buckets: int | None  # None: the histogram is hidden
    stats_field: str | None  # None: the stats panel is hidden
    since_us: int | None
    until_us: int | None


@dataclass(frozen=True)
class _Result:
    request: _Request
    histogram: Histogram | None
    stats: StatsData | None


class PatternsMixin(_Base):
    """Toggling, scheduling and applying the histogram and the stats panel."""

    def init_patterns_state(self) -> None:
        self._patterns_timer: Timer | None = None
        self._patterns_token = 0
        self._range_history: list[Filters] = []  # the ranges before each drill-down
        self._stats_picks: dict[str, str] = {}  # the filters picked in the stats panel (x lifts them)

    @property
    def patterns_open(self) -> bool:
        return bool(self.histogram.display or self.stats.display)

    # -- toggles --------------------------------------------------------------------------
    def action_toggle_histogram(self) -> None:
        """h: show the histogram (and focus it, for ←/→ Enter); again: hide it."""
        self._toggle_panel(self.histogram)

    def action_toggle_stats(self) -> None:
        """i: show the stats panel (focused); again: hide it."""
        self._toggle_panel(self.stats)

    def _toggle_panel(self, panel: VolumeHistogram | StatsPanel) -> None:
        if panel.display and self.focused is panel:
            panel.display = False
            self.focus_now(self.table)
            return
        panel.display = True
        self.focus_now(panel)
        self.patterns_changed(now=True)

    # -- scheduling -----------------------------------------------------------------------
    def patterns_changed(self, now: bool = False) -> None:
        """The rows changed: recompute what is open, soon (right away after a toggle)."""
        if not self.patterns_open:
            return
        self._patterns_token += 1
        if now:
            if self._patterns_timer is not None:
                self._patterns_timer.stop()
                self._patterns_timer = None
            # At once, not after the repaint: opening a panel repaints for ~100 ms at 160×48, and
            # the worker computes meanwhile (the histogram's width is estimated until laid out).
            self._compute_patterns()
        elif self._patterns_timer is None:
            delay = PATTERNS_WHILE_LOADING_S if self.phase == "loading" else PATTERNS_EVERY_S
            self._patterns_timer = self.set_timer(delay, self._compute_patterns)

    def _compute_patterns(self) -> None:
        self._patterns_timer = None
        if not self.patterns_open or not self.table.is_attached:
            return
        fields = STATS_FIELDS[self.source.kind]
        request = _Request(
            token=self._patterns_token,
            max_buckets=self._histogram_buckets() if self.histogram.display else None,
            stats_field=self.stats.field if self.stats.display else None,
            since_us=epoch_us(self.filters.since), until_us=epoch_us(self.filters.until),
        )
        capture = Snapshot.capture(self.store, self.view.index, (*fields, "error"))
        self._run_patterns(request, capture)

    @work(thread=True, exclusive=True, group="analytics", exit_on_error=False)
    def _run_patterns(self, request: _Request, capture: Capture) -> None:
        snapshot = capture.gather()
        hist = None if request.max_buckets is None else histogram(
            snapshot, request.max_buckets, since_us=request.since_us, until_us=request.until_us)
        stats = None if request.stats_field is None else StatsData(
            request.stats_field, group_stats(snapshot, request.stats_field), error_groups(snapshot), len(snapshot))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_patterns, _Result(request, hist, stats))

    def _histogram_buckets(self) -> int:
        """How many buckets the histogram has room for; before its first layout, estimated
        from the space beside the stats panel (it then asks again if it was wrong)."""
        if self.histogram.size.width:
            return self.histogram.max_buckets
        width = self.query_one("#main").size.width
        if self.stats.display:
            width -= self.stats.size.width or int(width * 0.58)
        return VolumeHistogram.buckets_for(width)

    def on_volume_histogram_resized(self, event: VolumeHistogram.Resized) -> None:
        self.patterns_changed(now=True)

    def _show_patterns(self, result: _Result) -> None:
        if not self.table.is_attached:
            return
        note = self._patterns_note()
        if result.histogram is not None and self.histogram.display:
            assert result.request.max_buckets is not None
            self.histogram.show(result.histogram, result.request.max_buckets, note)
        if result.stats is not None and self.stats.display and result.stats.field == self.stats.field:
            self.stats.show(result.stats, {field: getattr(self.filters, field) for field in FILTER_FIELDS}, note)
        if result.request.token != self._patterns_token:
            self.patterns_changed()  # rows changed while computing: once more, throttled

    def _patterns_note(self) -> str:
        pending = len(self.store) - (self.store.ready - self.store.head)
        if pending > 0:
            return f"fields of {pending:,} entries still being read"
        return "loading…" if self.phase == "loading" else ""

    # -- picking --------------------------------------------------------------------------
    # (named handlers: `@on` is not collected from a plain mixin)
    def on_volume_histogram_bucket_chosen(self, event: VolumeHistogram.BucketChosen) -> None:
        self._range_history.append(self.filters)
        since = datetime.fromtimestamp(event.start_us / 1_000_000, tz=timezone.utc)
        until = datetime.fromtimestamp(event.end_us / 1_000_000, tz=timezone.utc)
        self._set_range(self.filters.with_moments(since, until))

    def on_volume_histogram_zoom_out(self, event: VolumeHistogram.ZoomOut) -> None:
        if not self._range_history:
            self.notify("This is the range you started with.", timeout=2)
            return
        before = self._range_history.pop()  # its range as it was typed: `24h` stays relative
        self._set_range(self.filters.model_copy(update={
            name: getattr(before, name) for name in ("since", "until", "since_text", "until_text")}).resolved())

    def _set_range(self, filters: Filters) -> None:
        self.sidebar.show_time_error("")
        self.sidebar.show_time_inputs(*time_inputs(filters))
        self.apply_filters(filters)

    def on_stats_panel_chosen(self, event: StatsPanel.Chosen) -> None:
        self.apply_filters(self.filters.model_copy(update={event.field: event.value}))
        if event.value is None:
            self._stats_picks.pop(event.field, None)
        else:
            self._stats_picks[event.field] = event.value
            self.notify(f"Filtered by {event.field}; Enter on it again (or x) lifts it.", timeout=3, markup=False)

    def on_stats_panel_field_changed(self, event: StatsPanel.FieldChanged) -> None:
        self.patterns_changed(now=True)

    def action_clear_pattern_filters(self) -> None:
        """x: lift the filters picked in the stats panel (tool, credential, event, source, error
        group) and any tool or error-group filter, which only the stats can set."""
        picked = {field for field, value in self._stats_picks.items() if getattr(self.filters, field) == value}
        lifted = sorted(field for field in picked | {"tool", "error"} if getattr(self.filters, field) is not None)
        self._stats_picks.clear()
        if not lifted:
            self.notify("No filter picked in the stats to lift.", timeout=2)
            return
        self.apply_filters(self.filters.model_copy(update=dict.fromkeys(lifted)))
        self.notify(f"Lifted the {' and '.join(lifted)} filter{'s' if len(lifted) > 1 else ''}.", timeout=2)

    @staticmethod
    def pattern_filters(filters: Filters) -> list[tuple[str, str]]:
        """The stats-panel filters in force, as (field, value), for the sidebar."""
        return [(field, value) for field in ("tool", "error") if (value := getattr(filters, field)) is not None]
