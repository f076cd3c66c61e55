"""A file written out of order is shown newest first (issue 16 §2): the order `files.order`
gives, the store over a file moved into it, and the byte search still right afterwards."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.files.columns import NO_TIME, ColumnReader
from logview.files.jsonl import entry_from_line, source_for_kind
from logview.files.lines import LineFile, scan_lines
from logview.files.order import newest_first_order
from logview.model import Filters
from logview.store import EntryStore, FilteredView

TORN = b'{"id":"torn","log_time":'
TIMES = st.lists(st.one_of(st.just(NO_TIME), st.integers(0, 20)), max_size=40)


def expected_order(times: list[int]) -> list[int]:
    """By hand: each untimed row rides with the timed row before it (the first ones stay first);
    a stable sort, newest first."""
    keys, current = [], None
    for time in times:
        current = time if time != NO_TIME else current
        keys.append(float("inf") if current is None else current)
    return sorted(range(len(times)), key=lambda i: -keys[i])


@settings(max_examples=300, deadline=None)
@given(TIMES)
def test_the_order_is_newest_first_and_stable(times: list[int]) -> None:
    order = newest_first_order(np.array(times, dtype=np.int64))
    want = expected_order(times)
    if order is None:
        assert want == list(range(len(times)))
    else:
        assert order.tolist() == want and want != list(range(len(times)))


def write_shuffled(path: Path, n: int, seed: int) -> list[dict]:
    """n Supermetrics entries (ties included, one torn line) in random order; returns them newest
    first as the viewer must show them."""
    rng = random.Random(seed)
    entries = [{"id": f"e{i:04d}", "log_time": f"2025-01-01T00:{i // 120:02d}:{i // 2 % 60:02d}Z",
                "status": rng.choice([200, 404, 503]), "event": "data.page"} for i in range(n)]
    shuffled = entries[:]
    rng.shuffle(shuffled)
    lines = [orjson.dumps(entry) for entry in shuffled]
    lines.insert(n // 2, TORN)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return sorted(shuffled, key=lambda entry: entry["log_time"], reverse=True)


def test_a_file_store_moves_its_rows_newest_first(tmp_path: Path) -> None:
    path = tmp_path / "shuffled.jsonl"
    newest_first = write_shuffled(path, 600, seed=5)
    source = source_for_kind("supermetrics")
    store = EntryStore(source, lines=LineFile(path))
    reader = ColumnReader(source)
    for chunk in scan_lines(path, chunk_bytes=4096, first_bytes=1024, with_data=True):
        store.append_lines(chunk)
        store.fill_columns(reader.read_chunk(chunk))
    view = FilteredView(store)
    epoch = store.epoch
    assert store.newest_first() and store.epoch == epoch + 1
    assert not store.newest_first()  # (already in order)
    assert view.sync().reset
    ids = [entry.id for entry in store.entries(view.index)]
    torn = entry_from_line(source, TORN).id
    torn_at = ids.index(torn)
    assert [i for i in ids if i != torn] == [entry["id"] for entry in newest_first]
    times = store.span("time", store.head, store.tail)
    assert (np.diff(times[times != NO_TIME]) <= 0).all()
    # the torn line stays right after the line it followed in the file
    file_lines = path.read_bytes().split(b"\n")
    before_torn = entry_from_line(source, file_lines[file_lines.index(TORN) - 1]).id
    assert ids[torn_at - 1] == before_torn
    # a search over the moved rows finds exactly the lines that hold the needle
    view.refilter(Filters(search="e012"))
    found = sorted(entry.id for entry in store.entries(view.index))
    assert found == sorted(entry["id"] for entry in newest_first if "e012" in entry["id"])
    store.close()
