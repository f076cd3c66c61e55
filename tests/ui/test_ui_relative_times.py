"""Relative times stay relative (issue 11, item 3): `--since 24h`, a profile's `since = "24h"` and a
saved filter are shown and saved as typed, and the range counts back from *now* again on reload
and, while tailing, as the clock moves."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime, timedelta

import pytest

import logview.times
from logview.cli import viewer_options, viewer_parser
from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DemoServer
from logview.model import Filters
from logview.settings.saved_filters import SavedFilters
from logview.times import parse_api_time
from logview.ui.app import LogViewApp
from test_ui_saved_filters import palette
from ui_helpers import FAST, FIXED_NOW, SIZE, make_app, screen_text, settle, wait_until


class Clock:
    """The clock relative times count back from, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(FIXED_NOW)
    monkeypatch.setattr(logview.times, "utc_now", fake)
    return fake


def in_range(server: DemoServer, since: datetime) -> int:
    return sum(1 for log in server.state.aitronos_logs if parse_api_time(log["created_at"]) >= since)


def app_from_command_line(argv: list[str]) -> tuple[LogViewApp, ExitStack]:
    stack = ExitStack()
    options = viewer_options(viewer_parser().parse_args(argv), stack)
    return LogViewApp(options, policy=FAST), stack


def since_field(app: LogViewApp) -> str:
    return app.viewer.sidebar.query_one("#since").value


async def test_since_from_the_command_line_is_shown_as_typed(demo: DemoServer, clock: Clock, monkeypatch) -> None:
    monkeypatch.setenv("FREDDY_API_KEY", DEMO_AITRONOS_KEY)
    app, stack = app_from_command_line(["--source", "aitronos", "--org", DEMO_ORG, "--base-url", demo.url,
                                        "--since", "24h"])
    with stack:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert since_field(app) == "24h"
            assert "24h" in screen_text(app)
            assert len(app.viewer.view) == in_range(demo, FIXED_NOW - timedelta(hours=24))


async def test_since_from_a_profile_is_shown_as_typed(demo: DemoServer, clock: Clock, monkeypatch, tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.p]\nsource = "aitronos"\norg = "{DEMO_ORG}"\nbase_url = "{demo.url}"\n'
                      f'key_env = "P_KEY"\n[profiles.p.filters]\nsince = "2d"\n')
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.setenv("P_KEY", DEMO_AITRONOS_KEY)
    app, stack = app_from_command_line(["--profile", "p"])
    with stack:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert since_field(app) == "2d"
            assert len(app.viewer.view) == in_range(demo, FIXED_NOW - timedelta(days=2))


async def test_a_relative_time_from_the_command_line_is_saved_as_typed(demo: DemoServer, clock: Clock,
                                                                     tmp_path) -> None:
    saved = SavedFilters(tmp_path / "saved.json")
    filters = Filters().with_time_range("24h", "")
    app = make_app(demo, filters=filters, saved_filters=saved)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "Save filters as")
        await pilot.press(*"last day", "enter")
        await pilot.pause()
        assert saved.get("aitronos", "last day").since == "24h"


async def test_reload_counts_a_relative_range_back_from_now_again(demo: DemoServer, clock: Clock) -> None:
    app = make_app(demo, filters=Filters().with_time_range("1d", ""))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = len(app.viewer.view)
        assert first == in_range(demo, FIXED_NOW - timedelta(days=1)) > 0
        clock.now = FIXED_NOW + timedelta(hours=12)
        await pilot.press("r")
        await settle(pilot)
        assert len(app.viewer.view) == in_range(demo, clock.now - timedelta(days=1)) < first
        assert since_field(app) == "1d"
        assert f"shown {len(app.viewer.view):,}" in screen_text(app)


@pytest.mark.parametrize("kind, keys", [("aitronos", ("slash", *"github", "enter")),
                                       ("supermetrics", ("slash", *"insights", "enter")),
                                       ("supermetrics", ("1",))], ids=["aitronos search", "supermetrics search",
                                                                       "supermetrics status key"])
