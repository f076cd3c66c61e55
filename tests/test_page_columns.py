"""A typed Supermetrics page carries its columns from the parse to the store
(`sources/page_columns.py`): the pager's checks, the head, the store's codes and the archive's
hand-off read the columns instead of each entry. That must be exact: on random pages (honest ones
and pages that break the contract: ids repeated within a page or from the page before, times out
of order, entries at or after the cursor, a cursor that does not move), the column path must take
the same entries, note the same problems, strike alike, move the head and the cursor alike, and
code the same columns as the per-entry path over the very same entries (a plain list of them)."""

from __future__ import annotations

import json
import pickle
import sys
from datetime import datetime, timedelta, timezone
from operator import attrgetter, is_
from typing import Any

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.api.contract import RecentIds, stream_contract
from logview.api.head import Head
from logview.files.jsonl import source_for_kind
from logview.model import Page
from logview.archive.tail import newest_time
from logview.sources.page_columns import ColumnEntries, columns_of, first, oldest_time
from logview.sources.typed_page import PageEntry, typed_texts_and_times, undecoded
from logview.store.codes import Codes
from logview.times import epoch_us, format_api_time

from test_codes_bulk import assert_columns_equal
from test_fast_parse import described as fields_of

BASE = datetime(2025, 11, 15, 10, 0, tzinfo=timezone.utc)
# few ids and few times, so that pages repeat ids, tie, and fall out of order
STAMPS = [format_api_time(BASE - timedelta(milliseconds=ms)) for ms in (0, 1, 2, 500, 1000, 1001, 3000)]
ENTRY = st.fixed_dictionaries({"id": st.sampled_from("abcdefghij"), "log_time": st.sampled_from(STAMPS)}, optional={
    "status": st.one_of(st.none(), st.sampled_from([200, 429, 500])),
    "event": st.one_of(st.none(), st.sampled_from(["fetch", "auth"])),
    "duration_ms": st.one_of(st.none(), st.integers(0, 5000))})
NEWEST_FIRST = st.lists(ENTRY, min_size=1, max_size=12).map(
    lambda logs: sorted(logs, key=lambda log: log["log_time"], reverse=True))
PAGE = st.one_of(NEWEST_FIRST, NEWEST_FIRST, st.lists(ENTRY, min_size=1, max_size=12))
CURSOR = st.one_of(st.none(), st.sampled_from(STAMPS + [format_api_time(BASE + timedelta(seconds=1))]))


def described(entries: Any) -> list[tuple[Any, ...]]:
    """Each entry's fields, types included, and its raw value (read: a typed entry made of its
    columns is read last, after what would read its text unread)."""
    return [(type(entry), *fields_of(entry), entry.raw) for entry in entries]


def take(source: Any, page: Page, cursor: Any, state: dict[str, Any]) -> dict[str, Any]:
    """One page through the pager's steps (`Pager._pages`), as they run on `state`'s stream."""
    recent, contract, head = state["recent"], state["contract"], state["head"]
    checked = contract.check(page, cursor)
    fresh = recent.take_new(checked.entries)
    contract.took(fresh)
    head.note(fresh)
    return {"checked": checked.entries, "ignored": checked.ignored, "fresh": fresh,
            "next": contract.next_cursor(page, checked, cursor), "lower": source.reached_lower_bound(
                Page(checked.entries), state["query"])}


def stream(source: Any) -> dict[str, Any]:
    from logview.model import ServerQuery

    recent = RecentIds(capacity=6)  # (small: the oldest ids are let go within a few pages)
    return {"recent": recent, "contract": stream_contract(source, recent.__contains__), "head": Head(),
            "query": ServerQuery(start=BASE - timedelta(seconds=2))}


def state_of(state: dict[str, Any]) -> tuple[Any, ...]:
    contract, head, recent = state["contract"], state["head"], state["recent"]
    return (contract.floor, contract.strikes, contract.doubts, dict(contract.problems), contract.inclusive,
            contract.at_or_after, head.time, head.ids, list(recent._order), recent._members)


def assert_columns_describe(entries: Any) -> None:
    columns = columns_of(entries)
    if columns is None or not entries:
        return
    assert columns.ids == [entry.id for entry in entries]
    assert columns.times == [entry.time for entry in entries]
    assert columns.times_us == [epoch_us(entry.time) for entry in entries]
    assert columns.statuses == [entry.status for entry in entries]
    texts = undecoded(list(entries))
    assert texts is not None
    assert [(bytes(t), e, d) for t, e, d in texts] == [
        (bytes(t), e, d) for t, e, d in zip(columns.texts, columns.events, columns.durations)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PAGE, CURSOR), min_size=1, max_size=4))
