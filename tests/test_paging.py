"""The pager against the demo server over real HTTP: exact backfill (no duplicates, no gaps) under
inserts, tie groups and faults; stream merging; the cap; and the live tail."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.demo import DemoServer, DemoState, Fault
from logview.api.client import RetryEvent
from logview.model import ApiFailure, Filters
from logview.api.paging import BackfillDone, EntriesLoaded, Notice, Pager
from logview.times import parse_api_time

from support import aitronos, supermetrics

UTC = timezone.utc


async def run(pager_events) -> tuple[list, list]:
    """Drain a pager's event stream: (entries in order, every other event)."""
    entries, others = [], []
    async for event in pager_events:
        if isinstance(event, EntriesLoaded):
            entries.extend(event.entries)
        else:
            others.append(event)
    return entries, others


def ids(entries) -> list[str]:
    return [entry.id if hasattr(entry, "id") else entry["id"] for entry in entries]


def newest_first(raw_entries, field):
    return sorted(raw_entries, key=lambda raw: (parse_api_time(raw[field]), raw["id"]), reverse=True)


@pytest.mark.parametrize("inclusive", [False, True])
async def test_supermetrics_backfill_is_exact_across_tie_groups(fresh_server, inclusive):
    state = fresh_server.state
    state.supermetrics_before_inclusive = inclusive
    start = datetime(2025, 11, 1, tzinfo=UTC)
    for step, size in enumerate([3, 17, 1, 40, 7, 49, 2, 33, 1, 1, 25, 12] * 4):
        state.insert_supermetrics(size, at=start + timedelta(seconds=step), same_time=True)
    source, client = supermetrics(fresh_server, page_limit=50)
    async with client:
        entries, others = await run(Pager(source, client).backfill())
    expected = state.supermetrics_logs
    assert ids(entries) == ids(expected)
    assert len(set(ids(entries))) == len(entries)
    assert [o for o in others if isinstance(o, Notice)] == []
    assert others[-1] == BackfillDone(loaded=len(expected), pages=others[-1].pages, capped=False)


async def test_a_full_page_of_one_timestamp_is_reported_not_looped(fresh_server):
    state = fresh_server.state
    base = datetime(2025, 11, 1, tzinfo=UTC)
    state.insert_supermetrics(30, at=base, same_time=True)
    state.insert_supermetrics(120, at=base + timedelta(seconds=5), same_time=True)  # > one page
    state.insert_supermetrics(30, at=base + timedelta(seconds=9), same_time=True)
    source, client = supermetrics(fresh_server, page_limit=50)
    async with client:
        entries, others = await run(Pager(source, client).backfill())
    notices = [o for o in others if isinstance(o, Notice)]
    assert [n.kind for n in notices] == ["tie_group"]
    assert "share the time" in notices[0].message
    got = ids(entries)
    assert len(got) == len(set(got))
    everything = ids(state.supermetrics_logs)
    # Everything outside the oversized group arrives; the group itself is cut, and said to be.
    assert got[:30] == everything[:30] and got[-30:] == everything[-30:]
    assert 50 <= len(got) - 60 < 120


async def test_aitronos_offset_paging_is_exact_while_entries_arrive(fresh_server):
    state = fresh_server.state
    now = datetime.now(UTC)
    for minutes in range(400):
        state.insert_aitronos(1, at=now - timedelta(minutes=minutes + 1))
    before = ids(state.aitronos_logs)
    source, client = aitronos(fresh_server, page_limit=25)
    entries = []
    async with client:
        async for event in Pager(source, client).backfill():
            if isinstance(event, EntriesLoaded):
                entries.extend(event.entries)
                state.insert_aitronos(7)  # new entries land at the head between every page
    assert ids(entries) == before


