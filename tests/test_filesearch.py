"""filesearch: the byte-level search must find exactly the lines the entry-level search finds."""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import logview.files.search as filesearch
from logview.files.columns import ColumnReader
from logview.files.jsonl import entry_from_line
from logview.files.lines import LineFile, scan_lines
from logview.model import Filters
from logview.sources.base import searchable_text
from logview.files.jsonl import source_for_kind

PROPERTY = settings(max_examples=200, deadline=None)
KELVIN, DOTTED_I = "\u212a", "\u0130"  # lower-case to ASCII `k` and `i` + U+0307


def index(path: Path, lines: list[bytes], breaks: list[bytes] | None = None) -> tuple[np.ndarray, np.ndarray]:
    breaks = breaks or [b"\n"] * len(lines)
    path.write_bytes(b"".join(line + brk for line, brk in zip(lines, breaks)))
    chunks = list(scan_lines(path, chunk_bytes=1 << 16, first_bytes=1 << 10))
    return (np.concatenate([c.starts for c in chunks]) if chunks else np.zeros(0, np.int64),
            np.concatenate([c.lengths for c in chunks]) if chunks else np.zeros(0, np.int32))


def expected(kind: str, lines: list[bytes], needle: str) -> list[bool]:
    source = source_for_kind(kind)
    result = []
    for line in lines:
        entry = entry_from_line(source, line)
        want = needle.lower() in searchable_text(entry.raw)
        assert source.matches(entry, Filters(search=needle)) == want
        result.append(want)
    return result


def search(path: Path, kind: str, lines: list[bytes], needle: str, *, known_invalid: bool = True,
           breaks: list[bytes] | None = None, block_bytes: int | None = None,
           count_quotes_most: float | None = None, rounds: int | None = None) -> list[bool]:
    source = source_for_kind(kind)
    starts, lengths = index(path, lines, breaks)
    assert len(starts) == len(lines)
    invalid = ColumnReader(source).read(lines).invalid if known_invalid else None
    handle = LineFile(path)
    try:
        with mock.patch.object(filesearch, "BLOCK_BYTES", block_bytes or filesearch.BLOCK_BYTES), \
                mock.patch.object(filesearch, "COUNT_QUOTES_MOST", filesearch.COUNT_QUOTES_MOST
                                  if count_quotes_most is None else count_quotes_most), \
                mock.patch.object(filesearch, "FIRST_MATCH_ROUNDS", filesearch.FIRST_MATCH_ROUNDS
                                  if rounds is None else rounds):
            hits = filesearch.search_lines(handle, source, starts, lengths, needle, invalid)
    finally:
        handle.close()
    assert hits.dtype == np.bool_ and len(hits) == len(lines)
    return hits.tolist()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "log.jsonl"


# -- examples ---------------------------------------------------------------------------------

SM = b'{"id":"1","log_time":"2025-01-01T00:00:00.000Z","status":200,"event":"fetch","request":null,"duration_ms":12}'
AI = (b'{"id":"a","created_at":"2025-01-01T00:00:00Z","status":"error","credential_id":"cred-1",'
      b'"tool":"Send Mail","error":{"code":"E_TIMEOUT","message":"Timed out: retry"},"flag":true,"n":-42}')


@pytest.mark.parametrize("needle", ["status", "log_time", "event", "duration_ms", "request", "id", "_ms", "STATUS"])
def test_keys_never_match(path: Path, needle: str) -> None:
    assert search(path, "supermetrics", [SM], needle) == [False] == expected("supermetrics", [SM], needle)


@pytest.mark.parametrize("needle", ["null", "nul", "ull", "NULL", "ul"])
def test_null_never_matches(path: Path, needle: str) -> None:
    assert search(path, "supermetrics", [SM], needle) == [False]


@pytest.mark.parametrize("needle,hit", [
    ("fetch", True), ("FETCH", True), ("etc", True), ("200", True), ("12", True), ("2025-01-01", True),
    ("00.000z", True), ("fetch2", False), ('"fetch"', False), ("fetch,", False), (":", True), ('"', False),
    ("200,", False), ("{", False), ("}", False), (",", False),
])
def test_values_match_and_punctuation_does_not(path: Path, needle: str, hit: bool) -> None:
    # `:` is in the time value; `"`, `,`, braces are only punctuation here
    assert search(path, "supermetrics", [SM], needle) == [hit] == expected("supermetrics", [SM], needle)


