"""A search applied while a big file's fields are read (s21 walk #7): for ~6 s of a 1M read the
table showed every row under the search, the status line saying only "reading fields 25%": the
reading's words were returned before the search was looked at. Both are said now."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from logview.store.search import FileSearchJob, SearchJob
from test_ui_stats_while_reading import LINES, aitronos_rows
from ui_helpers import file_app, screen_text, wait_until


@pytest.mark.parametrize("size", [(160, 48), (120, 40), (100, 30), (80, 24)])
async def test_a_search_during_the_read_is_said_beside_the_reading(
        held_reading: threading.Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        size: tuple[int, int]) -> None:
    searched = threading.Event()  # (the search, in its thread, waits for the test to look)
    for job in (SearchJob, FileSearchJob):
        run = job.run
        monkeypatch.setattr(job, "run", lambda self, cancelled, run=run: (searched.wait(30), run(self, cancelled))[1])
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=size) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: len(viewer.store) == LINES and viewer.session.file_scanned == 1.0)
        await pilot.press("slash", *"quota", "enter")
        await wait_until(pilot, lambda: viewer.session.searching is not None)
        viewer.refresh_status()
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert re.search(r"◌ reading fields( · 0 of 30,000 \(0%\)| 0%) · searching … +shown 30,000", header), header
        searched.set()
        await wait_until(pilot, lambda: viewer.session.searching is None)
        viewer.refresh_status()
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert "searching" not in header and "reading fields" in header, header
        held_reading.set()
