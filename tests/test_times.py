"""Lenient API time parsing and the user's --since/--until syntax."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logview.times import (ReversedRange, TimeParseError, epoch_us, format_api_time, parse_api_time, parse_time_range,
                           parse_user_time)

UTC = timezone.utc
aware_times = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-15T10:30:00Z", datetime(2025, 11, 15, 10, 30, tzinfo=UTC)),
        ("2025-11-15T10:30:00.123Z", datetime(2025, 11, 15, 10, 30, 0, 123000, tzinfo=UTC)),
        ("2025-11-15T10:30:00.123456789Z", datetime(2025, 11, 15, 10, 30, 0, 123456, tzinfo=UTC)),
        ("2025-11-15T12:30:00+02:00", datetime(2025, 11, 15, 10, 30, tzinfo=UTC)),
        ("2025-01-01", datetime(2025, 1, 1, tzinfo=UTC)),  # the Supermetrics doc example
        ("2025-11-15 10:30:00", datetime(2025, 11, 15, 10, 30, tzinfo=UTC)),  # naive means UTC
    ],
)
def test_api_times_parse_leniently(text, expected):
    assert parse_api_time(text) == expected


@pytest.mark.parametrize("value", [None, "", "yesterday", "2025-13-45", True, [], {}, "x" * 1000])
def test_api_times_that_are_not_times_give_none(value):
    assert parse_api_time(value) is None


def test_epoch_numbers_are_seconds_or_milliseconds():
    moment = datetime(2025, 11, 15, 10, 30, tzinfo=UTC)
    assert parse_api_time(moment.timestamp()) == moment
    assert parse_api_time(int(moment.timestamp() * 1000)) == moment


@given(aware_times)
def test_formatted_api_time_round_trips_to_the_millisecond(moment):
    parsed = parse_api_time(format_api_time(moment))
    assert parsed == moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    assert format_api_time(moment).endswith("Z")


@given(aware_times, st.sampled_from(["", "Z", "+00:00", "+05:30", "-08:00"]), st.integers(0, 6))
def test_any_iso_rendering_parses_to_the_same_instant(moment, suffix, digits):
    offset = {"": UTC, "Z": UTC}.get(suffix) or datetime.strptime(suffix, "%z").tzinfo
    local = moment.astimezone(offset)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{local.microsecond:06d}"[:digits]
    parsed = parse_api_time(text + suffix)
    truncated = 10 ** (6 - digits)
    assert parsed == moment.replace(microsecond=moment.microsecond // truncated * truncated)


@given(aware_times)
def test_epoch_us_is_exact_and_reads_naive_times_as_utc(moment):
    expected = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert epoch_us(moment) == expected
    assert epoch_us(moment.replace(tzinfo=None)) == expected


NOW = datetime(2025, 11, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "delta"),
    [("30s", timedelta(seconds=30)), ("15m", timedelta(minutes=15)), ("2h", timedelta(hours=2)),
     ("7d", timedelta(days=7)), ("1w", timedelta(weeks=1)), (" 2H ", timedelta(hours=2))],
)
def test_relative_user_times_count_back_from_now(text, delta):
    assert parse_user_time(text, now=NOW) == NOW - delta


def test_user_dates_are_local_days_and_until_covers_the_whole_day(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Helsinki")
    time.tzset()
    try:
        start = parse_user_time("2025-11-15")
        end = parse_user_time("2025-11-15", end_of_day=True)
        assert start == datetime(2025, 11, 14, 22, 0, tzinfo=UTC)
        assert end - start == timedelta(days=1)
        assert parse_user_time("2025-11-15T10:00:00Z") == datetime(2025, 11, 15, 10, tzinfo=UTC)
        assert parse_user_time("2025-11-15T10:00") == datetime(2025, 11, 15, 8, tzinfo=UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("text", ["soon", "15x", "2025-99-99", "-5m", ""])
def test_bad_user_times_say_what_is_accepted(text):
    with pytest.raises(TimeParseError, match="relative span"):
        parse_user_time(text, now=NOW)


def test_a_range_that_holds_no_moment_is_reversed():
    """`--since 2026-12-02 --until 2026-12-01`: the whole of the 1st ends where the 2nd starts, so
    the range is empty (it passed, and the export said nothing); a single day, or one instant at
    both ends, is a range."""
    now = datetime(2026, 12, 4, 12, tzinfo=timezone.utc)
    with pytest.raises(ReversedRange):
        parse_time_range("2026-12-02", "2026-12-01", now=now)
    with pytest.raises(ReversedRange):
        parse_time_range("2026-12-02T10:00:01Z", "2026-12-02T10:00:00Z", now=now)
    since, until = parse_time_range("2026-12-01", "2026-12-01", now=now)
    assert until - since == timedelta(days=1)
    assert parse_time_range("2026-12-02T10:00:00Z", "2026-12-02T10:00:00Z", now=now)[0] is not None
