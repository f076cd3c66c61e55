"""A relaunch's first screen read before its pager exists (`archive/first_paint.py`), and the pager
built after it going on from those rows: against the demo server over real HTTP, the rows painted
first and the rows that follow are the server's set once each, with no request before the paint."""

from __future__ import annotations

import pytest

from logview.archive.archive import Archive
from logview.archive.first_paint import FirstPaint
from logview.archive.painted import FIRST_PAINT_ROWS
from logview.archive.rows import identity_of
from logview.archive.sync import ArchivedPager
from logview.demo import DemoServer, DemoState
from logview.model import Filters

from support import supermetrics
from test_archive_meanwhile import ViewerRun, rows_as_entries
from test_archive_sync import server_ids

ENTRIES = 2 * FIRST_PAINT_ROWS + 500  # (more than the first paint reads at once)


@pytest.fixture
def archived_demo(tmp_path):
    """A demo server whose entries a first launch archived whole, and that archive."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=ENTRIES, live_rate=0.0)) as server, \
            Archive.open(tmp_path / "archive.sqlite3") as archive:
        yield server, archive


async def first_launch(server: DemoServer, archive: Archive) -> None:
    run = ViewerRun(server, archive, "supermetrics", page_limit=1000)
    await run.backfill()
    assert sorted(run.ids) == sorted(server_ids(server.state, "supermetrics"))


def read(server: DemoServer, archive: Archive, filters: Filters | None = None, max_entries: int | None = None):
    source, _ = supermetrics(server, page_limit=1000)
    archived = archive.source(identity_of(source))
    return source, archived, FirstPaint.read(archived, source, filters or Filters(), max_entries=max_entries)


async def test_the_newest_archived_rows_are_read_for_the_first_paint_and_capped(archived_demo):
    server, archive = archived_demo
    await first_launch(server, archive)
    newest_first = [e["id"] for e in sorted(server.state.supermetrics_logs, key=lambda e: e["log_time"], reverse=True)]
    for cap, painted in ((None, FIRST_PAINT_ROWS), (50, 50)):
        _, _, first = read(server, archive, max_entries=cap)
        assert first.pending and first.spans and first.painting is not None and first.rows is not None
        assert first.rows.loaded == painted and first.rows.pages == 0 and first.rows.total is None
        shown = [entry.id for entry in rows_as_entries(first.rows)]
        assert sorted(shown) == sorted(newest_first[:painted])  # (the newest, whatever order their times tie in)


async def test_a_search_a_range_with_an_end_or_nothing_covered_paints_nothing_first(archived_demo):
    server, archive = archived_demo
    _, _, nothing = read(server, archive)
    assert nothing.spans == [] and nothing.rows is None and not nothing.pending  # (nothing archived yet)
    await first_launch(server, archive)
    newest = max(e["log_time"] for e in server.state.supermetrics_logs)
    for filters in (Filters(search="data"), Filters().with_time_range("", newest[:10])):
        first = read(server, archive, filters)[2]
        assert first.rows is None and not first.pending and first.painting is None, filters
        assert first.spans  # (read all the same: the backfill goes on from them)


async def test_an_archive_that_fails_paints_nothing_and_leaves_the_coverage_to_the_backfill(archived_demo):
    server, archive = archived_demo
    await first_launch(server, archive)
    source, archived, _ = read(server, archive)
    archive.close()  # (the file's connection gone under the reader)
    first = FirstPaint.read(archived, source, Filters(), max_entries=None)
    assert first.spans is None and first.rows is None and not first.pending


async def test_the_pager_built_after_the_paint_goes_on_from_its_rows(archived_demo):
    """The rows painted first are counted as shown; the rest of the archive follows them once, and
    the only request is the one for what is newer than the archive."""
    server, archive = archived_demo
    await first_launch(server, archive)
    source, archived, first = read(server, archive)
    assert first.rows is not None
    shown = [entry.id for entry in rows_as_entries(first.rows)]
    sent_before = len(server.state.request_log)
    _, client = supermetrics(server, page_limit=1000)
    async with client:
        pager = ArchivedPager(source, client, Filters(), archived, paint_columns=True, painted=first)
        assert pager.loaded == len(shown) and pager.count.from_archive == len(shown)
        assert len(server.state.request_log) == sent_before  # (nothing asked before the backfill)
        async for event in pager.backfill():
            if hasattr(event, "columns"):  # ArchivedRows
                shown += [entry.id for entry in rows_as_entries(event)]
            elif getattr(event, "entries", None):
                shown += [entry.id for entry in event.entries]
        await pager.flush()
    assert sorted(shown) == sorted(server_ids(server.state, "supermetrics"))  # every entry, once
    assert pager.count.from_archive == ENTRIES
    assert len(server.state.request_log) - sent_before <= 2
