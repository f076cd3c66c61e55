"""`r` during a retry's wait sends the failed request now, and the load goes on from where it was:
it reloaded from the newest entry, the rows loaded dropped and fetched again, the budget a 429 said
was spent spent again (s28 walk #1). Its attempts count on, so each `r` shows on the banner (each
'attempt 2/6' after an r read as if it did nothing, s27 walk #5); a retry sent and not answered yet
is sent again (`r asks again`)."""

from __future__ import annotations

from contextlib import nullcontext

import pytest

from logview.api import client
from logview.archive import Archive
from logview.demo import DemoServer, DemoState, Fault
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, hold_the_backfill, make_app, screen_text, wait_until

TOTALS = {"aitronos": 640, "supermetrics": 900}


def banner(app) -> str:
    return " ".join(app.viewer.banner.plain().split()) if app.viewer.banner.display else ""


def status_line(app) -> str:
    app.viewer.refresh_status()
    return screen_text(app).splitlines()[0]


def logs_answered(server: DemoServer) -> list[str]:
    """The log requests the server answered with a page (200)."""
    return [path for _, path, status in server.state.request_log if "/logs" in path and status == 200]


@pytest.mark.parametrize("archived", [False, True], ids=["no-archive", "archive"])
@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_r_during_a_429s_wait_sends_that_page_now_and_the_load_goes_on(
        tmp_path, monkeypatch: pytest.MonkeyPatch, kind: str, archived: bool) -> None:
    state = DemoState(aitronos_entries=TOTALS["aitronos"], supermetrics_entries=TOTALS["supermetrics"],
                      live_rate=0.0, seed=12)
    with DemoServer(state) as server, \
            (Archive.open(tmp_path / "archive.sqlite3") if archived else nullcontext()) as archive:
        held = hold_the_backfill(monkeypatch, after_pages=3)
        options = ViewerOptions(filters=Filters(), connection=connection(server, kind, page_limit=100))
        app = LogViewApp(options, policy=FAST, archive=archive)
        async with app.run_test(size=SIZE) as pilot:
            viewer = app.viewer
            await wait_until(pilot, lambda: viewer.session.pages == 3, said=lambda: status_line(app))
            before = len(viewer.view)
            server.state.add_fault(Fault(kind="status", status=429, retry_after="86400", count=1, api=kind))
            held.set()  # (the fourth page is refused: a day's wait)
            await wait_until(pilot, lambda: "retrying in 23h 59m" in banner(app), said=lambda: banner(app))
            answered = len(logs_answered(server))
            assert answered == 3 and len(viewer.view) == before and f"shown {before}" in status_line(app)

            await pilot.press("r")
            shown = [len(viewer.view)]

            def loaded() -> bool:
                shown.append(len(viewer.view))
                return viewer.session.phase == "complete" and "all loaded" in status_line(app)

            await wait_until(pilot, loaded, said=lambda: status_line(app))
            total = TOTALS[kind]
            assert min(shown) >= before and len(viewer.view) == total, shown  # (the rows loaded stayed)
            assert f"shown {total:,}" in status_line(app) and not app.viewer.banner.display
            # each page asked for once: the three before the 429 were not fetched again
            pages = logs_answered(server)
            assert len(pages) == len(set(pages)) == viewer.session.pages, pages
            assert [status for _, path, status in server.state.request_log if "/logs" in path].count(429) == 1


async def test_each_r_during_a_rate_limits_wait_is_one_more_attempt(fresh_demo: DemoServer) -> None:
    fresh_demo.state.add_fault(Fault(kind="status", status=429, retry_after="86400", count=3, api="aitronos"))
    app = make_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "retrying in 23h 59m, attempt 2/6 request" in banner(app),
                         said=lambda: banner(app))
        for attempt in (3, 4):
            await pilot.press("r")  # (each r: one more request, refused again)
            await wait_until(pilot, lambda: f"retrying in 23h 59m, attempt {attempt}/6" in banner(app),
                             said=lambda: banner(app))
        assert "attempt 4/6" in screen_text(app)
        await pilot.press("r")  # (the faults are spent: it loads, the banner goes)
        await wait_until(pilot, lambda: len(app.viewer.view) == 120 and not app.viewer.banner.display,
                         said=lambda: banner(app))
        assert sum("/logs" in path for _, path, _ in fresh_demo.state.request_log) == 3 + app.viewer.session.pages


async def test_r_sends_again_a_retry_the_server_has_not_answered(
        fresh_demo: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The banner's `r asks again`: the attempt in flight is left, the request sent again at once (the
    load not started over), its attempt counted."""
    monkeypatch.setattr(client, "NO_ANSWER_SAID_S", 0.3)
    held = hold_the_backfill(monkeypatch, after_pages=1)
    app = make_app(fresh_demo, page_limit=40)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) == 40, said=lambda: banner(app))
        fresh_demo.state.add_fault(Fault(kind="status", status=503, count=1, api="aitronos"))
        fresh_demo.state.add_fault(Fault(kind="latency", delay=60.0, count=1, api="aitronos"))
        held.set()  # (the second page: a 503, then its retry gets no answer)
        await wait_until(pilot, lambda: "attempt 2/6 · waiting for the server" in banner(app), said=lambda: banner(app))
        assert "HTTP 503" in banner(app) and "r asks again" in banner(app)
        await pilot.press("r")
        await wait_until(pilot, lambda: len(app.viewer.view) == 120 and not app.viewer.banner.display,
                         said=lambda: banner(app))
        # each page answered once (the first not asked again), the attempt left unanswered never
        pages = logs_answered(fresh_demo)
        assert len(pages) == len(set(pages)) == app.viewer.session.pages == 3, pages
