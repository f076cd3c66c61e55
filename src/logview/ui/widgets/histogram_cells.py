"""The volume histogram's words and cells, apart from the widget (`histogram.py`): counts and times
as its gutter and axis say them, and a bucket's bar as its cells."""

from __future__ import annotations

from datetime import datetime

from logview.store.analytics import CLASSES, US

BLOCKS = " ▁▂▃▄▅▆▇█"
WARN, ERROR = CLASSES.index("warn"), CLASSES.index("error")  # (their classes' places)


def short_count(value: int) -> str:
    """A count in at most five cells (the gutter's room)."""
    if value < 10_000:
        return f"{value:,}"
    for unit, size in (("k", 10**3), ("M", 10**6), ("G", 10**9), ("T", 10**12)):
        scaled = value / size
        if scaled < 99.95:
            return f"{scaled:.1f}{unit}" if unit != "k" else f"{scaled:.0f}{unit}"
        if scaled < 999.5:
            return f"{scaled:.0f}{unit}"
    return f"{value:.0e}"


def width_text(width_us: int) -> str:
    for unit, size in (("d", US["d"]), ("h", US["h"]), ("min", US["m"]), ("s", US["s"])):
        if width_us >= size and width_us % size == 0:
            return f"{width_us // size:,} {unit}"  # ("1,460 d", as every count is said)
    return f"{width_us / US['s']:g} s"


def moment_text(moment_us: int, width_us: int, span_us: int) -> str:
    """A bucket's start, as precise as its width needs."""
    try:
        moment = datetime.fromtimestamp(moment_us / 1_000_000).astimezone()
    except (OverflowError, OSError, ValueError):
        return "?"
    if span_us > 366 * US["d"]:  # years apart (a date of 1890 among today's): the year says which
        return moment.strftime("%d %b %Y")
    if width_us >= US["d"]:
        return moment.strftime("%d %b")
    if width_us >= US["m"]:
        return moment.strftime("%d %b %H:%M" if span_us > US["d"] else "%H:%M")
    return moment.strftime("%H:%M:%S")


def bar_cells(counts: list[int], peak: int, rows: int) -> list[tuple[str, int]]:
    """A bucket's bar as (block, class) per cell row, bottom first; class -1 for a blank cell."""
    total = sum(counts)
    if not total or not peak:
        return [(" ", -1)] * rows
    eighths = max(1, round(total / peak * rows * 8))
    bounds, running = [], 0
    for count in counts:
        running += count
        bounds.append(round(running / total * eighths))
    cells: list[tuple[str, int]] = []
    for row in range(rows):
        filled = max(0, min(8, eighths - 8 * row))
        if not filled:
            cells.append((" ", -1))
            continue
        middle = 8 * row + filled / 2
        klass = next((k for k, bound in enumerate(bounds) if bound > middle), len(bounds) - 1)
        cells.append((BLOCKS[filled], klass))
    drawn = {klass for _, klass in cells}
    worst = ERROR if counts[ERROR] else WARN if counts[WARN] else None
    if worst is not None and worst not in drawn and not (worst == WARN and ERROR in drawn):
        top = max(i for i, (_, klass) in enumerate(cells) if klass >= 0)
        cells[top] = (cells[top][0], worst)
    return cells
