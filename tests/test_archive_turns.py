"""Two logview processes on one archive take turns at a range (`archive/turns.py`), against the demo
server over real HTTP: a viewer backfilling a hole and an export begun meanwhile reached the hole's
next page together and fetched every page below twice. The second process here runs on its own
event loop and its own connection to the archive file, in a thread (`fcntl.flock` locks of two
opens of one file exclude each other as two processes' do)."""

from __future__ import annotations

import asyncio
import os

import pytest

import test_archive_sync
from logview.api.budget import Budget
from logview.archive import turns
from logview.archive.archive import Archive
from logview.archive.coverage import query_key
from logview.archive import identity_of
from logview.archive.turns import ProcessTurn
from logview.demo import DemoServer, DemoState, Fault
from logview.model import Filters

from test_archive_meanwhile import in_another_process
from test_archive_sync import KINDS, Run, assert_newest_first, server_ids


@pytest.fixture
def archive(tmp_path):
    with Archive.open(tmp_path / "archive.sqlite3") as opened:
        yield opened


def waiting_said(run: Run) -> bool:
    return any(getattr(event, "kind", None) == "waiting" for event in run.others)


def slow_pages(state: DemoState) -> None:
    """Every page from now on answered after 50 ms: the hole's pages take the holder longer than the
    other's first request, so the two meet at the hole however the machine schedules their threads
    (on a busy one, a holder of seven quick pages was done before the other asked: no one waited)."""
    state.add_fault(Fault(kind="latency", delay=0.05, count=1000))


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_two_processes_at_one_hole_fetch_it_once(kind, archive):
    """A launch that stopped at 2 pages, then two processes at once: each asks what is newer than the
    archive, one fetches the hole below it, the other waits (and says so), then shows it from the
    archive. Each shows the server's entries, each once, newest first."""
    state = DemoState(aitronos_entries=1500, supermetrics_entries=1500, live_rate=0.0, seed=31)
    with DemoServer(state) as server:
        await Run(server, archive, kind, page_limit=100).backfill(stop_after_pages=2)
        slow_pages(state)
        here = Run(server, archive, kind, page_limit=100)
        _, there = await asyncio.gather(here.backfill(), in_another_process(server, archive, kind, page_limit=100))
        for run in (here, there):
            assert sorted(run.ids) == sorted(server_ids(state, kind))
            assert_newest_first(run.shown)
            assert run.total == (1500 if kind == "aitronos" else None)
        # 13 pages below the archive fetched once between the two (about 30 requests when each fetched
        # them), each asking once what is newer, a page at the seam and one to be sure of the end
        assert here.requests + there.requests <= 13 + 2 + 2 + (kind == "supermetrics"), (here.requests, there.requests)
        assert waiting_said(here) or waiting_said(there)


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_a_turn_whose_process_archives_nothing_is_not_waited_for(kind, archive, monkeypatch):
    """Another process holds the turn, archives nothing and never says its fetch is under way (it is
    suspended, ctrl+z, or stuck): the backfill says it waits, then goes on without it once
    `STALLED_AFTER_S` has passed, and fetches the range itself."""
    monkeypatch.setattr(turns, "STALLED_AFTER_S", 0.5)
    state = DemoState(aitronos_entries=500, supermetrics_entries=500, live_rate=0.0, seed=32)
    with DemoServer(state) as server:
        source, _ = KINDS[kind](server, page_limit=100)
        where = archive.source(identity_of(source)).where
        holder = ProcessTurn(where[0], (where[1], query_key(source.server_part(Filters()))))
        held, waited = await holder.take(progress=lambda: None)
        assert held != turns.NO_LOCK and not waited
        try:
            run = Run(server, archive, kind, page_limit=100)
            started = asyncio.get_running_loop().time()
            await asyncio.wait_for(run.backfill(), timeout=20)
            took = asyncio.get_running_loop().time() - started
        finally:
            holder.let_go(held)
        assert sorted(run.ids) == sorted(server_ids(state, kind)) and waiting_said(run)
        assert 0.5 <= took < 10  # (it waited for the stalled turn, not for good)


