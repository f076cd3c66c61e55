"""r during a 429's long wait starts the load over, its attempts counted from 1 again: the banner said
'attempt 2/6' after each r, as if r did nothing (s27 walk #5). It says how often r asked again."""

from __future__ import annotations

from logview.demo import DemoServer, Fault
from ui_helpers import SIZE, make_app, screen_text, settle, wait_until


def banner(app) -> str:
    return " ".join(app.viewer.banner.plain().split()) if app.viewer.banner.display else ""


async def test_r_during_a_rate_limits_wait_says_how_often_it_asked_again(fresh_demo: DemoServer) -> None:
    fresh_demo.state.add_fault(Fault(kind="status", status=429, retry_after="86400", count=3, api="aitronos"))
    app = make_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "retrying in 23h 59m, attempt 2/6 request" in banner(app),
                         said=lambda: banner(app))
        for said in ("(r asked again: once)", "(r asked again: 2 times)"):
            await pilot.press("r")  # (each r: one more request, refused again)
            await wait_until(pilot, lambda: f"attempt 2/6 {said}" in banner(app), said=lambda: banner(app))
        assert "attempt 2/6 (r asked again: 2 times)" in screen_text(app)
        await pilot.press("r")  # (the faults are spent: it loads, the banner goes)
        await wait_until(pilot, lambda: len(app.viewer.view) == 120 and not app.viewer.banner.display,
                         said=lambda: banner(app))
        fresh_demo.state.add_fault(Fault(kind="status", status=429, retry_after="86400", count=1, api="aitronos"))
        await settle(pilot)
        await pilot.press("r")  # (a new wait, no r in it yet: nothing of the earlier ones)
        await wait_until(pilot, lambda: "attempt 2/6 request" in banner(app), said=lambda: banner(app))