@pytest.mark.parametrize("needle,hit", [
    ("send mail", True), ("e_timeout", True), ("timed out: retry", True), ("message", False), ("code", False),
    ("error", True), ("true", True), ("rue", True), ("flag", False), ("-42", True), ("-4", True),
    ("cred-1", True), ("credential", False), ("a", True),
])
def test_nested_values(path: Path, needle: str, hit: bool) -> None:
    assert search(path, "aitronos", [AI], needle) == [hit] == expected("aitronos", [AI], needle)


@pytest.mark.parametrize("spacing", [(",", ":"), (", ", ": "), (" , ", " : "), (",\t", "\t:\t")])
def test_spacing_around_colons(path: Path, spacing: tuple[str, str]) -> None:
    raw = {"id": "x", "created_at": "2025-01-01T00:00:00Z", "key": "value", "other": 5, "k2": None}
    line = json.dumps(raw, separators=spacing).encode()
    for needle, hit in [("key", False), ("value", True), ("other", False), ("5", True), ("k2", False),
                        ("null", False), ("valu", True), ("ey", False)]:
        assert search(path, "aitronos", [line], needle) == [hit] == expected("aitronos", [line], needle), needle


def test_escaped_text_is_matched_as_decoded(path: Path) -> None:
    raw = {"id": "x", "created_at": "2025-01-01T00:00:00Z", "msg": 'say "hi" \\ café\nnext', "ÉTÉ": "Été"}
    line = json.dumps(raw, ensure_ascii=True).encode()
    for needle, hit in [('"hi"', True), ("\\", True), ("café", True), ("CAFÉ", True), ("u00e9", False),
                        ("été", True), ("ÉTÉ", True), ("\\n", False), ("next", True), ("msg", False)]:
        assert search(path, "aitronos", [line], needle) == [hit] == expected("aitronos", [line], needle), needle


def test_non_ascii_case_folding(path: Path) -> None:
    lines = [orjson.dumps({"id": "x", "created_at": "2025-01-01T00:00:00Z", "city": v})
             for v in ["ÉLAN", "élan", "STRASSE", "Straße", KELVIN + "elvin", DOTTED_I + "stanbul", "plain"]]
    for needle in ["é", "É", "élan", "ß", "k", "kelvin", "i", "İ", "istanbul", "STANBUL", "plain", "ss"]:
        assert search(path, "aitronos", lines, needle) == expected("aitronos", lines, needle), needle
    assert search(path, "aitronos", lines, "k")[4] and search(path, "aitronos", lines, "i")[5]


def test_a_needle_beyond_ascii_parses_only_the_lines_that_may_hold_it(path: Path) -> None:
    """`é` needs the lines with `é` or `É` parsed (case folding), not every line beyond ASCII: a
    file of names in other alphabets is decided from its bytes."""
    lines = [orjson.dumps({"id": str(n), "created_at": "2025-01-01T00:00:00Z", "city": city})
             for n, city in enumerate(["München", "Zürich", "Łódź", "東京", "ÉVORA", "Kraków", "évian"] * 30)]
    parsed = []

    def counted(text):  # noqa: ANN001, ANN202 - the exact check's parser
        parsed.append(text.encode())
        return as_written(text)

    as_written = filesearch._AS_WRITTEN
    with mock.patch.object(filesearch, "_AS_WRITTEN", counted):
        for needle, may_hold in [("é", ("ÉVORA", "évian")), ("ÉV", ("ÉVORA", "évian")), ("Ü", ("München", "Zürich")),
                                 ("東", ("東京",))]:
            parsed.clear()
            assert search(path, "aitronos", lines, needle) == expected("aitronos", lines, needle), needle
            assert sorted(orjson.loads(line)["city"] for line in parsed) == sorted(may_hold * 30), needle


def test_a_replacement_character_matches_invalid_utf8(path: Path) -> None:
    """A line's invalid UTF-8 reads as U+FFFD: a needle holding it may match any line beyond ASCII
    (found by the file invariants' property test)."""
    lines = [b"\x80", b'{"id": "a", "created_at": "2025-01-01T00:00:00Z", "tool": "x\xffy"}',
             b'{"id": "b", "created_at": "2025-01-01T00:00:00Z", "tool": "caf\xc3\xa9"}']
    for needle in ["\ufffd", "x\ufffdy", "é"]:
        assert search(path, "aitronos", lines, needle) == expected("aitronos", lines, needle), needle
    assert search(path, "aitronos", lines, "\ufffd")[:2] == [True, True]


