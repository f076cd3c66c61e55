"""The histogram's picked bar outlasts a resize (found by a tester): at 40x10, h, ←←, then 80x24, the pick was
the newest bar again, and so on the way back to 40, Enter then narrowing to a range the user never picked.
The bucket holding the start of the picked span stays picked. And at 40 columns its counts were cut (`· w`):
the bucket is said by its start alone there, the counts whole."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from logview.demo import DemoServer
from logview.ui.widgets.histogram_cells import ERROR, WARN
from ui_helpers import make_app, open_histogram, screen_text, settle, wait_until


def picked_line(app) -> str:
    return next(line for line in screen_text(app).splitlines() if "▸" in line)


async def resized(pilot, histogram, width: int, height: int) -> None:
    await pilot.resize_terminal(width, height)
    await wait_until(pilot, lambda: histogram.data is not None and histogram.requested == histogram.max_buckets
                     and tuple(pilot.app.size) == (width, height), said=lambda: histogram.requested)
    await settle(pilot)


async def test_a_resize_keeps_the_bar_picked(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=(40, 10)) as pilot:
        histogram = await open_histogram(pilot)
        await pilot.press("left", "left")
        picked = histogram.data.bucket_span(histogram.selected)
        for width, height in ((80, 24), (40, 10), (160, 48)):
            await resized(pilot, histogram, width, height)
            start, end = histogram.data.bucket_span(histogram.selected)
            assert start <= picked[0] <= end, (width, picked, (start, end), picked_line(app))
            assert re.search(r"▸ 13 Nov( 00:00 – 13 Nov \d\d:00)?  ", picked_line(app)), picked_line(app)
            picked = (start, end)
        await resized(pilot, histogram, 40, 10)
        await pilot.press("enter")  # (the dates narrowed to the bar picked)
        await settle(pilot)
        filters = app.viewer.session.filters
        assert filters.since == datetime.fromtimestamp(picked[0] / 1e6, tz=timezone.utc), filters


async def test_at_40_columns_the_picked_bars_counts_are_whole(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=(40, 10)) as pilot:
        histogram = await open_histogram(pilot)
        await pilot.press("left", "left")
        counts = histogram.data.counts[histogram.selected].tolist()
        assert counts[WARN] and counts[ERROR], counts  # (warnings and errors: the words to fit)
        said = f"     ▸ 13 Nov  {sum(counts)} · err {counts[ERROR]} · warn {counts[WARN]}"
        assert said in picked_line(app), picked_line(app)


async def test_a_round_trip_through_coarser_bars_comes_back_to_the_bar_picked(demo: DemoServer) -> None:
    """80×24 (12 h bars), a bar picked in a day's second half, 50×15 (a day's bars), 80×24 again: the first
    half was picked (the day's bar's start); found in a walk. The pick follows where it was made."""
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        histogram = await open_histogram(pilot)
        bucket_us = histogram.data.bucket_us
        for _ in range(12):  # (to a bar that starts in a coarser bar's middle, not at its start)
            await pilot.press("left")
            start, _ = histogram.data.bucket_span(histogram.selected)
            if start % (2 * bucket_us) != 0 and sum(histogram.data.counts[histogram.selected]):
                break
        picked = histogram.data.bucket_span(histogram.selected)
        await resized(pilot, histogram, 50, 15)
        assert histogram.data.bucket_us > bucket_us  # (coarser)
        coarse = histogram.data.bucket_span(histogram.selected)
        assert coarse[0] <= picked[0] <= coarse[1] and coarse[0] != picked[0]
        await resized(pilot, histogram, 80, 24)
        assert histogram.data.bucket_us == bucket_us
        assert histogram.data.bucket_span(histogram.selected) == picked, picked_line(app)