def test_the_pagers_checks_on_columns_are_the_checks_on_entries(pages: list[tuple[list[Any], Any]]) -> None:
    source = source_for_kind("supermetrics")
    by_columns, by_entries = stream(source), stream(source)
    codes_by_columns, codes_by_entries = Codes(source), Codes(source)
    for logs, cursor in pages:
        body = orjson.dumps({"logs": logs})
        parsed = source.parse_page(body)  # (its entries made only when read)
        assert columns_of(parsed.entries) is not None and not parsed.entries.filled
        plain = Page(list(source.parse_page(body).entries))  # the same entries, no columns: the per-entry path
        try:
            ours = take(source, parsed, cursor, by_columns)
        except Exception as error:  # (a third strike: the same on both paths)
            with pytest.raises(type(error), match=str(error)[:40]):
                take(source, plain, cursor, by_entries)
            return
        theirs = take(source, plain, cursor, by_entries)
        assert state_of(by_columns) == state_of(by_entries)
        fresh, their_fresh = ours.pop("fresh"), theirs.pop("fresh")
        assert_columns_equal(codes_by_columns.encode(fresh), {
            name: values.tolist() for name, values in codes_by_entries.encode(list(their_fresh)).items()})
        assert [t.values for t in codes_by_columns.tables()] == [t.values for t in codes_by_entries.tables()]
        assert typed_texts_and_times(fresh) == typed_texts_and_times(list(their_fresh))
        assert described(ours.pop("checked")) == described(theirs.pop("checked"))
        assert ours == theirs
        assert_columns_describe(fresh)
        assert described(fresh) == described(their_fresh)
        assert {type(entry) for entry in fresh} <= {PageEntry}


@settings(max_examples=100, deadline=None)
@given(st.lists(NEWEST_FIRST, min_size=1, max_size=4), st.integers(0, 30))
def test_pages_gathered_and_cut_keep_columns_that_describe_them(pages: list[list[Any]], cut: int) -> None:
    source = source_for_kind("supermetrics")
    gathered = ColumnEntries()
    for logs in pages:
        gathered.extend(source.parse_page(orjson.dumps({"logs": logs})).entries)
    assert columns_of(gathered) is not None
    assert_columns_describe(gathered)
    plain = list(gathered)
    assert (oldest_time(gathered), newest_time(gathered)) == (oldest_time(plain), newest_time(plain))
    head = first(gathered, cut)
    assert list(head) == list(gathered)[:cut] and (columns_of(head) is not None or not head)
    assert_columns_describe(head)


@pytest.mark.parametrize("change", [
    lambda entries: entries.append(entries[0]), lambda entries: entries.insert(0, entries[0]),
    lambda entries: entries.pop(), lambda entries: entries.remove(entries[0]), lambda entries: entries.reverse(),
    lambda entries: entries.sort(key=lambda e: e.id), lambda entries: entries.__setitem__(0, entries[1]),
    lambda entries: entries.__delitem__(0), lambda entries: entries.__iadd__([entries[0]]),
    lambda entries: entries.__imul__(2), lambda entries: entries.clear(), lambda entries: entries.extend([entries[0]]),
])
def test_a_list_changed_otherwise_forgets_its_columns(change: Any) -> None:
    source = source_for_kind("supermetrics")
    entries = source.parse_page(orjson.dumps({"logs": [{"id": i, "log_time": STAMPS[0]} for i in "abc"]})).entries
    assert columns_of(entries) is not None
    change(entries)
    assert columns_of(entries) is None  # (the per-entry path then reads them)
    assert columns_of(entries[:2]) is None and columns_of(list(entries)) is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(STAMPS), st.sampled_from(["2025-11-15T10:00:00+01:00", " 2025-11-15T10:00:00Z",
                                                                     "2025-11-15T10:00:00", "tomorrow"])),
                min_size=1, max_size=12), st.integers(1, 4))
def test_a_pages_times_and_microseconds_are_found_together_as_each_alone(stamps: list[str], limit: int) -> None:
    from logview.sources import api_times

    found = api_times.api_times_and_us(stamps)
    times = [api_times.api_time(stamp) for stamp in stamps]
    if None in times:
        assert found is None
    else:
        assert found == (times, [epoch_us(moment) for moment in times])
        assert [(m.tzinfo, m.utcoffset()) for m in found[0]] == [(m.tzinfo, m.utcoffset()) for m in times]
    saved = api_times._MICROS_LIMIT
    api_times._MICROS_LIMIT = limit  # (the cache emptied while a page is looked up: the same)
    try:
        assert api_times.api_times_and_us(stamps) == found and api_times.api_times_and_us(stamps) == found
    finally:
        api_times._MICROS_LIMIT = saved