def test_every_character_whose_lower_case_differs_is_below_the_table_s_bound() -> None:
    assert all(chr(code).lower() == chr(code) for code in range(filesearch._CASED_BELOW, 0x110000))
    assert set(filesearch.lowering_into("é")) == {"é".encode(), "É".encode()}
    assert set(filesearch.lowering_into("\u0307")) == {"\u0307".encode(), "İ".encode()}  # (İ → i + U+0307)
    assert "Σ".encode() in filesearch.lowering_into("ς")  # ("XΣ".lower() == "xς": a word's last sigma)


def test_lines_that_are_not_entries(path: Path) -> None:
    lines = [b"null pointer: status", b'{"torn": "val', b"[1, 2, null]", b'"just text"', b"null", b"true",
             b'{"a" "b"}', b'{"id":"x","log_time":"2025-01-01T00:00:00Z","event":"f\xffe"}']
    for needle in ["null", "status", "torn", "val", "1", "just", "true", "a", "b", ":", "f", "e"]:
        assert search(path, "supermetrics", lines, needle) == expected("supermetrics", lines, needle), needle


def test_numbers_match_as_written(path: Path) -> None:
    # the documented exception: the file's text, not the parsed value's
    line = b'{"id":"x","created_at":"2025-01-01T00:00:00Z","duration_ms":1.50,"big":1E3}'
    assert search(path, "aitronos", [line], "1.50") == [True]
    assert search(path, "aitronos", [line], "1e3") == [True]
    assert expected("aitronos", [line], "1.50") == [False]
    # a line with an escape is checked the exact way: its numbers still match as written
    escaped = b'{"id":"y","created_at":"2025-01-01T00:00:00Z","request":"GET /\\"q\\" caf\\u00e9","cost":1.50,"n":1e3}'
    for needle, hit in (("1.50", True), ("1.5", True), ("1e3", True), ("1000", False)):
        assert search(path, "aitronos", [line, escaped], needle) == [hit, hit], needle
    assert search(path, "aitronos", [line, escaped], "CAFÉ") == [False, True]


def test_empty_needle_matches_everything(path: Path) -> None:
    assert search(path, "supermetrics", [SM, b"junk"], "") == [True, True]


def test_cancelled_search_stops(path: Path) -> None:
    source = source_for_kind("supermetrics")
    starts, lengths = index(path, [SM] * 10)
    handle = LineFile(path)
    try:
        hits = filesearch.search_lines(handle, source, starts, lengths, "fetch", None, lambda: True)
    finally:
        handle.close()
    assert not hits.any()


@pytest.mark.parametrize("block_bytes", [1, 40, 200, 1 << 20])
def test_blocks_across_many_lines(path: Path, block_bytes: int) -> None:
    lines = [orjson.dumps({"id": str(i), "log_time": "2025-01-01T00:00:00Z", "event": f"ev{i % 7}",
                           "request": None if i % 3 else f"GET /x?q={i}"}) for i in range(200)]
    breaks = [b"\r\n" if i % 4 else b"\n\n  \n" for i in range(200)]
    for needle in ["ev3", "q=1", "get", "null", "event"]:
        got = search(path, "supermetrics", lines, needle, breaks=breaks, block_bytes=block_bytes)
        assert got == expected("supermetrics", lines, needle), needle
    assert sum(search(path, "supermetrics", lines, "ev3", block_bytes=block_bytes)) == len(range(3, 200, 7))


def test_whitespace_between_lines_is_not_matched(path: Path) -> None:
    lines = [SM, SM]
    breaks = [b"\n\x0b\x0c\n", b"\n"]  # a blank line of vertical tab and form feed
    assert search(path, "supermetrics", lines, "\x0b", breaks=breaks) == [False, False]


# -- property ---------------------------------------------------------------------------------

ALPHABET = st.sampled_from(list("abcXYZ019 :,{}[]\"\\/\t\néÉßΣσ" + KELVIN + DOTTED_I + "\u00e0\u4e2d\U0001f600-_."))
TEXT = st.text(ALPHABET, max_size=8)
KEYS = st.one_of(st.sampled_from(["status", "event", "null", "true", "a:b", 'q"k', "É", "back\\slash", "x y",
                                  "fetch", "1", "", "tool", "Error"]), TEXT)
# floats only where the JSON text is what `str` prints (numbers match as written: documented)
FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda v: orjson.dumps(v).decode() == str(v) == json.dumps(v))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.integers(-10**30, 10**30),
                    TEXT, TEXT, st.sampled_from(["null", "true", "fetch", "status", "É", "a:b", "x\"y"]), FLOATS)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(KEYS, inner, max_size=3)), max_leaves=6)


