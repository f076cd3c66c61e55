"""A server that stops answering is said (s22 walk #10): the status line counts the wait once a
request has had no answer for a while (its estimate left out), and a retry's attempt in flight says
it waits for the server, not "retrying now · Esc cancels the wait", counted from when it was sent.
The client times every request, a load's, a retry's, the tail's, and the merged tab says it of its
source. The threshold and the read timeout are made short here, so that a test waits seconds, not
the 30 s of the real timeout."""

from __future__ import annotations

import re
from functools import partial

import pytest

from logview.api import client
from logview.demo import DemoServer, DemoState, Fault
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, FIXED_NOW, SIZE, connection, make_app, screen_text, settle, two_tabs_app, wait_until, widget_text


def status_line(app) -> str:
    return screen_text(app).splitlines()[0]


def status_of(viewer) -> str:
    viewer.refresh_status()
    return widget_text(viewer.status_bar)


def banner(app) -> str:
    return app.viewer.banner.plain() if app.viewer.banner.display else ""


@pytest.fixture
def quick_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "NO_ANSWER_SAID_S", 0.3)


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["160x48", "80x24"])
async def test_a_first_page_without_an_answer_is_said_then_the_rows_come(
        fresh_demo: DemoServer, quick_no_answer: None, size: tuple[int, int]) -> None:
    fresh_demo.state.add_fault(Fault(kind="latency", delay=3.0, count=1, api="aitronos"))
    app = make_app(fresh_demo)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: "no answer for" in status_line(app), said=lambda: status_line(app))
        line = status_line(app)
        assert "◌" in line and re.search(r"page 1 · no answer for \d s", line), line
        assert "done in" not in line
        await settle(pilot)
        await wait_until(pilot, lambda: len(app.viewer.view) == 120 and "all loaded" in status_line(app),
                         said=lambda: status_line(app))
        assert "no answer" not in screen_text(app)


async def test_a_retry_in_flight_waits_for_the_server_not_retrying_now(
        fresh_demo: DemoServer, quick_no_answer: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(client.DEFAULT_TIMEOUT_S, "read", 2.5)  # (each delayed attempt times out)
    fresh_demo.state.add_fault(Fault(kind="latency", delay=6.0, count=2, api="aitronos"))
    app = make_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "attempt 2/6" in banner(app), said=lambda: banner(app))
        await wait_until(pilot, lambda: "no answer for" in status_line(app), said=lambda: status_line(app))
        text = banner(app)
        assert "timed out waiting for the response from 127.0.0.1:" in text and \
            "— attempt 2/6 · waiting for the server (" in text, text
        assert "Esc stops the loading · r asks again" in text and "retrying now" not in text
        assert "cancels the wait" not in text
        assert "⟳ timed out · no answer for" in status_line(app)
        await wait_until(pilot, lambda: len(app.viewer.view) == 120 and not app.viewer.banner.display,
                         timeout=20, said=lambda: banner(app))
        await settle(pilot)
        assert "no answer" not in screen_text(app) and "all loaded" in status_line(app)


async def test_a_tail_poll_without_an_answer_is_said_then_polls_on(
        fresh_demo: DemoServer, quick_no_answer: None) -> None:
    """The tail's poll is timed by the client, as a load's request is (it kept a 5 s timer of its own)."""
    app = make_app(fresh_demo, follow=True, interval_s=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "● live · every" in status_line(app), said=lambda: status_line(app))
        fresh_demo.state.add_fault(Fault(kind="latency", delay=3.0, count=1, api="aitronos"))
        await wait_until(pilot, lambda: "no answer for" in status_line(app), said=lambda: status_line(app))
        assert re.search(r"● live · no answer for \d s", status_line(app)), status_line(app)
        await wait_until(pilot, lambda: "● live · every" in status_line(app), timeout=15, said=lambda: status_line(app))
        assert "no answer" not in screen_text(app)


