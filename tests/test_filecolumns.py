"""filecolumns: the bulk column reader must agree with parsing each line into an entry."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import logview.files.columns as filecolumns
from logview.files.columns import FIELDS, NO_TIME, ColumnChunk, ColumnReader
from logview.sources.base import duration_ms
from logview.files.jsonl import entry_from_line, source_for_kind
from logview.times import epoch_us, parse_api_time

PROPERTY = settings(max_examples=200, deadline=None)
KINDS = ("supermetrics", "aitronos")
NAME_KEYS = {"credential": "credential_id", "event": "event", "tool": "tool"}

# -- generated entries ------------------------------------------------------------------------

_MOMENTS = [datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2025, 11, 15, 10, 30, 5, 123456, tzinfo=timezone.utc),
            datetime(1999, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc)]
_TIME_FORMATS = [
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"),
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z",
    lambda d: d.strftime("%Y-%m-%d %H:%M:%S.") + f"{d.microsecond // 1000:03d}Z",
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+01:00",
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S"),  # naive: UTC
    lambda d: d.strftime("%Y-%m-%d"),
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + "5Z",
    lambda d: d.strftime("%Y-%m-%dT%H:%M") + "+01",  # 19 characters, a time
    lambda d: d.strftime("%Y-%m-%dT%H:%M") + "+01.123Z",  # 24 characters ending `.mmmZ`, not a time
    lambda d: "   " + d.strftime("%Y-%m-%dT%H:%M") + ".123Z",  # 24 characters, a time
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + "12xZ",
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + "\u0661\u0662\u0663Z",  # non-ASCII digits
    lambda d: " " + d.strftime("%Y-%m-%dT%H:%M:%SZ") + " ",
]
TIME_TEXTS = st.builds(lambda fmt, moment: fmt(moment), st.sampled_from(_TIME_FORMATS), st.sampled_from(_MOMENTS))
TIMES = st.one_of(
    TIME_TEXTS,
    st.sampled_from(["", "garbage", "2025-13-01T00:00:00.000Z", "2025-02-30T10:00:00.123Z", "x" * 70,
                     "2025-01-01T24:00:00.000Z", "9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00.000Z"]),
    st.integers(-10**12, 10**13), st.sampled_from([10**20, -1, 0, 2**63 - 1]),
    st.floats(-1e13, 1e13, allow_nan=False), st.booleans(), st.none(), st.just([]),
)
TEXT = st.text(max_size=6)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 1000), TEXT)
ANY = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=2),
                                                   st.dictionaries(TEXT, inner, max_size=2)), max_leaves=4)
IDS = st.one_of(TEXT, st.integers(), st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False), ANY)
STATUSES = st.one_of(
    st.integers(90, 610), st.sampled_from([100, 599, 0, -200, 10**20, 2**64]),
    st.sampled_from(["success", "error", "blocked", "timeout", "200", "", "Success"]), TEXT,
    st.booleans(), st.sampled_from([200.0, 200.5, 1e300]), st.none(), st.just({"code": 200}),
)
NAMES = st.one_of(st.sampled_from(["cred-1", "cred-2", "fetch", "call", "É"]), TEXT, st.integers(-3, 3),
                  st.none(), st.just({"a": 1}), st.just(["x"]), st.booleans())
DURATIONS = st.one_of(st.integers(-10, 10**6), st.sampled_from([2**53 - 1, 2**53, -(2**53), 2**63, 10**30, 10**400]),
                      st.floats(-1e6, 1e6), st.sampled_from([1.5, -0.0, 1e308]), st.none(), st.just("12"),
                      st.booleans())


def raw_entries(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    time_key = "log_time" if kind == "supermetrics" else "created_at"
    return st.fixed_dictionaries({}, optional={
        "id": IDS, time_key: TIMES, "status": STATUSES, "credential_id": NAMES, "event": NAMES,
        "tool": NAMES, "request": NAMES, "request_id": NAMES, "duration_ms": DURATIONS,
        "error": st.one_of(st.none(), TEXT, st.just({"message": "boom"})),
        "extra": ANY, "_private": SCALARS, "model_config": SCALARS,
    })


def well_typed(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Entries that fit their schema, with optional fields present or absent."""
    time_key = "log_time" if kind == "supermetrics" else "created_at"
    if kind == "supermetrics":
        status, duration = st.integers(100, 599), st.integers(0, 10**9)
    else:
        status = st.sampled_from(["success", "error", "blocked", "timeout"])
        duration = st.one_of(st.integers(-10**6, 10**6), st.floats(0, 1e6))
    return st.fixed_dictionaries({"id": st.text(min_size=1, max_size=8), time_key: TIME_TEXTS}, optional={
        "status": st.one_of(st.none(), status), "duration_ms": st.one_of(st.none(), duration),
        "credential_id": st.one_of(st.none(), NAMES.filter(lambda v: isinstance(v, str))),
        "event": st.one_of(st.none(), st.sampled_from(["fetch", "auth"])), "tool": NAMES,
        "request": st.one_of(st.none(), TEXT), "request_id": st.one_of(st.none(), TEXT),
    })


