"""The request budget over real HTTP, against the demo server enforcing a budget on a compressed
window (10 requests a second per key): a paced backfill meets no 429 and takes about the floor
time (pages ÷ rate), a tail sharing the budget with a backfill is not starved, clients with the
same key share one budget, and different keys do not slow each other."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from logview import cli
from logview.api.budget import Budget
from logview.api.budgets import budget_for
from logview.api.client import ApiClient, RetryPolicy
from logview.api.paging import EntriesLoaded, Pager
from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DEMO_CONNECTOR
from logview.demo import DemoServer, DemoState, Served
from logview.demo.state import Fault
from logview.model import ApiFailure, ServerQuery
from logview.options import Connection
from logview.sources import AitronosSource, SupermetricsSource

from support import FAST_RETRIES

BUDGET = "10/1"  # per key: the floor of N requests is N / 10 seconds
PAGE = 10


def aitronos_connection(server: DemoServer) -> tuple[AitronosSource, Connection]:
    source = AitronosSource(DEMO_ORG, base_url=server.url, page_limit=PAGE)
    return source, Connection(source, DEMO_AITRONOS_KEY, "test")


async def backfill(source, client, max_entries: int | None = None) -> list:
    entries = []
    async for event in Pager(source, client, max_entries=max_entries).backfill():
        if isinstance(event, EntriesLoaded):
            entries.extend(event.entries)
    return entries


@pytest.fixture
def enforcing():
    """195 Aitronos entries: 20 pages of 10, under an enforced budget of 10 a second."""
    with DemoServer(DemoState(aitronos_entries=195, supermetrics_entries=300, live_rate=0.0,
                              budget={"aitronos": BUDGET})) as server:
        yield server


async def test_a_paced_backfill_meets_no_429_in_about_the_floor_time(enforcing):
    source, connection = aitronos_connection(enforcing)
    started = time.monotonic()
    async with connection.client(policy=FAST_RETRIES) as client:
        entries = await backfill(source, client)
        state = client.budget.state()
    elapsed = time.monotonic() - started
    assert len(entries) == 195
    assert enforcing.state.served("aitronos") == Served(requests=20, throttled=0)
    floor = 20 / 10
    assert floor / 2 <= elapsed <= floor * 2.5  # the second ten needed the second window; no stall
    assert (state.limit, state.known, state.reset_known) == (10, True, True)


async def test_a_backfill_that_fits_in_what_the_window_has_left_is_not_spread():
    """Found in a walk: the demo (Aitronos' published 100 a minute) took ~45 s to load its 5,000
    entries, "backfill waits" beside "API budget 74/100", though the 25 pages left fitted in what
    the window had. Aitronos counts its entries, so the pager tells the budget what it still
    needs; what fits goes at once (a sliding window counts it the same), the rest is paced."""
    with DemoServer(DemoState(aitronos_entries=5000, supermetrics_entries=0, live_rate=0.0,
                              budget={"aitronos": "100/60"})) as server:
        source = AitronosSource(DEMO_ORG, base_url=server.url, page_limit=100)
        started = time.monotonic()
        async with Connection(source, DEMO_AITRONOS_KEY, "test").client(policy=FAST_RETRIES) as client:
            entries = await backfill(source, client)
        elapsed = time.monotonic() - started
        assert len(entries) == 5000
        assert server.state.served("aitronos") == Served(requests=50, throttled=0)
    assert elapsed < 8  # 50 requests of the 100; paced, 25 at once and the rest spread: ~20 s


async def test_the_same_backfill_without_a_budget_meets_429s(enforcing):
    """What the budget saves: an unpaced client fires at once, is refused and waits."""
    source = AitronosSource(DEMO_ORG, base_url=enforcing.url, page_limit=PAGE)
    async with ApiClient(source.base_url, source.auth_headers(DEMO_AITRONOS_KEY), policy=FAST_RETRIES) as client:
        assert len(await backfill(source, client)) == 195
    assert enforcing.state.served("aitronos").throttled > 0


async def test_a_tail_during_a_backfill_sharing_its_budget_is_not_starved(enforcing):
    """As in the viewer: one pager backfills 20 pages (2 s at the budget's rate) and tails at once;
    an entry arrives every 0.4 s."""
    interval = 0.5
    inserted: dict[str, float] = {}
    seen: dict[str, float] = {}
    backfilled: list = []
    first_page = asyncio.Event()
    source, connection = aitronos_connection(enforcing)
    async with connection.client(policy=FAST_RETRIES) as client:
        pager = Pager(source, client)

        async def load() -> None:
            async for event in pager.backfill():
                if isinstance(event, EntriesLoaded):
                    backfilled.extend(event.entries)
                    first_page.set()

        async def tail() -> None:
            async for event in pager.follow(interval):
                if isinstance(event, EntriesLoaded) and event.live:
                    for entry in event.entries:
                        seen.setdefault(entry.id, time.monotonic())

        loading = asyncio.ensure_future(load())
        await first_page.wait()
        following = asyncio.ensure_future(tail())
        while not loading.done():
            for entry in enforcing.state.insert_aitronos(1):
                inserted[entry["id"]] = time.monotonic()
            await asyncio.sleep(0.4)
        await loading
        await asyncio.sleep(interval + 1.0)  # the last insert's poll
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
    assert enforcing.state.served("aitronos").throttled == 0
    assert len(backfilled) >= 195
    assert len(inserted) >= 4 and set(inserted) <= set(seen)
    lags = [seen[entry_id] - at for entry_id, at in inserted.items()]
    assert max(lags) <= interval + 1.0  # every live entry within the interval + 1 s, backfill or not


async def test_a_tail_polling_faster_than_the_budget_takes_turns_with_the_backfill():
    """Found in a walk: a tail that would need more than the whole budget (every 2 s against
    Supermetrics' 40 an hour) took every request past the first burst, and the backfill stood still
    for as long as the tail ran. The same on a compressed window: 30 requests in 3 s, a tail
    polling every 0.05 s (60 a window). The backfill gets about half of each window."""
    with DemoServer(DemoState(aitronos_entries=1000, supermetrics_entries=0, live_rate=0.0,
                              budget={"aitronos": "30/3"})) as server:
        source, connection = aitronos_connection(server)
        pages = 0
        async with connection.client(policy=FAST_RETRIES) as client:
            pager = Pager(source, client)

            async def load() -> None:
                nonlocal pages
                async for event in pager.backfill():
                    pages += isinstance(event, EntriesLoaded)

            async def tail() -> None:
                async for _ in pager.follow(0.05):
                    pass

            loading = asyncio.ensure_future(load())
            following = asyncio.ensure_future(tail())
            halves = []
            for _ in range(75):  # two windows and more (the first answer tells the window)
                await asyncio.sleep(0.1)
                halves.append(client.budget.state().tail_halves)
            for task in (loading, following):
                task.cancel()
            await asyncio.gather(loading, following, return_exceptions=True)
        served = server.state.served("aitronos")
    assert served.throttled == 0
    assert sum(halves) >= len(halves) / 2  # (from the first answer, which tells the window)
    # (without turns: 13 of 81, little more than the first burst; with them 40 of 80)
    assert pages >= 0.4 * served.requests and served.requests - pages >= 0.3 * served.requests, (pages, served)


async def test_two_clients_with_one_key_share_one_budget(enforcing):
    source, connection = aitronos_connection(enforcing)
    started = time.monotonic()
    async with connection.client(policy=FAST_RETRIES) as one, connection.client(policy=FAST_RETRIES) as two:
        assert one.budget is two.budget
        first, second = await asyncio.gather(backfill(source, one, 95), backfill(source, two, 95))
    elapsed = time.monotonic() - started
    assert len(first) == len(second) == 95
    assert enforcing.state.served("aitronos") == Served(requests=20, throttled=0)
    assert elapsed >= 1.0  # twenty requests needed a second window: they were paced, not fired


async def test_two_processes_on_one_key_meet_no_429():
    """Two logviews on one key (each with its own budget, as two processes have), each loading and
    tailing: found in a walk meeting a 429 every few seconds, as each trusted the last count it
    had seen although the other had spent since. (Windows of 2 s: the demo's Reset is rounded up
    to whole seconds, which a 1 s window would make half noise.)"""
    with DemoServer(DemoState(aitronos_entries=95, supermetrics_entries=0, live_rate=0.0,
                              budget={"aitronos": "10/2"})) as server:
        await _two_viewers_tailing(server)
        assert server.state.served("aitronos").throttled == 0


async def _two_viewers_tailing(server: DemoServer) -> None:
    source = AitronosSource(DEMO_ORG, base_url=server.url, page_limit=PAGE)
    loaded: list[int] = []

    async def viewer(delay: float) -> None:
        await asyncio.sleep(delay)
        async with ApiClient(source.base_url, source.auth_headers(DEMO_AITRONOS_KEY), policy=FAST_RETRIES,
                             budget=Budget("aitronos", host="one process")) as client:
            pager = Pager(source, client)

            async def tail() -> None:
                async for _ in pager.follow(1.0):
                    pass

            following = asyncio.ensure_future(tail())
            entries = []
            async for event in pager.backfill():
                if isinstance(event, EntriesLoaded):
                    entries.extend(event.entries)
            await asyncio.sleep(2.0)  # the tails go on alone for a while
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
            loaded.append(len(entries))

    await asyncio.gather(viewer(0.0), viewer(0.3))
    assert loaded == [95, 95]


async def test_different_keys_do_not_slow_each_other(enforcing):
    """The Aitronos key's budget binds (10 a second); the Supermetrics key on the same host has its
    own (the demo's hourly 1000), so its backfill is not held up behind the other's."""
    ait_source, ait_connection = aitronos_connection(enforcing)
    sm_source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=enforcing.url, page_limit=50)
    sm_connection = Connection(sm_source, DEMO_SUPERMETRICS_KEY, "test")
    assert budget_for(DEMO_AITRONOS_KEY, enforcing.url, "aitronos") is not \
        budget_for(DEMO_SUPERMETRICS_KEY, enforcing.url, "supermetrics")
    finished: dict[str, float] = {}

    async def timed(name, source, connection):
        async with connection.client(policy=FAST_RETRIES) as client:
            entries = await backfill(source, client)
        finished[name] = time.monotonic() - started
        return entries

    started = time.monotonic()
    ait, sm = await asyncio.gather(timed("aitronos", ait_source, ait_connection),
                                   timed("supermetrics", sm_source, sm_connection))
    assert (len(ait), len(sm)) == (195, len(enforcing.state.supermetrics_logs))
    assert enforcing.state.served("aitronos").throttled == 0
    assert finished["supermetrics"] < finished["aitronos"] / 2  # 7 pages, not held up by the other key


# -- the client: waiting is no attempt; a wait too long ends with a reason; export -v says so --
async def test_waiting_for_the_budget_is_no_retry_attempt(enforcing):
    source = AitronosSource(DEMO_ORG, base_url=enforcing.url, page_limit=PAGE)
    budget = Budget("aitronos")
    budget.settle({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"}, 200)
    once = RetryPolicy(max_retries=0)  # one attempt only: a wait that counted would fail the fetch
    async with ApiClient(source.base_url, source.auth_headers(DEMO_AITRONOS_KEY), policy=once,
                         budget=budget) as client:
        started = time.monotonic()
        page = await client.fetch(source.logs_path(), source.request_params(0, ServerQuery()), source.parse_page)
    assert len(page.entries) == PAGE and time.monotonic() - started >= 0.9
    assert enforcing.state.served("aitronos") == Served(requests=1, throttled=0)


async def test_a_budget_wait_beyond_max_wait_ends_with_a_reason_and_sends_nothing(enforcing):
    source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=enforcing.url)
    budget = Budget("supermetrics")
    budget.settle({"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0", "Retry-After": "3600"}, 429)
    async with ApiClient(source.base_url, source.auth_headers(DEMO_SUPERMETRICS_KEY), policy=FAST_RETRIES,
                         budget=budget) as client:
        with pytest.raises(ApiFailure) as failed:
            await client.fetch(source.logs_path(), {}, source.parse_page)
    # (the 429 was the server's, before: this request logview held back itself, so no server's code is said)
    assert failed.value.describe() == (
        "the API answered 429 and asked to wait: the next request may go ~60m 00s from now (API budget 0/1000 left), "
        "longer than the 60 s logview waits")
    assert "RATE_LIMITED" not in failed.value.describe()
    assert enforcing.state.served("supermetrics").requests == 0


def test_export_verbose_says_when_the_budget_binds(monkeypatch, capfdbinary):
    monkeypatch.setenv("FREDDY_API_KEY", DEMO_AITRONOS_KEY)
    with DemoServer(DemoState(aitronos_entries=350, supermetrics_entries=0, live_rate=0.0,
                              budget={"aitronos": "2/2"})) as server:
        code = cli.main(["export", "--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url, "-v"])
        assert server.state.served("aitronos").throttled == 0
    stderr = capfdbinary.readouterr().err.decode()
    assert code == 0
    lines = re.findall(r"^logview: API budget \d/2 · resets in \d s · backfill waits(?: · done in ~(\d+) s)?$",
                       stderr, re.MULTILINE)
    assert lines, stderr
    # as the status line says it: when the backfill will be done (4 pages, 2 requests every 2 s)
    assert any(lines) and all(0 < int(eta) <= 8 for eta in lines if eta), stderr
    assert DEMO_AITRONOS_KEY not in stderr


async def test_a_budget_the_server_only_advertises_is_not_waited_for_in_the_estimate():
    """Found in a walk (s19 V6): against a server that only advertises its limit (its remaining
    stays 100 whatever is sent), a fill with 122 pages to go said "done in ~104 s" (the reset,
    then the next window) and was done in 10. A count that never falls is no budget to wait for:
    the estimate is the pace's, for what does not fit in what it says remains: the limit a window,
    less the burst the window opens with (s21: not the ever faster spread of the same 100)."""
    with DemoServer(DemoState(aitronos_entries=60, supermetrics_entries=0, live_rate=0.0)) as server:
        source, connection = aitronos_connection(server)
        async with connection.client(policy=FAST_RETRIES) as client:
            assert len(await backfill(source, client)) == 60  # (6 pages, each answered "100 remain")
            budget = client.budget
            state = budget.state()
            assert (state.limit, state.remaining, state.known) == (100, 100, True)
            # (`test_budget.py` holds the estimate to the time such a load takes)
            # (the burst's 25 at once, the rest at most the pace's 75 a window, at least the limit's
            # 100 a window, each new one opening with its burst; the published minute until a
            # second reset has shown the window: the first answer came mid-window)
            eta, window = budget.estimates.eta_s(400), state.pace_window_s
            assert state.unspent and window >= 60 and 3 * window <= eta <= 400 / 75 * window


async def test_a_request_is_under_way_while_the_budget_holds_it_in_flight_and_waiting_for_its_retry(enforcing):
    """`ApiClient.under_way` (what a turn's holder beats by, `archive/turns.py`): held by the budget, sent
    and not answered, waiting for its retry after a 429; and no longer once the page is in."""
    source = AitronosSource(DEMO_ORG, base_url=enforcing.url, page_limit=PAGE)
    budget = Budget("aitronos")
    budget.settle({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"}, 200)
    seen: list[bool] = []
    async with ApiClient(source.base_url, source.auth_headers(DEMO_AITRONOS_KEY), policy=FAST_RETRIES,
                         budget=budget) as client:
        assert not client.under_way()
        fetching = asyncio.create_task(client.fetch(source.logs_path(), source.request_params(0, ServerQuery()),
                                                    source.parse_page))
        await asyncio.sleep(0.3)
        seen.append(client.under_way() and client.sent == 0)  # (held by the budget: ~1 s)
        await fetching
        assert not client.under_way()
        enforcing.state.add_fault(Fault(kind="status", status=429, retry_after="1", count=1))
        fetching = asyncio.create_task(client.fetch(source.logs_path(), source.request_params(0, ServerQuery()),
                                                    source.parse_page))
        while not any(answer.status == 429 for answer in enforcing.state.answered.answers()) and not fetching.done():
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        seen.append(client.under_way() and not fetching.done())  # (its retry waits the second the 429 asked)
        await fetching
        assert not client.under_way()
    assert seen == [True, True]
