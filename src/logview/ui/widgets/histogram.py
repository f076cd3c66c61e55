"""Volume over time above the table: one bar per time bucket, stacked by status class.

The counts come from `analytics.histogram`, computed off the UI thread; this widget only draws
them (Line API, one `Strip` per line) and lets the user pick a bar: ←/→ move, Enter (or a click)
narrows the date range to that bucket, Backspace goes back to the range before.

Colours follow the rows' status classes. A cell takes the colour of the class under its middle;
a bar whose bucket holds errors (or warnings) that got no cell of their own gets them on its tip,
so a failure never disappears into a tall bar of successes.
"""

from __future__ import annotations

import numpy as np

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.worker import get_current_worker

from logview.store.analytics import CLASSES, Capture, Histogram, Snapshot, histogram
from logview.times import epoch_us
from logview.ui.cells import counted
from logview.ui.widgets.charting import KeysWaiting, Recompute, RowsOf, after_numbers
from logview.ui.widgets.histogram_cells import ERROR, WARN, bar_cells, moment_text, short_count, width_text
from logview.ui.widgets.styling import partial_style, widget_style

# Without colour (NO_COLOR) the classes are told by their cells' pattern, ok's bars keeping their
# eighths: in greys one step apart, errors on a bar's tip could not be seen (found in walks)
PATTERNS = {"ok": "█", "info": "▓", "other": "░", "warn": "▒", "error": "╳"}
GUTTER = 7  # the count scale on the left
BAR_ROWS = 6  # the most: on a short screen, fewer (as the widget's height leaves room for)


