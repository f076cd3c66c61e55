"""A live tail over a time range that has ended asks the API nothing (found in a walk: a day's range
4 days back, drilled into with the tail on, had it walk from the range's end to now, 28 requests of
entries the archive held already, then poll on every 2 s; none of it could show). A relative `until`
moves with the clock while tailing: its tail polls as before."""

from __future__ import annotations

from datetime import timedelta

from logview.demo import DemoServer
from logview.model import Filters
from ui_helpers import FIXED_NOW, SIZE, make_app, settle, wait_until, widget_text


def log_requests(server: DemoServer) -> int:
    return sum("/logs" in path for _, path, _ in server.state.request_log)


async def test_a_tail_over_a_range_ended_polls_nothing_and_says_so(demo: DemoServer) -> None:
    ended = Filters(since=FIXED_NOW - timedelta(days=3), until=FIXED_NOW - timedelta(days=2))
    app = make_app(demo, follow=True, interval_s=0.3, filters=ended, page_limit=20)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: viewer.feed.tailing and viewer.session.phase == "complete")
        await settle(pilot)
        asked = log_requests(demo)
        await pilot.pause(1.2)  # (four intervals)
        assert log_requests(demo) == asked
        assert len(viewer.store) == len(viewer.view)  # (nothing fetched past the range's end)
        viewer.refresh_status()
        status = widget_text(viewer.status_bar)
        assert "● live · idle: the time range ends in the past (d changes it)" in status, status


async def test_a_tail_under_a_relative_until_polls_as_it_slides(demo: DemoServer) -> None:
    sliding = Filters().with_time_range("", "2d")
    app = make_app(demo, follow=True, interval_s=0.3, filters=sliding, page_limit=20)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: viewer.feed.tailing and viewer.session.phase == "complete")
        asked = log_requests(demo)
        await wait_until(pilot, lambda: log_requests(demo) > asked, said=lambda: (widget_text(viewer.status_bar), viewer.feed.tailing, viewer.session.phase, log_requests(demo)))
        assert "idle" not in widget_text(viewer.status_bar)