def with_a_budget_of_its_own(connect, limit: int, window_s: float):
    """`connect` (`support.aitronos`, `supermetrics`) whose client paces itself by a budget of its own,
    as each logview process's does (`budgets.budget_for` is one a process: shared by these threads'
    event loops, which no budget can be), of `limit` requests a `window_s` (Supermetrics sends no
    reset: its published hour would be assumed)."""
    def connected(server, **options):
        source, client = connect(server, **options)
        client.budget = Budget(source.kind, host=server.url, limit=limit, window_s=window_s)
        return source, client
    return connected


def turn_files(archive) -> list[str]:
    return sorted(path.name for path in archive.path.parent.iterdir() if "-fetch-" in path.name)


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_the_turns_files_are_gone_once_both_processes_are_done(kind, archive):
    """The lock files live only while they are locked: after two processes took turns at a hole (one
    waited, on the `-waiting` twin), the archive's folder holds the archive alone. They were left,
    two empty files for each source and filter ever fetched."""
    state = DemoState(aitronos_entries=800, supermetrics_entries=800, live_rate=0.0, seed=34)
    with DemoServer(state) as server:
        await Run(server, archive, kind, page_limit=100).backfill(stop_after_pages=1)
        slow_pages(state)
        here = Run(server, archive, kind, page_limit=100)
        _, there = await asyncio.gather(here.backfill(), in_another_process(server, archive, kind, page_limit=100))
        assert waiting_said(here) or waiting_said(there)  # (both files were in use)
        assert sorted(here.ids) == sorted(there.ids) == sorted(server_ids(state, kind))
    assert turn_files(archive) == []


async def test_a_turn_taken_while_its_holder_removes_its_file_is_on_the_file_named(archive, monkeypatch):
    """A holder lets go (its file removed) between another's open of the file and its lock: that lock
    is on a file no longer named, which a third would not see; the turn is taken on the name's file."""
    holder = ProcessTurn(str(archive.path), ("source", "filter"))
    held, _ = await holder.take(progress=lambda: None)
    real_flock, raced = turns.fcntl.flock, []

    def flock_after_the_holder_let_go(descriptor, operation):
        if not raced:  # (the first open, of the holder's file: it lets go now)
            raced.append(os.fstat(descriptor).st_ino)
            holder.let_go(held)
        return real_flock(descriptor, operation)

    monkeypatch.setattr(turns.fcntl, "flock", flock_after_the_holder_let_go)
    taken, waited = await ProcessTurn(str(archive.path), ("source", "filter")).take(progress=lambda: None)
    monkeypatch.setattr(turns.fcntl, "flock", real_flock)
    try:
        assert raced and not waited
        assert os.fstat(taken).st_ino == os.stat(holder.path).st_ino  # (the file named, not the one removed)
        assert ProcessTurn(str(archive.path), ("source", "filter")).held_elsewhere()  # (a third sees it held)
    finally:
        holder.let_go(taken)
    assert turn_files(archive) == []


