"""The config's retention never takes a row the viewer shows (s23 walk #2): it runs as the viewer
opens a source, before the first paint (and says what it took), not while the viewer loads; what
the load stores meanwhile goes at the next launch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import re
from datetime import datetime

import pytest
from textual.pilot import Pilot

from logview.archive import Archive, Retention, Span
from logview.archive.rows import identity_of
from logview.demo import DemoServer, DemoState
from logview.demo.state import Fault
from logview.model import Filters
from logview.options import ViewerOptions
from logview.times import epoch_us
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, detail_text, screen_text, settle, wait_until, widget_text

ENTRIES = 900
KEEP = 150  # the config's archive_max_entries
FIRST = 400  # what the first launch archives (it was capped there)


@pytest.fixture
def quiet_server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=ENTRIES, supermetrics_entries=0, live_rate=0.0, seed=23)) as server:
        yield server


def viewer_app(server: DemoServer, archive: Archive, max_entries: int | None = None) -> LogViewApp:
    options = ViewerOptions(filters=Filters(), connection=connection(server, "aitronos", page_limit=100),
                            **({} if max_entries is None else {"max_entries": max_entries}))
    return LogViewApp(options, policy=FAST, archive=archive)


def said(app: LogViewApp) -> str:
    """The banner's words, on one line (it folds them over several)."""
    return " ".join(widget_text(app.viewer.banner).split())


def status_line(app: LogViewApp) -> str:
    return screen_text(app).splitlines()[0]


def created(log: dict) -> datetime:
    return datetime.fromisoformat(log["created_at"].replace("Z", "+00:00"))


def identity(server: DemoServer):
    return identity_of(connection(server, "aitronos").source)


async def launch(server: DemoServer, path: Path, keep: int | None, *, cap: int | None = None,
                 then: Callable[[LogViewApp, Pilot], Awaitable[None]] | None = None) -> int:
    """One launch (a process of its own: its own archive), loaded to the end and settled, at 160×48,
    with the archive's retention keeping `keep`; `then` looks at it; returns what the archive holds after."""
    with Archive.open(path, retention=None if keep is None else Retention(max_entries=keep)) as archive:
        app = viewer_app(server, archive, max_entries=cap)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = screen_text(app)
            assert ("all loaded" if cap is None else f"capped at {cap}") in screen
            assert "no longer in the archive" not in screen
            if then is not None:
                await then(app, pilot)
        return archive.source(identity(server)).count()


async def test_rows_painted_from_the_archive_stay_readable_after_the_retention_runs(quiet_server, tmp_path) -> None:
    path = tmp_path / "archive.sqlite3"
    newest_first = sorted(quiet_server.state.aitronos_logs, key=lambda log: log["created_at"], reverse=True)
    assert await launch(quiet_server, path, None, cap=FIRST) == FIRST  # an earlier launch, stopped at 400 entries

    async def readable(app: LogViewApp, pilot: Pilot) -> None:
        screen = screen_text(app)
        assert f"shown {ENTRIES:,}" in screen and f"{KEEP:,} from the archive" in screen  # (pruned before the paint)
        assert (f"Archive retention (at most {KEEP:,} entries a source) dropped {FIRST - KEEP:,} older "
                "entries at launch, before showing any") in said(app)
        # the oldest row painted from the archive, and the oldest of all (fetched, archived, read
        # back): each still opens as the entry the server sent
        for keys, log in ((["j"] * (KEEP - 1), newest_first[KEEP - 1]), (["G"], newest_first[-1])):
            await pilot.press("g", *keys, "enter")
            await settle(pilot)
            detail = detail_text(app)
            assert log["id"] in detail and "no longer in the archive" not in detail, detail[:300]
            await pilot.press("escape")
            await settle(pilot)

    # the load stores everything it fetches (nothing pruned under the viewer) …
    assert await launch(quiet_server, path, KEEP, then=readable) == ENTRIES

    async def pruned_first(app: LogViewApp, pilot: Pilot) -> None:
        screen = screen_text(app)
        assert f"dropped {ENTRIES - KEEP:,} older entries" in said(app) and f"{KEEP:,} from the archive" in screen
        assert f"shown {ENTRIES:,}" in screen

    # … and the next launch prunes it, before painting
    assert await launch(quiet_server, path, KEEP, then=pruned_first) == ENTRIES


async def test_a_load_after_slivers_says_its_own_total_and_share_at_100_and_160_columns(tmp_path) -> None:
    """s23 walk #4/#5: seconds-long "complete" ranges an earlier pruning left far below the oldest
    entry kept made the next load fill the gaps between them one by one, the narrow status line
    cycling through each gap's "80% older" … "10% older" and the wide one saying only "so far".
    The launch drops them (they hold nothing), and the load is one fill with the server's total."""
    state = DemoState(aitronos_entries=3_000, supermetrics_entries=0, live_rate=0.0, seed=24)
    path = tmp_path / "archive.sqlite3"
    with DemoServer(state) as server:
        await launch(server, path, None, cap=300)
        newest_first = sorted(state.aitronos_logs, key=lambda log: log["created_at"], reverse=True)
        with Archive.open(path) as archive:
            archived = archive.source(identity(server))
            for at in range(400, 2_900, 250):  # between two entries the server holds: nothing in it
                low, high = (epoch_us(created(newest_first[at + 1])), epoch_us(created(newest_first[at])))
                if high - low > 2:
                    archived.cover(Span(low + 1, high - 1))
            assert len(archived.coverage("")) > 5
        state.add_fault(Fault(kind="latency", delay=0.4, count=60, api="aitronos"))  # (~11 s of fill)
        with Archive.open(path) as archive:
            app = viewer_app(server, archive)
            async with app.run_test(size=(100, 30)) as pilot:
                store = app.viewer.store
                await wait_until(pilot, lambda: len(store) >= 1_200, timeout=60, said=lambda: status_line(app))
                narrow = status_line(app)
                assert "older" not in narrow and re.search(r"\b\d+%", narrow), narrow  # (the load's share)
                await pilot.resize_terminal(*SIZE)
                await wait_until(pilot, lambda: "of 3,000 (" in status_line(app), timeout=30,
                                 said=lambda: status_line(app))
                await settle(pilot)
                assert "all loaded" in status_line(app) and len(store) == 3_000
            assert len(archive.source(identity(server)).coverage("")) == 1
