"""A page's entries are built without a model per entry (`Source.entries_from_raws`), and that
fast path must give exactly what the model gives: the same id, time (instant and offset), status
(value and type), raw and verdict, for clean, misfit and hostile entries alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.jsonutil import load_json
from logview.model import LogEntry
from logview.files.jsonl import source_for_kind
from logview.sources.base import api_time
from logview.times import parse_api_time

from test_filecolumns import raw_entries, well_typed
from test_hostile_data import aitronos_entries, json_values, supermetrics_entries

KINDS = ("supermetrics", "aitronos")


def described(entry: LogEntry) -> tuple[Any, ...]:
    """Everything about an entry, types included (`200 == 200.0` and `True == 1` must not pass)."""
    offset = None if entry.time is None else entry.time.utcoffset()
    return (entry.id, type(entry.id), entry.time, offset, type(entry.time), entry.status, type(entry.status),
            entry.source, entry.invalid)


def body_of(logs: list[Any]) -> bytes:
    # json, not orjson: integers beyond 64 bits and lone surrogates must reach the parser too
    return json.dumps({"logs": logs}).encode()


def assert_same_as_the_model(kind: str, logs: list[Any]) -> None:
    source = source_for_kind(kind)
    body = body_of(logs)
    fast = source.parse_page(body).entries
    slow = [source.entry_from_raw(raw) for raw in load_json(body)["logs"]]
    assert [described(e) for e in fast] == [described(e) for e in slow]
    assert [e.raw for e in fast] == [e.raw for e in slow]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_fast_parse_gives_what_the_model_gives(kind: str, data: st.DataObject) -> None:
    hostile = aitronos_entries() if kind == "aitronos" else supermetrics_entries()
    logs = data.draw(st.lists(st.one_of(raw_entries(kind), well_typed(kind), hostile, json_values), max_size=6))
    assert_same_as_the_model(kind, logs)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_clean_entries_take_the_fast_path(kind: str, data: st.DataObject) -> None:
    # The fast path is pointless if it is not taken: clean entries never reach the model.
    source = source_for_kind(kind)
    logs = [raw for raw in data.draw(st.lists(well_typed(kind), min_size=1, max_size=5))
            if parse_api_time(raw[source.time_field]) is not None]
    expected = [source.entry_from_raw(raw) for raw in logs]
    source.entry_from_raw = lambda raw: pytest.fail(f"the model was asked about {raw!r}")  # type: ignore[method-assign]
    assert [described(e) for e in source.parse_page(body_of(logs)).entries] == [described(e) for e in expected]


@pytest.mark.parametrize("kind,raw,invalid", [
    ("supermetrics", {"id": "a", "log_time": "2025-02-30T10:00:00Z", "status": 200}, True),  # no such day
    ("supermetrics", {"id": "a", "log_time": "2025-11-15T10:00:00.5+01:00", "status": 599}, False),
    ("supermetrics", {"id": "a", "log_time": "2025-11-15T10:00:00Z", "status": 200.0}, False),  # a float: the model
    ("supermetrics", {"id": 7, "log_time": "2025-11-15T10:00:00Z"}, False),  # a number id: the model's str
    ("supermetrics", {"id": "a", "log_time": "2025-11-15T10:00:00Z", "status": 2**70}, True),
    ("aitronos", {"id": "a\ud800", "created_at": "2025-11-15", "status": "Success"}, False),
    ("aitronos", {"id": "a", "created_at": " 2025-11-15T10:00:00Z ", "status": 5}, False),
    ("aitronos", {"id": "a", "created_at": "x" * 70}, True),
    ("aitronos", {"id": "a", "created_at": "2025-11-15", "\ud800": None}, True),  # the model refuses such a key
    ("supermetrics", {"id": "a", "log_time": "2025-11-15", "caf\u00e9": "\ud800"}, False),
])
def test_edge_entries_match_the_model(kind: str, raw: dict, invalid: bool) -> None:
    assert_same_as_the_model(kind, [raw])
    entry = source_for_kind(kind).parse_page(body_of([raw])).entries[0]
    assert (entry.invalid is not None) is invalid


def test_the_time_cache_stays_bounded_and_exact() -> None:
    texts = [f"2025-11-15T10:{minute:02d}:{second:02d}.{milli:03d}Z"
             for minute in range(60) for second in range(60) for milli in range(0, 1000, 97)]
    assert len(texts) > 20_000
    for text in texts:
        assert api_time(text) == parse_api_time(text)
    assert api_time("not a time") is None and api_time("not a time") is None
