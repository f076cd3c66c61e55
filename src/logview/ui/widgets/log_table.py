"""The virtual log table: draws only the visible rows with the Line API.

`DataTable` keeps a Python object per row and re-measures cells, which takes seconds at 100k rows. This widget
reads rows straight from the columnar store through a `FilteredView` (an array of ordinals) and renders one
`Strip` per visible line, cached per entry. The first line is a sticky column header. Columns are laid out by
priority (`table_layout`); those that do not fit are reached with ←/→.

The cursor is kept on an *entry* (its ordinal), not on a row number, which is what keeps the user's place when
live rows are prepended: rows shift, the entry under the cursor does not.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from logview.store import FilteredView, ViewChange
from logview.ui.cells import Column
from logview.ui.table_drawing import TableDrawing
from logview.ui.table_layout import TableLayout
from logview.ui.table_rows import message_strip
from logview.ui.widgets.styling import partial_style, widget_style, with_cursor
from logview.ui.widgets.table_messages import CursorMoved, FollowChanged, SidewaysWheel


class LogTable(SidewaysWheel, ScrollView, can_focus=True):
    """Newest-first log rows from a `FilteredView`, with a cursor that never jumps on its own."""

    BINDINGS: list[BindingType] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "Newest", show=False),
        Binding("end,G", "last", "Oldest", show=False),
        Binding("enter", "activate", "Detail"),
        Binding("ctrl+j", "activate", "Detail", show=False),  # Enter typed ahead, before the app had the tty
        Binding("left", "shift(-1)", "Scroll left", show=False),
        Binding("right", "shift(1)", "Scroll right", show=False)]

    COMPONENT_CLASSES = {f"log-table--{name}" for name in (
        "header", "cursor", "cursor-blurred", "date", "dim", "ok", "info", "warn", "error", "invalid", "empty")}

    # (its messages, kept in `table_messages.py`: `LogTable.CursorMoved`, `on_log_table_cursor_moved` …)
    CursorMoved, FollowChanged = CursorMoved, FollowChanged

    def __init__(self, kind: str, activate: Callable[[int | None], None], *, id: str | None = None) -> None:
        """`kind`: a source's, or `mixed`. `activate(ordinal)`: Enter or a click on a row (None: none)."""
        super().__init__(id=id)
        self._activate, self.kind = activate, kind
        self.drawing = TableDrawing(kind)  # the columns' layout and each entry's row, drawn once
        self.view: FilteredView | None = None
        self._numbered_at = 0  # the store's moves version the cursor's ordinal is numbered as of
        self.cursor_ordinal: int | None = None
        self.new_rows = 0  # live rows that arrived above the user's place ("+N new")
        # rows a view the user asked for put above the screen, not scrolled to since ("N newer": a search
        # kept the user's entry, nothing saying newer matches were above it, s25 walk #9); under the new rows
        self._newer_counted = 0  # (those of them above the screen now: `newer_unseen`)
        self.sticky_end = False  # after G/End: keep going to the oldest row as pages arrive
        self.pinned = False  # an entry's detail is open: live rows never take the cursor off it
        # Enters before any row is shown (typed ahead): the first row's detail opens (two: focused too)
        self.enters_waiting = 0
        self.empty_message = "Loading…"
        self._cursor_y = 0  # the screen line the cursor was last drawn on (kept across refilters)

    # -- data -----------------------------------------------------------------------------
    def set_view(self, view: FilteredView) -> None:
        self.view = view
        self.cursor_ordinal = view.ordinal(0) if len(view) else None
        self.drawing.refit()
        self._update_size()
        self.scroll_to(y=0, animate=False)
        self.refresh()

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.drawing.columns

    def set_columns(self, columns: tuple[Column, ...]) -> None:
        """Show these columns (the field picker's choice)."""
        self.drawing.set_columns(columns)
        self.refresh()

    def set_labels(self, labels: dict[str, dict[str, str]]) -> None:
        """Show names instead of raw values in some columns (credential ids → their names)."""
        self.drawing.labels = labels
        self.drawing.forget_rows()
        self.refresh()

    @property
    def shift(self) -> int:
        """How far the columns right of the time are scrolled sideways (←/→)."""
        return self.drawing.shift

    @property
    def cursor_ordinal(self) -> int | None:
        """The selected entry's ordinal as the store numbers its rows now: those merged into place
        since it was set are followed (the change that says how many landed above it may come later)."""
        ordinal, view = self._cursor_ordinal, self.view
        return ordinal if ordinal is None or view is None else view.store.moves.follow(ordinal, self._numbered_at)

    @cursor_ordinal.setter
    def cursor_ordinal(self, ordinal: int | None) -> None:
        self._cursor_ordinal, self._numbered_at = ordinal, self.view.store.moves.version if self.view else 0

    @property
    def row_count(self) -> int:
        return 0 if self.view is None else len(self.view)

    @property
    def cursor_row(self) -> int:
        if self.view is None or self.cursor_ordinal is None or not len(self.view):
            return 0
        return min(self.view.row_of(self.cursor_ordinal), len(self.view) - 1)

    @property
    def page_rows(self) -> int:
        """How many data rows fit (the first line is the header)."""
        return max(1, self.scrollable_content_region.height - 1)

    @property
    def newer_unseen(self) -> int:
        """The newer rows counted that are above the screen now: a resize moves its top, a taller screen
        shows some, a shorter one hides them again (the count read stale after one, until the next entry)."""
        return min(self._newer_counted, max(0, round(self.scroll_y) - self.new_rows))

    @property
    def following(self) -> bool:
        """At the newest row and scrolled to the top, no detail open: live rows keep the cursor
        on the newest (a detail open on it was swapped for the next entry at every poll)."""
        return not self.pinned and self.at_top

    @property
    def at_top(self) -> bool:
        return self.cursor_row == 0 and round(self.scroll_y) == 0

    def apply_change(self, change: ViewChange) -> None:
        """Take in rows the view gained or lost without moving what the user is looking at."""
        view = self.view
        if view is None:
            return
        if change.reset:  # (a file put newest first: an entry the user moved to stays, G's oldest too)
            place = None if self.cursor_ordinal is None else view.store.sorted_place(self.cursor_ordinal)
            if place is None or (self._cursor_y == 0 and round(self.scroll_y) == 0 and not self.sticky_end):
                self.refiltered(keep_place=False)  # (any other reset, or at the top: the newest)
                return
            sticky, self.cursor_ordinal, self.new_rows = self.sticky_end, place, 0
            self.refiltered()
            if sticky:
                self.action_last()
            return
        above = change.prepended  # (the view is updated: the cursor's row moved down by the rows above it)
        if change.reordered:  # rows that came out of order were merged into place: follow ours
            self.drawing.forget_rows()
            if self._cursor_ordinal is not None:  # (those that landed below it move nothing, V1/V2)
                self.cursor_ordinal, was = change.follow(view.store.moves, self._cursor_ordinal, self._numbered_at)
                above = 0 if was is None else max(0, self.cursor_row - was)
        top = change.row_of_top(view)  # (None for a merge: `above` counts only this change's rows, as followed)
        was_following = not self.pinned and self.cursor_row <= (above if top is None else top) \
            and round(self.scroll_y) == 0
        was_empty, old_scroll = self.cursor_ordinal is None, round(self.scroll_y)
        self._update_size()
        if was_empty and len(view):
            self.cursor_ordinal = view.ordinal(0)
            self.post_message(self.CursorMoved(self.cursor_ordinal))
            self._first_row_shown()
        elif change.prepended:
            if was_following:
                self.cursor_ordinal = view.ordinal(0)
                self.post_message(self.CursorMoved(self.cursor_ordinal))
            elif above:
                self.new_rows += above
                self.scroll_to(y=old_scroll + above, animate=False)
                self.post_message(self.FollowChanged(False, self.new_rows))
        if self.cursor_ordinal is not None and not len(view):
            self.cursor_ordinal = None
            self.post_message(self.CursorMoved(None))
        elif self.cursor_ordinal is not None and change.dropped and not view.contains(self.cursor_ordinal):
            self._move_to(len(view) - 1)
        if self.sticky_end and change.appended and len(view):
            self._move_to(len(view) - 1, keep_sticky=True)
        # Rows appended below the screen change nothing on it but the scrollbar (which
        # `_update_size` handles); a big file appends dozens of times while the user reads.
        first_new = len(view) - change.appended
        if change.prepended or change.dropped or change.reordered or was_empty or (
                change.appended and first_new <= old_scroll + self.page_rows):
            self.refresh()

    def refiltered(self, keep_place: bool = True, *, asked: bool = False) -> None:
        """The view was recomputed (filters changed): stay on the same entry if it is still shown, at the same
        height on screen; otherwise on the nearest older one. `asked` (a search, a filter, a range): the rows put
        above the screen count as newer, unseen; else (the range moved on) those counted above stay counted."""
        view = self.view
        if view is None:
            return
        screen_y = self._cursor_y if 0 <= self._cursor_y < self.page_rows else 0
        self._update_size()
        self.drawing.forget_rows()
        counted, self.new_rows, self._newer_counted = (self.new_rows, self.newer_unseen), 0, 0
        if not len(view):
            self.cursor_ordinal = None
        elif not keep_place or self.cursor_ordinal is None:
            self.cursor_ordinal = view.ordinal(0)
            self.scroll_to(y=0, animate=False)
        else:
            row = min(view.row_of(self.cursor_ordinal), len(view) - 1)
            self.cursor_ordinal = view.ordinal(row)
            self.scroll_to(y=max(0, row - screen_y), animate=False)
            self._scroll_cursor_visible()
            self.count_above(*((0, round(self.scroll_y)) if asked else counted))
        self.post_message(self.CursorMoved(self.cursor_ordinal))
        self._first_row_shown()
        self.refresh()

    def count_above(self, new_rows: int, newer: int) -> None:
        """Count these rows above the user's place (the newer, as many as are above the screen under the new)."""
        self.new_rows, self._newer_counted = new_rows, min(newer, max(0, round(self.scroll_y) - new_rows))

    def _first_row_shown(self) -> None:
        if self.enters_waiting and self.cursor_ordinal is not None:
            again, self.enters_waiting = self.enters_waiting > 1, 0
            self.action_activate()
            if again:  # (a second Enter typed ahead focuses the detail, as Enter Enter does)
                self.action_activate()

    def _update_size(self) -> None:
        size = Size(self.size.width, self.row_count + 1)
        if size.height != self.virtual_size.height and size.width == self.virtual_size.width \
                and self.show_vertical_scrollbar:  # (no row added, a file's columns read: nothing to repaint)
            # Only the row count changed, the scrollbar is there: its thumb moves, not the layout (which
            # `virtual_size` redoes for the screen, 20–80 ms a batch of a big file). A bar that must go does.
            self.set_reactive(LogTable.virtual_size, size)
            self._scroll_update(size)
        elif size != self.virtual_size:
            self.virtual_size = size
        self._date_when_needed()

    def _date_when_needed(self) -> None:
        """Dates in the time column only while a row on screen is not today's (at 80 columns they took the request's)."""
        top = round(self.scroll_y)
        if self.drawing.dates_changed(self.view, range(top, top + max(1, self.page_rows))):
            self.refresh()

    # -- cursor ---------------------------------------------------------------------------
    def _move_to(self, row: int, keep_sticky: bool = False) -> None:
        view = self.view
        self.sticky_end = keep_sticky  # (even with no row yet: G before any row matched, found in a walk)
        if view is None or not len(view):
            return
        row = max(0, min(row, len(view) - 1))
        was_following = self.following
        old_row = self.cursor_row if self.cursor_ordinal is not None else None
        old_scroll = self.scroll_y
        ordinal = view.ordinal(row)
        if ordinal != self.cursor_ordinal:
            self.cursor_ordinal = ordinal
            self.post_message(self.CursorMoved(ordinal))
        self._scroll_cursor_visible()
        if row == 0:
            self.scroll_to(y=0, animate=False)
        if self.at_top and (self.new_rows or self.following and not was_following):
            self.new_rows = 0  # (at the newest row, pinned or not, none is new above it)
            self.post_message(self.FollowChanged(self.following, 0))
        elif was_following and not self.following:
            self.post_message(self.FollowChanged(False, self.new_rows))
        if old_row is not None and self.scroll_y == old_scroll:
            # Nothing scrolled: redraw the row left and the row reached (line y is row y - 1), not ~50
            self.refresh_line(old_row + 1)
            self.refresh_line(row + 1)
        else:
            self.refresh()

    move_to_row = _move_to  # (select a row by number, scrolling it into view: e/E jumps)

    @property
    def cursor_height(self) -> int:
        """The cursor's line on the screen, from the first row shown (a place kept across `r`)."""
        return self.cursor_row - round(self.scroll_y)

    def select_at_height(self, row: int, height: int) -> None:
        """Select `row`, scrolled to show it on the screen's line `height` as far as the rows allow."""
        self.move_to_row(row)
        self.scroll_to(y=max(0, row - height), animate=False)

    def _scroll_cursor_visible(self) -> None:
        row, top, page = self.cursor_row, round(self.scroll_y), self.page_rows
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + page and self.scrollable_content_region.height > 1:  # (not the header alone, a short
            self.scroll_to(y=row - page + 1, animate=False)  # screen's detail over it: its row went to the top, s30)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor_row + 1)

    def action_page_up(self) -> None:
        page = self.page_rows
        self.scroll_to(y=max(0, round(self.scroll_y) - page), animate=False)
        self._move_to(self.cursor_row - page)

    def action_page_down(self) -> None:
        page = self.page_rows
        self.scroll_to(y=round(self.scroll_y) + page, animate=False)
        self._move_to(self.cursor_row + page)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:  # (G leaves the entry a view kept: its rows above are newer no more, s29 walk #2)
        forgotten, self._newer_counted = self.newer_unseen, 0
        self._move_to(self.row_count - 1, keep_sticky=True)
        if forgotten:
            self.post_message(self.FollowChanged(self.following, self.new_rows))

    def action_activate(self) -> None:
        self._activate(self.cursor_ordinal)  # (a call: see `LogBrowser.activated`; None: no row shown)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y < 1:  # the header
            return
        row = round(self.scroll_y) + offset.y - 1
        if row >= self.row_count:
            return
        again = row == self.cursor_row
        self._move_to(row)
        if again or event.chain >= 2:
            self.action_activate()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if event.shift or event.ctrl:  # the wheel with Shift scrolls sideways
            self.action_shift(-1)
        else:
            self.sticky_end = False  # the user is reading upwards: stop chasing the oldest row

    def on_focus(self) -> None:
        self.refresh()

    on_blur = on_focus  # (the cursor's colour says whether the table has the focus)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.drawing.forget_rows()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._date_when_needed()
        if round(new_value) == 0 and self.new_rows and self.cursor_row == 0:
            self.new_rows = 0
            self.post_message(self.FollowChanged(True, 0))
        said = min(self._newer_counted, max(0, round(old_value) - self.new_rows))
        if new_value < old_value <= self.max_scroll_y:  # scrolled up (not cut back to a taller screen's end): seen
            self._newer_counted = self.newer_unseen
        if self.newer_unseen != said:
            self.post_message(self.FollowChanged(self.following, self.new_rows))

    # -- rendering ------------------------------------------------------------------------
    def on_resize(self) -> None:
        # (the rows drawn are kept: a new width lays the columns out again, which draws them anew
        # (`TableDrawing.layout`); a new height or the same size needs none of them drawn again. A big
        # file's first frame is followed by a resize of the same size, and forgetting them there made
        # the frame of the lines found draw the screen's 46 rows again: ~6 ms more of the frame a `G` waits behind)
        self._update_size()
        self.call_after_refresh(self._scroll_cursor_visible)  # e.g. the detail pane took space

    def _style(self, name: str) -> Style:
        return partial_style(self, f"log-table--{name}")

    def table_layout(self) -> TableLayout:
        """Where the columns go at the present width (laid out again when that or the columns change)."""
        return self.drawing.layout(self.scrollable_content_region.width, self.view)

    def action_shift(self, step: int) -> None:
        """←/→: scroll the columns that do not fit into view, a column at a time (the time stays)."""
        if self.drawing.shifted(step, self.scrollable_content_region.width, self.view):
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        drawing = self.drawing
        layout = drawing.layout(width, self.view)
        base = widget_style(self)
        if y == 0:
            return drawing.header(layout, width, self.app.console).apply_style(self._style("header")).apply_style(base)
        view = self.view
        row = round(self.scroll_y) + y - 1
        if view is None or not len(view):  # (the message on the second row, a line more under it if it has one)
            said = dict(enumerate(self.empty_message.split("\n"), start=2)).get(y, "")
            return message_strip(said, width, self._style("empty"), self.app.console).apply_style(base)
        if row >= len(view):
            return Strip.blank(width, base)
        ordinal, strip = drawing.row(view, row, y == 1, layout, width, self.app.console, self._style,
                                     mark_errors=self.app.no_color)
        if ordinal == self.cursor_ordinal:
            self._cursor_y = y - 1
            strip = with_cursor(strip, self._style("cursor" if self.has_focus else "cursor-blurred"))
        return strip.apply_style(base)


# The keys that jump to the newest or oldest row: one press each, not a burst (`ui/user_quiet.py`)
JUMP_KEYS = frozenset(key for binding in LogTable.BINDINGS if isinstance(binding, Binding)
                      and binding.action in ("first", "last") for key in binding.key.split(","))