# -- plainly_valid ----------------------------------------------------------------------------

def check_plainly_valid(kind: str, raw: dict[str, Any]) -> bool:
    source = source_for_kind(kind)
    entry = source.entry_from_raw(raw)
    if not source.plainly_valid(raw):
        return False
    if parse_api_time(raw[source.time_field]) is None:  # the one check left to the caller
        assert entry.invalid is not None
        return True
    assert entry.invalid is None, (raw, entry.invalid)
    status = raw.get("status")
    assert entry.status == status and type(entry.status) is type(status)
    return True


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY
@given(data=st.data())
def test_plainly_valid_implies_valid_with_status_as_is(kind: str, data: st.DataObject) -> None:
    check_plainly_valid(kind, data.draw(st.one_of(raw_entries(kind), well_typed(kind))))


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_well_typed_entries_are_plainly_valid(kind: str, data: st.DataObject) -> None:
    # Not required for correctness, but the fast path is pointless if it is never taken.
    raw = data.draw(well_typed(kind))
    assert check_plainly_valid(kind, raw)


@pytest.mark.parametrize("kind,raw", [
    ("supermetrics", {"id": "a", "log_time": "2025-01-01T00:00:00Z", "status": True}),
    ("supermetrics", {"id": "a", "log_time": "2025-01-01T00:00:00Z", "status": 200.0}),
    ("supermetrics", {"id": "a", "log_time": "2025-01-01T00:00:00Z", "status": 600}),
    ("supermetrics", {"id": "a", "log_time": "2025-01-01T00:00:00Z", "duration_ms": -1}),
    ("supermetrics", {"id": "a", "log_time": "2025-01-01T00:00:00Z", "duration_ms": 1.0}),
    ("supermetrics", {"id": "a", "log_time": "2025-01-01T00:00:00Z", "event": 5}),
    ("supermetrics", {"id": 5, "log_time": "2025-01-01T00:00:00Z"}),
    ("supermetrics", {"id": "a", "log_time": 1700000000}),
    ("aitronos", {"id": "a", "created_at": "2025-01-01T00:00:00Z", "status": 5}),
    ("aitronos", {"id": "a", "created_at": "2025-01-01T00:00:00Z", "credential_id": 5}),
    ("aitronos", {"id": "a", "created_at": "2025-01-01T00:00:00Z", "duration_ms": True}),
    ("aitronos", {"id": "a", "created_at": "2025-01-01T00:00:00Z", "duration_ms": 2**53}),
    ("aitronos", {"id": None, "created_at": "2025-01-01T00:00:00Z"}),
])
def test_ill_typed_fields_are_not_plainly_valid(kind: str, raw: dict[str, Any]) -> None:
    assert not source_for_kind(kind).plainly_valid(raw)


# -- ColumnReader against entry_from_line ------------------------------------------------------

def dump(raw: Any, style: int) -> bytes:
    if style == 0:
        try:
            return orjson.dumps(raw)
        except (TypeError, orjson.JSONEncodeError):  # huge ints, lone surrogates
            pass
    return json.dumps(raw, ensure_ascii=style == 1, separators=(",", ":") if style == 2 else None).encode()


