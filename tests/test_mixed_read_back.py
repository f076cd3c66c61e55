"""A mixed file's entries are not held by the viewer: each row keeps its line's offset, and its
entry is read back from the line when it is shown, copied, saved or searched (`EnvelopeLines`).
What is read back must be exactly the entry the row was made from when the file was read — for
hostile entries, duplicate keys, lone surrogates and numbers beyond 64 bits too — and a line
that cannot be read back that way keeps its entry in memory instead."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.files.envelope import PARSERS, UNREADABLE_SOURCE, UnreadableLine
from logview.files.mixed import FILE_CHANGED, EnvelopeLines, iter_envelope_lines, readable, unplace
from logview.jsonutil import load_json
from logview.store.archived import rebuild

from test_fast_parse import described
from test_hostile_data import aitronos_entries, supermetrics_entries

APIS = ("aitronos", "supermetrics")


def envelope(source: str, api: str, entry: Any, ascii_only: bool, spaced: bool) -> bytes:
    separators = (", ", ": ") if spaced else (",", ":")
    return json.dumps({"source": source, "api": api, "entry": entry}, ensure_ascii=ascii_only,
                      separators=separators).encode("utf-8", "surrogatepass")


def with_duplicate(line: bytes, key: str, value: Any) -> bytes:
    """The line with `key` given a second time, before its own (its own, the last, counts)."""
    return b'{"' + key.encode() + b'":' + json.dumps(value).encode() + b"," + line[1:]


@st.composite
def mixed_lines(draw: st.DrawFn) -> bytes:
    api = draw(st.sampled_from(APIS))
    entry = draw(aitronos_entries() if api == "aitronos" else supermetrics_entries())
    line = envelope(draw(st.sampled_from(["prod", "stagé", "b"])), api, entry, draw(st.booleans()), draw(st.booleans()))
    twist = draw(st.sampled_from(["none", "none", "entry", "api", "source", "odd"]))
    if twist == "entry":  # an earlier entry of another shape: the last one is the entry
        line = with_duplicate(line, "entry", draw(st.sampled_from([[1], "x", None, {"id": 5}])))
    elif twist == "api":
        line = with_duplicate(line, "api", draw(st.sampled_from(APIS)))
    elif twist == "source":
        line = with_duplicate(line, "source", draw(st.sampled_from(["other", 5])))
    elif twist == "odd":
        line = draw(st.sampled_from([b"not json", b'{"source":"a","api":"x","entry":{}}', b"[1]", b"\xff\xfe",
                                     b'{"source":"a","api":"aitronos","entry":{},"more":1}']))
    return line


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mixed_lines(), min_size=1, max_size=8), st.sampled_from([1, 3, 5000]))
def test_an_entry_read_back_is_the_entry_read(tmp_path_factory, lines: list[bytes], batch_size: int) -> None:
    path = tmp_path_factory.mktemp("mixed") / "mixed.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    batches = list(iter_envelope_lines(path, batch_size=batch_size))
    places = [at for batch in batches for at in batch.places]
    assert [unplace(at) for at in places] == [(sum(len(line) + 1 for line in lines[:i]), len(line))
                                              for i, line in enumerate(lines)]
    for batch in batches:
        for at, source, entry, can_read in zip(batch.places, batch.sources, batch.entries, batch.readable):
            line = lines[places.index(at)]
            expected = _as_one_line(line)
            if expected is None:  # not an envelope: shown invalid, and held (its bytes saved back as they are),
                # under the source it names when only its `api` is unknown
                named = "a" if line == b'{"source":"a","api":"x","entry":{}}' else UNREADABLE_SOURCE
                assert (source, isinstance(entry, UnreadableLine), can_read) == (named, True, False)
                assert entry.line == line
                continue
            assert (source, described(entry), entry.raw) == (expected[0], described(expected[1]), expected[1].raw)
            if not can_read:
                continue
            again = rebuild(EnvelopeLines.of_file(path)[entry.source], [at])[0]
            assert (described(again), again.raw) == (described(entry), entry.raw)


def _as_one_line(line: bytes) -> tuple[str, Any] | None:
    """The line as the model reads it alone: its source and its entry by its API's rules; None
    when it is not an envelope."""
    try:
        value = load_json(line)
    except ValueError:
        return None
    if not (type(value) is dict and value.keys() == {"source", "api", "entry"} and isinstance(value["source"], str)
            and value["api"] in PARSERS):
        return None
    return value["source"], PARSERS[value["api"]].entry_from_raw(value["entry"])


def test_most_lines_are_read_back_and_a_line_msgspec_refuses_is_held() -> None:
    plain = envelope("prod", "aitronos", {"id": "a", "created_at": "2025-01-01T00:00:00Z"}, True, False)
    wrong_first = with_duplicate(plain, "source", 5)  # the last source is a string: an envelope to load_json
    assert readable([plain, plain]) == [True, True]
    assert readable([plain, wrong_first, plain]) == [True, False, True]


def test_a_line_changed_since_it_was_read_comes_back_invalid(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    entry = {"id": "a", "log_time": "2025-01-01T00:00:00Z", "status": 200}
    path.write_bytes(envelope("b", "supermetrics", entry, True, False) + b"\n")
    readers = EnvelopeLines.of_file(path)
    (batch,) = iter_envelope_lines(path)
    assert rebuild(readers["supermetrics"], batch.places)[0].raw == entry
    assert readers["aitronos"].raw_found(batch.places) == {}  # (another API's line is not this reader's)
    time.sleep(0.02)  # (past the file system's clock tick: the write gets a later mtime)
    with path.open("r+b") as handle:  # changed in place
        handle.write(b"something else entirely\n")
    (gone,) = rebuild(readers["supermetrics"], batch.places)
    assert (gone.invalid, gone.id) == (FILE_CHANGED, "line at byte 0")  # (not "archived row …": a file)


def test_lines_rewritten_in_place_at_their_lengths_read_back_nothing(tmp_path: Path) -> None:
    """Two lines of one length swapped in place: every line still an envelope of its API, each at
    the other's place. Read back, a row would show the other's entry under its own columns."""
    path = tmp_path / "mixed.jsonl"
    first, second = ({"id": name, "log_time": f"2025-01-0{day}T00:00:00Z", "status": 200} for name, day in
                     (("a", 2), ("b", 1)))
    lines = [envelope("b", "supermetrics", entry, True, False) for entry in (first, second)]
    assert len(lines[0]) == len(lines[1])
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    readers = EnvelopeLines.of_file(path)
    (batch,) = iter_envelope_lines(path)
    assert [e.raw for e in rebuild(readers["supermetrics"], batch.places)] == [first, second]
    time.sleep(0.02)
    with path.open("r+b") as handle:
        handle.write(lines[1] + b"\n" + lines[0] + b"\n")
    assert [e.invalid for e in rebuild(readers["supermetrics"], batch.places)] == [FILE_CHANGED, FILE_CHANGED]


def test_a_file_only_appended_to_still_reads_back_and_a_grown_rewrite_does_not(tmp_path: Path) -> None:
    """A grown mixed file read back nothing, as if rewritten: every row turned `!` (s16 C7)."""
    path = tmp_path / "mixed.jsonl"
    entry = {"id": "a", "log_time": "2025-01-01T00:00:00Z", "status": 200}
    line = envelope("b", "supermetrics", entry, True, False) + b"\n"
    path.write_bytes(line)
    readers = EnvelopeLines.of_file(path)
    (batch,) = iter_envelope_lines(path)
    time.sleep(0.02)
    with path.open("ab") as handle:
        handle.write(line)
    assert rebuild(readers["supermetrics"], batch.places)[0].raw == entry
    with path.open("r+b") as handle:  # rewritten in place, and longer still
        handle.write(line.replace(b'"a"', b'"z"') * 3)
    assert rebuild(readers["supermetrics"], batch.places)[0].invalid == FILE_CHANGED


def test_a_file_saved_over_by_name_leaves_what_is_read_back(tmp_path: Path) -> None:
    path, beside = tmp_path / "mixed.jsonl", tmp_path / "new.jsonl"
    first = {"id": "a", "log_time": "2025-01-01T00:00:00Z", "status": 200}
    path.write_bytes(envelope("b", "supermetrics", first, True, False) + b"\n")
    readers = EnvelopeLines.of_file(path)
    (batch,) = iter_envelope_lines(path)
    beside.write_bytes(envelope("b", "supermetrics", dict(first, id="other"), True, False) + b"\n")
    beside.replace(path)  # as `s` saves: written beside, renamed into place
    assert rebuild(readers["supermetrics"], batch.places)[0].raw == first


def test_a_line_that_is_nearly_an_envelope_says_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"source":"zd","api":"zendesk","entry":{}}\n{"source":42,"api":"aitronos","entry":{}}\n[1]\n'
                    '{"source":"a","api":[1],"entry":{}}\n{"source":"a","api":{"x":1},"entry":{}}\n')
    (batch,) = iter_envelope_lines(path)  # (an api that cannot be hashed raised a TypeError: found in review)
    assert [entry.invalid for entry in batch.entries] == [
        "unknown api 'zendesk' (aitronos or supermetrics)", "its source is not text",
        "not an envelope of a mixed file (source, api, entry)", "unknown api '[1]' (aitronos or supermetrics)",
        "unknown api \"{'x': 1}\" (aitronos or supermetrics)"]
    assert batch.sources == ["zd", UNREADABLE_SOURCE, UNREADABLE_SOURCE, "a", "a"]  # (the source each names)


def test_a_byte_order_mark_opening_a_mixed_file_is_no_line_s(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    entry = {"id": "a", "log_time": "2025-01-01T00:00:00Z", "status": 200}
    path.write_bytes(b"\xef\xbb\xbf" + envelope("b", "supermetrics", entry, True, False) + b"\n")
    (batch,) = iter_envelope_lines(path)
    assert batch.sources == ["b"] and batch.readable == [True] and unplace(batch.places[0])[0] == 3
    assert rebuild(EnvelopeLines.of_file(path)["supermetrics"], batch.places)[0].raw == entry


def test_a_line_nested_deeper_than_msgspec_goes_is_held_not_a_crash(tmp_path: Path) -> None:
    """msgspec raises RecursionError (not a DecodeError) for such a line: the file did not open at all."""
    path = tmp_path / "mixed.jsonl"
    deep = b"[" * 990 + b"]" * 990
    path.write_bytes(b'{"source":"b","api":"aitronos","entry":{"id":"a","created_at":"2025-01-01T00:00:00Z","n":'
                     + deep + b"}}\n")
    (batch,) = iter_envelope_lines(path)
    assert batch.sources == ["b"] and batch.readable == [False]  # (its entry held: msgspec cannot read it back)
    assert batch.entries[0].id == "a" and batch.entries[0].invalid is None
