"""The histogram's and the stats panel's keys typed before the panel's numbers are counted act once
they are (in the order typed): `h ← Enter` in one burst, or on a big file whose bars take a moment
to count, picked no bar and narrowed nothing, silently; `i ↓ Enter` filtered by nothing. The
counting is held here until the keys are in (`held_counting`), as a big file's is by its size."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from logview.ui.widgets import histogram as histogram_module, stats_panel as stats_module
from test_ui_dialog_bursts import burst
from ui_helpers import SIZE, file_app, screen_text, settle, table_lines

LINES = 300


def write_file(path: Path) -> Path:
    """Entries one a second over five minutes, newest first; every fifth a `gmail.x` event."""
    path.write_text("".join(json.dumps({
        "id": f"r{i}", "log_time": f"2025-11-15T11:{59 - i // 60:02d}:{59 - i % 60:02d}Z", "status": 200,
        "event": "gmail.x" if i % 5 == 4 else "data.page"}) + "\n" for i in range(LINES)))
    return path


@pytest.fixture
def held_counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """The panels' counting (in their worker threads) waits until the function yielded is called."""
    release = threading.Event()
    for module, name in ((histogram_module, "histogram"), (stats_module, "group_stats")):
        def held(*arguments, count=getattr(module, name), **keywords):
            release.wait(30)
            return count(*arguments, **keywords)
        monkeypatch.setattr(module, name, held)
    yield release.set
    release.set()


async def typed_before_the_numbers(pilot, release: Callable[[], None], *keys: str) -> None:
    burst(pilot.app, *keys)
    for _ in range(3):  # (each key from the terminal, then back from the panel for its binding)
        await pilot.pause()
    release()
    await settle(pilot)


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=lambda size: f"{size[0]}x{size[1]}")
async def test_a_bar_picked_and_chosen_before_the_bars_are_counted_narrows_the_dates(
        tmp_path: Path, held_counting, size) -> None:
    app = file_app(write_file(tmp_path / "lines.jsonl"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await typed_before_the_numbers(pilot, held_counting, "h", "left", "enter")
        viewer = app.viewer
        # the bar before the newest: a narrower range, without the newest entry (it was the whole file)
        assert viewer.filters.since is not None and 0 < len(viewer.view) < LINES
        assert viewer.store.entry(viewer.view.ordinal(0)).id != "r0"
        assert "11:59:59" not in screen_text(app)


async def test_a_row_picked_and_chosen_before_the_stats_are_counted_filters_by_it(tmp_path: Path,
                                                                                  held_counting) -> None:
    app = file_app(write_file(tmp_path / "lines.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed_before_the_numbers(pilot, held_counting, "i", "down", "enter")
        assert app.viewer.filters.event == "gmail.x"  # the second row (data.page, 240, is the first)
        rows = [line for line in table_lines(app)[1:] if line.strip()]
        assert rows and all("gmail.x" in line for line in rows)
        assert "shown 60" in screen_text(app)


async def test_keys_typed_for_a_panel_closed_again_are_dropped(tmp_path: Path, held_counting) -> None:
    """`h ← h`: the histogram opened and closed before its bars were counted; its ← goes with it (it
    moved the bar picked when the histogram was opened again)."""
    app = file_app(write_file(tmp_path / "lines.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await typed_before_the_numbers(pilot, held_counting, "h", "left", "h")
        assert not app.viewer.histogram.display and app.focused is app.viewer.table
        await pilot.press("h")
        await settle(pilot)
        histogram = app.viewer.histogram
        assert histogram.selected == int(histogram.data.totals.nonzero()[0][-1])  # the newest, as opened
