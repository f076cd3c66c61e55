"""Asking the APIs for names: the connector picker when no connector was given, and credential
names instead of `tcred_…` ids, against the demo server."""

from __future__ import annotations

import re

import pytest

from logview.demo import DEMO_EMPTY_CONNECTOR, DemoServer
from logview.demo.data import CREDENTIALS, SUPERMETRICS_CONNECTORS
from logview.demo.state import Fault
from logview.ui.screens.connector_picker import ConnectorPicker
from ui_helpers import (SIZE, calls_to, detail_text, hold_requests, kept_toasts, make_app, picker_app, screen_text,
                        settle, table_lines, toast_said, wait_until, widget_text)


async def test_a_team_of_one_connector_is_said_so(demo: DemoServer, monkeypatch) -> None:
    """Found in a walk: against a server listing one connector, the empty table read "Choose one of team 1's 1
    connectors."; a listing that came late said "The team's 1 connectors are listed"."""
    from logview.demo import app as demo_app

    monkeypatch.setattr(demo_app, "SUPERMETRICS_CONNECTORS", SUPERMETRICS_CONNECTORS[:1])  # (the server's listing)
    app = picker_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker)
        assert "Choose team 1's connector." in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        said = kept_toasts(app)
        monkeypatch.setattr("logview.ui.connector_listing.KEPT_FOR_S", 0.0)  # (listed again, late: said, not opened)
        monkeypatch.setattr("logview.ui.connector_listing.LATE_AFTER_S", 0.0)
        await pilot.press("c")
        await toast_said(pilot, said, "listed: press c to choose")
        assert "The team's connector is listed: press c to choose." in said, said


async def test_without_a_connector_the_picker_lists_the_teams_and_enter_reads_one(demo: DemoServer) -> None:
    app = picker_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker)
        text = screen_text(app)
        assert "Connectors of team 1" in text and "Demo Ads API" in text and "DEMO01" in text
        assert "Draft CRM connector" in text and "EMPTY1" in text
        assert len(app.viewer.store) == 0  # nothing is read before a connector is chosen
        assert "Choose one of team 1's 2 connectors." in text  # (behind the picker: no more "Listing …")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ConnectorPicker)
        assert app.viewer.source.connector_id == "DEMO01" and len(app.viewer.view) == len(demo.state.supermetrics_logs)
        assert "team 1 / DEMO01" in screen_text(app)
        await pilot.press("c")  # another connector
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.viewer.source.connector_id == DEMO_EMPTY_CONNECTOR and len(app.viewer.view) == 0
        assert "team 1 / EMPTY1" in screen_text(app) and "No entries" in "\n".join(table_lines(app))


async def test_the_launch_notes_are_said_once_the_chosen_connector_loads_not_over_the_picker(demo: DemoServer) -> None:
    """s28 (left from the s27 walk): under archive_max_age, "Loading the last 1 day …" was said at once, over the
    picker's last lines at 80×24, before anything loaded; it is said once the chosen connector's load starts."""
    note = "Loading the last 1 day: the config's archive_max_age keeps nothing older. d changes the time range."
    app = picker_app(demo, notes=(note,))
    said = kept_toasts(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:  # (toasts drawn, as a user sees them)
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker) and "Loading the last" not in screen_text(app)
        # (a listing slower than a moment says "Listing the team's connectors …": a loaded machine's was, s30)
        assert note not in said and len(app.viewer.store) == 0, said
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Loading the last 1 day" in screen_text(app), said=lambda: screen_text(app))
        assert app.viewer.source.connector_id == "DEMO01" and said.count(note) == 1, said
        await pilot.press("c")  # (another connector: said once a launch)
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.viewer.source.connector_id == DEMO_EMPTY_CONNECTOR and said.count(note) == 1, said


