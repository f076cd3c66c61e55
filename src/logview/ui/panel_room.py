"""How much of the screen the panels stacked above the table (the histogram, the stats) may take,
so that the table keeps rows: the line counts below which they take turns, or the histogram takes
the table's place, and whether they take turns on a screen as it is now."""

from __future__ import annotations

from textual.screen import Screen

BOTH_PANELS_FROM = 40  # lines: below, the histogram and the stats stacked above the table take turns
# lines: below, the histogram open takes the table's place, and Esc (or h) gives it back: its 10 lines
# left a table of 80×12 no row (s30); 20 leaves one of 3 rows beside it under a banner of 3 lines
HISTOGRAM_ALONE_BELOW = 20


def panels_take_turns(screen: Screen, detail_below: bool) -> bool:
    """Whether the panels above the table take turns on `screen`: stacked (narrow, or the stats above),
    on a short screen, or over a detail open below the table (with both and the detail open at 120×40
    no row of the table was left, found in a walk)."""
    stacked = screen.has_class("-narrow") or screen.has_class("-stats-above")
    return stacked and (screen.size.height < BOTH_PANELS_FROM or detail_below)
