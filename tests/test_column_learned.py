"""The values a file repeats (statuses, events, credentials, tools) decoded as literals once met
(`typed.TypedDecoder.learn`): msgspec then gives the very objects learned instead of a new one a
line. A block holding a value not learned, or one the shape's own type refuses, is decoded as
before; either way the columns are those of parsing each line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import logview.files.columns as filecolumns
from logview.files import typed
from logview.files.columns import ColumnReader
from logview.files.jsonl import source_for_kind
from logview.files.typed import TypedDecoder
from test_column_coding import read_file_columns
from test_filecolumns import assert_same, expected_columns

SM = {"id": "a1", "log_time": "2025-11-15T10:00:01Z", "status": 500, "event": "data.page",
      "request": "GET /x", "duration_ms": 42, "request_id": "r-1"}
AIT = {"id": "log_1", "created_at": "2025-11-15T10:00:01.250Z", "credential_id": "cred-1", "tool": "gmail.send",
       "status": "error", "duration_ms": 7, "error": {"code": "E", "message": "boom"}}


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filecolumns, "DECODE_BYTES", 400)  # a block holds a few lines


def block(*entries: dict) -> bytes:
    return b"\n".join(json.dumps(entry).encode() for entry in entries)


def test_values_met_come_back_as_the_objects_learned() -> None:
    decoder = TypedDecoder(source_for_kind("supermetrics"))
    assert decoder.decode_block(block(SM), 1) is not None and not decoder.last_learned
    event, status = "data" + ".page", 500 + 1000 - 1000  # (objects of their own, equal to the block's)
    decoder.learn({"status": {None: 0, status: 1}, "event": {None: 0, event: 1}})
    fields = decoder.decode_block(block(SM, {**SM, "id": "a2"}), 2)
    assert decoder.last_learned and decoder.last_documented
    assert all(f.event is event and f.status == 500 for f in fields)
    unmet = decoder.decode_block(block(SM, {**SM, "event": "data.fetch"}), 2)  # a value not learned
    assert not decoder.last_learned and [f.event for f in unmet] == ["data.page", "data.fetch"]


@pytest.mark.parametrize("refused", [True, 500.0, 700, "500"])
def test_a_value_the_shape_refuses_is_never_learned(refused: object) -> None:
    """`true` is not the status 1, nor `500.0` the status 500: a line holding one is read the exact way."""
    decoder = TypedDecoder(source_for_kind("supermetrics"))
    decoder.decode_block(block(SM), 1)
    decoder.learn({"status": {None: 0, refused: 1, 500: 2}, "event": {None: 0, "data.page": 1}})
    assert decoder.decode_block(block({**SM, "status": refused}), 1) is None
    assert decoder.decode_block(block(SM), 1) is not None and decoder.last_learned


def test_a_lone_surrogate_met_by_the_exact_reading_is_not_learned() -> None:
    """(Only the exact reading makes one, of an escape msgspec is never given; a literal is UTF-8.)"""
    decoder = TypedDecoder(source_for_kind("supermetrics"))
    decoder.decode_block(block(SM), 1)
    decoder.learn({"status": {None: 0, 500: 1}, "event": {None: 0, "\ud800": 1, "data.page": 2}})
    assert decoder.decode_block(block(SM), 1) is not None and decoder.last_learned


def test_values_learned_across_a_file_match_each_line(tmp_path: Path) -> None:
    """New events and tools now and then, a tool that is a number (no literal takes it), a misfit
    status, and a switch from documented lines to lines with a credential."""
    lines = []
    for i in range(200):
        entry = {**SM, "id": f"a{i}", "event": f"e{i // 40}", "status": [200, 500, 503][i % 3]}
        if i == 77:
            entry["status"] = "500"
        if i >= 120:
            entry["credential_id"] = f"c{i % 2}"
            entry["tool"] = 3 if i % 50 == 0 else f"t{i % 4}"
        lines.append(json.dumps(entry).encode())
    path = tmp_path / "sm.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    want = expected_columns("supermetrics", lines)
    want["tool"] = [json.loads(line).get("tool") for line in lines]
    want["tool"] = [tool if type(tool) is str else None for tool in want["tool"]]
    assert_same(read_file_columns(path, "supermetrics"), want)


def test_aitronos_values_learned_match_each_line(tmp_path: Path) -> None:
    lines = [block({**AIT, "id": f"log_{i}", "tool": f"t{i % 5}" if i % 37 else i, "status": ["success", "error"][i % 2],
                    "credential_id": None if i % 11 == 0 else "cred-1"}) for i in range(150)]
    path = tmp_path / "ait.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert_same(read_file_columns(path, "aitronos"), expected_columns("aitronos", lines))


def test_a_file_whose_values_keep_coming_stops_learning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each new value fails a block's learned decoding (that block decoded twice, in part): after
    LEARNED_MISSES_MOST of them the learned shape is no longer tried."""
    monkeypatch.setattr(typed, "LEARNED_MISSES_MOST", 4)
    reader = ColumnReader(source_for_kind("supermetrics"))
    lines = [json.dumps({**SM, "id": f"a{i}", "event": f"event-{i}"}).encode() for i in range(60)]
    columns = reader.read(lines)
    assert reader._decoder._learned is None and reader._decoder._learned_misses == 4
    assert len(reader.tables["event"].values) == 61 and columns.codes["event"].tolist() == list(range(1, 61))
