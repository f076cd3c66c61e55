"""The status line's counts while tailing (issue 11, item 5): the tail runs while the backfill is
still paging, and the server's total must grow by what the tail found, not fall back to the
count the backfill started with on its next page."""

from __future__ import annotations

from logview.demo import DemoServer, DemoState, Fault
from ui_helpers import FIXED_NOW, SIZE, make_app, screen_text, settle, wait_until


async def test_total_matches_loaded_when_entries_arrive_during_the_backfill() -> None:
    state = DemoState(aitronos_entries=400, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=3)
    with DemoServer(state) as server:
        # Slow backfill pages, so tail cycles find new entries between them.
        server.state.add_fault(Fault("latency", delay=0.15, count=6, api="aitronos"))
        app = make_app(server, follow=True, interval_s=0.05, page_limit=50)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.viewer.feed.tailing)
            server.state.insert_aitronos(3)  # while the backfill still pages
            await wait_until(pilot, lambda: not app.viewer.feed.backfilling, timeout=20)
            server.state.insert_aitronos(2)
            await wait_until(pilot, lambda: len(app.viewer.store) == 405)
            await settle(pilot)
            viewer = app.viewer
            assert viewer.session.total == len(viewer.store) == len(server.state.aitronos_logs) == 405
            assert "loaded 405" in screen_text(app) and "total 405" in screen_text(app)
