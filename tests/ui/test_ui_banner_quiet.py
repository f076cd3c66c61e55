"""A backfill clears the error banner with every batch it posts; with nothing shown there, that
must cost nothing (a repaint of the banner is a layout of the whole screen). A banner that does
show something still goes away when cleared."""

from __future__ import annotations

import pytest

from logview.demo import DemoServer
from logview.ui.widgets.error_banner import ErrorBanner
from ui_helpers import SIZE, make_app, screen_text, settle

PAGE = 50  # (the `fresh_demo` server holds 300 Supermetrics entries: 6 pages)


async def test_a_healthy_backfill_never_repaints_the_empty_banner(fresh_demo: DemoServer,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    updates: list[str] = []
    update = ErrorBanner.update

    def counted(banner: ErrorBanner, *args, **kwargs) -> None:
        updates.append(str(args[0]) if args else "")
        update(banner, *args, **kwargs)

    monkeypatch.setattr(ErrorBanner, "update", counted)
    app = make_app(fresh_demo, "supermetrics", page_limit=PAGE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.viewer.session.phase == "complete" and len(app.viewer.store) > 4 * PAGE
        assert updates == []  # every batch cleared an empty banner: no update, no layout
        banner = app.viewer.banner
        banner.show_notice("something to say")
        await pilot.pause()
        assert banner.display and "something to say" in screen_text(app)
        banner.clear("retry")  # another slot: the notice stays
        assert banner.display and banner.has("notice")
        banner.clear()
        await pilot.pause()
        assert not banner.display and "something to say" not in screen_text(app)
        assert len(updates) == 2  # shown once, cleared once
