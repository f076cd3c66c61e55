"""An API source that answers with no entry at all says why its table is empty: which source, the
filters the server was asked with, and the keys that ask it for more. It said "No entries." alone (a
connector never run), or "No entries match the filters." (s28, left from the s27 walk)."""

from __future__ import annotations

import pytest

from logview.demo import DemoServer, DemoState
from logview.model import Filters
from ui_helpers import SIZE, make_app, picker_app, settle, table_lines


def said(app) -> list[str]:
    """The empty table's lines, as drawn (centred: their margins left out)."""
    return [line.strip() for line in table_lines(app)[1:] if line.strip()]


async def test_a_connector_without_entries_is_named_with_the_key_to_another(demo: DemoServer) -> None:
    app = picker_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # EMPTY1: configured, never run
        await settle(pilot)
        assert said(app) == ["No entries: the server has none for connector EMPTY1 of team 1.",
                             "c picks another connector"]


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_the_server_filters_that_found_none_are_named_with_the_keys_that_widen_them(
        demo: DemoServer, size: tuple[int, int]) -> None:
    app = make_app(demo, filters=Filters(statuses=("blocked",)).with_time_range("", "2020-01-01"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert said(app) == ["No entries: the server has none for organization org_demo.",
                             "Server filters: status blocked · until 2020-01-01",
                             "d changes the time range · 0 shows every status"]
        await pilot.press("0")  # every status: none before 2020 still
        await settle(pilot)
        assert said(app) == ["No entries: the server has none for organization org_demo.",
                             "Server filters: until 2020-01-01", "d changes the time range"]


async def test_an_organization_without_entries_nor_filters_says_r_asks_again() -> None:
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, seed=5)) as server:
        app = make_app(server)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert said(app) == ["No entries: the server has none for organization org_demo.", "r asks again"]
