"""The footer of keys follows the focus, and is rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from logview.demo import DemoServer
from logview.ui.widgets.key_footer import KeyFooter
from ui_helpers import SIZE, make_app, screen_text, settle


def footer_keys(app) -> list[FooterKey]:
    return list(app.viewer.query_one(KeyFooter).query(FooterKey))


async def test_the_footer_follows_the_focus_and_comes_back(demo: DemoServer) -> None:
    app = make_app(demo, "aitronos")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table_footer = screen_text(app).splitlines()[-1]
        assert "Search" in table_footer and "Group by" not in table_footer
        await pilot.press("i")  # the stats panel takes the focus: its own keys appear
        await settle(pilot)
        assert "Group by" in screen_text(app).splitlines()[-1]
        await pilot.press("i")
        await settle(pilot)
        assert app.viewer.focused is app.viewer.table
        assert screen_text(app).splitlines()[-1] == table_footer


async def test_signals_that_change_no_key_leave_the_footer_as_it_is(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = footer_keys(app)
        assert before
        for _ in range(3):  # what focus moves and screen resumes send, with the same keys
            app.viewer.refresh_bindings()
        app.viewer.set_focus(app.viewer.table)
        await settle(pilot)
        after = footer_keys(app)
        assert [id(key) for key in after] == [id(key) for key in before]  # not rebuilt
        assert "Quit" in screen_text(app).splitlines()[-1]