async def test_aitronos_statuses_run_as_separate_streams_merged_newest_first(server):
    source, client = aitronos(server, page_limit=40)
    filters = Filters(statuses=("error", "timeout"))
    async with client:
        pager = Pager(source, client, filters)
        events = [event async for event in pager.backfill()]
    entries = [e for ev in events if isinstance(ev, EntriesLoaded) for e in ev.entries]
    expected = [raw for raw in server.state.aitronos_logs if raw["status"] in ("error", "timeout")]
    assert ids(entries) == ids(expected)
    totals = {ev.total for ev in events if isinstance(ev, EntriesLoaded) and ev.total is not None}
    assert totals == {len(expected)}
    requested = [path for _, path, _ in server.state.request_log if "status=" in path]
    assert any("status=error" in p for p in requested) and any("status=timeout" in p for p in requested)


async def test_aitronos_server_side_filters(server):
    raws = server.state.aitronos_logs
    credential = raws[0]["credential_id"]
    since = parse_api_time(raws[len(raws) // 2]["created_at"])
    until = parse_api_time(raws[len(raws) // 5]["created_at"])
    source, client = aitronos(server)
    async with client:
        entries, _ = await run(Pager(source, client, Filters(credential=credential, since=since, until=until)).backfill())
    expected = [r for r in raws if r["credential_id"] == credential
                and since <= parse_api_time(r["created_at"]) <= until]
    assert expected and ids(entries) == ids(expected)
    sent = server.state.request_log[-1][1]
    assert "credential_id=" in sent and "start_date=" in sent and "end_date=" in sent


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        (Filters(statuses=("4xx",)), lambda r: r["status"] is not None and 400 <= r["status"] < 500),
        (Filters(statuses=("success",)), lambda r: r["status"] is not None and r["status"] < 400),
        (Filters(statuses=("error", "201")), lambda r: r["status"] is not None and (r["status"] >= 400 or r["status"] == 201)),
        (Filters(event="auth.token.refresh"), lambda r: r["event"] == "auth.token.refresh"),
        (Filters(search="TOKEN"), lambda r: any("token" in str(v).lower() for v in r.values() if v is not None)),
    ],
)
async def test_supermetrics_client_side_filters(server, filters, keep):
    source, client = supermetrics(server, page_limit=500)
    async with client:
        entries, _ = await run(Pager(source, client, filters).backfill())
    expected = [r for r in server.state.supermetrics_logs if keep(r)]
    assert expected and ids(entries) == ids(expected)


async def test_supermetrics_time_range_uses_before_and_stops_at_since(server):
    raws = server.state.supermetrics_logs
    until = parse_api_time(raws[500]["log_time"])
    since = parse_api_time(raws[1500]["log_time"])
    source, client = supermetrics(server, page_limit=200)
    async with client:
        pager = Pager(source, client, Filters(since=since, until=until))
        entries, _ = await run(pager.backfill())
    expected = [r for r in raws if since <= parse_api_time(r["log_time"]) <= until]
    assert ids(entries) == ids(expected)
    assert pager.pages <= 1 + (1500 - 500) // 200 + 2  # it did not page to the end of the data


async def test_the_cap_stops_the_backfill_and_says_so(server):
    source, client = supermetrics(server, page_limit=300)
    async with client:
        entries, others = await run(Pager(source, client, max_entries=1000).backfill())
    assert ids(entries) == ids(server.state.supermetrics_logs[:1000])
    assert [o.kind for o in others if isinstance(o, Notice)] == ["capped"]
    assert others[-1].capped and others[-1].loaded == 1000


async def test_faults_are_survived_with_the_exact_set_and_retries_reported(fresh_server):
    state = fresh_server.state
    now = datetime.now(UTC)
    for second in range(600):
        state.insert_supermetrics(1 + second % 4, at=now - timedelta(seconds=second + 1), same_time=True)
    # Five failures in a row: the sixth and last attempt of the first page succeeds.
    for fault in (Fault(kind="status", status=429, retry_after="1"), Fault(kind="status", status=500, count=2),
                  Fault(kind="html", status=503), Fault(kind="truncated")):
        state.add_fault(fault)
    source, client = supermetrics(fresh_server, page_limit=100)
    async with client:
        entries, others = await run(Pager(source, client).backfill())
    assert ids(entries) == ids(state.supermetrics_logs)
    codes = [o.error.code for o in others if isinstance(o, RetryEvent)]
    assert codes == ["TOO_MANY_REQUESTS", "INTERNAL_SERVER_ERROR", "INTERNAL_SERVER_ERROR",
                     "SERVICE_UNAVAILABLE", "INVALID_RESPONSE"]
    rate_limited = next(o for o in others if isinstance(o, RetryEvent))
    assert rate_limited.wait_s == 1


async def test_a_timeout_is_retried(fresh_server):
    import httpx

    state = fresh_server.state
    state.insert_aitronos(30)
    state.add_fault(Fault(kind="hang", delay=1.5))
    source, _ = aitronos(fresh_server)
    from support import FAST_RETRIES
    from logview.api.client import ApiClient
    from logview.demo import DEMO_AITRONOS_KEY

    client = ApiClient(source.base_url, source.auth_headers(DEMO_AITRONOS_KEY), policy=FAST_RETRIES,
                       timeout=httpx.Timeout(0.5))
    async with client:
        entries, others = await run(Pager(source, client).backfill())
    assert ids(entries) == ids(state.aitronos_logs)
    # (the hung request's timeout, retried; on a loaded machine another request may pass 0.5 s too,
    # and is retried the same way: CI saw ['TIMEOUT', 'TIMEOUT'] at load 10)
    retried = [o.error.code for o in others if isinstance(o, RetryEvent)]
    assert retried and set(retried) == {"TIMEOUT"}


async def test_errors_that_cannot_be_retried_end_the_backfill(server):
    from logview.demo import DEMO_ORG
    from logview.api.client import ApiClient
    from logview.sources import AitronosSource

    source = AitronosSource(DEMO_ORG, base_url=server.url)
    async with ApiClient(source.base_url, source.auth_headers("wrong-key")) as client:
        with pytest.raises(ApiFailure) as caught:
            await run(Pager(source, client).backfill())
    assert caught.value.error.status == 401 and caught.value.error.code == "AUTHENTICATION_REQUIRED"
    assert caught.value.error.request_id.startswith("req_")


# -- live tail ----------------------------------------------------------------------------------

async def tail_once(pager):
    entries, _ = await run(pager.poll())
    return entries


@pytest.mark.parametrize("api", ["supermetrics", "aitronos"])
async def test_tail_catches_a_burst_larger_than_a_page(fresh_server, api):
    state = fresh_server.state
    insert = state.insert_supermetrics if api == "supermetrics" else state.insert_aitronos
    logs = (lambda: state.supermetrics_logs) if api == "supermetrics" else (lambda: state.aitronos_logs)
    make = supermetrics if api == "supermetrics" else aitronos
    old = datetime.now(UTC) - timedelta(hours=1)
    for minute in range(60):
        insert(2, at=old + timedelta(minutes=minute))
    source, client = make(fresh_server, page_limit=40)
    async with client:
        pager = Pager(source, client)
        backfilled, _ = await run(pager.backfill())
        assert await tail_once(pager) == []
        for second in range(50):  # 250 new entries: six pages' worth, several sharing a time
            insert(5, at=datetime.now(UTC) - timedelta(seconds=60 - second))
        fresh = await tail_once(pager)
        # Everything the backfill did not have, in the server's order — even where a burst shares
        # its second with the newest backfilled entries.
        assert len(fresh) == 250
        assert ids(fresh) == [i for i in ids(logs()) if i not in set(ids(backfilled))]
        insert(3)
        assert ids(await tail_once(pager)) == ids(logs()[:3])
        assert await tail_once(pager) == []


async def test_tail_picks_up_new_members_of_the_newest_tie_group(fresh_server):
    state = fresh_server.state
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5)
    state.insert_supermetrics(4, at=moment, same_time=True)
    source, client = supermetrics(fresh_server, page_limit=10)
    async with client:
        pager = Pager(source, client)
        first, _ = await run(pager.backfill())
        late = state.insert_supermetrics(3, at=moment, same_time=True)  # same second as the head
        fresh = await tail_once(pager)
    assert len(first) == 4
    assert sorted(ids(fresh)) == sorted(ids(late))


async def test_follow_survives_the_api_going_away_and_coming_back(fresh_server):
    from logview.api.paging import TailFailed

    state = fresh_server.state
    state.insert_aitronos(5)
    source, client = aitronos(fresh_server)
    sleeps = []

    async def no_sleep(seconds):
        sleeps.append(seconds)

    async with client:
        pager = Pager(source, client, sleep=no_sleep)
        await run(pager.backfill())
        state.add_fault(Fault(kind="status", status=503, count=6 * 2))  # two whole cycles fail
        seen = []
        async for event in pager.follow(2.0):
            seen.append(event)
            if isinstance(event, EntriesLoaded) and event.live:
                if len([e for e in seen if isinstance(e, TailFailed)]) == 2 and not event.entries:
                    state.insert_aitronos(2)
                elif event.entries:
                    break
    failures = [e for e in seen if isinstance(e, TailFailed)]
    assert len(failures) == 2 and failures[0].next_poll_s == 4.0 and failures[1].next_poll_s == 8.0
    assert ids(seen[-1].entries) == ids(state.aitronos_logs[:2])
    assert sleeps[:2] == [4.0, 8.0] and sleeps[2] == 2.0


async def test_the_backfills_pages_count_no_tail_poll(fresh_server):
    """Found in a walk: with --no-archive, whose backfill and tail share one pager, the status line read
    "loading page 53 · 4,141 of 20,720" after 40 pages of the backfill: each tail poll was counted a page."""
    state = fresh_server.state
    for second in range(250):
        state.insert_aitronos(1, at=datetime.now(UTC) - timedelta(hours=1, seconds=second))
    source, client = aitronos(fresh_server, page_limit=100)
    async with client:
        pager = Pager(source, client, prefetch=False)
        backfill = pager.backfill()
        counted = []
        async for event in backfill:
            if isinstance(event, EntriesLoaded):
                counted.append(event.pages)
                await tail_once(pager)  # a tail poll between two pages
                await tail_once(pager)
            elif isinstance(event, BackfillDone):
                counted.append(event.pages)
    assert counted[:3] == [1, 2, 3] and set(counted[3:]) == {3}, counted  # (BackfillDone's last)


async def test_a_tail_past_its_ranges_end_asks_nothing(fresh_server):
    """Found in a walk: a tail under an `until` already past walked from the range's end to now, then polled
    on, though nothing newer than the range's end could be shown."""
    state = fresh_server.state
    for minute in range(30):
        state.insert_aitronos(1, at=datetime.now(UTC) - timedelta(hours=3, minutes=minute))
    state.insert_aitronos(40, at=datetime.now(UTC) - timedelta(minutes=5))
    source, client = aitronos(fresh_server, page_limit=10)
    async with client:
        pager = Pager(source, client, Filters(until=datetime.now(UTC) - timedelta(hours=2)))
        backfilled, _ = await run(pager.backfill())
        asked = len(state.request_log)
        assert await tail_once(pager) == [] and await tail_once(pager) == []
        assert len(state.request_log) == asked and len(backfilled) == 30


# -- the invariant, generated -------------------------------------------------------------------

groups = st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=25)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=groups, gaps=st.lists(st.integers(0, 3), min_size=25, max_size=25),
       page_extra=st.integers(min_value=1, max_value=20), inclusive=st.booleans(),
       inserts=st.lists(st.integers(0, 15), max_size=8))
