"""Which lines of a chunk msgspec may decode a block at a time without looking at each line
(`typed.TypedDecoder.decode_block`): found for the whole chunk with numpy, not block by block.

msgspec does not check the UTF-8 of a value it skips, and reads an escaped surrogate that the exact
path reads through the standard library; a block holding either is read line by line instead. To
know, a block's text was decoded whole: ~0.4 µs a line of an export with a few accented names,
since one character beyond ASCII makes CPython build the whole megabyte as wider text. Here only the
lines holding a byte beyond ASCII are decoded, found by their greatest byte (one numpy call).
"""

from __future__ import annotations

import numpy as np

from logview.jsonutil import is_utf8

_BACKSLASH, _U, _LOWER_D = ord("\\"), ord("u"), ord("d")


def suspect_lines(raw: bytes | bytearray, data: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Per line (bytes `first[i]..last[i]` of `raw`, `data` its bytes as uint8; the bytes between
    lines are ASCII white space): True where the line is not valid UTF-8 or holds the escape of a
    surrogate (`\\ud…`, `\\uD…`), which msgspec would read unlike `load_json`."""
    suspect = np.zeros(len(first), dtype=bool)
    if not len(first):
        return suspect
    if not raw.isascii():  # only the lines whose greatest byte is beyond ASCII are decoded
        rows = np.flatnonzero(np.maximum.reduceat(data, first) >= 0x80)
        view = memoryview(raw)  # (the lines joined straight from where they lie: no copy of each first)
        texts = [view[start:end + 1] for start, end in zip(first[rows].tolist(), last[rows].tolist())]
        try:  # (all at once: a line break between lines keeps each line's verdict its own)
            b"\n".join(texts).decode("utf-8")
        except UnicodeDecodeError:  # (strict UTF-8 refuses surrogates written as bytes, too)
            suspect[rows] = [not is_utf8(text.tobytes()) for text in texts]
        del texts, view  # (`raw` may be a buffer read into again: no view of it outlives this call)
    if b"\\" in raw:  # (`memchr`: fast where there is none)
        escapes = np.flatnonzero(data[:-2] == _BACKSLASH)
        escapes = escapes[(data[escapes + 1] == _U) & ((data[escapes + 2] | 0x20) == _LOWER_D)]
        suspect[_rows_of(escapes, first)] = True
    return suspect


def _rows_of(positions: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The distinct lines holding these byte positions (each within a line, or past the last)."""
    rows = np.unique(np.searchsorted(first, positions, side="right") - 1)
    return rows[rows >= 0]
