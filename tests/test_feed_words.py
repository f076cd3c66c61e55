"""The archive's words on a query's entries merged while they wait (`feed_messages.merge_archived`):
only words of the same query and archive, kept in order; the store lets go of the same rows, with
the same rowids, after one merged word as after each word in turn, also where a word names an
entry a word before it named (the first word's rowid holds)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.store.held import HeldEntries
from logview.ui.feed_messages import EntriesArchived, merge_archived


class Reader:  # (an archive's reader: only its identity matters here)
    pass


def test_only_words_of_one_query_and_archive_merge_in_order():
    reader = Reader()
    last = EntriesArchived(3, {"a": 1, "b": 2}, reader)
    assert merge_archived(last, EntriesArchived(3, {"c": 3}, reader))
    assert merge_archived(last, EntriesArchived(3, {"c": 9, "e": 5}, reader))  # an entry said again: kept apart, after
    assert last.rowids == [{"a": 1, "b": 2}, {"c": 3}, {"c": 9, "e": 5}]
    assert not merge_archived(last, EntriesArchived(4, {"d": 4}, reader))  # another query
    assert not merge_archived(last, EntriesArchived(3, {"d": 4}, Reader()))  # another archive
    assert not merge_archived(object(), EntriesArchived(3, {"d": 4}, reader))  # another message
    assert last.rowids == [{"a": 1, "b": 2}, {"c": 3}, {"c": 9, "e": 5}]


class Entry:
    def __init__(self, id: str) -> None:
        self.id = id


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_one_merged_word_lets_go_of_what_the_words_in_turn_do(data):
    count = data.draw(st.integers(1, 60))
    ids = [f"e{i}" for i in range(count)]
    pages = data.draw(st.lists(st.integers(1, 8), min_size=1, max_size=8))
    archived_ids = data.draw(st.permutations(ids))[:data.draw(st.integers(0, count))]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(archived_ids)), min_size=len(pages), max_size=len(pages))))
    words = [dict.fromkeys(archived_ids[a:b]) for a, b in zip([0, *cuts], [*cuts, len(archived_ids)])]
    if archived_ids and data.draw(st.booleans()):  # (a word naming again entries a word before it named)
        words.append(dict.fromkeys(data.draw(st.lists(st.sampled_from(archived_ids), min_size=1, unique=True))))
    rowid = iter(range(1000, 2000))
    words = [{key: next(rowid) for key in word} for word in words]
    order = data.draw(st.permutations(range(count)))  # (the store's rows, in any order of their entries)

    def held_and_column():
        held = HeldEntries(track=True)
        indices = held.add([Entry(i) for i in ids])
        return held, indices[np.array(order, dtype=np.int64)]

    held, column = held_and_column()
    in_turn: dict[int, int] = {}
    for word in words:
        rows, at = held.archived([word], column)
        in_turn.update(zip(rows.tolist(), at.tolist()))
    held, column = held_and_column()
    merged = EntriesArchived(1, {}, reader := Reader())
    for word in words:
        assert merge_archived(merged, EntriesArchived(1, dict(word), reader))
    merged.rowids.pop(0)  # (the word it was made with: none)
    rows, at = held.archived(merged.rowids, column)
    assert dict(zip(rows.tolist(), at.tolist())) == in_turn
    assert set(held.unarchived) == set(ids) - set(archived_ids)
