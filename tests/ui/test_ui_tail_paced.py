"""A live tail that the API budget's pace holds back (s23 walk #12): a Supermetrics tail polling every 2 s
against the demo without a budget (it advertises 1,000 an hour, all of it remaining) is paced to a poll
every ~5 s once the burst is spent. The line flickered between "● live · every 2 s", "next poll in ~7 s"
(of a poll 2 s away) and the same with the budget's words; it keeps one form now, saying the real period."""

from __future__ import annotations

import re

import pytest

from logview.api.budgets import budget_for
from logview.api.types import Priority
from logview.demo import DEMO_SUPERMETRICS_KEY
from ui_helpers import make_app, screen_text, supermetrics_server, wait_until


async def spend_the_burst(url: str) -> None:
    """Spend the burst a fresh hour allows (~250 requests at once, 15 minutes of a 2 s tail), as a long-running
    tail has: the key's budget then paces every poll. The demo answers each with all of its 1,000 remaining."""
    budget = budget_for(DEMO_SUPERMETRICS_KEY, url, "supermetrics")
    with budget.hold_tail_reserve(2.0):
        while budget.refilled_tokens(budget.pace_reading().now) >= 1:
            await budget.acquire(Priority.LIVE)
            budget.settle({"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "1000"}, 200)


def polls(server) -> int:
    return sum(1 for _, path, _ in server.state.request_log if "/logs" in path)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_a_tail_the_pace_holds_back_keeps_one_form_with_its_real_period(size) -> None:
    with supermetrics_server(30, seed=5) as server:
        await spend_the_burst(server.url)
        app = make_app(server, "supermetrics", follow=True, interval_s=2.0)
        async with app.run_test(size=size) as pilot:
            await wait_until(pilot, lambda: app.viewer.session.phase == "complete" and polls(server) >= 2,
                             timeout=30, said=lambda: (app.viewer.session.phase, polls(server)))
            lines: list[str] = []
            start = polls(server)
            while polls(server) < start + 2:  # (two polls of the tail: through the waits and the requests)
                app.viewer.refresh_status()
                lines.append(screen_text(app).splitlines()[0])
                await pilot.pause(0.2)
    assert len(lines) > 10, lines
    form = {
        # (999/1000 while a poll is in flight: the server's count says 1,000 again at its answer)
        160: r"● live · polls every ~[45] s · next poll in ~[1-6] s · API budget (999|1000)/1000 · 1000/h ",
        80: r"● live · poll ~[1-6] s ",  # (at 100 too: the counts before the words, they are said nowhere else)
    }[size[0]]
    assert all(re.search(form, line) for line in lines), "\n".join(lines)
    if size[0] == 160:
        assert all("shown 30" in line for line in lines), "\n".join(lines)
