"""A launch's first frame (issue 14, start-up): the viewer's screen is drawn once Textual's start-up
is over, not inside it. Textual batches the app's start-up (`App.batch_update`), and nothing drawn
inside a batch reaches the terminal: a viewer pushed from the app's `on_mount` was laid out and
drawn there, for nothing (~40 ms of a 1M file's first rows), then drawn again; and the file's
reading, waiting for the first paint, went on before the frame that showed its rows was drawn.
It goes on right after that frame, not after the refreshes that follow it."""

from __future__ import annotations

import json
from pathlib import Path

from logview.ui.app import LogViewApp
from logview.ui.feed import Feed
from logview.ui.widgets.log_table import LogTable
from ui_helpers import SIZE, file_app, wait_until


def write_rows(path: Path, count: int) -> None:
    path.write_text("".join(json.dumps({"id": f"s{n}", "log_time": f"2025-11-15T11:{n % 60:02d}:00Z",
                                        "status": 200, "event": "data.page"}) + "\n" for n in range(count)))


async def test_a_files_reading_goes_on_from_the_first_frame_drawn_after_the_start_up_batch(
        tmp_path, monkeypatch) -> None:
    path = tmp_path / "rows.jsonl"
    write_rows(path, 200)
    happened: list[str] = []
    draw, painted, shown = LogTable.render_line, Feed.painted, LogViewApp.post_display_hook

    def drawing(table: LogTable, y: int):
        # (`_batch_count`: Textual's own count of open batches, which hold every frame back)
        if len(table.app.viewer.view) and (not happened or happened[-1] == "painted"):
            happened.append("drawn in the start-up batch" if table.app._batch_count else "drawn")
        return draw(table, y)

    def painting(feed: Feed) -> None:
        happened.append("painted")
        painted(feed)

    def showing(app: LogViewApp) -> None:  # (a frame: drawn for the terminal, written unless headless)
        if happened:
            happened.append("frame")
        shown(app)

    monkeypatch.setattr(LogTable, "render_line", drawing)
    monkeypatch.setattr(LogViewApp, "post_display_hook", showing)
    monkeypatch.setattr(Feed, "painted", painting)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "painted" in happened)
        assert len(app.viewer.view) == 200
    assert happened[:3] == ["drawn", "frame", "painted"], happened


async def test_a_16_colour_launch_parses_the_apps_styles_once_and_again_for_a_new_theme(tmp_path, monkeypatch) -> None:
    """In 16 colours (TERM=xterm, screen, linux) the viewer sets the ANSI theme before it runs,
    and Textual reparses the styles for it at start-up, in a stylesheet it then threw away with
    its parse: the first screen's widgets parsed every source again, the app's styles twice
    (~7 ms of the first rows)."""
    from textual.css import stylesheet

    path = tmp_path / "rows.jsonl"
    write_rows(path, 20)
    parsed: list[str] = []
    parse = stylesheet.parse

    def counted(scope, css, read_from, **options):
        parsed.append(Path(read_from[0]).name)
        return parse(scope, css, read_from, **options)

    monkeypatch.setattr(stylesheet, "parse", counted)
    app = file_app(path)
    app.theme = "ansi-dark"  # (as `run_viewer` does in 16 colours)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) == 20)
        assert parsed.count("app.tcss") == parsed.count("widgets.tcss") == 1, parsed
        background = app.screen.styles.background
        app.theme = "textual-dark"
        await pilot.pause()
        assert parsed.count("app.tcss") == parsed.count("widgets.tcss") == 2, parsed  # (its variables are new)
        assert app.screen.styles.background != background


async def test_the_panels_and_the_detail_are_made_when_first_wanted(tmp_path) -> None:
    """Hidden at start, the histogram, the stats panel and the detail pane were made, styled and
    mounted on the way to the first rows (with their modules, ~15 ms of a launch)."""
    from logview.ui.widgets.detail_pane import DetailPane
    from logview.ui.widgets.histogram import VolumeHistogram
    from logview.ui.widgets.stats_panel import StatsPanel

    path = tmp_path / "rows.jsonl"
    write_rows(path, 20)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) == 20)
        browser = app.viewer.browser
        assert not app.screen.query(DetailPane) and not app.screen.query(VolumeHistogram)
        # (the rows are put newest first once every field is read: an Enter before that opened
        # the oldest, then on top, in a fresh-clone CI on a loaded machine)
        await wait_until(pilot, lambda: app.viewer.session.phase == "complete")
        assert not browser.panels_made() and not browser.shown("detail")
        await pilot.press("i")
        await wait_until(pilot, lambda: app.screen.focused is browser.stats and browser.stats.region.height > 0)
        await pilot.press("h")  # (made above the stats, which stays beside the table at this width)
        await wait_until(pilot, lambda: app.screen.focused is browser.histogram and browser.histogram.region.height > 0)
        assert [type(w) for w in browser.children].index(VolumeHistogram) < [type(w) for w in browser.children].index(StatsPanel)
        await pilot.press("escape", "enter")
        await wait_until(pilot, lambda: browser.shown("detail") and browser.detail.region.width > 0)
        assert browser.detail.entry is not None and browser.detail.entry.id == "s19"
        assert list(browser.children)[-1] is browser.detail
