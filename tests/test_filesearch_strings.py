"""The search's fast path for needles that JSON holds only inside strings (`files.search_strings`),
and the search over many blocks in two threads: the same answers as one thread and a plain scan."""

from __future__ import annotations

import json
import re
from pathlib import Path
from unittest import mock

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import logview.files.search as filesearch
from logview.files.jsonl import source_for_kind
from logview.files.lines import LineFile
from logview.files.search_strings import folded_occurrences, next_quotes, only_in_strings, rarity_order
from test_filesearch import expected, index

PROPERTY = settings(max_examples=300, deadline=None)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)),
    max_leaves=10)
SEPARATORS = st.sampled_from([(",", ":"), (", ", ": "), (" , ", " : "), (",\t", "\t:\n")])


def outside_strings(document: str) -> list[str]:
    """The stretches of a JSON text between its strings."""
    return _STRING.sub('"', document).split('"')


@PROPERTY
@given(value=JSON_VALUES, separators=SEPARATORS, data=st.data())
def test_what_stands_outside_strings_is_never_taken_for_string_only(value, separators, data) -> None:
    document = json.dumps(value, separators=separators)
    for piece in outside_strings(document):
        if piece:
            a, b = sorted(data.draw(st.tuples(st.integers(0, len(piece) - 1), st.integers(0, len(piece) - 1))))
            needle = piece[a:b + 1].lower().encode()
            assert not only_in_strings(needle), (document, needle)


@pytest.mark.parametrize("needle,in_strings", [
    ("status", True), ("gmail", True), ("success", True), ("bench.oldest.marker", True), ("zzzz-not-there", True),
    ("é", True), ('"', True), ("true", False), ("rue", False), ("null", False), ("fals", False), ("200", False),
    ("1e5", False), ("-4", False), (": ", False), ("e", False), ("se,", False), ("truefalse", True), ("tr ue", False),
])
def test_only_in_strings_examples(needle: str, in_strings: bool) -> None:
    assert only_in_strings(needle.encode()) is in_strings


BYTES = st.binary(max_size=300).map(lambda b: b.replace(b"~", b"A"))
NEEDLES = st.one_of(st.binary(min_size=1, max_size=4), st.sampled_from([b"ab", b"a", b"zz", b'"', b"\xe2\x84\xaa", b"a-b"]))


@PROPERTY
@given(data=st.one_of(BYTES, st.builds(lambda n, k: (n.upper() + b"x") * k, NEEDLES, st.integers(0, 6))),
       needle=NEEDLES, sample=st.binary(max_size=50))
def test_folded_occurrences_match_a_plain_scan_of_the_lowered_bytes(data: bytes, needle: bytes, sample: bytes) -> None:
    needle = needle.lower()
    lowered = data.lower()
    want = [i for i in range(len(data) - len(needle) + 1) if lowered[i:i + len(needle)] == needle]
    got = folded_occurrences(np.frombuffer(data, dtype=np.uint8), needle, rarity_order(needle, sample))
    assert got.tolist() == want


@PROPERTY
@given(size=st.integers(0, 5000), quotes=st.lists(st.integers(0, 4999), max_size=40), draw=st.data())
def test_next_quotes_match_find(size: int, quotes: list[int], draw: st.DataObject) -> None:
    buffer = bytearray(b"x" * size)
    for q in quotes:
        if q < size:
            buffer[q] = ord('"')
    block = bytes(buffer)
    spans = draw.draw(st.lists(st.tuples(st.integers(0, size), st.integers(0, size)), max_size=20))
    starts = np.array([min(a, b) for a, b in spans], dtype=np.int64)
    limits = np.array([max(a, b) for a, b in spans], dtype=np.int64)
    got = next_quotes(block, np.frombuffer(block, dtype=np.uint8), starts, limits)
    assert got.tolist() == [block.find(b'"', int(a), int(b)) for a, b in zip(starts, limits)]


