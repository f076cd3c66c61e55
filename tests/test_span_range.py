"""A span's part within a date range (`Span.meets`, `Span.within`), which the archive's sync uses
to paint only what a --since/--until range asks for: held to the plain definition over small
integer times, every span and range tried."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from logview.archive.coverage import Span

times = st.integers(min_value=0, max_value=40)
bounds = st.one_of(st.none(), times)


@st.composite
def spans(draw: st.DrawFn) -> Span:
    end = draw(times)
    start = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=end)))
    return Span(start, end)


@given(spans(), bounds, bounds)
def test_meets_and_within_keep_the_times_both_hold(span: Span, since: int | None, until: int | None) -> None:
    if since is not None and until is not None and since > until:
        since, until = until, since  # (an empty range is refused before it reaches the archive)
    def in_range(t: int) -> bool:
        return (since is None or t >= since) and (until is None or t <= until)

    lowest = -5 if span.start_us is None else span.start_us  # (an open start reaches back past every range)
    both = [t for t in range(lowest, span.end_us + 1) if in_range(t)]
    assert span.meets(since, until) == bool(both)
    if both:
        low, high = span.within(since, until)
        assert high == both[-1]
        assert (low is None and span.start_us is None and since is None) or low == both[0]
