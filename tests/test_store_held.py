"""The entries a store holds in memory, by index (`store/held.py`)."""

from __future__ import annotations

import numpy as np

from logview.sources import SupermetricsSource
from logview.store.held import HeldEntries

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
