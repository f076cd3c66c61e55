"""Where the table's columns go on a screen of a given width, in the order the user chose (`f`).

On a wide screen every column gets its preferred width and the flex column (the error text, the
request) takes what is left. On a narrow one the columns give way from the last: each narrows to its
minimum, then leaves the screen, before the one before it gives up a cell; the essential ones (the
mark, the time, the status) never do. What left the screen lies after the rest, in the same order,
where ←/→ scroll to it, while the time stays put at the left (`frozen`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import numpy as np
from msgspec.structs import replace
from rich.cells import cell_len

from logview.sanitize import clean_line
from logview.ui.cells import FIELD_PREFIX, GAP, Column, field_cell

if TYPE_CHECKING:
    from logview.store import FilteredView

FROZEN = ("mark", "time")  # stay at the left when the table scrolls sideways
FLEX_WIDTH = 30  # the cells the flex column holds before a column after it keeps any
OFF_SCREEN_FLEX = 40  # the width a flex column gets when it is only reached by scrolling
PAD = 1  # one cell of left padding before the first column
FIELD_SAMPLE = 200  # rows looked at, spread over the view, for the width of a column of a field (`f`)
FIELD_WIDEST = 40  # the most a field's column asks for, to show its values whole (a UUID's 36)
FIELD_LINE_MOST = 16 << 10  # a file's line longer than this is not read for it (200 of 50 MB took seconds)


class Placed(msgspec.Struct, frozen=True):
    """One column where it is drawn: `x` is its first cell in the whole row (padding counted)."""

    column: Column
    x: int
    width: int


class TableLayout(msgspec.Struct, frozen=True):
    """The columns in drawing order — those that fit the screen, then those reached by scrolling."""

    placed: tuple[Placed, ...]
    frozen: int  # the leading cells that never scroll sideways (padding, mark, time and gaps)
    width: int  # the whole row, the part off screen included
    off_screen: tuple[str, ...]  # the keys of the columns that did not fit
    shown: int  # where the columns that fit end (what lies beyond is only seen scrolled)

    def max_shift(self, screen: int) -> int:
        """How far the scrolling part can move left on a screen `screen` cells wide."""
        return max(0, self.width - max(screen, self.frozen))

    def next_shift(self, shift: int, step: int, screen: int) -> int:
        """The shift after ←/→ (`step` -1/1): the next column's start at the frozen edge, or the end."""
        later = [stop for stop in self._stops(screen) if (stop > shift if step > 0 else stop < shift)]
        return (min(later) if step > 0 else max(later)) if later else shift

    def settled_shift(self, shift: int, screen: int) -> int:
        """A shift from another layout (another width) at a column's start in this one, at most as
        far: kept as it was, the sidebar closed left the tail of a column under a blank header
        (`rker` of `bench.newest.marker`; found in a walk)."""
        starts = self._stops(screen, with_end=False)
        return max(stop for stop in starts if stop <= min(shift, self.max_shift(screen)))

    def _stops(self, screen: int, with_end: bool = True) -> set[int]:
        """Where a shift may stop: a column's start at the frozen edge, or (`with_end`) the end
        of the table at the screen's edge, wherever that leaves the column it cuts."""
        most = self.max_shift(screen)
        starts = {p.x - self.frozen for p in self.placed if self.frozen <= p.x <= self.frozen + most} | {0}
        return starts | {most} if with_end else starts


