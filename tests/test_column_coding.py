"""The column reader's bulk helpers agree with the one-at-a-time reading they replace: codes as
`Categories.code` gives them value by value (`coding.py`), the lines that must not be decoded a
block at a time, found for a whole chunk with numpy (`plain_lines.py`), as each line's own check,
and error groups looked up in bulk (`groups.py`) as each line's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_filecolumns import PROPERTY, Decoder, assert_same, expected_columns

from logview.categories import Categories
from logview.files.coding import codes_in_order, codes_of, durations_of
from logview.files.columns import ColumnReader
from logview.files.jsonl import source_for_kind
from logview.files.lines import scan_lines
from logview.files.plain_lines import suspect_lines

VALUES = st.one_of(st.none(), st.sampled_from(["a", "b", "É", ""]), st.text(max_size=3), st.integers(-2, 600),
                   st.booleans(), st.just({"a": 1}), st.just(["x"]), st.floats(allow_nan=False))


def one_by_one(table: Categories, values: list[Any]) -> list[int]:
    return [table.code(value) for value in values]


@PROPERTY
@given(blocks=st.lists(st.lists(VALUES, max_size=12), max_size=4), strings_only=st.booleans())
def test_codes_of_a_block_are_those_of_each_value_in_turn(blocks: list[list[Any]], strings_only: bool) -> None:
    table, reference = Categories(strings_only=strings_only), Categories(strings_only=strings_only)
    lookup: dict[Any, int] = {None: 0}
    for values in blocks:  # (one table across blocks: known values take the fast way)
        codes = codes_of(table, lookup, values)
        assert codes.dtype == np.int32
        assert codes.tolist() == one_by_one(reference, values)
    assert table.values == reference.values


@PROPERTY
@given(items=st.lists(st.tuples(st.integers(0, 50), st.sampled_from(["x", "y", "z", None, 3])), max_size=20,
                      unique_by=lambda item: item[0]))
def test_codes_in_order_codes_new_values_in_row_order(items: list[tuple[int, Any]]) -> None:
    table, reference = Categories(), Categories()
    in_row_order = sorted(items, key=lambda item: item[0])
    expected = dict(zip([row for row, _ in in_row_order], one_by_one(reference, [v for _, v in in_row_order]),
                        strict=True))
    codes = codes_in_order(table, {None: 0}, [row for row, _ in items], [value for _, value in items])
    assert codes.tolist() == [expected[row] for row, _ in items]
    assert table.values == reference.values


def test_durations_as_doubles_with_none_and_huge_integers() -> None:
    got = durations_of([1, None, 2**53 + 1, 1.5, 10**400])
    assert got[0] == 1.0 and np.isnan(got[1]) and got[2] == float(2**53 + 1) and got[3] == 1.5 and np.isnan(got[4])


LINE_BYTES = st.lists(st.one_of(st.sampled_from([b"{", b"}", b'"', b"\\", b"u", b"d", b"D", b"\\ud83d", b"\\uDC00",
                                                 "é".encode(), "😀".encode(), b"\xed\xa0\x80", b"\xff", b"\xc3",
                                                 b"\x80", b" "]),
                                st.binary(max_size=3).filter(lambda b: b"\n" not in b and b"\r" not in b)),
                      min_size=1, max_size=12).map(b"".join)


def each_line_suspect(line: bytes) -> bool:
    """What `TypedDecoder.decode_block` checks, for one line alone."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\\ud" in line or b"\\uD" in line


@PROPERTY
@given(lines=st.lists(LINE_BYTES.filter(bytes.strip), min_size=1, max_size=12),
       gaps=st.lists(st.sampled_from([b"\n", b"\n\n", b"\n \t\n"]), min_size=12, max_size=12))
def test_suspect_lines_are_each_lines_own_check(lines: list[bytes], gaps: list[bytes]) -> None:
    raw, first = b"", []
    for line, gap in zip(lines, gaps, strict=False):
        first.append(len(raw))
        raw += line + gap
    starts = np.array(first, dtype=np.int64)
    last = starts + np.array([len(line) for line in lines], dtype=np.int64) - 1
    found = suspect_lines(raw, np.frombuffer(raw, dtype=np.uint8), starts, last)
    assert found.tolist() == [each_line_suspect(line) for line in lines]


def read_file_columns(path: Path, kind: str) -> dict[str, list[Any]]:
    reader, decoder = ColumnReader(source_for_kind(kind)), Decoder()
    got: dict[str, list[Any]] = {}
    for chunk in scan_lines(path, with_data=True):
        for name, values in decoder.columns(reader.read_chunk(chunk)).items():
            got.setdefault(name, []).extend(values)
    return got


def test_aitronos_error_groups_in_a_block_match_each_line(tmp_path: Path) -> None:
    """Groups looked up by key in bulk: a repeated key, an error whose number a double cannot hold
    (its group only the exact reading tells), an object as the message (no key), all as each line
    parsed alone."""
    head = '{"id":"%d","created_at":"2025-11-15T10:00:0%dZ","status":"%s","tool":"t%d"'
    lines = [(head % (i, i % 10, status, i % 3) + rest + "}").encode() for i, (status, rest) in enumerate([
        ("success", ',"error":null'), ("error", ',"error":{"code":"X","message":"boom 42"}'),
        ("error", ',"error":{"code":"X","message":"boom 42"}'), ("timeout", ""),
        ("error", ',"error":{"code":1e400}'), ("blocked", ',"error_message":{"a":[1]}'),
        ("success", ',"error_message":"late"'), ("error", ',"error":"plain \\u00e9"'), ("error", ',"error":"caf\u00e9"'),
    ])]
    path = tmp_path / "groups.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    want = expected_columns("aitronos", lines)
    assert_same(read_file_columns(path, "aitronos"), want)
    assert len(set(want["error"])) > 4


@pytest.mark.parametrize("odd", [b'"x":"\xff"', b'"tool":"\\ud800"', b'"tool":"\\uDc00x"'])
def test_a_line_msgspec_reads_unlike_the_parser_is_read_alone(tmp_path: Path, odd: bytes) -> None:
    """Bytes that are not UTF-8 in a skipped value, an escaped surrogate: among plain lines, in one
    block, the line still reads as parsing it alone does (`plain_lines.py`)."""
    plain = b'{"id":"%d","created_at":"2025-11-15T10:00:00Z","status":"success","tool":"t"}'
    lines = [plain % i for i in range(5)]
    lines.insert(2, b'{"id":"odd","created_at":"2025-11-15T10:00:00Z","status":"error",' + odd + b"}")
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert_same(read_file_columns(path, "aitronos"), expected_columns("aitronos", lines))
