"""A file's columns are read once the screen has drawn the lines found (`FileReading._wait_for_lines_shown`).

The frame that follows the lines found is the first that can show the oldest row (`G`); drawn while
the columns were read, it took turns at the interpreter with the reading and took twice as long (a
1M file: 24 ms of the UI thread's CPU in 55 ms, `benchmarks/launch_timeline.py`). The reading now
starts once that frame is out. Here that frame is made slow (a sleep, which lets the reading thread
run): the columns must not start before it ends."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.app import App

import logview.ui.file_reading as file_reading
from logview.ui.feed import Feed
from ui_helpers import SIZE, file_app, screen_text, settle

LINES = 3_000  # (~600 KB: lines beyond the first chunk read, found by the reading thread and posted)
SLOW_FRAME_S = 0.08


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps({
        "id": f"r{i}", "log_time": f"2025-11-15T{11 - i // 3600:02d}:{59 - i // 60 % 60:02d}:{59 - i % 60:02d}Z",
        "status": 500 if i % 7 == 0 else 200, "event": "data.page", "request": f"GET /row/{i}",
        "padding": "x" * 120}) + "\n" for i in range(LINES)))
    return path


async def test_the_columns_are_read_after_the_frame_that_shows_the_lines_found(logs: Path, monkeypatch) -> None:
    monkeypatch.setattr(file_reading, "LINES_SHOWN_WAIT_S", 30.0)  # (no cap: a loaded machine's frame comes late)
    seen: dict[str, float] = {}
    frames: list[tuple[float, float]] = []  # (start, end) of each frame written after the lines were taken

    taken = Feed.on_feed_lines_found

    def lines_taken(self, message) -> None:
        taken(self, message)
        seen.setdefault("lines taken", time.monotonic())
    monkeypatch.setattr(Feed, "on_feed_lines_found", lines_taken)

    display = App._display

    def slow_display(self, screen, renderable) -> None:
        start = time.monotonic()
        if "lines taken" in seen and not frames:
            time.sleep(SLOW_FRAME_S)  # (the interpreter let go: a reading beside it runs)
        display(self, screen, renderable)
        if "lines taken" in seen:
            frames.append((start, time.monotonic()))
    monkeypatch.setattr(App, "_display", slow_display)

    read_columns = file_reading.read_columns

    def columns_read(*args, **kwargs):
        seen.setdefault("columns begun", time.monotonic())
        yield from read_columns(*args, **kwargs)
    monkeypatch.setattr(file_reading, "read_columns", columns_read)

    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.viewer.session.phase == "complete" and len(app.viewer.store) == LINES
        assert frames and "columns begun" in seen, (seen, frames)
        first_frame_end = frames[0][1]
        assert seen["columns begun"] >= first_frame_end, (
            f"the columns began {first_frame_end - seen['columns begun']:.3f} s before the frame of the lines ended")
        await pilot.press("G")
        await settle(pilot)
        await pilot.pause()
        assert f"GET /row/{LINES - 1}" in screen_text(app)  # (the oldest row, reached)
