"""The banner on a small screen (s22 walk #4): at 80×24 a broken contract's message took 7 of the
24 lines and the table kept 12 rows. Now a message that would take more than a fifth of the
screen folds to what failed and its keys (`r retries`), `m` shows it all or folds it again, and
Escape with nothing else to do folds it; at 160×48 it is shown whole, `m folds` said. And the
viewer's words say what its table does with entries that came out of order (sorted), where
`export` keeps them where they came."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logview.demo import DemoServer, DemoState
from logview.model import ApiError
from ui_helpers import (FIXED_NOW, file_app, kept_toasts, make_app, screen_text, settle, table_lines, tail_fails,
                        wait_until)

SMALL, LARGE = (80, 24), (160, 48)


def broken_server(mode: str, *, aitronos: int = 0, supermetrics: int = 0) -> DemoServer:
    state = DemoState(aitronos_entries=aitronos, supermetrics_entries=supermetrics, live_rate=0.0, now=FIXED_NOW,
                      seed=5)
    state.broken.set([mode])
    return DemoServer(state)


def banner_rows(app) -> list[str]:
    """The banner's lines as on screen (empty when it is hidden)."""
    region = app.viewer.banner.region
    return [line[region.x:region.right] for line in screen_text(app).splitlines()[region.y:region.bottom]]


def words(rows: list[str]) -> str:
    """The banner's rows as one line of text (its left border and padding left out)."""
    return " ".join(row.lstrip("▌").strip() for row in rows)


async def failed(pilot) -> None:
    """Wait for the load to have failed for good, its banner drawn."""
    session = pilot.app.viewer.session
    await settle(pilot)
    await wait_until(pilot, lambda: session.phase == "error", said=lambda: session.phase)
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()  # (laid out again: the banner's rows and the table's)


def table_rows(app) -> int:
    return len([line for line in table_lines(app)[1:] if line.strip()])


async def test_a_broken_contract_folds_to_two_lines_at_80x24_and_m_or_escape_folds_and_unfolds_it() -> None:
    with broken_server("random_values") as server:
        app = make_app(server, "aitronos", page_limit=100)
        async with app.run_test(size=SMALL) as pilot:
            await failed(pilot)
            folded = banner_rows(app)
            assert len(folded) == 2, folded
            assert "✖ loading stopped: the server's pages are not newest first" in folded[0], folded  # (no code: logview's verdict)
            assert folded[1].startswith("▌ r retries · the rows already loaded stay visible"), folded
            assert folded[1].rstrip().endswith("m shows all"), folded
            rows_folded = table_rows(app)
            assert rows_folded >= 16  # (24 lines: header, filters, banner 2, table header, footer)

            await press(pilot, "m")
            whole = banner_rows(app)
            text = words(whole)
            assert len(whole) >= 5, whole
            assert "sorted newest first" in text and "kept where they came" not in text, text
            assert "r retries · the rows already loaded stay visible · m folds" in text
            assert table_rows(app) == rows_folded - (len(whole) - 2)

            await press(pilot, "m")
            assert len(banner_rows(app)) == 2 and table_rows(app) == rows_folded
            await press(pilot, "m", "escape")  # (Esc: no detail, input or wait to close: it folds)
            assert len(banner_rows(app)) == 2 and table_rows(app) == rows_folded

            await press(pilot, "enter")  # the detail open: Esc closes it, the banner stays as it is
            await press(pilot, "m")
            assert len(banner_rows(app)) >= 5
            await press(pilot, "escape")
            assert not app.viewer.browser.shown("detail") and len(banner_rows(app)) >= 5


