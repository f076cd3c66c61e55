"""A mixed file read fast (`files/mixed_columns.py`: envelopes decoded a block at a time, each
API's entries by the typed column reader) gives the stores that reading every line the exact way
gives: the same sources in the same order, the same rows in the same order, the same columns, the
same entries read back (or held) — hostile lines, duplicate keys, long numbers, lone surrogates,
blank lines, CRLF and a byte order mark included."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.files.mixed import MAX_SOURCES, iter_line_batches, place
from logview.files.lines import BOM
from logview.ui.mixed_parts import read_parts

from test_fast_parse import described
from test_mixed_read_back import envelope, mixed_lines

CODED = ("status", "credential", "event", "tool", "error")
TIMES = ["2025-11-15T10:00:00.000Z", "2025-11-15T10:00:00.000Z", "2025-11-15T09:59:59.123Z", "2025-11-16T00:00:00Z"]


@st.composite
def plain_lines(draw: st.DrawFn) -> bytes:
    """Envelopes of entries as the APIs write them (the fast path's), a few of them twisted."""
    source = draw(st.sampled_from(["prod", "builder", "stagé"]))
    if draw(st.booleans()):
        entry: dict[str, Any] = {"id": draw(st.sampled_from(["a1", "a2", "log_9"])), "created_at": draw(st.sampled_from(TIMES)),
                                 "status": draw(st.sampled_from(["success", "error", "timeout", None, 5])),
                                 "tool": draw(st.sampled_from(["gmail.send", None])),
                                 "error": draw(st.sampled_from([None, {"code": "E1", "message": "retry after 4s"}, "boom"]))}
        if draw(st.booleans()):  # (a Supermetrics time field in an Aitronos entry: the other API's error rule for null)
            entry["log_time"] = draw(st.sampled_from(TIMES))
        api = "aitronos"
    else:
        entry = {"id": draw(st.sampled_from(["s1", "s2"])), "log_time": draw(st.sampled_from(TIMES + [None])),
                 "status": draw(st.sampled_from([200, 404, 503, None, "error", 7])),
                 "event": draw(st.sampled_from(["sync.start", "auth.token.refresh", None])),
                 "duration_ms": draw(st.sampled_from([12, None, -1]))}
        api = "supermetrics"
    line = envelope(source, api, entry, draw(st.booleans()), draw(st.booleans()))
    twist = draw(st.sampled_from(["none"] * 6 + ["number", "crlf", "blank", "deep", "surrogate"]))
    if twist == "number":
        line = line[:-2] + b',"n":12345678901234567890123}}'
    elif twist == "crlf":
        line += b"\r"
    elif twist == "blank":
        line = b"  \t\n" + line
    elif twist == "deep":
        line = line[:-2] + b',"d":' + b"[" * 400 + b"]" * 400 + b"}}"
    elif twist == "surrogate":
        line = line.replace(b'"source":"', b'"source":"\\ud800', 1)
    return line


def contents(parts: list) -> list[tuple[str, list[Any]]]:
    """Everything the viewer takes from the parts: per source, each row's columns and entry."""
    found = []
    for label, store in parts:
        ordinals = np.arange(store.head, store.tail)
        columns = [store.column(name, ordinals).tolist() for name in ("time", "invalid")]
        durations = ["nan" if math.isnan(d) else d for d in store.column("duration", ordinals).tolist()]
        coded = [[store.categories(name).values[code] for code in store.column(name, ordinals).tolist()]
                 for name in CODED]
        held = (store.column("backing", ordinals) == 0).tolist()
        entries = [(described(e), text_of(e.raw)) for e in store.entries(ordinals)]
        found.append((label, list(zip(*columns, durations, *coded, held, entries))))
    return found


def text_of(raw: Any) -> str:
    """The raw entry as text, types and key order kept (`1` is not `1.0`; a line may nest deeper than
    the standard recursion limit)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        return json.dumps(raw, default=repr, ensure_ascii=True)
    finally:
        sys.setrecursionlimit(limit)


def both_ways(path: Path, batch_size: int = 5000, max_entries: int | None = None) -> tuple[list, list]:
    def read(fast: bool) -> list:
        parts = read_parts(path, max_entries, lambda _: None, lambda: False, fast=fast, batch_size=batch_size)
        return contents(parts or [])
    return read(True), read(False)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(plain_lines(), plain_lines(), mixed_lines()), min_size=1, max_size=12), st.sampled_from([1, 3, 5000]),
       st.booleans())
def test_the_fast_reading_is_the_exact_one(tmp_path_factory, lines: list[bytes], batch_size: int, bom: bool) -> None:
    path = tmp_path_factory.mktemp("mixed") / "mixed.jsonl"
    path.write_bytes((BOM if bom else b"") + b"".join(line + b"\n" for line in lines))
    fast, exact = both_ways(path, batch_size)
    assert fast == exact


TRICKY = {
    # the merged view's error rule is the other API's: by the status (or a null one beside a `log_time`)
    "aitronos, null status, log_time": envelope("p", "aitronos", {"id": "a", "created_at": TIMES[0], "status": None,
                                                                  "error": "boom", "log_time": TIMES[0]}, True, False),
    "aitronos, int status": envelope("p", "aitronos", {"id": "a", "created_at": TIMES[0], "status": 503,
                                                       "error": "boom"}, True, False),
    "supermetrics, text status": envelope("p", "supermetrics", {"id": "s", "log_time": TIMES[0], "status": "error",
                                                                "error": "boom"}, True, False),
    "supermetrics, no log_time": envelope("p", "supermetrics", {"id": "s", "created_at": TIMES[0],
                                                                "error_message": "boom"}, True, False),
    # where msgspec might read a line unlike `load_json`
    "escaped surrogate in the source": b'{"source":"p\\udc80","api":"supermetrics","entry":{"id":"s","log_time":"'
                                       + TIMES[0].encode() + b'"}}',
    "bytes that are not UTF-8": b'{"source":"p","api":"supermetrics","entry":{"id":"s\xff","log_time":"'
                                + TIMES[0].encode() + b'"}}',
    "a long number, deep": b'{"source":"p","api":"aitronos","entry":{"id":"a","created_at":"' + TIMES[0].encode()
                           + b'","n":' + b"[" * 980 + b"12345678901234567890" + b"]" * 980 + b"}}",
    "deep": b'{"source":"p","api":"aitronos","entry":{"id":"a","created_at":"' + TIMES[0].encode()
            + b'","n":' + b"[" * 990 + b"]" * 990 + b"}}",
}


@pytest.mark.parametrize("name", TRICKY)
def test_a_line_msgspec_might_read_otherwise_is_read_exactly(tmp_path: Path, name: str) -> None:
    plain = envelope("p", "aitronos", {"id": "b", "created_at": TIMES[0], "status": "error", "error": "x"}, True, False)
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([plain, TRICKY[name], plain]) + b"\n")
    fast, exact = both_ways(path)
    assert fast == exact


def test_a_long_number_at_any_depth_is_read_as_the_exact_way_reads_it(tmp_path: Path) -> None:
    """`load_json` reads a number of 19+ digits with the standard library: at the depths where msgspec
    gives up, or nearly, the line and its entry alone must still be read alike."""
    path = tmp_path / "mixed.jsonl"
    for depth in range(900, 1000, 3):
        path.write_bytes(b'{"source":"p","api":"aitronos","entry":{"id":"a","created_at":"' + TIMES[0].encode()
                         + b'","n":' + b"[" * depth + b"12345678901234567890" + b"]" * depth + b"}}\n")
        fast, exact = both_ways(path)
        assert fast == exact, depth


def test_a_clean_file_is_read_fast_and_exactly(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [envelope("prod" if i % 3 else "builder", "aitronos" if i % 2 else "supermetrics",
                      {"id": f"e{i}", "created_at": TIMES[i % 4], "status": "success" if i % 5 else "error",
                       "tool": f"tool.{i % 3000}",  # (more names than a facet lists whole)
                       "error": None if i % 5 else {"code": "E", "message": f"retry after {i}s"}} if i % 2 else
                      {"id": f"e{i}", "log_time": TIMES[i % 4], "status": 200 if i % 7 else 503, "event": "sync.run"},
                      True, False) for i in range(12_000)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    fast, exact = both_ways(path, max_entries=11_000)
    assert fast == exact
    assert sum(len(rows) for _, rows in fast) == 11_000


def test_lines_naming_more_sources_than_a_file_may_are_shown_invalid_either_way(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    entry = {"id": "a", "log_time": TIMES[0], "status": 200}
    lines = [envelope(f"s{i}", "supermetrics", entry, True, False) for i in range(MAX_SOURCES + 5)]
    lines.append(b"not an envelope")
    path.write_bytes(b"\n".join(lines) + b"\n")
    fast, exact = both_ways(path, batch_size=100)
    assert fast == exact
    assert len(fast) == MAX_SOURCES + 1  # (the last: the lines that name none, or one too many)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([b"{}", b"", b" ", b"\t \x0c", b"\r", b"{\"a\":1}\r", b"x\r\r", b"\xef\xbb\xbf{}"]),
                max_size=12), st.booleans(), st.sampled_from([1, 2, 5000]))
def test_lines_are_found_as_a_loop_over_them_finds_them(tmp_path_factory, pieces: list[bytes], last_break: bool,
                                                        batch_size: int) -> None:
    data = b"\n".join(pieces) + (b"\n" if last_break else b"")
    path = tmp_path_factory.mktemp("lines") / "lines.jsonl"
    path.write_bytes(data)
    found = [(at, line) for places, lines in iter_line_batches(path, batch_size) for at, line in zip(places, lines)]
    assert found == _each_line(path)


def _each_line(path: Path) -> list[tuple[int | None, bytes]]:
    """The lines as a loop over the file's lines finds them (how they were read before)."""
    found, offset = [], 0
    with path.open("rb") as handle:
        for line in handle:
            if not offset and line.startswith(BOM):
                line, offset = line[len(BOM):], len(BOM)
            start, offset = offset, offset + len(line)
            if line.strip():
                line = line.rstrip(b"\r\n")
                found.append((place(start, len(line)), line))
    return found
