"""A backfill's pages posted together (`ui/gathering.py`): at most one message per interval, the
first at once, and a message about entries gathered (`then`) right after them, never before."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from logview.ui.gathering import Gathering


@dataclass
class Batch:
    generation: int
    entries: list = field(default_factory=list)
    pages: int = 0
    total: int | None = None
    archived: int = 0


async def test_the_first_pages_go_at_once_the_next_together_and_a_later_word_after_them():
    posted: list = []
    gathering = Gathering(posted.append, Batch, every_s=0.2)
    gathering.add(1, ["a"], 1, None, 0)  # the first: at once
    gathering.then("archived a")  # nothing gathered now: at once too
    gathering.add(1, ["b"], 2, None, 0)
    gathering.add(1, ["c"], 3, None, 0)
    gathering.then("archived b, c")  # about entries still gathered: after them
    assert [p if isinstance(p, str) else p.entries for p in posted] == [["a"], "archived a"]
    await asyncio.sleep(0.3)
    assert [p if isinstance(p, str) else p.entries for p in posted] == [["a"], "archived a", ["b", "c"], "archived b, c"]


async def test_a_new_generation_posts_the_old_ones_pages_and_words_first():
    posted: list = []
    gathering = Gathering(posted.append, Batch, every_s=10)
    gathering.add(1, ["a"], 1, None, 0)
    gathering.add(1, ["b"], 2, None, 0)
    gathering.then("archived b")
    gathering.add(2, ["x"], 1, None, 0)
    assert [(p, None) if isinstance(p, str) else (p.entries, p.generation) for p in posted] == \
        [(["a"], 1), (["b"], 1), ("archived b", None), (["x"], 2)]


async def test_words_waiting_together_are_merged_when_merge_takes_them_and_go_in_order():
    """(The archive's words, `feed_messages.merge_archived`: one pass of the store for many pages.)"""
    posted: list = []
    gathering = Gathering(posted.append, Batch, every_s=10)

    def merge(last, word):
        if not (isinstance(last, set) and isinstance(word, set)):
            return False
        last |= word
        return True

    gathering.then({"first"}, merge)  # nothing gathered: at once, never merged later
    gathering.add(1, ["a"], 1, None, 0)
    gathering.add(1, ["b"], 2, None, 0)
    gathering.then({"a"}, merge)
    gathering.then({"b"}, merge)
    gathering.then("other")  # one merge refuses: a new message
    gathering.then({"c"}, merge)
    assert posted == [{"first"}, Batch(1, ["a"], 1)]
    gathering.flush()
    assert posted == [{"first"}, Batch(1, ["a"], 1), Batch(1, ["b"], 2), {"a", "b"}, "other", {"c"}]
