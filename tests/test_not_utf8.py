"""A file's line that is JSON but not UTF-8 (found by a tester): its reason was orjson's "not JSON:
str is not valid UTF-8: surrogates not allowed: line 1 column 1 (char 0)", which named neither the
byte nor where it is, and called valid JSON syntax "not JSON". It now says `not UTF-8 (byte 0xFF at
byte 10)`, the same on every path a line is read by (orjson's, the standard library's for numbers of
19+ digits, a merged file's envelopes); a line that is torn as well says both."""

from __future__ import annotations

import pytest

from logview.files.envelope import read_envelopes
from logview.files.jsonl import entry_from_line, source_for_kind
from logview.jsonutil import InvalidJSON, NotUTF8JSON, load_json

BAD = b'{"id":"bad\xff\xfeutf","log_time":"2025-11-15T09:00:00Z","status":200}'
BIG = BAD.replace(b"200", b"2" * 25)  # (a number of 19+ digits: read by the standard library)


@pytest.mark.parametrize("kind", ["supermetrics", "aitronos"])
@pytest.mark.parametrize("line", [BAD, BIG], ids=["orjson", "long number"])
def test_a_json_line_that_is_not_utf8_says_which_byte_and_where(kind: str, line: bytes) -> None:
    entry = entry_from_line(source_for_kind(kind), line)
    assert entry.invalid == "not UTF-8 (byte 0xFF at byte 10)"
    assert entry.raw == line.decode("utf-8", "replace")  # (its text shown, as before)
    with pytest.raises(NotUTF8JSON):
        load_json(line)


def test_a_torn_line_that_is_not_utf8_says_both() -> None:
    entry = entry_from_line(source_for_kind("supermetrics"), b'{"id":"bad\xffutf","log_t')
    assert entry.invalid == ("not JSON: unexpected end of data: line 1 column 23 (char 22); not UTF-8 either "
                             "(byte 0xFF at byte 10)")
    with pytest.raises(InvalidJSON) as raised:
        load_json(b'{"id":"bad\xffutf","log_t')
    assert not isinstance(raised.value, NotUTF8JSON)


def test_a_merged_files_line_that_is_not_utf8_says_so_too() -> None:
    line = b'{"source":"prod","api":"supermetrics","entry":' + BAD + b"}"
    _, [entry] = read_envelopes([line])
    assert entry.invalid == "not UTF-8 (byte 0xFF at byte 56)"


def test_the_byte_counted_is_the_first_not_utf8_past_any_valid_text() -> None:
    with pytest.raises(NotUTF8JSON, match=r"^not UTF-8 \(byte 0xC3 at byte 15\)$"):
        load_json('{"a":"é","b":"'.encode() + b'\xc3("}')
