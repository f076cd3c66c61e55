"""The pager against servers that break their contract (the demo's broken modes, real HTTP): it
stops with a clear error where it cannot go on, corrects and says what it can, never loops, and
stays exact where the server was right."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone

import pytest

from logview.api.contract import CONTRACT_BROKEN, ContractBroken, newest_first
from logview.api.paging import BackfillDone, EntriesLoaded, Notice, Pager, TailFailed
from logview.demo import DemoServer, DemoState
from logview.model import ApiFailure, LogEntry
from logview.times import parse_api_time
from support import aitronos, supermetrics

UTC = timezone.utc
SHORT_PAGES_SAID = ("pages shorter than asked before the end of the data (paging went on; some entries of the time a "
                    "page was cut at may be missing)")


async def drain(pager: Pager, seconds: float = 20.0) -> tuple[list[LogEntry], list, ApiFailure | None]:
    """Every entry and other event of a backfill, and the failure that ended it (if one did)."""
    entries: list[LogEntry] = []
    others: list = []

    async def run() -> None:
        async for event in pager.backfill():
            if isinstance(event, EntriesLoaded):
                entries.extend(event.entries)
            else:
                others.append(event)

    try:
        await asyncio.wait_for(run(), seconds)
    except ApiFailure as failure:
        return entries, others, failure
    return entries, others, None


def ids(entries) -> list[str]:
    return [e.id if isinstance(e, LogEntry) else e["id"] for e in entries]


def before_cursors(server: DemoServer) -> list[datetime]:
    from urllib.parse import parse_qs, urlsplit

    found = []
    for _, target, _ in server.state.request_log:
        before = parse_qs(urlsplit(target).query).get("before")
        if before:
            found.append(parse_api_time(before[0]))
    return found


@pytest.fixture
def broken_server():
    with DemoServer(DemoState(aitronos_entries=400, supermetrics_entries=600, live_rate=0.0)) as server:
        yield server


async def backfill(server: DemoServer, api: str, modes: list[str], page_limit: int, seconds: float = 20.0):
    """A whole backfill from `server` broken in `modes`: (the source, entries, other events, failure)."""
    server.state.broken.set(modes)
    source, client = (aitronos if api == "aitronos" else supermetrics)(server, page_limit=page_limit)
    async with client:
        return (source, *await drain(Pager(source, client), seconds))


async def test_a_server_ignoring_the_before_cursor_stops_with_a_clear_error(broken_server) -> None:
    state = broken_server.state
    _, entries, _, failure = await backfill(broken_server, "supermetrics", ["cursor_ignored"], 50)
    assert isinstance(failure, ContractBroken) and failure.error.code == CONTRACT_BROKEN
    assert failure.describe().startswith("the server ignored the before cursor: 3 pages in a row asked for entries "
                                         "before ")
    assert ids(entries) == ids(state.supermetrics_logs[:50])  # the first page, exact
    assert len(state.request_log) == 4  # the first page and three that ignored the cursor


async def test_a_server_ignoring_the_offset_stops_with_a_clear_error(broken_server) -> None:
    state = broken_server.state
    _, entries, _, failure = await backfill(broken_server, "aitronos", ["cursor_ignored", "unordered"], 40)
    assert isinstance(failure, ContractBroken)
    assert "the server ignored the offset: 3 pages in a row" in failure.describe()
    assert ids(entries) == ids(state.aitronos_logs[:40])  # sorted back into order
    assert len(state.request_log) == 4


@pytest.mark.parametrize("api", ["aitronos", "supermetrics"])
async def test_pages_out_of_order_are_sorted_and_the_result_is_exact(broken_server, api) -> None:
    state = broken_server.state
    source, entries, others, failure = await backfill(broken_server, api, ["unordered"], 45)
    expected = state.aitronos_logs if api == "aitronos" else state.supermetrics_logs
    # exact: every entry once, newest first (the order within a tie group is the server's to shuffle)
    assert failure is None and sorted(ids(entries)) == sorted(ids(expected))
    assert [e.time for e in entries] == [e.time for e in source.entries_from_raws(expected)]
    # said once, at the end (the API promises newest first); the archive trusts none of their spans
    notices = [o.message for o in others if isinstance(o, Notice)]
    assert len(notices) == 1 and re.fullmatch(r"the server broke its contract: \d+ pages out of time order "
                                              r"\(sorted\)", notices[0]), notices


async def test_lying_totals_are_corrected_said_and_the_export_stays_exact(broken_server) -> None:
    state = broken_server.state
    _, entries, others, failure = await backfill(broken_server, "aitronos", ["lying_totals"], 60)
    assert failure is None and ids(entries) == ids(state.aitronos_logs)
    notices = [o for o in others if isinstance(o, Notice)]
    assert [n.kind for n in notices] == ["contract"]
    message = notices[0].message
    assert message.startswith("the server broke its contract: 8 pages whose `returned` disagreed")
    assert "1 page empty where `total` or `has_more` promised more" in message
    assert "`total` said 460 entries, 400 entries came" in message
    assert isinstance(others[-1], BackfillDone) and others[-1].loaded == 400


@pytest.mark.parametrize("api", ["aitronos", "supermetrics"])
async def test_pages_that_repeat_ids_still_load_every_entry_once(broken_server, api) -> None:
    """s30 walk: an Aitronos page one entry longer than its limit (the page before's last entry
    again) moved the offset past the first entry of the next page, every page: 99 of 5,178
    entries missing from an export that said nothing but `5,180 entries came`."""
    state = broken_server.state
    _, entries, others, failure = await backfill(broken_server, api, ["repeated_ids"], 60)
    logs = state.aitronos_logs if api == "aitronos" else state.supermetrics_logs
    assert failure is None and sorted(ids(entries)) == sorted(ids(logs))
    assert isinstance(others[-1], BackfillDone) and others[-1].loaded == len(logs)
    if api == "aitronos":
        notices = [o.message for o in others if isinstance(o, Notice)]
        assert len(notices) == 1 and "6 pages holding more entries than the limit asked (the offset moved by " \
            "the limit)" in notices[0], notices


async def test_a_short_page_mid_stream_is_not_taken_for_the_end_of_the_data() -> None:
    """s30 walk: a Supermetrics page shorter than asked, mid-stream, ended the export (exit 0, 1,467
    of 20,268 entries, nothing said) and the archive recorded all that was older as fetched: no
    relaunch, `r` or `sql --sync` asked for it again. One request more after a short page tells.
    (Entries a second apart: a short page cut inside a tie group can still hide the group's rest.)"""
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0)
    state.insert_supermetrics(600, at=datetime.now(UTC) - timedelta(hours=1), same_time=False)
    with DemoServer(state) as server:
        _, entries, others, failure = await backfill(server, "supermetrics", ["short_pages"], 50)
        assert failure is None and ids(entries) == ids(state.supermetrics_logs)
        notices = [o.message for o in others if isinstance(o, Notice)]
        assert len(notices) == 1 and SHORT_PAGES_SAID in notices[0], notices
        state.clear_request_log()  # an honest server: its short last page is the end, one request more says so
        _, entries, others, failure = await backfill(server, "supermetrics", [], 80)
        assert failure is None and ids(entries) == ids(state.supermetrics_logs)
        assert not [o for o in others if isinstance(o, Notice)] and len(state.request_log) == -(-600 // 80) + 1


@pytest.mark.parametrize("inclusive", [False, True], ids=["exclusive before", "inclusive before"])
async def test_short_pages_cut_inside_tie_groups_lose_at_most_the_first_cut_s_rest(inclusive: bool) -> None:
    """The request after a short page asked `before` its oldest time: each page cut inside a tie group
    (entries of one second, as a sync's run writes them) hid the group's rest, 66 of 5,008 entries
    in a walk over `--broken short_pages`. Once a server has cut a page short, the request after
    one asks from just past its oldest time (and at it, when that brings only the group again).
    The first cut, before the server is known to cut, can still hide one group's rest."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0)
    state.supermetrics_before_inclusive = inclusive
    start = datetime.now(UTC) - timedelta(hours=1)
    for group in range(60):  # groups of 7 at one time: a half page of 25 ends inside one
        state.insert_supermetrics(7, at=start - timedelta(seconds=group))
    # (then single entries: a group wider than the server's halved page at the very end could not be
    # paged through by any cursor)
    state.insert_supermetrics(30, at=start - timedelta(minutes=5), same_time=False)
    with DemoServer(state) as server:
        _, entries, others, failure = await backfill(server, "supermetrics", ["short_pages"], 50)
    taken = ids(entries)
    missing = [log for log in state.supermetrics_logs if log["id"] not in set(taken)]
    assert failure is None and len(set(taken)) == len(taken) == 450 - len(missing)
    assert len(missing) < 7 and len({log["log_time"] for log in missing}) <= 1, missing
    notices = [o.message for o in others if isinstance(o, Notice)]
    assert len(notices) == 1 and "pages shorter than asked before the end of the data" in notices[0], notices


@pytest.mark.parametrize("api", ["aitronos", "supermetrics"])
async def test_a_server_of_random_schema_valid_pages_never_pages_forever(broken_server, api) -> None:
    state = broken_server.state
    _, entries, _, failure = await backfill(broken_server, api, ["random_values"], 100, seconds=10)
    assert isinstance(failure, ContractBroken)
    assert len(state.request_log) < 60
    assert len(set(ids(entries))) == len(entries)
    if api == "supermetrics":  # nothing at or after a cursor is taken: what is exported is newest first
        times = [e.time for e in entries if e.time is not None]
        assert times == sorted(times, reverse=True)
        cursors = before_cursors(broken_server)
        assert cursors == sorted(cursors, reverse=True)  # the cursor never moved forward
        assert "the server ignored the before cursor" in failure.describe()


async def test_entries_at_or_after_their_cursor_are_left_out_and_said(fresh_server) -> None:
    base = datetime(2025, 11, 1, tzinfo=UTC)
    rows = []
    for i in range(40):
        at = base - timedelta(seconds=i)
        claims = base + timedelta(days=1) if i in (15, 27) else at  # filed old, claiming to be new
        rows.append((at, {"id": f"s{i:02d}", "log_time": claims.strftime("%Y-%m-%dT%H:%M:%SZ"), "status": 200,
                          "event": None, "request": None, "duration_ms": None, "request_id": None}))
    fresh_server.state.insert_raw("supermetrics", rows)
    source, client = supermetrics(fresh_server, page_limit=10)
    async with client:
        entries, others, failure = await drain(Pager(source, client))
    assert failure is None
    assert ids(entries) == [f"s{i:02d}" for i in range(40) if i not in (15, 27)]
    notices = [o for o in others if isinstance(o, Notice)]
    assert [n.message for n in notices] == [  # (the pages holding them were out of order too)
        "the server broke its contract: 3 pages out of time order (sorted); "
        "2 entries at or after the `before` cursor they were asked with, left out"]


async def tail_failures(server, count: int) -> list[TailFailed]:
    """The first `count` failed cycles of a tail over a server that ignores its cursor, its pauses not slept."""
    state = server.state
    state.insert_supermetrics(5, at=datetime(2025, 11, 1, tzinfo=UTC), same_time=False)

    async def sleep(seconds: float) -> None:
        pass

    source, client = supermetrics(server, page_limit=10)
    failures: list[TailFailed] = []
    async with client:
        pager = Pager(source, client, sleep=sleep)
        await drain(pager)
        state.insert_supermetrics(30, same_time=False)  # more than a page: the tail walks back
        state.broken.set(["cursor_ignored"])
        async for event in pager.follow(2.0):
            if isinstance(event, TailFailed):
                failures.append(event)
                if len(failures) == count:
                    break
    return failures


async def test_the_tail_over_a_server_ignoring_its_cursor_fails_instead_of_looping(fresh_server) -> None:
    [failed] = await tail_failures(fresh_server, 1)
    assert isinstance(failed.failure, ContractBroken) and "ignored the before cursor" in failed.failure.describe()
    assert len(fresh_server.state.request_log) <= 1 + 1 + 1 + 3


async def test_a_tail_over_a_server_ignoring_its_cursor_stops_after_its_first_failed_cycle(fresh_server) -> None:
    """s29 walk 2 #2, s30: each try walks pages back to the gap (3+ requests of a metered budget), and a
    server that broke its contract does not mend by waiting: the tail stops (`next_poll_s` None) and
    its follow ends, where it tried again every minute, then every quarter of an hour."""
    failures = await tail_failures(fresh_server, 10)
    assert [failed.next_poll_s for failed in failures] == [None]
    assert isinstance(failures[0].failure, ContractBroken)


async def test_an_aitronos_tail_cycle_over_a_server_ignoring_its_offset_ends_after_a_burst(fresh_server) -> None:
    """s30: a page's worth arriving early in a cycle, over a server ignoring its offset, excused every repeat
    after it as offsets moved down by arrivals (counted since the cycle's first page): the cycle asked for the
    same page for good, yielding nothing ("● live", no row, a request a second). Moved down is counted since
    the page before: the repeats strike, and the tail stops after three."""
    state = fresh_server.state
    state.insert_aitronos(5, at=datetime(2025, 11, 1, tzinfo=UTC))
    source, client = aitronos(fresh_server, page_limit=10)
    sent = 0
    fetch = client.fetch

    async def fetch_counted(*args, **kwargs):
        nonlocal sent
        sent += 1
        assert sent <= 20, "the tail cycle never ends"
        if sent == 3:  # (the cycle's second request: a page's worth arrived since its first)
            state.insert_aitronos(10)
        return await fetch(*args, **kwargs)

    client.fetch = fetch_counted
    async with client:
        pager = Pager(source, client)
        await drain(pager)
        state.insert_aitronos(10)
        state.broken.set(["cursor_ignored"])
        failures = [event async for event in pager.follow(2.0) if isinstance(event, TailFailed)]
    assert [failed.next_poll_s for failed in failures] == [None], failures
    assert "ignored the offset" in failures[0].failure.describe() and sent <= 1 + 6


@pytest.mark.parametrize("api", ["aitronos", "supermetrics"])
async def test_the_tail_says_when_its_polls_break_the_contract(broken_server, api) -> None:
    """Every poll brought random entries (dates back to 1890, out of order) while the status line
    read "live" and nothing was said; the tail now says it as the backfill does."""
    state = broken_server.state
    source, client = (aitronos if api == "aitronos" else supermetrics)(broken_server, page_limit=50)
    async with client:
        pager = Pager(source, client)
        await drain(pager)
        honest = [event async for event in pager.poll()]
        assert not [e for e in honest if isinstance(e, Notice)]  # an honest server: nothing said
        state.broken.set(["random_values"])
        events = [event async for event in pager.poll()]
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert len(notices) == 1 and notices[0].startswith("live tail: the server broke its contract:"), notices


@pytest.mark.parametrize("api", ["aitronos", "supermetrics"])
async def test_the_tail_counts_what_its_polls_corrected_together(broken_server, api) -> None:
    """Each poll's page out of order was said alone ("1 page out of time order"), every poll again:
    the tail's notice counts every poll's, and says it is the tail's (a banner line of its own)."""
    state = broken_server.state
    source, client = (aitronos if api == "aitronos" else supermetrics)(broken_server, page_limit=50)
    said: list[Notice] = []
    async with client:
        pager = Pager(source, client)
        await drain(pager)
        state.broken.set(["unordered"])
        for _ in range(3):
            if api == "aitronos":  # (ten times apart: a shuffled tie group is in order)
                await asyncio.sleep(0.03)
                now = datetime.now(timezone.utc)
                for ms in range(10):
                    state.insert_aitronos(1, at=now - timedelta(milliseconds=ms))
            else:
                state.insert_supermetrics(10, same_time=False)
            said += [event async for event in pager.poll() if isinstance(event, Notice)]
    assert [notice.live for notice in said] == [True, True, True], said
    assert [re.search(r"\d+ pages?", notice.message)[0] for notice in said] == ["1 page", "2 pages", "3 pages"], said
    assert all("out of time order" in notice.message for notice in said), said


def test_newest_first_sorts_a_page_and_leaves_timeless_entries_in_their_place() -> None:
    def entry(name: str, minute: int | None) -> LogEntry:
        moment = None if minute is None else datetime(2025, 1, 1, 0, minute, tzinfo=UTC)
        return LogEntry(name, moment, None, {}, "supermetrics")

    page = [entry("a", 1), entry("t", None), entry("b", 5), entry("a", 1), entry("c", 3)]
    assert ids(newest_first(page)) == ["b", "t", "c", "a"]  # the repeated id once
    in_order = [entry("x", 9), entry("t", None), entry("y", 2)]
    assert newest_first(in_order) == in_order


async def test_entries_arriving_late_within_the_range_are_no_breach(fresh_server) -> None:
    """A total that grows while paging is honest: an entry may be written after the range was
    pinned with a time inside it (a server clock behind ours, a log written when its run ends)."""
    state = fresh_server.state
    for minutes in range(120):
        state.insert_aitronos(1, at=datetime(2025, 11, 1, tzinfo=UTC) - timedelta(minutes=minutes))
    first = ids(state.aitronos_logs)
    source, client = aitronos(fresh_server, page_limit=25)
    entries, others = [], []
    async with client:
        async for event in Pager(source, client).backfill():
            if isinstance(event, EntriesLoaded):
                entries.extend(event.entries)
                state.insert_aitronos(2, at=datetime(2025, 11, 2, tzinfo=UTC))  # late, inside the pinned range
            else:
                others.append(event)
    assert [o for o in others if isinstance(o, Notice)] == []
    assert ids(entries) == first  # the late ones, newest of all, are the tail's to find


def test_taking_a_page_of_ids_keeps_exactly_what_one_id_at_a_time_keeps():
    """`RecentIds.take_new` (a page at once) against `add` (one id at a time), over pages that
    repeat a boundary, repeat within themselves, and overflow the memory."""
    from logview.api.contract import RecentIds

    def entry(n: int) -> LogEntry:
        return LogEntry(id=f"e{n}", time=None, status=None, raw={}, source="supermetrics")

    pages = [[entry(n) for n in range(start, start + 6)] for start in range(0, 40, 5)]  # one repeated a page
    pages.append([entry(1), entry(1), entry(100)])  # a page repeating itself, and an id long forgotten
    by_page, by_id = RecentIds(capacity=8), RecentIds(capacity=8)
    for page in pages:
        taken = by_page.take_new(page)
        assert [e.id for e in taken] == [e.id for e in page if by_id.add(e.id)]
    assert all((f"e{n}" in by_page) == (f"e{n}" in by_id) for n in range(101))