async def test_clearing_the_archive_removes_the_turns_files_a_killed_process_left_but_not_one_held(archive):
    """`kill -9` during a fetch leaves its file (the lock goes with the process): clearing everything
    removes it and its twin; a turn another process holds right now stays with it."""
    left = ProcessTurn(str(archive.path), ("source", "left by a killed process"))
    left.path.touch()
    left.waiting_path.touch()
    holder = ProcessTurn(str(archive.path), ("source", "fetching now"))
    held, _ = await holder.take(progress=lambda: None)
    try:
        archive.clear()
        assert turn_files(archive) == [holder.path.name]
    finally:
        holder.let_go(held)
    assert turn_files(archive) == []


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_a_turn_paced_slower_than_the_stall_rule_is_waited_for_and_nothing_is_fetched_twice(
        kind, archive, monkeypatch):
    """A budget so tight that a page comes less often than `STALLED_AFTER_S` (Supermetrics' hourly
    budgets: minutes a page): the holder archives nothing for longer than that between its pages, yet
    it is not stalled, it keeps its pace, and says so. The other waits for it, and no page of the hole
    is downloaded twice: the other took the holder for stalled, and each downloaded the pages below at
    half the pace each (15 pages answered where 9 would do)."""
    monkeypatch.setattr(turns, "STALLED_AFTER_S", 0.3)
    monkeypatch.setattr(turns, "OTHER_PROCESS_POLL_S", 0.05)
    monkeypatch.setitem(test_archive_sync.KINDS, kind, with_a_budget_of_its_own(KINDS[kind], 2, 1.0))
    state = DemoState(aitronos_entries=700, supermetrics_entries=700, live_rate=0.0, seed=35,
                      budget={kind: "2/1"})  # (a request each 0.5 s: longer than the stall rule's 0.3)
    with DemoServer(state) as server:
        await Run(server, archive, kind, page_limit=100).backfill(stop_after_pages=2)
        state.answered.clear()
        here = Run(server, archive, kind, page_limit=100)
        _, there = await asyncio.gather(here.backfill(), in_another_process(server, archive, kind, page_limit=100))
        for run in (here, there):
            assert sorted(run.ids) == sorted(server_ids(state, kind))
        assert waiting_said(here) or waiting_said(there)
        # (the 5 pages below the archive downloaded once, each process asking once what is newer, a page
        # at the seam and one to be sure of the end; the 429s two processes meet on one key are not pages)
        pages = [answer for answer in state.answered.answers() if answer.status == 200]
        assert len(pages) <= 5 + 2 + 2 + (kind == "supermetrics"), "\n".join(answer.path[-50:] for answer in pages)


async def nothing() -> None:
    """A flush with nothing to archive."""


async def test_a_gap_that_finds_the_turn_free_keeps_it_so_no_other_process_takes_it_before_its_own_try(archive):
    """The gap used to look whether another process held the turn (trying for it and letting go at
    once), then try again in `turn`: another process could take it in between, and the gap waited
    for it without saying so (two processes at once at load: neither said it waited). The try that
    finds the turn free now keeps it, and `turn` goes on with it; one that finds it held is the gap's
    cue to say it waits, and `turn` then waits for it."""
    gap = turns.FetchTurns(str(archive.path), ("source", "filter"))
    other = ProcessTurn(str(archive.path), ("source", "filter"))
    tried = gap.try_processes()
    assert tried is not None and tried != turns.NOT_TRIED
    assert other.held_elsewhere()  # (between the look and the turn, another process finds it taken)
    async with gap.turn(flush=nothing, progress=lambda: None, tried=tried) as waited:
        assert not waited and other.held_elsewhere()
    assert not other.held_elsewhere() and turn_files(archive) == []  # (let go of, its file removed)

    held, _ = await other.take(progress=lambda: None)
    assert gap.try_processes() is None  # (held by another process: the gap says it waits, then waits)

    async def let_go_soon() -> None:
        await asyncio.sleep(0.2)
        other.let_go(held)

    releasing = asyncio.create_task(let_go_soon())
    async with gap.turn(flush=nothing, progress=lambda: None, tried=None) as waited:
        assert waited and other.held_elsewhere()
    await releasing
    assert turn_files(archive) == []


async def test_a_gap_of_this_process_holding_the_turn_is_not_taken_for_another_process(archive):
    """While a tab's gap holds the turn (the lock on the file is this process's own), another gap of
    this process does not try for it (it would find it "held elsewhere" and say it waits for another
    logview): it waits for the tab's, in process, as before."""
    gap = turns.FetchTurns(str(archive.path), ("source", "filter"))
    async with gap.turn(flush=nothing, progress=lambda: None):
        assert gap.try_processes() == turns.NOT_TRIED
    assert turn_files(archive) == []
