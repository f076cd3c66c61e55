"""Hostile data (issue 5): untrusted entries through the sanitiser, the cell formatting, the page and
file parsers and the exporter. Whatever an entry holds, nothing raises, nothing that reaches a
terminal carries a control character, JSONL export keeps the entry as received and CSV keeps one
record per entry."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.files.writer import EntryWriter
from logview.files.columns import ColumnReader
from logview.jsonutil import dump_json, load_json
from logview.model import LogEntry
from logview.sanitize import clean, clean_line, is_clean
from logview.sources.base import InvalidBody
from logview.files.jsonl import entry_from_line, iter_line_batches, source_for_kind
from logview.ui.cells import MAX_CELL_CHARS, cell_text, format_duration, row_cells, status_text

# What must never reach a terminal: C0 (but tab/newline in multi-line views), DEL, C1.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LINE_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

HOSTILE_PIECES = [
    "[bold]", "[/]", "[@click=app.quit]", "[link=https://x]", "[$accent]", "[/bold]", "[b]x[/b]",
    "\x1b]2;pwned\x07", "\x1b]52;c;aGk=\x07", "\x1b[2J", "\x9b2J", "\x1bP1;2|dcs\x1b\\", "\x1b]8;;https://x\x1b\\",
    "\x00", "\x07", "\x08", "\x7f", "\x85", "\r", "\r\n", "\n", "\t", "\u2028", "\u202e", "\ud800",
    "\\", "\"", "{", "}", "ö", "日本", "\U0001f600",
]


def iter_file_batches(path, kind: str, batch_size: int = 5000):
    """A file's entries in file order, in batches, each line read the exact way (`entry_from_line`): the
    reference the file readers are held to (the viewer and `export --file` read columns instead)."""
    source = source_for_kind(kind)
    return iter_line_batches(path, lambda line: entry_from_line(source, line), batch_size)


def hostile_texts(surrogates: bool = True) -> st.SearchStrategy[str]:
    """Text made of `HOSTILE_PIECES` and random text; `surrogates` False: never a lone surrogate
    (drawn that way rather than filtered: most lists of entries hold one somewhere)."""
    pieces = HOSTILE_PIECES if surrogates else [piece for piece in HOSTILE_PIECES if piece != "\ud800"]
    chars = st.text(max_size=8) if surrogates else st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
    return st.lists(st.one_of(st.sampled_from(pieces), chars), max_size=12).map("".join)


def json_values_of(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), text, st.integers(min_value=-(10**40), max_value=10**40),
                        st.floats(allow_nan=False, allow_infinity=False))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(text, inner, max_size=3)), max_leaves=12)


hostile_text = hostile_texts()
json_values = json_values_of(hostile_text)


def aitronos_entries(surrogates: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    text = hostile_text if surrogates else hostile_texts(surrogates=False)
    values = json_values if surrogates else json_values_of(text)
    return st.fixed_dictionaries(
        {"id": st.one_of(text, st.integers(), st.none()),
         "created_at": st.one_of(st.just("2025-11-15T10:00:00.000Z"), text, st.integers(), values)},
        optional={"status": values, "credential_id": values, "tool": values,
                  "connector": values, "duration_ms": values, "error": values},
    ).flatmap(lambda fixed: st.dictionaries(text, values, max_size=2).map(
        lambda extra: {**extra, **fixed}))


def supermetrics_entries(surrogates: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    text = hostile_text if surrogates else hostile_texts(surrogates=False)
    values = json_values if surrogates else json_values_of(text)
    return st.fixed_dictionaries(
        {"id": st.one_of(text, st.integers(), st.none()),
         "log_time": st.one_of(st.just("2025-11-15T10:00:00Z"), text, st.integers(), values)},
        optional={"status": values, "event": values, "request": values,
                  "duration_ms": values, "message": values},
    )


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def nested(depth: int) -> Any:
    value: Any = "[bold]deep\x1b]2;x\x07"
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


# ---- the sanitiser -------------------------------------------------------------------------

@FAST
@given(hostile_text)
def test_clean_leaves_no_control_character(text: str) -> None:
    cleaned = clean(text)
    assert CONTROL.search(cleaned) is None
    assert is_clean(cleaned)
    assert clean(cleaned) == cleaned
    # markup is text: brackets survive untouched
    assert cleaned.count("[") == text.count("[") and cleaned.count("]") == text.count("]")


@FAST
@given(hostile_text)
def test_clean_line_is_one_safe_line(text: str) -> None:
    line = clean_line(text)
    assert LINE_CONTROL.search(line) is None
    assert "\n" not in line and "\r" not in line


def test_the_named_escape_sequences_lose_their_control_bytes() -> None:
    for piece in ("\x1b]2;pwned\x07", "\x1b]52;c;aGk=\x07", "\x1b[2J", "\x9b2J", "\x1bP1|x\x1b\\"):
        assert not any(ch in clean(piece) for ch in "\x1b\x07\x9b")
        assert not any(ch in clean_line(piece) for ch in "\x1b\x07\x9b")
    assert clean("[@click=app.quit]x[/]") == "[@click=app.quit]x[/]"
    assert clean_line("a\rb\r\nc") == "a b  c"


# ---- cells ---------------------------------------------------------------------------------

@FAST
@given(json_values)
def test_any_value_is_one_short_safe_cell(value: Any) -> None:
    for text in (cell_text(value), format_duration(value), status_text(value if isinstance(value, (str, int)) else None)):
        assert LINE_CONTROL.search(text) is None
        assert len(text) <= MAX_CELL_CHARS + 16


@FAST
@given(st.one_of(aitronos_entries(), supermetrics_entries()))
def test_row_cells_of_any_entry_are_safe(raw: dict[str, Any]) -> None:
    kind = "aitronos" if "created_at" in raw else "supermetrics"
    entry = source_for_kind(kind).entry_from_raw(raw)
    for text in row_cells(entry).values():
        assert LINE_CONTROL.search(text) is None


@pytest.mark.parametrize("value", [
    "x" * 100_000, 10**30, -(10**30), 10**400, 1e308, nested(200), {"logs": "not a list"}, "\ud800", True,
    float("inf"), float("-inf"), float("nan"),  # `1e400`, `-Infinity`, `NaN` in a file (found by the fuzz oracle)
])
def test_extreme_values_are_cut_and_safe(value: Any) -> None:
    for text in (cell_text(value), format_duration(value)):
        assert LINE_CONTROL.search(text) is None
        assert len(text) <= MAX_CELL_CHARS + 16


# ---- parsers ---------------------------------------------------------------------------------

def _page_body(kind: str, logs: Any) -> bytes:
    document = {"logs": logs, "total": 1, "has_more": False} if kind == "aitronos" else {"logs": logs}
    return json.dumps(document, ensure_ascii=True).encode()


@FAST
@given(st.lists(aitronos_entries(), max_size=4), st.lists(supermetrics_entries(), max_size=4))
def test_parse_page_keeps_every_hostile_entry_as_received(ait: list, sm: list) -> None:
    for kind, logs in (("aitronos", ait), ("supermetrics", sm)):
        page = source_for_kind(kind).parse_page(_page_body(kind, logs))
        assert [entry.raw for entry in page.entries] == logs
        for entry in page.entries:
            assert entry.status is None or isinstance(entry.status, (str, int))


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
@pytest.mark.parametrize("body", [
    b'{"logs": "not a list"}', b'{"logs": {"a": 1}}', b"[]", b'"logs"', b"null", b'{"logs": [1, "x", null',
    b"<html>502</html>", b"\xff\xfe{}", b"",
])
def test_parse_page_refuses_what_is_not_a_page(kind: str, body: bytes) -> None:
    with pytest.raises(InvalidBody):
        source_for_kind(kind).parse_page(body)


WRONG_TYPES = [
    {"id": "a1", "created_at": 1731664800, "status": "success"},                   # time as a number
    {"id": "a2", "created_at": "2025-11-15T10:00:00Z", "status": 500},              # status of the wrong type
    {"id": "a3", "created_at": "2025-11-15T10:00:00Z", "status": ["x"], "logs": 3},
    {"id": ["a4"], "created_at": None, "status": {"s": 1}},
    {"id": "a5", "created_at": "2025-11-15T10:00:00Z", "duration_ms": 10**30, "n": -(10**40), "f": 1e308},
    {"id": "a6", "created_at": "2025-11-15T10:00:00Z", "inputs": nested(200)},
    "just a string", 42, None, [1, 2],
]


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
def test_wrong_types_come_back_invalid_or_shown_never_raised(kind: str) -> None:
    source = source_for_kind(kind)
    page = source.parse_page(_page_body(kind, WRONG_TYPES + WRONG_TYPES[:2]))  # duplicate ids too
    assert [entry.raw for entry in page.entries] == WRONG_TYPES + WRONG_TYPES[:2]
    for entry in page.entries:
        row_cells(entry)
        assert isinstance(entry.id, str)
        if not isinstance(entry.raw, dict):
            assert entry.invalid


FILE_LINES = [
    b"",
    b"   ",
    b'{"id":"f1","created_at":"2025-11-15T10:00:00Z","tool":"[bold]x[/]\\u001b]2;pwned\\u0007"}',
    b'{"id":"f2","created_at":"2025-11-15T10:00:00Z","tool":"bad utf8 \xff\xfe here"}',
    b'\xff\xfe\xfd',
    b'{"id":"f3","created_at":"2025-11-15T10:00:00Z","big":123456789012345678901234567890}',
    b'{"id":"f4","created_at":"2025-11-15T10:00:00Z","lone":"\\ud800"}',
    b'{"id":"f5","created_at":"2025-11-15T10:00:00Z","e":"\x1b]52;c;aGk=\x07 raw in line"}',
    b'{"id":"f6","created_at":"2025-11-15T10:00:00Z","x":1}\r',
    b'{"id":"f7","created_at":"2025-11-15T10:0',  # torn
]


def test_file_lines_never_raise_and_bad_ones_are_invalid(tmp_path) -> None:
    source = source_for_kind("aitronos")
    for line in FILE_LINES:
        if not line.strip():
            continue
        entry = entry_from_line(source, line)
        for text in row_cells(entry).values():
            assert LINE_CONTROL.search(text) is None
    assert entry_from_line(source, FILE_LINES[4]).invalid
    assert entry_from_line(source, FILE_LINES[-1]).invalid
    assert entry_from_line(source, FILE_LINES[3]).invalid  # invalid UTF-8 is not JSON
    assert entry_from_line(source, FILE_LINES[7]).invalid  # raw control bytes inside a JSON string
    # the file reader skips blank lines and keeps the rest, the torn last line included
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\n".join(FILE_LINES))
    entries = [entry for batch in iter_file_batches(path, "aitronos") for entry in batch]
    assert len(entries) == len(FILE_LINES) - 2
    chunk = ColumnReader(source).read([line for line in FILE_LINES if line.strip()])
    assert len(chunk) == len(FILE_LINES) - 2


@FAST
@given(st.lists(st.one_of(aitronos_entries(), json_values), max_size=4))
def test_column_reader_takes_any_line(raws: list) -> None:
    lines = [json.dumps(raw).encode() for raw in raws]
    assert len(ColumnReader(source_for_kind("aitronos")).read(lines)) == len(lines)


# ---- export -----------------------------------------------------------------------------------

def _export(kind: str, entries: list[LogEntry], fmt: str) -> bytes:
    out = io.BytesIO()
    writer = EntryWriter(out, fmt, source_for_kind(kind))
    writer.write(entries)
    return out.getvalue()


@FAST
@given(st.lists(aitronos_entries(surrogates=False), min_size=1, max_size=4),
       st.lists(supermetrics_entries(surrogates=False), min_size=1, max_size=4))
def test_export_keeps_entries_exact_and_csv_one_record_each(ait: list, sm: list) -> None:
    assert not _has_surrogate(ait + sm)  # (lone surrogates: the test below)
    for kind, logs in (("aitronos", ait), ("supermetrics", sm)):
        page = source_for_kind(kind).parse_page(_page_body(kind, logs))
        jsonl = _export(kind, page.entries, "jsonl")
        lines = jsonl.split(b"\n")
        assert lines[-1] == b"" and len(lines) == len(logs) + 1
        assert [load_json(line) for line in lines[:-1]] == logs
        text = _export(kind, page.entries, "csv").decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == len(logs) + 1
        assert all(len(row) == len(rows[0]) for row in rows)


def _has_surrogate(value: Any) -> bool:
    return re.search("[\ud800-\udfff]", json.dumps(value, ensure_ascii=False)) is not None


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_of_an_entry_with_a_lone_surrogate(fmt: str) -> None:
    line = b'{"id":"s1","created_at":"2025-11-15T10:00:00Z","tool":"\\ud800 x"}'
    entry = entry_from_line(source_for_kind("aitronos"), line)
    out = _export("aitronos", [entry], fmt)
    if fmt == "jsonl":
        assert json.loads(out) == json.loads(line)
    else:
        assert len(list(csv.reader(io.StringIO(out.decode("utf-8", "replace"), newline="")))) == 2


@pytest.mark.parametrize("line", [FILE_LINES[2], FILE_LINES[5], FILE_LINES[8]])
def test_jsonl_export_of_a_file_entry_is_the_same_json(line: bytes) -> None:
    entry = entry_from_line(source_for_kind("aitronos"), line)
    out = _export("aitronos", [entry], "jsonl")
    assert out.endswith(b"\n") and out.count(b"\n") == 1
    assert json.loads(out) == json.loads(line)


def test_extreme_entries_round_trip_through_export() -> None:
    raws = [r for r in WRONG_TYPES if isinstance(r, dict)] + [
        {"id": "long", "created_at": "2025-11-15T10:00:00Z", "error": "[bold]" + "x" * 100_000 + "\r\n\x1b[2J"}]
    page = source_for_kind("aitronos").parse_page(_page_body("aitronos", raws))
    out = _export("aitronos", page.entries, "jsonl")
    assert [json.loads(line) for line in out.splitlines()] == raws
    assert dump_json(raws[4]) == json.dumps(raws[4], separators=(",", ":")).encode()
    rows = list(csv.reader(io.StringIO(_export("aitronos", page.entries, "csv").decode(), newline="")))
    assert len(rows) == len(raws) + 1
