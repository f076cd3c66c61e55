"""The status line says both the live tail's state and the cap that holds (s31): a tail whose new
entries took the oldest rows' places at the cap said only `● live · every 1 s`, and a capped load
whose tail a broken server stopped (or t paused) said only `capped at 15 — older entries not loaded`,
nothing of the tail."""

from __future__ import annotations

import pytest

from logview.demo import DemoServer
from logview.demo.state import Fault
from test_ui_tail_contract import _break_the_tail, _server
from ui_helpers import make_app, screen_text, settle, tail_fails, wait_until

SIZES = [pytest.param((160, 48), id="160x48"), pytest.param((80, 24), id="80x24")]


def status_line(app) -> str:
    app.viewer.refresh_status()
    return screen_text(app).splitlines()[0]


@pytest.mark.parametrize("size", SIZES)
async def test_a_tail_that_reaches_the_cap_says_it_is_live_and_capped(fresh_demo: DemoServer, size) -> None:
    app = make_app(fresh_demo, follow=True, max_entries=125)
    async with app.run_test(size=size) as pilot:
        viewer = app.viewer
        await settle(pilot)
        await wait_until(pilot, lambda: viewer.feed.tailing)
        line = status_line(app)
        assert "● live" in line and "capped" not in line, line  # (120 of 125: the cap does not hold yet)
        fresh_demo.state.insert_aitronos(10)
        viewer.feed.poll_now()
        await wait_until(pilot, lambda: viewer.store.dropped_total == 5)
        await settle(pilot)
        line = status_line(app)
        assert "● live · every 60 s · capped at 125" in line and len(viewer.store) == 125, line


@pytest.mark.parametrize("size", SIZES)
async def test_a_capped_load_whose_tail_stopped_says_both(size) -> None:
    with _server() as server:
        app = make_app(server, "supermetrics", follow=True, interval_s=1.0, page_limit=10, max_entries=15)
        async with app.run_test(size=size) as pilot:
            viewer = app.viewer
            await wait_until(pilot, lambda: viewer.session.capped)
            await wait_until(pilot, lambda: viewer.feed.tailing)
            line = status_line(app)
            assert "● live · every 1 s · capped at 15" in line, line
            await _break_the_tail(pilot, viewer, server)
            line = status_line(app)
            assert "● live" not in line and "capped at 15" in line, line
            if size[0] >= 160:
                assert "live tail stopped (r or t tries again) · capped at 15 — older entries not loaded" in line, line
            else:
                assert "tail stopped (r or t) · capped at 15" in line, line

            server.state.broken.set([])  # mended: t tries again, then t pauses it
            await pilot.press("t")
            await wait_until(pilot, lambda: viewer.feed.tailing)
            assert "● live · every 1 s · capped at 15" in status_line(app)
            await pilot.press("t")
            await wait_until(pilot, lambda: not viewer.feed.tailing)
            await settle(pilot)
            line = status_line(app)
            assert "tail paused (t" in line and "capped at 15" in line, line


@pytest.mark.parametrize("size", SIZES)
async def test_a_capped_load_whose_tail_fails_says_both(fresh_demo: DemoServer, size) -> None:
    app = make_app(fresh_demo, follow=True, max_entries=100)
    async with app.run_test(size=size) as pilot:
        await tail_fails(pilot, fresh_demo, 503)
        line = status_line(app)
        assert "capped at 100" in line and "tail failing" in line and "next try in" in line, line
        if size[0] >= 160:
            assert "live tail failing: HTTP 503 · next try in" in line, line


@pytest.mark.parametrize("size", SIZES)
async def test_a_capped_load_whose_tail_request_is_retried_says_both(fresh_demo: DemoServer, size) -> None:
    """The seconds a tail's own request waits to be tried again said the retry alone (`⟳ HTTP 503 ·
    retrying in 7 s`), and nothing of the cap that holds meanwhile."""
    app = make_app(fresh_demo, follow=True, max_entries=100)
    async with app.run_test(size=size) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: viewer.feed.tailing and viewer.session.phase == "complete")
        await settle(pilot)
        fresh_demo.state.add_fault(Fault(kind="status", status=503, count=1, api="aitronos", retry_after="30"))
        viewer.feed.poll_now()
        await wait_until(pilot, lambda: viewer.banner.retry_pending, said=viewer.banner.plain)
        await settle(pilot)
        line = status_line(app)
        assert "retrying in" in line and "capped at 100" in line, line
        if size[0] >= 160:
            assert "HTTP 503" in line, line
