"""One gap's fetch at a time, for one archive's source and server filter: among a viewer's tabs, and
among logview processes.

Two tabs of one source (profiles with the same connector and other filters of their own) walk the
same gaps at the same time, and at one pace, the budget's, they asked for the same pages in turn:
a look at the coverage (`meanwhile.py`) never found the other ahead. Two processes did the same: a
viewer backfilling a hole and an `export` begun meanwhile reached the hole's next page together,
and fetched every page below twice at half the pace each. So a gap waits for another's fetch of the
same range, then looks, and shows what the other fetched from the archive.

In a process the turn is an `asyncio.Lock`; among processes an OS lock (`fcntl.flock`) on an empty
file beside the archive, one per source and filter (`<archive>-fetch-<digest>`: no name, id or key
in it), let go when its file is closed, also when its process dies (`kill -9`). A gap that waits for
another process says so (`Notice("waiting")`), and holds a shared lock on the file's `-waiting`
twin meanwhile: the process whose turn ends sees it, and lets go only once its pages are archived,
so the waiting one's look finds all of them. A turn whose process archives nothing for a while (it
is suspended, or stuck) is not waited for (`ProcessTurn.take`), unless it says its fetch is under way
(`FetchTurns.turn`'s beat on its file: a request waits for the budget, is sent, or waits to be retried):
at an hourly budget's pace a page comes minutes apart, and the other's own requests would have asked for
the same pages at half the pace each. The files live only while they are locked: whoever holds
one alone removes it as it lets go (`_locked` checks that the name it opened is still the file it
locked), so that an archive's folder does not fill with two empty files for each filter ever fetched;
`sweep` removes those a process killed while it held them left behind. Where no lock can be had (no
`fcntl`, a folder that cannot be written), processes fetch as before.
"""

from __future__ import annotations

import asyncio
import glob
import hashlib
import os
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # (Windows: the tabs of one viewer take turns, processes do not)
    fcntl = None  # type: ignore[assignment]

# How often a gap waiting for another process's fetch tries the lock again: a page of a paced fetch
# takes ~0.6 s (Aitronos at 100 a minute) or minutes, so a fifth of a second is no delay worth saying.
OTHER_PROCESS_POLL_S = 0.2
# How long another process's turn may go without archiving anything, or saying its fetch is under way,
# before a waiting gap goes on without it: longer than a page at a budget's even pace (0.6 s at Aitronos'
# 100 a minute, 3.6 s at Supermetrics' 1,000 an hour; a slower pace, a 429's wait, say they are under way).
STALLED_AFTER_S = 10.0
BEATS_PER_STALL = 4  # how often in STALLED_AFTER_S a holder whose fetch is under way says so
# Opens of a turn's file that may find it removed under them (its holder let go meanwhile) before
# it is taken as held: each try is a few µs, and a removal needs another process's whole turn.
RENAMED_TRIES = 8
NO_LOCK = -1  # (a turn taken where no lock could be had: held by nobody else, let go of as nothing)
NOT_TRIED = -2  # (`FetchTurns.try_processes` did not try for the turn: `take` tries itself)
EXCLUSIVE, SHARED = (fcntl.LOCK_EX, fcntl.LOCK_SH) if fcntl is not None else (0, 0)

WAITING_WORDS = ("another logview is fetching this range into the archive: waiting for it, to show "
                 "its entries from there instead of asking the API for them again")


def _locked(path: Path, operation: int) -> int | None:
    """An open descriptor of `path` holding `operation` (`LOCK_EX`, `LOCK_SH`); None while another
    holds a lock that excludes it; `NO_LOCK` where none can be had."""
    if fcntl is None:
        return NO_LOCK
    for _ in range(RENAMED_TRIES):
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            return NO_LOCK
        try:
            fcntl.flock(descriptor, operation | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        except OSError:
            os.close(descriptor)
            return NO_LOCK
        if _still_named(descriptor, path):
            return descriptor
        os.close(descriptor)  # (its holder removed it between the open and the lock: the name's new file)
    return None  # (removed under it each time: others are at it; taken as held)


def _still_named(descriptor: int, path: Path) -> bool:
    """Whether `path` still names the file `descriptor` has open."""
    held = os.fstat(descriptor)
    try:
        named = os.stat(path)
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)


