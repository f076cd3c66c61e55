"""A backfill that waited while another process archived the range below it does not fetch that
range again (`archive/meanwhile.py`), against the demo server over real HTTP: it shows the other
process's entries from the archive, each once, newest first, and fetches only what is still missing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.archive import meanwhile, turns
from logview.archive.archive import Archive
from logview.archive.coverage import Span
from logview.archive.meanwhile import LOOK_AFTER_S
from logview.archive.painted import ArchivedRows
from logview.demo import DemoServer, DemoState
from logview.jsonutil import load_json
from logview.model import Filters
from logview.times import epoch_us, from_epoch_us

from test_archive_sync import KINDS, Run, assert_newest_first, server_ids

WAIT_S = LOOK_AFTER_S + 0.1  # (a wait as long as a gap's fetch goes without looking: it looks at once after)


def rows_as_entries(rows: ArchivedRows) -> list[SimpleNamespace]:
    """The viewer's archived rows as what `Run` keeps of an entry: its id and time."""
    raws = rows.reader.raw(list(rows.columns.rowid))
    return [SimpleNamespace(id=load_json(raw)["id"], time=from_epoch_us(int(moment)))
            for raw, moment in zip(raws, rows.columns.time_us)]


class ViewerRun(Run):
    """`Run` as the viewer pages: archived stretches come as columns (`ArchivedRows`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.painted = 0

    def pager_options(self) -> dict:
        return {"paint_columns": True}

    def note_other(self, event) -> bool:
        if not isinstance(event, ArchivedRows):
            return False
        entries = rows_as_entries(event)
        self.painted += len(entries)
        self.shown = sorted(self.shown + entries, key=lambda e: e.time, reverse=True)
        return True


@pytest.fixture(autouse=True)
def turns_stall_soon(monkeypatch):
    """The process whose backfill waits here (`between_pages`) holds its turn at the range meanwhile
    (`archive/turns.py`), as one waiting for a budget's reset does: the other process waits for it
    only until it has archived nothing for this long, on a compressed clock (10 s a real one)."""
    monkeypatch.setattr(turns, "STALLED_AFTER_S", 0.3)


@pytest.fixture
def archive(tmp_path):
    with Archive.open(tmp_path / "archive.sqlite3") as opened:
        yield opened


async def in_another_process(server: DemoServer, archive: Archive, kind: str, *, stop_after_pages: int | None = None,
                             **options) -> Run:
    """Another logview's backfill on the same archive file: its own connection and event loop, here in
    a thread (its turns at a range are another process's: `archive/turns.py`)."""
    async def backfill() -> Run:
        with Archive.open(archive.path) as second:
            other = Run(server, second, kind, **options)
            await other.backfill(stop_after_pages=stop_after_pages)
            return other
    return await asyncio.to_thread(asyncio.run, backfill())


def another_process_fills(server: DemoServer, archive: Archive, kind: str, *, at_page: int, **options):
    """`between_pages` for a run: once it has `at_page` pages, it waits, and meanwhile another
    logview on the same archive file backfills the whole range."""
    done: list[Run] = []

    async def meanwhile(pager) -> None:
        if pager.pages == at_page and not done:
            await pager.flush()  # (its pages so far archived, as they are once it waits)
            done.append(await in_another_process(server, archive, kind, page_limit=100, **options))
            await asyncio.sleep(WAIT_S)
    return meanwhile, done


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
@pytest.mark.parametrize("runner", [Run, ViewerRun], ids=["entries", "columns"])
async def test_what_another_process_archived_during_a_wait_is_shown_and_not_fetched_again(kind, runner, archive):
    state = DemoState(aitronos_entries=1500, supermetrics_entries=1500, live_rate=0.0, seed=23)
    with DemoServer(state) as server:
        meanwhile, other = another_process_fills(server, archive, kind, at_page=3)
        waiting = runner(server, archive, kind, page_limit=100)
        await waiting.backfill(between_pages=meanwhile)
        assert other and set(other[0].ids) == server_ids(state, kind)  # (the other did fetch it all)
        assert sorted(waiting.ids) == sorted(server_ids(state, kind))  # every entry, each once
        assert_newest_first(waiting.shown)
        # its three pages and the one it had asked for while it waited (the prefetch), not the 12 more
        assert waiting.requests <= 4
        assert waiting.total == (1500 if kind == "aitronos" else None)  # the server's count, nothing twice
        if runner is ViewerRun:
            assert waiting.painted >= 1000  # (as columns, read back from the archive)


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_a_wait_that_another_process_filled_only_in_part_fetches_the_rest(kind, archive):
    """The other process fetched a stretch below the waiting backfill and stopped (its user
    quit): the waiting one shows that stretch from the archive and fetches only what is below it."""
    state = DemoState(aitronos_entries=1500, supermetrics_entries=1500, live_rate=0.0, seed=24)
    with DemoServer(state) as server:
        stopped_early: list[Run] = []

        async def meanwhile(pager) -> None:
            if pager.pages == 3 and not stopped_early:
                await pager.flush()  # (the head's request, then five below)
                stopped_early.append(await in_another_process(server, archive, kind, page_limit=100, stop_after_pages=6))
                await asyncio.sleep(WAIT_S)

        waiting = Run(server, archive, kind, page_limit=100)
        state.clear_request_log()
        await waiting.backfill(between_pages=meanwhile)
        assert sorted(waiting.ids) == sorted(server_ids(state, kind))
        assert_newest_first(waiting.shown)
        assert waiting.total == (1500 if kind == "aitronos" else None)
        # 15 pages in all, 16 requests without the archive's help. The waiting run fetched its 3, one
        # prefetched while it waited, and the 7 the other did not reach, one more at the seam and one to be
        # sure of the end (Supermetrics one more: its short page is confirmed); not the 4 the other fetched.
        assert waiting.requests <= 3 + 1 + 7 + 1 + (kind == "supermetrics")
        later = Run(server, archive, kind, page_limit=100)
        await later.backfill()
        assert sorted(later.ids) == sorted(server_ids(state, kind)) and later.requests == 1  # (only the head)



@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
@pytest.mark.parametrize("runner", [Run, ViewerRun], ids=["entries", "columns"])
async def test_a_gap_begun_after_a_wait_looks_before_its_first_page(kind, runner, archive):
    """A relaunch paints the archive and asks what is newer; that request waits (a 429 of an hour,
    `r` pressed at last), and meanwhile another process fetches the rest. The hole below what was
    archived is then shown from the archive, without a page of it asked for."""
    state = DemoState(aitronos_entries=1500, supermetrics_entries=1500, live_rate=0.0, seed=26)
    with DemoServer(state) as server:
        await Run(server, archive, kind, page_limit=100).backfill(stop_after_pages=2)
        meanwhile_, other = another_process_fills(server, archive, kind, at_page=1)  # (the head's page)
        relaunch = runner(server, archive, kind, page_limit=100)
        await relaunch.backfill(between_pages=meanwhile_)
        assert other and sorted(relaunch.ids) == sorted(server_ids(state, kind))
        assert_newest_first(relaunch.shown)
        assert relaunch.requests <= 2  # (what is newer, and the page its prefetch asked for; not the 13 below)
        assert relaunch.total == (1500 if kind == "aitronos" else None)


async def two_tabs(server: DemoServer, state: DemoState, archive: Archive, kind: str, runner: type[Run] = Run,
                   searched_first: bool = False) -> tuple[Run, Run, set[str]]:
    """Two profiles of one connector side by side in one viewer, backfilled at once: one shows
    everything, the other a search it applies itself (begun first where `searched_first`); and the
    ids the second must show. Each has shown its entries, each once, newest first."""
    everything = runner(server, archive, kind, page_limit=100)
    local = {"aitronos": Filters(search="gmail"), "supermetrics": Filters(search="token")}[kind]
    searched = runner(server, archive, kind, page_limit=100, filters=local)
    tabs = [searched, everything] if searched_first else [everything, searched]
    await asyncio.gather(*(tab.backfill() for tab in tabs))
    assert sorted(everything.ids) == sorted(server_ids(state, kind))
    source, _ = KINDS[kind](server)
    raws = state.aitronos_logs if kind == "aitronos" else state.supermetrics_logs
    wanted = {e.id for e in source.entries_from_raws(raws) if source.matches(e, local)}
    assert sorted(searched.ids) == sorted(wanted) and wanted
    assert_newest_first(searched.shown)
    # (the tab that waited does not say it waits for another logview: the turn's holder is its own process)
    assert not [e for tab in tabs for e in tab.others if getattr(e, "kind", None) == "waiting"]
    return everything, searched, wanted


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_two_tabs_of_one_source_fetch_the_hole_below_the_archive_once(kind, archive):
    """Two profiles of one connector, their own filters applied locally (one shows errors), side by
    side in one viewer after a launch that stopped early: the second tab waits for the first's fetch
    of the hole below the archive and shows it from the archive, instead of asking for every page
    again (at a budget's pace the two asked for the same pages in turn)."""
    state = DemoState(aitronos_entries=1500, supermetrics_entries=1500, live_rate=0.0, seed=27)
    with DemoServer(state) as server:
        await Run(server, archive, kind, page_limit=100).backfill(stop_after_pages=2)
        everything, searched, _ = await two_tabs(server, state, archive, kind)
        # 13 pages below the archive fetched once between the two tabs (30-odd requests when each
        # fetched them), each tab asking once what is newer than the archive, a page at the seam and
        # one to be sure of the end (Supermetrics one more, its short page confirmed)
        assert everything.requests + searched.requests <= 13 + 2 + 2 + (kind == "supermetrics")

plans = st.fixed_dictionaries({
    "initial": st.integers(0, 450), "before": st.integers(0, 5),  # (pages an earlier launch fetched, 0: none)
    "wait_at": st.integers(1, 4), "other_pages": st.one_of(st.none(), st.integers(1, 6)),  # (None: all)
    "arrive": st.integers(0, 40), "errors_only": st.booleans(), "other_errors_only": st.booleans(),
    "columns": st.booleans(), "paint_first": st.booleans()})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans)
