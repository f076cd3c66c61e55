"""Which page handed to the archive a batch of shown entries came in, and each entry's place in it
(`PageArchiving.handed`): the store binds the batch by it (`HeldEntries.bind`) and lets go of its
entries when the archive's word names that page. A wrong page or place would let a row go to another
entry's rowid: these hold it to the pages as handed, typed or not."""

from __future__ import annotations

from logview.archive import Archive
from logview.archive.archiving import PageArchiving
from logview.files.jsonl import source_for_kind
from logview.sources.page_columns import columns_of

from archive_support import aitronos_entries, aitronos_identity, supermetrics_entries, supermetrics_identity
from test_typed_page import compact


def typed_page(entries):
    page = source_for_kind("supermetrics").parse_page(compact([entry.raw for entry in entries])).entries
    assert columns_of(page) is not None  # (a typed page: its ids a column)
    return page


async def test_a_batch_is_bound_to_the_page_it_came_in_whole_or_by_place(tmp_path):
    entries = supermetrics_entries(30, seed=3)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archiving = PageArchiving(archive.source(supermetrics_identity()), "", lambda tickets, rowids: None)
        first, second = typed_page(entries[:10]), typed_page(entries[10:30])
        await archiving.store(first, None)
        await archiving.store(second, None)
        (ticket_1, whole_1), (ticket_2, whole_2) = archiving.handed(first.copy()), archiving.handed(second.copy())
        assert (whole_1, whole_2) == (None, None) and ticket_1 is not ticket_2  # (each page whole, in order)
        assert (ticket_1.size, ticket_2.size) == (10, 20)
        assert archiving.handed([second[5], second[2], second[19]]) == (ticket_2, [5, 2, 19])  # (sorted, filtered)
        assert archiving.handed([first[9], first[0]]) == (ticket_1, [9, 0])  # (an earlier page: the tail's came between)
        assert archiving.handed([first[0], second[0]]) is None  # (no page holds both)
        assert archiving.handed([]) is None
        await archiving.flush()


async def test_a_plain_page_is_bound_by_its_ids_and_nothing_is_bound_where_no_word_is_wanted(tmp_path):
    entries = aitronos_entries(12, seed=2)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        archiving = PageArchiving(archive.source(aitronos_identity()), "", lambda tickets, rowids: None)
        await archiving.store(entries, None)
        ticket, whole = archiving.handed(list(entries))
        assert whole is None and ticket.size == 12
        assert archiving.handed(entries[3:5]) == (ticket, [3, 4])
        await archiving.flush()
        export = PageArchiving(archive.source(aitronos_identity()), "", None)  # (export: no word asked)
        await export.store(entries, None)
        assert export.handed(list(entries)) is None
        await export.flush()