@pytest.mark.parametrize("label", ["profile smc", "demo data (supermetrics)"])
async def test_a_profile_keeps_its_name_in_the_header_once_a_connector_is_picked(demo: DemoServer, label: str) -> None:
    """... and the demo its "demo data" (s23 walk #13: retitled "supermetrics team 1 / EMPTY1")."""
    app = picker_app(demo, label=label)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert f"{label} · {DEMO_EMPTY_CONNECTOR}" in screen_text(app).splitlines()[0]


async def test_escape_leaves_nothing_loaded_and_says_how_to_choose(demo: DemoServer) -> None:
    app = picker_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert "press c to choose" in "\n".join(table_lines(app)) and len(app.viewer.store) == 0
        await pilot.press("r")  # r asks again, like c
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker)


async def test_a_failed_listing_is_shown_and_r_asks_again(fresh_demo: DemoServer) -> None:
    fresh_demo.state.add_fault(Fault("status", status=503, count=6, api="supermetrics"))
    app = picker_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "listing the team's connectors" in text and "503" in text and "r or c asks again" in text
        assert not isinstance(app.screen, ConnectorPicker)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker)


async def test_a_listing_retried_after_a_429_counts_down_and_says_why(fresh_demo: DemoServer, monkeypatch) -> None:
    """Found in a walk: a listing refused with a 429 waited its minute behind "‖ choose a connector"
    and "Listing the team's connectors…", with no cause and no countdown; the loading of logs
    says "⟳ 429 rate limited · retrying in N s", and so does the listing now."""
    # (a 6 s wait: with 3 s, a loaded machine's toast, due 1 s into the listing, came after the
    # retry had listed them, and so never; and at load 15 the look 1 s in came before the 429 was
    # taken: "Listing the team's connectors …", rightly. The look is made here once it is taken, the
    # toasts kept as they are said, not read while up)
    monkeypatch.setattr("logview.ui.names.LISTING_SAID_AFTER_S", 60.0)
    fresh_demo.state.add_fault(Fault("status", status=429, retry_after="6", api="supermetrics"))
    app = picker_app(fresh_demo)
    toasts = kept_toasts(app)  # (the toast names the same cause, not the budget's pace)
    async with app.run_test(size=SIZE) as pilot:
        cause = "Listing the team's connectors … — the API asked to wait (429)"
        await wait_until(pilot, lambda: "retrying in" in app.viewer.banner.plain(), said=app.viewer.banner.plain)
        app.viewer.names._still_listing()  # (the look LISTING_SAID_AFTER_S after c)
        await wait_until(pilot, lambda: cause in toasts, timeout=20, said=lambda: toasts)
        header = r"⟳ 429 rate limited · retrying in [1-5] s"
        banner = r"⟳ listing the team's connectors: rate limited — retrying in [1-5] s, attempt 2/6"

        def counted_down() -> str:
            app.viewer.refresh_status()
            return screen_text(app)

        await wait_until(pilot, lambda: re.search(header, counted_down().splitlines()[0])
                         and re.search(banner, counted_down()), timeout=20, said=counted_down)
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectorPicker), timeout=20, said=counted_down)
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker)
        await pilot.press("escape")
        await pilot.pause()
        text = screen_text(app)
        assert "rate limited" not in text and "choose a connector (c)" in text.splitlines()[0], text


async def test_r_cuts_a_listings_retry_wait_short_and_esc_stops_it(fresh_demo: DemoServer) -> None:
    """The listing's banner says "Esc cancels the wait · r retries now": both do as they say."""
    fresh_demo.state.add_fault(Fault("status", status=429, retry_after="30", api="supermetrics"))
    app = picker_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:  # (waits, not pauses: a loaded machine is slower to the 429)
        await wait_until(pilot, lambda: "retrying in" in screen_text(app))
        assert not isinstance(app.screen, ConnectorPicker)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectorPicker))
        assert "rate limited" not in screen_text(app)

    fresh_demo.state.add_fault(Fault("status", status=429, retry_after="30", api="supermetrics"))
    app = picker_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "retrying in" in screen_text(app))
        await pilot.press("escape")
        cancelled = "Retry cancelled: the team's connectors were not listed. Press c to list them."
        await wait_until(pilot, lambda: cancelled in screen_text(app))
        assert "press c to choose" in "\n".join(table_lines(app)) and not app.viewer.names.listing
        await pilot.press("c")  # (the 429's wait still runs: the listing waits for it, and says so)
        await wait_until(pilot, lambda: "Listing the team's connectors…" in "\n".join(table_lines(app)))
        assert app.viewer.names.listing