async def test_a_retry_the_budget_holds_is_not_counted_as_waiting_for_the_server_and_its_attempt_is() -> None:
    """A retry's attempt waits for the server from when it is sent: the banner counted from when it
    was due, the budget's wait before it went counted too, and the status line said "retrying now"
    for the attempt's first 5 s. Here the window's 2 requests go to two 503s: the third attempt,
    due at once, waits for the window's end, then for an answer held 5 s."""
    state = DemoState(aitronos_entries=120, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=5,
                      budget={"aitronos": "2/6"})
    with DemoServer(state) as server:
        state.add_fault(Fault(kind="status", status=503, count=2, api="aitronos"))
        # (5 s, not 3: the look at the banner must come before the answer, and a loaded machine's came late)
        state.add_fault(Fault(kind="latency", delay=5.0, count=1, api="aitronos"))
        app = make_app(server)
        async with app.run_test(size=SIZE) as pilot:
            viewer = app.viewer

            def both() -> tuple[str, str]:
                viewer.refresh_status()
                return status_line(app), banner(app)

            await wait_until(pilot, lambda: "retry waits for the API budget" in status_line(app)
                             and "attempt 3/6" in banner(app), said=both)
            viewer.banner.redraw_countdowns()
            text = banner(app)
            assert "HTTP 503" in status_line(app) and "retrying now, attempt 3/6" in text, both()
            assert "waiting for the server" not in text, text
            # sent: the server holds its answer 5 s (the window's 6 s are over)

            def both_say_it_waits() -> bool:
                # (each is redrawn at its own tick: at load 6 the status line said it first, and the
                # banner, read then, still said "retrying now")
                viewer.banner.redraw_countdowns()
                return ("waiting for the server" in status_line(app)
                        and "attempt 3/6 · waiting for the server (" in banner(app))

            await wait_until(pilot, both_say_it_waits, timeout=15, said=both)
            line, text = both()
            assert "⟳ HTTP 503 · waiting for the server" in line and "retrying now" not in line, line
            waited = re.search(r"attempt 3/6 · waiting for the server \((\d+) s\)", text)
            # (counted from when it was sent: less than the answer's 5 s; from the due time it said 6 s and more)
            assert waited and int(waited[1]) <= 5, text
            assert "Esc stops the loading · r asks again" in text
            await wait_until(pilot, lambda: len(viewer.view) == 120 and not viewer.banner.display, timeout=15,
                             said=both)
            # (the load's end, not a settle: that waited ~19 s more for the credentials' names, which
            # queue behind the load in the window of 2 requests a 6 s)
            await wait_until(pilot, lambda: "all loaded" in status_line(app), said=both)
            assert "waiting for the server" not in screen_text(app)


async def test_the_merged_tab_says_a_source_without_an_answer(fresh_demo: DemoServer, quick_no_answer: None) -> None:
    """The merged tab said "demo data (supermetrics): loading" of a source whose server had not answered."""
    # (10 s: the Aitronos tab loads first even on a loaded machine, where it took several seconds)
    fresh_demo.state.add_fault(Fault(kind="latency", delay=10.0, count=1, api="supermetrics"))
    app = two_tabs_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:
        ait, smb, merged = app.viewers
        app.show_tab(2)
        merged_status = partial(status_of, merged)

        # (in whichever form fits: on a loaded machine the Aitronos tab may still load, or have no answer itself,
        # "◌ 0 of 2 complete · demo data (aitronos): loading 83% · demo data (supermetrics): no answer for 3 s")
        said = re.compile(r"of 2 (sources )?complete · (.* · )?demo data \(supermetrics\): (loading · )?no answer for \d s")
        await wait_until(pilot, lambda: said.search(merged_status()) is not None, said=merged_status)
        await wait_until(pilot, lambda: smb.session.phase == "complete" and "2 sources merged" in merged_status(),
                         timeout=20, said=merged_status)
        assert "no answer" not in merged_status()


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["160x48", "80x24"])
async def test_the_merged_tab_says_a_tail_without_an_answer(fresh_demo: DemoServer, quick_no_answer: None, size) -> None:
    """The tab said "● live · no answer for 16 s" and the merged tab "2 sources merged", nothing marked."""
    tailing = [ViewerOptions(filters=Filters(), connection=connection(fresh_demo, kind), follow=follow, interval_s=0.2)
               for kind, follow in (("aitronos", False), ("supermetrics", True))]
    app = LogViewApp(*tailing, policy=FAST)
    async with app.run_test(size=size) as pilot:
        ait, smb, merged = app.viewers
        app.show_tab(2)
        merged_status = partial(status_of, merged)

        await wait_until(pilot, lambda: "2 sources merged" in merged_status() and all(
            viewer.session.phase == "complete" for viewer in (ait, smb)) and smb.session.want_tail, timeout=20,
            said=merged_status)
        fresh_demo.state.add_fault(Fault(kind="latency", delay=3.0, count=1, api="supermetrics"))
        said = re.compile(r" 2 sources merged · demo data \(supermetrics\): live tail: no answer for \d s" if size == SIZE
                          else r" demo data \(supermetrics\): no answer for \d s")  # (at 80: what is wrong, not the count)
        await wait_until(pilot, lambda: said.search(merged_status()) is not None, said=merged_status)
        await wait_until(pilot, lambda: "no answer" not in merged_status(), timeout=15, said=merged_status)
        assert "2 sources merged" in merged_status()