def entries(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly schema-valid entries (so the byte path decides), with extra fields of every shape."""
    if kind == "supermetrics":
        base = st.fixed_dictionaries({"id": TEXT, "log_time": st.just("2025-01-01T00:00:00.000Z")},
                                     optional={"status": st.integers(100, 599), "event": TEXT})
    else:
        base = st.fixed_dictionaries({"id": TEXT, "created_at": st.just("2025-01-01T00:00:00Z")},
                                     optional={"status": TEXT, "credential_id": TEXT, "tool": VALUES})
    extra = st.dictionaries(KEYS, VALUES, max_size=4)
    return st.builds(lambda b, e, first: {**e, **b} if first else {**b, **e}, base, extra, st.booleans())


def dump(raw: Any, style: int) -> bytes:
    if style == 1:
        return json.dumps(raw, ensure_ascii=True).encode()  # \uXXXX escapes, `, ` and `: `
    if style == 2:
        return json.dumps(raw, ensure_ascii=False, separators=(" , ", " : ")).encode()
    try:
        return orjson.dumps(raw)
    except TypeError:  # integers beyond 64 bits
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode()


NOT_JSON = st.sampled_from([b"not json at all", b'{"id": "torn', b"null", b"[1, \"a\"]", b'"text"', b"42",
                            b'{"a" "b"}', b"null pointer \xff", b'{"event":"\\u0041"'])


def scalar_texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in scalar_texts(v)] + list(value)
    if isinstance(value, list):
        return [t for v in value for t in scalar_texts(v)]
    return [] if value is None else [str(value)]


@st.composite
def cases(draw, kind: str) -> tuple[list[bytes], str]:
    raws = draw(st.lists(entries(kind), min_size=1, max_size=12))
    lines = [dump(raw, draw(st.sampled_from([0, 0, 0, 1, 2]))) for raw in raws]
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(0, len(lines))), draw(NOT_JSON))
    # needles: pieces of values and keys (as parsed or as written), JSON punctuation, or anything
    pool = [t for raw in raws for t in scalar_texts(raw)] + [line.decode("utf-8", "replace") for line in lines]
    pool = [t for t in pool if t] or ["x"]
    piece = st.builds(lambda text, a, b: text[min(a, b):max(a, b) + 1], st.sampled_from(pool),
                      st.integers(0, 40), st.integers(0, 40))
    needle = draw(st.one_of(
        piece, piece, piece.map(str.upper),
        st.sampled_from(["null", "nul", "ul", ":", '"', "\\", ",", "{", "É", "é", "ß", "σ", "true", "false",
                         "k", "i", "1", "-", "0", "status", "fetch", "a:b", '": "', "e+", "\\u"]),
        TEXT,
    ))
    # A needle with a line break could match across two values in `searchable_text` (which joins
    # them with "\n"): no meaningful search, and the byte search never does that.
    return lines, needle.replace("\n", "")


def assert_searches_as_entries(kind: str, data: st.DataObject, search_with: Callable[..., list[bool]]) -> None:
    """`search_with` (`search` with some of its ways forced) over a drawn file finds the lines the
    entry-level search finds; and over its JSON lines alone without being told the invalid ones."""
    lines, needle = data.draw(cases(kind))
    block_bytes = data.draw(st.sampled_from([1, 16, 64, 300, 1 << 22]))
    breaks = [data.draw(st.sampled_from([b"\n", b"\n", b"\r\n", b"\n\n", b"\n \t\n"])) for _ in lines]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        assert search_with(path, kind, lines, needle, breaks=breaks, block_bytes=block_bytes) \
            == expected(kind, lines, needle)
        # every line JSON: the result must not depend on knowing the invalid ones
        json_lines = [line for line in lines if _is_json(line)]
        if json_lines:
            assert search_with(path, kind, json_lines, needle, known_invalid=False, block_bytes=block_bytes) \
                == expected(kind, json_lines, needle)


@pytest.mark.parametrize("kind", ["supermetrics", "aitronos"])
@PROPERTY
@given(data=st.data())
def test_search_matches_the_entry_search(kind: str, data: st.DataObject) -> None:
    # the quotes before a match counted a match at a time, or listed a line at a time; lines
    # decided by their first matches first, or all matches at once
    counted, rounds = data.draw(st.sampled_from([None, 0, 1_000])), data.draw(st.sampled_from([None, 0, 1]))
    assert_searches_as_entries(kind, data, functools.partial(search, count_quotes_most=counted, rounds=rounds))


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True
