"""`Head`: the newest time a pager has seen and exactly the ids at that time (what a tail polls from)."""

from datetime import datetime, timedelta, timezone

from logview.api.head import Head
from logview.model import LogEntry

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def entry(entry_id: str, seconds: int | None) -> LogEntry:
    moment = None if seconds is None else T0 + timedelta(seconds=seconds)
    return LogEntry(id=entry_id, time=moment, status="success", raw={}, source="aitronos")


def test_notes_from_several_pages_keep_the_newest_time_and_only_its_ids():
    head = Head()
    assert (head.time, head.ids) == (None, set())
    head.note([entry("a", 5), entry("b", 5), entry("c", 3)])  # a page, newest first
    head.note([entry("d", 3), entry("e", 1)])  # an older page: the head stays
    assert (head.time, head.ids) == (T0 + timedelta(seconds=5), {"a", "b"})
    head.note([entry("f", 5)])  # the tie group at the head grew
    assert head.ids == {"a", "b", "f"}
    head.note([entry("g", 4), entry("h", 7), entry("i", 7)])  # a newer time: the old group is dropped
    assert (head.time, head.ids) == (T0 + timedelta(seconds=7), {"h", "i"})


def test_an_entry_without_a_time_is_remembered_by_id_and_leaves_the_head_alone():
    head = Head()
    head.note([entry("a", 2), entry("x", None)])
    assert (head.time, head.ids) == (T0 + timedelta(seconds=2), {"a"})
    assert "x" in head.timeless and "a" not in head.timeless


def test_start_from_ignores_an_older_moment_merges_an_equal_one_and_moves_to_a_newer_one():
    head = Head()
    head.start_from(T0, {"a"})
    assert (head.time, head.ids) == (T0, {"a"})
    head.start_from(T0 - timedelta(seconds=1), {"old"})
    assert (head.time, head.ids) == (T0, {"a"})
    given = {"b", "c"}
    head.start_from(T0, given)
    assert head.ids == {"a", "b", "c"}
    head.start_from(T0 + timedelta(seconds=1), given)
    assert (head.time, head.ids) == (T0 + timedelta(seconds=1), {"b", "c"})
    head.ids.add("d")
    assert given == {"b", "c"}  # the head keeps its own copy of the ids it was given
