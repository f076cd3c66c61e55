"""What the viewer asks the APIs besides logs spends the budget with care, against the demo
server: credential names are kept in the archive (a relaunch asks for none while they are fresh)
and asked at the backfill's priority; a connector listing the budget holds back neither takes the
keys typed meanwhile nor goes before a query's first page; a first page waiting for the budget
says for how long."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator

import pytest

from logview.api.budget import Priority
from logview.archive import Archive, identity_of
from logview.demo import DemoServer, DemoState
from logview.demo.data import CREDENTIALS
from logview.demo.state import Fault
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from logview.ui.screens.connector_picker import ConnectorPicker
from ui_helpers import (FAST, SIZE, connection, kept_toasts, make_app, picker_app, screen_text, settle, table_lines,
                        wait_until)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=300, supermetrics_entries=50, live_rate=0.0, seed=14)) as demo:
        yield demo


def names_requests(server: DemoServer) -> list[str]:
    return [path for _, path, _ in server.state.request_log
            if path.startswith("/v1/personal-connectors?") or path.startswith("/v1/personal-connectors/connections/")]


def listing_requests(server: DemoServer) -> list[str]:
    return [path for _, path, _ in server.state.request_log if path.endswith("/connector_builder/connectors")]


def archived_app(server: DemoServer, archive: Archive, **options) -> LogViewApp:
    viewer = ViewerOptions(filters=Filters(), connection=connection(server, "aitronos", page_limit=100), **options)
    return LogViewApp(viewer, policy=FAST, archive=archive)


async def shown_rows(app: LogViewApp) -> str:
    return "\n".join(table_lines(app))


async def test_a_relaunch_shows_the_kept_credential_names_without_asking_for_them(server, tmp_path) -> None:
    """Every launch spent 7 requests (of a 10-a-window budget, in a walk) on the same names."""
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Work Gmail" in await shown_rows(first)
        asked = len(names_requests(server))
        assert asked == 1 + len({c.tool_key for c in CREDENTIALS})  # the connectors, then one each

        again = archived_app(server, archive)
        async with again.run_test(size=SIZE) as pilot:
            await pilot.pause()
            rows = await shown_rows(again)
            assert "Work Gmail" in rows and "tcred_" not in rows  # at once, from the archive
            await settle(pilot)
        assert len(names_requests(server)) == asked  # none asked again


async def test_names_a_day_old_are_shown_and_asked_for_again(server, tmp_path) -> None:
    path = tmp_path / "archive.sqlite3"
    with Archive.open(path) as archive:
        first = archived_app(server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
        with sqlite3.connect(path) as db:  # (as if that launch was yesterday)
            db.execute("UPDATE names SET fetched_at = fetched_at - 25 * 3600")
        asked = len(names_requests(server))
        again = archived_app(server, archive)
        async with again.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "Work Gmail" in await shown_rows(again)  # stale names are still names meanwhile
            await settle(pilot)
        assert len(names_requests(server)) == 2 * asked
        kept = archive.kept_names(identity_of(again.viewer.source), "credentials")
        assert kept is not None and kept.age_s() < 60  # fresh again for the next launch


async def test_a_credential_the_kept_names_do_not_know_has_them_asked_again(server, tmp_path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
        identity = identity_of(first.viewer.source)
        kept = archive.kept_names(identity, "credentials")
        assert kept is not None
        archive.keep_names(identity, "credentials", [i for i in kept.items if i["display_name"] != "Work Gmail"])
        asked = len(names_requests(server))
        again = archived_app(server, archive)
        async with again.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Work Gmail" in await shown_rows(again)
        assert len(names_requests(server)) == 2 * asked


async def test_names_wait_for_the_tails_polls_when_the_budget_binds(tmp_path) -> None:
    """A relaunch sent its 7 names requests at the tail's priority, beside its first poll: the
    next poll came 5 s late on a 2 s interval (found in a walk, 10 requests per 5 s)."""
    state = DemoState(aitronos_entries=150, supermetrics_entries=0, live_rate=0.0, seed=3,
                      budget={"aitronos": "4/1"})
    path = tmp_path / "archive.sqlite3"
    with DemoServer(state) as demo, Archive.open(path) as archive:
        first = archived_app(demo, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
        with sqlite3.connect(path) as db:  # kept yesterday: asked again, while the tail polls
            db.execute("UPDATE names SET fetched_at = fetched_at - 25 * 3600")
        await asyncio.sleep(1.1)  # (a fresh window)
        demo.state.clear_request_log()
        # (a poll a second: a quarter of the budget, as in the walk; every 0.5 s, half of it, took
        # turns with the names whenever the windows' length was misjudged, after an idle one)
        again = archived_app(demo, archive, follow=True, interval_s=1.0)
        said = set()  # what the status line says waits
        async with again.run_test(size=SIZE) as pilot:
            def the_poll_after_the_names() -> bool:
                again.viewer.refresh_status()
                said.update(re.findall(r"· ([a-z ]+) waits?\b", screen_text(again).splitlines()[0]))
                log = [path for _, path, _ in demo.state.request_log]
                names = [i for i, path in enumerate(log) if path in names_requests(demo)]
                return len(names) == 7 and any("/logs?" in path for path in log[names[-1]:])

            await wait_until(pilot, the_poll_after_the_names, timeout=30, said=lambda: demo.state.request_log)
        answered = demo.state.answered.answers()
    assert demo.state.served("aitronos").throttled == 0
    log = [answer.path for answer in answered]
    names = [i for i, path in enumerate(log) if path in names_requests(demo)]
    polls = [i for i, path in enumerate(log) if "/logs?" in path and "end_date" not in path]
    assert len(names) == 7 and polls and polls[0] < names[0], log
    # while names were asked, the tail kept polling: no window of the server's went to names alone,
    # as at the tail's priority, where the tail's next poll waited for them all (4 s, two windows of
    # 3 names). Each request is put in the window the server counted it in (its remaining count, 3
    # down to 0, starts again), where "no 4 names in a row" in the log failed on a loaded machine
    # whose poll came late in a window: N N, then N N as the next one opened, a poll in each.
    kinds = ["N" if i in names else "P" if i in polls else "-" for i in range(len(log))]
    windows = [""]
    for i, answer in enumerate(answered):
        if i and answer.remaining >= answered[i - 1].remaining:
            windows.append("")
        windows[-1] += kinds[i]
    assert all("P" in window for window in windows if "N" in window), windows
    # what waits is named: an Aitronos viewer has no listing ("a listing waits" misled, found in a walk)
    assert said == {"credential names"}, said


async def wait_for_listing(app: LogViewApp, pilot) -> None:
    await wait_until(pilot, lambda: not app.viewer.names.listing, timeout=20)
    await pilot.pause()


def listing_waits_for_the_budget(app: LogViewApp) -> bool:
    """A `c` listing has been asked for and the budget holds it (a settled state: nothing is sent
    for the window's length), where a fixed pause guessed that it had got that far."""
    budget = app.viewer.feed.api.client.budget
    return app.viewer.names.listing and budget is not None and budget._waiters.any_of(Priority.FIRST)


async def test_a_late_listing_does_not_take_the_keys_typed_meanwhile_and_c_opens_it_at_once(server) -> None:
    """A listing the budget held back popped the picker up minutes after `c`: `G` and `Enter`
    typed meanwhile went to it, and Enter reads a connector (found in a walk)."""
    app = make_app(server, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        server.state.add_fault(Fault(kind="latency", delay=1.2, api="supermetrics"))
        said = kept_toasts(app)
        await pilot.press("c")
        await pilot.pause(0.3)
        await pilot.press("G", "enter")  # the oldest entry, and its detail
        await wait_for_listing(app, pilot)
        assert not isinstance(app.screen, ConnectorPicker)
        assert "The team's 2 connectors are listed: press c to choose." in said, said
        assert app.viewer.table.cursor_row == len(app.viewer.view) - 1 and app.viewer.detail.entry is not None
        listed = len(listing_requests(server))
        await pilot.press("escape", "c")
        await pilot.pause()
        assert isinstance(app.screen, ConnectorPicker)  # from the listing just made: no request
        assert len(listing_requests(server)) == listed
        await pilot.press("escape")


async def test_a_listing_later_than_a_moment_after_c_is_said_not_opened(server, monkeypatch) -> None:
    monkeypatch.setattr("logview.ui.connector_listing.LATE_AFTER_S", 0.4)
    app = make_app(server, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        server.state.add_fault(Fault(kind="latency", delay=0.8, api="supermetrics"))
        said = kept_toasts(app)
        await pilot.press("c")
        await wait_for_listing(app, pilot)
        assert not isinstance(app.screen, ConnectorPicker)
        assert any("press c to choose" in toast for toast in said), said


async def test_without_a_connector_a_late_listing_opens_the_picker_all_the_same(server, monkeypatch) -> None:
    monkeypatch.setattr("logview.ui.connector_listing.LATE_AFTER_S", 0.2)
    server.state.add_fault(Fault(kind="latency", delay=0.6, api="supermetrics"))
    app = picker_app(server)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")  # (a key while it comes: the picker is still the only thing to do)
        await wait_for_listing(app, pilot)
        assert isinstance(app.screen, ConnectorPicker)
        await pilot.press("escape")


@pytest.fixture
def one_request_an_hour() -> Iterator[DemoServer]:
    state = DemoState(aitronos_entries=0, supermetrics_entries=50, live_rate=0.0, seed=4,
                      budget={"supermetrics": "1/3600"})
    with DemoServer(state) as demo:
        yield demo


async def test_r_sends_the_querys_first_page_before_a_listing_the_budget_holds_back(one_request_an_hour) -> None:
    """`r` during a budget wait spent the last request on a `c` listing queued before it (found
    in a walk): the query's first page goes first, and the listing after it."""
    demo = one_request_an_hour
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # one page: the hour's request is spent
        await pilot.press("c")
        await wait_until(pilot, lambda: listing_waits_for_the_budget(app))
        assert app.viewer.names.listing and not listing_requests(demo)
        await pilot.press("r")
        await wait_until(pilot, lambda: len(demo.state.request_log) > 1, said=lambda: demo.state.request_log)
        log = [path for _, path, _ in demo.state.request_log]
        assert len(log) == 2 and log[1].startswith(log[0].split("?")[0]), log  # the page, not the listing
        assert not isinstance(app.screen, ConnectorPicker)
        assert app.viewer.names.listing  # (still coming, after the query)


async def test_a_first_page_waiting_for_the_budget_says_how_long(one_request_an_hour) -> None:
    """The table said "Loading …" for an hour's wait (found in a walk)."""
    app = picker_app(one_request_an_hour)  # the listing spends the hour's request
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # EMPTY1: its first page waits for the next hour

        def said_to_wait() -> bool:
            app.viewer.tick()
            return "Waiting for the API's budget" in "\n".join(table_lines(app))

        await wait_until(pilot, said_to_wait, said=lambda: table_lines(app))
        rows = await shown_rows(app)
        assert "Waiting for the API's budget: the first page goes in ~59m" in rows, rows
        assert "(r sends it now)" in rows and "Loading" not in rows  # (nothing failed: no "retries")


async def test_a_new_querys_first_page_spends_the_last_request_at_once() -> None:
    """As in the walk: one request of three left, spread over Supermetrics' hour. The first page
    of the connector just chosen waited ~an hour ("API budget 1/3" beside "the first page goes in
    ~58m 50s"); it takes the window's last request at once."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=50, live_rate=0.0, seed=4,
                      budget={"supermetrics": "3/3600"})
    with DemoServer(state) as demo:
        app = picker_app(demo)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # DEMO01: one page
            await settle(pilot)
            await pilot.press("c")  # (the list made at launch: no request)
            await pilot.pause()
            await pilot.press("down", "enter")  # EMPTY1
            await settle(pilot)
            app.viewer.tick()
            await pilot.pause()
            rows = await shown_rows(app)
        assert len(demo.state.request_log) == 3, demo.state.request_log
        assert demo.state.request_log[-1][1].split("?")[0].endswith("/logs")
    assert "Waiting for the API's budget" not in rows, rows
    assert "No entries: the server has none for connector EMPTY1" in rows, rows


async def test_a_listing_that_waits_during_loading_is_said_on_the_status_line() -> None:
    """Found in a walk: while loading, a `c` listing the budget held back was said only by a 4 s
    toast; the line said "backfill waits". Two requests an hour: two pages spend them."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=3000, live_rate=0.0, seed=4,
                      budget={"supermetrics": "2/3600"})
    with DemoServer(state) as demo:
        app = make_app(demo, "supermetrics", page_limit=100)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: len(demo.state.request_log) == 2, said=lambda: demo.state.request_log)
            await pilot.press("c")

            def status_line() -> str:
                app.viewer.refresh_status()
                return screen_text(app).splitlines()[0]

            # (the second page's rows posted, `POST_ENTRIES_EVERY_S` after it came: a loaded CI read "page 2" before)
            await wait_until(pilot, lambda: listing_waits_for_the_budget(app) and "loading page 3 ·" in status_line(),
                             said=status_line)
            line = status_line()
            assert app.viewer.names.listing and not listing_requests(demo)
    # (and when the backfill goes on, at the reset the budget assumes: in fewer words where the line has no room)
    assert re.search(r"◌ loading page 3 · \d+ so far · API budget 0/2 · reset time unknown · "
                     r"(backfill and a listing wait|a listing waits) · next page ~60m …", line), line
