"""The histogram on a screen of few lines: at 80×12 its 10 lines took every line the table had
(s30). Below 20 lines it takes the table's place, its bars as many as fit with its axis and words,
and Esc gives the table back; at 80×24 both stay, the table with rows to read."""

from __future__ import annotations

from logview.demo import DemoServer
from ui_helpers import make_app, open_histogram, screen_text, settle


def table_rows(app) -> int:
    """The table's rows on screen (its header aside): none when it is not shown."""
    table = app.viewer.table
    return max(0, table.region.height - 1) if table.display and table.region.height else 0


async def test_at_80x12_the_histogram_takes_the_tables_place_whole_and_esc_gives_it_back(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 12)) as pilot:
        await settle(pilot)
        assert table_rows(app) >= 3
        histogram = await open_histogram(pilot)
        assert histogram.display and histogram.has_focus
        lines = screen_text(app).splitlines()
        drawn = lines.index(next(line for line in lines if line.startswith(" VOLUME")))
        chart = lines[drawn:drawn + histogram.region.height]
        assert any(line.lstrip().startswith("0 ▕") for line in chart), chart  # its bars' foot, not their tops cut
        assert any("┊" in line for line in chart) and any("▸" in line for line in chart), chart  # the axis, the bar's words
        assert table_rows(app) == 0  # (no table of a header alone beneath: the two take turns)

        await pilot.press("escape")
        await settle(pilot)
        assert not histogram.display and app.viewer.focused is app.viewer.table
        assert table_rows(app) >= 3


async def test_at_80x24_the_histogram_and_the_table_share_the_screen(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        histogram = await open_histogram(pilot)
        assert histogram.display and histogram.region.height == 10
        lines = screen_text(app).splitlines()
        drawn = lines.index(next(line for line in lines if line.startswith(" VOLUME")))
        axis = next(at for at in range(drawn, len(lines)) if "┊" in lines[at])
        assert axis - drawn - 1 == 6, lines[drawn:axis + 1]  # its 6 rows of bars, as on a tall screen
        assert table_rows(app) >= 5, screen_text(app)
