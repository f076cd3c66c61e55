"""A server that breaks its contract, in the viewer (issue 16): loading stops with the violation
named in the banner, the rows it was right about stay, newest first, and the app never loops."""

from __future__ import annotations

from logview.demo import DemoServer, DemoState
from logview.files.columns import NO_TIME
from ui_helpers import FIXED_NOW, SIZE, make_app, screen_text, settle


def banner(app) -> str:
    return app.viewer.banner.plain() if app.viewer.banner.display else ""


def timed_newest_first(store) -> bool:
    times = store.span("time", store.head, store.tail)
    times = times[times != NO_TIME]
    return bool((times[:-1] >= times[1:]).all())


async def test_a_server_ignoring_its_cursor_is_named_in_the_banner_and_paging_stops() -> None:
    state = DemoState(aitronos_entries=0, supermetrics_entries=400, live_rate=0.0, now=FIXED_NOW, seed=5)
    state.broken.set(["cursor_ignored", "unordered"])
    with DemoServer(state) as server:
        app = make_app(server, "supermetrics", page_limit=100)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            text = banner(app)
            assert "✖ loading stopped: the server ignored the before cursor: 3 pages in a row" in text, text
            assert "CONTRACT_BROKEN" not in text and "paging stopped" not in text  # (logview's verdict, said once)
            assert "the rows already loaded stay visible" in text
            assert len(app.viewer.view) == 100 and timed_newest_first(app.viewer.store)
            assert len(state.request_log) == 4
            assert app.is_running


async def test_random_schema_valid_pages_end_with_the_violation_named_rows_newest_first_and_no_total_claimed() -> None:
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=5)
    state.broken.set(["random_values"])
    with DemoServer(state) as server:
        app = make_app(server, "aitronos", page_limit=100)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "the server's pages are not newest first" in banner(app)
            store = app.viewer.store
            assert len(store) >= 100 and timed_newest_first(store)  # kept where they belong, not where they came
            assert len(state.request_log) < 60
            # Past the server's total (random, 0 to 500: passed by page 6) it is not claimed: the
            # header read "loaded 700   total 382", the status line "700 of 382 (183%)"
            session = app.viewer.session
            assert session.phase == "error" and len(store) > session.backfill_total
            app.viewer.refresh_status()
            header = screen_text(app).splitlines()[0]
            assert f"loaded {len(store):,}" in header and "total" not in header, header
            assert session.total is None and session.pages_left() is None