def fit(columns: tuple[Column, ...], width: int) -> TableLayout:
    """Lay `columns` out in `width` cells, in their order: the last narrows, and moves off screen when
    that is not enough, before the one before it gives up anything; the flex column takes what is left."""
    count = len(columns)
    # the flex column asks FLEX_WIDTH: a column after it narrows and leaves before it has less (it had
    # only what was left, 12 cells, `Gmail API d…`, beside the whole credential at 100 to 140 columns)
    widths = [FLEX_WIDTH if c.flex else c.width for c in columns]
    shown = [True] * count
    # the last first (the user's order: a field added with f outlasted the credential chosen before it
    # at 120 columns, s21 #13); the essential columns only narrow, after all the others
    order = sorted(range(count), key=lambda i: (columns[i].essential, -i))

    def excess() -> int:
        used = [widths[i] for i in range(count) if shown[i]]
        return PAD + sum(used) + GAP * max(0, len(used) - 1) - width

    for i in order:  # narrow, and when that is not enough move off screen, before the next one
        over = excess()
        if over <= 0:
            break
        widths[i] = max(columns[i].min_width, widths[i] - over)
        if excess() > 0 and not columns[i].essential:
            shown[i] = False
    flex = next((i for i in range(count) if columns[i].flex and shown[i]), None)
    if flex is not None and excess() < 0:
        widths[flex] -= excess()
    for i in range(count):
        if not shown[i]:
            widths[i] = max(columns[i].width, columns[i].min_width, OFF_SCREEN_FLEX if columns[i].flex else 0)
    # (what left is a tail of the order, but for the merged source before the status, which stays)
    drawn = [i for i in range(count) if shown[i]] + [i for i in range(count) if not shown[i]]
    placed, x, shown_end = [], PAD, PAD
    for i in drawn:
        placed.append(Placed(columns[i], x, widths[i]))
        x += widths[i] + GAP
        if shown[i]:
            shown_end = x - GAP
    frozen = PAD
    for spot in placed:
        if spot.column.key not in FROZEN:
            break
        frozen = spot.x + spot.width + GAP
    return TableLayout(tuple(placed), frozen, x - GAP, tuple(columns[i].key for i in range(count) if not shown[i]),
                       shown_end)


def with_time_width(columns: tuple[Column, ...], width: int) -> tuple[Column, ...]:
    """The columns with the time column `width` cells wide (without the date when it is not needed)."""
    return tuple(replace(c, width=width, min_width=width) if c.key == "time" else c for c in columns)


def widest_origin(view: FilteredView | None) -> int:
    """The cells of the widest tab label a merged timeline's rows name (0: none, or no merged rows)."""
    labels = view.store.categories("origin").values[1:] if view is not None else ()
    return max((cell_len(clean_line(str(label))) for label in labels), default=0)


def with_origin_width(columns: tuple[Column, ...], widest: int) -> tuple[Column, ...]:
    """The merged timeline's `source` column as wide as its widest label (`widest_origin`), its title at least:
    it held 14 cells for two-letter tab names at 60 columns, while the tool or event beside it was cut (s28 walk #6)."""
    if not widest:
        return columns
    width = {c.key: min(c.width, max(len(c.title), widest)) for c in columns}
    return tuple(replace(c, width=width[c.key], min_width=min(c.min_width, width[c.key])) if c.key == "origin" else c
                 for c in columns)


def field_widths(columns: tuple[Column, ...], view: FilteredView | None) -> tuple[tuple[str, int], ...]:
    """The cells each column of a field (`f`) asks for, to show its values whole: the widest of those
    among FIELD_SAMPLE rows spread over `view` that fit FIELD_WIDEST, its title at least. A field whose
    values mostly do not fit (a tenth of them or more: JSON objects, messages) keeps its column's width,
    as does one none of the rows holds: cut either way, it would only push later columns off the screen.
    A field's column held 16 cells, an id cut to `6b171820-b0c1e0…` beside a request column with room
    to spare (found in a walk)."""
    keys = [c.key for c in columns if c.key.startswith(FIELD_PREFIX) and not c.flex]
    if not keys or view is None or not len(view):
        return ()
    rows = np.unique(np.linspace(0, len(view) - 1, min(FIELD_SAMPLE, len(view))).astype(np.int64))
    ordinals = view.index[rows]
    if view.store.lines is not None:  # (read on the UI thread: a file's huge lines are left out)
        ordinals = ordinals[view.store.column("length", ordinals) <= FIELD_LINE_MOST]
    entries = list(view.store.entries(ordinals))
    titles = {c.key: cell_len(c.title) for c in columns}
    widths = []
    for key in keys:
        lengths = sorted(width for entry in entries if (width := cell_len(field_cell(entry, key[len(FIELD_PREFIX):]))))
        if lengths and lengths[(len(lengths) - 1) * 9 // 10] <= FIELD_WIDEST:
            widths.append((key, max(titles[key], max(width for width in lengths if width <= FIELD_WIDEST))))
    return tuple(widths)


def with_field_widths(columns: tuple[Column, ...], widths: tuple[tuple[str, int], ...]) -> tuple[Column, ...]:
    """The columns with each field's as wide as `field_widths` found (narrower on a narrow screen, as any)."""
    wanted = dict(widths)
    return tuple(replace(c, width=wanted[c.key], min_width=min(c.min_width, wanted[c.key])) if c.key in wanted else c
                 for c in columns)
