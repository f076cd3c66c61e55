"""Coverage bookkeeping: spans stay merged, and whatever the interleaving of fetches, arrivals at the
head, interrupted writes, pruning and reopening, a span never claims an entry the archive lacks."""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.archive import Archive, Span
from logview.archive import source as archived_source
from logview.archive.coverage import joined_next, merge_spans, trimmed
from logview.times import epoch_us

from archive_support import AITRONOS, aitronos_identity

BASE_US = 1_700_000_000_000_000
ERRORS = "status=error"


def points(spans, low: int = -5, high: int = 60) -> set[int]:
    """The times a list of spans covers, within a small window (None reaches below it)."""
    return {t for span in spans for t in range(low, high) if span.contains(t)}


any_span = st.one_of(st.builds(lambda start, length: Span(start, start + length), st.integers(0, 50), st.integers(0, 8)),
                     st.builds(lambda end: Span(None, end), st.integers(0, 50)))


@given(st.lists(any_span, max_size=12))
def test_merging_keeps_exactly_the_times_in_as_few_spans_as_possible(spans):
    merged = merge_spans(spans)
    assert points(merged) == points(spans)
    for newer, older in zip(merged, merged[1:]):
        assert newer.start_us is not None and older.end_us + 1 < newer.start_us  # apart, newest first
    assert merge_spans(merged) == merged


@given(st.lists(any_span, max_size=8), st.integers(0, 55))
def test_trimming_keeps_what_is_at_or_after_the_floor(spans, floor):
    assert points(trimmed(spans, floor)) == {t for t in points(spans) if t >= floor}


def test_a_span_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        Span(10, 9)


def entry(time: int, number: int, status: str):
    moment = datetime.fromtimestamp((BASE_US + time * 1000) / 1e6, tz=timezone.utc)
    return AITRONOS.entry_from_raw({"id": f"log_{number}", "created_at": moment.isoformat(), "status": status})


def us(time: int) -> int:
    return BASE_US + time * 1000


operation = st.one_of(
    st.tuples(st.just("fetch"), st.one_of(st.none(), st.integers(0, 60)), st.integers(0, 60),
              st.sampled_from(["", ERRORS])),
    st.tuples(st.just("interrupted"), st.one_of(st.none(), st.integers(0, 60)), st.integers(0, 60),
              st.sampled_from(["", ERRORS])),
    st.tuples(st.just("arrive"), st.integers(0, 3), st.sampled_from(["success", "error"])),
    st.tuples(st.just("prune"), st.integers(0, 8)),
    st.tuples(st.just("reopen"),),
)


@settings(max_examples=60, deadline=None)
@given(initial=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["success", "error"])), min_size=3, max_size=30),
       operations=st.lists(operation, max_size=14))
def test_coverage_never_claims_an_entry_the_archive_lacks(initial, operations):
    server = [entry(time, number, status) for number, (time, status) in enumerate(initial)]
    now = 40  # the server's clock: fetches reach up to it, arrivals come after it
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "archive.sqlite3"
        archive = Archive.open(path)
        stored = archive.source(aitronos_identity())
        for step in operations:
            kind = step[0]
            if kind in ("fetch", "interrupted"):
                _, start, end, key = step
                if start is not None:
                    start, end = min(start, end, now), min(max(start, end), now)
                end = min(end, now)  # a fetch reaches no later than the server's clock
                wanted = [e for e in server if (start is None or e.time >= entry(start, 0, "").time)
                          and e.time <= entry(end, 0, "").time and (key == "" or e.status == "error")]
                span = Span(None if start is None else us(start), us(end))
                if kind == "fetch":
                    stored.store(wanted, covered=span, query_key=key)
                else:  # the process died inside the transaction: nothing of it may remain
                    before = stored.count()
                    with mock.patch.object(archived_source, "record_span", side_effect=KeyboardInterrupt):
                        with pytest.raises(KeyboardInterrupt):
                            stored.store(wanted, covered=span, query_key=key)
                    assert stored.count() == before
            elif kind == "arrive":
                now += 1 + step[1]
                server.append(entry(now, len(server), step[2]))
            elif kind == "prune":
                archive.prune(max_entries=step[1])
            else:
                archive.close()
                archive = Archive.open(path)
                stored = archive.source(aitronos_identity())
            archived = {e.id for e in stored.entries()}
            assert archived <= {e.id for e in server}
            for key in ("", ERRORS):
                spans = stored.coverage(key)
                assert merge_spans(spans) == spans
                claimed = [e for e in server if e.time is not None and (key == "" or e.status == "error")
                           and any(span.contains(epoch_us(e.time)) for span in spans)]
                assert {e.id for e in claimed} <= archived, (key, spans)
        archive.close()


def test_a_page_claims_up_to_its_previous_page_only_while_that_span_is_stored():
    with tempfile.TemporaryDirectory() as folder:
        with Archive.open(Path(folder) / "archive.sqlite3") as archive:
            stored = archive.source(aitronos_identity())
            stored.store([entry(30, 1, "success")], covered=Span(us(20) + 1, us(40)))
            stored.store([entry(15, 2, "success")], covered=Span(us(10) + 1, us(40), joins_at=us(20) + 1))
            assert stored.coverage("") == [Span(us(10) + 1, us(40))]  # (joined, as one span)
            archive.clear(aitronos_identity())  # another process, between two pages
            stored.store([entry(5, 3, "success")], covered=Span(us(0) + 1, us(40), joins_at=us(10) + 1))
            # its own range only, short of the time the pages met: not the cleared range above
            assert stored.coverage("") == [Span(us(0) + 1, us(10) - 1)]


@settings(max_examples=60, deadline=None)
@given(initial=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["success", "error"])), min_size=3, max_size=30),
       page_size=st.integers(1, 4), interruptions=st.lists(st.tuples(st.integers(0, 8), st.sampled_from(
           ["clear", "prune"]), st.integers(0, 6)), max_size=3))
def test_a_backfill_that_another_process_prunes_between_pages_claims_nothing_it_lacks(initial, page_size,
                                                                                      interruptions):
    """A backfill stores its pages newest first, each claiming from its oldest entry up to the
    previous page's span (`Span.joins_at`); `archive clear` or `prune` may run between any two."""
    server = sorted((entry(time, number, status) for number, (time, status) in enumerate(initial)),
                    key=lambda e: e.time, reverse=True)
    top = us(40)
    with tempfile.TemporaryDirectory() as folder:
        with Archive.open(Path(folder) / "archive.sqlite3") as archive:
            stored = archive.source(aitronos_identity())
            joins_at = None
            pages = [server[i:i + page_size] for i in range(0, len(server), page_size)]
            for number, page in enumerate(pages):
                for after, what, keep in interruptions:
                    if after == number:
                        archive.clear(aitronos_identity()) if what == "clear" else archive.prune(max_entries=keep)
                oldest = epoch_us(page[-1].time)
                covered = Span(oldest + 1, top, joins_at) if oldest + 1 <= top else None
                stored.store(page, covered=covered)
                joins_at = joined_next(joins_at, covered, top)
            stored.store([], covered=Span(None, top, joins_at))  # the end of the source's data
            archived = {e.id for e in stored.entries()}
            claimed = [e for e in server if any(span.contains(epoch_us(e.time)) for span in stored.coverage(""))]
            assert {e.id for e in claimed} <= archived, stored.coverage("")
