"""Snapshots of the main screens (pytest-textual-snapshot). Deterministic: a fixed demo dataset
(fixed clock and seed), the UTC time zone, fast retries, and the table focused (no blinking
input cursor). Update with `pytest tests/ui/test_ui_snapshots.py --snapshot-update`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from logview.demo import DemoServer, DemoState, Fault
from ui_helpers import FIXED_NOW, SIZE, make_app, screen_text, settle, wait_until


@pytest.fixture(scope="module")
def snap_demo() -> Iterator[DemoServer]:
    state = DemoState(aitronos_entries=400, supermetrics_entries=1200, live_rate=0.0, now=FIXED_NOW, seed=3)
    with DemoServer(state) as server:
        yield server


def test_loaded(snap_compare, snap_demo: DemoServer) -> None:
    assert snap_compare(make_app(snap_demo), terminal_size=SIZE, run_before=settle)


def test_filtered(snap_compare, snap_demo: DemoServer) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("3", "4")  # 4xx and 5xx, local
        await pilot.press("slash", *"reports", "enter")
        await settle(pilot)

    assert snap_compare(make_app(snap_demo, "supermetrics"), terminal_size=SIZE, run_before=run_before)


def test_detail_open(snap_compare, snap_demo: DemoServer) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("e", "enter")
        await pilot.pause()

    assert snap_compare(make_app(snap_demo), terminal_size=SIZE, run_before=run_before)


def test_error(snap_compare, snap_demo: DemoServer) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        snap_demo.state.add_fault(Fault(kind="html", status=502, count=6, api="aitronos"))
        await pilot.press("r")
        await settle(pilot)
        snap_demo.state.clear_faults()

    assert snap_compare(make_app(snap_demo), terminal_size=SIZE, run_before=run_before)


def test_empty_result(snap_compare, snap_demo: DemoServer) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"no such text anywhere", "enter")
        await settle(pilot)

    assert snap_compare(make_app(snap_demo, "supermetrics"), terminal_size=SIZE, run_before=run_before)


def test_histogram(snap_compare, snap_demo: DemoServer) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("left", "left", "left")
        await pilot.pause()

    assert snap_compare(make_app(snap_demo, "supermetrics"), terminal_size=SIZE, run_before=run_before)


def test_stats_panel(snap_compare, snap_demo: DemoServer) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(make_app(snap_demo), terminal_size=SIZE, run_before=run_before)


def test_merged_timeline(snap_compare, snap_demo: DemoServer) -> None:
    from logview.model import Filters
    from logview.options import ViewerOptions
    from logview.ui.app import LogViewApp
    from ui_helpers import FAST, connection

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        for _ in range(100):
            await settle(pilot)
            if all(viewer.session.phase == "complete" for viewer in app.viewers[:2]):
                break
            await pilot.pause(0.05)
        app.show_tab(2)
        # (merged once both sources are: a fixed 0.7 s pause caught '1 of 2 sources complete ·
        # loading 100 of 400' on a loaded machine)
        await wait_until(pilot, lambda: "2 sources merged" in screen_text(app), said=lambda: screen_text(app)[:400])
        # (and merged: the line says so from the tabs' states, the rows come on the merge's timer; a CI run
        # drew "2 sources merged" over "No entries.")
        merged, whole = app.viewers[2], len(app.viewers[0].store) + len(app.viewers[1].store)
        await wait_until(pilot, lambda: len(merged.view) == whole, said=lambda: screen_text(app)[:400])
        await settle(pilot)

    app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection(snap_demo, "aitronos")),
                     ViewerOptions(filters=Filters(), connection=connection(snap_demo, "supermetrics")), policy=FAST)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_connector_picker(snap_compare, snap_demo: DemoServer, monkeypatch) -> None:
    # (the toast a listing not shown 1 s after it was asked for gets is not in the picture: at load 15
    # the listing took longer, and the snapshot differed by it)
    monkeypatch.setattr("logview.ui.names.LISTING_SAID_AFTER_S", 60.0)
    from logview.demo import DEMO_SUPERMETRICS_KEY, DEMO_TEAM
    from logview.model import Filters
    from logview.options import Connection, ViewerOptions
    from logview.sources import SupermetricsSource
    from logview.ui.app import LogViewApp
    from ui_helpers import FAST

    source = SupermetricsSource(DEMO_TEAM, None, base_url=snap_demo.url)
    connection = Connection(source, DEMO_SUPERMETRICS_KEY, "supermetrics team 1 / (choose a connector)")
    app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection), policy=FAST)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_column_picker(snap_compare, snap_demo: DemoServer) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()

    assert snap_compare(make_app(snap_demo), terminal_size=SIZE, run_before=run_before)


# -- the same screens in an 80×24 terminal and a 120×30 split (issue 15) ---------------------
FITTED_SCREENS = {  # what is shown: the source, and the keys pressed (each waited for)
    "loaded": ("supermetrics", ()),
    "filtered": ("supermetrics", ("3", "4", "slash", *"reports", "enter")),  # the sidebar folded at 80
    "detail": ("aitronos", ("e", "enter")),  # over the whole table at 24 lines
    "histogram": ("supermetrics", ("h", "left", "left", "left")),
}


@pytest.mark.parametrize("size", [(80, 24), (120, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("shown", FITTED_SCREENS)
def test_fits(snap_compare, snap_demo: DemoServer, shown: str, size: tuple[int, int]) -> None:
    kind, keys = FITTED_SCREENS[shown]

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(make_app(snap_demo, kind), terminal_size=size, run_before=run_before)