async def test_generated_tie_groups_and_inserts_never_cause_gaps_or_duplicates(sizes, gaps, page_extra, inclusive, inserts):
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0)) as server:
        state = server.state
        state.supermetrics_before_inclusive = inclusive
        moment = datetime.now(UTC) - timedelta(hours=2)
        for size, gap in zip(sizes, gaps):
            moment += timedelta(seconds=gap)  # a gap of 0 merges neighbouring groups into one
            state.insert_supermetrics(size, at=moment, same_time=True)
        snapshot = ids(state.supermetrics_logs)
        times = [raw["log_time"] for raw in state.supermetrics_logs]
        largest_group = max(times.count(t) for t in set(times))
        # A page larger than the largest tie group can always move past it: the result must be exact.
        source, client = supermetrics(server, page_limit=largest_group + page_extra)
        pending = list(inserts)
        entries = []
        async with client:
            async for event in Pager(source, client).backfill():
                if isinstance(event, EntriesLoaded):
                    entries.extend(event.entries)
                    if pending:
                        state.insert_supermetrics(pending.pop(), same_time=True)  # arrivals at the head
    assert ids(entries) == snapshot


# -- entries a server hands out of order or without a time (found by the hostile UI suite: the
# merge waited forever on a buffer whose first entry was timeless) ----------------------------