def let_go(descriptor: int | None, path: Path | None = None) -> None:
    """A lock let go of; with `path`, a lock held alone (exclusive), its file removed first: nobody
    else holds it, and whoever opened it meanwhile finds it no longer named (`_locked`)."""
    if descriptor is None or descriptor == NO_LOCK:
        return
    if path is not None:
        try:
            path.unlink()
        except OSError:
            pass  # (removed already, or a folder that keeps it: it is only an empty file)
    os.close(descriptor)  # (the lock goes with it)


def _held_by_another(path: Path) -> bool:
    """Whether another holds any lock on `path` now (tried for, and let go of at once: its file
    removed if nobody holds it)."""
    descriptor = _locked(path, EXCLUSIVE)
    let_go(descriptor, path)
    return descriptor is None


def sweep(archive_path: str | Path) -> None:
    """Remove the turns' files beside an archive that nobody holds (left by a process killed while it
    held one): a file another holds stays (`_held_by_another` removes only one it could take)."""
    archive = Path(archive_path)
    for path in archive.parent.glob(f"{glob.escape(archive.name)}-fetch-*"):
        _held_by_another(path)


class ProcessTurn:
    """The OS lock of one archive's source and filter, and its `-waiting` twin (see the module)."""

    def __init__(self, archive_path: str, source: Hashable) -> None:
        digest = hashlib.sha256(repr(source).encode()).hexdigest()[:16]
        archive = Path(archive_path)
        self.path = archive.with_name(f"{archive.name}-fetch-{digest}")
        self.waiting_path = archive.with_name(f"{archive.name}-fetch-{digest}-waiting")

    def held_elsewhere(self) -> bool:
        """Whether another process holds the turn now."""
        return _held_by_another(self.path)

    async def take(self, progress: Callable[[], object], clock: Callable[[], float] = time.monotonic,
                   first: int | None = NOT_TRIED) -> tuple[int, bool]:
        """The turn's descriptor once held (`NO_LOCK`: gone on without it), and whether it waited for
        another process's. It waits while the other makes progress (`progress()`, what the archive holds
        of the range, changes within `STALLED_AFTER_S`, or the holder beats: `beat`): a holder that does
        neither for that long is suspended (`kill -STOP`, ctrl+z) or stuck, and is not waited for: its
        own look, once it goes on, finds what this one fetched. `first`: what the caller's own try for it
        got (`_locked`: the turn, or None: held), else it tries first."""
        if (held := _locked(self.path, EXCLUSIVE) if first == NOT_TRIED else first) is not None:
            return held, False
        waiting = _locked(self.waiting_path, SHARED)  # (said to the holder: see `someone_waits`)
        seen, changed = (progress(), self._beaten()), clock()
        try:
            while (held := _locked(self.path, EXCLUSIVE)) is None:
                await asyncio.sleep(OTHER_PROCESS_POLL_S)
                if (now := (progress(), self._beaten())) != seen:
                    seen, changed = now, clock()
                elif clock() - changed >= STALLED_AFTER_S:
                    return NO_LOCK, True
        finally:
            let_go(waiting)
            _held_by_another(self.waiting_path)  # (its file removed, if no other waits either)
        return held, True

    def beat(self, held: int) -> None:
        """Say, holding the turn (`take`'s descriptor), that its fetch is under way: a waiting gap does
        not take it for stalled (the file's modification time, no word written)."""
        if held != NO_LOCK:
            try:
                os.utime(held)
            except OSError:
                pass  # (a file system that keeps no times: the stall rule as before)

    def _beaten(self) -> int | None:
        """When the holder last beat (or took the turn: its file made)."""
        try:
            return os.stat(self.path).st_mtime_ns
        except OSError:
            return None

    def let_go(self, held: int | None) -> None:
        """The turn `take` gave let go of, its file removed (it was held alone)."""
        let_go(held, self.path)

    def someone_waits(self) -> bool:
        """Whether another process waits for the turn (a shared lock on the twin)."""
        return _held_by_another(self.waiting_path)


