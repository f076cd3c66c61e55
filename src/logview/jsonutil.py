"""JSON in and out: orjson for speed, the standard library for what orjson refuses.

orjson turns integers beyond 64 bits into floats (losing digits) and refuses numbers beyond a
double; an API or a file may still contain them, and an entry must survive the round trip exactly
(field order and huge numbers kept). Bodies with a number of 19+ digits therefore go to the standard
library, which keeps integers exact — a cheap check that only slows bodies that need it. A number
beyond a double (`1e400`, or `1e-400`) is read as a `LiteralNumber`, written back as it came.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import orjson


class InvalidJSON(ValueError):
    """Bytes that are not JSON at all (torn, truncated, HTML, invalid UTF-8)."""


class TooDeepJSON(InvalidJSON):
    """JSON nested deeper than logview reads: orjson stops at 1,024 levels, the standard library
    (numbers of 19+ digits) near Python's recursion limit, 1,000 frames."""


class NotUTF8JSON(InvalidJSON):
    """JSON whose bytes are not UTF-8, its reason saying where (`not UTF-8 (byte 0xFF at byte 10)`):
    orjson's "str is not valid UTF-8: surrogates not allowed: line 1 column 1" said neither (found
    by a tester)."""


DEEPEST = 1_024  # the levels orjson reads
TOO_DEEP = f"nested deeper than the {DEEPEST:,} levels logview reads"


class JSONText(str):
    """A value kept as its JSON text, nested deeper than logview reads (an API's entry, see
    `sources/deep_page.py`): written back as it came, not as a JSON string."""


class LiteralNumber(float):
    """A number beyond a double (`1e400`) or a constant JSON lacks (`NaN`, `Infinity`): a float
    for arithmetic (infinite or NaN), written back exactly as it was read."""

    text: str

    def __new__(cls, text: str) -> LiteralNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def _float_or_literal(text: str) -> float:
    number = float(text)
    if number in (_INF, -_INF) or (number == 0 and any(c in "123456789" for c in text.lower().partition("e")[0])):
        return LiteralNumber(text)  # beyond a double, or so small it would be written back as 0.0
    return number


_INF = float("inf")
# The standard library's parser, keeping numbers a double cannot hold as they were written.
_loads = json.JSONDecoder(parse_float=_float_or_literal, parse_constant=LiteralNumber).decode


# 19+ digits right after `:`, `,` or `[` (where JSON numbers start), or at the text's start (a bare
# number: a page's element read alone, a line); anchoring on those characters makes the scan about
# twice as fast as a bare digit run over timestamp-heavy bodies.
_LONG_DIGIT_RUN = re.compile(rb"(?:\A|[:,\[])[\s-]*\d{19}")
# The regex scans ~100 MB/s, slower than orjson parses; every digit made a `0` and a search for
# 19 of them in a row rules it out first at ten times that (the regex only runs on such a run).
_DIGITS_AS_ZERO = bytes(ord("0") if ord("0") <= byte <= ord("9") else byte for byte in range(256))
_NINETEEN_DIGITS = b"0" * 19


def is_utf8(text: bytes) -> bool:
    """Whether `text` is valid (strict) UTF-8."""
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def load_json(data: bytes | str) -> Any:
    raw = data.encode() if isinstance(data, str) else data
    if _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_ZERO) and _LONG_DIGIT_RUN.search(raw):
        try:
            return _loads(raw.decode())
        except RecursionError:
            raise TooDeepJSON(TOO_DEEP) from None
        except UnicodeDecodeError as error:
            raise _not_utf8(raw, error) from None
        except ValueError as error:
            raise InvalidJSON(str(error)) from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as first_error:
        try:
            return _loads(data.decode() if isinstance(data, bytes) else data)
        except RecursionError:
            raise TooDeepJSON(TOO_DEEP) from None
        except UnicodeDecodeError as error:
            raise _not_utf8(raw, error) from None
        except ValueError:
            raise InvalidJSON(str(first_error)) from None


def _not_utf8(data: bytes, error: UnicodeDecodeError) -> InvalidJSON:
    """Why `data`, which is not UTF-8 (`error`), is no JSON value: its first byte that is not UTF-8,
    and, where its text (that byte read as U+FFFD) is not JSON either, why not."""
    where = f"byte 0x{data[error.start]:02X} at byte {error.start:,}"
    try:
        load_json(data.decode("utf-8", "replace"))
    except TooDeepJSON:
        pass  # (JSON all the same)
    except InvalidJSON as syntax:
        return InvalidJSON(f"{syntax}; not UTF-8 either ({where})")
    return NotUTF8JSON(f"not UTF-8 ({where})")


def dump_json(value: Any, *, sort_keys: bool = False) -> bytes:
    if type(value) is JSONText:
        return value.encode()
    option = orjson.OPT_SORT_KEYS if sort_keys else 0
    try:
        return orjson.dumps(value, option=option)
    except TypeError:
        try:  # a number read as a `LiteralNumber` goes back as it was written
            return orjson.dumps(value, option=option | orjson.OPT_PASSTHROUGH_SUBCLASS, default=_literal)
        except TypeError:
            pass
    # orjson refuses an integer beyond 64 bits, a lone surrogate and a value nested 255 deep or more
    # (it reads up to 1,024: a file or an API may well hold one)
    try:
        return _compact(value, sort_keys, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate (JSON `"\\ud800"`): written back escaped
        return _compact(value, sort_keys, ensure_ascii=True).encode()


def _literal(value: Any) -> Any:
    if isinstance(value, LiteralNumber):
        return orjson.Fragment(value.text.encode())
    raise TypeError


_END = object()


def _compact(value: Any, sort_keys: bool, ensure_ascii: bool) -> str:
    """`value` as the standard library writes it compact, a `LiteralNumber` as it was read, and
    without recursion: the standard library stops at Python's recursion limit (1,000 frames, the
    caller's included), short of the 1,024 levels a value read may have."""
    scalar = json.JSONEncoder(ensure_ascii=ensure_ascii, separators=(",", ":")).encode
    parts: list[str] = []
    open_containers: list[tuple[Iterator[Any], bool]] = []  # each one's items left, and whether it is an object
    item = value
    while True:
        if isinstance(item, (dict, list, tuple)):
            is_object = isinstance(item, dict)
            parts.append("{" if is_object else "[")
            items = (sorted(item.items(), key=_key) if sort_keys else item.items()) if is_object else item
            open_containers.append((iter(items), is_object))
            first = True
        else:
            parts.append(item.text if isinstance(item, LiteralNumber) else scalar(item))
            first = False
        while open_containers:  # the next item to write, closing the containers it leaves
            items, is_object = open_containers[-1]
            following = next(items, _END)
            if following is _END:
                parts.append("}" if is_object else "]")
                open_containers.pop()
                first = False
                continue
            if not first:
                parts.append(",")
            if is_object:
                key, item = following
                parts.append(scalar(key if isinstance(key, str) else str(key)) + ":")
            else:
                item = following
            break
        else:
            return "".join(parts)


def _key(item: tuple[Any, Any]) -> Any:
    return item[0]


def nesting_depth(value: Any) -> int:
    """How many arrays and objects deep `value` goes (0 for a scalar), found without recursion."""
    deepest, level = 0, [(value, 0)]
    while level:
        item, depth = level.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, (list, tuple)) else None
        if children is not None:
            deepest = max(deepest, depth + 1)
            level.extend((child, depth + 1) for child in children)
    return deepest
