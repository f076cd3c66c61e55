"""Lines the byte search (`files.search`) leaves to the exact check because the table shows some of
their text otherwise (`sanitize.clean_line`: a control character left out, a line break as a space),
and search finds a value as shown too (`sources.base.searchable_text`): a value shown `bidievil`
holds U+202E between `bidi` and `evil`, and `/bidievil` found nothing (found in a walk).

In a JSON line such a character is escaped (`\\u202e`, `\\t`, `\\r`: a line with an escape is checked
exactly anyway) or written as it is. As it is, valid JSON holds only these, each in a string: DEL,
the C1 controls (U+0080–U+009F: 0xC2 0x80–0x9F), U+2028 and U+2029 and the bidi controls
(U+202A–U+202E, U+2066–U+2069: 0xE2 0x80 0xA8–0xAE, 0xE2 0x81 0xA6–0xA9). A C0 control stands in
a JSON string only escaped; one written as it is inside a string makes the line invalid, and an
invalid entry's line is checked exactly too; between a line's tokens (a tab) it is in no value.

A block of ASCII without DEL, the common one, is told by its largest byte (one pass, which also
tells the search it is ASCII); one with a byte beyond ASCII in its first 64 KiB needs no such pass
(an Aitronos export has a dash or a quote mark every ~12 KiB). The lead bytes of the rest are found
by memchr while they are few: ~0.3 ms a block of such a file (~45 ms of CPU a search of the Aitronos
1M file, ~250 ms without this; over the Supermetrics one, ASCII, nothing measurable).
"""

from __future__ import annotations

import numpy as np

from logview.files.search_dense import byte_mask

_DEL = 0x7F
BEYOND_ASCII = 0x80
_C1_LEAD, _BIDI_LEAD = 0xC2, 0xE2
_GLANCE = 64 << 10  # bytes of a block looked at for one beyond ASCII before its largest byte is asked
# A lead byte's occurrences in a block found one by one at most (~0.25 µs each); more, and numpy
# finds them all at once (~0.5 ms a block, whatever their number).
FEW = 1024
_NONE = np.zeros(0, dtype=np.int64)


def largest_byte(block: bytes, data: np.ndarray) -> int:
    """The block's largest byte, or BEYOND_ASCII when its first 64 KiB have one beyond ASCII (at least)."""
    if not len(data):
        return 0
    return BEYOND_ASCII if not block[:_GLANCE].isascii() else int(data.max())


def shown_otherwise_at(block: bytes, data: np.ndarray, largest: int) -> np.ndarray:
    """Where the block (`data`: its bytes as numpy's; `largest`: `largest_byte`) holds, as it is, a
    character the table shows otherwise: DEL, a C1 control, U+2028/U+2029 or a bidi control (the
    first byte of each)."""
    if largest < _DEL:
        return _NONE
    found = _offsets(block, data, _DEL, 0)
    if largest < BEYOND_ASCII:
        return found
    at = _offsets(block, data, _C1_LEAD, 1)
    second = data[at + 1]
    c1 = at[(second >= 0x80) & (second <= 0x9F)]
    at = _offsets(block, data, _BIDI_LEAD, 2)
    second, third = data[at + 1], data[at + 2]
    breaks_and_bidi = at[(second == 0x80) & (third >= 0xA8) & (third <= 0xAE)
                         | (second == 0x81) & (third >= 0xA6) & (third <= 0xA9)]
    return np.concatenate([found, c1, breaks_and_bidi])


def _offsets(block: bytes, data: np.ndarray, byte: int, room: int) -> np.ndarray:
    """Where `byte` stands in the block with `room` bytes after it (a dash or a quote mark, 0xE2 0x80
    0x94, is ~350 a block of an Aitronos export: ~0.2 ms by memchr, ~2 ms by a new numpy mask; an
    absent byte, one memchr)."""
    end = max(0, len(block) - room)
    single = bytes((byte,))
    found: list[int] = []
    at = block.find(single, 0, end)
    while at >= 0:
        if len(found) == FEW:
            return np.flatnonzero(byte_mask(data, byte)[:end])
        found.append(at)
        at = block.find(single, at + 1, end)
    return np.array(found, dtype=np.int64)
