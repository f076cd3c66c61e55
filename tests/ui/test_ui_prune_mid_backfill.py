"""`logview archive prune` while a viewer's backfill goes on (s30 walk #3): the prune removed the
newest-stored rows (a backfill stores newest first), SQLite gave their rowids to the viewer's next
pages, and the viewer, which addresses its rows by rowid, ended counting 600 fewer than it had
fetched, some of its rows reading back other entries. Rowids now only grow (`archive/rowid_top.py`)."""

from __future__ import annotations

import numpy as np

from logview.archive import Archive
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, screen_text, wait_until

ENTRIES = 1200


async def test_a_prune_beside_a_backfill_leaves_every_fetched_row_its_own_entry(tmp_path) -> None:
    state = DemoState(aitronos_entries=ENTRIES, supermetrics_entries=0, live_rate=0.0, seed=41,
                      budget={"aitronos": "4/1"})
    server_ids = {log["id"] for log in state.aitronos_logs}
    path = tmp_path / "archive.sqlite3"
    with DemoServer(state) as server, Archive.open(path) as archive, Archive.open(path) as other_process:
        app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection(server, "aitronos", page_limit=100)),
                         policy=FAST, archive=archive)
        async with app.run_test(size=SIZE) as pilot:
            viewer = app.viewer
            await wait_until(pilot, lambda: len(viewer.store) >= 400, timeout=20)
            assert viewer.session.phase == "loading"
            await wait_until(pilot, lambda: not getattr(viewer.feed.api.writer(), "behind", 0), timeout=10)
            pruned = other_process.prune(max_entries=100)
            assert pruned >= 100
            await wait_until(pilot, lambda: viewer.session.phase == "complete" and not viewer.feed.archiving,
                             timeout=60, said=lambda: screen_text(app).splitlines()[0])
            store = viewer.store
            assert len(store) == ENTRIES, screen_text(app).splitlines()[0]
            read_back = store.entries(np.arange(len(store)))
            kept = [entry.id for entry in read_back if not entry.invalid]
            gone = [entry for entry in read_back if entry.invalid]
            assert len(kept) == len(set(kept)) and set(kept) <= server_ids  # (no entry read back twice)
            assert len(gone) == pruned and all("no longer in the archive" in entry.invalid for entry in gone)