def test_bytes_lower_folds_ascii_letters_only() -> None:
    everything = bytes(range(256))
    assert everything.lower() == bytes(range(65)) + bytes(range(97, 123)) + bytes(range(91, 256))


def _lines(count: int) -> list[bytes]:
    tools = ["Gmail.Send", "notion.update", "status", "STATUS-check", "slack"]
    return [orjson.dumps({"id": str(i), "created_at": "2025-01-01T00:00:00Z", "status": "success" if i % 3 else "error",
                          "tool": tools[i % 5], "inputs": {"gmail": i % 7 == 0, "text": "x" * (i % 90)},
                          "error": None if i % 4 else {"message": f"failed: {tools[(i + 1) % 5]}"}})
            for i in range(count)]


@pytest.mark.parametrize("needle", ["gmail", "status", "success", "failed: slack", "zzz", "notion.", "x" * 80, "é"])
def test_two_threads_give_the_one_thread_answers(tmp_path: Path, needle: str) -> None:
    lines = _lines(600)
    path = tmp_path / "log.jsonl"
    starts, lengths = index(path, lines)
    source = source_for_kind("aitronos")
    handle = LineFile(path)
    try:
        with mock.patch.object(filesearch, "BLOCK_BYTES", 700):  # ~100 blocks
            answers = [filesearch.search_lines(handle, source, starts, lengths, needle, threads=threads).tolist()
                       for threads in (1, 2, 4)]
    finally:
        handle.close()
    assert answers[0] == answers[1] == answers[2] == expected("aitronos", lines, needle)
    if needle in ("gmail", "status", "success"):
        assert 0 < sum(answers[0]) < len(lines)


def test_a_search_cancelled_midway_stops_handing_out_blocks(tmp_path: Path) -> None:
    lines = _lines(600)
    path = tmp_path / "log.jsonl"
    starts, lengths = index(path, lines)
    asked = []
    handle = LineFile(path)
    try:
        with mock.patch.object(filesearch, "BLOCK_BYTES", 700):
            hits = filesearch.search_lines(handle, source_for_kind("aitronos"), starts, lengths, "success",
                                           cancelled=lambda: asked.append(1) or len(asked) > 5)
    finally:
        handle.close()
    assert hits[:5].any() and not hits[-100:].any()


@pytest.mark.parametrize("needle", ["status", "tool", "gmail", "sta"])
def test_a_torn_line_not_yet_known_invalid_is_checked_exactly(tmp_path: Path, needle: str) -> None:
    # (while the columns are still read, which lines are invalid is not known: a torn line's key
    # holds the needle, and an invalid entry is searched as its whole text)
    whole = b'{"id":"1","created_at":"2025-01-01T00:00:00Z","status":"success","tool":"gmail.send"}'
    lines = [whole, b'{"id":"2","status":"x","tool":"gm', whole[:30] + b'","status":"ok']
    path = tmp_path / "log.jsonl"
    starts, lengths = index(path, lines)
    handle = LineFile(path)
    try:
        hits = filesearch.search_lines(handle, source_for_kind("aitronos"), starts, lengths, needle)
    finally:
        handle.close()
    assert hits.tolist() == expected("aitronos", lines, needle)
    assert hits[1] == (needle != "gmail")


class _Joined:
    """Lines joined in memory, read like a LineFile (as archived rows are searched)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, start: int, length: int) -> bytes:
        return self.data[start:start + length]


@pytest.mark.parametrize("needle", ["gmail", "200", "true"])
def test_empty_lines_at_the_end_and_between(needle: str) -> None:
    # (an archived row gone from the archive is searched as an empty line)
    rows = [b"", b'{"id":"1","status":200,"tool":"gmail","ok":true}', b"", b'{"x":"torn', b""]
    lengths = np.array([len(row) for row in rows], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    hits = filesearch.search_lines(_Joined(b"\n".join(rows)), source_for_kind("aitronos"), starts, lengths, needle)
    assert hits.tolist() == [False, True, False, False, False]