ODD_LINES = st.sampled_from([
    b"not json", b'{"id":"x","created_at":', b"[1,2]", b"null", b'"a string"', b"12", b"true", b"{}",
    b'{"id":"a","log_time":"2025-01-01T00:00:00Z","created_at":"2025-01-01T00:00:00Z","event":"e",'
    b'"credential_id":"c","tool":"t","x":NaN}',
    b'{"id":"a","log_time":"2025-01-01T00:00:00Z","created_at":"2025-01-01T00:00:00Z","event":"\\ud800",'
    b'"credential_id":"\\ud800","status":200}',
    b'{"id":"a","log_time":"2025-01-01T00:00:00Z","created_at":"2025-01-01T00:00:00Z","status":"x","status":404,'
    b'"event":"dup","event":"dedup"}',
    b'{"id":"b","log_time":"2025-01-01T00:00:00Z","created_at":"2025-01-01T00:00:00Z","n":123456789012345678901234}',
    b'{"id":"\xff\xfe","log_time":"2025-01-01T00:00:00Z"}',
    b'  {"id":"c","log_time":"2025-01-02T00:00:00.000Z","created_at":"2025-01-02T00:00:00.000Z"}  ',
])


def lines_for(kind: str) -> st.SearchStrategy[list[bytes]]:
    json_line = st.builds(dump, st.one_of(raw_entries(kind), well_typed(kind)), st.integers(0, 2))
    return st.lists(st.one_of(json_line, json_line, ODD_LINES), max_size=25)


def expected_columns(kind: str, lines: list[bytes]) -> dict[str, list[Any]]:
    source = source_for_kind(kind)
    result: dict[str, list[Any]] = {"time": [], "invalid": [], "duration": [], **{name: [] for name in FIELDS}}
    for line in lines:
        entry = entry_from_line(source, line)
        result["time"].append(NO_TIME if entry.time is None else epoch_us(entry.time))
        result["invalid"].append(entry.invalid is not None)
        result["status"].append(entry.status)
        raw = entry.raw if isinstance(entry.raw, dict) else {}
        for name, key in NAME_KEYS.items():
            value = raw.get(key)
            result[name].append(value if type(value) is str else None)
        result["error"].append(source.error_group(entry.status, raw))
        result["duration"].append(duration_ms(raw))
    return result


