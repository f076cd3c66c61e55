"""A page whose every entry is plainly valid is checked and built a field at a time
(`Source.plain_page`); that must say exactly what `plainly_valid` says of each entry, and the
entries built must be exactly the model's."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.files.jsonl import source_for_kind
from logview.sources.base import api_times
from logview.times import parse_api_time

from test_fast_parse import assert_same_as_the_model, body_of, described
from test_filecolumns import raw_entries, well_typed
from test_hostile_data import json_values

KINDS = ("supermetrics", "aitronos")


def every_entry_plain(kind: str, raws: list[Any]) -> bool:
    source = source_for_kind(kind)
    return bool(raws) and all(type(raw) is dict and source.plainly_valid(raw) for raw in raws)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_plain_page_is_one_whose_every_entry_is_plainly_valid(kind: str, data: st.DataObject) -> None:
    # mostly clean pages with the odd misfit: the interesting case is one bad entry among good ones
    entry = st.one_of(well_typed(kind), well_typed(kind), well_typed(kind), raw_entries(kind), json_values)
    raws = data.draw(st.lists(entry, max_size=6))
    source = source_for_kind(kind)
    plain = source.plain_page(raws)
    assert (plain is not None) == every_entry_plain(kind, raws)
    if plain is not None:
        for name, values in plain.items():
            assert values == [raw.get(name) for raw in raws]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_a_clean_page_built_at_once_is_what_the_model_builds(kind: str, data: st.DataObject) -> None:
    raws = data.draw(st.lists(well_typed(kind), min_size=1, max_size=8))
    assert_same_as_the_model(kind, raws)


@pytest.mark.parametrize("kind,bad", [
    ("supermetrics", {"status": 600}), ("supermetrics", {"status": 99}), ("supermetrics", {"status": True}),
    ("supermetrics", {"duration_ms": -1}), ("supermetrics", {"duration_ms": 1.0}), ("supermetrics", {"event": 3}),
    ("supermetrics", {"log_time": "2025-02-30T10:00:00Z"}), ("supermetrics", {"id": 7}),
    ("aitronos", {"duration_ms": 2**53}), ("aitronos", {"duration_ms": -(2**53)}), ("aitronos", {"status": 1}),
    ("aitronos", {"credential_id": ["x"]}), ("aitronos", {"created_at": None}),
])
def test_one_misfit_sends_its_page_the_exact_way_and_is_marked_as_the_model_marks_it(kind: str, bad: dict) -> None:
    time_key = "log_time" if kind == "supermetrics" else "created_at"
    clean = [{"id": f"e{i}", time_key: "2025-11-15T10:00:00Z", "duration_ms": 5} for i in range(4)]
    raws = clean[:2] + [{**clean[0], "id": "odd", **bad}] + clean[2:]
    assert_same_as_the_model(kind, raws)
    source = source_for_kind(kind)
    entries = source.parse_page(body_of(raws)).entries
    assert [entry.invalid is None for entry in entries] == [True, True, entries[2].invalid is None, True, True]
    assert [described(entry) for entry in entries[:2]] == [described(source.entry_from_raw(raw)) for raw in raws[:2]]


def test_a_page_of_times_is_parsed_as_each_time_is() -> None:
    texts = ["2025-11-15T10:00:00Z", "garbage", "2025-11-15T10:00:00Z", "2025-02-30T10:00:00Z", "2025-11-15"]
    assert api_times(texts) == [parse_api_time(text) for text in texts]
    assert api_times(texts)[0] is api_times(texts)[2]  # one datetime per text: the columns code it once
