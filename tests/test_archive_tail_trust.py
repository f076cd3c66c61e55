"""What a tail's cycle may claim complete. One that starts from a head a broken server made up
(s17 D1): a Supermetrics viewer opened while the server sent random entries polled from the newest
of them; once healed, its first cycle claimed the archive complete from that made-up time on, the
made-up entry at the span's start included, so every later launch and export showed it (8,001 of
the server's 8,000). And one outpaced by what arrives while it pages (s18 W4): honest, it claims
what it fetched."""

from __future__ import annotations

import pytest

from datetime import datetime, timedelta, timezone

from logview.api.paging import EntriesLoaded, Notice
from logview.archive.rows import identity_of
from logview.archive.sync import ArchivedPager
from logview.demo import DemoServer, DemoState
from logview.model import ApiFailure, Filters
from logview.times import epoch_us, parse_api_time

from test_archive_sync import KINDS, Run, archive, server_ids  # noqa: F401 (archive: the fixture)


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_a_tail_from_a_made_up_head_claims_nothing_from_it(kind, archive):
    state = DemoState(aitronos_entries=300, supermetrics_entries=300, live_rate=0.0, seed=21)
    state.broken.set(["random_values"])  # from the first page on: the head is made up
    with DemoServer(state) as server:
        source, client = KINDS[kind](server, page_limit=100)
        async with client:
            pager = ArchivedPager(source, client, Filters(), archive.source(identity_of(source)))
            with pytest.raises(ApiFailure):  # (stopped as broken, as the viewer's banner says)
                async for _ in pager.backfill():
                    pass
            made_up_head = pager.tail.head.time
            assert made_up_head is not None
            state.broken.set([])
            # (a head made up newer than every real entry would leave the healed server nothing newer
            # to show: entries arrive, as they do, so that the cycle has something to claim past it)
            (state.insert_aitronos if kind == "aitronos" else state.insert_supermetrics)(3)
            found = [e for event in [x async for x in pager.poll()] if isinstance(event, EntriesLoaded)
                     for e in event.entries]
            await pager.flush()
        # the healed server's entries newer than the made-up head were shown, no more, no fewer
        field = "created_at" if kind == "aitronos" else "log_time"
        newer = {e["id"] for e in (state.aitronos_logs if kind == "aitronos" else state.supermetrics_logs)
                 if parse_api_time(e[field]) > made_up_head}
        assert newer and {e.id for e in found} == newer, (len(found), len(newer))
        relaunch = Run(server, archive, kind, page_limit=100)
        await relaunch.backfill()
        # … and the next launch shows the server's entries, none made up
        assert set(relaunch.ids) == server_ids(state, kind)
        assert archive.source(identity_of(source)).count() == len(server_ids(state, kind))


async def test_a_tail_cycle_outpaced_by_arrivals_claims_what_it_fetched(archive):
    """s18 W4: at 80 entries a second, a tail cycle whose pages waited on the budget found, at each
    offset, entries that had arrived meanwhile on top (newer than those it had taken), and pages
    moved down onto entries already taken. It said the server broke its contract, and neither that
    cycle nor the next claimed a span: the archive called stretches it held incomplete, and the
    next export fetched them again (29 requests for 2,735 entries held)."""
    state = DemoState(aitronos_entries=300, supermetrics_entries=0, live_rate=0.0, seed=22)
    with DemoServer(state) as server:
        source, client = KINDS["aitronos"](server, page_limit=10)
        async with client:
            pager = ArchivedPager(source, client, Filters(), archive.source(identity_of(source)))
            async for _ in pager.backfill():
                pass
            state.insert_aitronos(40)  # 4 pages: the cycle's own
            tail, fetch_page, pages = pager.tail, pager.tail._fetch_page, []
            moment = datetime.now(timezone.utc) + timedelta(seconds=1)

            async def arrivals_between_pages(*args):
                pages.append(args)
                if len(pages) in (2, 3):  # 25 arrive while it waits for each of these pages
                    for step in range(25):
                        state.insert_aitronos(1, at=moment + timedelta(milliseconds=len(pages) * 100 + step))
                async for event in fetch_page(*args):
                    yield event

            tail._fetch_page = arrivals_between_pages
            events = [event async for event in pager.poll()]
            await pager.flush()
        assert not [event for event in events if isinstance(event, Notice)]  # honest: nothing to say
        found = [entry for event in events if isinstance(event, EntriesLoaded) for entry in event.entries]
        archived = archive.source(identity_of(source))
        spans, held = archived.coverage(""), {entry.id for entry in archived.entries()}
        assert len(spans) == 1 and spans[0].start_us is None  # from the beginning …
        assert spans[0].end_us == max(epoch_us(entry.time) for entry in found)  # … to the newest fetched
        server = source.entries_from_raws(state.aitronos_logs)
        assert {entry.id for entry in server if spans[0].contains(epoch_us(entry.time))} <= held  # all held
        assert len(pages) > 6  # (the pages moved down onto entries taken were gone past, not stopped at)