class VolumeHistogram(Widget, can_focus=True):
    """Entries per time bucket for the current filters; pick a bar to narrow the dates."""

    BINDINGS: list[BindingType] = [
        Binding("left", "move(-1)", "Earlier", show=False),
        Binding("right", "move(1)", "Later", show=False),
        Binding("home", "move_to(0)", "First", show=False),
        Binding("end", "move_to(-1)", "Last", show=False),
        # as in the table: j/↓ older, k/↑ newer, g the newest entries, G the oldest (they did nothing here)
        Binding("j,down", "move(-1)", "Earlier", show=False),
        Binding("k,up", "move(1)", "Later", show=False),
        Binding("g", "move_to_filled(True)", "Newest", show=False),
        Binding("G", "move_to_filled(False)", "Oldest", show=False),
        Binding("enter", "choose", "Narrow dates"),
        Binding("backspace", "zoom_out", "Zoom out"),
    ]

    COMPONENT_CLASSES = {
        "volume-histogram--title",
        "volume-histogram--axis",
        "volume-histogram--hint",
        "volume-histogram--selected",
        *(f"volume-histogram--{name}" for name in CLASSES),
    }

    class BucketChosen(Message):
        """The user picked a bucket: narrow the date range to [start_us, end_us]."""

        def __init__(self, start_us: int, end_us: int) -> None:
            super().__init__()
            self.start_us = start_us
            self.end_us = end_us

    class ZoomOut(Message):
        """Back to the date range before the last narrowing."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows_of: RowsOf | None = None  # what to chart, given by the screen
        self.recompute = Recompute(self, self._compute)
        self.data: Histogram | None = None
        self._bars: list[list[tuple[str, int]]] = []  # per bucket, its cells (bar_cells), drawn line by line
        self.bar_rows = BAR_ROWS  # (fewer on a short screen: the title, the axis and the bar's words stay)
        self.selected: int | None = None
        self.user_picked = False  # the bar picked by the user (←/→, Home/End, a click), else the newest filled
        self._anchor_us: int | None = None  # where the picked bar was first picked (see `_anchor`)
        self.requested = 0
        self.note = "counting…"
        self._counted_unread = self._computing_unread = False  # (bars counted while fields were unread)
        # (bars counted for the width the histogram is laid out at: counted for a width guessed, they are
        # counted again, and a bar picked among them would be lost)
        self.keys_waiting = KeysWaiting(lambda: self.data is not None and self.requested == self.max_buckets)

    # -- data -----------------------------------------------------------------------------
    @property
    def plot_width(self) -> int:
        return max(1, self.size.width - GUTTER)

    @staticmethod
    def buckets_for(width: int) -> int:
        """How many buckets fit in `width` cells: two cells each, so bars keep a gap between them."""
        return max(1, (width - GUTTER) // 2)

    @property
    def max_buckets(self) -> int:
        return self.buckets_for(self.size.width)

    def on_resize(self) -> None:
        rows = max(1, min(BAR_ROWS, self.size.height - 3))  # (the title, the axis and the bar's words)
        if rows != self.bar_rows:
            self.bar_rows = rows
            self._draw_bars()
        if self.data is not None and self.requested != self.max_buckets:
            self.recompute.changed(now=True)

    def _draw_bars(self) -> None:
        """Each bucket's bar as cells, `bar_rows` high."""
        data = self.data
        peak = int(data.totals.max()) if data is not None and len(data.totals) else 0
        self._bars = [] if data is None else [bar_cells(counts, peak, self.bar_rows) for counts in data.counts.tolist()]
        self.refresh()

    def rows_changed(self, *, now: bool = False, loading: bool = False) -> None:
        """The rows to chart changed: compute again (soon, or `now`)."""
        self.recompute.changed(now=now, loading=loading)

    def _buckets(self) -> int:
        """How many buckets there is room for; before the first layout, estimated from the
        space the histogram will share (it computes again once laid out, if that was wrong)."""
        if self.size.width:
            return self.max_buckets
        return self.buckets_for(self.parent.size.width if isinstance(self.parent, Widget) else 80)

    def _compute(self) -> None:
        if self.rows_of is None:
            return
        rows = self.rows_of()
        capture = Snapshot.capture(rows.store, rows.index, ())
        self._computing_unread = rows.errors_uncounted is not None
        self._run(self.recompute.token, capture, self._buckets(), epoch_us(rows.filters.since),
                  epoch_us(rows.filters.until), rows.note)

    @work(thread=True, exclusive=True, group="analytics", exit_on_error=False)
    def _run(self, token: int, capture: Capture, buckets: int, since_us: int | None, until_us: int | None,
             note: str) -> None:
        data = histogram(capture.gather(), buckets, since_us=since_us, until_us=until_us)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._computed, token, data, buckets, note)

    def _computed(self, token: int, data: Histogram, buckets: int, note: str) -> None:
        if not self.is_attached or not self.display:
            return
        self._counted_unread = self._computing_unread
        self.show(data, buckets, note)
        if self.recompute.stale(token):
            self.recompute.changed()  # the rows changed while computing: once more, throttled

    def reading_went_on(self, note: str) -> None:
        """More of a big file's fields were read: the title says how many are left now, not how
        many were when the bars were counted ("fields of 215 entries still being read" stayed to
        the end of a 1M read, s20 S20-1, as it did in the stats panel); then "counting…" until
        the bars are counted again."""
        if self.data is not None and self._counted_unread and (note or "counting…") != self.note:
            self.note = note or "counting…"
            self.refresh()

    def show(self, data: Histogram, requested: int, note: str = "") -> None:
        """Draw `data`, computed for `requested` buckets (asked again when that was not right)."""
        old, resized = self.data, requested != self.requested
        self.requested = requested
        self.data, self.note = data, note
        self._draw_bars()
        if not len(data):
            self.selected = None
        elif self.selected is None or old is None or (old.start_us, old.bucket_us) != (data.start_us, data.bucket_us):
            # (counted again for another width, the bar picked was the newest again, and Enter narrowed to a range
            # the user had not picked: found by a tester. The bucket holding the picked span's start stays picked)
            kept = resized and self.user_picked and self.selected < len(old)
            self.selected = (self._holding(self._anchor(old)) if kept
                             else self._newest_filled() if self.has_focus else None)
            self.user_picked = kept
        elif not self.user_picked:  # (picked before the narrowed range's rows came: all bars empty then,
            self.selected = self._newest_filled()  # the last, a future one, stayed picked: found in a walk)
        else:
            self.selected = min(self.selected, len(data) - 1)
        self.refresh()
        if self.size.width and requested != self.max_buckets:
            self.recompute.changed(now=True)
        self.keys_waiting.numbers_shown()

    def _anchor(self, old: Histogram) -> int:
        """The moment the pick follows through resizes: the picked bar's start, kept while a coarser bar
        holds it (12 h bars, then a day's, then 12 h again picked the day's first half: found in a walk)."""
        start, end = old.bucket_span(self.selected)
        if self._anchor_us is None or not start <= self._anchor_us <= end:
            self._anchor_us = start  # (picked anew since)
        return self._anchor_us

    def _holding(self, moment_us: int) -> int:
        """The bar whose bucket holds `moment_us` (the nearest at either end)."""
        assert self.data is not None
        return self.data.bucket_of(moment_us)

    def _cell_width(self) -> int:
        return max(1, self.plot_width // max(1, len(self.data or ())))

    # -- keys and mouse -------------------------------------------------------------------
    def on_focus(self) -> None:
        if self.selected is None and self.data is not None and len(self.data):
            self.selected, self.user_picked = self._newest_filled(), False
        self.refresh()

    def _newest_filled(self) -> int:
        """The bar picked first: the newest holding entries (the last may be empty, even past the
        range: a bucket of a day that has not come, whose Enter narrowed to nothing)."""
        assert self.data is not None
        filled = np.flatnonzero(self.data.totals)
        return int(filled[-1]) if len(filled) else len(self.data) - 1

    def on_blur(self) -> None:
        self.refresh()

    def on_hide(self) -> None:
        self.keys_waiting.drop()

    def _no_bar(self, to: str) -> bool:
        """Whether there is no bar to go to; said when the chart is empty (the keys were silent: s30 walk #6)."""
        if self.data is None or len(self.data):
            return self.data is None
        self.notify(f"No bar to {to}: no entry shown has a time.", timeout=3, markup=False)
        return True

    @after_numbers
    def action_move(self, step: int) -> None:
        if self._no_bar("pick"):
            return
        start = len(self.data) - 1 if self.selected is None else self.selected
        self.selected, self.user_picked = max(0, min(len(self.data) - 1, start + step)), True
        self.refresh()

    @after_numbers
    def action_move_to(self, bucket: int) -> None:
        if not self._no_bar("pick"):
            self.selected, self.user_picked = bucket % len(self.data), True
            self.refresh()

    @after_numbers
    def action_move_to_filled(self, newest: bool) -> None:
        """g/G: the newest (oldest) bar holding entries, as the table's newest (oldest) row."""
        if not self._no_bar("pick"):
            filled = np.flatnonzero(self.data.totals)
            self.selected = self._newest_filled() if newest or not len(filled) else int(filled[0])
            self.user_picked = True
            self.refresh()

    @after_numbers
    def action_choose(self) -> None:
        if self.data is not None and self.selected is not None and self.selected < len(self.data):
            start, end = self.data.bucket_span(self.selected)
            self.post_message(self.BucketChosen(start, end))
        else:
            self._no_bar("narrow the dates to")

    @after_numbers
    def action_zoom_out(self) -> None:
        self.post_message(self.ZoomOut())

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.data is None or not len(self.data) or offset.x < GUTTER:
            return
        bucket = (offset.x - GUTTER) // self._cell_width()
        if bucket < len(self.data) and 1 <= offset.y <= self.bar_rows + 1:
            self.selected, self.user_picked = bucket, True
            self.refresh()
            self.action_choose()

    # -- drawing --------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return partial_style(self, f"volume-histogram--{name}")

    def _strip(self, text: Text, width: int) -> Strip:
        text.truncate(width, overflow="crop", pad=True)
        return Strip(list(text.render(self.app.console)), width).apply_style(widget_style(self))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        data = self.data
        if y == 0:
            return self._strip(self._title(), width)
        if data is None or not len(data):
            empty = "no entries with a time to chart" if data is not None and not self._counted_unread else self.note
            text = Text(" " * GUTTER + empty,
                        style=self._style("hint"))
            return self._strip(text if y == (self.bar_rows + 1) // 2 else Text(""), width)
        rows = self.bar_rows
        if y <= rows:
            return self._bar_line(rows - y, width)
        if y == rows + 1:
            return self._strip(self._axis(), width)
        if y == rows + 2:
            return self._strip(self._info(), width)
        return Strip.blank(width, widget_style(self))

    def _title(self) -> Text:
        text = Text(" VOLUME", style=self._style("title"))
        data = self.data
        if data is not None and len(data):
            total = int(data.totals.sum())
            text.append(f"  {width_text(data.bucket_us)} buckets · {counted(total, 'entry')}", style=self._style("axis"))
            if data.timeless:
                text.append(f" · {data.timeless:,} without a time", style=self._style("axis"))
        if self.note:
            text.append(f" · {self.note}", style=self._style("hint"))
        legend = Text()
        for name in CLASSES:
            legend.append(f" {PATTERNS[name] if self.app.no_color else '■'} ", style=self._style(name))
            legend.append(name, style=self._style("axis"))
        room = self.size.width - text.cell_len - legend.cell_len - 1
        if room > 0:
            text.append(" " * room)
            text.append_text(legend)
        return text

    def _bar_line(self, row: int, width: int) -> Strip:
        data = self.data
        assert data is not None
        totals = data.totals
        peak = int(totals.max()) if len(totals) else 0
        label = short_count(peak) if row == self.bar_rows - 1 else "0" if row == 0 else ""
        segments = [Segment(label.rjust(GUTTER - 2) + " ▕", self._style("axis"))]
        cell_width = self._cell_width()
        bar_width = cell_width - 1 if cell_width >= 2 else cell_width  # a gap between bars
        styles = [self._style(name) for name in CLASSES]
        patterns = [None if name == "ok" else PATTERNS[name] for name in CLASSES] if self.app.no_color else None
        selected_style = self._style("selected")
        for bucket in range(len(data)):
            block, klass = self._bars[bucket][row]
            if patterns is not None and klass >= 0 and patterns[klass] is not None:
                block = patterns[klass]
            style = styles[klass] if klass >= 0 else Style()
            if bucket == self.selected:
                style = style + selected_style
            segments.append(Segment(block * bar_width, style))
            if bar_width < cell_width:
                segments.append(Segment(" " * (cell_width - bar_width), selected_style if bucket == self.selected else Style()))
        return Strip(segments).adjust_cell_length(width).apply_style(widget_style(self))

    def _axis(self) -> Text:
        data = self.data
        assert data is not None
        cell_width = self._cell_width()
        span = data.bucket_us * len(data)
        text = Text(" " * GUTTER, style=self._style("axis"))
        end = 0  # where the labels written so far end: the next starts under its bar, 2 cells on
        for bucket in range(len(data)):
            x = bucket * cell_width
            if end and x < end + 2:
                continue
            label = "┊" + moment_text(data.bucket_span(bucket)[0], data.bucket_us, span)
            if x + len(label) > self.plot_width:
                break
            text.append(" " * (x - end))
            text.append(label)
            end = x + len(label)
        return text

    def _info(self) -> Text:
        data = self.data
        assert data is not None
        if self.selected is None or self.selected >= len(data):
            # (the short form said "h hides" where h focuses first, and left the keys out: found in a walk)
            hints = ("click a bar (or h, then ←/→ Enter) to narrow the dates to it · h again hides",
                     "click a bar (or h, ←/→ Enter) to narrow the dates",
                     "h, ←/→ Enter (or a click) narrows the dates")
            hint = next((h for h in hints if GUTTER + len(h) <= self.size.width), hints[-1])
            return Text(" " * GUTTER + hint, style=self._style("hint"))
        counts = data.counts[self.selected].tolist()
        start, end = data.bucket_span(self.selected)
        span = data.bucket_us * len(data)
        since = moment_text(start, data.bucket_us, span)
        whole = f"{since} – {moment_text(end + 1, data.bucket_us, span)}"
        # the counts in fewer words where the line is narrow: cut, "warnings 31" lost its number
        # and "warn▏" its word (found in a walk); narrower, the bucket by its start alone (the title says its
        # width): at 40 columns "05 Dec – 06 Dec  380 · err 51 · w" (found by a tester)
        for shown, words in ((whole, ("entries", "errors", "warnings")), (whole, ("entries", "err", "warn")),
                             (whole, ("", "err", "warn")), (since, ("", "err", "warn"))):
            counted_text = Text(" " * (GUTTER - 2) + "▸ " + shown, style=self._style("title"))
            total = f"{sum(counts):,}"
            counted_text.append(f"  {counted(sum(counts), 'entry') if words[0] else total}", style=self._style("axis"))
            for klass, label in ((ERROR, words[1]), (WARN, words[2])):
                if counts[klass]:
                    counted_text.append(f" · {label} {counts[klass]:,}", style=self._style(CLASSES[klass]))
            if counted_text.cell_len <= self.size.width:
                break
        text = counted_text
        for hint in ("   Enter: narrow the dates to it · ←/→ · ⌫ zoom out · Esc: table", "   Enter narrows · ⌫ back"):
            if text.cell_len + len(hint) <= self.size.width:  # a hint cut short helps nobody
                text.append(hint, style=self._style("hint"))
                break
        return text
