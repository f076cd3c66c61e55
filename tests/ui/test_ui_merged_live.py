"""The merged tab says whether its tabs' live tails are on, as each tab's line does (`● live`), and
`● live 1 of 2` while only some are: `t` there turns every tab's on or off, and its line never said
which way it went (s28 walk #3)."""

from __future__ import annotations

from logview.demo import DemoServer, DemoState
from ui_helpers import SIZE, screen_text, two_tabs_app, wait_until


def status_line(app) -> str:
    app.screen.refresh_status()
    return next(line for line in screen_text(app).splitlines() if line.startswith(" logview "))


async def test_the_merged_tab_says_which_way_t_turned_the_tails() -> None:
    with DemoServer(DemoState(aitronos_entries=40, supermetrics_entries=40, live_rate=0.0, seed=5)) as server:
        app = two_tabs_app(server)
        async with app.run_test(size=SIZE) as pilot:
            ait, sm, merged = app.viewers
            await pilot.press("right_square_bracket", "right_square_bracket")
            await wait_until(pilot, lambda: app.screen is merged and len(merged.view) == 80
                             and "2 sources merged" in status_line(app), said=lambda: status_line(app))
            assert "● live" not in status_line(app)
            await pilot.press("t")  # (every tab's tail on)
            assert ait.session.want_tail and sm.session.want_tail
            line = status_line(app)
            assert "2 sources merged   ● live " in line and "of 2" not in line, line
            await pilot.press("t")  # (every tab's off)
            assert "● live" not in status_line(app)

            await pilot.press("left_square_bracket", "left_square_bracket", "t")  # (the first tab's alone)
            await wait_until(pilot, lambda: app.screen is ait and ait.session.want_tail)
            await pilot.press("left_square_bracket")
            assert app.screen is merged
            await wait_until(pilot, lambda: "● live 1 of 2" in status_line(app), said=lambda: status_line(app))
