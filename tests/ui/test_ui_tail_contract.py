"""A live tail over a server that breaks its contract (ignores its cursor) stops, and says so in plain
words: it said `⚠ live tail: CONTRACT_BROKEN … paging stopped` (a code the server seemed to have sent)
above `polling again in 6 s`, and went on trying every quarter of an hour, each try 3+ requests of a
metered budget spent on a server it could not trust (s30). r or t tries again."""

from __future__ import annotations

import re
from datetime import timedelta

from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, FIXED_NOW, SIZE, connection, kept_toasts, make_app, settle, wait_until, widget_text


def _server() -> DemoServer:
    return DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=20, live_rate=0.0, now=FIXED_NOW, seed=5))


async def _break_the_tail(pilot, viewer, server: DemoServer) -> None:
    """More than a page arrives (the tail walks back to what it has) on a server now ignoring its cursor."""
    await wait_until(pilot, lambda: viewer.feed.tailing and viewer.session.phase == "complete")
    await settle(pilot)
    server.state.insert_supermetrics(30, same_time=False)
    server.state.broken.set(["cursor_ignored"])
    viewer.feed.poll_now()
    await wait_until(pilot, lambda: viewer.session.tail_stopped != "", said=viewer.banner.plain)
    await settle(pilot)


async def test_a_tail_over_a_server_ignoring_its_cursor_stops_says_so_and_r_or_t_tries_again() -> None:
    with _server() as server:
        app = make_app(server, "supermetrics", follow=True, interval_s=1.0, page_limit=10)
        async with app.run_test(size=SIZE) as pilot:
            viewer = app.viewer
            await _break_the_tail(pilot, viewer, server)
            banner = viewer.banner.plain()
            assert banner.startswith("⚠ live tail stopped: the server ignored the before cursor: 3 pages in a row"), banner
            assert "r or t tries again · the rows loaded stay" in banner, banner
            # no code the server seemed to send, nothing another line contradicts
            assert "CONTRACT_BROKEN" not in banner and "paging stopped" not in banner and "polling again" not in banner
            assert not viewer.feed.tailing  # stopped for good: no try a quarter of an hour later
            viewer.refresh_status()
            status = widget_text(viewer.status_bar)
            assert "live tail stopped (r or t tries again)" in status and "● live" not in status, status

            server.state.broken.set([])  # mended: t tries again, and the tail goes on
            await pilot.press("t")
            await wait_until(pilot, lambda: viewer.feed.tailing and not viewer.banner.has("tail"),
                             said=viewer.banner.plain)
            viewer.refresh_status()
            assert viewer.feed.tailing and "● live" in widget_text(viewer.status_bar)

            server.state.insert_supermetrics(30, at=FIXED_NOW + timedelta(minutes=5), same_time=False)
            server.state.broken.set(["cursor_ignored"])
            viewer.feed.poll_now()
            await wait_until(pilot, lambda: not viewer.feed.tailing and viewer.banner.has("tail"), said=viewer.banner.plain)
            server.state.broken.set([])
            await pilot.press("r")  # r loads again, and the tail follows
            await wait_until(pilot, lambda: viewer.feed.tailing and not viewer.banner.has("tail"), said=viewer.banner.plain)
            assert viewer.session.tail_stopped == ""


async def test_the_merged_tab_says_which_tab_s_tail_stopped() -> None:
    with _server() as server:
        first = ViewerOptions(Filters(), connection=connection(server, "supermetrics", page_limit=10), follow=True, interval_s=1.0)
        second = ViewerOptions(Filters(), connection=connection(server, "aitronos"))
        app = LogViewApp(first, second, policy=FAST)
        async with app.run_test(size=SIZE) as pilot:
            await _break_the_tail(pilot, app.viewers[0], server)
            app.show_tab(2)
            merged = app.viewers[2]
            await wait_until(pilot, lambda: "live tail stopped: the server broke its contract"
                             in widget_text(merged.status_bar), said=lambda: widget_text(merged.status_bar))
            assert "2 sources merged" in widget_text(merged.status_bar)
            server.state.broken.set([])  # mended: r here tries the stopped tail again, as the tab's own r does
            said = kept_toasts(app)
            await pilot.press("r")
            await wait_until(pilot, lambda: app.viewers[0].feed.tailing and app.viewers[0].session.tail_stopped == "",
                             said=lambda: widget_text(merged.status_bar))
            assert any(note.startswith("Retrying 1 source that failed or whose live tail stopped") for note in said), said
            await wait_until(pilot, lambda: "live tail stopped" not in widget_text(merged.status_bar),
                             said=lambda: widget_text(merged.status_bar))


async def test_the_backfill_s_corrections_stay_on_the_banner_beside_the_tail_s() -> None:
    """A server sending every page out of order: the backfill said "the server broke its contract:
    3 pages out of time order (sorted)" (in place of its "more than 10 entries share the time …"),
    and the tail's first poll then put "live tail: … 1 page" in its place, and each poll's "1 page"
    again. Each is said on its line, the tail's counting every poll's page (each one out of order:
    the newest page, shuffled again)."""
    server = DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=40, live_rate=0.0, now=FIXED_NOW, seed=5))
    server.state.broken.set(["unordered"])
    backfill = re.compile(r"^⚠ the server broke its contract: \d+ pages out of time order \(sorted\)$", re.M)
    tail = re.compile(r"^⚠ live tail: the server broke its contract: (\d+) pages? out of time order \(sorted\)$", re.M)
    with server:
        app = make_app(server, "supermetrics", follow=True, interval_s=0.5, page_limit=10)
        async with app.run_test(size=SIZE) as pilot:
            viewer = app.viewer
            await wait_until(pilot, lambda: backfill.search(viewer.banner.plain()), said=viewer.banner.plain)
            said_by_the_backfill = backfill.search(viewer.banner.plain())[0]
            await wait_until(pilot, lambda: tail.search(viewer.banner.plain()), said=viewer.banner.plain)
            polls, loaded = int(tail.search(viewer.banner.plain())[1]), len(viewer.session.store)
            server.state.insert_supermetrics(8, at=FIXED_NOW + timedelta(minutes=1), same_time=False)
            viewer.feed.poll_now()
            await wait_until(pilot, lambda: len(viewer.session.store) == loaded + 8)
            await wait_until(pilot, lambda: int(tail.search(viewer.banner.plain())[1]) > polls, said=viewer.banner.plain)
            banner = viewer.banner.plain()
            assert backfill.search(banner)[0] == said_by_the_backfill, banner
            # (and the seed's tie group wider than a page, which the contract's line took the place of)
            assert "⚠ more than 10 entries share the time 2025-11-09T03:37:35+00:00" in banner, banner
            assert viewer.feed.tailing
