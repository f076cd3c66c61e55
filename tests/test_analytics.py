"""analytics: histogram, group stats and error groups held to a plain per-entry reference."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.api.contract import newest_first
from logview.store.analytics import (BUCKETS_US, CLASSES, US, Snapshot, bucket_width, error_groups, group_stats,
                               histogram)
from logview.model import Filters
from logview.sources import AitronosSource, SupermetricsSource
from logview.sources.base import duration_ms
from logview.store import EntryStore, FilteredView
from logview.model import SEV_WARN, severity
from logview.times import epoch_us

T0 = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)
AIT, SM = AitronosSource("org"), SupermetricsSource(1, "C")
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_ERRORS = [None, None, {"code": "UPSTREAM", "message": "retry after 12s"}, {"code": "UPSTREAM", "message": "retry after 3s"},
           "plain failure", {"code": "DENIED"}]


@st.composite
def aitronos_raws(draw) -> list[dict]:
    rows = []
    for i in range(draw(st.integers(0, 60))):
        offset = draw(st.integers(0, 10 * 86_400_000))  # ms back from T0, over ten days
        stamp = (T0 - timedelta(milliseconds=offset)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        rows.append({
            "id": f"a{i}", "created_at": stamp if draw(st.integers(0, 9)) else "no time",
            "status": draw(st.sampled_from(["success", "success", "error", "blocked", "timeout", 7])),
            "tool": draw(st.sampled_from(["gmail.send", "slack.post", None])),
            "credential_id": draw(st.sampled_from(["tcred_a", "tcred_b"])),
            "duration_ms": draw(st.one_of(st.none(), st.integers(0, 40_000), st.floats(0, 1e4), st.just(-3))),
            "error": draw(st.sampled_from(_ERRORS)),
        })
    return rows


def store_of(source, raws) -> tuple[EntryStore, list]:
    entries = newest_first([source.entry_from_raw(raw) for raw in raws])  # the store keeps them so
    store = EntryStore(source, capacity=8)
    store.append(entries)
    return store, entries


def klass(entry) -> str:
    if entry.invalid is not None:
        return "error"
    return {1: "ok", 2: "info", 0: "other", 3: "warn", 4: "error"}[severity(entry.status)]


@pytest.mark.parametrize(("span_s", "buckets", "width_s"), [
    (0, 60, 1), (59, 60, 1), (60, 60, 2), (3600, 60, 120), (3599, 60, 60), (3600, 120, 60), (86_400, 100, 900),
    (30 * 86_400, 120, 43_200), (400 * 86_400, 100, 7 * 86_400),
])
def test_bucket_widths_are_readable_and_fit(span_s: int, buckets: int, width_s: int) -> None:
    width = bucket_width(span_s * 1_000_000, buckets)
    assert width == width_s * 1_000_000 and width in BUCKETS_US
    assert (span_s * 1_000_000) // width + 1 <= buckets


def test_a_span_beyond_the_widest_bucket_still_fits() -> None:
    width = bucket_width(50 * 365 * US["d"], 10)
    assert width % (365 * US["d"]) == 0 and 50 * 365 * US["d"] // width + 1 <= 10


@PROPERTY
@given(aitronos_raws(), st.integers(1, 150))
def test_histogram_counts_every_timed_row_once_in_its_bucket_and_class(raws, max_buckets) -> None:
    store, entries = store_of(AIT, raws)
    snapshot = Snapshot.take(store, np.arange(len(store)), ("tool",))
    hist = histogram(snapshot, max_buckets)
    timed = [e for e in entries if e.time is not None]
    assert hist.timeless == len(entries) - len(timed)
    assert len(hist) <= max_buckets and hist.bucket_us in BUCKETS_US
    expected = np.zeros((len(hist), len(CLASSES)), dtype=np.int64)
    for entry in timed:
        moment = epoch_us(entry.time)
        bucket = (moment - hist.start_us) // hist.bucket_us
        lo, hi = hist.bucket_span(bucket)
        assert lo <= moment <= hi
        expected[bucket, CLASSES.index(klass(entry))] += 1
    assert np.array_equal(hist.counts, expected)
    if timed:
        assert hist.totals[0] > 0 and hist.totals[-1] > 0  # the range starts and ends with data


def test_histogram_over_a_given_range_keeps_empty_buckets_and_drops_rows_outside() -> None:
    raws = [{"id": f"a{i}", "created_at": (T0 - timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "status": "success"} for i in range(48)]
    store, _ = store_of(AIT, raws)
    snapshot = Snapshot.take(store, np.arange(len(store)), ())
    since, until = epoch_us(T0 - timedelta(hours=12)), epoch_us(T0 + timedelta(hours=12)) - 1
    hist = histogram(snapshot, 24, since_us=since, until_us=until)
    assert hist.bucket_us == US["h"] and len(hist) == 24
    assert hist.totals.tolist() == [1] * 13 + [0] * 11  # T0-12h … T0, then the future, empty
    assert histogram(snapshot, 24, since_us=until, until_us=since).counts.shape == (0, len(CLASSES))


def test_days_start_at_local_midnight(monkeypatch) -> None:
    import time as time_module

    monkeypatch.setenv("TZ", "America/New_York")
    time_module.tzset()
    try:
        raws = [{"id": f"a{d}", "created_at": (T0 - timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "status": "success"} for d in range(40)]
        store, _ = store_of(AIT, raws)
        hist = histogram(Snapshot.take(store, np.arange(len(store)), ()), 60)
        assert hist.bucket_us == US["d"]
        start = datetime.fromtimestamp(hist.start_us / 1e6).astimezone()
        assert (start.hour, start.minute) == (0, 0)
    finally:
        monkeypatch.delenv("TZ")
        time_module.tzset()


def test_days_start_at_local_midnight_past_a_change_of_the_clocks(monkeypatch) -> None:
    """New York left summer time on 2 Nov 2025: the days after it started at 23:00 the day before
    (one offset, the first day's, for all: found in a walk), the last bar read '14 Nov – 15 Nov'."""
    import time as time_module

    monkeypatch.setenv("TZ", "America/New_York")
    time_module.tzset()
    try:
        raws = [{"id": f"a{h}", "created_at": (T0 - timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "status": "success"} for h in range(40 * 24)]
        store, entries = store_of(AIT, raws)
        hist = histogram(Snapshot.take(store, np.arange(len(store)), ()), 60)
        assert hist.bucket_us == US["d"]
        starts = [datetime.fromtimestamp(hist.bucket_span(b)[0] / 1e6).astimezone() for b in range(len(hist))]
        assert {(start.hour, start.minute) for start in starts} == {(0, 0)}
        assert len({start.date() for start in starts}) == len(hist)  # (a day each, none twice)
        for entry in entries:
            moment = epoch_us(entry.time)
            lo, hi = hist.bucket_span(hist.bucket_of(moment))
            assert lo <= moment <= hi
            assert datetime.fromtimestamp(lo / 1e6).date() == datetime.fromtimestamp(moment / 1e6).date()
        per_day = Counter(datetime.fromtimestamp(epoch_us(entry.time) / 1e6).date() for entry in entries)
        assert hist.totals.tolist() == [per_day[start.date()] for start in starts]
    finally:
        monkeypatch.delenv("TZ")
        time_module.tzset()


@PROPERTY
@given(aitronos_raws())
def test_group_stats_match_a_per_entry_reference(raws) -> None:
    store, entries = store_of(AIT, raws)
    view = FilteredView(store, Filters(statuses=("success", "error", "timeout")))  # stats follow the filters
    shown = [entries[i] for i in view.index]
    snapshot = Snapshot.take(store, view.index, ("tool", "credential", "error"))
    for field, key in (("tool", "tool"), ("credential", "credential_id")):
        stats = group_stats(snapshot, field)
        by_value = defaultdict(list)
        for entry in shown:
            value = entry.raw.get(key)
            by_value[value if isinstance(value, str) else None].append(entry)
        assert {s.value: s.count for s in stats} == {v: len(es) for v, es in by_value.items()}
        assert [s.count for s in stats] == sorted((s.count for s in stats), reverse=True)
        for group in stats:
            members = by_value[group.value]
            problems = [e for e in members if e.invalid is not None or severity(e.status) >= SEV_WARN]
            assert group.problems == len(problems)
            durations = [d for d in (duration_ms(e.raw) for e in members) if d is not None]
            if durations:
                assert group.percentiles == pytest.approx(tuple(np.percentile(durations, [50, 95, 99])))
            else:
                assert group.percentiles == (None, None, None)


@PROPERTY
@given(aitronos_raws())
def test_error_groups_count_each_kind_of_failure(raws) -> None:
    store, entries = store_of(AIT, raws)
    snapshot = Snapshot.take(store, np.arange(len(store)), ("error",))
    got = error_groups(snapshot)
    expected = Counter(g for g in (AIT.error_group(e.status, e.raw if isinstance(e.raw, dict) else {})
                                   for e in entries) if g is not None)
    assert {g.group: g.count for g in got} == dict(expected)
    for group in got:
        times = [epoch_us(e.time) for e in entries if e.time is not None
                 and AIT.error_group(e.status, e.raw) == group.group]
        assert group.newest_us == (max(times) if times else None)


def test_error_groups_mask_what_varies() -> None:
    raws = [{"id": f"a{i}", "created_at": "2025-11-15T10:00:00Z", "status": "error",
             "error": {"code": "RATE_LIMITED", "message": f"Gmail API rate limit reached (retry after {i}s)"}}
            for i in range(5)]
    raws.append({"id": "b", "created_at": "2025-11-15T10:00:00Z", "status": "blocked",
                 "error": {"code": "POLICY_BLOCKED", "message": "Blocked by policy pol_1a2b3c4d"}})
    raws.append({"id": "c", "created_at": "2025-11-15T10:00:00Z", "status": "timeout"})
    store, _ = store_of(AIT, raws)
    got = error_groups(Snapshot.take(store, np.arange(len(store)), ("error",)))
    assert [(g.group, g.count) for g in got] == [
        ("RATE_LIMITED: Gmail API rate limit reached (retry after <n>s)", 5),
        ("POLICY_BLOCKED: Blocked by policy pol_<id>", 1),
        ("timeout (no error message)", 1),
    ]


def test_supermetrics_error_groups_are_status_and_event() -> None:
    raws = [{"id": f"s{i}", "log_time": "2025-11-15T10:00:00Z", "status": status, "event": event}
            for i, (status, event) in enumerate([(429, "data.fetch"), (429, "data.fetch"), (500, None),
                                                 (200, "data.fetch"), (None, "sync.start")])]
    store, _ = store_of(SM, raws)
    got = error_groups(Snapshot.take(store, np.arange(len(store)), ("error",)))
    assert [(g.group, g.count) for g in got] == [("HTTP 429 · data.fetch", 2), ("HTTP 500 · no event", 1)]
    # ... and each group is a filter
    rows = store.select(Filters(error="HTTP 429 · data.fetch")).index
    assert [store.entry(int(r)).id for r in rows] == ["s0", "s1"]


def test_a_file_rows_without_columns_yet_are_left_out(tmp_path) -> None:
    from logview.files.columns import ColumnReader
    from logview.files.lines import LineFile, scan_lines

    path = tmp_path / "f.jsonl"
    path.write_text("".join(f'{{"id":"a{i}","created_at":"2025-11-15T10:00:0{i}Z","status":"error"}}\n'
                            for i in range(6)))
    store = EntryStore(AIT, lines=LineFile(path))
    lines = []
    for chunk in scan_lines(path, with_data=True):
        store.append_lines(chunk)
        lines += chunk.lines()
    store.fill_columns(ColumnReader(AIT).read(lines[:4]))
    snapshot = Snapshot.take(store, np.arange(len(store)), ("error",))
    assert len(snapshot) == 4 and snapshot.problem.all()
    store.close()


def test_capturing_the_unfiltered_rows_copies_no_ordinals() -> None:
    """A histogram's first open took the UI thread ~60 ms to copy a million ordinals into fresh
    memory (0.4 ms the second time): unfiltered rows are one run, taken as its ends; the worker
    reads them as views. The snapshot is the one the copy gave."""
    import tracemalloc

    raws = [{"id": f"a{i}", "created_at": (T0 - timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "status": "error" if i % 7 else "success", "duration_ms": i} for i in range(20_000)]
    store, _ = store_of(AIT, raws)
    index = np.arange(len(store), dtype=np.int32)  # (a file's view holds 4-byte ordinals)
    tracemalloc.start()
    try:
        capture = Snapshot.capture(store, index, ("tool",))
        taken, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert taken < len(index)  # (the copy took 8 bytes a row)
    snapshot, gapped = capture.gather(), Snapshot.take(store, np.delete(index, 5), ("tool",))
    assert len(snapshot) == len(store) and np.array_equal(np.delete(snapshot.time, 5), gapped.time)
    assert np.array_equal(np.delete(snapshot.klass, 5), gapped.klass)
    assert np.array_equal(np.delete(snapshot.duration, 5), gapped.duration, equal_nan=True)
