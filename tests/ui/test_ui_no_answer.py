"""A server that stops answering is said (s22 walk #10): the status line counts the wait once a
request has had no answer for a while (its estimate left out), and a retry's attempt in flight says
it waits for the server, not "retrying now · Esc cancels the wait". The threshold and the read
timeout are made short here, so that a test waits seconds, not the 30 s of the real timeout."""

from __future__ import annotations

import re

import pytest

from logview.api import client
from logview.session import status
from logview.demo import DemoServer, Fault
from ui_helpers import SIZE, make_app, screen_text, settle, wait_until


def status_line(app) -> str:
    return screen_text(app).splitlines()[0]


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
        assert "timed out waiting for the response — attempt 2/6 · waiting for the server (" in text, text
        assert "Esc stops the loading · r asks again" in text and "retrying now" not in text
        assert "cancels the wait" not in text
        assert "⟳ timed out · no answer for" in status_line(app)
        await wait_until(pilot, lambda: len(app.viewer.view) == 120 and not app.viewer.banner.display,
                         timeout=20, said=lambda: banner(app))
        await settle(pilot)
        assert "no answer" not in screen_text(app) and "all loaded" in status_line(app)


async def test_a_tail_poll_without_an_answer_is_said_then_polls_on(
        fresh_demo: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status, "POLL_SLOW_S", 0.3)  # (the tail's cycle is timed apart: `Feed.poll_waiting_s`)
    app = make_app(fresh_demo, follow=True, interval_s=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: "● live · every" in status_line(app), said=lambda: status_line(app))
        fresh_demo.state.add_fault(Fault(kind="latency", delay=3.0, count=1, api="aitronos"))
        await wait_until(pilot, lambda: "no answer for" in status_line(app), said=lambda: status_line(app))
        assert re.search(r"● live · no answer for \d s", status_line(app)), status_line(app)
        await wait_until(pilot, lambda: "● live · every" in status_line(app), timeout=15, said=lambda: status_line(app))
        assert "no answer" not in screen_text(app)