class Decoder:
    """Maps a reader's codes back to values through the `new_values` it reported so far."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Any]] = {name: [None] for name in FIELDS}

    def columns(self, chunk: ColumnChunk) -> dict[str, list[Any]]:
        assert set(chunk.codes) == set(FIELDS)
        for name in FIELDS:
            self.tables[name].extend(chunk.new_values[name])
            assert chunk.codes[name].dtype == np.int32
        assert chunk.time.dtype == np.int64 and chunk.invalid.dtype == np.bool_
        assert all(len(chunk.codes[name]) == len(chunk) for name in FIELDS) and len(chunk.invalid) == len(chunk)
        assert chunk.duration.dtype == np.float64 and len(chunk.duration) == len(chunk)
        result = {"time": chunk.time.tolist(), "invalid": chunk.invalid.tolist(),
                  "duration": [None if value != value else value for value in chunk.duration.tolist()]}
        for name in FIELDS:
            table = self.tables[name]
            result[name] = [table[code] for code in chunk.codes[name].tolist()]
        return result

    def check_tables(self) -> None:
        for name, table in self.tables.items():
            values = table[1:]
            assert None not in values
            assert len({(type(v), v) for v in values}) == len(values), (name, values)  # each value coded once


def assert_same(got: dict[str, list[Any]], want: dict[str, list[Any]]) -> None:
    assert got["time"] == want["time"]
    assert got["invalid"] == want["invalid"]
    assert got["duration"] == want["duration"]
    for name in FIELDS:
        assert got[name] == want[name], name
        assert [type(v) for v in got[name]] == [type(v) for v in want[name]], name


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY
@given(data=st.data())
def test_columns_match_entries(kind: str, data: st.DataObject) -> None:
    lines = data.draw(lines_for(kind))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(lines)), max_size=3)))
    want = expected_columns(kind, lines)
    reader, decoder = ColumnReader(source_for_kind(kind)), Decoder()
    chunks, got = [], {name: [] for name in want}
    for lo, hi in zip([0, *cuts], [*cuts, len(lines)]):
        chunk = reader.read(lines[lo:hi])
        assert len(chunk) == hi - lo
        chunks.append(chunk)
        for name, values in decoder.columns(chunk).items():
            got[name] += values
    decoder.check_tables()
    assert_same(got, want)
    # the chunks joined: the same columns, with every new value in code order
    joined = ColumnChunk.join(chunks)
    assert_same(Decoder().columns(joined), want)


def test_time_cache_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filecolumns, "TIME_CACHE_LIMIT", 2)
    source = source_for_kind("supermetrics")
    stamps = [f"2025-01-0{d}T0{h}:00:00.{ms:03d}Z" for d in range(1, 4) for h in range(3) for ms in (0, 7)]
    stamps += ["2025-01-01T00:00:00Z", "2025-01-01T00:00+01", "2025-01-01T00:00+01.123Z"] * 2
    lines = [orjson.dumps({"id": str(i), "log_time": stamp}) for i, stamp in enumerate(stamps * 2)]
    assert_same(Decoder().columns(ColumnReader(source).read(lines)), expected_columns("supermetrics", lines))


@pytest.mark.parametrize("order", [1, -1])
def test_a_second_cached_from_one_shape_does_not_time_another(order: int) -> None:
    source = source_for_kind("aitronos")
    lines = [b'{"id":"a","created_at":"2025-01-01T00:00+01"}',
             b'{"id":"b","created_at":"2025-01-01T00:00+01.123Z"}'][::order]
    chunk = ColumnReader(source).read(lines)
    assert_same(Decoder().columns(chunk), expected_columns("aitronos", lines))
    assert chunk.invalid.tolist() == [False, True][::order]


def test_names_of_entries_orjson_refuses() -> None:
    source = source_for_kind("aitronos")
    lines = [b'{"id":"a","created_at":"2025-01-01T00:00:00Z","credential_id":"c","tool":"t","x":NaN}']
    chunk = ColumnReader(source).read(lines)
    assert chunk.new_values["credential"] == ["c"] and chunk.new_values["tool"] == ["t"]
    assert chunk.codes["credential"].tolist() == [1] and not chunk.invalid[0]


def test_codes_continue_across_reads_and_join() -> None:
    source = source_for_kind("supermetrics")
    reader = ColumnReader(source)

    def line(status: int | None, event: str | None) -> bytes:
        return orjson.dumps({"id": "x", "log_time": "2025-01-01T00:00:00.000Z", "status": status, "event": event})

    first = reader.read([line(200, "a"), line(None, None), line(404, "b")])
    second = reader.read([line(404, "b"), line(500, "c"), line(200, "a")])
    assert first.new_values["status"] == [200, 404] and second.new_values["status"] == [500]
    assert first.codes["status"].tolist() == [1, 0, 2] and second.codes["status"].tolist() == [2, 3, 1]
    assert second.new_values["event"] == ["c"] and second.codes["event"].tolist() == [2, 3, 1]
    joined = ColumnChunk.join([first, second])
    assert joined.new_values["status"] == [200, 404, 500]
    assert joined.codes["event"].tolist() == [1, 0, 2, 2, 3, 1]
    assert ColumnChunk.join([first]) is first
    assert len(reader.read([])) == 0


def test_entry_from_line_keeps_bad_lines() -> None:
    source = source_for_kind("supermetrics")
    entry = entry_from_line(source, b'{"torn": \xff')
    assert entry.invalid and entry.invalid.startswith("not JSON") and isinstance(entry.raw, str)
    entry = entry_from_line(source, b'{"id":"a","log_time":"2025-01-01T00:00:00Z","n":123456789012345678901234}')
    assert entry.invalid is None and entry.raw["n"] == 123456789012345678901234
    entry = entry_from_line(source, b'{"id":"a","log_time":"2025-01-01T00:00:00.250Z","status":201}')
    assert entry.time == datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=250)
