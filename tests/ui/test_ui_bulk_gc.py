"""While a backfill loads, the cyclic collector runs its young collections rarely (they find
nothing in acyclic entries, and cost 0.2-0.3 s per 100k); the process's own thresholds come back
when the last backfill ends, whether it finished, failed or was replaced."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from logview.demo import DemoServer
from logview.model import Filters
from logview.ui.bulk_gc import BULK_THRESHOLD0, bulk_collection
from logview.ui.feed import Feed
from ui_helpers import SIZE, make_app, settle


@pytest.fixture
def usual_thresholds() -> Iterator[tuple[int, ...]]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*saved)


def test_overlapping_holds_put_the_thresholds_back_only_when_the_last_ends(usual_thresholds) -> None:
    first, second = bulk_collection(), bulk_collection()
    first.__enter__()
    assert gc.get_threshold() == (BULK_THRESHOLD0, 10, 10)
    second.__enter__()  # a new query's backfill starts before the replaced one has wound down
    first.__exit__(None, None, None)
    assert gc.get_threshold() == (BULK_THRESHOLD0, 10, 10)
    second.__exit__(None, None, None)
    assert gc.get_threshold() == usual_thresholds
    with pytest.raises(RuntimeError), bulk_collection():
        raise RuntimeError("a failed backfill")
    assert gc.get_threshold() == usual_thresholds


async def test_a_backfill_holds_the_collector_back_and_lets_it_go_at_the_end(
        fresh_demo: DemoServer, usual_thresholds, monkeypatch: pytest.MonkeyPatch) -> None:
    during: list[int] = []
    taken = Feed.on_feed_loaded

    def recording(feed: Feed, message: Feed.Loaded) -> None:
        if not message.live:
            during.append(gc.get_threshold()[0])
        taken(feed, message)

    monkeypatch.setattr(Feed, "on_feed_loaded", recording)
    app = make_app(fresh_demo, "supermetrics", page_limit=50)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.viewer.session.phase == "complete"
        assert during and during[0] == BULK_THRESHOLD0
        assert gc.get_threshold() == usual_thresholds


@pytest.fixture
def held_for_startup() -> Iterator[None]:
    """The collector held as `logview` holds it from its start; everything as it was after."""
    from logview.ui.bulk_gc import hold_for_startup, release_startup_hold

    was_enabled = gc.isenabled()
    hold_for_startup()
    assert not gc.isenabled()
    yield
    release_startup_hold(freeze=False)
    gc.unfreeze()
    if not was_enabled:
        gc.disable()


async def test_the_collector_held_from_the_start_comes_back_at_the_first_rows_with_start_up_frozen(
        demo: DemoServer, held_for_startup) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.viewer.store) > 0
        assert gc.isenabled()
        assert gc.get_freeze_count() > 10_000  # the modules, classes and widgets of the start-up


async def test_with_no_rows_to_draw_the_collector_comes_back_after_the_hold(
        tmp_path, held_for_startup, monkeypatch: pytest.MonkeyPatch) -> None:
    import logview.ui.app as app_module
    from logview.files.jsonl import source_for_kind
    from logview.options import ViewerOptions

    monkeypatch.setattr(app_module, "STARTUP_HOLD_S", 0.2)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    options = ViewerOptions(filters=Filters(), file=empty, file_source="supermetrics")
    app = app_module.LogViewApp(options, source=source_for_kind("supermetrics"), file_kind="supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.4)
        assert len(app.viewer.store) == 0
        assert gc.isenabled()


def test_a_viewer_that_never_starts_gives_the_collector_back(tmp_path) -> None:
    from logview.cli import main

    assert gc.isenabled()
    assert main(["--file", str(tmp_path / "missing.jsonl")]) != 0
    assert gc.isenabled()
