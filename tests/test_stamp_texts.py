"""stamps.StampTexts: time texts gathered run by run (as the column reader does, a block at a time)
parse exactly as each text alone, keep each text for the caller, whatever the texts hold (line
breaks, characters beyond ASCII, nothing), and whether a chunk's dates come in runs or not."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from logview.files.stamps import StampTexts
from logview.times import epoch_us, parse_api_time
from test_file_stamps import ALMOST, OTHER, SHAPED

ODD = st.sampled_from(["2025-11-15T11:59:54Z\n", "\n", "2025-11-15\nT11:59:54.1Z", "2025-11-15T11:59:54.6\u00e9Z",
                       "\u00e9", "", "2025-11-15T11:59:54.692Z" + "\n" * 3])
TEXTS = st.one_of(SHAPED, ALMOST, OTHER, ODD, st.text(max_size=26))


def _check(runs: list[list[str]]) -> None:
    gathered = StampTexts()
    for run in runs:
        gathered.add(run)
    texts = [text for run in runs for text in run]
    micros, done = gathered.parse()
    assert len(micros) == len(done) == gathered.count == len(texts)
    for row, (text, value, parsed) in enumerate(zip(texts, micros.tolist(), done.tolist())):
        if parsed:
            assert value == epoch_us(parse_api_time(text)), text
        else:
            assert gathered.text(row) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(TEXTS, max_size=12), max_size=5))
def test_texts_added_run_by_run_parse_as_each_alone(runs: list[list[str]]) -> None:
    _check(runs)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(SHAPED.filter(lambda text: len(text) in (20, 24)), max_size=12), max_size=5))
def test_texts_of_the_export_shapes_are_all_taken(runs: list[list[str]]) -> None:
    gathered = StampTexts()
    for run in runs:
        gathered.add(run)
    micros, done = gathered.parse()
    assert done.all()
    assert micros.tolist() == [epoch_us(parse_api_time(text)) for run in runs for text in run]


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(1, 3, 1), max_value=datetime(9999, 12, 1)),
       st.lists(st.integers(0, 3 * 86_400_000), min_size=1, max_size=60), st.booleans(), st.booleans())
def test_dates_in_runs_or_not(start: datetime, steps: list[int], ordered: bool, millis: bool) -> None:
    """A chunk's dates mostly come in runs (worked out once a run) or not: both parse alike."""
    offsets = sorted(steps) if ordered else steps
    moments = [start.replace(tzinfo=timezone.utc) + timedelta(milliseconds=step) for step in offsets]
    texts = [m.strftime("%Y-%m-%dT%H:%M:%S") + (f".{m.microsecond // 1000:03d}Z" if millis else "Z")
             for m in moments if m.year <= 9999]
    _check([texts[:7], texts[7:]])
    _check([texts + ["2025-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z", "2025-13-01T00:00:00Z"]])


def test_one_bad_text_among_many_of_one_shape() -> None:
    good = ["2025-11-15T11:59:54.692Z"] * 500
    for bad in ["2025-11-15T24:00:00.000Z", "2025-11-15T11:60:00.000Z", "2025-02-30T11:59:54.692Z",
                "0000-11-15T11:59:54.692Z", "2025-11-15T11:59:54.69xZ", "2025-11-15t11:59:54.692Z"]:
        _check([good[:200], good[200:] + [bad], good[:3]])
