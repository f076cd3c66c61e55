"""Archived rows in the viewer's store: their columns come from the archive (no entry object each)
and each entry is read back from its raw JSON when it is wanted. Whatever the entries hold, such
a store must be the store the entries themselves would make: the same columns, the same entries
(as their API's parser made them when fetched), the same search hits and filters; fetched rows may
come before and after them, and a merged timeline reads them too."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.archive import Archive, ArchivedSource, identity_of
from logview.jsonutil import load_json
from logview.model import Filters, LogEntry
from logview.store import EntryStore, FilteredView
from logview.store.archived import ARCHIVED_CACHE, GONE, EntryList
from logview.store.codes import CODE_FIELDS

from archive_support import AITRONOS, SUPERMETRICS, aitronos_entries, append_handed, supermetrics_entries, word_of
from test_fast_parse import described
from test_filecolumns import raw_entries, well_typed
from test_hostile_data import aitronos_entries as hostile_aitronos
from test_hostile_data import supermetrics_entries as hostile_supermetrics

SOURCES = {"aitronos": AITRONOS, "supermetrics": SUPERMETRICS}
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def archived_part(archive: Archive, kind: str) -> ArchivedSource:
    identity = identity_of(SOURCES[kind])
    assert identity is not None
    return archive.source(identity)


def archived_store(archived: ArchivedSource, kind: str, *, first: int = 7, then: int = 50,
                   **options: Any) -> EntryStore:
    """A store of everything archived, in chunks as the viewer paints a span."""
    store = EntryStore(SOURCES[kind], **options)
    ahead = archived.count_in()
    for chunk in archived.column_chunks(first=first, then=then):
        store.append_archived(chunk, archived, ahead)
        ahead -= len(chunk)
    return store


def memory_store(entries: list[LogEntry], kind: str, **options: Any) -> EntryStore:
    store = EntryStore(SOURCES[kind], **options)
    store.append(entries)
    return store


def archived_order(archived: ArchivedSource, originals: list[LogEntry]) -> list[LogEntry]:
    """The entries as the archive holds them (the last copy of an id: a copy sent again replaces
    the one archived, ca00632), in its order."""
    last = {entry.id: entry for entry in originals}
    rowids = archived.columns().rowid.tolist()
    rebuilt = [archived.api_source.entry_from_raw(load_json(raw)) for raw in archived.raw(rowids)]
    return [last[entry.id] for entry in rebuilt]


def decoded(store: EntryStore, name: str) -> list[Any]:
    values = store.categories(name).values
    return [values[code] for code in store.span(name, store.head, store.tail).tolist()]


def assert_same_store(archived: EntryStore, memory: EntryStore) -> None:
    assert (archived.head, archived.tail, archived.ready) == (memory.head, memory.tail, memory.ready)
    lo, hi = memory.head, memory.tail
    for name in ("time", "invalid"):
        assert np.array_equal(archived.span(name, lo, hi), memory.span(name, lo, hi)), name
    assert np.array_equal(archived.span("duration", lo, hi), memory.span("duration", lo, hi), equal_nan=True)
    for name in CODE_FIELDS:
        assert [(v, type(v)) for v in decoded(archived, name)] == [(v, type(v)) for v in decoded(memory, name)], name
    ordinals = np.arange(lo, hi)
    assert [described(e) for e in archived.entries(ordinals)] == [described(e) for e in memory.entries(ordinals)]
    assert [archived.entry(o).raw for o in range(lo, hi)] == [memory.entry(o).raw for o in range(lo, hi)]


def temporary_archive() -> tuple[tempfile.TemporaryDirectory, Archive]:
    folder = tempfile.TemporaryDirectory()
    return folder, Archive.open(Path(folder.name) / "archive.sqlite3")


# -- the store an archive paints is the store its entries make --------------------------------

@pytest.mark.parametrize("kind,make", [("aitronos", aitronos_entries), ("supermetrics", supermetrics_entries)])
def test_archived_rows_are_the_rows_their_entries_make(tmp_path, kind, make) -> None:
    originals = make(900, seed=3)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archived = archived_part(archive, kind)
        archived.store(originals)
        store = archived_store(archived, kind)
        memory = memory_store(archived_order(archived, originals), kind)
        assert_same_store(store, memory)
        assert not store.span("held", store.head, store.tail).any() and store.held.entries == [None]  # nothing held
        for needle in ("gmail", "429", "data.page", "no such text", "E"):
            wanted = Filters(search=needle)
            assert np.array_equal(FilteredView(store, wanted).index, FilteredView(memory, wanted).index), needle
        for filters in (Filters(statuses=(SOURCES[kind].status_choices[1],)), Filters(event="data.page"),
                        Filters(tool="gmail.send"), Filters(error=next(iter(memory.facet_values("error")), "x"))):
            assert np.array_equal(FilteredView(store, filters).index, FilteredView(memory, filters).index)


def hostile(kind: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    odd = hostile_aitronos() if kind == "aitronos" else hostile_supermetrics()
    names = st.sampled_from(["5", "123", "[1]", "True", "1e+16", "fetch"])
    doubled = st.builds(lambda raw, tool, event, cred, number: {**raw, "tool": tool, "event": event,
                                                                "credential_id": cred, "status": number},
                        well_typed(kind), st.one_of(names, st.integers(0, 200), st.just([1]), st.booleans()),
                        st.one_of(names, st.floats(1e15, 1e17)), st.one_of(names, st.integers()),
                        st.one_of(st.integers(-2**80, 2**80), st.sampled_from([200, 2**70, "2" * 25])))
    return st.lists(st.one_of(raw_entries(kind), well_typed(kind), odd, doubled), max_size=12)


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
@PROPERTY
@given(data=st.data())
def test_any_entries_archived_make_the_store_their_entries_make(kind: str, data: st.DataObject) -> None:
    source = SOURCES[kind]
    originals = [source.entry_from_raw(raw) for raw in data.draw(hostile(kind))]
    folder, archive = temporary_archive()
    with folder, archive:
        archived = archived_part(archive, kind)
        archived.store(originals)  # (a lone surrogate in a text column too: written escaped, read back as is)
        store = archived_store(archived, kind, first=1, then=3)
        memory = memory_store(archived_order(archived, originals), kind)
        assert_same_store(store, memory)
        # search: letters only (a number matches as written in the archive, as in a file)
        texts = [v for e in memory.entries(np.arange(memory.head, memory.tail)) if isinstance(e.raw, dict)
                 for v in e.raw.values() if isinstance(v, str)]
        letters = st.sampled_from(texts or ["x"]).map(lambda text: "".join(c for c in text if c.isalpha()))
        needle = data.draw(st.one_of(letters, st.text("abcdefgsuvwxyz", min_size=1, max_size=3)))
        if needle:
            wanted = Filters(search=needle)
            assert np.array_equal(FilteredView(store, wanted).index, FilteredView(memory, wanted).index)
        # the server's filters, on the archive's columns, are `Source.matches`
        columns = archived.columns()
        rebuilt = store.entries(np.arange(store.head, store.tail))
        values = sorted({str(v) for e in rebuilt if isinstance(e.raw, dict) for v in e.raw.values()})[:5] + ["5"]
        filters = Filters(statuses=data.draw(st.lists(st.sampled_from(source.status_choices), max_size=2, unique=True)),
                          credential=data.draw(st.one_of(st.none(), st.sampled_from(values))),
                          event=data.draw(st.one_of(st.none(), st.sampled_from(values))),
                          tool=data.draw(st.one_of(st.none(), st.sampled_from(values))))
        assert columns.matching(source, filters).tolist() == [source.matches(e, filters) for e in rebuilt]


# -- fetched rows around archived ones; what the entries are when read ------------------------

def test_fetched_rows_come_before_and_after_archived_ones(tmp_path) -> None:
    entries = supermetrics_entries(300, seed=8)
    newer, middle, older = entries[:20], entries[20:200], entries[200:]
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archived = archived_part(archive, "supermetrics")
        archived.store(middle)
        store = archived_store(archived, "supermetrics", first=50, then=64)
        store.append(older)  # a gap's pages, after the span
        store.prepend(newer)  # what was newer than the archive, on top
        view = FilteredView(store)
        ordinals = view.index
        expected = [e.id for e in newer + archived_order(archived, middle) + older]
        assert [e.id for e in store.entries(ordinals)] == expected
        assert [store.entry(int(o)).id for o in ordinals] == [e.id for e in store.entries(ordinals)]
        listed = store.entries(ordinals)
        assert isinstance(listed, EntryList) and len(listed) == 300
        assert [e.id for e in listed[15:25]] == [store.entry(int(o)).id for o in ordinals[15:25]]
        assert listed[-1].id == older[-1].id
        assert store.entries(ordinals[:20]) == newer  # all in memory: a plain list
        hits = FilteredView(store, Filters(search=middle[5].raw["request_id"])).index
        assert [store.entry(int(o)).id for o in hits] == [middle[5].id]


def test_reading_many_archived_entries_keeps_only_a_few(tmp_path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archived = archived_part(archive, "aitronos")
        archived.store(aitronos_entries(3000, seed=2))
        store = archived_store(archived, "aitronos", first=500, then=1000)
        assert len(store.cols["time"]) <= 3000 + 128  # sized once for what the span holds, not by doubling
        for ordinal in range(store.head, store.tail):
            store.entry(ordinal)
        assert len(store.backings._cache) <= ARCHIVED_CACHE
        assert store.held.entries == [None]  # (the rows name no entry in memory: 4 bytes each, all 0)
        assert store.cols["held"].nbytes == 4 * len(store.cols["held"]) and not store.cols["held"].any()


def test_an_entry_pruned_from_the_archive_is_shown_as_gone(tmp_path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archived = archived_part(archive, "supermetrics")
        archived.store(supermetrics_entries(100, seed=4))
        store = archived_store(archived, "supermetrics")
        archive.prune(max_entries=60)
        oldest = store.entry(store.tail - 1)
        assert oldest.invalid == GONE and oldest.raw == {}
        assert store.entry(store.head).invalid is None  # the newest are still there
        assert len(FilteredView(store, Filters(search="a")).index) <= 60


def test_a_merged_timeline_reads_archived_rows_of_its_parts(tmp_path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        ait, sm = archived_part(archive, "aitronos"), archived_part(archive, "supermetrics")
        ait.store(aitronos_entries(150, seed=5))
        sm.store(supermetrics_entries(150, seed=6))
        parts = [("a", archived_store(ait, "aitronos")), ("s", archived_store(sm, "supermetrics"))]
        parts[1][1].prepend(supermetrics_entries(3, seed=7, now_us=1_763_300_000_000_000))
        from logview.sources.mixed import MixedSource

        merged = EntryStore(MixedSource())
        part_of, ordinal_of = merged.merge_from(parts)
        for ordinal in range(merged.head, merged.tail, 7):
            index = ordinal - merged.head
            label, part = parts[int(part_of[index])]
            assert described(merged.entry(ordinal)) == described(part.entry(int(ordinal_of[index])))
        hits = FilteredView(merged, Filters(search="gmail")).index
        assert len(hits) and all("gmail" in str(merged.entry(int(o)).raw).lower() for o in hits)


def test_reading_a_few_archived_rows_does_not_visit_the_whole_source(tmp_path) -> None:
    # SQLite's planner would take the index on the source and walk every row of it for `rowid IN`
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archived = archived_part(archive, "supermetrics")
        archived.store(supermetrics_entries(20_000, seed=9))
        rowids = archived.columns().rowid[5_000:5_010].tolist()
        steps = [0]

        def count() -> int:
            steps[0] += 1
            return 0

        connection = archived._bulk().connection
        connection.set_progress_handler(count, 100)
        assert len(archived.raw_found(rowids)) == 10
        connection.set_progress_handler(None, 0)
        assert steps[0] < 50  # (visiting the source's 20,000 rows takes thousands)


# -- fetched entries let go once archived ------------------------------------------------------

@pytest.mark.parametrize("kind,make", [("aitronos", aitronos_entries), ("supermetrics", supermetrics_entries)])
def test_fetched_rows_let_go_of_their_entries_once_archived_and_read_them_back(tmp_path, kind, make) -> None:
    """What the writer reports after each commit (`EntryStore.archived`): the store becomes the
    store the archive would paint, search and all, and holds none of the archived entries."""
    entries = make(600, seed=8)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archived = archived_part(archive, kind)
        store = EntryStore(SOURCES[kind])
        store.held.track()
        tickets = append_handed(store, entries[:400])
        store.set_search("e")  # (texts made for the entries held)
        archived.store(entries[:300])  # three pages of four archived: the fourth not yet
        found = archived.rowids([e.id for e in entries[:300]])
        assert len(found) == len({e.id for e in entries[:300]})
        memory = memory_store(entries[:400], kind)
        assert store.archived([word_of(archived, tickets[:3], entries[:300])], archived) == len(found)
        assert store.archived([word_of(archived, tickets[:3], entries[:300])], archived) == 0  # (said twice: nothing more)
        backing = store.span("backing", store.head, store.tail)
        assert (backing > 0).sum() == len(found) and not store.span("held", store.head, store.tail)[backing > 0].any()
        assert sum(e is not None for e in store.held.entries) == 400 - len(found)
        assert sum(t is not None for t in store.held.texts) == 400 - len(found)
        assert_same_store(store, memory)
        for needle in ("gmail", "429", "data.page", "E"):
            wanted = Filters(search=needle)
            assert np.array_equal(FilteredView(store, wanted).index, FilteredView(memory, wanted).index), needle


def test_an_entry_not_archived_stays_held(tmp_path) -> None:
    entries = supermetrics_entries(50, seed=2)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archived = archived_part(archive, "supermetrics")
        store = EntryStore(SUPERMETRICS)
        early = append_handed(store, entries[:10])  # (not tracked yet: never let go)
        store.held.track()
        later = append_handed(store, entries[10:])
        archived.store(entries)
        store.archived([word_of(archived, early, entries[:10]), word_of(archived, later, entries[10:])], archived)
        assert store.held.take(store.span("held", store.head, store.tail)) == \
            entries[:10] + [None] * 40  # (the rows in the store's order: the first ten, then archived)


def test_a_search_in_a_thread_finds_the_rows_archived_while_it_ran(tmp_path) -> None:
    entries = supermetrics_entries(300, seed=4)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archived = archived_part(archive, "supermetrics")
        store = EntryStore(SUPERMETRICS)
        store.held.track()
        tickets = append_handed(store, entries)
        memory = memory_store(entries, "supermetrics")
        for needle in ("data.page", "e"):
            job = store.search_job(needle)
            archived.store(entries[100:200])  # meanwhile, a page is archived and let go
            store.archived([word_of(archived, tickets[1:2], entries[100:200])], archived)
            job.run()
            assert store.finish_search(job)
            wanted = Filters(search=needle)
            assert np.array_equal(FilteredView(store, wanted).index, FilteredView(memory, wanted).index), needle


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_rows_the_archives_word_names_are_each_row_holding_an_entry_it_names(data: st.DataObject) -> None:
    """`HeldEntries.archived` (the rows of a store's `held` column that hold an entry of a page the
    words name, each with its rowid at the entry's place in the page) is the plain loop's answer,
    whatever the rows' order (a tail's rows come before a backfill's), the pages' entries kept in
    another order or in part (a head sorted, a page filtered), entries let go, rowids 0 (pruned),
    pages never bound or named twice (the second time: nothing)."""
    from logview.archive.gathering import Handed
    from logview.store.held import HeldEntries

    held = HeldEntries(track=True)
    pages: list[tuple[Handed, dict[int, int]]] = []  # each page, and its places' held indices
    for size in data.draw(st.lists(st.integers(1, 12), max_size=6)):
        ticket = Handed(size)
        places = data.draw(st.one_of(st.none(), st.permutations(range(size)).flatmap(
            lambda order: st.integers(0, len(order)).map(lambda n: order[:n]))))
        kept = size if places is None else len(places)
        first = len(held.entries)
        held.add([LogEntry(f"e{first + i}", None, None, {}, "supermetrics") for i in range(kept)])
        if data.draw(st.booleans()) or not pages:  # (a page some batch never bound: named, nothing held)
            held.bind([(0, (ticket, None if places is None else list(places)))], first)
            pages.append((ticket, {place: first + i for i, place in enumerate(range(size) if places is None else places)}))
        else:
            pages.append((ticket, {}))
    count = len(held.entries) - 1
    column = np.array(data.draw(st.permutations(list(range(1, count + 1)) + [0] * data.draw(st.integers(0, 5)))),
                      dtype=np.int32)
    for index in data.draw(st.lists(st.integers(1, max(count, 1)), max_size=5)) if count else ():
        held.release(np.array([index]))
    alive = [entry is not None for entry in held.entries]
    said = data.draw(st.lists(st.sampled_from(range(len(pages))), max_size=8)) if pages else []
    rowid = iter(range(1000, 2000))
    words = [([pages[n][0]], [next(rowid) if data.draw(st.booleans()) else 0 for _ in range(pages[n][0].size)])
             for n in said]
    taken: dict[int, int] = {}  # held index → rowid, each page's first word only
    for at, n in enumerate(said):
        if n in said[:at]:
            continue
        rowids = words[at][1]
        taken.update((index, rowids[place]) for place, index in pages[n][1].items() if rowids[place] and alive[index])
    expected = [(position, taken[index]) for position, index in enumerate(column.tolist()) if index in taken]
    positions, at = held.archived(words, column)
    assert sorted(zip(positions.tolist(), at.tolist())) == expected
    assert held.archived(words, column)[0].tolist() == []  # (said again: nothing more)


# -- a lone surrogate (JSON `"\ud800"`) in an entry's text: archived as received --------------

def test_an_entry_with_a_lone_surrogate_in_its_texts_is_archived_and_read_back_as_received(tmp_path) -> None:
    odd = "x\ud800y"
    raws = [{**(e.raw if isinstance(e.raw, dict) else load_json(e.raw)), "id": f"s{i}\ud800"}
            for i, e in enumerate(aitronos_entries(4, seed=5))]
    raws[0] |= {"event": odd, "tool": odd, "credential_id": odd, "error": {"message": odd}, "status": odd}
    raws[1] |= {"event": "plain", "message": odd}
    raws[2]["id"] = "plain-id"
    originals = [AITRONOS.entry_from_raw(raw) for raw in raws]
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archived = archived_part(archive, "aitronos")
        assert archived.store(originals) == 4
        assert archived.store(originals) == 0  # the same ids again: archived once
        rowids = archived.rowids([e.id for e in originals])
        assert sorted(rowids) == sorted(e.id for e in originals)
        assert {load_json(raw)["id"]: load_json(raw) for raw in archived.raw(list(rowids.values()))} == \
            {raw["id"]: raw for raw in raws}
        store = archived_store(archived, "aitronos")
        assert_same_store(store, memory_store(archived_order(archived, originals), "aitronos"))
        assert odd in decoded(store, "event") and odd in decoded(store, "credential")
        rebuilt = store.entries(np.arange(store.head, store.tail))
        columns = archived.columns()
        for filters in (Filters(event=odd), Filters(tool=odd), Filters(credential=odd), Filters(event="plain")):
            assert columns.matching(AITRONOS, filters).tolist() == [AITRONOS.matches(e, filters) for e in rebuilt]
            assert columns.matching(AITRONOS, filters).any()
