"""A tail that starts from a head a broken server made up (s17 D1): a Supermetrics viewer opened
while the server sent random entries polled from the newest of them; once healed, its first cycle
claimed the archive complete from that made-up time on, the made-up entry at the span's start
included, so every later launch and export showed it (8,001 of the server's 8,000)."""

from __future__ import annotations

import pytest

from logview.api.paging import EntriesLoaded
from logview.archive.rows import identity_of
from logview.archive.sync import ArchivedPager
from logview.demo import DemoServer, DemoState
from logview.model import ApiFailure, Filters

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
            found = [e for event in [x async for x in pager.poll()] if isinstance(event, EntriesLoaded)
                     for e in event.entries]
            await pager.flush()
        assert found  # the healed server's entries newer than the made-up head were shown …
        relaunch = Run(server, archive, kind, page_limit=100)
        await relaunch.backfill()
        # … and the next launch shows the server's entries, none made up
        assert set(relaunch.ids) == server_ids(state, kind)
        assert archive.source(identity_of(source)).count() == len(server_ids(state, kind))
