"""The entries a store holds in memory, by index (`store/held.py`)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.sources import SupermetricsSource
from logview.store.held import HeldEntries
from logview.store.held_columns import let_go

SM = SupermetricsSource(1, "C1")


def entry(i: int):
    return SM.entry_from_raw({"id": f"e{i}", "log_time": "2025-11-15T12:00:00Z", "status": 200})


def test_indices_start_at_one_and_are_never_given_twice() -> None:
    held = HeldEntries()
    first = held.add([entry(0), entry(1)])
    held.release(first[:1])
    second = held.add([entry(2)])
    assert first.tolist() == [1, 2] and second.tolist() == [3]
    assert [e.id if e else None for e in held.take(np.array([0, 1, 2, 3]))] == [None, None, "e1", "e2"]


def test_release_lets_go_of_entry_and_text_and_ignores_index_zero() -> None:
    held = HeldEntries()
    indices = held.add([entry(0), entry(1)])
    held.texts[1] = "text"
    held.release(np.array([0, indices[0]]))
    assert held.entries[1] is None and held.texts[1] is None and held.entries[2] is not None


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_letting_go_by_runs_is_letting_go_one_by_one(data) -> None:
    """`let_go` (each run of indices at once where they come in runs, as a word's pages do; one by
    one where scattered) sets exactly the items at those indices to None."""
    size = data.draw(st.integers(0, 300))
    runs = data.draw(st.lists(st.tuples(st.integers(0, max(size - 1, 0)), st.integers(1, 60)), max_size=8))
    at = sorted({i for start, length in runs for i in range(start, min(size, start + length))}
                | set(data.draw(st.lists(st.integers(0, max(size - 1, 0)), max_size=40)) if size else ()))
    items = list(range(size))
    let_go(items, np.array(at, dtype=np.int64))
    assert items == [None if i in set(at) else i for i in range(size)]


def test_a_typed_pages_rows_let_go_in_runs_let_go_of_their_texts_and_the_page_with_the_last() -> None:
    from logview.sources.page_columns import ColumnEntries, PageColumns

    texts = [f"t{i}".encode() for i in range(10)]
    page = ColumnEntries(columns=PageColumns(ids=[f"e{i}" for i in range(10)], times=[None] * 10, times_us=[0] * 10,
                                             statuses=[200] * 10, events=[None] * 10, durations=[None] * 10,
                                             texts=list(texts)))
    held = HeldEntries()
    indices = held.add(page)
    held.release(indices[[2, 3, 4, 7]], archived=True)  # (a run, and one apart)
    part = held._columns._parts[0]
    assert part is not None and [t is None for t in part.texts] == [i in (2, 3, 4, 7) for i in range(10)]
    assert [held.entry(int(i)) is None for i in indices] == [i in (2, 3, 4, 7) for i in range(10)]
    held.release(indices[[0, 1, 5, 6, 8, 9]], archived=True)
    assert held._columns._parts[0] is None  # (the last row let go: the page's columns go)
