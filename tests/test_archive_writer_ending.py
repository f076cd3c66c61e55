"""The writer process's end at a viewer's quit: two flushes (a cancelled backfill's and the quit's)
both wait for the one end (s20 #8), a stopped writer is said to be behind while the fetch waits for
it, and a quit that gives up on it kills it and counts what it had not archived (s20 #4)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from logview.archive import Archive
from logview.archive import writer as archive_writer
from logview.archive.writer import PageWriter

from archive_support import aitronos_entries, aitronos_identity
from test_archive_writer_process import always_a_process  # noqa: F401 (a fixture)


async def started(processes: list, count: int) -> int:
    """The pid of the `count`-th writer process, once started."""
    while len(processes) < count:
        await asyncio.sleep(0.01)
    return processes[count - 1]._process.pid


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


async def test_a_second_flush_waits_for_the_process_the_first_is_ending(always_a_process, monkeypatch):  # noqa: F811
    monkeypatch.setattr(archive_writer, "IDLE_S", 600.0)  # (ended by the flush alone, not for being idle)
    entries = aitronos_entries(2_000)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "q")
        writer.store(entries[:1_000], None)
        writer.store(entries[1_000:], None)
        await started(always_a_process, 1)
        process = always_a_process[0]._process
        # (every transaction committed and its answer taken: the first flush ends the process next.
        # Committed alone was not enough: on a loaded machine the answers were still on their way when
        # the process was stopped, and the flush waited for them for ever)
        while stored.count() < len(entries) or not all(answer.done() for answer in writer._answers):
            await asyncio.sleep(0.01)
        # (stopped before the first flush ends it: begun earlier, the flush could see the process
        # exit before it was stopped, once the process no longer tore its interpreter down)
        os.kill(process.pid, signal.SIGSTOP)  # (slow to end: a busy core)
        first = asyncio.ensure_future(writer.flush())
        try:
            async with asyncio.timeout(20):
                while writer._starting is not None:
                    await asyncio.sleep(0.01)
            second = asyncio.ensure_future(writer.flush())
            await asyncio.sleep(0.3)
            assert not second.done()  # (it returned at once, and the viewer's loop closed before the process ended)
        finally:
            os.kill(process.pid, signal.SIGCONT)
        await asyncio.wait_for(asyncio.gather(first, second), 10)
        assert process.returncode == 0


async def test_a_stopped_writer_is_behind_and_a_quit_kills_it_counting_what_it_did_not_archive(
        always_a_process, monkeypatch):  # noqa: F811
    monkeypatch.setattr(archive_writer, "BACKLOG_BYTES", 64 << 10)
    monkeypatch.setattr(archive_writer, "BEHIND_AFTER_S", 0.2)
    entries = aitronos_entries(3_000)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "q")
        writer.store(entries[:100], None)
        await started(always_a_process, 1)
        await writer.flush()  # (the first page archived; the process ended, a new one for the rest)
        writer.store(entries[100:200], None)
        os.kill(pid := await started(always_a_process, 2), signal.SIGSTOP)
        handed = 200
        fetching = None
        for start in range(200, len(entries), 100):  # (the fetch, which waits for room)
            writer.store(entries[start:start + 100], None)
            handed += 100
            fetching = asyncio.ensure_future(writer.room())
            await asyncio.sleep(0.05)
            if not fetching.done():
                break
        assert fetching is not None and not fetching.done()  # (the backlog is full)
        assert writer.behind is None  # (not yet: a fast load waits a few ms at a time)
        deadline = time.monotonic() + 5
        while writer.behind is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert writer.behind is not None and writer.behind > 64 << 10
        left = await asyncio.wait_for(writer.give_up(), 10)
        assert not alive(pid)  # (killed and reaped: nothing of it outlives the viewer)
        await asyncio.wait_for(fetching, 1)  # (the fetch waits no more)
        assert writer.behind is None
        assert left == handed - 100 == len(entries) - stored.count() - (len(entries) - handed)
