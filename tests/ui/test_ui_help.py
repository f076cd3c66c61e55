"""The help (`?`) fits the window: two columns where they fit, one (scrolled) where they would be
cut off on the right (found in the walk-through at 120 columns)."""

from __future__ import annotations

import pytest

from logview.demo import DemoServer
from logview.ui.screens.help import KEYS, HelpScreen
from ui_helpers import make_app, screen_text, settle, widget_text


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
