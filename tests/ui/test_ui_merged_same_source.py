"""A tab reading what an earlier tab reads is merged once, as that one, and counted once: the merged tab's
line said `2 of 3 sources merged` for good, and at 80 columns without its reason (`smerr: same as sm`, only at
200), which read as a source stuck (found by a tester: `--profile ait --profile sm --profile smerr`, smerr the
same connector filtered by status 5xx, which Supermetrics filters locally)."""

from __future__ import annotations

from pathlib import Path

import pytest

from logview.demo import DEMO_CONNECTOR, DEMO_TEAM, DemoServer
from test_ui_merged_progress import aitronos_profile, profiles_app, status_line
from ui_helpers import wait_until


def supermetrics_profile(name: str, server_url: str, filters: str = "") -> str:
    return (f'[profiles.{name}]\nsource = "supermetrics"\nteam = {DEMO_TEAM}\nconnector = "{DEMO_CONNECTOR}"\n'
            f'base_url = "{server_url}"\n' + (f"[profiles.{name}.filters]\n{filters}\n" if filters else ""))


async def test_a_tab_repeating_another_is_counted_once_and_said_at_80_columns(
        demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profiles = (aitronos_profile("ait", demo.url) + supermetrics_profile("sm", demo.url)
                + supermetrics_profile("smerr", demo.url, 'status = ["5xx"]'))
    app = profiles_app(tmp_path, monkeypatch, profiles, "ait", "sm", "smerr")
    async with app.run_test(size=(80, 24)) as pilot:
        *tabs, merged = app.viewers
        await wait_until(pilot, lambda: all(tab.session.phase == "complete" for tab in tabs), timeout=60,
                         said=lambda: [tab.session.phase for tab in tabs])
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        total = len(demo.state.aitronos_logs) + len(demo.state.supermetrics_logs)
        await wait_until(pilot, lambda: app.screen is merged and len(merged.view) == total
                         and "smerr" in status_line(app), said=lambda: status_line(app))
        line = status_line(app)
        assert "all sources, merged   2 sources · smerr: same as sm " in line and "shown 3,600" in line, line
        await pilot.resize_terminal(200, 30)
        await wait_until(pilot, lambda: "2 sources merged · smerr: same as sm " in status_line(app),
                         said=lambda: status_line(app))
        assert "of 3" not in status_line(app)
