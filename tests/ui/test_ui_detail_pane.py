"""The detail pane scrolls — by keys when focused, by the wheel when hovered — so every field of a
long entry can be read at any terminal size, and an error entry shows its error without scrolling."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from textual import events
from textual.pilot import Pilot

from logview.demo import DemoServer, DemoState
from logview.ui.app import LogViewApp
from ui_helpers import FIXED_NOW, make_app, screen_text, settle

SIZES = [(160, 48), (90, 30), (200, 50)]  # the usual, a small terminal, and the side-by-side layout
ERROR_MESSAGE = ("Upstream refused the request: quota for project acme-analytics exhausted until the next "
                 "billing cycle, ask an administrator to raise it")
LAST_OUTPUT = "OUTPUT-LAST-ROW"
LAST_METADATA = "METADATA-LAST-VALUE"


def long_entry() -> dict:
    """An error entry far taller than the pane: 80 inputs, then a long output and metadata."""
    return {
        "id": "log_long_entry", "created_at": "2025-11-15T11:59:59.000Z", "organization_id": "org_demo",
        "user_id": "usr_1", "credential_id": "tcred_long", "connector": "gmail", "tool": "gmail.send_email",
        "status": "error", "duration_ms": 812,
        "error": {"code": "QUOTA_EXCEEDED", "message": ERROR_MESSAGE},
        "inputs": {f"k{i}": i for i in range(80)},
        "output": {"rows": [f"row {i}" for i in range(12)], "last": LAST_OUTPUT},
        "metadata": {**{f"m{i}": f"value {i}" for i in range(8)}, "last": LAST_METADATA},
    }


@pytest.fixture(scope="module")
def long_demo() -> Iterator[DemoServer]:
    """A few ordinary entries and, newest (first row), the long one; tests only read it."""
    state = DemoState(aitronos_entries=20, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=7)
    state.insert_raw("aitronos", [(FIXED_NOW - timedelta(seconds=1), long_entry())])
    with DemoServer(state) as server:
        yield server


def pane_view(app: LogViewApp) -> str:
    """The part of the screen inside the detail pane's border, as the user sees it."""
    region = app.viewer.detail.scrollable_content_region
    rows = screen_text(app).splitlines()[region.y:region.bottom]
    return "\n".join(row[region.x:region.right] for row in rows)


def squashed(text: str) -> str:
    return " ".join(text.split())


def fields_seen(view: str) -> set[str]:
    """Which of the far-down parts of the long entry this view shows."""
    found = set()
    if '"k79": 79' in view:
        found.add("k79")
    for label in ("output", "metadata"):
        if re.search(rf"^\s*{label}\s", view, re.MULTILINE):  # the field's label, not a word in a value
            found.add(label)
    for marker in (LAST_OUTPUT, LAST_METADATA):
        if marker in view:
            found.add(marker)
    return found


EVERY_FIELD = {"k79", "output", "metadata", LAST_OUTPUT, LAST_METADATA}


async def open_long_entry(pilot: Pilot, app: LogViewApp, *, focus: bool = True) -> None:
    await settle(pilot)
    assert app.viewer.selected_entry().id == "log_long_entry"  # type: ignore[union-attr]
    await pilot.press("enter")  # opens the pane
    if focus:
        await pilot.press("enter")  # focuses it
    await pilot.pause()
    assert app.viewer.detail.display and (app.focused is app.viewer.detail) == focus
    assert "log_long_entry" in pane_view(app)
    assert not fields_seen(pane_view(app)) & {"k79", LAST_METADATA}, "the entry must not fit: the test needs it long"


def send_key(app: LogViewApp, key: str) -> None:
    """One key as the terminal driver delivers it. (`Pilot.press` waits for the process to idle
    after every key: a hundred line steps would take many seconds, more on a busy machine.)"""
    app.post_message(events.Key(key, key if len(key) == 1 else None))


def send_wheel_down(app: LogViewApp) -> None:
    """One wheel notch over the pane as the driver delivers it: a screen position, routed to
    whatever widget is under it."""
    x, y = app.viewer.detail.region.x + 4, app.viewer.detail.region.y + 3
    app.post_message(events.MouseScrollDown(None, x, y, 0, 1, 0, False, False, False, screen_x=x, screen_y=y))


async def moved_from(pane, scroll_y: float, timeout: float = 5.0) -> None:
    """Wait for the pane to scroll away from `scroll_y`. (Polled in short sleeps: `Pilot.pause`
    costs tens of milliseconds, and a long entry is stepped through line by line.)"""
    for _ in range(int(timeout / 0.002)):
        if pane.scroll_y != scroll_y:
            return
        await asyncio.sleep(0.002)
    raise AssertionError(f"the pane did not move from line {scroll_y}")


async def scroll_through(pilot: Pilot, app: LogViewApp, send_one: Callable[[], None]) -> set[str]:
    """Send inputs one at a time until the pane is at its end; which fields the views on the way
    showed. No step may move more than a pane's height, and the view is read before a pane's
    height has gone by, so no line passes unseen."""
    pane = app.viewer.detail
    height = pane.scrollable_content_region.height
    seen = fields_seen(pane_view(app))
    read_at = pane.scroll_y
    for _ in range(300):
        before = pane.scroll_y
        send_one()
        if before >= pane.max_scroll_y:  # at the end: one more input must not move anything
            await pilot.pause()
            assert pane.scroll_y == before
            return seen
        await moved_from(pane, before)
        assert 0 < pane.scroll_y - before <= height, f"one input jumped {pane.scroll_y - before} lines"
        if pane.scroll_y - read_at > height - 2 or pane.scroll_y >= pane.max_scroll_y:
            await pilot.pause()
            seen |= fields_seen(pane_view(app))
            read_at = pane.scroll_y
    raise AssertionError("the pane never reached its end")