async def test_any_stretch_archived_during_any_wait_ends_at_the_servers_set_each_entry_once(
        tmp_path_factory, monkeypatch, plan):
    """Whatever an earlier launch left, wherever the wait falls, however much the other process
    fetches and under which server filter: the waiting run shows the server's set, each entry once."""
    monkeypatch.setattr(meanwhile, "LOOK_AFTER_S", 0.0)  # (it looks after every page: every seam is met)
    state = DemoState(aitronos_entries=plan["initial"], supermetrics_entries=0, live_rate=0.0, seed=plan["initial"])
    errors = Filters(statuses=["error"])
    with DemoServer(state) as server, Archive.open(tmp_path_factory.mktemp("a") / "a.sqlite3") as archive:
        if plan["before"]:
            await Run(server, archive, "aitronos", page_limit=30).backfill(stop_after_pages=plan["before"])
        state.insert_aitronos(plan["arrive"])  # (a hole above what the earlier launch archived)
        done: list[Run] = []

        async def meanwhile_(pager) -> None:
            if pager.pages == plan["wait_at"] and not done:
                await pager.flush()
                done.append(await in_another_process(server, archive, "aitronos", page_limit=30,
                                                     filters=errors if plan["other_errors_only"] else None,
                                                     stop_after_pages=plan["other_pages"]))

        runner = ViewerRun if plan["columns"] else Run
        filters = errors if plan["errors_only"] else None
        waiting = runner(server, archive, "aitronos", page_limit=30, filters=filters, paint_first=plan["paint_first"])
        await waiting.backfill(between_pages=meanwhile_)
        wanted = server_ids(state, "aitronos", "error" if plan["errors_only"] else None)
        assert sorted(waiting.ids) == sorted(wanted)
        assert_newest_first(waiting.shown)
        assert waiting.total in (None, len(wanted)) and set(waiting.totals) <= {None, len(wanted)}
        assert waiting.total == len(wanted)  # (the server's count, said once every part was reached)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans, cap=st.integers(1, 200))
