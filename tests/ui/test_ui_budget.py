"""The API's request budget on the status line: shown when it binds (what remains, when it resets,
that the backfill waits, when the backfill will be done), and never a 429 from a paced backfill."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from logview.demo import DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DemoServer, DemoState
from logview.demo.state import Fault
from logview.model import Filters
from logview.options import Connection, ViewerOptions
from logview.sources import SupermetricsSource
from logview.ui.app import LogViewApp
from logview.ui.widgets.status_bar import StatusBar
from ui_helpers import FAST, SIZE, connection, make_app, screen_text, settle, wait_until


@pytest.fixture
def metered() -> Iterator[DemoServer]:
    state = DemoState(aitronos_entries=1000, supermetrics_entries=0, live_rate=0.0, seed=21,
                      budget={"aitronos": "4/1.5"})
    with DemoServer(state) as server:
        yield server


async def status_lines_while_loading(app, pilot) -> list[str]:
    """The status line every 0.1 s until the backfill is complete, then settled; the budget's lines."""
    seen: list[str] = []
    for _ in range(80):
        await pilot.pause(0.1)
        app.viewer.refresh_status()
        line = screen_text(app).splitlines()[0]
        if "budget " in line:
            seen.append(line)
        if app.viewer.session.phase == "complete":
            break
    await settle(pilot)
    assert len(app.viewer.store) == 1000
    return seen


async def test_the_status_line_shows_the_budget_while_it_holds_the_backfill_back(metered) -> None:
    app = make_app(metered, page_limit=100)
    async with app.run_test(size=SIZE) as pilot:
        seen = await status_lines_while_loading(app, pilot)
        final = screen_text(app).splitlines()[0]
    assert seen, "the budget never showed while it held the backfill back"
    assert any("backfill waits" in line and "/4" in line for line in seen)
    assert any("done in ~" in line for line in seen)  # Aitronos counts its entries: an estimate
    assert "API budget" not in final  # once nothing waits, it is not in the way
    assert metered.state.served("aitronos").throttled == 0


async def test_a_backfill_begun_mid_window_never_estimates_from_the_published_window(metered) -> None:
    """Found in a tmux walk: launched while another client had spent part of a 10-per-5-s window,
    the status line said "done in ~5m 02s" for a backfill done in 20 s (Aitronos publishes 100 a
    minute, and a minute's window was assumed until the server's showed itself)."""
    for _ in range(2):  # someone else's requests, with the same key: this window is half spent
        httpx.get(f"{metered.url}/v1/personal-connectors/logs", headers={"X-API-Key": DEMO_AITRONOS_KEY},
                  params={"organization_id": DEMO_ORG, "limit": 1}).raise_for_status()
    app = make_app(metered, page_limit=100)
    async with app.run_test(size=SIZE) as pilot:
        seen = await status_lines_while_loading(app, pilot)
    estimates = [int(found[1] or 0) * 60 + int(found[2]) for line in seen
                 if (found := re.search(r"done in ~(?:(\d+)m )?(\d+) ?s", line))]
    # 10 pages at 4 requests every 1.5 s: a few seconds; a minute's window would say minutes
    assert estimates and max(estimates) <= 15, estimates
    assert metered.state.served("aitronos").throttled == 0


async def test_a_narrow_status_line_says_the_budget_in_fewer_words(metered) -> None:
    """At 80 columns the long form ("loading page 4 · 300 of 1,000 (30%) · API budget 0/4 · resets
    in 2 s · backfill waits · done in ~3 s …") lost the budget to the ellipsis: why loading is slow."""
    app = make_app(metered, page_limit=100)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = await status_lines_while_loading(app, pilot)
    assert seen, "the budget never showed on a narrow line while it held the backfill back"
    assert all(re.search(r"◌ \d+% · budget \d/4 · resets \d s", line) for line in seen), seen
    assert any("done in ~" in line for line in seen), seen


