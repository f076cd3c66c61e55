"""Which segments of a big file each side of a split read takes (`split_read.py`), and how far
the child has got, in memory the viewer and its child share."""

from __future__ import annotations

import mmap

CHILD_NEAR_SEGMENTS = 2  # (`Claims.near_front`)
_UNCLAIMED = (1 << 31) - 1  # the child's first claim before it has made one


class Claims:
    """Which segments each side reads, in memory the two processes share (made before the fork):
    the viewer segments [0, front), the child [back, …). Each side reads the other's mark, then
    moves its own; no lock: a side that sees the other's mark late only reads a segment the other
    reads too (at the meeting point, at most one), and the viewer keeps its own copy of it. No
    segment is left unread, as each side stops only where it has seen the other's claims begin.

    The child's other marks: the rows of its segment it has still to read (`rows_left`: a viewer
    that has met a child starved by other work stops it rather than wait for its last segment, up
    to 143 ms on a busy machine), and where its file's last whole segment is recorded (`committed`)."""

    def __init__(self, segment_rows: int) -> None:
        self.segment_rows = segment_rows  # (a segment is rows [i * segment_rows, (i + 1) * segment_rows))
        self._memory = mmap.mmap(-1, 32)  # (anonymous and shared: the child writes the same page)
        self._marks = memoryview(self._memory).cast("q")
        self._marks[0], self._marks[1] = 0, _UNCLAIMED
        self._marks[2], self._marks[3] = -1, 0

    def claim_front(self, segment: int) -> bool:
        """The viewer's next segment, if the child has not claimed it."""
        if segment >= self._marks[1]:
            return False
        self._marks[0] = segment + 1
        return True

    def claim_back(self, segment: int) -> bool:
        """The child's next segment (the one below its last), if the viewer has not claimed it."""
        if segment < self._marks[0]:
            return False
        self._marks[1] = segment
        return True

    def near_front(self, segment: int) -> bool:  # (whether the viewer may reach it before the child ends it)
        return segment - self._marks[0] <= CHILD_NEAR_SEGMENTS

    @property
    def rows_left(self) -> int:
        return self._marks[3]

    def left(self, rows: int) -> None:  # (the child's mark: only it writes it)
        self._marks[3] = rows

    @property
    def committed(self) -> int:
        """Where the child's last whole segment's record is in its file (-1: none yet)."""
        return self._marks[2]

    def commit(self, offset: int) -> None:  # (one word: read whole even while the child is being killed)
        self._marks[2] = offset
