"""stamps: the vectorised time parser must give exactly `epoch_us(parse_api_time(text))` for the
texts it takes, and leave every other text to the caller."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from logview.files.stamps import StampTexts, parse_stamps
from logview.times import epoch_us, parse_api_time

MOMENTS = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))
SHAPED = st.builds(lambda d, ms: d.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if ms is None else f".{ms:03d}Z"),
                   MOMENTS, st.one_of(st.none(), st.integers(0, 999)))
# shaped like the two forms, each character possibly replaced: month 13, 30 February, hour 24 ...
ALMOST = st.builds(lambda text, at, char: text[:at % len(text)] + char + text[at % len(text) + 1:],
                   SHAPED, st.integers(0, 23), st.sampled_from("0123456789TZ.-: x\u0661"))
OTHER = st.sampled_from(["", "2025-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2025-13-01T00:00:00Z",
                         "2025-01-01T24:00:00Z", "2025-01-01T23:59:60Z", "0000-01-01T00:00:00Z",
                         "2025-01-01 00:00:00Z", "2025-01-01T00:00:00.000+00:00", "2025-01-01"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(SHAPED, ALMOST, OTHER, st.text(max_size=24)), max_size=30))
def test_parsed_stamps_are_exact(texts: list[str]) -> None:
    micros, done = parse_stamps(texts)
    for text, value, parsed in zip(texts, micros.tolist(), done.tolist()):
        if parsed:
            assert value == epoch_us(parse_api_time(text)), text


def test_the_export_shapes_are_taken() -> None:
    base = datetime(2025, 11, 15, 11, 59, 54, tzinfo=timezone.utc)
    texts = ["2025-11-15T11:59:54Z", "2025-11-15T11:59:54.692Z", "1969-12-31T23:59:59.999Z"]
    micros, done = parse_stamps(texts)
    assert done.all()
    assert micros.tolist() == [epoch_us(base), epoch_us(base) + 692_000,
                               epoch_us(datetime(1970, 1, 1, tzinfo=timezone.utc) - timedelta(milliseconds=1))]
    assert not parse_stamps(["2025-02-30T00:00:00Z", "2025-11-15T11:59:54+00:00"])[1].any()


def test_a_chunks_times_are_parsed_with_few_temporaries() -> None:
    """The memory a parse takes beside its texts and its results: the reader's heap holds its
    high-water mark from one segment to the next (`columns_pass.py`). The digits gathered into
    pairs of 64-bit integers took ~190 bytes a row; a column at a time, ~100."""
    texts = [f"2025-11-{1 + i // 86_400:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z"
             for i in range(0, 40_000, 2)]
    gathered = StampTexts()
    gathered.add(texts)
    tracemalloc.start()
    try:
        micros, done = gathered.parse()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert done.all() and micros[1] - micros[0] == 2_002_000
    assert peak / len(texts) < 120