async def test_a_local_filter_under_a_relative_range_asks_nothing_of_the_server(fresh_demo: DemoServer, clock: Clock,
                                                                              kind, keys) -> None:
    """s27 walk #3: under `since 1h` (or the `since` an archive_max_age gives), every search loaded the
    range again from the server, a request of the budget each, the rows changing under the user: the
    sidebar resolved `1h` again when it posted the search, and the range then differed. The same words
    are the range loaded; `r` counts it back from now again (above)."""
    app = make_app(fresh_demo, kind, filters=Filters().with_time_range("7d", ""))  # (resolved as the command line is)
    clock.now = FIXED_NOW + timedelta(seconds=1)  # (the launch: the load counts back from a moment later)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer, requests = app.viewer, len(fresh_demo.state.request_log)
        loaded, since = len(viewer.store), viewer.session.filters.since
        clock.now = FIXED_NOW + timedelta(minutes=5)  # (the user reads a while, then filters)
        await pilot.press(*keys)
        await settle(pilot)
        await wait_until(pilot, lambda: 0 < len(viewer.view) < loaded, said=lambda: len(viewer.view))
        assert len(fresh_demo.state.request_log) == requests  # nothing asked of the server again
        assert len(viewer.store) == loaded and viewer.session.filters.since == since
        assert since_field(app) == "7d" and "loading" not in screen_text(app).splitlines()[0]


async def test_while_tailing_a_relative_range_moves_with_the_clock(demo: DemoServer, clock: Clock) -> None:
    app = make_app(demo, filters=Filters().with_time_range("1d", ""), follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = len(app.viewer.view)
        clock.now = FIXED_NOW + timedelta(hours=12)
        later = in_range(demo, clock.now - timedelta(days=1))
        assert later < first
        await wait_until(pilot, lambda: len(app.viewer.view) == later, timeout=5)
        assert f"shown {later:,}" in screen_text(app) and since_field(app) == "1d"


async def test_a_typed_relative_range_survives_a_histogram_drill_down_and_back(demo: DemoServer,
                                                                              clock: Clock) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d", *"3d", "enter", "h")
        await settle(pilot)
        assert app.viewer.focused is app.viewer.histogram
        await pilot.press("enter")  # narrow to the picked bar: a moment, shown as one
        await settle(pilot)
        assert since_field(app).startswith("20")
        await pilot.press("backspace")  # back to the range as typed
        await settle(pilot)
        assert since_field(app) == "3d"
        assert len(app.viewer.view) == in_range(demo, FIXED_NOW - timedelta(days=3))


async def test_escape_in_a_date_field_restores_the_range_in_force(demo: DemoServer, clock: Clock) -> None:
    app = make_app(demo, filters=Filters().with_time_range("2d", ""))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = len(app.viewer.view)
        await pilot.press("d", *["backspace"] * 2, *"3d", "escape")  # typed, never applied
        await settle(pilot)
        assert since_field(app) == "2d" and len(app.viewer.view) == shown
        await pilot.press("d", "tab", *"zzz", "escape")  # the until field too, and its error
        await pilot.press("d", "enter")
        await settle(pilot)
        assert app.viewer.sidebar.query_one("#until").value == ""
        assert "not a time" not in screen_text(app) and len(app.viewer.view) == shown


async def test_d_then_a_range_typed_replaces_the_range_in_force(demo) -> None:
    """s25 walk: `d` put the cursor after `1d` (the config's archive_max_age), so `1h` typed read `1d1h`."""
    app = make_app(demo, filters=Filters().with_time_range("1d", ""))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert since_field(app) == "1d"
        await pilot.press("d", *"1h", "enter")
        await wait_until(pilot, lambda: app.viewer.session.filters.since_text == "1h",
                         said=lambda: (since_field(app), app.viewer.session.filters.since_text))