def store_of(source: Any, batches: list[Any], *, track: bool = False) -> Any:
    from logview.store import EntryStore

    store = EntryStore(source, max_entries=None)
    if track:
        store.held.track()
    for batch in batches:
        store.append(batch)
    return store


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(ENTRY, min_size=1, max_size=6, unique_by=lambda log: log["id"]).map(
    lambda logs: sorted(logs, key=lambda log: log["log_time"], reverse=True)), min_size=1, max_size=4),
    st.sampled_from(["fetch", "200", "a", None]), st.integers(0, 3))
def test_a_store_of_typed_pages_makes_each_entry_when_read_as_the_entry_path_holds_it(
        pages: list[list[Any]], needle: str | None, drop: int) -> None:
    """Typed pages held as their columns (`store/held_columns.py`): each row's entry, made when
    read, is the one the per-entry path holds; searches, the oldest rows dropped and rows the
    archive took (let go) alike; a page's columns go once all its rows are let go."""
    source = source_for_kind("supermetrics")
    bodies = [orjson.dumps({"logs": [dict(log, id=f"{n}{log['id']}") for log in logs]}) for n, logs in enumerate(pages)]
    typed = [source.parse_page(body).entries for body in bodies]
    assert all(columns_of(batch) is not None and not batch.filled for batch in typed)
    ours, theirs = store_of(source, typed, track=True), store_of(source, [list(source.parse_page(b).entries) for b in bodies], track=True)
    ours.set_search(needle)  # (before any entry was made: the search makes them)
    theirs.set_search(needle)
    assert ours.span("hit", ours.head, ours.tail).tolist() == theirs.span("hit", theirs.head, theirs.tail).tolist()
    rows = range(ours.head, ours.tail)
    assert described([ours.entry(o) for o in rows]) == described([theirs.entry(o) for o in rows])
    for store in (ours, theirs):
        store._drop_oldest(min(drop, len(store)))
    rows = range(ours.head, ours.tail)
    assert described(ours.entries(np.arange(ours.head, ours.tail))) == described(theirs.entries(np.arange(theirs.head, theirs.tail)))
    held = ours.span("held", ours.head, ours.tail)
    ours.held.release(held.copy(), archived=True)  # (as the archive's word lets them go)
    assert ours.held._columns._parts == [None] * len(typed) and ours.held.take(held) == [None] * len(held)


def test_a_row_let_go_while_a_search_thread_makes_its_entry_is_none_not_a_crash() -> None:
    """`HeldEntries.release` lets a page's columns go before it empties the rows' slots: a search
    running in its thread may ask for a row's entry in between, and must find it gone."""
    from logview.store.held import HeldEntries

    source = source_for_kind("supermetrics")
    held = HeldEntries()
    indices = held.add(source.parse_page(orjson.dumps({"logs": [{"id": "a", "log_time": STAMPS[0]}]})).entries)
    held._columns.release(indices, held.entries)  # (the first half of `release`)
    assert held.entry(int(indices[0])) is None


def test_entries_made_by_two_threads_at_once_are_made_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    source = source_for_kind("supermetrics")
    logs = [{"id": f"e{i}", "log_time": STAMPS[i % len(STAMPS)]} for i in range(3000)]
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # (threads take turns within the making of a page's entries)
    try:
        for _ in range(5):
            entries = source.parse_page(orjson.dumps({"logs": logs})).entries
            with ThreadPoolExecutor(4) as pool:
                seen = list(pool.map(lambda _: list(entries), range(4)))  # (each filling, or waiting)
            assert [[entry.id for entry in made] for made in seen] == [[log["id"] for log in logs]] * 4
            assert len(entries._items) == 3000 and all(  # (made once: the very same entries)
                all(map(is_, made, entries._items)) for made in seen)
    finally:
        sys.setswitchinterval(switching)


def test_a_row_let_go_lets_its_text_go_and_its_page_body_with_the_last() -> None:
    from logview.store.held import HeldEntries

    source = source_for_kind("supermetrics")
    bodies = [orjson.dumps({"logs": [{"id": f"{p}{i}", "log_time": STAMPS[0]} for i in range(3)]}) for p in "ab"]
    unheld = bodies_held(bodies, None)  # (msgspec's texts hold their page's body)
    batch = ColumnEntries()
    for body in bodies:
        batch.extend(source.parse_page(body).entries)
    held = HeldEntries()
    indices = held.add(batch)
    del batch, body
    held.release(indices[:2])  # (two rows of the first page: its body stays for the third)
    still_held = bodies_held(bodies, unheld)
    assert still_held == [True, True]
    held.release(indices[2:3])
    still_held = bodies_held(bodies, unheld)
    assert still_held == [False, True]
    assert held.entry(int(indices[3])).raw == {"id": "b0", "log_time": STAMPS[0]}


