"""Supermetrics blocks whose lines hold the documented keys alone decode into a Struct without the
credential and tool fields (`shapes.DOCUMENTED`); the first block with another key turns that off
for the file. Either way, and across the switch, the columns are those of parsing each line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import logview.files.columns as filecolumns
from logview.files.jsonl import source_for_kind
from logview.files.typed import TypedDecoder
from logview.sources.base import tool_of
from logview.sources.shapes import SupermetricsDocumented, SupermetricsFields
from test_column_coding import read_file_columns
from test_filecolumns import assert_same, expected_columns

DOCUMENTED = {"id": "a1", "log_time": "2025-11-15T10:00:01Z", "status": 500, "event": "data.page",
              "request": "GET /x", "duration_ms": 42, "request_id": "r-1"}
OTHER_KEYS = [{"credential_id": "cred-1"}, {"tool": "sheets"}, {"tool_key": "k"}, {"tool_name": 3},
              {"extra": {"a": [1]}}, {"credential_id": None, "tool": None}, {"tool": {"x": 1}}]
HOSTILE = [{"status": "200"}, {"duration_ms": -1}, {"request": 5}, {"id": None}]


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filecolumns, "DECODE_BYTES", 300)  # a block holds a few lines


def _line(i: int, extra: dict) -> bytes:
    return json.dumps({**DOCUMENTED, "id": f"a{i}", "event": f"e{i % 3}", **extra}).encode()


def _read_as_each_line(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "sm.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    want = expected_columns("supermetrics", lines)
    tools = [tool_of(json.loads(line)) for line in lines]  # (the first alias present: `tool_key` ...)
    want["tool"] = [tool if type(tool) is str else None for tool in tools]
    assert_same(read_file_columns(path, "supermetrics"), want)


@pytest.mark.parametrize("extra", OTHER_KEYS + HOSTILE)
def test_a_line_with_another_key_after_documented_blocks(tmp_path: Path, extra: dict) -> None:
    lines = [_line(i, {}) for i in range(30)]
    lines[17] = _line(17, extra)
    _read_as_each_line(tmp_path, lines)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([{}] * 4 + OTHER_KEYS + HOSTILE), min_size=1, max_size=40))
def test_any_mix_of_documented_and_other_lines(tmp_path_factory: pytest.TempPathFactory, extras: list[dict]) -> None:
    _read_as_each_line(tmp_path_factory.mktemp("mix"), [_line(i, extra) for i, extra in enumerate(extras)])


def test_the_documented_struct_serves_until_a_block_has_another_key() -> None:
    decoder = TypedDecoder(source_for_kind("supermetrics"))
    documented = b"\n".join(_line(i, {}) for i in range(3))
    assert {type(f) for f in decoder.decode_block(documented, 3)} == {SupermetricsDocumented}
    assert decoder.decode_block(documented + b"\n" + _line(9, {"status": "200"}), 4) is None  # a hostile line
    assert {type(f) for f in decoder.decode_block(documented, 3)} == {SupermetricsDocumented}
    mixed = decoder.decode_block(documented + b"\n" + _line(3, {"tool": "t"}), 4)
    assert [f.tool for f in mixed] == [None, None, None, "t"]
    assert {type(f) for f in decoder.decode_block(documented, 3)} == {SupermetricsFields}
