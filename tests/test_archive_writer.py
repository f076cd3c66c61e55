"""The archive's writer (`archive/writer.py`): a page handed over becomes rows on the event loop,
while the next page is awaited, and its thread only binds and inserts them; a page it cannot make
rows of (a read-only archive) is the writer's one `problem`, never an error on the event loop."""

from __future__ import annotations

import asyncio
import threading

from logview.archive import Archive, Span
from logview.archive.writer import PageWriter
from logview.times import epoch_us

from archive_support import aitronos_entries, aitronos_identity, told_by_id


async def test_pages_become_rows_on_the_event_loop_and_are_stored_whole_with_their_span():
    entries = aitronos_entries(1_250)
    top = epoch_us(entries[0].time)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        built_on_the_loop: list[bool] = []
        rows_of = stored.rows

        def rows(page):
            built_on_the_loop.append(threading.current_thread() is threading.main_thread())
            return rows_of(page)

        stored.rows = rows  # (observed, not replaced)
        writer = PageWriter(stored, "")
        for start in range(0, len(entries), 100):
            page = entries[start:start + 100]
            writer.store(page, Span(epoch_us(page[-1].time) + 1, top))
        await writer.flush()
        assert writer.problem is None
        assert built_on_the_loop == [True] * 13  # (the loop's thread is the main one here)
        assert stored.count() == 1_250
        assert [entry.id for entry in stored.entries()] == [entry.id for entry in entries]
        assert stored.coverage() == [Span(epoch_us(entries[-1].time) + 1, top)]


async def test_a_read_only_archive_is_the_writers_problem_not_an_error_on_the_event_loop():
    with Archive.open() as archive:
        archive.source(aitronos_identity())  # the source's row is there: only writing is refused
    errors: list[dict] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: errors.append(context))
    with Archive.open(readonly=True) as archive:
        writer = PageWriter(archive.source(aitronos_identity()), "")
        writer.store(aitronos_entries(100), None)
        await asyncio.sleep(0)  # the loop's turn to make the page rows
        await writer.flush()
    assert writer.problem is not None and "read-only" in writer.problem
    assert errors == []


async def test_after_each_commit_it_says_where_the_entries_are_archived_and_not_those_pruned():
    from logview.archive import Retention
    from logview.jsonutil import load_json

    entries = aitronos_entries(450)  # newest first; the archive keeps the newest 400
    with Archive.open(retention=Retention(max_entries=400)) as archive:
        stored = archive.source(aitronos_identity())
        said: list = []
        writer = PageWriter(stored, "", on_archived=lambda *word: said.append(word))
        pages = {writer.store(page, None): [e.id for e in page]
                 for page in (entries[start:start + 100] for start in range(0, len(entries), 100))}
        await writer.flush()
        told = told_by_id(said, pages)
        assert set(told) == {e.id for e in entries[:400]} == {e.id for e in stored.entries()}
        assert all(load_json(stored.raw([rowid])[0])["id"] == entry_id for entry_id, rowid in told.items())


async def test_a_fetch_faster_than_the_archive_waits_for_it(monkeypatch):
    """What waits to be stored is held in memory: past BACKLOG_BYTES, `room` holds the fetch (rows
    count ROW_BYTES an entry)."""
    import time

    import logview.archive.writer as writer_module

    entries = aitronos_entries(3_000)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        store_rows = stored.store_rows

        def slowly(rows, **options):
            time.sleep(0.05)  # (a slow disk)
            return store_rows(rows, **options)

        stored.store_rows = slowly
        monkeypatch.setattr(writer_module, "BACKLOG_BYTES", 500 * writer_module.ROW_BYTES)
        monkeypatch.setattr(writer_module, "PROCESS_AFTER", 10**9)  # (rows, in the thread: the process's pages
        # wait as their text, `test_archive_writer_process.py`)
        writer = PageWriter(stored, "")
        most = 0
        for start in range(0, len(entries), 100):
            writer.store(entries[start:start + 100], None)
            await writer.room()
            most = max(most, writer._waiting)
        await writer.flush()
        assert most <= 500 and stored.count() == 3_000


async def test_a_tail_page_stored_with_a_backfill_page_forgets_none_of_the_pages_before_it():
    """Found measuring the budget (`bench_budget.py`): a writer behind the fetch gathers the
    tail's page (its span from the backfill's top to now) and a backfill page (its span from its
    oldest entry up to the same top) into one transaction under their joined span. What a listing
    proves gone is judged a page at a time: the joined rows do not hold the backfill's earlier
    pages, archived before, and those 400 entries were deleted while the span said complete (a
    relaunch never fetched them again)."""
    entries = aitronos_entries(400)
    top = epoch_us(entries[0].time)
    arrived = aitronos_entries(3, seed=2, span_us=1_000_000, now_us=top + 5_000_000)  # after the top
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "")
        for start in (0, 100):  # the backfill's first pages, each a transaction of its own
            page = entries[start:start + 100]
            writer.store(page, Span(epoch_us(page[-1].time) + 1, top))
            await writer.flush()
        page = entries[200:300]
        writer.store(page, Span(epoch_us(page[-1].time) + 1, top, epoch_us(entries[199].time) + 1))
        writer.store(arrived, Span(top, top + 5_000_000))  # (both wait: the writer is behind the fetch)
        await writer.flush()
        assert writer.problem is None
        assert stored.count() == 303, "the backfill's first pages were forgotten"
        assert [entry.id for entry in stored.entries()] == [entry.id for entry in arrived + entries[:300]]


def test_a_gaps_pages_in_a_row_are_gathered_into_one_transaction_and_nothing_else_is():
    """Gathering is what keeps a writer behind a fast fetch from a transaction per page: a
    listing's pages, each joining where the one before it starts, still go together."""
    from logview.archive.gathering import HandedPage, gathered
    from logview.archive.writer import GATHER_ENTRIES

    entries = aitronos_entries(400)
    top, starts = epoch_us(entries[0].time), [epoch_us(entries[end - 1].time) + 1 for end in (100, 200, 300, 400)]
    spans = [Span(starts[0], top)] + [Span(starts[i], top, starts[i - 1]) for i in (1, 2, 3)]
    pages = [HandedPage(entries[i * 100:(i + 1) * 100], spans[i], 100, False, None) for i in range(4)]
    taken, covered = gathered(pages, GATHER_ENTRIES)
    assert len(taken) == 4 and covered == Span(starts[3], top)
    tail = HandedPage(aitronos_entries(3, seed=2), Span(top, top + 1), 3, False, None)
    assert [len(gathered(batch, GATHER_ENTRIES)[0]) for batch in ([*pages[:2], tail, pages[2]], [tail, *pages])] == [2, 1]
    unclaimed = HandedPage(entries[100:200], None, 100, False, None)  # (a doubted page claims nothing)
    assert len(gathered([pages[0], unclaimed], GATHER_ENTRIES)[0]) == 1
