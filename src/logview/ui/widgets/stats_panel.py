"""Patterns in the filtered rows: per tool / credential / event — entries, problem rate and
duration percentiles — and the error groups, each row a filter one keypress away; under them the
failures no group holds (invalid entries mostly), which no filter picks.

The numbers come from `analytics` (computed off the UI thread); this widget draws them with the
Line API and reports what the user picked. ↑/↓ move, ←/→ (or Tab) change what the rows are
grouped by, Enter filters by the row (again: the filter is lifted).

Group names and error texts come from the API: they are drawn as plain `Text`, cleaned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from logview.model import counted
from logview.store.analytics import (Capture, ErrorGroup, GroupStats, Snapshot, Ungrouped, error_summary,
                                     group_stats)
from logview.sanitize import clean_line
from logview.ui.widgets.charting import ChartRows, KeysWaiting, Recompute, RowsOf, after_numbers
from logview.ui.widgets.stats_layout import (MARK, StatsLayout, group_numbers, newest_text, stats_layout,
                                             ungrouped_name, ungrouped_said)
from logview.ui.widgets.styling import legible_segments, partial_style, widget_style

# what the user reads for a field (the merged tab's "origin" is its "source" column; found in a walk)
FIELD_TITLES = {"tool": "tool", "credential": "credential", "event": "event", "origin": "source", "error": "error group"}
HEADER_LINES = 2  # the title and the column headings


@dataclass(frozen=True)
class StatsData:
    """What the panel shows: the groups of one field and the error groups."""

    field: str
    groups: Sequence[GroupStats]
    errors: Sequence[ErrorGroup]
    entries: int
    ungrouped: Sequence[Ungrouped] = ()  # (their rows under the error groups: `stats_layout.ungrouped_name`)


@dataclass(frozen=True)
class _Row:
    kind: str  # "group" | "error" | "ungrouped" | "heading" | "blank"
    item: GroupStats | ErrorGroup | Ungrouped | str | None


class StatsPanel(ScrollView, can_focus=True):
    """Per-group numbers and error groups for the current filters."""

    BINDINGS: list[BindingType] = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        # (the scroll view's own keys scrolled without the highlight: Enter then chose a row off the
        # screen, found in a walk)
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "edge(-1)", "First", show=False),  # (g G as in the histogram and the detail)
        Binding("end,G", "edge(1)", "Last", show=False),
        Binding("left", "cycle(-1)", "Group by", show=False),
        Binding("right,tab", "cycle(1)", "Group by"),
        Binding("enter", "choose", "Filter"),
    ]

    COMPONENT_CLASSES = {"stats-panel--title", "stats-panel--heading", "stats-panel--dim", "stats-panel--cursor",
                         "stats-panel--cursor-blurred", "stats-panel--active", "stats-panel--error",
                         "stats-panel--warn", "stats-panel--ok"}

    class Chosen(Message):
        """Filter by this value (`field` is `tool`, `credential`, `event` or `error`)."""

        def __init__(self, field: str, value: str | None) -> None:
            super().__init__()
            self.field = field
            self.value = value

    def __init__(self, fields: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows_of: RowsOf | None = None  # what to count, given by the screen
        self.recompute = Recompute(self, self._compute)
        self.fields = tuple(fields)
        self.field = self.fields[0]
        self.data: StatsData | None = None
        self.active: dict[str, str | None] = {}  # the filters now applied, to mark their rows
        self.cursor = 0
        self.note = "counting…"
        self.errors_uncounted: str | None = None  # (then no error group is "no errors")
        self._counted_unread = False  # the numbers shown were counted while fields were unread
        self._counting: int | None = None  # the entries the latest compute counts (the title says it until shown)
        self.labels: dict[str, dict[str, str]] = {}  # field → value → its name (credential ids)
        self._rows: list[_Row] = []
        self._first_error = 0  # the row of the first error group
        self._fitted: tuple[StatsData, int, object, StatsLayout] | None = None  # the layout, and for what
        self.keys_waiting = KeysWaiting(lambda: self.data is not None and self.data.field == self.field)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # One field to group by (Supermetrics: the event): no "Group by" key to offer.
        return len(self.fields) > 1 if action == "cycle" else True

    # -- data -----------------------------------------------------------------------------
    def rows_changed(self, *, now: bool = False, loading: bool = False) -> None:
        """The rows to count changed: compute again (soon, or `now`)."""
        self.recompute.changed(now=now, loading=loading)

    def _compute(self) -> None:
        if self.rows_of is None:
            return
        rows = self.rows_of()
        capture = Snapshot.capture(rows.store, rows.index, (*self.fields, "error"))
        self._run(self.recompute.token, capture, self.field, rows)
        if self.data is not None and len(rows.index) != self._counting:  # (the title says it at once)
            self._counting = len(rows.index)
            self.refresh()

    @work(thread=True, exclusive=True, group="analytics", exit_on_error=False)
    def _run(self, token: int, capture: Capture, field: str, rows: ChartRows) -> None:
        snapshot = capture.gather()
        errors, ungrouped = error_summary(snapshot)
        data = StatsData(field, group_stats(snapshot, field), errors, len(snapshot), ungrouped)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._computed, token, data, rows)

    def _computed(self, token: int, data: StatsData, rows: ChartRows) -> None:
        if not self.is_attached or not self.display:
            return
        if data.field == self.field:
            self._counted_unread = rows.errors_uncounted is not None
            self.show(data, rows.active, rows.note, rows.errors_uncounted)
        if self.recompute.stale(token):
            self.recompute.changed()  # the rows changed while computing: once more, throttled
        else:
            self._counting = None

    def reading_went_on(self, note: str, errors_uncounted: str | None) -> None:
        """More of a big file's fields were read: say how many are left now, not how many were
        when the numbers were counted (a million rows' count can outlast the read: "the fields of
        215 entries are still being read" stayed while 868,928 were, s19 V4). Once all are read,
        the numbers shown are still those counted before: said until they are counted again."""
        if self.data is None or not self._counted_unread:
            return
        note, errors_uncounted = note or "counting…", errors_uncounted or "every field is read: counting …"
        if (note, errors_uncounted) != (self.note, self.errors_uncounted):
            self.show(self.data, self.active, note, errors_uncounted)

    def show(self, data: StatsData, active: dict[str, str | None], note: str = "",
             errors_uncounted: str | None = None) -> None:
        previous = self._key(self._rows[self.cursor]) if self.cursor < len(self._rows) else None
        self.data, self.active, self.note, self.errors_uncounted = data, active, note, errors_uncounted
        rows = [_Row("group", g) for g in data.groups]
        rows += [_Row("blank", None), _Row("heading", None)]  # (its words: `_error_headings`)
        self._first_error = len(rows)
        # (the failures no group holds, invalid entries mostly, have rows too: without them the groups
        # fell short of the failed count, and nothing said what the rest was; found in a walk)
        failures = [_Row("error", e) for e in data.errors] + [_Row("ungrouped", u) for u in data.ungrouped]
        # (not "no errors" while the fields that tell them are unread: said of 120,461 errors in a walk)
        rows += failures or (
            [_Row("blank", "errors are still being counted:"), _Row("blank", errors_uncounted)] if errors_uncounted
            else [_Row("blank", "no errors among these entries" if data.entries else
                       "no entries shown: nothing to count")])  # (not "no errors" of none: s28 walk)
        self._rows = rows
        keys = [self._key(row) for row in rows]
        self.cursor = keys.index(previous) if previous is not None and previous in keys else min(
            self.cursor, self._last_selectable())
        if not self._selectable(self.cursor):
            self.cursor = self._next_selectable(self.cursor, 1)
        self.virtual_size = Size(self.size.width, len(rows) + HEADER_LINES)
        self.refresh()
        self.keys_waiting.numbers_shown()

    @staticmethod
    def _key(row: _Row) -> tuple[str, object] | None:
        if isinstance(row.item, GroupStats):
            return ("group", row.item.value)
        if isinstance(row.item, ErrorGroup):
            return ("error", row.item.group)
        return ("ungrouped", row.item.invalid, bool(row.item.unlisted)) if isinstance(row.item, Ungrouped) else None

    def _selectable(self, index: int) -> bool:
        return 0 <= index < len(self._rows) and self._rows[index].kind in ("group", "error", "ungrouped")

    def _last_selectable(self) -> int:
        return max((i for i in range(len(self._rows)) if self._selectable(i)), default=0)

    def _next_selectable(self, index: int, step: int) -> int:
        probe = index + step
        while 0 <= probe < len(self._rows):
            if self._selectable(probe):
                return probe
            probe += step
        return index if self._selectable(index) else 0

    # -- keys and mouse -------------------------------------------------------------------
    @after_numbers
    def action_move(self, step: int) -> None:
        self._put_cursor(self._next_selectable(self.cursor, step))

    @after_numbers
    def action_page(self, step: int) -> None:
        """The highlight a screen's rows up or down (to the first or last row at the ends)."""
        if not self._rows:
            return
        page = max(1, self.scrollable_content_region.height - HEADER_LINES - 1)
        target = min(max(self.cursor + step * page, 0), len(self._rows) - 1)
        found = target if self._selectable(target) else self._next_selectable(target, step)
        if not self._selectable(found) or (found - self.cursor) * step < 0:
            found = self._next_selectable(target, -step)
        self._put_cursor(found)

    @after_numbers
    def action_edge(self, step: int) -> None:
        """The highlight on the first (-1) or the last (1) row that can be chosen."""
        first = self._next_selectable(-1, 1) if self._rows else 0
        self._put_cursor(self._last_selectable() if step > 0 else first)

    def _put_cursor(self, index: int) -> None:
        if self._selectable(index):
            self.cursor = index
        self._scroll_to_cursor()
        self.refresh()

    @after_numbers
    def action_cycle(self, step: int) -> None:
        if len(self.fields) < 2:
            return
        self.field = self.fields[(self.fields.index(self.field) + step) % len(self.fields)]
        self.cursor = 0
        self.recompute.changed(now=True)
        self.refresh()

    @after_numbers
    def action_choose(self) -> None:
        if not self._selectable(self.cursor) or self.data is None:
            return
        item = self._rows[self.cursor].item
        if isinstance(item, GroupStats):
            field, value = self.data.field, item.value if isinstance(item.value, str) else None
        elif isinstance(item, Ungrouped):  # (no filter picks them: say where they are)
            self.notify(ungrouped_said(item), timeout=4, markup=False)
            return
        else:
            assert isinstance(item, ErrorGroup)
            field, value = "error", item.group
        if value is None:
            return
        self.post_message(self.Chosen(field, None if self.active.get(field) == value else value))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < HEADER_LINES:
            return
        index = round(self.scroll_y) + offset.y - HEADER_LINES
        if self._selectable(index):
            self.cursor = index
            self.refresh()
            self.action_choose()

    def _scroll_to_cursor(self) -> None:
        page = max(1, self.scrollable_content_region.height - HEADER_LINES)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + page:
            self.scroll_to(y=self.cursor - page + 1, animate=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self._scroll_to_cursor)  # (60×15 → 40×10 left the highlight off the screen: a walk)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_hide(self) -> None:
        self.keys_waiting.drop()

    # -- drawing --------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return partial_style(self, f"stats-panel--{name}")

    def _strip(self, text: Text, width: int) -> Strip:
        text.truncate(width, overflow="crop", pad=True)
        return Strip(list(text.render(self.app.console)), width).apply_style(widget_style(self))

    def stats_layout(self, width: int) -> StatsLayout | None:
        """The columns for this width and these numbers (computed once for both)."""
        data = self.data
        if data is None:
            return None
        fitted = self._fitted
        if fitted is None or fitted[0] is not data or fitted[1] != width or fitted[2] is not self.labels:
            names = [self._group_name(g) for g in data.groups]
            fitted = self._fitted = (data, width, self.labels,
                                     stats_layout(width, names, data.groups, data.errors, data.ungrouped))
        return fitted[3]

    def _group_name(self, item: GroupStats) -> str:
        field = self.data.field if self.data else ""
        if item.value is None:
            return "(none)"
        if isinstance(item.value, str):
            return clean_line(self.labels.get(field, {}).get(item.value, item.value))
        return clean_line(str(item.value))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._strip(self._title(width), width)
        if y == 1:
            return self._strip(self._headings(width), width)
        index = round(self.scroll_y) + y - HEADER_LINES
        if self.data is None:
            return self._strip(Text(f" {self.note}", style=self._style("dim")) if y == 3 else Text(""), width)
        if index >= len(self._rows):
            return Strip.blank(width, widget_style(self))
        text = self._row_text(index, width)
        if index == self.cursor and self._selectable(index):
            text.stylize(self._style("cursor" if self.has_focus else "cursor-blurred"))
            strip = self._strip(text, width)
            return Strip(legible_segments(strip), strip.cell_length)
        return self._strip(text, width)

    def _title(self, width: int) -> Text:
        """What the panel shows, shortened to the width: "group by" goes first, then the note to
        "partial" and then the count; the note goes last (without it partial numbers look final:
        at 160 and 80 columns it was the first to go, found in a walk)."""
        fields = Text()
        for field in self.fields:
            name = f" {FIELD_TITLES.get(field, field)} "
            fields.append(name, style=self._style("active") if field == self.field else self._style("dim"))
        count = f"  {counted(self.data.entries)}" if self.data is not None else ""
        if self.data is not None and self._counting not in (None, self.data.entries):  # (~0.1 s behind the header)
            count += f" · counting {self._counting:,} …"
        notes = [f" · {self.note}", " · partial"] if self.note else [""]
        tails = [count + note for note in notes] + [note.lstrip() for note in notes[-1:] if note] + [""]
        for tail in dict.fromkeys(tails):
            for group_by in ("  group by ", " "):
                text = Text(" STATS", style=self._style("title"))
                text.append(group_by, style=self._style("dim"))
                text.append_text(fields)
                text.append(tail, style=self._style("dim"))
                if text.cell_len <= width:
                    return text
        return text

    def _headings(self, width: int) -> Text:
        layout = self.stats_layout(width)
        title = FIELD_TITLES.get(self.field, self.field)
        if layout is None:
            return Text(" " + title, style=self._style("heading"))
        if self._rows and round(self.scroll_y) >= self._first_error:  # (the groups' headings above errors)
            return self._error_headings(layout)
        text = _fit(" " + title, layout.name + MARK - 1, self._style("heading"))
        for heading, cells in layout.numbers:
            text.append(heading.rjust(cells), style=self._style("heading"))
        return text

    def _error_headings(self, layout: StatsLayout) -> Text:
        text = _fit(" ERROR GROUPS", layout.error_name + MARK, self._style("heading"))
        text.append("entries".rjust(layout.count), style=self._style("heading"))
        text.append("newest".rjust(layout.newest), style=self._style("heading"))
        return text

    def _row_text(self, index: int, width: int) -> Text:
        row, layout = self._rows[index], self.stats_layout(width)
        if row.kind == "blank" or layout is None:
            return Text(f" {row.item}" if row.item else "", style=self._style("dim"))
        if row.kind == "heading":
            return self._error_headings(layout)
        item = row.item
        if isinstance(item, GroupStats):
            # ("(none)" is no filter: None == None marked it picked with no filter set; found in a walk)
            active = item.value is not None and self.active.get(self.data.field if self.data else "") == item.value
            style = self._style("active") if active else Style()
            text = Text("● " if active else "  ", style=style)
            text.append_text(_fit(layout.names[index], layout.name, style))
            numbers = group_numbers(item)
            rate = item.problem_rate
            for title, cells in layout.numbers:
                number_style = Style() if numbers[title] != "—" else self._style("dim")
                if title == "failed":
                    number_style = self._style("error" if rate >= 0.05 else "warn" if rate > 0 else "ok")
                text.append(numbers[title].rjust(cells), style=number_style)
            return text
        assert isinstance(item, (ErrorGroup, Ungrouped))
        active = isinstance(item, ErrorGroup) and self.active.get("error") == item.group
        style = self._style("active") if active else self._style("error")
        text = Text("● " if active else "  ", style=style)
        name = ungrouped_name(item) if isinstance(item, Ungrouped) else layout.errors[index - self._first_error]
        text.append_text(_fit(name, layout.error_name, style))
        text.append(f"{item.count:,}".rjust(layout.count))
        text.append(newest_text(item).rjust(layout.newest), style=self._style("dim"))
        return text


def _fit(text: str, width: int, style: Style | str = "") -> Text:
    """`text` cut or padded to `width` terminal cells (wide characters count twice)."""
    cell = Text(text, style=style, no_wrap=True)
    cell.truncate(max(0, width), overflow="ellipsis", pad=True)
    return cell