def _misfiled(n: int, field: str, base: datetime, *, truthful: bool = False,
              status_of=lambda i: None) -> list[tuple[datetime, dict]]:
    """`n` entries filed one second apart, newest first, whose own time field is often useless:
    absent or not a time, and unless `truthful`, a time that disagrees with where the server filed
    them (out of order). A truthful file may still write the time as epoch seconds."""
    rows = []
    for i in range(n):
        at = base - timedelta(seconds=i)
        own: object = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        if i % 5 == 0:
            own = [None, "not a time", int(at.timestamp()) if truthful else 1731664800, "[bold]"][i // 5 % 4]
        elif i % 3 == 0 and not truthful:
            own = (base + timedelta(days=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        entry = {"id": f"m{i:04d}", field: own}
        if status_of(i) is not None:
            entry["status"] = status_of(i)
        rows.append((at, entry))
    return rows


async def _drain_within(pager, seconds: float = 20.0):
    import asyncio

    return await asyncio.wait_for(run(pager.backfill()), seconds)


@pytest.mark.parametrize("page_limit", [7, 50, 100])
async def test_aitronos_backfill_finishes_whatever_order_the_server_sends(fresh_server, page_limit):
    rows = _misfiled(160, "created_at", datetime(2025, 11, 1, tzinfo=UTC))
    fresh_server.state.insert_raw("aitronos", rows)
    source, client = aitronos(fresh_server, page_limit=page_limit)
    async with client:
        entries, others = await _drain_within(Pager(source, client))
    assert sorted(ids(entries)) == sorted(entry["id"] for _, entry in rows)
    assert others[-1].loaded == len(rows)


async def test_aitronos_streams_merge_entries_without_a_time(fresh_server):
    statuses = ["error", "timeout", "success"]
    rows = _misfiled(200, "created_at", datetime(2025, 11, 1, tzinfo=UTC), status_of=lambda i: statuses[i % 3])
    fresh_server.state.insert_raw("aitronos", rows)
    source, client = aitronos(fresh_server, page_limit=9)
    async with client:
        entries, _ = await _drain_within(Pager(source, client, Filters(statuses=("error", "timeout"))))
    expected = sorted(entry["id"] for _, entry in rows if entry["status"] != "success")
    assert sorted(ids(entries)) == expected
    assert len(set(ids(entries))) == len(entries)


@pytest.mark.parametrize("page_limit", [10, 100])
async def test_supermetrics_backfill_finishes_with_timeless_entries(fresh_server, page_limit):
    # Supermetrics pages by the entries' own times, so they must be true where present to be exact.
    rows = _misfiled(150, "log_time", datetime(2025, 11, 1, tzinfo=UTC), truthful=True)
    fresh_server.state.insert_raw("supermetrics", rows)
    source, client = supermetrics(fresh_server, page_limit=page_limit)
    async with client:
        entries, others = await _drain_within(Pager(source, client))
    got = ids(entries)
    assert len(got) == len(set(got))
    assert set(got) == {entry["id"] for _, entry in rows}
    assert isinstance(others[-1], BackfillDone)
