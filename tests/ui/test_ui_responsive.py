"""First-class at 80×24 and in split panes (issue 15): the sidebar folds away below 120 columns
and `b` brings it back, a line says the filters meanwhile, the number keys, `/` and `d` keep
working; the columns give way from the last and ←/→ reach the rest; the detail covers a short
screen; the stats and the tabs fit; every resize is taken live, on the same entry."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from textual.widgets import Input

from logview.demo import DemoServer
from logview.model import Filters
from logview.ui import table_rows
from logview.ui.cells import columns_for
from logview.ui.labels import fit_labels
from logview.ui.table_layout import fit
from logview.ui import table_drawing
from logview.ui.widgets.stats_layout import MARK
from ui_helpers import detail_text, hold_the_backfill, make_app, screen_text, settle, table_lines, wait_until, widget_text

SMALL = (80, 24)


async def test_below_120_columns_the_sidebar_folds_and_b_brings_it_back(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        viewer = app.viewer
        assert not viewer.sidebar.display and viewer.browser.filter_line.display
        assert viewer.table.region.width == 80  # the table takes the whole width
        assert "no filters" in screen_text(app) and "b Filters" in screen_text(app).splitlines()[-1]
        await pilot.press("b")
        await pilot.pause()
        # beside the table, not over it: the time and status stay in view (a drawer hid them, and
        # ← could not bring them back)
        assert viewer.sidebar.display and viewer.table.region.x == viewer.sidebar.region.right
        assert viewer.table.region.width == 80 - viewer.sidebar.region.width
        header = table_lines(app)[0]
        assert "STATUS" in screen_text(app) and header.split()[:2] == ["time", "status"], header
        await pilot.press("b")
        await pilot.pause()
        assert not viewer.sidebar.display
        await pilot.resize_terminal(160, 40)  # wide: hidden as b left it (its choice holds: test_ui_sidebar_choice)
        await pilot.pause()
        assert not viewer.sidebar.display and viewer.browser.filter_line.display
        await pilot.press("b")
        await pilot.pause()
        assert viewer.sidebar.display and not viewer.browser.filter_line.display
        await pilot.press("b")  # and b hides it at any size
        await pilot.pause()
        assert not viewer.sidebar.display and viewer.table.region.width == 160
        assert "Filter sidebar" in [command.title for command in viewer.system_commands()]


async def test_below_80_columns_the_sidebar_is_a_drawer_over_the_table(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=(70, 24)) as pilot:
        await settle(pilot)
        viewer = app.viewer
        await pilot.press("b")
        await pilot.pause()
        assert viewer.sidebar.display and viewer.table.region.width == 70  # too narrow for both
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert viewer.sidebar.display and viewer.table.region.width == 100 - viewer.sidebar.region.width


async def test_number_keys_slash_and_d_keep_working_while_folded(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        viewer, line = app.viewer, app.viewer.browser.filter_line
        await pilot.press("3", "4")
        await settle(pilot)
        assert viewer.filters.statuses == ("4xx", "5xx") and "status 4xx,5xx" in widget_text(line)
        await pilot.press("slash")
        await pilot.pause()
        assert viewer.focused is viewer.sidebar.query_one("#search", Input) and viewer.sidebar.display
        await pilot.press(*"report", "enter")
        await settle(pilot)
        assert viewer.focused is viewer.table and not viewer.sidebar.display  # folded again
        assert 'status 4xx,5xx · search "report"' in widget_text(line)
        assert all(e.status >= 400 and "report" in str(e.raw).lower()
                   for e in viewer.store.entries(viewer.view.index[:30]))
        await pilot.press("d")
        await pilot.pause()
        assert viewer.focused is viewer.sidebar.query_one("#since", Input) and viewer.sidebar.display
        await pilot.press("escape")  # leaves the field untouched, the sidebar folds
        await pilot.pause()
        assert viewer.focused is viewer.table and not viewer.sidebar.display
        await pilot.press("d", *"2025-11-15", "enter")
        await settle(pilot)
        assert "since 2025-11-15" in widget_text(line) and not viewer.sidebar.display


def test_columns_give_way_from_the_last_and_the_pickers_choice_stays_reachable() -> None:
    def placed(kind, width, keys=None):
        layout = fit(columns_for(kind, keys), width)
        shown = [p.column.key for p in layout.placed if p.column.key not in layout.off_screen]
        return layout, shown

    for kind in ("aitronos", "supermetrics", "mixed"):
        layout, shown = placed(kind, 250)
        assert not layout.off_screen and all(p.width >= p.column.width for p in layout.placed)
        for width in (79, 60, 40):
            layout, shown = placed(kind, width)
            assert shown[:3] == ["mark", "time", "status"]
            # what left the screen is the last of the order, and is drawn after the rest in it
            keys = [c.key for c in columns_for(kind, None)]
            assert shown == keys[:len(shown)] and [p.column.key for p in layout.placed] == keys
            assert layout.shown <= width or width == 40  # (40: the time and status alone are wider)
    # Aitronos: the credential goes first, then the error text; the tool is never cut for them
    assert placed("aitronos", 87)[0].off_screen == ("credential",)
    layout, shown = placed("aitronos", 79)
    assert layout.off_screen == ("message", "credential") and shown[3:] == ["tool", "duration"]
    assert next(p.width for p in layout.placed if p.column.key == "tool") == 24
    assert placed("supermetrics", 79)[0].off_screen == ()
    layout, shown = placed("aitronos", 79, ["field:user_id", "tool"])  # the user's columns
    assert [p.column.key for p in layout.placed][3:] == ["field:user_id", "tool"]


async def test_times_are_bare_when_every_row_shown_is_today(demo: DemoServer, monkeypatch) -> None:
    for module in (table_rows, table_drawing):  # the demo's "today" is the day of its fixed clock
        monkeypatch.setattr(module, "today", lambda: date(2025, 11, 15))
    app = make_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        table = app.viewer.table

        def time_width() -> int:
            return next(p.width for p in table.table_layout().placed if p.column.key == "time")

        # today's rows fill the first screen: no date, its 11 cells left to the other columns
        assert time_width() == 12 and "2025-" not in "".join(table_lines(app))
        await pilot.press("G")  # the oldest rows, days ago: each day's first row says which day
        await settle(pilot)
        assert time_width() == 23 and "2025-" in "".join(table_lines(app))
        await pilot.press("g")
        await settle(pilot)
        assert time_width() == 12 and "2025-" not in "".join(table_lines(app))
        app.viewer.apply_filters(Filters().with_time_range("2025-11-15", ""))
        await settle(pilot)
        lines = table_lines(app)
        assert next(p.width for p in table.table_layout().placed if p.column.key == "time") == 12
        assert lines[0].split()[:2] == ["time", "status"] and "2025-" not in "".join(lines)
        assert lines[1][4:16].count(":") == 2 and lines[1][16] == " "  # HH:MM:SS.mmm, then the gap


async def test_left_and_right_reach_the_columns_that_do_not_fit(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        table = app.viewer.table
        await pilot.press("j", "j")
        entry, clock = app.viewer.selected_entry(), table_lines(app)[3][4:16]
        header = table_lines(app)[0]
        assert "credential" not in header and header.rstrip().endswith("→")
        for _ in range(6):
            await pilot.press("right")
            if "credential" in table_lines(app)[0]:
                break
        assert "credential" in table_lines(app)[0] and "←" in table_lines(app)[0]
        assert table_lines(app)[3][4:16] == clock and app.viewer.selected_entry() is entry  # the time stays
        while table.shift:
            await pilot.press("left")
        assert table_lines(app)[0] == header
        table.on_mouse_scroll_down(SimpleNamespace(shift=True, ctrl=False))  # the wheel with Shift
        assert table.shift > 0


async def test_a_short_screen_opens_the_detail_over_the_table(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        viewer = app.viewer
        await pilot.press("j", "j", "j", "enter")
        await pilot.pause()
        entry = viewer.selected_entry()
        assert viewer.detail.display and viewer.focused is viewer.detail  # its keys scroll it
        assert viewer.detail.region == viewer.browser.region  # over the whole table
        assert viewer.detail.region.contains_region(viewer.table.region)
        lines = detail_text(app).splitlines()
        for field in ("id", "credential_id", "user_id", "organization_id"):
            assert any(entry.raw[field] in line for line in lines), field  # ids whole, never cut
        await pilot.press("escape")
        await pilot.pause()
        assert viewer.focused is viewer.table and viewer.selected_entry() is entry and viewer.table.cursor_row == 3
        await pilot.resize_terminal(120, 30)  # taller: the detail sits below the table again
        await pilot.press("enter")
        await pilot.pause()
        assert viewer.detail.display and viewer.table.region.height > 5 and viewer.focused is viewer.table


async def test_a_panel_opened_over_a_covering_detail_is_seen(demo: DemoServer) -> None:
    """At 80×24 the detail covers the table; `i` opened the stats behind it, focused: Enter then
    filtered by a row no one could see (found in a walk). The detail closes for the panel."""
    app = make_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        viewer = app.viewer
        await pilot.press("enter")
        await pilot.pause()
        assert viewer.detail.display and viewer.focused is viewer.detail
        await pilot.press("i")
        await settle(pilot)
        assert not viewer.detail.display and viewer.focused is viewer.stats and viewer.stats.region.height > 3
        assert "STATS" in screen_text(app)
        await pilot.press("h")  # both above the table at 24 lines left none of it: they take turns
        await settle(pilot)
        assert viewer.histogram.display and not viewer.stats.display and viewer.table.region.height >= 5


async def test_the_filter_line_stays_under_the_header_above_either_panel(demo: DemoServer) -> None:
    """At 80×24 the line that says the filters sat above the histogram but below the stats panel (docked
    to the top of the browser, over the line): it stays on the second screen line, whichever panel is open."""
    app = make_app(demo, filters=Filters(statuses=("error",)))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        viewer, line = app.viewer, app.viewer.browser.filter_line
        for key, panel in (("i", "stats"), ("h", "histogram")):
            await pilot.press(key)
            await settle(pilot)
            opened = getattr(viewer, panel)
            assert opened.display and line.region.y == 1 and opened.region.y > line.region.y, panel
            assert screen_text(app).splitlines()[1].startswith(" status error"), panel
            assert opened.region.bottom <= viewer.table.region.y, panel


async def test_panels_opened_wide_take_turns_once_the_terminal_shrinks(demo: DemoServer) -> None:
    """Both panels opened at 160×48 stayed when the terminal shrank: the table got no row, and a
    histogram squeezed out of sight kept the focus, so Enter narrowed the dates to a bar never
    shown (found in a walk). Shrinking applies the rule `h` and `i` do: the focused one stays."""
    app = make_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        viewer = app.viewer
        await pilot.press("i", "escape", "h")
        await settle(pilot)
        assert viewer.stats.display and viewer.histogram.display and viewer.focused is viewer.histogram
        for size in ((100, 30), SMALL):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert viewer.histogram.display and not viewer.stats.display, size
            assert viewer.focused is viewer.histogram and viewer.histogram.region.height == 10
            assert len(table_lines(app)) >= 5, size
        await pilot.resize_terminal(160, 48)
        await pilot.press("i")  # both again, the stats focused this time: they stay and the histogram goes
        await settle(pilot)
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert viewer.stats.display and not viewer.histogram.display and viewer.focused is viewer.stats
        filters = viewer.filters
        await pilot.press("b")  # the sidebar beside the table: still one panel, still rows
        await settle(pilot)
        assert not viewer.histogram.display and len(table_lines(app)) >= 5 and viewer.filters == filters


async def test_resizing_while_loading_and_tailing_keeps_the_cursor_on_its_entry(
        fresh_demo: DemoServer, monkeypatch) -> None:
    # Loading by construction while it is resized: the third page waits for the test (a server's
    # latency let a loaded CI finish the load before the resize: 'complete' where 'loading' was asserted).
    release = hold_the_backfill(monkeypatch, after_pages=2)
    app = make_app(fresh_demo, follow=True, page_limit=10)
    async with app.run_test(size=(200, 50)) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: len(viewer.view) >= 20)
        assert viewer.session.phase == "loading"
        await pilot.press(*"jjjjj")
        entry = viewer.selected_entry()

        async def resize_and_check(size: tuple[int, int]) -> None:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            table = viewer.table
            assert viewer.selected_entry() is entry
            assert round(table.scroll_y) <= table.cursor_row < round(table.scroll_y) + table.page_rows
            assert viewer.sidebar.display == (size[0] >= 120)

        for size in ((80, 24), (200, 50)):
            await resize_and_check(size)
        assert viewer.session.phase == "loading"
        release.set()
        await settle(pilot)
        await wait_until(pilot, lambda: viewer.feed.tailing)
        fresh_demo.state.insert_aitronos(3)
        viewer.feed.poll_now()
        await wait_until(pilot, lambda: len(viewer.store) >= 123)
        for size in ((80, 24), (200, 50), (80, 24)):
            await resize_and_check(size)
        assert viewer.table.new_rows == 3


async def test_stats_labels_stay_distinct_and_numbers_whole(demo: DemoServer) -> None:
    assert fit_labels(["gmail.send_email", "gmail.search_messages", "slack.x"], 9) == \
        ["gmai…mail", "gmai…ages", "slack.x"]
    app = make_app(demo)
    async with app.run_test(size=(120, 48)) as pilot:  # (the panel above the table: every group in view)
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        stats = app.viewer.stats
        layout = stats.stats_layout(stats.scrollable_content_region.width)
        assert layout is not None and [title for title, _ in layout.numbers] == ["entries", "failed", "p50", "p95", "p99"]
        rows = widget_text(stats).splitlines()[2:2 + len(stats.data.groups)]
        names = [row[MARK + 1:MARK + 1 + layout.name].strip() for row in rows]
        assert len(set(names)) == len(names) == len(stats.data.groups)
        assert "5,276 entrie" not in widget_text(stats)
        for row in rows:
            numbers = row[MARK + 1 + layout.name:]
            assert numbers.startswith("  ") and len(numbers.split("  ")) >= 5  # apart, each whole


async def test_tabs_fit_80_columns(demo: DemoServer) -> None:
    from test_ui_tabs import tabs_app

    app = tabs_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        strip = app.viewer.tab_strip
        text = widget_text(strip).rstrip()
        assert len(text) <= 80 and text.count(" all ") == 1 and len(strip._spans) == len(strip.labels)


async def test_the_size_a_screen_is_laid_out_at_is_not_laid_out_again(demo: DemoServer) -> None:
    """A launch sends the screen its size twice: the second lays nothing out (~50 ms saved just
    after a big file's first rows); a real change of size still does, also back to a size it had."""
    from textual import events
    from textual.geometry import Size

    app = make_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        viewer = app.viewer
        layouts: list[Size] = []
        original = viewer._refresh_layout

        def counting(size=None, scroll=False):
            layouts.append(size)
            return original(size, scroll)

        viewer._refresh_layout = counting
        viewer.post_message(events.Resize(Size(160, 48), Size(160, 48)))
        await pilot.pause()
        await pilot.pause()
        assert Size(160, 48) not in layouts
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert Size(100, 30) in layouts and viewer.has_class("-narrow") and viewer.table.region.width == 100
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert Size(160, 48) in layouts and not viewer.has_class("-narrow") and viewer.sidebar.display


async def test_beside_the_sidebar_the_stats_panel_goes_above_a_table_it_would_squeeze(demo: DemoServer) -> None:
    """120 columns with the sidebar shown: the stats panel beside the table left it its time column
    alone (found in a walk); it goes above it there, and beside it again when there is room."""
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        viewer = app.viewer
        assert viewer.sidebar.display and viewer.stats.region.y < viewer.table.region.y
        assert table_lines(app)[0].split()[:2] == ["time", "status"] and viewer.table.region.width >= 80
        await pilot.press("b")  # the sidebar hidden: room beside the table
        await pilot.pause()
        assert viewer.stats.region.x >= viewer.table.region.right
        await pilot.resize_terminal(200, 50)
        await pilot.press("b")
        await pilot.pause()
        assert viewer.sidebar.display and viewer.stats.region.x >= viewer.table.region.right


async def test_a_tab_resized_in_the_background_is_laid_out_at_the_size_it_is_shown_at(demo: DemoServer) -> None:
    from ui_helpers import two_tabs_app

    app = two_tabs_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        shown = app.viewer
        await pilot.press("right_square_bracket")  # the second tab
        await settle(pilot)
        assert app.viewer is not shown
        await pilot.resize_terminal(100, 30)  # the first tab, in the background, is laid out at 100
        await pilot.pause()
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.viewer is shown
        assert shown.table.region.width + shown.sidebar.region.width == 160 and shown.sidebar.display
        assert "STATUS" in screen_text(app)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.press("left_square_bracket")  # shown again at the size it was laid out at meanwhile
        await settle(pilot)
        assert app.viewer is shown and shown.has_class("-narrow") and not shown.sidebar.display
        assert shown.table.region.width == 100
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert shown.sidebar.display and shown.table.region.width + shown.sidebar.region.width == 160


async def test_a_timeless_row_on_screen_does_not_hide_the_dates(tmp_path, monkeypatch) -> None:
    """An invalid line (no time) sorts last: the dates must still show for a week-old row above it
    (they went, and last week's rows read as today's, found in a walk)."""
    import json

    from ui_helpers import file_app

    for module in (table_rows, table_drawing):
        monkeypatch.setattr(module, "today", lambda: date(2025, 11, 15))
    entries = [{"id": "new", "log_time": "2025-11-15T10:00:00Z", "status": 200, "event": "today.event"},
               {"id": "old", "log_time": "2025-11-08T10:00:00Z", "status": 200, "event": "lastweek.event"}]
    path = tmp_path / "days.jsonl"
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries) + "not json\n")
    app = file_app(path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        old = next(line for line in lines if "lastweek.event" in line)
        assert "2025-11-08" in old, lines
        assert sum("invalid entry" in line for line in lines) == 1
