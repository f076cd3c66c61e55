"""A Supermetrics window spent by this viewer and another client of the key (walk s23 #3, #11): the loading
tab says when it goes on ("shared with the tail …" hid the reset and the next page for minutes), and `r` `r`
sends one request at once, whose 429 says the server's wait, not the hour logview assumes (that it goes
whatever the other clients are kept, and moves no reset: test_budget_r)."""

from __future__ import annotations

import re

import httpx

from logview.demo import DEMO_CONNECTOR, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DemoServer, DemoState
from ui_helpers import SIZE, make_app, screen_text, wait_until

WINDOW_S = 600  # the server's window: ten minutes, where logview assumes the published hour (no reset header)


def spend_one(server: DemoServer) -> None:
    """Another client of the key (an export, say) takes one request of the window."""
    path = f"/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs"
    answer = httpx.get(server.url + path, params={"limit": "1"},
                       headers={"Authorization": f"Bearer {DEMO_SUPERMETRICS_KEY}"})
    assert answer.status_code == 200


async def test_a_spent_window_says_when_the_load_goes_on_and_r_r_shows_the_servers_wait() -> None:
    state = DemoState(aitronos_entries=0, supermetrics_entries=3000, live_rate=0.0, seed=21,
                      budget={"supermetrics": f"3/{WINDOW_S}"})
    with DemoServer(state) as server:
        spend_one(server)
        app = make_app(server, "supermetrics", follow=True, interval_s=2.0, page_limit=100)
        async with app.run_test(size=SIZE) as pilot:
            def header() -> str:
                app.viewer.refresh_status()
                return screen_text(app).splitlines()[0]

            # settled: the window's last two requests spent (the first page, then a poll or page 2), and said
            # (Supermetrics sends no reset and the window is not the published hour: its reset is not known; the
            # page's rows are posted a moment after its answer, `POST_ENTRIES_EVERY_S`: waited for)
            spent = r"◌ loading page [23] · 1?\d\d so far · (API )?budget 0/3 · reset (time )?unknown"
            await wait_until(pilot, lambda: server.state.served("supermetrics").requests == 3
                             and re.search(spent, header()), timeout=30, said=header)
            line = header()
            assert "shared with the tail" not in line, line
            # and, once the backfill's next page waits for it, when it goes on: at the reset the budget assumes, when
            # it looks again (said nowhere, s23 walk #3)
            await wait_until(pilot, lambda: "next page ~" in header(), timeout=30, said=header)
            assert re.search(r"budget 0/3 · reset (time )?unknown · (backfill waits · )?next page ~(59|60)m", header()), \
                header()

            await pilot.press("r")  # (the first r says the backfill goes on by itself; a second reloads anyway)
            await pilot.press("r")
            await wait_until(pilot, lambda: server.state.served("supermetrics").throttled == 1, timeout=30,
                             said=lambda: (server.state.served("supermetrics"), header()))
            await wait_until(pilot, lambda: "429 rate limited · retrying in" in header(), timeout=30, said=header)
            text = screen_text(app)
            assert "1/3" not in text, text
            # the server's wait, under its ten minutes: never the hour restarted at the key press
            waits = [int(m) for m in re.findall(r"(?:in|~)\s?~?(\d+)m \d\ds", text)]
            assert waits and max(waits) <= WINDOW_S / 60, text


async def test_the_merged_tab_at_80_columns_keeps_a_429s_wait(tmp_path, monkeypatch) -> None:
    """s23 walk #3: at 80 columns the merged tab said `1/2 complete · smh retrying` while the tab waited out
    a 429's 20 minutes: a retry's wait of minutes is kept, as a paced source's is (`smb waits ~7m`)."""
    from test_ui_merged_progress import aitronos_profile, profiles_app, status_line

    state = DemoState(aitronos_entries=50, supermetrics_entries=300, live_rate=0.0, seed=21,
                      budget={"supermetrics": f"1/{WINDOW_S}"})
    with DemoServer(state) as server:
        spend_one(server)  # the window's one request: the tab's first page meets a 429 (Retry-After ~10 min)
        app = profiles_app(tmp_path, monkeypatch, aitronos_profile("ait", server.url) + (
            f'[profiles.smh]\nsource = "supermetrics"\nteam = {DEMO_TEAM}\nconnector = "{DEMO_CONNECTOR}"\n'
            f'base_url = "{server.url}"\n'), "ait", "smh")
        async with app.run_test(size=(80, 24)) as pilot:
            ait, smh, merged = app.viewers
            await wait_until(pilot, lambda: server.state.served("supermetrics").throttled == 1
                             and ait.session.phase != "loading", timeout=30,
                             said=lambda: (server.state.served("supermetrics"), ait.session.phase))
            await pilot.press("right_square_bracket", "right_square_bracket")
            await wait_until(pilot, lambda: app.screen is merged and "1/2 complete" in status_line(app), timeout=15,
                             said=lambda: status_line(app))
            line = status_line(app)
            assert re.search(r"1/2 complete · smh retries in ~(9|10)m", line), line
