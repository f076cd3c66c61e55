"""The archive's words on a query's entries merged while they wait (`feed_messages.merge_archived`):
only words of the same query and archive, kept in order; the store lets go of the same rows, with
the same rowids, after one merged word as after each word in turn, also where a word names a page
a word before it named (the first word's rowids hold)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.archive.gathering import Handed
from logview.store.held import HeldEntries
from logview.ui.feed_messages import EntriesArchived, merge_archived


class Reader:  # (an archive's reader: only its identity matters here)
    pass


def test_only_words_of_one_query_and_archive_merge_in_order():
    reader, a, b, c = Reader(), Handed(2), Handed(1), Handed(2)
    last = EntriesArchived(3, ([a], range(1, 3)), reader)
    assert merge_archived(last, EntriesArchived(3, ([b], [3]), reader))
    assert merge_archived(last, EntriesArchived(3, ([b, c], [9, 5, 6]), reader))  # a page said again: kept apart, after
    assert last.words == [([a], range(1, 3)), ([b], [3]), ([b, c], [9, 5, 6])]
    assert not merge_archived(last, EntriesArchived(4, ([c], [4, 5]), reader))  # another query
    assert not merge_archived(last, EntriesArchived(3, ([c], [4, 5]), Reader()))  # another archive
    assert not merge_archived(object(), EntriesArchived(3, ([c], [4, 5]), reader))  # another message
    assert last.words == [([a], range(1, 3)), ([b], [3]), ([b, c], [9, 5, 6])]


class Entry:
    def __init__(self, id: str) -> None:
        self.id = id


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_one_merged_word_lets_go_of_what_the_words_in_turn_do(data):
    sizes = data.draw(st.lists(st.integers(1, 8), min_size=1, max_size=8))
    count = sum(sizes)
    named = data.draw(st.lists(st.lists(st.sampled_from(range(len(sizes))), min_size=1, max_size=3), max_size=6))
    rowid = iter(range(1000, 3000))
    rowids = [[next(rowid) for _ in range(sum(sizes[n] for n in pages))] for pages in named]
    order = data.draw(st.permutations(range(count)))  # (the store's rows, in any order of their entries)

    def held_and_column():
        held = HeldEntries(track=True)
        tickets = [Handed(size) for size in sizes]
        first = len(held.entries)
        indices = held.add([Entry(f"e{i}") for i in range(count)])
        starts = np.cumsum([0, *sizes[:-1]]).tolist()
        held.bind([(start, (ticket, None)) for start, ticket in zip(starts, tickets)], first)
        words = [([tickets[n] for n in pages], list(said)) for pages, said in zip(named, rowids)]
        return held, indices[np.array(order, dtype=np.int64)], words

    held, column, words = held_and_column()
    in_turn: dict[int, int] = {}
    for word in words:
        rows, at = held.archived([word], column)
        in_turn.update(zip(rows.tolist(), at.tolist()))
    held, column, words = held_and_column()
    merged = EntriesArchived(1, ([], []), reader := Reader())
    for word in words:
        assert merge_archived(merged, EntriesArchived(1, word, reader))
    merged.words.pop(0)  # (the word it was made with: none)
    rows, at = held.archived(merged.words, column)
    assert dict(zip(rows.tolist(), at.tolist())) == in_turn
    held.release(column[rows], archived=True)  # (as the store lets go of them: `let_go_archived`)
    still_held = sum(entry is not None for entry in held.entries)  # (the pages no word named)
    assert still_held == sum(size for n, size in enumerate(sizes) if not any(n in pages for pages in named))