async def test_a_capped_run_that_waited_shows_the_newest_entries_up_to_its_cap_each_once(
        tmp_path_factory, monkeypatch, plan, cap):
    """The same walks under `--max-entries`: the stretch shown from the archive counts against the
    cap as fetched entries do, and the run shows the newest entries, as many as the cap, each once."""
    monkeypatch.setattr(meanwhile, "LOOK_AFTER_S", 0.0)
    state = DemoState(aitronos_entries=plan["initial"], supermetrics_entries=0, live_rate=0.0, seed=plan["initial"])
    with DemoServer(state) as server, Archive.open(tmp_path_factory.mktemp("a") / "a.sqlite3") as archive:
        if plan["before"]:
            await Run(server, archive, "aitronos", page_limit=30).backfill(stop_after_pages=plan["before"])
        state.insert_aitronos(plan["arrive"])
        done: list[Run] = []

        async def meanwhile_(pager) -> None:
            if pager.pages == plan["wait_at"] and not done:
                await pager.flush()
                done.append(await in_another_process(server, archive, "aitronos", page_limit=30,
                                                     stop_after_pages=plan["other_pages"]))

        runner = ViewerRun if plan["columns"] else Run
        waiting = runner(server, archive, "aitronos", page_limit=30, max_entries=cap, paint_first=plan["paint_first"])
        await waiting.backfill(between_pages=meanwhile_)
        logs = sorted(state.aitronos_logs, key=lambda e: e["created_at"], reverse=True)
        assert len(waiting.ids) == len(set(waiting.ids))
        assert_newest_first(waiting.shown)
        # (what is newer than the archive comes on top even once its rows fill the cap: the store
        # lets the oldest go, `ArchivedPager._head`)
        kept = waiting.shown[:cap]
        assert len(kept) == min(cap, len(logs))
        if kept:  # (the newest: every entry newer than the oldest kept is kept)
            oldest = min(e.time for e in kept)
            newer = {e["id"] for e in logs if datetime.fromisoformat(e["created_at"].replace("Z", "+00:00")) > oldest}
            assert newer <= {e.id for e in kept}


