"""A Supermetrics page of documented entries is decoded by typed msgspec Structs, its entries'
raw values left as their JSON text until read (`sources/typed_page.py`). That must make exactly
the entries the exact parse makes (ids, times, statuses, raw values, types included), code exactly
the same columns, and hand the archive's writer the same values; and any other page (a misfit, a
key beyond the documented ones, escaped surrogates, bytes beyond ASCII, huge integers, a body
that is no page) must still be read the exact way."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.archive.writer_process import process_part
from logview.files.jsonl import source_for_kind
from logview.jsonutil import load_json
from logview.model import LogEntry
from logview.sources.base import InvalidBody, Source
from logview.sources.typed_page import PageEntry, json_array, raw_values, undecoded
from logview.store.codes import Codes
from logview.times import epoch_us

from test_codes_bulk import assert_columns_equal
from test_fast_parse import described
from test_filecolumns import TIME_TEXTS, raw_entries
from test_hostile_data import json_values, supermetrics_entries

TEXT = st.text(max_size=12)
DOCUMENTED = st.fixed_dictionaries({"id": st.text(min_size=1, max_size=8), "log_time": TIME_TEXTS}, optional={
    "status": st.one_of(st.none(), st.integers(100, 599)),
    "event": st.one_of(st.none(), st.sampled_from(["fetch", "auth"]), TEXT),
    "request": st.one_of(st.none(), TEXT), "duration_ms": st.one_of(st.none(), st.integers(0, 10**12)),
    "request_id": st.one_of(st.none(), TEXT)})


def compact(logs: list[Any]) -> bytes:
    try:
        return orjson.dumps({"logs": logs, "meta": {"a": [1, "x"]}})
    except TypeError:  # (a lone surrogate, an integer beyond 64 bits)
        return json.dumps({"logs": logs}, separators=(",", ":")).encode()


BODIES = st.sampled_from([
    lambda logs: json.dumps({"logs": logs}).encode(),  # (non-ASCII escaped)
    lambda logs: json.dumps({"next": None, "logs": logs}, ensure_ascii=False, indent=1).encode(
        "utf-8", "surrogatepass"),
    compact,
])


def exact(body: bytes) -> list[LogEntry]:
    return Source.parse_page(source_for_kind("supermetrics"), body).entries


def assert_as_the_exact_parse(body: bytes) -> list[LogEntry]:
    source = source_for_kind("supermetrics")
    try:
        theirs = exact(body)
    except InvalidBody:
        with pytest.raises(InvalidBody):
            source.parse_page(body)
        return []
    ours = source.parse_page(body).entries
    assert [described(e) for e in ours] == [described(e) for e in theirs]
    if undecoded(ours) is not None:  # the archive's writer is given the texts as they came, and the times
        text, times_us = process_part(None, ours)  # type: ignore[arg-type,misc]
        assert load_json(text) == [e.raw for e in theirs] and times_us == [epoch_us(e.time) for e in theirs]
        assert raw_values(ours) == [e.raw for e in theirs]  # (as an export writes them)
        assert undecoded(ours) is not None  # (and none is kept read)
    assert [e.raw for e in ours] == [e.raw for e in theirs] and ours == theirs and theirs == ours
    return ours


@settings(max_examples=200, deadline=None)
@given(st.lists(DOCUMENTED, min_size=1, max_size=8), BODIES)
def test_a_documented_page_is_typed_and_is_what_the_exact_parse_makes(logs: list[dict[str, Any]], body_of) -> None:
    body = body_of(logs)
    entries = assert_as_the_exact_parse(body)
    moments_parse = all(e.invalid is None for e in exact(body))
    escaped = b"\\u" in body
    if moments_parse and not escaped:  # (a page whose times all parse, with no escapes to rule out)
        assert {type(entry) for entry in entries} == {PageEntry}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(DOCUMENTED, DOCUMENTED, raw_entries("supermetrics"), supermetrics_entries(), json_values),
                max_size=8), BODIES)
def test_any_other_page_is_read_as_the_exact_parse_reads_it(logs: list[Any], body_of) -> None:
    assert_as_the_exact_parse(body_of(logs))


@pytest.mark.parametrize("body", [
    b'{"logs": [{"id": "a", "log_time": "2025-11-15T10:00:00Z", "status": 200, "tool": "x"}]}',  # another key
    b'{"logs": [{"id": "a", "log_time": "2025-11-15T10:00:00Z", "event": "\\ud800"}]}',
    '{"logs": [{"id": "\u00e9", "log_time": "2025-11-15T10:00:00Z"}], "x": "\udce9"}'.encode("utf-8", "surrogatepass"),
    b'{"logs": [{"id": "a", "log_time": "2025-11-15T10:00:00Z", "event": "\xff"}]}',
    b'{"logs": [{"id": "a", "log_time": "2025-11-15T10:00:00Z", "status": 200}], "logs": 7}',
    b'{"logs": [{"id": "a", "log_time": "tomorrow"}]}',
    b'{"logs": [{"id": "a", "log_time": "2025-11-15T10:00:00Z"}], "meta": ' + b"[" * 1100 + b"]" * 1100 + b"}",
    b'{"logs": []}', b'[]', b'{"logs": [', b'{"logs": [{"id": "a", "log_time": "2025-11-15T10:00:00Z"}]} x',
])
def test_pages_msgspec_might_read_otherwise_are_read_the_exact_way(body: bytes) -> None:
    entries = assert_as_the_exact_parse(body)
    assert not any(type(entry) is PageEntry for entry in entries)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(DOCUMENTED, DOCUMENTED, raw_entries("supermetrics")), min_size=1, max_size=8),
                min_size=1, max_size=3))
def test_typed_entries_code_the_columns_their_exact_entries_code(pages: list[list[Any]]) -> None:
    source = source_for_kind("supermetrics")
    ours, theirs = Codes(source), Codes(source)
    for logs in pages:
        body = compact(logs)
        assert_columns_equal(ours.encode(source.parse_page(body).entries), {
            name: values.tolist() for name, values in theirs.encode(exact(body)).items()})
        assert [table.values for table in ours.tables()] == [table.values for table in theirs.tables()]


@pytest.mark.parametrize("digits", ["12345678901234567890", "1" * 40])
def test_a_huge_integer_is_kept_exact_either_way(digits: str) -> None:
    body = ('{"logs": [{"id": "a", "log_time": "2025-11-15T10:00:00Z", "duration_ms": %s}], "next": %s}'
            % (digits, digits)).encode()
    entries = assert_as_the_exact_parse(body)
    assert type(entries[0]) is PageEntry and entries[0].raw["duration_ms"] == int(digits)


def test_an_entrys_raw_value_is_read_once_when_first_asked_for() -> None:
    source = source_for_kind("supermetrics")
    body = b'{"logs": [{"id": "a", "log_time": "2025-11-15T10:00:00.123Z", "status": 503, "event": "fetch"},' \
           b' {"id": "b", "log_time": "2025-11-15T10:00:00Z", "request": "GET /x?a=1"}]}'
    entries = source.parse_page(body).entries
    assert [(bytes(text), event, duration) for text, event, duration in undecoded(entries) or []] == [
        (body[body.index(b'{"id": "a"'):body.index(b"},") + 1], "fetch", None),
        (body[body.index(b'{"id": "b"'):-2], None, None)]  # (each entry's text as it came)
    first = entries[0].raw
    assert first == {"id": "a", "log_time": "2025-11-15T10:00:00.123Z", "status": 503, "event": "fetch"}
    assert entries[0].raw is first  # (kept, not read again)
    assert undecoded(entries) is None  # one is read: the columns are found from the raw values
    assert Codes(source).encode(entries)["error"].tolist() == Codes(source).encode(exact(body))["error"].tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.lists(st.one_of(DOCUMENTED, DOCUMENTED, raw_entries("supermetrics")), min_size=1,
                                   max_size=6), st.lists(st.booleans(), max_size=6)), min_size=1, max_size=3))
def test_a_batch_mixing_typed_read_and_exact_entries_is_coded_without_reading_the_rest(pages) -> None:
    """The archive's thread reads a page's raw values (its first rows); the store may then code a
    batch of such entries, unread typed ones and exact ones: each is coded as the exact parse's
    entry is, and no unread one is read for it."""
    source = source_for_kind("supermetrics")
    ours: list[LogEntry] = []
    theirs: list[LogEntry] = []
    for logs, read in pages:
        body = compact(logs)
        entries = source.parse_page(body).entries
        for entry, reading in zip(entries, read):
            if reading:
                entry.raw  # noqa: B018  # (read, as the archive's thread reads it)
        ours += entries
        theirs += exact(body)
    unread = [entry for entry in ours if type(entry) is PageEntry and undecoded([entry]) is not None]
    assert_columns_equal(Codes(source).encode(ours), {
        name: values.tolist() for name, values in Codes(source).encode(theirs).items()})
    assert all(undecoded([entry]) is not None for entry in unread)


def test_a_source_set_to_read_pages_the_exact_way_does():
    """`logview export` writes every raw value: it reads its pages the exact way (one decode)."""
    source = source_for_kind("supermetrics")
    body = b'{"logs": [{"id": "a", "log_time": "2025-11-15T10:00:00Z", "status": 200}]}'
    assert type(source.parse_page(body).entries[0]) is PageEntry
    source.typed_pages = False  # type: ignore[attr-defined]
    assert type(source.parse_page(body).entries[0]) is LogEntry


@pytest.mark.parametrize("texts", [[], [b"1"], [b"{}", b"[]"], [b'{"a":1}', b"2", b'"3"']])
def test_json_array_is_the_texts_joined_in_brackets(texts: list[bytes]) -> None:
    assert json_array([msgspec.Raw(text) for text in texts]) == b"[" + b",".join(texts) + b"]"


def test_json_array_of_texts_cut_from_a_page_is_that_page_s_array() -> None:
    """The texts as a typed page holds them (views of its body, joined without a copy of each first)."""
    body = b'{"logs":[{"id":"a","n":1},{"id":"b","n":[2,3]},"x"]}'
    texts = msgspec.json.decode(body, type=dict[str, list[msgspec.Raw]])["logs"]
    joined = json_array(texts)
    assert type(joined) is bytes and joined == b'[{"id":"a","n":1},{"id":"b","n":[2,3]},"x"]'
    assert json_array(texts[1:2]) == b'[{"id":"b","n":[2,3]}]'
