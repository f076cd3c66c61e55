"""Words are not cut in the middle where a shorter form fits: the histogram's picked bar, the stats
panel's title beside a drawer, the dialogs at 60 columns (all found in a walk)."""

from __future__ import annotations

import re

from logview.demo import DemoServer
from ui_helpers import make_app, open_histogram, screen_text, settle, table_lines


async def test_the_picked_bar_says_its_counts_in_fewer_words_beside_the_stats(demo: DemoServer) -> None:
    """`▸ 05 Dec – 06 Dec  914 entries · errors 94 · warn▏`: cut, the warnings lost their number."""
    app = make_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("i", "h")  # side by side, the histogram focused on its newest bar
        await settle(pilot)
        histogram = app.viewer.histogram
        assert app.viewer.stats.display and histogram.size.width < 70
        line = next(line for line in screen_text(app).splitlines() if "▸" in line)
        picked = line[histogram.region.x:histogram.region.right].rstrip()
        assert re.search(r"· err [\d,]+ · warn [\d,]+$", picked), picked


async def test_the_stats_beside_a_drawer_fit_the_room_left(demo: DemoServer) -> None:
    """80×24 with the sidebar drawn as a drawer: the panel kept 64 columns of 48 (`5,900 entri`)."""
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b", "i")
        await settle(pilot)
        stats = app.viewer.stats
        assert stats.region.right <= 80
        title = next(line for line in screen_text(app).splitlines() if "STATS" in line)
        assert re.search(r"[\d,]+ entries\s*$", title), title


async def test_the_dialogs_fit_60_columns(demo: DemoServer) -> None:
    """At 60×15 the save and columns dialogs ran off the right edge, their words cut mid-word,
    and the columns' keys were cut off below a list of one row."""
    app = make_app(demo)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        box = app.screen.query_one("#save-box")
        assert box.region.x >= 0 and box.region.right <= 60
        assert ".csv: the source's columns" in " ".join(screen_text(app).split())
        await pilot.press("escape", "f")
        await settle(pilot)
        box = app.screen.query_one("#columns-box")
        assert box.region.right <= 60
        keys = app.screen.query_one("#columns-keys")
        assert keys.region.bottom <= box.region.bottom and "Esc cancels" in " ".join(screen_text(app).split())


async def test_closing_the_drawer_leaves_no_headless_stub_of_a_column(demo: DemoServer) -> None:
    """80×24, the drawer open and the table scrolled sideways: `b` closed it and the tool column
    showed only its values' tails under a blank header (`rker` of `bench.newest.marker`)."""
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("b", "right", "right", "right", "right")  # (to the end of the table)
        await settle(pilot)
        table = app.viewer.table
        assert table.shift > 0
        await pilot.press("b")
        await settle(pilot)
        layout = table.table_layout()
        assert table.shift in {spot.x - layout.frozen for spot in layout.placed} | {0}
        header = table_lines(app)[0]
        if table.shift:
            assert re.match(r"\s*time\s+←\S", header), header


async def test_without_colour_the_histograms_classes_differ_by_pattern(demo: DemoServer, monkeypatch) -> None:
    """NO_COLOR: every class was `█` in greys one step apart (errors 240, info 241), the legend's
    swatches alike, and errors on a bar's tip could not be seen (found in walks)."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        histogram = await open_histogram(pilot)
        lines = [histogram.render_line(y).text for y in range(histogram.size.height)]
        assert "█ ok ▓ info ░ other ▒ warn ╳ error" in lines[0]
        bars = "".join(lines[1:7])
        erring = sum(1 for counts in histogram.data.counts.tolist() if counts[-1])
        assert erring and bars.count("╳") >= erring  # (each bar holding errors shows them)
