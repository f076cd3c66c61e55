"""t after Esc cancelled a live-tail retry (s21 walk #2): the first t turned off a tail the cancel
had stopped but kept wanted, saying nothing; the second started it, while the status line kept
"stopped — r reloads" and the "Retry cancelled" banner stayed over the rows it brought in. All
loaded, the cancel stops the tail alone: the line said "stopped — r reloads" with nothing left to
load (s27 walk #7); it says the tail is paused."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from logview.api.client import RetryPolicy
from logview.demo import DemoServer, DemoState, Fault
from logview.ui.workers import running
from ui_helpers import (FIXED_NOW, SIZE, hold_the_backfill, kept_toasts, make_app, screen_text, settle, toast_said,
                        wait_until, widget_text)

SLOW = RetryPolicy(max_retries=3, initial_backoff_s=30, max_backoff_s=30, max_wait_s=None)
LISTING = "/v1/personal-connectors?"  # (the credentials' names: the request log's path)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_t_after_a_cancelled_tail_retry_starts_the_tail_and_the_line_says_live(
        fresh_demo: DemoServer, size: tuple[int, int]) -> None:
    app = make_app(fresh_demo, follow=True, interval_s=1, policy=SLOW)
    said = kept_toasts(app)
    async with app.run_test(size=size) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: viewer.feed.tailing and viewer.session.phase == "complete")
        await settle(pilot)  # (the credential names' lookup done before the faults: met by one, it waits out SLOW's back-offs)
        with httpx.Client(base_url=fresh_demo.url) as demo:  # (the tester's curl, over loopback)
            assert demo.post("/_demo/faults", json={"kind": "status", "status": 503, "count": 8, "api": "aitronos"}).status_code == 201
            viewer.feed.poll_now()
            await wait_until(pilot, lambda: viewer.banner.retry_pending)
            await pilot.press("escape")
            await settle(pilot)
            demo.delete("/_demo/faults")  # (the server answers again)
            assert "Retry cancelled: the live tail stopped. Press t to start it again." in widget_text(viewer.banner)
            assert "all loaded · tail paused (t resumes)" in widget_text(viewer.status_bar)
            assert "stopped — r reloads" not in widget_text(viewer.status_bar) and not viewer.feed.tailing

            await pilot.press("t")  # the first t starts the tail, and says so
            await wait_until(pilot, lambda: viewer.feed.tailing)
            await settle(pilot)
            assert "Live tail on: new entries come in." in said, said
            line = widget_text(viewer.status_bar)
            assert "● live" in line and "stopped — r reloads" not in line.split("live", 1)[0], line
            assert not viewer.banner.display or "Retry cancelled" not in widget_text(viewer.banner)

            loaded = len(viewer.store)
            assert demo.post("/_demo/insert", json={"api": "aitronos", "count": 3}).status_code == 201
            viewer.feed.poll_now()
            await wait_until(pilot, lambda: len(viewer.store) == loaded + 3)
            viewer.refresh_status()
            line = widget_text(viewer.status_bar)
            assert "● live" in line and f"{loaded + 3:,}" in line, line
            assert "Retry cancelled" not in screen_text(app)

            await pilot.press("t")  # and the second stops it, as t always does
            await wait_until(pilot, lambda: not viewer.feed.tailing)
            viewer.refresh_status()
            assert "tail paused (t resumes)" in widget_text(viewer.status_bar)


async def test_r_after_a_cancelled_tail_retry_starts_the_tail_again(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, follow=True, interval_s=1, policy=SLOW)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: viewer.feed.tailing and viewer.session.phase == "complete")
        await settle(pilot)  # (the credential names' lookup done before the faults: met by one, it waits out SLOW's back-offs)
        with httpx.Client(base_url=fresh_demo.url) as demo:
            assert demo.post("/_demo/faults", json={"kind": "status", "status": 503, "count": 8, "api": "aitronos"}).status_code == 201
        viewer.feed.poll_now()
        await wait_until(pilot, lambda: viewer.banner.retry_pending)
        await pilot.press("escape")
        await settle(pilot)
        httpx.delete(f"{fresh_demo.url}/_demo/faults")
        await pilot.press("r")
        await wait_until(pilot, lambda: viewer.feed.tailing and viewer.session.phase == "complete")
        viewer.refresh_status()
        assert "● live" in widget_text(viewer.status_bar)


@pytest.fixture
def one_page() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=80, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW)) as server:
        yield server


async def test_esc_on_a_retry_stops_the_credential_names_lookup_too_and_r_asks_again(one_page: DemoServer) -> None:
    """Esc on a retry stopped the loading and the tail, while the credentials' names, looked up
    aside once the logs were in, went on retrying unseen against the failing server (review item)."""
    state = one_page.state
    state.add_fault(Fault(kind="latency", delay=2.0, count=1, api="aitronos"))  # (the one page, held a while)
    app = make_app(one_page, follow=True, interval_s=1, policy=SLOW)
    async with app.run_test(size=SIZE) as pilot:
        viewer, names = app.viewer, app.viewer.names
        await wait_until(pilot, lambda: not state.faults)  # (the page is asked: every request after it fails)
        state.add_fault(Fault(kind="status", status=503, count=50, api="aitronos"))

        def names_failed() -> bool:
            return any(path.startswith(LISTING) and status == 503 for _, path, status in state.request_log)

        # the logs in, the names' lookup failed once and waits to retry, and so does the tail
        await wait_until(pilot, lambda: viewer.banner.retry_pending and names_failed() and running(names, "names"),
                         said=lambda: (viewer.banner.plain(), state.request_log[-3:]))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not running(names, "names"), timeout=5, said=lambda: state.request_log[-3:])
        assert "Retry cancelled" in widget_text(viewer.banner) and not viewer.feed.tailing
        assert "Work Gmail" not in screen_text(app)

        state.clear_faults()  # (the server answers again)
        await pilot.press("r")  # the reload's logs in, the names are asked again
        await wait_until(pilot, lambda: "Work Gmail" in screen_text(app), timeout=15,
                         said=lambda: (viewer.session.phase, state.request_log[-3:]))
        assert sum(path.startswith(LISTING) and status == 200 for _, path, status in state.request_log) == 1


async def test_t_during_a_long_wait_for_the_first_page_says_what_it_does_and_esc_offers_no_tail_alone(
        fresh_demo: DemoServer) -> None:
    """Found in a walk: with a 429 asking an hour's wait before the first page, `t` said "Live tail on: new entries
    come in while the rest loads" (nothing could come for an hour); Esc then offered "t for the live tail alone",
    and `t` refused it: nothing was loaded (the banner asked the tail's worker, still ending, whether it ran)."""
    fresh_demo.state.add_fault(Fault(kind="status", status=429, retry_after="3600", api="aitronos"))
    app = make_app(fresh_demo, interval_s=2)
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: viewer.banner.retry_pending)
        await pilot.press("t")
        toast = await toast_said(pilot, said, "Live tail on")
        assert re.fullmatch(r"Live tail on: it starts with the first page, whose request is retried in "
                            r"(59m 5\d|60m 00)s \(r retries now\)\.", toast), toast
        assert viewer.session.want_tail and not viewer.feed.tailing  # (as --follow: it polls from the first page on)

        await pilot.press("escape")
        await pilot.pause()
        banner = widget_text(viewer.banner)
        assert "Retry cancelled: loading and the live tail stopped. Press r to start again." in banner, banner
        assert "t for the live tail" not in banner
        await pilot.press("t")
        await toast_said(pilot, said, "Nothing loaded: r retries the load")
        assert not viewer.feed.tailing


