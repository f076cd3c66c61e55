"""Enter typed ahead after a filter key (`4⏎`, `/gmail⏎⏎`) while the file's fields are still read:
the filter left no row shown yet and the Enter was dropped (found in a walk). It opens the first
matching row's detail once that row is shown; on a table that stays empty, Enter says why."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from textual import events

from ui_helpers import SIZE, detail_text, file_app, kept_toasts, settle, wait_until

LINES = 3_000


def write_file(path: Path) -> Path:
    path.write_text("".join(json.dumps({
        "id": f"r{i}", "log_time": f"2025-11-15T{11 - i // 3600:02d}:{59 - i // 60 % 60:02d}:{59 - i % 60:02d}Z",
        "status": 503 if i % 7 == 3 else 200, "event": "gmail.x" if i % 5 == 4 else "data.page"}) + "\n"
        for i in range(LINES)))
    return path


async def test_enter_after_a_status_key_opens_the_first_matching_row(held_reading: threading.Event,
                                                                     tmp_path: Path) -> None:
    app = file_app(write_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        said = kept_toasts(app)
        await pilot.press("4", "enter")  # 5xx: the statuses are not read yet, no row is shown
        assert not len(app.viewer.view) and not app.viewer.detail.display
        held_reading.set()
        await settle(pilot)
        assert app.viewer.detail.display and detail_text(app).startswith("r3")  # the newest 503
        assert app.viewer.focused is app.viewer.table  # (one Enter: opened, not focused)
        assert not said, said  # (not "No entry to open")


async def test_two_enters_after_a_status_key_open_the_first_row_and_focus_its_detail(
        held_reading: threading.Event, tmp_path: Path) -> None:
    """Found in a walk: `2⏎⏎` typed ahead opened the detail, and the second Enter was lost."""
    app = file_app(write_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.press("4", "enter", "enter")
        assert not len(app.viewer.view) and not app.viewer.detail.display
        held_reading.set()
        await settle(pilot)
        assert app.viewer.detail.display and detail_text(app).startswith("r3")
        assert app.focused is app.viewer.detail or app.viewer.detail.has_focus_within


async def test_enter_on_a_table_that_stays_empty_says_why(tmp_path: Path) -> None:
    app = file_app(write_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = kept_toasts(app)
        await pilot.press("2", "enter")  # (3xx: none)
        await settle(pilot)
        assert not len(app.viewer.view) and not app.viewer.detail.display
        assert said == ["No entry to open: no row is shown."]
        await pilot.press("0")  # rows come back: the Enter said no, it does not wait for them
        await settle(pilot)
        assert len(app.viewer.view) == LINES and not app.viewer.detail.display


async def burst(pilot, *keys: str) -> None:
    """Keys that come in one read, as a terminal gives them typed ahead or pasted (`pilot.press`
    lets each be handled before the next)."""
    for key in keys:
        pilot.app.post_message(events.Key(key, {"slash": "/", "enter": "\r"}.get(key, key)))
    await settle(pilot)
    await pilot.pause(0.2)


async def test_a_search_and_two_enters_in_one_burst_open_the_first_match(tmp_path: Path) -> None:
    """`/gmail⏎⏎`: both Enters reached the search field before the first had moved the focus on,
    and the second, for the table, was lost in it (found in a walk)."""
    app = file_app(write_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "slash", *"gmail", "enter", "enter")
        assert len(app.viewer.view) == LINES // 5 and app.viewer.focused is app.viewer.table
        assert app.viewer.detail.display and detail_text(app).startswith("r4")  # the newest gmail.x


async def test_enter_on_the_search_unchanged_goes_back_to_the_table_only(tmp_path: Path) -> None:
    app = file_app(write_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "slash", *"gmail", "enter")
        await burst(pilot, "slash", "enter")  # (the field focused again: its Enter is its own)
        assert app.viewer.focused is app.viewer.table and not app.viewer.detail.display


async def test_enter_enter_pgdn_in_one_burst_scrolls_the_detail_not_the_table(tmp_path: Path) -> None:
    """Found in a walk: `Enter Enter PgDn` in one burst moved the table a page (2 of 3 tries) and
    opened the detail there, at its top; typed slowly, the second Enter focuses the detail and
    PgDn scrolls it. Every key is handed to the widget focused when the app reads it, so all
    three went to the table before the second Enter's focus moved."""
    path = write_file(tmp_path / "big.jsonl")
    newest, rest = path.read_text().split("\n", 1)
    path.write_text(json.dumps({**json.loads(newest), "output": {f"k{i}": i for i in range(80)}}) + "\n" + rest)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.viewer.table.cursor_ordinal
        await burst(pilot, "enter", "enter", "pagedown")
        detail = app.viewer.detail
        assert app.viewer.table.cursor_ordinal == first and detail_text(app).startswith("r0")
        # (scrolled once the pane has its height: at load 12 the look 0.2 s after the keys came first)
        await wait_until(pilot, lambda: detail.scroll_y > 0, said=lambda: (app.focused, detail.scroll_y))
        assert app.focused is detail and detail.scroll_y > 0


async def test_a_status_key_behind_the_searchs_enter_in_one_burst_toggles_the_status(tmp_path: Path) -> None:
    """`/gmail⏎4` in one read (a paste, a macro): 4 reached the field before the Enter had moved the
    focus on, went into it, and the applied search set the field back: 5xx was never picked (s19 #13)."""
    app = file_app(write_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "slash", *"gmail", "enter", "4", "G")
        matching = [i for i in range(LINES) if i % 5 == 4 and i % 7 == 3]
        assert app.viewer.filters.search == "gmail" and app.viewer.filters.statuses == ("5xx",)
        assert len(app.viewer.view) == len(matching) and app.viewer.focused is app.viewer.table
        assert app.viewer.table.cursor_row == len(matching) - 1  # (G too: the oldest match)
        assert app.viewer.sidebar.query_one("#search").value == "gmail"


async def test_a_date_that_does_not_parse_keeps_what_is_typed_behind_its_enter(tmp_path: Path) -> None:
    """The focus stays in a date field whose Enter found an error: keys behind it are typed there."""
    app = file_app(write_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst(pilot, "d", *"nonsense", "enter", "x", "y")
        since = app.viewer.sidebar.query_one("#since")
        assert app.focused is since and since.value == "nonsensexy"
