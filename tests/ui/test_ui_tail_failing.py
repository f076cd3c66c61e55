"""A live tail that cannot reach its API is said everywhere the user looks (found in the
walk-through): the status line stops saying "live", the banner counts down to the next try, the
tab of the failing source is marked from every other tab, and the merged timeline names it."""

from __future__ import annotations

import re

from logview.api import client
from logview.demo import DemoServer, DemoState, Fault
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import (FAST, FIXED_NOW, SIZE, connection, make_app, screen_text, settle, tail_fails, tail_settled,
                        wait_until, widget_text)


async def test_a_failing_tail_is_shown_on_its_tab_the_other_tabs_and_the_merged_one(demo: DemoServer) -> None:
    other = DemoServer(DemoState(aitronos_entries=40, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW)).start()
    app = _beside_a_tailing_tab(demo, other)
    try:
        async with app.run_test(size=SIZE) as pilot:
            tailing = app.viewers[1]
            await wait_until(pilot, lambda: tailing.feed.tailing and tailing.session.phase == "complete")
            other.stop()
            tailing.feed.poll_now()
            await wait_until(pilot, lambda: tailing.banner.tail_failing() is not None)
            await settle(pilot)
            # (the tabs are marked at a tick of the countdowns, each second: waited for, not paused for)
            await wait_until(pilot, lambda: "⚠ demo data (aitronos)" in screen_text(app).splitlines()[0],
                             said=lambda: screen_text(app).splitlines()[0])
            tabs = screen_text(app).splitlines()[0]
            assert "⚠ demo data (aitronos)" in tabs and "⚠ demo data (supermetrics)" not in tabs

            app.show_tab(1)
            await wait_until(pilot, lambda: "live tail failing" in widget_text(tailing.status_bar),
                             said=lambda: widget_text(tailing.status_bar))
            status = widget_text(tailing.status_bar)
            assert "live tail failing: connection failed · next try in" in status
            assert "● live" not in status
            banner = tailing.banner.plain()
            assert "CONNECTION_FAILED" in banner and "polling again in" in banner
            # the countdown moves
            await wait_until(pilot, lambda: tailing.banner.plain() != banner, said=tailing.banner.plain)
            assert "rows loaded stay" in tailing.banner.plain() and len(tailing.view) == 40

            app.show_tab(2)  # (its line says the tabs' troubles from the next tick of the countdowns: waited for)
            await wait_until(pilot, lambda: "demo data (aitronos): live tail failing"
                             in widget_text(app.viewers[2].status_bar), said=lambda: widget_text(app.viewers[2].status_bar))
            assert "2 sources merged" in widget_text(app.viewers[2].status_bar)
    finally:
        other.stop()


async def test_a_failed_tails_next_cycle_retried_replaces_its_failure_on_the_banner(fresh_demo: DemoServer) -> None:
    """Found in a walk: while the header counted down the next cycle's retry ("⟳ HTTP 503 ·
    retrying in 8 s"), the banner still showed the cycle before's failure, its request id and
    "polling again now". The retry says what goes on now; the old failure goes."""
    app = make_app(fresh_demo, follow=True, interval_s=1.0)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        await tail_fails(pilot, fresh_demo, 503)
        failed = re.search(r"request id (\S+)", viewer.banner.plain())
        assert failed, viewer.banner.plain()
        fresh_demo.state.add_fault(Fault(kind="status", status=503, count=1, retry_after="20", api="aitronos"))
        await wait_until(pilot, lambda: viewer.banner.retry_pending)  # the next cycle, 2 s later
        await pilot.pause()
        banner = viewer.banner.plain()
        assert "live tail: HTTP 503" in banner and "retrying in" in banner, banner
        assert failed[1] not in banner and "polling again" not in banner, banner
        viewer.refresh_status()
        assert "⟳ HTTP 503 · retrying in" in widget_text(viewer.status_bar)


async def test_the_header_and_the_banner_count_a_retry_down_together(fresh_demo: DemoServer) -> None:
    """Found in a walk: the header read "retrying in 7 s" while the banner read "8 s", a second
    apart all along: each was drawn at its own tick."""
    app = make_app(fresh_demo, follow=True, interval_s=1.0)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        await tail_fails(pilot, fresh_demo, 503)  # (the banner ticks from now on, at its own phase)
        await pilot.pause(0.4)
        fresh_demo.state.add_fault(Fault(kind="status", status=503, count=1, retry_after="20", api="aitronos"))
        await wait_until(pilot, lambda: viewer.banner.retry_pending)

        def both() -> tuple[str | None, str | None]:
            header = re.search(r"retrying in (\d+) s", widget_text(viewer.status_bar))
            banner = re.search(r"retrying in (\d+) s", viewer.banner.plain())
            return (header[1] if header else None), (banner[1] if banner else None)

        pairs = []
        for _ in range(12):  # (3 s, looked at between the ticks as much as at them)
            await pilot.pause(0.25)
            # As they settle: the banner's tick redraws it, then its message has the header redrawn;
            # at load 5 the test once read them in between, a second apart. Drawn at ticks of
            # their own, as before the fix, they stay apart and are read so.
            pair, before = both(), None
            for _ in range(10):
                if pair == before:
                    break
                await pilot.pause()
                pair, before = both(), pair
            if None not in pair:
                pairs.append(pair)
        assert len(pairs) >= 8 and all(h == b for h, b in pairs), pairs