async def test_a_tail_the_budget_holds_back_says_when_it_polls_next() -> None:
    """Found in a walk: "● live" beside a loading that Supermetrics' hourly pace held, while the
    tail sent nothing for minutes. Three requests an hour: the first page and one poll spend two,
    and the last is the tail's reserve, paced over the hour: the marker says when it goes."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=3000, live_rate=0.0, seed=21,
                      budget={"supermetrics": "3/3600"})
    with DemoServer(state) as server:
        app = make_app(server, "supermetrics", follow=True, interval_s=2.0, page_limit=100)
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(300):  # (the wait it says lasts the hour: a loaded machine may take seconds to get there)
                await pilot.pause(0.1)
                app.viewer.refresh_status()
                line = screen_text(app).splitlines()[0]
                if "next poll in" in line:
                    break
            # (which of the two the second request went to is a race: on a loaded machine the backfill's
            # page 2 can go before the tail's first poll, "◌ loading page 3 · 193 so far · shared with the tail")
            assert re.search(r"◌ loading page [23] · 1?\d\d so far .*● live · next poll in ~(59|60)m", line), line
            assert server.state.served("supermetrics").throttled == 0


@pytest.mark.parametrize("width", [120, 80])
async def test_a_tail_the_budget_holds_back_says_when_at_120_and_80_columns(width) -> None:
    """Found in a walk: at 120 columns "● live · next poll in ~8m 27s" pushed `shown` off the line
    for the whole wait (minutes), and at 80 the time itself was cut ("next poll in …"). The label
    is the CLI's for a connector, as long as a Supermetrics one gets."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=3000, live_rate=0.0, seed=21,
                      budget={"supermetrics": "10/3600"})
    with DemoServer(state) as server:
        source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=server.url, page_limit=500)
        label = f"supermetrics team {DEMO_TEAM} / {DEMO_CONNECTOR}"
        options = ViewerOptions(filters=Filters(), connection=Connection(source, DEMO_SUPERMETRICS_KEY, label),
                                follow=True, interval_s=2.0)
        app = LogViewApp(options, policy=FAST)
        async with app.run_test(size=(width, 24)) as pilot:
            for _ in range(300):  # (as above: the poll's wait, once said, lasts minutes)
                await pilot.pause(0.1)
                app.viewer.refresh_status()
                line = screen_text(app).splitlines()[0]
                if "poll" in line and "~" in line.partition("poll")[2]:
                    break
            # (in full where `shown` has room beside it: the countdown is said between polls too, s23 walk #12)
            assert re.search(r"● (live · )?(next )?poll (in )?~\d+m \d\ds", line), line
            assert re.search(r"shown [1-9]", line) or width < 120, line  # (at 80, when it polls before the count)


@pytest.mark.parametrize("retry_after", [None, "-5", "abc"])
async def test_a_429_without_a_usable_retry_after_counts_down_to_the_reset(retry_after) -> None:
    """An Aitronos 429 whose Retry-After is missing (or `-5`, `abc`) still says when its window
    resets, and the request waits for it: the banner said 'retrying now' all that time (s17 M1)."""
    state = DemoState(aitronos_entries=1000, supermetrics_entries=0, live_rate=0.0, seed=23,
                      budget={"aitronos": "1000/40"})
    state.add_fault(Fault(kind="latency", delay=0.0, count=2, api="aitronos"))  # pages 1-2 clean
    state.add_fault(Fault(kind="status", status=429, retry_after=retry_after, api="aitronos"))
    with DemoServer(state) as server:
        app = make_app(server, page_limit=100)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: "rate limited" in app.viewer.banner.plain(), timeout=20,
                             said=app.viewer.banner.plain)
            await pilot.pause(1.2)  # (a backoff's second has gone by: what it said then is what is asserted)
            text = app.viewer.banner.plain()
            assert "retrying now" not in text
            assert (found := re.search(r"retrying in (\d+) s", text)) and int(found.group(1)) >= 20, text
            assert len(app.viewer.store) == 200


async def header_once_the_poll_waits(entries: int, page_limit: int, width: int, loading: bool,
                                     settled: Callable[[str], bool] = lambda line: True) -> str:
    """The header of a tail beside a profile's label, once the budget (3 a minute) holds its poll
    back (`loading`: while the backfill still loads; else once it is all loaded) and the header
    is `settled` (on a loaded machine the poll's wait can be said a frame before the budget is)."""
    state = DemoState(aitronos_entries=entries, supermetrics_entries=0, live_rate=0.0, seed=21,
                      budget={"aitronos": "3/60"})
    with DemoServer(state) as server:
        chosen = connection(server, "aitronos", page_limit=page_limit)
        chosen.label = "profile production-eu-west-1"
        app = LogViewApp(ViewerOptions(filters=Filters(), connection=chosen, follow=True, interval_s=2.0),
                         policy=FAST)
        async with app.run_test(size=(width, 24)) as pilot:
            bar = app.viewer.query_one(StatusBar)
            for _ in range(150):
                await pilot.pause(0.1)
                app.viewer.refresh_status()
                said = "" if bar.info is None else bar.info.tail if loading else bar.info.state_text
                if said.startswith("live · next poll in ~") and settled(line := screen_text(app).splitlines()[0]):
                    return line
            pytest.fail(f"the budget never held the poll back, or the header never said so: "
                        f"{screen_text(app).splitlines()[0]}")


