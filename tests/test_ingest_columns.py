"""The cheap paths of a page's ingest give exactly what the plain ones give: an API time text of
the two usual lengths parsed without `parse_api_time`'s checks, and a batch's columns coded with
C-level lookups (many new values at once, durations converted by numpy)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.files.jsonl import source_for_kind
from logview.jsonutil import load_json
from logview.sources.api_times import api_time, api_times
from logview.store.codes import Codes
from logview.times import parse_api_time

from test_codes_bulk import assert_columns_equal, entries_of, one_by_one

_STAMP_CHARS = st.sampled_from("0123456789-T:.Z+ \t\u00a0\u0660\u2003x")


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(_STAMP_CHARS, min_size=20, max_size=20), st.text(_STAMP_CHARS, min_size=24, max_size=24),
    st.datetimes().map(lambda moment: moment.isoformat(timespec="milliseconds")[:23] + "Z"),
    st.datetimes().map(lambda moment: moment.isoformat(timespec="seconds")[:19] + "Z"),
    st.sampled_from([" 2025-11-15T10:30:05Z", "2025-11-15T10:30:05 ", "2025-11-15 10:30:05+0",
                     "2025-11-15T10:30:05.123+00:00"[:24], "2025-02-30T10:30:05Z", "\u00a02025-11-15T10:30:05"])))
def test_a_time_text_of_the_usual_lengths_reads_as_parse_api_time_reads_it(text: str) -> None:
    expected = parse_api_time(text)
    for found in (api_time(text), api_times([text, text])[1]):
        assert found == expected
        assert (found is None) == (expected is None)
        if found is not None:
            assert found.utcoffset() == expected.utcoffset() and found.isoformat() == expected.isoformat()


@pytest.mark.parametrize("kind", ["supermetrics", "aitronos"])
def test_durations_that_numpy_converts_are_coded_as_one_by_one(kind: str) -> None:
    time_key = "log_time" if kind == "supermetrics" else "created_at"
    texts = ["0", "-0.0", "-1", "5", "1.5", "1e299", "1e300", "2e308", "1e-400", str(10**400), str(2**70), "null"]
    raws = load_json(("[" + ",".join(f'{{"id":"{i}","{time_key}":"2025-11-15T10:00:00Z","duration_ms":{text}}}'
                                     for i, text in enumerate(texts)) + "]").encode())
    source = source_for_kind(kind)
    entries = entries_of(source, [raws])[0]
    bulk = Codes(source).encode(entries)
    assert_columns_equal(bulk, one_by_one(Codes(source), source, entries))
    assert bulk["duration"][3] == 5.0 and math.isnan(bulk["duration"][2]) and math.isnan(bulk["duration"][-1])


@pytest.mark.parametrize("kind", ["supermetrics", "aitronos"])
def test_many_new_names_in_one_batch_get_codes_in_order_of_first_appearance(kind: str) -> None:
    time_key = "log_time" if kind == "supermetrics" else "created_at"
    page = [{"id": str(i), time_key: "2025-11-15T10:00:00Z", "event": f"event {(i * 7) % 90}",
             "credential_id": None if i % 3 else f"c{i % 40}", "tool_name": [i] if i == 5 else f"t{i % 50}"}
            for i in range(200)]
    source = source_for_kind(kind)
    entries = entries_of(source, [page])[0]
    bulk, reference = Codes(source), Codes(source)
    assert_columns_equal(bulk.encode(entries), one_by_one(reference, source, entries))
    for ours, theirs in zip(bulk.tables(), reference.tables()):
        assert ours.values == theirs.values
    assert len(bulk.events) == 91 and len(bulk.tools) == 51
