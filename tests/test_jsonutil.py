"""`load_json` reads every number exactly, wherever it stands: a bare value too (a page's element
read alone, `sources/deep_page.py`), where orjson made an integer below 64 bits' a double."""

from __future__ import annotations

import json

import pytest

from logview.jsonutil import LiteralNumber, dump_json, load_json


@pytest.mark.parametrize("text", ["-9223372036854775809", "18446744073709551616", " 123456789012345678901234567890",
                                  "\n-99999999999999999999", "[-9223372036854775809]", '{"n": -9223372036854775809}'])
def test_an_integer_beyond_64_bits_is_read_exactly_bare_or_inside(text: str) -> None:
    value = load_json(text.encode())
    assert value == json.loads(text)  # (the standard library's integers: exact)
    assert dump_json(value) == text.strip().replace(": ", ":").encode()


def test_a_number_a_double_cannot_hold_stays_as_written() -> None:
    value = load_json(b"1e400")
    assert isinstance(value, LiteralNumber) and dump_json(value) == b"1e400"
