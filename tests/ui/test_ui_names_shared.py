"""Tabs side by side that read one Aitronos organization with one key share its credential names
(found by a tester: each tab asked for them once its own logs were in, one tab showing `tcred_…` ids
while the other showed names). One lookup names every tab of the organization as it is answered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from logview.ui.names import Names
from ui_helpers import FAST, SIZE, connection, hold_requests, settle, table_lines, wait_until


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=300, supermetrics_entries=0, live_rate=0.0, seed=14)) as demo:
        yield demo


def org_tabs_app(server: DemoServer) -> LogViewApp:
    """Two tabs of the demo's organization (all of its logs, and its errors), and the merged tab."""
    every = ViewerOptions(filters=Filters(), connection=connection(server, "aitronos", page_limit=100))
    errors = ViewerOptions(filters=Filters(statuses=("error",)), connection=connection(server, "aitronos"))
    return LogViewApp(every, errors, policy=FAST)


def listings(server: DemoServer) -> int:
    """How often the organization's connectors were listed: the first request of each names lookup."""
    return sum(path.startswith("/v1/personal-connectors?") for _, path, _ in server.state.request_log)


def names_requests(path: str, _priority: object) -> bool:
    return path.startswith("/v1/personal-connectors") and not path.endswith("/logs")


async def test_two_tabs_of_one_organization_are_named_by_one_lookup_at_once(server, monkeypatch) -> None:
    held = hold_requests(monkeypatch, names_requests)
    app = org_tabs_app(server)
    named: list[tuple[int, int]] = []  # (each time a tab was named: how many tabs had names then)
    async with app.run_test(size=SIZE) as pilot:
        every, errors, _merged = app.viewers
        for viewer in (every, errors):
            viewer.names.message_signal.subscribe(viewer, lambda message: named.append(
                (len(every.names.credentials), len(errors.names.credentials)))
                if isinstance(message, Names.CredentialsNamed) else None)
        await wait_until(pilot, lambda: every.session.phase == "complete" and errors.session.phase == "complete")
        await pilot.pause(0.3)
        assert every.names.credentials == errors.names.credentials == {}
        held.set()
        await wait_until(pilot, lambda: every.names.credentials and errors.names.credentials,
                         said=lambda: (every.names.credentials, errors.names.credentials))
        await settle(pilot)
        assert listings(server) == 1, server.state.request_log
        assert every.names.credentials == errors.names.credentials
        assert len(named) == 2 and all(counts[0] and counts[1] for counts in named), named  # (both named at once)
        for viewer in (every, errors):
            await pilot.press("right_square_bracket") if app.screen is not viewer else None
            await settle(pilot)
            rows = "\n".join(table_lines(app))
            assert "Work Gmail" in rows and "tcred_" not in rows, rows


async def test_the_lookup_stopped_in_the_tab_that_asked_goes_on_for_the_other(server, monkeypatch) -> None:
    """Esc on a retry stops the tab's lookup of the names (`stop_naming`): the other tab, which waited
    for that lookup, asks for them itself."""
    held = hold_requests(monkeypatch, names_requests)
    app = org_tabs_app(server)
    async with app.run_test(size=SIZE) as pilot:
        every, errors, _merged = app.viewers
        await wait_until(pilot, lambda: every.session.phase == "complete" and errors.session.phase == "complete")
        org = every.names.org
        assert org is not None and org is errors.names.org
        await wait_until(pilot, lambda: org.asker is not None)
        asker = org.asker
        other = errors.names if asker is every.names else every.names
        asker.stop_naming()
        assert org.asker is other
        held.set()
        await wait_until(pilot, lambda: every.names.credentials and errors.names.credentials,
                         said=lambda: (every.names.credentials, errors.names.credentials))
        await settle(pilot)
        assert listings(server) == 1, server.state.request_log  # (the one stopped never went)
