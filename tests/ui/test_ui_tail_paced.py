"""A live tail that the API budget's pace holds back (s23 walk #12): a Supermetrics tail polling every 2 s
against the demo without a budget (it advertises 1,000 an hour, all of it remaining) is paced to a poll
every ~5 s once the burst is spent. The line flickered between "● live · every 2 s", "next poll in ~7 s"
(of a poll 2 s away) and the same with the budget's words; it keeps one form now, saying the real period."""

from __future__ import annotations

import re
import time

import pytest

from logview.api.budgets import budget_for
from logview.api.types import Priority
from logview.demo import DEMO_AITRONOS_KEY, DEMO_SUPERMETRICS_KEY, DemoServer, DemoState
from ui_helpers import make_app, screen_text, settle, supermetrics_server, wait_until


async def spend_the_burst(url: str, api: str = "supermetrics") -> None:
    """Spend the burst a fresh window allows (Supermetrics: ~250 requests at once, 15 minutes of a 2 s tail), as a
    long-running tail has: the key's budget then paces every poll. The demo answers each with all of its limit
    remaining (1,000 an hour; Aitronos 100 a minute)."""
    key, limit = (DEMO_SUPERMETRICS_KEY, "1000") if api == "supermetrics" else (DEMO_AITRONOS_KEY, "100")
    budget = budget_for(key, url, api)
    with budget.hold_tail_reserve(2.0):
        while budget.refilled_tokens(budget.pace_reading().now) >= 1:
            await budget.acquire(Priority.LIVE)
            budget.settle({"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": limit}, 200)


def polls(server) -> int:
    return sum(1 for _, path, _ in server.state.request_log if "/logs" in path)


async def lines_over_two_polls(app, pilot, server, pause_s: float = 0.2) -> list[str]:
    """The header line every `pause_s` through the tail's next two polls (through the waits and the requests)."""
    lines: list[str] = []
    start = polls(server)
    while polls(server) < start + 2:
        app.viewer.refresh_status()
        lines.append(screen_text(app).splitlines()[0])
        await pilot.pause(pause_s)
    return lines


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_a_tail_the_pace_holds_back_keeps_one_form_with_its_real_period(size) -> None:
    with supermetrics_server(30, seed=5) as server:
        await spend_the_burst(server.url)
        app = make_app(server, "supermetrics", follow=True, interval_s=2.0)
        async with app.run_test(size=size) as pilot:
            await wait_until(pilot, lambda: app.viewer.session.phase == "complete" and polls(server) >= 2,
                             timeout=30, said=lambda: (app.viewer.session.phase, polls(server)))
            lines = await lines_over_two_polls(app, pilot, server)
    assert len(lines) > 10, lines
    form = {
        # (999/1000 while a poll is in flight: the server's count says 1,000 again at its answer)
        160: r"● live · polls every ~[45] s · next poll in ~[1-6] s · API budget (999|1000)/1000 · 1000/h ",
        80: r"● live · poll ~[1-6] s ",  # (at 100 too: the counts before the words, they are said nowhere else)
    }[size[0]]
    assert all(re.search(form, line) for line in lines), "\n".join(lines)
    if size[0] == 160:
        assert all("shown 30" in line for line in lines), "\n".join(lines)


async def test_a_tail_asked_to_poll_more_often_than_a_second_says_the_pace_it_keeps() -> None:
    """Found in a walk: `--interval 0.05` against the demo (100 a minute advertised) polled every ~0.8 s once its
    burst was spent, and the line said "● live · every 0.05 s" all along: a period was said only once it was a
    quarter longer than a second, not than the interval asked."""
    with DemoServer(DemoState(aitronos_entries=30, supermetrics_entries=0, live_rate=0.0, seed=5)) as server:
        app = make_app(server, "aitronos", follow=True, interval_s=0.05)
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_until(pilot, lambda: app.viewer.session.phase == "complete", timeout=30)
            await settle(pilot)  # (the credentials named: their listing takes turns with the tail)
            for _ in range(3):  # (the demo's window is the clock's minute: a new one opens with a burst, polls at 0.05 s)
                minute = int(time.time() // 60)
                await spend_the_burst(server.url, "aitronos")
                lines = await lines_over_two_polls(app, pilot, server, pause_s=0.1)
                if int(time.time() // 60) == minute:
                    break
    assert len(lines) > 4, lines
    pattern = r"● live · polls every ~1 s · next poll in ~1 s · API budget (99|100)/100 · 100/min "
    assert all(re.search(pattern, line) for line in lines), "\n".join(lines)