async def test_t_before_the_first_page_starts_the_tail_with_it(fresh_demo: DemoServer) -> None:
    """The tail `t` asked for before the first page polls from the first page's newest entry, once it is in."""
    fresh_demo.state.add_fault(Fault(kind="latency", delay=0.5, api="aitronos"))
    app = make_app(fresh_demo, interval_s=1)
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        await pilot.press("t")
        assert "Live tail on: it starts with the first page." in said, said
        await wait_until(pilot, lambda: viewer.feed.tailing and viewer.session.phase == "complete")
        await settle(pilot)
        loaded = len(viewer.store)
        fresh_demo.state.insert_aitronos(2)
        viewer.feed.poll_now()
        await wait_until(pilot, lambda: len(viewer.store) == loaded + 2)


async def test_t_during_a_long_429_wait_in_the_middle_of_a_load_says_its_polls_wait_too(
        demo: DemoServer, monkeypatch) -> None:
    """Found in a walk: a page in, a 429 asking an hour's wait, `t` said "new entries come in while the rest
    loads": its polls keep the API's wait too, so nothing could come for an hour."""
    release = hold_the_backfill(monkeypatch, after_pages=1)
    app = make_app(demo, interval_s=2)
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: len(viewer.store) > 0)
        demo.state.add_fault(Fault(kind="status", status=429, retry_after="3600", api="aitronos"))
        release.set()
        await wait_until(pilot, lambda: viewer.banner.retry_pending)
        await pilot.press("t")
        toast = await toast_said(pilot, said, "Live tail on")
        assert re.fullmatch(r"Live tail on: its first poll waits with the load, the API having asked for "
                            r"(59m 5\d|60m 00)s \(r retries now\)\.", toast), toast
