"""What the log table's lines look like: its columns laid out for the present width, the time
column's dates shown or not, how far the columns right of the time are scrolled sideways, and each
entry's row drawn once and kept for the next frames.

`LogTable` owns one and asks it for a line; the table keeps the cursor, the scrolling and what the
user is looking at. Kept apart so that neither grows past what a reader takes in at once.
"""

from __future__ import annotations

from rich.console import Console
from textual.cache import LRUCache
from textual.strip import Strip

from logview.store import FilteredView
from logview.ui.cells import COLUMNS, Column, local_time, time_width, today
from logview.ui.table_layout import (TableLayout, field_widths, fit, widest_origin, with_field_widths, with_origin_width,
                                    with_time_width)
from logview.ui.table_rows import StyleOf, header_strip, needs_dates, on_screen, row_strip

ROWS_KEPT = 1024  # drawn rows kept (a few screens' worth: scrolling back redraws none)


class TableDrawing:
    """The columns, their layout and each entry's drawn row, for a table of `kind` (a source's, or `mixed`)."""

    def __init__(self, kind: str) -> None:
        self.millis = kind != "supermetrics"  # (Supermetrics' times have none)
        self.columns: tuple[Column, ...] = COLUMNS[kind]
        self.labels: dict[str, dict[str, str]] = {}  # column key → raw value → what to show instead
        self.dated = True  # the time column shows dates (some row shown is not today's)
        self.shift = 0  # how far the columns right of the time are scrolled sideways (←/→)
        self._rows: LRUCache[tuple[int, bool], Strip] = LRUCache(ROWS_KEPT)  # whole rows, for the present layout
        self._layout: TableLayout | None = None
        self._layout_key: tuple[object, ...] | None = None
        self._field_widths: tuple[tuple[str, int], ...] | None = None  # (None: found at the next layout with rows)

    def forget_rows(self) -> None:
        """Draw every row anew (its data, the styles or the layout changed)."""
        self._rows.clear()

    def set_columns(self, columns: tuple[Column, ...]) -> None:
        self.columns = columns
        self.refit()

    def refit(self) -> None:
        """Size the columns of fields (`f`) again from the rows shown at the next layout (another view)."""
        self._field_widths = None
        self._rows.clear()

    def layout(self, width: int, view: FilteredView | None) -> TableLayout:
        """Where the columns go at `width` (laid out again when that, the columns or the dates change)."""
        if self._field_widths is None and view is not None and len(view):
            self._field_widths = field_widths(self.columns, view)  # (once: a layout follows every frame)
        fields = self._field_widths or ()
        key = (width, self.columns, self.dated, widest := widest_origin(view), fields)
        if self._layout is None or key != self._layout_key:
            columns = with_field_widths(with_time_width(self.columns, time_width(dated=self.dated, millis=self.millis)),
                                        fields)
            self._layout, self._layout_key = fit(with_origin_width(columns, widest), width), key
            self._rows.clear()
            self.shift = self._layout.settled_shift(self.shift, width)
        return self._layout

    def shifted(self, step: int, width: int, view: FilteredView | None) -> bool:
        """Scroll the columns that do not fit a column left (-1) or right (1); whether they moved."""
        shift = self.layout(width, view).next_shift(self.shift, step, width)
        moved, self.shift = shift != self.shift, shift
        return moved

    def dates_changed(self, view: FilteredView | None, rows: range) -> bool:
        """Show dates while one of `rows` (those on screen) is not today's; whether that changed."""
        dated = needs_dates(view, rows)
        if dated is None or dated == self.dated:
            return False
        self.dated = dated
        return True

    def header(self, layout: TableLayout, width: int, console: Console) -> Strip:
        return header_strip(layout, width, self.shift, console)

    def row(self, view: FilteredView, row: int, top_line: bool, layout: TableLayout, width: int, console: Console,
            style: StyleOf, mark_errors: bool) -> tuple[int, Strip]:
        """The entry at `row` of `view` and its line as seen at `width`. Its date is shown where the
        day changes (and on the screen's `top_line`), unless every row on screen is today's."""
        ordinal = view.ordinal(row)
        day = self._day(view, ordinal)
        show_date = self.dated and day != today() and (
            top_line or row == 0 or self._day(view, view.ordinal(row - 1)) != day)
        key = (ordinal, show_date)
        strip = self._rows.get(key)
        if strip is None:
            strip = self._rows[key] = row_strip(view.store, ordinal, layout, console, show_date=show_date,
                                                dated=self.dated, millis=self.millis, labels=self.labels,
                                                style=style, mark_errors=mark_errors)
        return ordinal, on_screen(strip, layout, width, self.shift)

    @staticmethod
    def _day(view: FilteredView, ordinal: int) -> object:
        moment = local_time(view.store.time_us(ordinal))
        return None if moment is None else moment.date()
