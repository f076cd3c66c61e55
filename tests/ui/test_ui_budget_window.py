"""A Supermetrics budget whose window is not the published hour (`logview demo-server --budget
10/2`): Supermetrics sends no reset time, so until one is seen the status line says its reset time
is unknown, where it said "resets in ~60 min" (a guess from the published window)."""

from __future__ import annotations

from logview.demo import DemoServer, DemoState
from ui_helpers import SIZE, make_app, screen_text, wait_until


async def test_a_budget_window_not_seen_is_not_given_a_reset_time() -> None:
    state = DemoState(aitronos_entries=0, supermetrics_entries=3_000, live_rate=0.0, seed=23,
                      budget={"supermetrics": "10/2"})
    with DemoServer(state) as server:
        app = make_app(server, "supermetrics", page_limit=100)
        async with app.run_test(size=SIZE) as pilot:
            def header() -> str:
                app.viewer.refresh_status()
                return screen_text(app).splitlines()[0]

            # (the budget binds once its first requests are spent: paced over minutes from then on)
            await wait_until(pilot, lambda: "API budget" in header(), timeout=30, said=header)
            line = header()
            assert "· reset time unknown ·" in line and "resets" not in line, line