async def back_to_top(pilot: Pilot, app: LogViewApp) -> None:
    await pilot.press("home")
    assert app.viewer.detail.scroll_y == 0 and pane_view(app).startswith("log_long_entry")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_way_of_scrolling_reaches_every_field(long_demo: DemoServer, size) -> None:
    app = make_app(long_demo)
    app.animation_level = "none"  # the same positions, reached without waiting for each line's animation
    async with app.run_test(size=size) as pilot:
        await open_long_entry(pilot, app, focus=False)
        pane = app.viewer.detail
        assert pane.show_vertical_scrollbar  # a scrollbar says there is more, and where we are
        assert pane.region.contains_region(pane.vertical_scrollbar.region)
        assert pane.vertical_scrollbar.region.height >= pane.scrollable_content_region.height
        # the wheel scrolls the pane under the mouse while the table keeps the focus
        seen = await scroll_through(pilot, app, lambda: send_wheel_down(app))
        assert seen == EVERY_FIELD, "wheel"
        assert LAST_METADATA in pane_view(app) and app.focused is app.viewer.table
        await pilot.press("enter")  # focuses the pane
        assert app.focused is app.viewer.detail
        await back_to_top(pilot, app)
        for key in ("down", "j", "pagedown"):
            seen = await scroll_through(pilot, app, lambda: send_key(app, key))
            assert seen == EVERY_FIELD, key
            assert LAST_METADATA in pane_view(app), f"{key} stops before the end"
            await back_to_top(pilot, app)
        for to_end, to_start in (("end", "home"), ("G", "g")):
            await pilot.press(to_end)
            bottom = pane_view(app)
            assert LAST_METADATA in bottom and "log_long_entry" not in bottom, to_end
            await pilot.press(to_start)
            top = pane_view(app)
            assert top.startswith("log_long_entry") and LAST_METADATA not in top, to_start
        assert app.viewer.table.cursor_row == 0 and app.focused is app.viewer.detail  # the keys moved the pane, not the table


async def test_up_keys_scroll_back_and_escape_still_closes(long_demo: DemoServer) -> None:
    app = make_app(long_demo)
    async with app.run_test(size=(90, 30)) as pilot:
        await open_long_entry(pilot, app)
        await pilot.press("end")
        await pilot.pause()
        for key in ("up", "k", "pageup"):
            before = app.viewer.detail.scroll_y
            shown = pane_view(app)
            await pilot.press(key)
            await pilot.pause()
            assert app.viewer.detail.scroll_y < before and pane_view(app) != shown, key
        await pilot.press("escape")
        assert not app.viewer.detail.display and app.focused is app.viewer.table


async def test_moving_the_table_cursor_shows_the_next_entry_from_its_top(long_demo: DemoServer) -> None:
    app = make_app(long_demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_long_entry(pilot, app, focus=False)
        for _ in range(10):
            send_wheel_down(app)
        await pilot.pause()
        assert app.viewer.detail.scroll_y > 0 and not pane_view(app).startswith("log_long_entry")
        await pilot.press("down")  # the table has focus: its cursor moves, the pane follows
        await pilot.pause()
        entry = app.viewer.selected_entry()
        assert entry is not None and entry.id != "log_long_entry"
        assert app.viewer.detail.scroll_y == 0
        assert pane_view(app).startswith(entry.id)  # the new entry's head line, at the top


async def test_an_error_entry_shows_its_error_without_scrolling(long_demo: DemoServer) -> None:
    app = make_app(long_demo)
    async with app.run_test(size=(90, 30)) as pilot:  # the fields above `error` fill this pane
        await open_long_entry(pilot, app, focus=False)
        assert app.viewer.detail.scroll_y == 0
        view = squashed(pane_view(app))
        assert f"QUOTA_EXCEEDED: {squashed(ERROR_MESSAGE)}" in view
        assert "gmail.send_email · 812 ms" in view


async def test_the_focused_pane_says_how_it_scrolls(demo) -> None:
    from ui_helpers import make_app, settle

    app = make_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert "Enter focuses" in str(app.viewer.detail.border_title)
        await pilot.press("enter")
        assert app.viewer.focused is app.viewer.detail
        assert "j k PgUp PgDn g G scroll" in str(app.viewer.detail.border_title)
        await pilot.press("escape")


async def test_escape_from_the_search_goes_back_to_the_focused_detail(demo) -> None:
    """`/` from the focused detail, then Esc: the focus went to the table, not back to the pane
    the user was reading (found in a walk). With the detail closed, it goes to the table."""
    app = make_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "enter")
        assert app.focused is app.viewer.detail
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert app.focused is app.viewer.detail and app.viewer.detail.display
        await pilot.press("escape", "escape")  # (the detail unfocused, then closed)
        await pilot.pause()
        assert not app.viewer.detail.display
        await pilot.press("d", "escape")
        await pilot.pause()
        assert app.focused is app.viewer.table
