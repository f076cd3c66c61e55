"""`t` after a failed load: with nothing loaded it starts nothing and says r retries (it started a
tail polling a refused key every 2 s, whose banner said "the rows loaded stay" with none loaded);
with rows loaded it starts the tail, and the status line shows its mark beside the error."""

from __future__ import annotations

from datetime import datetime, timezone

from logview.demo import DemoServer, Fault
from logview.model import Filters
from ui_helpers import SIZE, kept_toasts, make_app, screen_text, settle, wait_until


def status_line(app) -> str:
    return screen_text(app).splitlines()[0]


async def test_t_with_nothing_loaded_after_a_401_starts_no_tail(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, key="wrong-key", interval_s=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "error — r retries" in status_line(app)
        requests = len(fresh_demo.state.request_log)
        said = kept_toasts(app)
        await pilot.press("t")
        await pilot.pause(0.3)
        assert said == [
            "Nothing loaded: r retries the load (the live tail follows from its newest entry)."]
        assert not app.viewer.feed.tailing and not app.viewer.session.want_tail
        assert len(fresh_demo.state.request_log) == requests  # nothing asked of a key known to be refused
        assert "live" not in status_line(app) and "live tail" not in app.viewer.banner.plain()


async def test_t_after_a_failed_reload_shows_the_tail_beside_the_error(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, interval_s=60.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        fresh_demo.state.add_fault(Fault(kind="status", status=403, api="aitronos"))
        await pilot.press("r")
        await settle(pilot)
        assert "error — r retries" in status_line(app) and len(app.viewer.store) == 120
        await pilot.press("t")
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        assert "error — r retries" in status_line(app) and "● live" in status_line(app)
        await pilot.press("t")
        assert "‖ tail paused" in status_line(app)


async def test_a_failing_tail_with_no_rows_does_not_say_they_stay(fresh_demo: DemoServer) -> None:
    future = Filters(since=datetime(2030, 1, 1, tzinfo=timezone.utc))  # (the server has nothing that new)
    app = make_app(fresh_demo, follow=True, filters=future)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        assert not len(app.viewer.store)
        fresh_demo.state.add_fault(Fault(kind="status", status=500, count=6, api="aitronos"))
        app.viewer.feed.poll_now()
        await wait_until(pilot, lambda: app.viewer.banner.has("tail"))
        text = app.viewer.banner.plain()
        assert "live tail: HTTP 500" in text and "t stops the tail" in text and "rows loaded stay" not in text


async def test_follow_over_a_refused_key_shows_no_live_mark_and_t_says_why(fresh_demo: DemoServer) -> None:
    """Found in a walk: `--follow` with a refused key showed "✖ error — r retries   ● live" though
    nothing polled; the first `t` then said "tail paused", only the second what was wrong."""
    app = make_app(fresh_demo, key="wrong-key", follow=True, interval_s=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "error — r retries" in status_line(app) and not app.viewer.feed.tailing
        assert "live" not in status_line(app) and "paused" not in status_line(app)
        requests = len(fresh_demo.state.request_log)
        said = kept_toasts(app)
        await pilot.press("t")
        await pilot.pause(0.3)
        assert said == [
            "Nothing loaded: r retries the load (the live tail follows from its newest entry)."]
        assert "paused" not in status_line(app) and len(fresh_demo.state.request_log) == requests
