"""A page's new time texts read in one pass of `fromisoformat` (`api_times._plain_times`) when each
is one it reads as it is: the same times, time zones and microseconds as the exact way, one text at
a time through `api_time`, for any texts (blank ends, naive, offsets, long fractions, no time)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.sources import api_times
from logview.times import epoch_us, parse_api_time

USUAL = st.builds("2026-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}Z".format, st.integers(1, 12), st.integers(1, 28),
                  st.integers(0, 23), st.integers(0, 59), st.integers(0, 59),
                  st.sampled_from(["", ".123", ".5", ".000001"]))
ODD = st.sampled_from(["2026-12-05T12:43:29", "2026-12-05T12:43:29+01:00", " 2026-12-05T12:43:29Z",
                       "2026-12-05T12:43:29Z ", "2026-12-05T12:43:29Z\n", "\u30002026-12-05T12:43:29Z", "",
                       "2026-12-05", "20261205T124329Z", "2026-12-05 12:43:29Z", "tomorrow", "2026-13-05T12:43:29Z",
                       "2026-12-05T12:43:29." + "1" * 50 + "Z", "2026-12-05T12:43:29.1234567Z"])
TEXTS = st.lists(st.one_of(USUAL, USUAL, ODD, st.text(max_size=30)), min_size=1, max_size=20)


@pytest.fixture(autouse=True)
def _empty_caches() -> Any:
    emptied = (api_times._TIMES, api_times._MICROS, api_times._MOMENTS)
    for cache in emptied:
        cache.clear()
    yield
    for cache in emptied:
        cache.clear()


def _described(moments: list[Any]) -> list[Any]:
    return [(moment, moment.tzinfo, moment.utcoffset()) for moment in moments]


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_a_pages_new_times_read_in_one_pass_are_each_texts_own(stamps: list[str]) -> None:
    for cache in (api_times._TIMES, api_times._MICROS, api_times._MOMENTS):
        cache.clear()
    exact = [parse_api_time(stamp) for stamp in stamps]
    found = api_times.api_times_and_us(stamps)
    if None in exact:
        assert found is None
        return
    assert found is not None
    assert _described(found[0]) == _described(exact)  # type: ignore[arg-type]
    assert found[1] == [epoch_us(moment) for moment in exact]
    assert api_times.api_times_us(stamps) == found[1]


def test_the_usual_pages_new_times_are_not_read_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    stamps = ["2026-12-05T12:43:29Z", "2026-12-05T12:43:28.250Z", "2026-12-05T12:43:28.250Z"]

    def one_by_one(value: str) -> None:
        raise AssertionError(f"{value!r} read alone")

    monkeypatch.setattr(api_times, "api_time", one_by_one)
    moments, micros = api_times.api_times_and_us(stamps)  # type: ignore[misc]
    assert moments == [parse_api_time(stamp) for stamp in stamps]
    assert micros == [epoch_us(moment) for moment in moments]
