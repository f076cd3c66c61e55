"""A search that raises in its thread (s29: a fault in the every-byte search did) is cleared and
said, where the viewer said '◌ searching …' for good over the last rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from logview.store.search import FileSearchJob, SearchJob
from test_ui_stats_while_reading import LINES, aitronos_rows
from ui_helpers import SIZE, file_app, kept_toasts, screen_text, wait_until


async def test_a_search_that_fails_is_cleared_and_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(self, cancelled=None) -> None:
        raise IndexError("index 3 is out of bounds")

    for job in (SearchJob, FileSearchJob):
        monkeypatch.setattr(job, "run", failing)
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        said = kept_toasts(app)
        await wait_until(pilot, lambda: len(viewer.store) == LINES and viewer.session.file_scanned == 1.0, 30)
        await pilot.press("slash", *"quota", "enter")
        await wait_until(pilot, lambda: said, said=lambda: screen_text(app).splitlines()[0])
        assert said == ["The search failed (IndexError: a fault in logview, please report it) and was cleared."]
        await wait_until(pilot, lambda: f"shown {LINES:,} " in screen_text(app).splitlines()[0],
                         said=lambda: screen_text(app).splitlines()[0])
        assert viewer.session.searching is None and viewer.filters.search is None
        assert "searching" not in screen_text(app)
