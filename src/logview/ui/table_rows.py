"""The table's header and rows as text, over a `TableLayout`: every cell cut to its column's
width with an ellipsis (or padded), a gap between columns, so that no value runs into the next.
Values come from the entries (untrusted): they go into `Text` as plain strings, cleaned."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from logview.model import LogEntry
from logview.sanitize import clean_line
from logview.store import EntryStore, FilteredView
from logview.ui.cells import (
    FIELD_PREFIX,
    GAP,
    field_cell,
    format_time,
    local_time,
    row_cells,
    status_class,
    status_text,
    today,
)
from logview.ui.labels import fit_labels
from logview.ui.table_layout import PAD, TableLayout

ERROR_MARK = "✖"
StyleOf = Callable[[str], Style]  # a component class's name (`date`, `error`, …) → its style


def header_text(layout: TableLayout) -> Text:
    text = Text(" " * PAD, no_wrap=True, end="")
    for spot in layout.placed:
        title = spot.column.title
        cell = Text(title.rjust(spot.width)[:spot.width] if spot.column.right else title, no_wrap=True)
        cell.truncate(spot.width, overflow="ellipsis", pad=True)
        text.append_text(cell)
        text.append(" " * GAP)
    text.truncate(layout.width, overflow="crop", pad=True)
    return text


def header_strip(layout: TableLayout, width: int, shift: int, console: Console) -> Strip:
    """The header as the table draws it, `shift` columns scrolled sideways (its styles still to apply)."""
    return with_arrows(Strip(list(header_text(layout).render(console)), layout.width), layout, width, shift)


def row_strip(store: EntryStore, ordinal: int, layout: TableLayout, console: Console, *, show_date: bool, dated: bool,
              millis: bool, labels: dict[str, dict[str, str]], style: StyleOf, mark_errors: bool) -> Strip:
    """One entry's whole row as the table draws it (`row_text`), its time dated if `show_date`."""
    entry = store.entry(ordinal)
    date, clock = format_time(local_time(store.time_us(ordinal)), with_date=show_date, millis=millis, dated=dated)
    if millis and entry.source == "supermetrics" and clock.endswith(".000"):
        # (the merged timeline: a time in whole seconds, as the API sent it, its place kept; ".000" beside
        # an Aitronos ".384" was precision it never had, s28 walk #12)
        clock = clock.removesuffix(".000").ljust(len(clock))
    text = row_text(entry, ordinal, store, layout, date=date, clock=clock, labels=labels,
                    style=style, mark_errors=mark_errors)
    return Strip(list(text.render(console)), layout.width)


def row_text(entry: LogEntry, ordinal: int, store: EntryStore, layout: TableLayout, *, date: str, clock: str,
             labels: dict[str, dict[str, str]], style: StyleOf, mark_errors: bool = False) -> Text:
    """One entry's row across the whole layout (`date`, `clock`: its time, formatted).
    `mark_errors` (NO_COLOR, where red is a grey): an error's row is marked `✖`, as an invalid
    one is `!`."""
    cells = row_cells(entry)
    text = Text(" " * PAD, no_wrap=True, end="")
    for spot in layout.placed:
        column, key = spot.column, spot.column.key
        if key == "mark":
            mark = "!" if entry.invalid else ERROR_MARK if mark_errors and status_class(entry.status) == "error" else " "
            cell = Text(mark, style=style("invalid"))
        elif key == "time":
            cell = Text.assemble((date, style("date")), clock)
        elif key == "status":
            cell = Text(status_text(entry.status), style=style(status_class(entry.status)))
        else:
            if key == "origin":  # the merged timeline: the tab the row comes from
                value = origin_cell(tuple(store.categories("origin").values), int(store.column("origin", ordinal)),
                                    spot.width)
            elif key.startswith(FIELD_PREFIX):
                value = field_cell(entry, key[len(FIELD_PREFIX):])
            else:
                value = cells.get(key, "")
            value = labels.get(key, {}).get(value, value)
            cell_style = style("invalid") if entry.invalid and column.flex else (
                style("error") if key == "message" else Style())
            if key == "duration" and not value:
                value, cell_style = "—", style("dim")
            cell = Text(value, style=cell_style)
        if column.right:
            cell.truncate(spot.width, overflow="ellipsis")
            cell.pad_left(spot.width - cell.cell_len)
        else:
            cell.truncate(spot.width, overflow="ellipsis", pad=True)
        text.append_text(cell)
        text.append(" " * GAP)
    text.truncate(layout.width, overflow="crop", pad=True)
    return text


