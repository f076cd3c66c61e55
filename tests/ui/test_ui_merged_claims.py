"""The merged tab's line says "2 sources merged" only over the merged rows (s29): it said so from
the start, every tab still loading, and over "No entries." in the moment before the merge's timer
brought the rows (a CI run drew it). Every tab is loading until the app has told how far each is,
and the rows are merged as the line is told."""

from __future__ import annotations

import time

from ui_helpers import SIZE, hold_requests, screen_text, two_tabs_app, wait_until


async def test_the_merged_tab_says_merged_only_over_the_merged_rows(demo, monkeypatch) -> None:
    held = hold_requests(monkeypatch, lambda path, priority: path.endswith("/logs"))
    app = two_tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket")
        merged, tabs = app.viewers[2], app.viewers[:2]
        await wait_until(pilot, lambda: app.screen is merged)
        claims, started = [], time.monotonic()
        while "2 sources merged" not in (line := merged.status_bar.plain()) or not claims:
            whole = sum(len(tab.store) for tab in tabs)
            if "sources merged" in line:
                claims.append((line, len(merged.view), whole))
                assert len(merged.view) == whole > 0, (line, len(merged.view), whole, screen_text(app))
            else:
                assert "complete" in line, line  # ("0 of 2 sources complete · …: loading")
            if time.monotonic() - started > 1.5:  # (past the app's first word on the tabs: then they load)
                held.set()
            assert time.monotonic() - started < 30, line
            await pilot.pause(0.01)
        assert "No entries" not in screen_text(app) and len(merged.view) == sum(len(tab.store) for tab in tabs)
