"""What a file given to `--file` is when it is not JSON Lines, and the command that makes it one.

A JSON array (`json.dumps(list)`, an API's own answer saved), pretty-printed JSON and UTF-16 text
(PowerShell's `>`) hold entries, but not one a line: asked which API wrote them, they were "cannot
tell … pass --source", and `--source` then opened a screen of rows all "invalid entry: not JSON"
(found by a tester). `jsonl.detect_kind` asks these before it guesses an API.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from logview.jsonutil import InvalidJSON, load_json

# Byte order marks, longest first (UTF-32 LE's begins with UTF-16 LE's), and the first bytes of
# `{` or `[` in each encoding where a file has none
_WIDE_MARKS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
               (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
_WIDE_STARTS = ((b"\x00\x00\x00", b"", "UTF-32BE"), (b"", b"\x00\x00\x00", "UTF-32LE"),
                (b"\x00", b"", "UTF-16BE"), (b"", b"\x00", "UTF-16LE"))
WHOLE_PARSE_BYTES = 1 << 20  # a file up to this size is parsed whole to tell an array from pretty-printed entries


def wide_encoding(start: bytes) -> str | None:
    """The encoding (UTF-16 or UTF-32) of a file beginning with `start` (its first 8 bytes), where it
    is one: by its byte order mark, or by the NUL bytes around its first `{` or `[`."""
    for mark, encoding in _WIDE_MARKS:
        if start.startswith(mark):
            return encoding
    for before, after, encoding in _WIDE_STARTS:
        if any(start.startswith(before + opening + after) for opening in (b"{", b"[")):
            return encoding
    return None


def encoding_words(path: Path, encoding: str) -> str:
    """Why a UTF-16 or UTF-32 file is refused, and the command that converts it."""
    return (f"{path} is {encoding} text, not UTF-8: logview reads UTF-8 JSON Lines "
            f"(`iconv -f {encoding} -t UTF-8 {_quoted(path)} > {_quoted(_beside(path, 'utf8'))}` makes a copy it reads)")


def not_jsonl_words(path: Path, first_line: bytes | None, whole: bool) -> str:
    """Why a file none of whose lines read is a JSON object is refused: a JSON array, entries that
    span several lines, or lines that are not JSON. `first_line`: its first line that is not blank
    (without a byte order mark); `whole`: every line of the file was read, not a sample."""
    first = (first_line or b"").strip()
    shape = one_line = _json_shape(first)
    if shape is None and (first in (b"[", b"{") or first.startswith((b"[{", b"[ {"))):  # (pretty-printed)
        shape = list if first.startswith(b"[") else dict
    if shape is None and path.stat().st_size <= WHOLE_PARSE_BYTES:
        shape = _json_shape(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    target = _quoted(_beside(path, "lines"))
    if shape is list and _empty_array(first, path):  # (its jq made an empty file, which was refused in turn: a walk)
        return f"{path} is an empty JSON array: it holds no entries"
    if shape is list:
        spread = "on one line" if one_line is list else "over several lines"
        return (f"{path} is a JSON array ({spread}), not JSON Lines (one entry a line): "
                f"`jq -c '.[]' {_quoted(path)} > {target}` makes one")
    if shape is dict:
        return (f"{path} is pretty-printed JSON: an entry spans several lines, where JSON Lines has one entry a "
                f"line: `jq -c . {_quoted(path)} > {target}` makes one")
    read = "none of its lines" if whole else "none of the lines read of it"
    return (f"{path} is not JSON Lines: {read} is a JSON object (logview reads the JSONL that `logview export` "
            "and `s` write, one entry a line)")


def _empty_array(first: bytes, path: Path) -> bool:
    """Whether the file's array (its first line, else the whole of a small file) holds nothing."""
    if re.fullmatch(rb"\[\s*\]", first):
        return True
    return first == b"[" and path.stat().st_size <= WHOLE_PARSE_BYTES and re.fullmatch(
        rb"\s*\[\s*\]\s*", path.read_bytes().removeprefix(b"\xef\xbb\xbf")) is not None


def _json_shape(data: bytes) -> type | None:
    """list or dict where `data` is one JSON array or object, else None."""
    if not data.startswith((b"[", b"{")):
        return None
    try:
        value = load_json(data)
    except InvalidJSON:
        return None
    return type(value) if isinstance(value, (list, dict)) else None


def _beside(path: Path, tag: str) -> Path:
    """A `.jsonl` name beside `path` for its converted copy, never `path` itself."""
    if path.suffix.lower() != ".jsonl" and path.stem and not path.name.startswith("."):
        return path.with_suffix(".jsonl")
    return path.with_name(f"{path.name.removesuffix(path.suffix)}.{tag}.jsonl")


def _quoted(path: Path) -> str:
    return shlex.quote(str(path))
