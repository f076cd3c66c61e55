"""Generated servers, honest and not: random schema-valid entries (times back to 1890 with ties,
any status 100–599 or null, durations up to 2³¹ ms, nulls), served over real HTTP by the demo
server, honestly or broken in any combination of its modes, with entries filed out of place.

Whatever the server does, the pager ends, takes no entry twice, and what the viewer holds is
newest first; Supermetrics output is newest first as paged (nothing at or after a cursor is
taken). Where the server is honest the result is exact, in the server's order; where only its
order or its counts are wrong, the result is still every entry."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.api.contract import ContractBroken
from logview.api.paging import EntriesLoaded, Notice, Pager
from logview.demo import DemoServer, DemoState
from logview.demo.broken import BROKEN_MODES, LONGEST_MS
from logview.files.columns import NO_TIME
from logview.store import EntryStore
from support import aitronos, supermetrics

UTC = timezone.utc
FAR_PAST = datetime(1890, 1, 1, tzinfo=UTC)
SPAN_MS = int((datetime(2025, 1, 1, tzinfo=UTC) - FAR_PAST) / timedelta(milliseconds=1))
EXAMPLES = settings(max_examples=int(os.environ.get("CONTRACT_EXAMPLES", "20")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def stamp(moment: datetime, whole_seconds: bool) -> str:
    if whole_seconds:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@st.composite
def served(draw: st.DrawFn, api: str) -> list[tuple[datetime, dict]]:
    """(filing time, entry) pairs: entries of the API's schema with values at its edges, some
    sharing a time (tie groups), some filed where their own time does not say (`misfiled`)."""
    moments = draw(st.lists(st.integers(0, SPAN_MS), min_size=1, max_size=12))  # few times: ties
    count = draw(st.integers(0, 70))
    nullable = st.one_of(st.none(), st.integers(0, LONGEST_MS), st.just(LONGEST_MS))
    rows = []
    for i in range(count):
        moment = FAR_PAST + timedelta(milliseconds=draw(st.sampled_from(moments)))
        own = stamp(moment, draw(st.booleans()))
        if api == "supermetrics":
            entry = {"id": f"e{i:03d}", "log_time": own, "status": draw(st.one_of(st.none(), st.integers(100, 599))),
                     "event": draw(st.sampled_from([None, "sync.start", "data.fetch"])),
                     "request": draw(st.sampled_from([None, "GET /v2/x"])), "duration_ms": draw(nullable),
                     "request_id": draw(st.sampled_from([None, "6b10ec3d-0000-4000-a000-000000000000"]))}
        else:
            entry = {"id": f"e{i:03d}", "created_at": own, "duration_ms": draw(nullable),
                     "status": draw(st.sampled_from([None, "success", "error", "blocked", "timeout"])),
                     "credential_id": draw(st.sampled_from([None, "tcred_a"])), "error": None}
        filed = parse_own(own)
        rows.append((filed, entry))
    return rows


def parse_own(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def misfile(rows: list[tuple[datetime, dict]], shifts: list[int]) -> list[tuple[datetime, dict]]:
    """Some entries filed days away from their own time: the server's pages out of time order."""
    return [(filed + timedelta(days=shifts[i % len(shifts)]), entry) for i, (filed, entry) in enumerate(rows)]


async def page_through(server: DemoServer, api: str, page_limit: int):
    """Drain a backfill into a viewer's store: (entries in pager order, notices, failure, store)."""
    source, client = (aitronos if api == "aitronos" else supermetrics)(server, page_limit=page_limit)
    store = EntryStore(source)
    entries, notices, failure = [], [], None
    async with client:
        try:
            async for event in Pager(source, client).backfill():
                if isinstance(event, EntriesLoaded):
                    entries.extend(event.entries)
                    store.append(event.entries)
                elif isinstance(event, Notice):
                    notices.append(event)
        except ContractBroken as broken:
            failure = broken
    return entries, notices, failure, store


def run(server: DemoServer, api: str, page_limit: int):
    return asyncio.run(asyncio.wait_for(page_through(server, api, page_limit), 20))  # never pages forever


def newest_first(times: list) -> bool:
    timed = [t for t in times if t is not None and t != NO_TIME]
    return all(a >= b for a, b in zip(timed, timed[1:]))


def check_always(entries, store: EntryStore, server: DemoServer, api: str, page_limit: int) -> None:
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))  # no entry twice
    assert newest_first(list(store.span("time", store.head, store.tail)))  # the viewer: newest first
    if api == "supermetrics":
        assert newest_first([e.time for e in entries])  # nothing at or after a cursor was taken
    assert len(server.state.request_log) <= 3 * (len(ids) // page_limit + 1) + 12  # never much beyond


def largest_tie(rows) -> int:
    times = [parse_own(entry.get("log_time") or entry["created_at"]) for _, entry in rows]
    return max((times.count(t) for t in set(times)), default=0)


@EXAMPLES
@given(st.data())
def test_an_honest_server_gives_exactly_its_entries_in_its_order(data) -> None:
    api = data.draw(st.sampled_from(["aitronos", "supermetrics"]))
    rows = data.draw(served(api))
    # a page larger than every tie group: a time cursor can always page past it
    page_limit = data.draw(st.integers(largest_tie(rows) + 1, largest_tie(rows) + 15))
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0)
    state.supermetrics_before_inclusive = data.draw(st.booleans())
    state.insert_raw(api, rows)
    with DemoServer(state) as server:
        entries, notices, failure, store = run(server, api, page_limit)
        expected = state.aitronos_logs if api == "aitronos" else state.supermetrics_logs
        check_always(entries, store, server, api, page_limit)
    assert failure is None and notices == []
    assert [e.id for e in entries] == [raw["id"] for raw in expected]
    assert newest_first([e.time for e in entries])


@EXAMPLES
@given(st.data())
def test_a_broken_server_never_pages_forever_and_never_repeats_an_entry(data) -> None:
    api = data.draw(st.sampled_from(["aitronos", "supermetrics"]))
    rows = data.draw(served(api))
    modes = data.draw(st.lists(st.sampled_from(BROKEN_MODES), unique=True, max_size=3))
    if data.draw(st.booleans()):
        rows = misfile(rows, data.draw(st.lists(st.integers(-3, 3), min_size=1, max_size=5)))
    page_limit = data.draw(st.integers(1, 25))
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, seed=data.draw(st.integers(0, 99)))
    state.supermetrics_before_inclusive = data.draw(st.booleans())
    state.insert_raw(api, rows)
    state.broken.set(modes)
    with DemoServer(state) as server:
        entries, notices, failure, store = run(server, api, page_limit)
        check_always(entries, store, server, api, page_limit)
    served_ids = {entry["id"] for _, entry in rows}
    if "random_values" not in modes:
        assert {e.id for e in entries} <= served_ids
    # only the order or the counts wrong, every entry filed where it says: still every entry
    if set(modes) <= {"unordered", "lying_totals", "repeated_ids", "short_pages"} and api == "aitronos" \
            and page_limit > largest_tie(rows):
        assert failure is None and {e.id for e in entries} == served_ids
