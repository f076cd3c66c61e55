"""Keys typed ahead act on what the keys before them opened, closed or moved, as when typed slowly: a
key whose action reads a size (a page of the table, of the detail, a search's match in the detail)
waited for no layout, and read the one before the last key's. `Enter PgDn` in one burst paged the
table by its height before the detail took part of it (rows the user never saw were passed over),
`b PgDn` by its height before the filter line came or went, `h Esc PgDn` by its height before the
histogram opened, and `/gmail⏎⏎n` did not go to the first match in the detail. On a loaded machine (load 12-19)
`Enter Enter PgDn` did not scroll the detail at all: its PgDn came before the pane had a height
(`test_ui_enter_ahead.py` holds that one; its failure needs the machine's timing, found again here
only by delaying Textual's messages at random: 4 runs of 60 before, none after).

The keys are sent as a terminal sends a burst: all of them in the driver's queue at once
(`test_ui_dialog_bursts.burst`); typed slowly, each is handled and laid out before the next."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from textual import events

import logview.ui.keys_in as keys_in
from logview.ui.app import LogViewApp
from test_ui_dialog_bursts import burst
from ui_helpers import SIZE, detail_text, file_app, kept_toasts, settle, table_lines

LINES = 300
SIZES = [SIZE, (80, 24)]  # (at 80×24 the detail covers the table: Enter opens it focused)


def write_file(path: Path) -> Path:
    """Entries one a second, newest first, each with an output taller than any screen: `gmail` in
    some of its lines (the tenth, the nineteenth …), for `/gmail` to find in the detail."""
    path.write_text("".join(json.dumps({
        "id": f"r{i}", "log_time": f"2025-11-15T11:{59 - i // 60 % 60:02d}:{59 - i % 60:02d}Z", "status": 200,
        "event": "data.page", "output": {f"k{j}": f"gmail {j}" if j % 9 == 0 and j else j for j in range(60)}}) + "\n"
        for i in range(LINES)))
    return path


async def typed_ahead(pilot, *keys: str) -> None:
    """`keys` in one burst, each handled to its end: a key a widget handles comes back to the app for
    its binding, behind what `settle` waits for, and a test that ended meanwhile closed the app under
    it (ScreenStackError as the app ended, in a full run at load)."""
    app, in_hand = pilot.app, [0]
    handles = app.on_event

    async def counted(event) -> None:
        in_hand[0] += isinstance(event, events.Key)
        try:
            await handles(event)
        finally:
            in_hand[0] -= isinstance(event, events.Key)

    app.on_event = counted
    try:
        burst(app, *keys)
        await settle(pilot)
        idle = 0
        while idle < 3:  # (none in hand at three pauses in a row: none still on its way back)
            await pilot.pause()
            idle = idle + 1 if not in_hand[0] else 0
    finally:
        app.on_event = handles
    await pilot.wait_for_scheduled_animations()  # (the detail's keys scroll it smoothly)


def time_of(row: int) -> str:
    """The time the table shows on the row of entry `r{row}` (one a second, newest first)."""
    return f"11:{59 - row // 60:02d}:{59 - row % 60:02d}"


def rows_shown(app: LogViewApp) -> list[str]:
    """The times of the table's rows on screen, top first."""
    return [found[0] for line in table_lines(app)[1:] if (found := re.search(r"\d\d:\d\d:\d\d", line))]


def selected_id(app: LogViewApp) -> str:
    return app.viewer.selected_entry().id


async def test_enter_then_pgdn_pages_the_table_by_the_rows_shown_beside_the_detail(tmp_path: Path) -> None:
    app = file_app(write_file(tmp_path / "lines.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed_ahead(pilot, "enter", "pagedown")
        shown = rows_shown(app)
        assert len(shown) < 40  # (the detail under the table took part of its 45 rows)
        # the row after the last of the page the user saw beside the detail is selected, on screen (it
        # was r45, a page of the table before the detail opened: rows r20-r44 were passed over unseen)
        assert selected_id(app) == f"r{len(shown)}" and time_of(len(shown)) in shown
        assert detail_text(app).startswith(f"r{len(shown)}")


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_b_then_pgdn_pages_by_the_rows_shown_once_the_sidebar_moved(tmp_path: Path, size) -> None:
    """`b` hides the sidebar at 160 columns (its one-line summary takes a row of the table) and shows
    it at 80 (the summary gives its row back)."""
    app = file_app(write_file(tmp_path / "lines.jsonl"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await typed_ahead(pilot, "b", "pagedown")
        shown = rows_shown(app)
        assert selected_id(app) == f"r{len(shown)}" and time_of(len(shown)) in shown


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_h_esc_then_pgdn_pages_by_the_rows_left_beside_the_histogram(tmp_path: Path, size) -> None:
    app = file_app(write_file(tmp_path / "lines.jsonl"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await typed_ahead(pilot, "h", "escape", "pagedown")
        assert app.viewer.histogram.display and app.focused is app.viewer.table
        shown = rows_shown(app)
        assert selected_id(app) == f"r{len(shown)}" and time_of(len(shown)) in shown


@pytest.mark.parametrize(("size", "enters"), [(SIZE, 3), ((80, 24), 2)], ids=["160x48", "80x24"])
async def test_a_search_then_n_in_the_detail_goes_to_its_first_match(tmp_path: Path, size, enters: int) -> None:
    """`/gmail⏎` `⏎⏎` (at 80×24 one Enter opens the detail focused) `n`: the first match's line at the
    detail's top; typed ahead, its lines were counted before the pane had a width, and n went nowhere."""
    app = file_app(write_file(tmp_path / "lines.jsonl"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await typed_ahead(pilot, "slash", *"gmail", *["enter"] * enters, "n")
        detail = app.viewer.detail
        assert app.focused is detail and detail_text(app).startswith("r0")
        top = detail_text(app).splitlines()[round(detail.scroll_y)]
        assert '"k9": "gmail 9"' in top, top


async def test_n_that_the_layout_wait_let_through_early_still_goes_to_the_first_match(tmp_path: Path, monkeypatch) -> None:
    """A key waits for the layout at most half a second (`layout_wait.py`): on a loaded machine (CI, s32)
    the `n` of `/gmail⏎⏎n` came before the detail had its first width, found no match at no width and
    said the match lay past what the pane shows. Here its wait runs out at once."""
    waits_for_layout = keys_in.layout_settled

    async def waits_until_n(screen) -> None:
        if not any(key == "n" for key in keys_seen):
            await waits_for_layout(screen)

    monkeypatch.setattr(keys_in, "layout_settled", waits_until_n)
    app = file_app(write_file(tmp_path / "lines.jsonl"))
    keys_seen: list[str] = []
    said = kept_toasts(app)
    handles = app.on_event

    async def on_event(event) -> None:
        if isinstance(event, events.Key):
            keys_seen.append(event.key)
        await handles(event)

    app.on_event = on_event
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await typed_ahead(pilot, "slash", *"gmail", "enter", "enter", "n")
        detail = app.viewer.detail
        assert app.focused is detail and detail_text(app).startswith("r0")
        top = detail_text(app).splitlines()[round(detail.scroll_y)]
        assert '"k9": "gmail 9"' in top and not said, (top, said)