@lru_cache(maxsize=64)
def origin_cell(labels: tuple[object, ...], code: int, width: int) -> str:
    """The tab a merged row comes from, in `width` cells, cut as the tabs are (in the middle where
    the end would make two read the same): cut at the end, production-eu-west-1 and -2 both read
    `production-eu…` on every row (found in a walk)."""
    return fit_labels([clean_line(str(label)) for label in labels], width)[code]


# rows without a time looked past at an edge (a screen's worth and more; they all sort last)
_TIMELESS_LOOKED_PAST = 500


def needs_dates(view: FilteredView | None, rows: range | None = None) -> bool | None:
    """Whether the time column needs its date: not when the newest and the oldest timed row shown
    (of `rows`, those on screen, when given) are both today's (`HH:MM:SS` says it all then; rows
    are newest first, timeless ones last, so every timed row between them is today's too); None
    when no row is shown."""
    if view is None or not len(view):
        return None
    day = today()
    first, last = (0, len(view) - 1) if rows is None else (rows.start, rows.stop - 1)
    first, last = max(0, min(first, len(view) - 1)), max(0, min(last, len(view) - 1))
    for inwards in (range(first, last + 1), range(last, first - 1, -1)):
        for row in inwards[:_TIMELESS_LOOKED_PAST]:
            moment = local_time(view.store.time_us(view.ordinal(row)))
            if moment is not None:  # (an invalid entry without a time says nothing: the next one in)
                if moment.date() != day:
                    return True
                break
    return False


def message_strip(message: str, width: int, style: Style, console: Console) -> Strip:
    """A line of the table saying `message` in its middle (no row to show: "Loading…")."""
    text = Text(message.center(width), style=style, no_wrap=True)
    text.truncate(width, overflow="crop", pad=True)
    return Strip(list(text.render(console)), width)


def on_screen(strip: Strip, layout: TableLayout, width: int, shift: int) -> Strip:
    """The part of a whole row on a screen `width` cells wide: the frozen columns (the time), then
    the rest from `shift` on."""
    if not shift:  # the columns that fit, and nothing of those that did not
        return strip.crop(0, min(width, layout.shown)).adjust_cell_length(width)
    frozen = min(layout.frozen, width)
    start = layout.frozen + shift
    end = start + width - frozen
    # Scrolled to the table's end, a column may be cut at the frozen edge: its tail, under no title,
    # read as words of their own (`l_reques…`, found in a walk), so its cells are left blank.
    cut_end = next((p.x + p.width for p in layout.placed if p.x < start < p.x + p.width), start)
    blanked = Strip([Segment(" " * segment.cell_length, segment.style)
                     for segment in strip.crop(start, min(cut_end, end))])
    return Strip.join([strip.crop(0, frozen), blanked, strip.crop(min(cut_end, end), end)]).adjust_cell_length(width)


def with_arrows(strip: Strip, layout: TableLayout, width: int, shift: int) -> Strip:
    """The header on screen, with an arrow at each edge beyond which columns lie (←/→ bring them)."""
    strip = on_screen(strip, layout, width, shift)
    if shift and 1 < layout.frozen < width:
        strip = Strip.join([strip.crop(0, layout.frozen - 1), Strip([Segment("←")]), strip.crop(layout.frozen)])
    if shift < layout.max_shift(width) and width > 1:
        strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("→")])])
    return strip
