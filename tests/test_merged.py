"""The merged timeline's core: stores merged column-wise, and the rules of a view of both APIs."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.demo.data import aitronos_entry, supermetrics_entry
from logview.model import Filters
from logview.sources import AitronosSource, SupermetricsSource
from logview.sources.mixed import MixedSource
from logview.store import EntryStore, FilteredView
from logview.times import epoch_us

A, S, M = AitronosSource("o"), SupermetricsSource(1, "C"), MixedSource()
T = 1_763_208_000_000_000


def stores(seed: int, sizes: tuple[int, int]) -> tuple[EntryStore, EntryStore, list, list]:
    rng = random.Random(seed)
    ait = [A.entry_from_raw(aitronos_entry(rng, T - rng.randrange(0, 10**10) // 1000 * 1000)) for _ in range(sizes[0])]
    sm = [S.entry_from_raw(supermetrics_entry(rng, T - rng.randrange(0, 10**10))) for _ in range(sizes[1])]
    ait.sort(key=lambda e: e.time, reverse=True)
    sm.sort(key=lambda e: e.time, reverse=True)
    a, s = EntryStore(A, capacity=4), EntryStore(S, capacity=4)
    split = len(ait) // 2
    a.append(ait[split:])
    a.prepend(ait[:split])  # ordinals below zero too
    s.append(sm)
    return a, s, ait, sm


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.tuples(st.integers(0, 60), st.integers(0, 60)))
def test_merging_gives_every_row_once_newest_first_with_its_source(seed, sizes) -> None:
    a, s, ait, sm = stores(seed, sizes)
    merged = EntryStore(M)
    parts, ordinals = merged.merge_from([("prod", a), ("builder", s)])
    rows = merged.entries(np.arange(merged.head, merged.tail))
    assert sorted(map(id, rows)) == sorted(map(id, ait + sm))
    times = [epoch_us(e.time) for e in rows]
    assert times == sorted(times, reverse=True)
    origins = [merged.categories("origin").values[c] for c in merged.column("origin", np.arange(len(rows)))]
    assert origins == ["prod" if e.source == "aitronos" else "builder" for e in rows]
    for row, (part, ordinal) in enumerate(zip(parts.tolist(), ordinals.tolist())):
        assert rows[row] is (a, s)[part].entry(ordinal)  # where each row came from


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.sampled_from(["ok", "info", "warning", "error"]),
       st.sampled_from([None, "gmail.send_email", "zz"]), st.sampled_from([None, "data.page", "zz"]),
       st.sampled_from([None, "HTTP 429 · data.page", "TIMEOUT: Tool execution exceeded the <n>s limit (gmail.get_message)"]))
def test_filters_on_a_merged_store_follow_the_mixed_rules(seed, status, tool, event, error) -> None:
    a, s, ait, sm = stores(seed, (40, 40))
    merged = EntryStore(M)
    merged.merge_from([("prod", a), ("builder", s)])
    filters = Filters(statuses=(status,), tool=tool, event=event, error=error)
    rows = merged.entries(np.arange(merged.head, merged.tail))
    got = merged.entries(merged.select(filters).index)
    assert [id(e) for e in got] == [id(e) for e in rows if M.matches(e, filters)]


def test_the_source_filter_and_a_second_merge(seed: int = 3) -> None:
    a, s, ait, sm = stores(seed, (30, 20))
    merged = EntryStore(M)
    merged.merge_from([("prod", a), ("builder", s)])
    view = FilteredView(merged, Filters(origin="builder"))
    assert sorted(map(id, merged.entries(view.index))) == sorted(map(id, sm))
    assert len(merged.select(Filters(origin="nowhere")).index) == 0
    epoch = merged.epoch
    rng = random.Random(9)
    s.prepend([S.entry_from_raw(supermetrics_entry(rng, T + 10**9))])  # a live row in one part
    merged.merge_from([("prod", a), ("builder", s)])
    assert merged.epoch == epoch + 1 and len(merged) == 51
    assert merged.entry(0) is s.entry(s.head)  # the newest row is first
    assert view.sync().reset and len(view) == 21


def test_mixed_statuses_compare_how_alarming_they_are() -> None:
    assert [M.status_matches(v, "ok") for v in ("success", 200, 204, "error", 500, None)] == \
        [True, True, True, False, False, False]
    assert [M.status_matches(v, "warning") for v in ("timeout", "blocked", 429, 408, 404)] == \
        [True, True, True, True, False]
    assert [M.status_matches(v, "error") for v in ("error", 404, 503, 302)] == [True, True, True, False]
    assert M.validate_status(" Warning ") == "warning"
    with pytest.raises(ValueError, match="ok, info, warning, error"):
        M.validate_status("5xx")


def test_mixed_error_groups_and_time_fields_follow_each_api() -> None:
    ait = A.entry_from_raw({"id": "a", "created_at": "2025-11-15T10:00:00Z", "status": "error",
                            "error": {"code": "X", "message": "late by 3s"}})
    sm = S.entry_from_raw({"id": "s", "log_time": "2025-11-15T10:00:00Z", "status": 503, "event": "data.page"})
    assert M.error_group(ait.status, ait.raw) == "X: late by <n>s"
    assert M.error_group(sm.status, sm.raw) == "HTTP 503 · data.page"
    assert (M.time_field_for(ait), M.time_field_for(sm)) == ("created_at", "log_time")
    assert M.csv_row(sm, "builder")[:5] == ["builder", "s", "2025-11-15T10:00:00Z", "503", "data.page"]
    with pytest.raises(TypeError, match="never asks an API"):
        M.logs_path()