async def test_credentials_are_shown_by_name(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = {c.id: c.display_name for c in CREDENTIALS}
        first = demo.state.aitronos_logs[0]
        rows = "\n".join(table_lines(app))
        assert names[first["credential_id"]] in rows and "tcred_" not in rows
        await pilot.press("enter")
        await pilot.pause()
        detail = detail_text(app)
        credential = next(c for c in CREDENTIALS if c.id == first["credential_id"])
        assert first["credential_id"] in detail  # the id itself stays visible in the detail
        assert f"{credential.display_name} · {credential.account_email}" in detail
        options = [str(prompt) for prompt, _ in app.viewer.sidebar.query_one("#facet")._options]
        assert "Work Gmail" in " ".join(options)
        await pilot.press("escape", "i", "right")  # stats grouped by credential: names too
        await settle(pilot)
        from ui_helpers import widget_text

        assert "Work Gmail" in widget_text(app.viewer.stats)


async def test_without_names_the_ids_are_shown_and_the_user_told(fresh_demo: DemoServer) -> None:
    fresh_demo.state.directory_forbidden = True
    app = make_app(fresh_demo)
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.viewer.view) == len(fresh_demo.state.aitronos_logs)
        assert "tcred_" in "\n".join(table_lines(app))
        await toast_said(pilot, said, "Credential names are not available (HTTP 403")


async def test_without_a_connector_the_status_line_asks_for_one_and_r_and_t_answer(demo: DemoServer) -> None:
    app = picker_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker)
        status = widget_text(app.viewer.status_bar)
        assert "choose a connector (c)" in status and "loading" not in status
        await pilot.press("escape")
        await settle(pilot)
        assert "choose a connector (c)" in widget_text(app.viewer.status_bar)
        said = kept_toasts(app)
        await pilot.press("t")  # nothing to tail yet: said, not silently ignored
        await pilot.pause()
        assert any("Choose a connector first" in toast for toast in said), said
        assert "live" not in widget_text(app.viewer.status_bar)
        await pilot.press("r")  # r asks for the connector again
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker)


async def test_c_says_the_listing_is_under_way_when_it_takes_a_while(fresh_demo: DemoServer, monkeypatch) -> None:
    """`c` while the listing waits (for the API's budget, say) showed nothing for minutes, then
    the picker popped up by itself (found in a walk)."""
    # (and within LATE_AFTER_S, with no key since: the user still waits for it. Its 2 s left a
    # listing 1.5 s late 0.3 s past the look at 1.2 s, which a loaded machine's pause can overshoot)
    monkeypatch.setattr("logview.ui.connector_listing.LATE_AFTER_S", 10.0)
    app = make_app(fresh_demo, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # (the listing held until it has been said; a server's 3 s latency let a loaded machine's pause overshoot it)
        release = hold_requests(monkeypatch, lambda path, _: path.endswith("/connector_builder/connectors"))
        said = kept_toasts(app)
        await pilot.press("c")
        await toast_said(pilot, said, "Listing the team's connectors …")
        assert not isinstance(app.screen, ConnectorPicker)
        release.set()
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectorPicker), timeout=20)  # (then it comes, as asked)
        await pilot.press("escape")


async def test_c_says_nothing_more_when_the_list_comes_at_once(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        looked = calls_to(app.viewer.names, "_still_listing")  # (its look LISTING_SAID_AFTER_S later: made, not guessed)
        said = kept_toasts(app)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectorPicker) and looked() == 1)
        assert isinstance(app.screen, ConnectorPicker) and not said, said
        await pilot.press("escape")
