"""Whether a file changed on disk since it was read: its screen asks every CHECK_EVERY_S (one
`stat`), and says so once, for the rows shown are read back from the file as it was. A file removed
is said as removed (its rows still read back from the file held open), and again once one is back
in its place."""

from __future__ import annotations

import os
from pathlib import Path

CHECK_EVERY_S = 2.0
TAIL_BYTES = 4096  # the file's last bytes as read: an append leaves them, a rewrite rarely does

Stamp = tuple[int, int, int]  # (inode, size, mtime)


def _stamp(path: Path) -> Stamp | None:
    try:
        return stamp_of(path.stat())
    except OSError:
        return None


def stamp_of(info: os.stat_result) -> Stamp:
    return info.st_ino, info.st_size, info.st_mtime_ns


def removed_words(name: str) -> str:
    """The banner's words for a file removed since it was read ("changed on disk … r reads it
    again" sent `r` to an error, "No such file or directory", found by a tester)."""
    return f"{name} was removed from disk after it was read: the rows shown are those read from it"


def gone_words(name: str) -> str:
    """What `r` says over a file removed since it was read."""
    return f"{name} is no longer on disk: there is nothing to read again (the rows read from it stay shown)."


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
        self._told: str | None = None  # what was said of it since `read`: "changed", "removed", "back"
        self._own: set[Stamp] = set()  # the file as the viewer's own saves over it leave it (`own_write`)

    def read(self) -> bool:
        """The file is read (again) from now: a change is measured from here. False when it is
        not there to read."""
        self._as_read, self._told = _stamp(self.path), None
        self._tail_as_read = None if self._as_read is None else _tail(self.path, self._as_read[1])
        return self._as_read is not None

    def holds(self, path: Path) -> bool:
        """Whether `path` names the file watched (by another name, a link, too)."""
        try:
            return path.samefile(self.path)
        except OSError:
            return False

    def own_write(self, stamp: Stamp) -> None:
        """A save of the viewer's own puts a new file of `stamp` in the path's place (written beside
        it, renamed): seen there, it is the file as read from then on, not a change to speak of.
        The rows shown still read back as they were read, from the file held open (`LineFile`,
        `mixed.OpenedFile`). Called from the save's thread before the rename (a set's add)."""
        self._own.add(stamp)

    def gone(self) -> bool:
        """Whether nothing is at the path now (removed, or renamed away)."""
        return not self.path.exists()

    def news(self) -> str | None:
        """What to say of a change since `read`, the first time it is seen (a removal, and a file
        back in its place after one, each once too); else None."""
        if self._as_read is None:
            return None
        now = _stamp(self.path)
        if now is None:
            if self._told == "removed":
                return None
            self._told = "removed"
            return removed_words(self.path.name)
        if now == self._as_read:
            return None
        if now in self._own:  # (the viewer's own save: it warned of itself, s25 walk #9)
            self._own.discard(now)
            self._as_read, self._tail_as_read = now, _tail(self.path, now[1])
            return None
        if self._told == "removed":
            self._told = "back"
            return f"{self.path.name} is on disk again, another file than the one read — r reads it"
        if self._told:
            return None
        self._told = "changed"
        # (only grown if what was read is still there: rewritten in place and made longer, it
        # was said to have grown while its rows no longer read back)
        grew = (now is not None and now[0] == self._as_read[0] and now[1] > self._as_read[1]
                and _tail(self.path, self._as_read[1]) == self._tail_as_read)
        # (shorter: truncated, or rewritten; either way the rows past its end read back as nothing)
        shorter = " (shorter now)" if now is not None and now[0] == self._as_read[0] and now[1] < self._as_read[1] else ""
        what = ("has grown on disk since it was read" if grew else
                f"changed on disk since it was read{shorter}: the rows shown may no longer match it")
        return f"{self.path.name} {what} — r reads it again"
