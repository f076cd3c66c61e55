"""A jump to the oldest or newest row typed alone acts at once, without waiting for the layout the
screen has been asked for (`layout_wait.LoneJumps`): a big file's lines found ask for a layout or
three (the scrollbar, the counts, the status line), and a `G` pressed just after them waited ~35 ms
for those before the table moved (`benchmarks/launch_timeline.py`, issue 14's oldest row). Typed in a
burst behind other keys, a jump still waits for the layouts they asked for, as every key does
(`test_ui_keys_ahead.py`).

The layout here takes as long as the test says: the wait for it (`layout_settled`) is held until let
go (a batch update would not hold it: the screen runs its callbacks at once while one is open)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

import logview.ui.keys_in as keys_in
from logview.ui.layout_wait import KEY_ALONE_AFTER_S
from test_ui_dialog_bursts import burst
from ui_helpers import SIZE, file_app, screen_text, settle, wait_until

LINES = 400
HELD_S = 0.3  # (how long a key that waits for the layout is seen not to act)


class HeldLayout:
    """`layout_settled` held until `let_go`, for the keys that wait for it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.going = asyncio.Event()
        self.going.set()
        settled = keys_in.layout_settled

        async def held(screen) -> None:
            await self.going.wait()
            await settled(screen)
        monkeypatch.setattr(keys_in, "layout_settled", held)

    def hold(self) -> None:
        self.going.clear()

    def let_go(self) -> None:
        self.going.set()


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps({
        "id": f"r{i}", "log_time": f"2025-11-15T{11 - i // 3600:02d}:{59 - i // 60 % 60:02d}:{59 - i % 60:02d}Z",
        "status": 200, "event": "data.page", "request": f"GET /row/{i}"}) + "\n" for i in range(LINES)))
    return path


async def rows_moved(app, row: int, within_s: float) -> float | None:
    """How long the table took to put its cursor on `row` (None: not within `within_s`). (Not
    `pilot.pause`: it waits for the app's messages, held behind a key that waits.)"""
    start = time.monotonic()
    while time.monotonic() - start < within_s:
        if app.viewer.table.cursor_row == row:
            return time.monotonic() - start
        await asyncio.sleep(0.01)
    return None


@pytest.mark.parametrize(("jump", "row"), [("G", LINES - 1), ("end", LINES - 1), ("g", 0), ("home", 0)])
async def test_a_jump_typed_alone_moves_the_table_while_the_layout_is_still_to_come(
        logs: Path, jump: str, row: int, monkeypatch) -> None:
    layout = HeldLayout(monkeypatch)
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.viewer.table
        if row == 0:  # (to jump back from)
            await pilot.press("G")
            await wait_until(pilot, lambda: table.cursor_row == LINES - 1)
        await pilot.pause(2 * KEY_ALONE_AFTER_S)  # (typed alone: well after the key before)
        layout.hold()
        burst(app, jump)
        try:
            took = await rows_moved(app, row, HELD_S)
        finally:
            layout.let_go()
        assert took is not None, f"{jump} waited for the layout: the cursor stayed on {table.cursor_row}"
        await settle(pilot)
        await pilot.pause()
        shown = screen_text(app)
        assert f"GET /row/{row}" in shown, shown  # (the row jumped to is on the screen once it is drawn)


@pytest.mark.parametrize("keys", [("j", "G"), ("j",)])
async def test_a_jump_typed_ahead_behind_another_key_and_any_other_key_wait_for_the_layout(
        logs: Path, keys: tuple[str, ...], monkeypatch) -> None:
    layout = HeldLayout(monkeypatch)
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.viewer.table
        await pilot.pause(2 * KEY_ALONE_AFTER_S)
        layout.hold()
        burst(app, *keys)  # (one read of the terminal: the G right behind the j)
        row = LINES - 1 if "G" in keys else 1
        try:
            took = await rows_moved(app, row, HELD_S)
        finally:
            layout.let_go()
        assert took is None, f"{keys[-1]} acted after {took:.3f} s, before the layout it waits for"
        await wait_until(pilot, lambda: table.cursor_row == row)  # (laid out: it acts)
        await settle(pilot)
        await pilot.pause()
        assert f"GET /row/{row}" in screen_text(app)
