"""Another logview fetching the same range into the archive (`archive/turns.py`): the viewer says on
its banner that it waits for it, and the words go once its rows come. Here the other holds the turn
and archives nothing (it waits for its budget, say), so the viewer goes on without it after
`STALLED_AFTER_S`, compressed."""

from __future__ import annotations

import pytest

from logview.archive import Archive, identity_of, turns
from logview.archive.coverage import query_key
from logview.archive.turns import ProcessTurn
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, screen_text, settle, wait_until

WAITING = "another logview is fetching this range into the archive"
SAID_WAITING = "◌ loading · waiting for another logview"  # (the status line's words, at 80 columns too)


@pytest.mark.parametrize(("kind", "size"), [("aitronos", SIZE), ("supermetrics", SIZE), ("aitronos", (80, 24))],
                         ids=["aitronos", "supermetrics", "aitronos-80x24"])
async def test_a_wait_for_another_logviews_fetch_is_said_until_the_rows_come(tmp_path, monkeypatch, kind, size) -> None:
    monkeypatch.setattr(turns, "STALLED_AFTER_S", 3.0)
    state = DemoState(aitronos_entries=300, supermetrics_entries=300, live_rate=0.0, seed=33)
    with DemoServer(state) as server, Archive.open(tmp_path / "archive.sqlite3") as archive:
        wired = connection(server, kind, page_limit=100)
        where = archive.source(identity_of(wired.source)).where
        other = ProcessTurn(where[0], (where[1], query_key(wired.source.server_part(Filters()))))
        held, _ = await other.take(progress=lambda: None)
        try:
            app = LogViewApp(ViewerOptions(filters=Filters(), connection=wired), policy=FAST, archive=archive)
            async with app.run_test(size=size) as pilot:
                await wait_until(pilot, lambda: WAITING in screen_text(app), said=lambda: screen_text(app)[:400])
                assert len(app.viewer.store) == 0  # (nothing asked of the API meanwhile)
                # (the status line too: it said "asking the API", which nothing was)
                await wait_until(pilot, lambda: SAID_WAITING in screen_text(app).splitlines()[0],
                                 said=lambda: screen_text(app).splitlines()[0])
                await wait_until(pilot, lambda: len(app.viewer.store) == 300)
                await settle(pilot)
                assert WAITING not in screen_text(app) and "all loaded" in screen_text(app)
        finally:
            other.let_go(held)


async def test_the_wait_is_said_while_the_live_tail_brings_rows(tmp_path, monkeypatch) -> None:
    """Found in a walk: a viewer with --follow waiting for an export's fetch of the range below its archived
    rows said "loading page 2 · 827 so far · 700 from the archive …" for the minute it waited: its live tail's
    rows, counted beside the archive's, took the place of "waiting for another logview"."""
    monkeypatch.setattr(turns, "STALLED_AFTER_S", 30.0)
    state = DemoState(aitronos_entries=300, supermetrics_entries=0, live_rate=0.0, seed=33)
    with DemoServer(state) as server, Archive.open(tmp_path / "archive.sqlite3") as archive:
        wired = connection(server, "aitronos", page_limit=100)
        first = LogViewApp(ViewerOptions(filters=Filters(), connection=wired, max_entries=100), policy=FAST,
                           archive=archive)
        async with first.run_test(size=SIZE) as pilot:  # (the newest 100 archived, the rest a gap below)
            await wait_until(pilot, lambda: first.viewer.session.phase == "complete")
            await settle(pilot)
        where = archive.source(identity_of(wired.source)).where
        other = ProcessTurn(where[0], (where[1], query_key(wired.source.server_part(Filters()))))
        held, _ = await other.take(progress=lambda: None)
        try:
            app = LogViewApp(ViewerOptions(filters=Filters(), connection=wired, follow=True, interval_s=0.3),
                             policy=FAST, archive=archive)
            async with app.run_test(size=SIZE) as pilot:
                await wait_until(pilot, lambda: WAITING in screen_text(app), said=lambda: screen_text(app)[:400])
                state.insert_aitronos(3)
                await wait_until(pilot, lambda: len(app.viewer.store) == 103, said=lambda: len(app.viewer.store))
                app.viewer.refresh_status()
                line = screen_text(app).splitlines()[0]
                assert "◌ 100 from the archive · waiting for another logview" in line and "page" not in line, line
        finally:
            other.let_go(held)