async def test_a_tail_retrying_leaves_its_loaded_tab_complete_on_the_merged_tab(demo: DemoServer) -> None:
    """Found in the s29 API walk: a tab loaded whole whose live tail met a 429 (or a 500) made the merged tab say
    "⟳ 1 of 2 complete · ai: retrying in ~15m" ("0 of 2" with both tails), and its save and histogram "partial",
    though every entry was there: it is the tail that retries, and the timeline is whole."""
    other = DemoServer(DemoState(aitronos_entries=40, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW)).start()
    app = _beside_a_tailing_tab(demo, other)
    try:
        async with app.run_test(size=SIZE) as pilot:
            tailing, merged = app.viewers[1], app.viewers[2]
            await wait_until(pilot, lambda: app.viewers[0].session.phase == "complete")
            await wait_until(pilot, lambda: tailing.feed.tailing and tailing.session.phase == "complete")
            await settle(pilot)
            other.state.add_fault(Fault(kind="status", status=429, count=1, retry_after="900", api="aitronos"))
            tailing.feed.poll_now()
            await wait_until(pilot, lambda: tailing.banner.retry_pending, said=tailing.banner.plain)
            app.show_tab(2)
            await wait_until(pilot, lambda: "live tail retries" in widget_text(merged.status_bar),
                             said=lambda: widget_text(merged.status_bar))
            status = widget_text(merged.status_bar)  # (in fewer words: the tab's name is long)
            assert "⟳ 2 sources merged · demo data (aitronos): live tail retries in ~15m" in status, status
            assert "complete" not in status, status
            assert merged.session.partial_note() is None  # (the save's and the histogram's note)
    finally:
        other.stop()


def _beside_a_tailing_tab(demo: DemoServer, other: DemoServer) -> LogViewApp:
    """Two tabs and the merged one: the demo's Supermetrics, then `other`'s Aitronos tailing every 5 s."""
    first = ViewerOptions(filters=Filters(), connection=connection(demo, "supermetrics"))
    second = ViewerOptions(filters=Filters(), connection=connection(other, "aitronos"), follow=True, interval_s=5)
    return LogViewApp(first, second, policy=FAST)


async def test_a_tails_retries_are_not_counted_out_of_a_last_one(fresh_demo: DemoServer, monkeypatch) -> None:
    """Found in a walk: a dead server's tail retries read "attempt 6/6", as a last one, then "attempt 2/6"
    again at the next poll, the tail trying on until the server answers. They are said without a count."""
    monkeypatch.setattr(client, "NO_ANSWER_SAID_S", 0.3)
    app = make_app(fresh_demo, follow=True, interval_s=1.0)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        await tail_settled(pilot)
        fresh_demo.state.add_fault(Fault(kind="status", status=503, count=1, retry_after="2", api="aitronos"))
        fresh_demo.state.add_fault(Fault(kind="latency", delay=30.0, count=1, api="aitronos"))
        viewer.feed.poll_now()
        await wait_until(pilot, lambda: "retrying in" in viewer.banner.plain(), said=viewer.banner.plain)
        assert re.search(r"⟳ live tail: HTTP 503 .*Please try again later\. — retrying in [12] s\n", viewer.banner.plain()), viewer.banner.plain()
        # (its retry sent, no answer yet)
        await wait_until(pilot, lambda: "waiting for the server" in viewer.banner.plain(), said=viewer.banner.plain)
        assert re.search(r"⟳ live tail: HTTP 503 .*later\. — waiting for the server \(\d+ s\)\n", viewer.banner.plain()), \
            viewer.banner.plain()
        assert "attempt" not in viewer.banner.plain()


async def test_r_while_a_loaded_tail_fails_polls_now_rather_than_loading_again(fresh_demo: DemoServer) -> None:
    """Found in a walk: r while a loaded viewer's live tail waited to poll again (its server down) loaded
    everything again; over a server still down that load gave up after six attempts ("✖ loading:
    CONNECTION_FAILED … gave up"), its error kept once the server was back and the tail had recovered by
    itself (and without an archive it would fetch every page again). It polls now, as the banner says."""
    app = make_app(fresh_demo, follow=True, interval_s=2.0)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        await tail_fails(pilot, fresh_demo, 503)
        banner = viewer.banner.plain()
        assert "polling again in" in banner and "r polls now" in banner, banner
        assert viewer.banner.tail_failing()[1] > 3  # (the tail's own pause: its first is twice the interval)
        fresh_demo.state.add_fault(Fault(kind="status", status=503, count=6, api="aitronos"))  # still down
        await pilot.press("r")
        assert viewer.session.phase == "complete" and "loading" not in widget_text(viewer.status_bar)
        # its poll failed at once (the first failure's pause was 4 s): the next pause is counted down
        await wait_until(pilot, lambda: not fresh_demo.state.faults, timeout=2, said=viewer.banner.plain)
        await wait_until(pilot, lambda: viewer.banner.tail_failing() is not None and not viewer.banner.retry_pending,
                         said=viewer.banner.plain)
        await pilot.press("r")  # the server is back: the tail polls now and recovers
        await wait_until(pilot, lambda: viewer.banner.tail_failing() is None, timeout=1.5, said=viewer.banner.plain)
        await settle(pilot)
        assert viewer.session.phase == "complete" and "live tail" not in viewer.banner.plain()
        assert "● live" in widget_text(viewer.status_bar)
