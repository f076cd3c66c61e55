"""filesearch's every-byte-at-once way (`search_dense`, for needles that hit most lines) must find
exactly the lines the entry-level search finds, as the match-by-match ways do."""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_filesearch import assert_searches_as_entries, expected, index, search

import logview.files.search as filesearch
import logview.files.search_dense as search_dense
from logview.files.jsonl import source_for_kind
from logview.files.lines import LineFile

PROPERTY = settings(max_examples=200, deadline=None)
NEVER = 10**9


def searched(path: Path, kind: str, lines: list[bytes], needle: str, dense_least: int, **options) -> list[bool]:
    with mock.patch.object(filesearch, "DENSE_LEAST", dense_least), \
            mock.patch.object(filesearch, "DENSE_LEAST_IN_STRINGS", dense_least):
        return search(path, kind, lines, needle, **options)


@pytest.mark.parametrize("kind", ["supermetrics", "aitronos"])
@PROPERTY
@given(data=st.data())
def test_every_byte_at_once_matches_the_entry_search(kind: str, data: st.DataObject) -> None:
    assert_searches_as_entries(kind, data, functools.partial(searched, dense_least=0))


# -- long strings, long blanks: what carries across the 64-bit words -------------------------------

LONG_TEXT = st.text(st.sampled_from(list("ab e0:,{}\"\\ xé")), max_size=200)
SEPARATORS = st.sampled_from([(",", ":"), (", ", ": "), (" " * 70 + ",", " " * 130 + ":"), (",\t", "\t" * 65 + ":")])


@PROPERTY
@given(raws=st.lists(st.dictionaries(LONG_TEXT, st.one_of(LONG_TEXT, st.integers(), st.booleans(), st.none()),
                                     max_size=4), min_size=1, max_size=6),
       separators=st.lists(SEPARATORS, min_size=6, max_size=6), needle=st.sampled_from(list("ab e0x:,") + ["é", "ab"]),
       dense_least=st.sampled_from([0, NEVER]), block_bytes=st.sampled_from([64, 1 << 22]))
def test_keys_values_and_blanks_longer_than_a_word(raws, separators, needle, dense_least, block_bytes) -> None:
    lines = [json.dumps({"id": "1", "created_at": "2025-01-01T00:00:00Z", **raw}, separators=sep,
                        ensure_ascii=False).encode() for raw, sep in zip(raws, separators)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        for known_invalid in (True, False):
            assert searched(path, "aitronos", lines, needle, dense_least, block_bytes=block_bytes,
                            known_invalid=known_invalid) == expected("aitronos", lines, needle)


@pytest.mark.parametrize("needle", ["s", "e", "1", "o", "t", "us"])
def test_a_torn_line_amid_a_block_leaves_the_next_lines_told_right(tmp_path: Path, needle: str) -> None:
    # (not yet known invalid: its odd quote must not turn the strings of the lines after it inside out)
    whole = b'{"id":"1","created_at":"2025-01-01T00:00:00Z","status":"success","tool":"gmail.send","n":1}'
    lines = [whole, b'{"id":"2","status":"x","tool":"gm', whole, whole.replace(b"success", b"ok"), whole]
    assert searched(tmp_path / "log.jsonl", "aitronos", lines, needle, 0, known_invalid=False) \
        == expected("aitronos", lines, needle)


@pytest.mark.parametrize("needle", ["n", "u", "l", "nu", "ul", "ll", "nul", "null", "NULL", "a", "e"])
def test_null_never_matches_where_it_stands_at_any_byte_of_a_word(tmp_path: Path, needle: str) -> None:
    lines = [orjson.dumps({"id": str(pad), "created_at": "2025-01-01T00:00:00Z", "p": "x" * pad, "v": [None] * 20,
                           "w": [False, None, True]}) for pad in range(70)]
    lines.append(orjson.dumps({"id": "s", "created_at": "2025-01-01T00:00:00Z", "t": "null", "u": "nullable"}))
    want = expected("aitronos", lines, needle)
    assert searched(tmp_path / "log.jsonl", "aitronos", lines, needle, 0) == want
    assert want[-1] and any(want[:-1]) == (needle in ("l", "u", "a", "e"))


@pytest.mark.parametrize("dense_least", [0, NEVER])
@pytest.mark.parametrize("needle", ["s", "e", "o", "1", "x"])
def test_lines_searched_with_others_between_them(tmp_path: Path, needle: str, dense_least: int) -> None:
    # (rows of a store need not be every line of its file: the lines between, torn ones among them,
    # are no part of the search)
    kept = [orjson.dumps({"id": str(i), "created_at": "2025-01-01T00:00:00Z", "tool": "xo" if i % 2 else "s1",
                          "status": "error"}) for i in range(6)]
    between = [b'{"torn": "', b'"e" "o" "1" "s" "x', b'{"a":"b"}']
    lines = [line for pair in zip(kept, between * 2) for line in pair]
    path = tmp_path / "log.jsonl"
    starts, lengths = index(path, lines)
    handle = LineFile(path)
    try:
        with mock.patch.object(filesearch, "DENSE_LEAST", dense_least), \
                mock.patch.object(filesearch, "DENSE_LEAST_IN_STRINGS", dense_least):
            hits = filesearch.search_lines(handle, source_for_kind("aitronos"), starts[0::2], lengths[0::2], needle)
    finally:
        handle.close()
    assert hits.tolist() == expected("aitronos", kept, needle)


# -- the word arithmetic, against Python's integers ------------------------------------------------

def as_int(words: np.ndarray) -> int:
    return int.from_bytes(words.astype(">u8").tobytes(), "big")


WORDS = st.lists(st.sampled_from([0, 1, 2**63, 2**64 - 1, 2**64 - 2, 0x00FF_FF00_0000_FFFF]) | st.integers(0, 2**64 - 1),
                 min_size=1, max_size=12).map(lambda values: np.array(values, dtype=np.uint64))


@given(a=WORDS, b=WORDS)
def test_add_carries_into_the_earlier_words(a: np.ndarray, b: np.ndarray) -> None:
    b = np.resize(b, len(a))
    assert as_int(search_dense._add(a, b)) == (as_int(a) + as_int(b)) % 2 ** (64 * len(a))


@given(words=WORDS)
def test_prefix_xor_is_the_parity_of_the_bits_before(words: np.ndarray) -> None:
    bits = np.unpackbits(words.astype(">u8").view(np.uint8))
    expected_bits = np.cumsum(bits) % 2
    assert np.unpackbits(search_dense._prefix_xor(words).astype(">u8").view(np.uint8)).tolist() \
        == expected_bits.tolist()


@given(mask=st.lists(st.booleans(), min_size=1, max_size=300), spans=st.lists(st.tuples(st.integers(0, 300),
                                                                                       st.integers(0, 300)), max_size=20))
def test_any_between_looks_at_each_span_s_bytes(mask: list[bool], spans: list[tuple[int, int]]) -> None:
    spans = [(min(a, b, len(mask)), min(max(a, b), len(mask))) for a, b in spans]
    rs = np.array([a for a, _ in spans], dtype=np.int64)
    re_ = np.array([b for _, b in spans], dtype=np.int64)
    bits = search_dense.mask_bits(np.array(mask))
    assert search_dense._any_between(bits, rs, re_).tolist() == [any(mask[a:b]) for a, b in spans]
