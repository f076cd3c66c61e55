"""Newest first, always: whatever order rows arrive in — a page out of order, a backfill page
with entries newer than rows already shown, a tail batch older than the head — the store holds
them newest first, the view follows, and a cursor stays on its entry."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.api.paging import EntriesLoaded, Pager
from logview.demo import DemoServer, DemoState
from logview.files.columns import NO_TIME
from logview.model import Filters
from logview.session import ViewerSession
from logview.store import EntryStore, FilteredView
from logview.store.order import order_keys
from support import aitronos
from test_store import AIT, ait, ids

UTC = timezone.utc


def timed_newest_first(store: EntryStore) -> bool:
    times = store.span("time", store.head, store.tail)
    times = times[times != NO_TIME]
    return bool((times[:-1] >= times[1:]).all())


def order(store: EntryStore) -> list[str]:
    return ids(store, np.arange(store.head, store.tail))


def test_a_page_out_of_order_is_held_newest_first() -> None:
    store = EntryStore(AIT)
    page = [ait(i) for i in range(20)]
    random.Random(1).shuffle(page)
    store.append(page)
    assert order(store) == [f"log_{i}" for i in range(20)]


def test_a_backfill_page_newer_than_rows_shown_is_merged_into_place() -> None:
    store = EntryStore(AIT)
    view = FilteredView(store, Filters(statuses=("error",)))
    store.append([ait(i, status="error" if i % 4 else "success") for i in range(0, 40, 2)])  # minutes 0, 2, … 38
    view.sync()
    cursor = view.ordinal(5)  # the user's cursor: the sixth error shown
    cursor_id = store.entry(cursor).id
    assert cursor_id == "log_22"
    later = [ait(i, status="error") for i in (31, 7, 45, 3)]  # mostly newer than the oldest shown
    store.append(later)
    change = view.sync()
    assert change.reordered and not change.reset
    assert order(store) == [f"log_{i}" for i in sorted([*range(0, 40, 2), 31, 7, 45, 3])]
    assert ids(store, view.index) == ids(store, store.select(view.filters).index)
    assert store.entry(change.follow(store.moves, cursor, change.moves[0])[0]).id == cursor_id  # the cursor's entry is found again
    assert view.others_total == len(store) and sum(view.option_counts) == len(store)


def test_a_tail_batch_older_than_the_head_is_merged_into_place() -> None:
    store = EntryStore(AIT)
    view = FilteredView(store)
    store.append([ait(i) for i in range(10, 30)])
    view.sync()
    top = view.ordinal(0)
    store.prepend([ait(i) for i in (2, 15, 0, 27)])  # a live batch, two of them older than the head
    change = view.sync()
    assert change.reordered
    assert order(store) == [f"log_{i}" for i in sorted([*range(10, 30), 2, 15, 0, 27])]
    assert len(view) == 24 and store.entry(change.follow(store.moves, top, change.moves[0])[0]).id == "log_10"
    assert change.prepended == 4  # all four sit above log_28, the first row that kept its ordinal


def test_in_order_arrivals_move_nothing() -> None:
    store = EntryStore(AIT)
    view = FilteredView(store)
    store.append([ait(i) for i in range(10)])
    store.append([ait(i) for i in range(9, 20)])  # a tie at the boundary is in order
    store.prepend([ait(-i, minutes=-i) for i in range(3, 0, -1)])
    change = view.sync()
    assert store.moves.version == 0 and not change.reordered
    assert change.prepended == 3 and change.appended == 21


def test_rows_without_a_time_stay_after_the_row_they_came_after() -> None:
    store = EntryStore(AIT)
    bad = AIT.entry_from_raw({"id": "no-time", "created_at": "never", "status": "error"})
    store.append([ait(1), bad, ait(3)])
    store.append([ait(2), ait(4)])
    assert order(store) == ["log_1", "no-time", "log_2", "log_3", "log_4"]
    assert timed_newest_first(store)


def test_order_keys_never_overflow_and_put_timeless_rows_after_their_neighbour() -> None:
    times = np.array([NO_TIME, 5, NO_TIME, 3, np.iinfo(np.int64).max, NO_TIME], dtype=np.int64)
    keys = order_keys(times)
    assert keys[0] == np.iinfo(np.int64).min and keys[2] == keys[1] and keys[5] == keys[4]
    assert keys[1] < keys[3] and keys[4] < keys[3]


def test_a_search_run_in_a_thread_follows_rows_that_moved_meanwhile() -> None:
    store = EntryStore(AIT)
    store.append([ait(i, tool="gmail.send" if i % 3 == 0 else "slack.post") for i in range(0, 30, 2)])
    job = store.search_job("gmail")
    store.append([ait(i, tool="gmail.send") for i in (5, 11, 1)])  # merged into place before the job ends
    job.run()
    assert store.finish_search(job)
    view = FilteredView(store, Filters(search="gmail"))
    expected = [e for e in store.entries(np.arange(store.head, store.tail)) if e.raw.get("tool") == "gmail.send"]
    assert ids(store, view.index) == [e.id for e in expected]


def test_the_cap_drops_the_oldest_after_a_merge() -> None:
    store = EntryStore(AIT, max_entries=10)
    store.append([ait(i) for i in range(0, 20, 2)])
    store.prepend([ait(5), ait(-1, minutes=-1)])
    assert order(store) == ["log_-1", "log_0", "log_2", "log_4", "log_5", "log_6", "log_8", "log_10", "log_12",
                            "log_14"]


# -- generated: any arrival order, any filter -------------------------------------------------------

arrivals = st.lists(st.tuples(st.booleans(), st.lists(st.one_of(st.none(), st.integers(0, 60)), max_size=12)),
                    max_size=10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrivals, st.sampled_from([Filters(), Filters(statuses=("error",)), Filters(search="b")]),
       st.integers(0, 200))
def test_any_arrival_order_is_held_newest_first_and_the_view_follows(batches, filters, pick) -> None:
    store = EntryStore(AIT, capacity=4)
    view = FilteredView(store, filters)
    number = 0
    for live, minutes in batches:
        batch = []
        for value in minutes:
            number += 1
            if value is None:
                batch.append(AIT.entry_from_raw({"id": f"t{number}", "created_at": "?", "status": "error", "x": "b"}))
            else:
                batch.append(ait(number, minutes=value, status=("error", "success")[number % 2], note="ab"[number % 2]))
        cursor, numbered = view.ordinal(pick % len(view)) if len(view) else None, store.moves.version
        before = store.entry(cursor).id if cursor is not None else None
        (store.prepend if live else store.append)(batch)
        change = view.sync()
        assert timed_newest_first(store)
        assert ids(store, view.index) == ids(store, store.select(filters).index)
        if cursor is not None:
            assert store.entry(change.follow(store.moves, cursor, numbered)[0]).id == before
    assert sorted(order(store)) == sorted({*order(store)}) and len(store) == number


# -- the viewer's session over a server that sends pages out of order --------------------------------

def test_the_viewer_holds_a_disordered_server_newest_first(fresh_server: DemoServer) -> None:
    state = fresh_server.state
    base = datetime(2025, 11, 1, tzinfo=UTC)
    # filed one second apart, but every third entry says it is a day newer: pages out of time order
    rows = [(base - timedelta(seconds=i), {"id": f"m{i:03d}", "status": "success",
                                            "created_at": (base + timedelta(days=i) if i % 3 == 0 else
                                                           base - timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")})
            for i in range(120)]
    state.insert_raw("aitronos", rows)
    state.broken.set(["unordered"])
    session = ViewerSession(AIT, Filters(), max_entries=None)
    session.begin(clear_now=True)

    async def load() -> None:
        source, client = aitronos(fresh_server, page_limit=25)
        async with client:
            async for event in Pager(source, client).backfill():
                if isinstance(event, EntriesLoaded):
                    session.loaded(event.entries, live=False, pages=event.pages, total=event.total)

    asyncio.run(load())
    assert len(session.store) == 120 and timed_newest_first(session.store)
    assert ids(session.store, session.view.index)[:3] == ["m117", "m114", "m111"]
