"""The help (`?`) fits the window: two columns where they fit, one (scrolled) where they would be
cut off on the right (found in the walk-through at 120 columns); `logview` with nothing to open
says why it shows the demo."""

from __future__ import annotations

from contextlib import ExitStack, nullcontext
from dataclasses import replace

import pytest

from logview.cli import resolve, viewer_parser
from logview.demo import DemoServer
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from logview.ui.screens.help import KEYS, HelpScreen
from ui_helpers import (connection, kept_toasts, make_app, screen_text, settle, table_lines, toasts_drawn, two_tabs_app,
                        wait_until, widget_text)


@pytest.mark.parametrize("size", [(160, 48), (120, 40), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_line_of_the_help_is_readable_whole(demo: DemoServer, size: tuple[int, int]) -> None:
    app = make_app(demo)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = widget_text(app.screen.query_one("#help-body"))  # every line, scrolled out of view too
        words = set(body.split())
        for _, keys in KEYS:
            for _, what in keys:
                assert set(what.split()) <= words, what  # wrapped maybe, never cut off
        box = app.screen.query_one("#help-box")
        assert box.region.right <= size[0] and box.max_scroll_x == 0  # the box fits the screen
        assert "╮" in screen_text(app).splitlines()[box.region.y]  # its right border is on screen


async def test_logview_with_nothing_to_open_says_why_it_shows_the_demo(demo: DemoServer, tmp_path, monkeypatch) -> None:
    """`logview` alone, no config: the demo opens with a word on why and the way to real logs;
    `--demo` asked for it and says nothing."""
    monkeypatch.setenv("LOGVIEW_CONFIG", str(tmp_path / "none.toml"))
    demo_connection = replace(connection(demo, "aitronos"), demo=True)
    monkeypatch.setattr(resolve, "_demo_connection", lambda kind: nullcontext(demo_connection))
    for argv, welcomed in (([], True), (["--demo"], False)):
        with ExitStack() as stack:
            options = resolve.viewer_options(viewer_parser().parse_args(argv), stack)
        assert (options.welcome is not None) == welcomed
    app = LogViewApp(replace(options, welcome=resolve._demo_welcome()))
    toasts = kept_toasts(app, titled=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert len(toasts) == 1 and toasts[0][0] == "Welcome to logview"
        text = toasts[0][1]
        assert f"no config file at\n{tmp_path / 'none.toml'}\n" in text and "--source aitronos\n--org ORG_ID" in text
        # whole: a toast of ~40 columns cuts what goes beyond ~8 lines with "…" (found in a walk)
        assert len(text.splitlines()) <= 7 and all(len(line) <= 36 for line in text.splitlines()[2:])


async def test_esc_with_nothing_else_to_close_hides_the_welcome_toast(demo: DemoServer) -> None:
    """At 80×24 the demo's welcome covered the table's lower right for 20 s, and only a click took it
    away (found in a walk): Esc, once nothing else is open, hides it; with the detail open Esc closes
    the detail first and the toast stays."""
    app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection(demo, "aitronos"),
                                   welcome=resolve._demo_welcome()))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:  # (toasts drawn, as a user sees them)
        await settle(pilot)
        assert "Welcome to logview" in toasts_drawn(app) and "Esc hides this" in toasts_drawn(app)
        await pilot.press("enter")  # the detail
        await pilot.pause()
        assert app.viewer.browser.shown("detail")
        await pilot.press("escape")
        await pilot.pause()
        assert not app.viewer.browser.shown("detail") and "Welcome to logview" in toasts_drawn(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: "Welcome" not in toasts_drawn(app), said=lambda: toasts_drawn(app))
        assert "18:" not in toasts_drawn(app) and len(table_lines(app)) > 10  # the table's rows are whole again


async def test_esc_in_the_merged_tab_hides_the_toasts_too(demo: DemoServer) -> None:
    app = two_tabs_app(demo)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_until(pilot, lambda: all(viewer.session.phase == "complete" for viewer in app.viewers[:-1]),
                         timeout=60)
        await pilot.press("right_square_bracket", "right_square_bracket")  # the merged tab
        await wait_until(pilot, lambda: app.screen is app.viewers[-1])
        app.notify("a word said a moment ago", timeout=30, markup=False)
        await wait_until(pilot, lambda: "a word said" in toasts_drawn(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: "a word said" not in toasts_drawn(app), said=lambda: toasts_drawn(app))


async def test_on_a_tiny_screen_the_welcome_is_short_enough_to_be_read_whole(demo: DemoServer) -> None:
    """At 40×10 the welcome ran off the top: `Welcome to logview` and `Demo data: …` could not be seen."""
    app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection(demo, "aitronos"),
                                   welcome=resolve._demo_welcome()))
    async with app.run_test(size=(40, 10), notifications=True) as pilot:
        await settle(pilot)
        drawn = toasts_drawn(app)
        assert drawn.startswith("Welcome to logview Demo data:") and drawn.endswith("Esc hides this."), drawn