async def test_at_160x48_the_whole_message_shows_and_m_folds_it() -> None:
    with broken_server("random_values", supermetrics=0) as server:
        app = make_app(server, "supermetrics", page_limit=100)
        async with app.run_test(size=LARGE) as pilot:
            await failed(pilot)
            whole = banner_rows(app)
            text = words(whole)
            assert 4 <= len(whole) <= 8, whole
            assert "the server ignored the before cursor" in text and "left out" in text
            assert text.endswith("r retries · the rows already loaded stay visible · m folds"), text
            rows_whole = table_rows(app)
            await press(pilot, "m")
            assert len(banner_rows(app)) == 2 and table_rows(app) == rows_whole + len(whole) - 2
            await pilot.resize_terminal(*SMALL)  # (the choice holds at another size)
            await pilot.pause()
            assert len(banner_rows(app)) == 2


async def test_a_short_message_is_never_folded_and_m_says_so(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, "aitronos", key="not-the-key")
    async with app.run_test(size=LARGE) as pilot:
        await failed(pilot)
        shown = banner_rows(app)
        assert len(shown) == 3 and "HTTP 401" in shown[0] and "r retries" in shown[2], shown  # (folded: 2)
        assert "m folds" not in words(shown) and "m shows all" not in words(shown)
        said = kept_toasts(app)  # (not "no message": one is shown, s23 walk #13)
        await press(pilot, "m")
        assert banner_rows(app) == shown
        assert any("The message above the table is short: it is shown whole" in note for note in said), said


async def test_a_failing_live_tail_folds_at_80x24_keeping_its_keys(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, follow=True, interval_s=60.0)
    async with app.run_test(size=SMALL) as pilot:
        await tail_fails(pilot, fresh_demo, 500)
        await pilot.pause()
        folded = banner_rows(app)
        assert len(folded) == 2, folded
        assert "live tail: HTTP 500" in folded[0]
        assert "polling again in" in folded[1] and "t stops the tail" in folded[1] and "m shows all" in folded[1]
        await press(pilot, "m")
        whole = banner_rows(app)
        assert len(whole) > 2 and "request id" in " ".join(whole)
        await press(pilot, "escape")
        assert len(banner_rows(app)) == 2


async def test_a_files_long_failure_folds_and_unfolds_with_m(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    entry = {"created_at": "2025-11-15T10:00:00Z", "status": "success", "tool": "gmail.send"}
    path.write_text("".join(json.dumps({"id": f"log_{n}", **entry}) + "\n" for n in range(50)))
    app = file_app(path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        failure = ApiError(code="READ_FAILED", message="the disk went away " * 6, detail="errno 5 " * 30)
        app.viewer.banner.show_failure(failure, context="reading the file", hint="r reads it again")
        await pilot.pause()
        folded = banner_rows(app)
        assert len(folded) == 2 and folded[1].startswith("▌ r reads it again") and "m shows all" in folded[1]
        await press(pilot, "m")
        assert len(banner_rows(app)) > 4
        await press(pilot, "m")
        assert len(banner_rows(app)) == 2


MODES = [("aitronos", mode) for mode in ("cursor_ignored", "unordered", "lying_totals", "random_values")] + \
        [("supermetrics", mode) for mode in ("cursor_ignored", "unordered", "random_values")]


@pytest.mark.parametrize(("kind", "mode"), MODES)
async def test_every_broken_mode_at_80x24_leaves_the_table_its_rows(kind, mode) -> None:
    """Whatever the server breaks, at 80×24 the banner takes at most a fifth of the lines (4), a
    failure keeps `r retries` in sight, and the table shows at least 15 rows."""
    entries = {"aitronos": 400 if kind == "aitronos" else 0, "supermetrics": 400 if kind == "supermetrics" else 0}
    with broken_server(mode, **entries) as server:
        app = make_app(server, kind, page_limit=100)
        async with app.run_test(size=SMALL) as pilot:
            session = app.viewer.session
            await settle(pilot)
            await wait_until(pilot, lambda: session.phase in ("error", "complete"), said=lambda: session.phase)
            await pilot.pause()
            shown = banner_rows(app)
            assert len(shown) <= 4, shown
            if session.phase == "error":
                assert "loading stopped: the server" in shown[0] and "r retries" in words(shown), shown
            assert table_rows(app) >= 15