def test_a_pages_entries_are_read_only_where_its_fetch_stops():
    """A typed page's entries are columns, made objects one by one when iterated: noting a page is
    given its oldest time and keeps the page, whose ids at that time are read at a stop alone."""
    class Counted(list):
        reads = 0

        def __iter__(self):
            Counted.reads += 1
            return super().__iter__()

    moment = datetime(2026, 12, 1, tzinfo=timezone.utc)
    clock = iter([0.0, 0.5, 2.0]).__next__
    watch = meanwhile.CoverageWatch(lambda: [Span(None, epoch_us(moment) + 10)], clock=clock)
    watch.gap(None, None)
    watch.note(Counted([SimpleNamespace(id="c", time=moment + timedelta(seconds=1)),
                        SimpleNamespace(id="a", time=moment)]), moment)
    assert watch.covered() is None  # (half a second: not yet time to look)
    watch.note(Counted([SimpleNamespace(id="b", time=moment)]), moment)  # (the time goes on in the next page)
    assert Counted.reads == 0
    stopped = watch.covered()
    assert stopped is not None and stopped.oldest_us == epoch_us(moment) and stopped.received == {"a", "b"}


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
@pytest.mark.parametrize("searched_first", [False, True], ids=["search-waits", "all-waits"])
async def test_two_tabs_of_one_source_on_a_first_launch_fetch_the_range_once(kind, searched_first, archive):
    """Two profiles of one connector side by side on a launch with nothing archived: the second tab
    waits for the first's fetch of the whole range, then walks it from the archive as a launch would
    then (as columns where it searches nothing), asking only what is newer: each asked for every page
    before (30-odd requests)."""
    state = DemoState(aitronos_entries=1500, supermetrics_entries=1500, live_rate=0.0, seed=28)
    with DemoServer(state) as server:
        everything, searched, _ = await two_tabs(server, state, archive, kind, ViewerRun, searched_first)
        waited = everything if searched_first else searched
        assert waited.requests == 1 and waited.painted == (1500 if searched_first else 0)
        assert everything.total == (1500 if kind == "aitronos" else None)  # (the server's count, from its pages or the archive)
        # 15 pages fetched once, one more to be sure of the end (Supermetrics one more, its short page
        # confirmed), and the second tab's one request for what is newer than the archive
        assert everything.requests + searched.requests <= 15 + 1 + 1 + (kind == "supermetrics"), \
            (everything.requests, searched.requests)
