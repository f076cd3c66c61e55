"""A page's filter columns are coded a column at a time (`Codes.encode`); that must give exactly
what coding each entry on its own gives: the same times, codes (in the same order of first
appearance), error groups, durations and invalid flags, for clean, misfit and hostile entries,
over several pages that share one table."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.files.columns import NO_TIME
from logview.files.jsonl import source_for_kind
from logview.model import SEV_ERROR, SEV_UNKNOWN, LogEntry
from logview.sources.base import Source, first_named, TOOL_KEYS
from logview.store.codes import Codes
from logview.times import epoch_us

from test_filecolumns import raw_entries, well_typed
from test_hostile_data import aitronos_entries, json_values, supermetrics_entries

KINDS = ("supermetrics", "aitronos")


def one_by_one(codes: Codes, source: Source, entries: list[LogEntry]) -> dict[str, list[Any]]:
    """The reference: every entry coded on its own, field by field, as the store's contract says."""
    columns: dict[str, list[Any]] = {name: [] for name in
                                     ("time", "status", "credential", "event", "tool", "error", "duration", "invalid")}
    for entry in entries:
        raw = entry.raw if type(entry.raw) is dict else {}
        columns["time"].append(NO_TIME if entry.time is None else epoch_us(entry.time))
        columns["status"].append(codes.statuses.code(entry.status))
        for name, value in (("credential", raw.get("credential_id")), ("event", raw.get("event")),
                            ("tool", first_named(raw, TOOL_KEYS))):
            columns[name].append(codes.table(name).code(value) if type(value) is str else 0)
        columns["error"].append(codes.errors.code(source.error_group(entry.status, raw)))
        duration = raw.get("duration_ms")
        number = type(duration) in (int, float) and 0 <= duration < 1e300
        columns["duration"].append(float(duration) if number else math.nan)
        columns["invalid"].append(entry.invalid is not None)
    codes.update_severity()
    return columns


def assert_columns_equal(bulk: dict[str, np.ndarray], reference: dict[str, list[Any]]) -> None:
    assert set(bulk) == set(reference)
    for name, values in reference.items():
        if name == "duration":
            assert np.array_equal(bulk[name], np.array(values, dtype=np.float64), equal_nan=True), name
        else:
            assert bulk[name].tolist() == values, name


def entries_of(source: Source, pages: list[list[Any]]) -> list[list[LogEntry]]:
    return [[source.entry_from_raw(raw) for raw in page] for page in pages]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_coding_a_page_at_once_gives_what_coding_each_entry_gives(kind: str, data: st.DataObject) -> None:
    hostile = aitronos_entries() if kind == "aitronos" else supermetrics_entries()
    entry = st.one_of(raw_entries(kind), well_typed(kind), hostile, json_values)
    pages = data.draw(st.lists(st.lists(entry, max_size=8), min_size=1, max_size=3))
    source = source_for_kind(kind)
    bulk, reference = Codes(source), Codes(source)
    for page in entries_of(source, pages):
        assert_columns_equal(bulk.encode(page), one_by_one(reference, source, page))
        for ours, theirs in zip(bulk.tables(), reference.tables()):
            assert ours.values == theirs.values  # the same codes for the same values, in order
        assert bulk.severity.tolist() == reference.severity.tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_a_page_of_every_kind_of_value_is_coded_exactly(kind: str) -> None:
    time_key = "log_time" if kind == "supermetrics" else "created_at"
    page = [
        {"id": "a", time_key: "2025-11-15T10:00:00Z", "status": 500 if kind == "supermetrics" else "error",
         "event": "fetch", "tool": None, "tool_key": "gmail", "duration_ms": 2**70, "credential_id": "c1",
         "error": {"code": "E1", "message": "retry after 37s"}},
        {"id": "b", time_key: "2025-11-15T10:00:00Z", "event": {"not": "a name"}, "tool_name": "drive",
         "duration_ms": True, "credential_id": 7},
        {"id": "c", time_key: "not a time", "duration_ms": -1.0, "tool": "sheets", "tool_key": "ignored"},
        ["not", "an", "object"],
        {"id": "d", time_key: "2025-11-15T09:59:59.123Z", "status": 404 if kind == "supermetrics" else "blocked",
         "duration_ms": 1.5, "event": "fetch"},
    ]
    source = source_for_kind(kind)
    entries = entries_of(source, [page])[0]
    bulk = Codes(source).encode(entries)
    assert_columns_equal(bulk, one_by_one(Codes(source), source, entries))
    assert bulk["duration"][0] == float(2**70) and math.isnan(bulk["duration"][1])
    assert bulk["tool"].tolist()[:3] != [0, 0, 0]  # the tool's other spellings were read


def test_a_status_of_digits_that_is_no_number_is_coded_as_of_unknown_severity() -> None:
    # `'²'.isdigit()` holds and `int('²')` fails: a hostile page must not stop the store
    source = source_for_kind("supermetrics")
    entries = entries_of(source, [[{"id": "a", "log_time": "2025-11-15T10:00:00Z", "status": "²"},
                                   {"id": "b", "log_time": "2025-11-15T10:00:00Z", "status": 500}]])[0]
    codes = Codes(source)
    columns = codes.encode(entries)
    assert codes.severity[columns["status"]].tolist() == [SEV_UNKNOWN, SEV_ERROR]
