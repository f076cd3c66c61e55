"""Whether a file changed on disk since it was read: its screen asks every CHECK_EVERY_S (one
`stat`), and says so once, for the rows shown are read back from the file as it was."""

from __future__ import annotations

from pathlib import Path

CHECK_EVERY_S = 2.0
TAIL_BYTES = 4096  # the file's last bytes as read: an append leaves them, a rewrite rarely does

Stamp = tuple[int, int, int]  # (inode, size, mtime)


def _stamp(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def _tail(path: Path, size: int) -> bytes | None:
    """The TAIL_BYTES before `size` (None: not readable)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, size - TAIL_BYTES))
            return handle.read(min(size, TAIL_BYTES))
    except OSError:
        return None


class FileWatch:
    """`path` as read (`read`), and the words for its change since, once (`news`). Rows read
    before the file grew still read back, a plain file's by their offsets, a mixed file's by their
    places (`mixed.OpenedFile`): a grown file only needs `r` for what was added."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._as_read: Stamp | None = None
        self._tail_as_read: bytes | None = None
        self._told = False

    def read(self) -> bool:
        """The file is read (again) from now: a change is measured from here. False when it is
        not there to read."""
        self._as_read, self._told = _stamp(self.path), False
        self._tail_as_read = None if self._as_read is None else _tail(self.path, self._as_read[1])
        return self._as_read is not None

    def news(self) -> str | None:
        """What to say of a change since `read`, the first time it is seen; else None."""
        if self._told or self._as_read is None:
            return None
        now = _stamp(self.path)
        if now == self._as_read:
            return None
        self._told = True
        # (only grown if what was read is still there: rewritten in place and made longer, it
        # was said to have grown while its rows no longer read back)
        grew = (now is not None and now[0] == self._as_read[0] and now[1] > self._as_read[1]
                and _tail(self.path, self._as_read[1]) == self._tail_as_read)
        # (shorter: truncated, or rewritten; either way the rows past its end read back as nothing)
        shorter = " (shorter now)" if now is not None and now[0] == self._as_read[0] and now[1] < self._as_read[1] else ""
        what = ("has grown on disk since it was read" if grew else
                f"changed on disk since it was read{shorter}: the rows shown may no longer match it")
        return f"{self.path.name} {what} — r reads it again"