def bodies_held(bodies: list[bytes], unheld: list[int] | None) -> Any:
    """Each body's references (`unheld` None), or whether each has more than `unheld` says."""
    counts = [sys.getrefcount(body) for body in bodies]
    return counts if unheld is None else [count > before for count, before in zip(counts, unheld)]


def unfilled_page(count: int = 5) -> ColumnEntries:
    source = source_for_kind("supermetrics")
    logs = [{"id": f"e{i}", "log_time": STAMPS[i % len(STAMPS)], "status": 200} for i in range(count)]
    entries = source.parse_page(orjson.dumps({"logs": logs})).entries
    assert type(entries) is ColumnEntries and not entries.filled and columns_of(entries) is not None
    return entries


def test_c_code_reading_an_unfilled_page_sees_every_entry_or_refuses_it() -> None:
    """No list subclass: C code that takes a list subclass for a list and reads its storage
    directly saw an unfilled page as `[]` (orjson did). Now C code reads the entries through the
    sequence's methods, which fill it (`str.join`, `*args`, a `list(...)` for the JSON encoders),
    or refuses the page itself loudly."""
    ids = [f"e{i}" for i in range(5)]
    assert not isinstance(unfilled_page(), list)
    with pytest.raises(TypeError):
        json.dumps(unfilled_page())
    with pytest.raises(TypeError):
        orjson.dumps(unfilled_page())  # (of the list subclass it wrote b"[]")
    assert json.loads(json.dumps([entry.id for entry in list(unfilled_page())])) == ids
    assert orjson.loads(orjson.dumps([entry.raw for entry in list(unfilled_page())])) == [
        {"id": i, "log_time": STAMPS[n % len(STAMPS)], "status": 200} for n, i in enumerate(ids)]
    assert orjson.loads(orjson.dumps(list(unfilled_page()), default=attrgetter("id"))) == ids
    assert json.loads(json.dumps(list(unfilled_page()), default=attrgetter("id"))) == ids
    assert ",".join(map(attrgetter("id"), unfilled_page())) == ",".join(ids)
    assert ",".join(entry.id for entry in unfilled_page()) == ",".join(ids)
    assert (lambda *entries: [entry.id for entry in entries])(*unfilled_page()) == ids
    assert [*unfilled_page()] == list(unfilled_page()) == list(tuple(unfilled_page())) and len([*unfilled_page()]) == 5
    assert ",".join(unfilled_page()[1:3][n].id for n in range(2)) == "e1,e2"
    assert np.array([entry.id for entry in unfilled_page()]).tolist() == ids


def test_an_unfilled_page_reads_as_the_list_of_its_entries() -> None:
    import copy

    page, plain = unfilled_page(), list(unfilled_page())
    assert len(page) == 5 and bool(page) and not page.filled  # (its length from the columns)
    assert page == plain and plain == page and page != plain[:4] and page == unfilled_page()
    assert page.filled and columns_of(page) is not None  # (read, not changed: the columns kept)
    unfilled = unfilled_page()
    assert unfilled[-1] == plain[-1] and unfilled[1:3] == plain[1:3] and type(unfilled[1:3]) is list
    assert plain[2] in unfilled_page() and unfilled_page().index(plain[2]) == 2 and unfilled_page().count(plain[2]) == 1
    assert list(reversed(unfilled_page())) == plain[::-1] and unfilled_page() + plain[:1] == plain + plain[:1]
    assert plain[:1] + unfilled_page() == plain[:1] + plain and unfilled_page() * 2 == plain * 2
    assert repr(unfilled_page()) == f"ColumnEntries({plain!r})"
    assert not ColumnEntries() and ColumnEntries() == [] and len(ColumnEntries()) == 0
    for made in (copy.copy(unfilled_page()), unfilled_page().copy(), pickle.loads(pickle.dumps(unfilled_page()))):
        assert type(made) is ColumnEntries and not made.filled and columns_of(made) is not None
        assert made == plain
    filled = unfilled_page().fill()
    again = pickle.loads(pickle.dumps(filled))
    assert again.filled and columns_of(again) is not None and again == plain


@pytest.mark.parametrize("nothing", [[], (), ColumnEntries()])
def test_pages_gathered_with_an_empty_batch_stay_unfilled_with_their_columns(nothing: Any) -> None:
    """A backfill's last, empty batch (a cap met exactly: s21) was extended into the gathered pages
    as a plain list, and every entry of them was made (~25k objects, 24 ms of a 100k load)."""
    gathered, plain = unfilled_page(), list(unfilled_page())
    gathered.extend(nothing)
    gathered += nothing
    assert not gathered.filled and columns_of(gathered) is not None and gathered == plain
    gathered = unfilled_page()
    gathered.extend(iter(()))  # (an iterator has no length: taken as it comes, the columns forgotten)
    assert gathered == plain and columns_of(gathered) is None
