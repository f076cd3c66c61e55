"""What a listing proves (`archive/listed.py`): once a page that completes a span is stored, every
archived entry strictly inside the span and the page's times that the page does not hold goes; the
others stay, whatever the times (ties, entries without a time, the span's ends)."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from logview.archive.coverage import Span
from logview.archive.schema import SCHEMA
from logview.archive.listed import forget_unlisted
from logview.archive.rows import Rows

TIMES = st.one_of(st.none(), st.integers(0, 40))


def stored(db: sqlite3.Connection, entries: list[tuple[str, int | None]]) -> None:
    db.executemany("INSERT OR IGNORE INTO entries (source, id, time_us, raw) VALUES (1, ?, ?, x'7b7d')", entries)


@settings(max_examples=300, deadline=None)
@given(archived=st.lists(st.tuples(st.sampled_from("abcdefghij"), TIMES), max_size=12),
       page=st.dictionaries(st.sampled_from("klmnopqrst"), TIMES, max_size=8), before=st.data(),
       start=st.one_of(st.none(), st.integers(0, 40)), end=st.integers(0, 40))
def test_the_archived_entries_a_listing_does_not_hold_inside_its_span_go_and_no_other(archived, page, before,
                                                                                       start, end):
    """(each listed entry archived at its own time, if at all: one archived at another time may hide
    an unlisted one from the count that spares the ids' look-up, as the module says)"""
    archived = archived + before.draw(st.lists(st.sampled_from(sorted(page.items())), unique=True)) if page else archived
    page = list(page.items())
    if start is not None and start > end:
        start, end = end, start
    db = sqlite3.connect(":memory:", isolation_level=None)
    for statement in SCHEMA:
        db.execute(statement)
    db.execute("INSERT INTO sources VALUES (1, 'aitronos', 'u', 's')")
    stored(db, archived)
    stored(db, page)
    rows = Rows([[1] * len(page), [entry_id for entry_id, _ in page], [moment for _, moment in page]])
    before = db.execute("SELECT id, time_us FROM entries").fetchall()
    gone = forget_unlisted(db, 1, Span(start, end), rows)
    times = [moment for _, moment in page if moment is not None]
    listed = {entry_id for entry_id, _ in page}
    high = min(end, max(times) - 1) if times else None
    expected = [(entry_id, moment) for entry_id, moment in before
                if high is None or moment is None or entry_id in listed or moment > high
                or (start is not None and moment <= start)]
    assert sorted(db.execute("SELECT id, time_us FROM entries").fetchall(), key=repr) == sorted(expected, key=repr)
    assert gone == len(before) - len(expected)
