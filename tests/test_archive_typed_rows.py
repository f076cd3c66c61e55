"""A Supermetrics page's rows made straight from its entries' text by the archive's writer process
(`archive/typed_rows.py`) are the rows the exact way makes (`raws_rows` of what `load_json` reads),
whatever the text; and the compact text of documented entries takes that way."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.archive import Archive
from logview.archive.rows import page_rows, raws_rows
from logview.archive.source import ArchivedSource
from logview.archive.typed_rows import supermetrics_text_rows
from logview.jsonutil import InvalidJSON, load_json
from logview.sources.base import Source
from logview.sources.typed_page import undecoded

from archive_support import supermetrics_identity
from test_archive_rows import any_logs, typed
from test_filecolumns import TIME_TEXTS

TEXT = st.text(max_size=12)
# every documented key, in the order the API writes them (`SupermetricsDocumented`)
FULL = st.fixed_dictionaries({
    "id": st.text(min_size=1, max_size=8), "log_time": TIME_TEXTS,
    "status": st.one_of(st.none(), st.integers(100, 599)),
    "event": st.one_of(st.none(), st.sampled_from(["fetch", "auth", "é ☃", "\U0001f600"]), TEXT),
    "request": st.one_of(st.none(), TEXT),
    "duration_ms": st.one_of(st.none(), st.integers(0, 10**12), st.sampled_from([2**63 - 1, 2**64 - 1])),
    "request_id": st.one_of(st.none(), TEXT)}).map(
    lambda entry: {key: entry[key] for key in ("id", "log_time", "status", "event", "request", "duration_ms",
                                               "request_id")})  # (hypothesis may draw the keys in another order)


def exact_rows(archived: ArchivedSource, text: bytes) -> list[list[tuple[type, Any]]]:
    rows = raws_rows(archived._writable_id(), archived.api_source, load_json(text))
    return [typed(row) for row in rows.tuples()]


def assert_as_the_exact_rows(archived: ArchivedSource, text: bytes) -> bool:
    """Whether `text` took the typed way (either way, the rows are the exact way's)."""
    ours = supermetrics_text_rows(archived._writable_id(), archived.api_source, text)
    if ours is not None:
        assert [typed(row) for row in ours.tuples()] == exact_rows(archived, text)
        assert ours.kinds is not None  # (what `insert_rows` binds by: every type a column holds, Nones alone said so)
        for column, kinds in zip(ours.columns, ours.kinds):
            assert set(map(type, column)) <= kinds
            assert kinds != {type(None)} or set(column) == {None}
    assert [typed(row) for row in archived.rows_from_text(text).tuples()] == exact_rows(archived, text)
    return ours is not None


def shuffled(entry: dict[str, Any]) -> dict[str, Any]:
    keys = list(entry)
    random.Random(len(keys)).shuffle(keys)
    return {key: entry[key] for key in reversed(keys)}


@settings(max_examples=200, deadline=None)
@given(st.lists(FULL, min_size=1, max_size=8), st.sampled_from(["compact", "spaced", "ascii", "reordered"]))
def test_documented_entries_make_the_exact_rows_and_compact_ones_take_the_typed_way(logs, how) -> None:
    text = {"compact": lambda: orjson.dumps(logs),
            "spaced": lambda: json.dumps(logs, ensure_ascii=False).encode(),
            "ascii": lambda: json.dumps(logs, separators=(",", ":")).encode(),
            "reordered": lambda: orjson.dumps([shuffled(entry) for entry in logs])}[how]()
    took = assert_as_the_exact_rows(archived_source(), text)
    usual = all((entry["duration_ms"] or 0) < 10**18 for entry in logs) and b"\\" not in text
    if how == "compact" and usual and all(row[2] is not None for row in
                                          raws_rows(1, archived_source().api_source, logs).tuples()):
        assert took  # (the writer process's usual page: the viewer hands it the texts as they came)


@settings(max_examples=150, deadline=None)
@given(any_logs("supermetrics"))
def test_any_page_makes_the_exact_rows(logs: list[Any]) -> None:
    try:
        text = orjson.dumps(logs)
    except TypeError:  # (a lone surrogate, an integer beyond 64 bits: never sent as text)
        return
    assert_as_the_exact_rows(archived_source(), text)


ENTRY = '{"id":"a","log_time":"2025-11-15T10:00:00Z","status":200,"event":"fetch","request":null,' \
        '"duration_ms":%s,"request_id":null}'


@pytest.mark.parametrize(("text", "typed_way"), [
    (f"[{ENTRY % 5}]", True),
    (f"[{ENTRY % 5},{ENTRY.replace('a', 'b', 1) % 7}]", True),
    (f"[{ENTRY % 5}]".replace('"id":"a"', '"id":"a","id":"b"'), False),  # a key twice: the last one counts
    (f"[{ENTRY % 5}]".replace(',"request":null', ""), False),  # a key left out
    (f"[{ENTRY % 5}]".replace('"fetch"', '"a\\/b"'), False),  # an escape orjson would not write
    (f"[{ENTRY % 5}]".replace('"fetch"', '"a\\"b"'), False),  # one it would: still the exact way
    (f"[{ENTRY % '5.0'}]", False), (f"[{ENTRY % '5e0'}]", False), (f"[{ENTRY % '-0'}]", False),
    (f"[{ENTRY % str(10**18 - 1)}]", True), (f"[{ENTRY % str(10**18)}]", False),  # (`load_json`'s own way from 19 digits)
    (f"[{ENTRY % str(2**64)}]", False), (f"[{ENTRY % ('9' * 400)}]", False),
    (f"[{ENTRY % 5}]".replace('"status":200', '"status":99'), False),
    (f"[{ENTRY % 5}]".replace("2025-11-15T10:00:00Z", "tomorrow"), False),
    (f"[ {ENTRY % 5}]", False), ("[]", False), ("[1]", False), ("{}", False),
])
def test_texts_at_the_edges_make_the_exact_rows(text: str, typed_way: bool) -> None:
    assert assert_as_the_exact_rows(archived_source(), text.encode()) is typed_way


def test_a_duration_load_json_refuses_is_refused_as_before() -> None:
    """(msgspec reads 5,000 digits; `load_json` refuses them, the thread's writer too: the same problem)"""
    with pytest.raises(InvalidJSON):
        archived_source().rows_from_text(f"[{ENTRY % ('9' * 5000)}]".encode())


def test_non_utf8_bytes_in_a_text_are_read_the_exact_way() -> None:
    text = (f"[{ENTRY % 5}]".replace('"fetch"', '"\x00"')).encode().replace(b"\x00", b"\xed\xa0\x80")
    assert supermetrics_text_rows(1, archived_source().api_source, text) is None


_ARCHIVES: list[Any] = []


def archived_source() -> ArchivedSource:
    """One archive for the module's examples (hypothesis runs each example without fixtures)."""
    if not _ARCHIVES:
        folder = tempfile.mkdtemp()
        _ARCHIVES.append(Archive.open(Path(folder) / "a.sqlite3").source(supermetrics_identity()))
    return _ARCHIVES[0]


@settings(max_examples=100, deadline=None)
@given(st.lists(FULL, min_size=1, max_size=8))
def test_the_threads_rows_of_a_typed_page_leave_its_raw_values_unread(logs: list[dict[str, Any]]) -> None:
    """(read, the viewer would pay for each, and code its batch the slower way)"""
    archived = archived_source()
    source = archived.api_source
    body = orjson.dumps({"logs": logs})
    entries = source.parse_page(body).entries
    rows = archived.rows(entries)
    exact = Source.parse_page(source, body).entries
    assert [typed(row) for row in rows.tuples()] == \
        [typed(row) for row in page_rows(archived._writable_id(), source, exact).tuples()]
    if undecoded(source.parse_page(body).entries) is not None:  # (a page read by the typed Structs)
        assert undecoded(entries) is not None


def test_times_remembered_past_the_limit_still_make_every_row(monkeypatch) -> None:
    """(the memory of time texts emptied as a page's new ones came in lost the page's others: the
    writer process failed with a KeyError ~20,000 distinct times into a backfill, found in a walk)"""
    from logview.sources import api_times

    monkeypatch.setattr(api_times, "_MICROS_LIMIT", 3)
    monkeypatch.setattr(api_times, "_MICROS", {})
    entry = ENTRY % 5
    pages = [[entry.replace("10:00:00", f"10:00:0{second}").replace('"a"', f'"{page}{second}"') for second in seconds]
             for page, seconds in enumerate([(1, 2), (2, 3, 4), (4, 5), (1, 6, 7, 8)])]
    for page in pages:
        assert assert_as_the_exact_rows(archived_source(), f"[{','.join(page)}]".encode())