@pytest.mark.parametrize("width", [160, 120, 80])
async def test_a_live_tail_the_budget_binds_keeps_every_count_in_view(width) -> None:
    """s17 K3: at 160 columns "● live · next poll in ~35 s · API budget 0/3 · resets in 35 s ·
    credential names wait" pushed `total` off the header (a profile's label beside it); the
    budget is said in fewer words before a count goes. At 80, `shown` and the budget stay."""
    line = await header_once_the_poll_waits(150, 200, width, loading=False)
    assert re.search(r"● live · .*budget \d/3 · resets (in )?\d+ s", line), line
    assert "next poll in ~" in line or width < 160, line
    counts = "shown 150   loaded 150   total 150" if width >= 120 else "shown 150"
    assert counts in line and not line.rstrip().endswith("…"), line


@pytest.mark.parametrize("width", [160, 120])
async def test_a_loading_the_budget_paces_keeps_its_count_of_the_total_and_shown(width) -> None:
    """Found by hand (s17 K3): a profile's label and "● live · next poll in ~33 s" beside it, at
    160 columns the loading said "◌ 5% · budget 1/3 · …" where "loading page 3 · 200 of 3,004
    (6%) · …" fitted with the poll in fewer words ("poll ~33 s"): the total was said nowhere on
    the line; at 120 the label took the place of `shown`."""
    # (the tail every 2 s would take more than half of 3 a minute: the two take turns, and the line
    # says so, s18 W1, in the budget's count's place when the line is short of room)
    loading_said = re.compile(r"◌ loading page \d+ · [\d,]+ of 1,000 \(\d+%\) · .*(budget \d/3|shared with the tail)")
    line = await header_once_the_poll_waits(1000, 100, width, loading=True,
                                            settled=lambda line: width < 160 or bool(loading_said.search(line)))
    assert loading_said.search(line) or width < 160, line
    assert re.search(r"● (live · )?(next )?poll (in )?~\d+ s", line) and "shown " in line, line


async def test_a_server_whose_count_never_falls_is_paced_at_its_limit_and_the_line_says_so() -> None:
    """s20: the demo without a budget advertises 100 a minute, all of it remaining whatever is sent;
    the line said "budget 99/100 · backfill paced" while the backfill went ~5 times that. Now it
    goes at the limit (the window's burst, then the rest spread) and the line says that pace."""
    # (the demo advertises a window of the wall clock's minute: a look across a new one's start counted
    # its fresh burst as the pace, 30 in 4 s, failing a full run; the look is made early in a minute)
    if (left_s := 60 - time.time() % 60) < 30:
        await asyncio.sleep(left_s + 0.1)
    state = DemoState(aitronos_entries=20_000, supermetrics_entries=0, live_rate=0.0, seed=4)
    with DemoServer(state) as server:
        app = make_app(server, page_limit=100)
        async with app.run_test(size=SIZE) as pilot:
            def line() -> str:
                app.viewer.refresh_status()
                return screen_text(app).splitlines()[0]

            await wait_until(pilot, lambda: re.search(r"API budget \d+/100 · 100/min", line()) is not None)
            said = line()
            assert "paced" not in said and "resets" not in said and "waits" not in said, said
            sent = server.state.served("aitronos").requests
            await pilot.pause(4.0)
            # (at most the pace's 1.25 a second: at ~5 times the limit, 30 would have gone)
            assert server.state.served("aitronos").requests - sent <= 7
            assert app.viewer.session.phase == "loading"


@pytest.mark.parametrize("width", [80, 100])
async def test_a_load_the_budget_holds_keeps_shown_at_80_columns(width) -> None:
    """Found in a walk (s21 #14): at 80 columns a Supermetrics load waiting for its budget said
    "◌ page 4 · budget 7/10 · resets ~60 min · next page ~8m 29s …" and no count; at 100 `shown`
    was there, and a file's read keeps it at 80 (s20 #9). The reset's time goes before `shown`."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=2000, live_rate=0.0, seed=21,
                      budget={"supermetrics": "3/60"})
    with DemoServer(state) as server:
        app = make_app(server, "supermetrics", page_limit=100)
        async with app.run_test(size=(width, 24)) as pilot:
            for _ in range(150):
                await pilot.pause(0.1)
                app.viewer.refresh_status()
                line = screen_text(app).splitlines()[0]
                if "budget" in line and "next page ~" in line:
                    break
            else:
                pytest.fail(f"the budget never held the load back, or the header never said so: {line}")
            shown = f"shown {len(app.viewer.view):,}"
            assert re.search(r"◌ (loading )?page \d+ · .*budget \d/3", line) and shown in line, line