class FetchTurns:
    """One archive's source and server filter, fetched by one gap at a time: this process's gaps in
    turn, and (`processes`) in turn with other processes'."""

    def __init__(self, archive_path: str, source: Hashable) -> None:
        self._lock, self._waiting = asyncio.Lock(), 0
        self.processes = ProcessTurn(archive_path, source)

    def try_processes(self) -> int | None:
        """Before a gap's `turn`: the other processes' turn taken now if it is free (its descriptor,
        which `turn(tried=…)` keeps), or None: another process holds it, and the gap can say it waits
        before it does. Tried and kept as one step: tried and let go of, another process could take it
        before the gap's own try, and the gap waited without a word (a test failed so at load). Not
        tried (NOT_TRIED) while a gap of this process holds or awaits it: a tab's lock on the file is
        this process's own."""
        return NOT_TRIED if self._lock.locked() or self._waiting else _locked(self.processes.path, EXCLUSIVE)

    @asynccontextmanager
    async def turn(self, flush: Callable[[], Awaitable[object]], *, progress: Callable[[], object] | None = None,
                   under_way: Callable[[], bool] = lambda: False, tried: int | None = NOT_TRIED) -> AsyncIterator[bool]:
        """A gap's turn to fetch; says whether it waited for another's. A turn another gap waits for
        ends once what it fetched is archived (`flush`): the other then looks at the coverage. With
        `progress` (what the archive holds of the range: `ProcessTurn.take`), other processes' gaps
        take turns with it too (`tried`: what `try_processes` got), and while it holds theirs, it beats
        whenever `under_way()` (a request of its fetch waits for the budget, is sent, or waits to be retried)."""
        waited = self._lock.locked()
        self._waiting += 1
        try:
            await self._lock.acquire()
        except BaseException:
            self.processes.let_go(None if tried == NOT_TRIED else tried)  # (the turn `try_processes` took)
            raise
        finally:
            self._waiting -= 1
        held, beating = None, None
        try:
            if progress is not None:
                held, waited_elsewhere = await self.processes.take(progress, first=tried)
                waited = waited or waited_elsewhere
                if held != NO_LOCK:
                    beating = asyncio.create_task(self._beat(held, under_way))
            yield waited
            if self._waiting or (held not in (None, NO_LOCK) and self.processes.someone_waits()):
                await flush()
        finally:
            if beating is not None:
                beating.cancel()
            self.processes.let_go(held)
            self._lock.release()

    async def _beat(self, held: int, under_way: Callable[[], bool]) -> None:
        while True:
            await asyncio.sleep(STALLED_AFTER_S / BEATS_PER_STALL)
            if under_way():
                self.processes.beat(held)


# (weak: it lives while a gap holds or awaits its turn; a test's next event loop makes its own)
_FETCHING: weakref.WeakValueDictionary[Hashable, FetchTurns] = weakref.WeakValueDictionary()


def one_fetch_at_a_time(archive_path: str, *source: Hashable) -> FetchTurns:
    """The turns of a gap's fetch on this event loop (a viewer's tabs), for one archive's source and
    server filter (`source`: its identity and filter, no key), and among processes."""
    key = (asyncio.get_running_loop(), archive_path, source)
    if (turns := _FETCHING.get(key)) is None:
        _FETCHING[key] = turns = FetchTurns(archive_path, source)
    return turns
