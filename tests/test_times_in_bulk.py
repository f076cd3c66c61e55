"""The store and the archive make a batch's new times epoch microseconds all at once
(`epoch_us_all`, remembered by `epoch_us_remembered`: a backfill meets ~230 new ones a page): that
must give exactly what `epoch_us` gives for each, in UTC, other zones (one a microsecond off),
naive times, none, the ends of the calendar and the edges of a second."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from logview import times
from logview.times import epoch_us, epoch_us_all, epoch_us_remembered

ZONES = st.sampled_from([timezone.utc, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30)),
                         timezone(timedelta(microseconds=1)), None])
MOMENTS = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(MOMENTS, ZONES), max_size=40), st.booleans())
def test_epoch_microseconds_at_once_are_each_ones(moments, utc_only):
    values = [moment.replace(tzinfo=timezone.utc if utc_only else zone) for moment, zone in moments]
    assert epoch_us_all(values) == epoch_us_remembered(values) == [epoch_us(value) for value in values]


def test_epoch_microseconds_at_the_edges_of_a_second_and_of_the_exact_range():
    edges = [datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=s, microseconds=us)
             for s in (0, -1, 2**31 - 1, -(2**31), 2**32 - 1, -(2**32) + 1, 2**32, 1_763_202_605)
             for us in (0, 1, 499_999, 500_000, 999_999)]
    assert epoch_us_all(edges) == epoch_us_remembered(edges) == [epoch_us(value) for value in edges]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.datetimes(min_value=datetime(1902, 1, 1), max_value=datetime(2105, 12, 31)), min_size=1, max_size=40))
def test_epoch_microseconds_of_utc_times_near_ours_are_each_ones(moments):
    values = [moment.replace(tzinfo=timezone.utc) for moment in moments]  # (all at once: within 2**32 s)
    assert epoch_us_all(values) == epoch_us_remembered(values) == [epoch_us(value) for value in values]


def test_times_remembered_past_the_limit_are_each_ones(monkeypatch):
    """(the memory is emptied before a batch's new times are counted in: none of the batch's is lost)"""
    monkeypatch.setattr(times, "REMEMBERED_LIMIT", 3)
    monkeypatch.setattr(times, "_REMEMBERED", {})
    start = datetime(2025, 11, 15, tzinfo=timezone.utc)
    for seconds in [(1, 2), (2, 3, 4), (4, 5), (1, 6, 7, 8), ()]:
        values = [start + timedelta(seconds=s) for s in seconds] + [None]
        assert epoch_us_remembered(values) == [epoch_us(value) for value in values]


def test_times_remembered_emptied_meanwhile_are_each_ones(monkeypatch):
    """(the memory is shared by the store and an archive's writer thread: one may empty it while
    the other reads its batch's times back)"""
    start = datetime(2025, 11, 15, tzinfo=timezone.utc)
    values = [start + timedelta(seconds=s) for s in (1, 2, 2, 3)]

    class Forgetful(dict):
        def update(self, *args, **kwargs):  # (as if another thread emptied it right after)
            super().update(*args, **kwargs)
            self.clear()

    monkeypatch.setattr(times, "_REMEMBERED", Forgetful())
    assert epoch_us_remembered(values) == [epoch_us(value) for value in values]
