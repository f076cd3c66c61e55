"""Esc with the table focused while a big file's search runs (s27 walk #5): the search went on to its
end and was applied (~5 s on a million lines at load 5), where `/` Esc stops and clears it. Esc
stops it wherever the focus is, once nothing else (a field, a panel, the detail) takes the key."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from logview.store.search import FileSearchJob, SearchJob
from logview.ui.widgets.log_table import LogTable
from test_ui_stats_while_reading import LINES, aitronos_rows
from ui_helpers import SIZE, file_app, screen_text, wait_until


def held_searches(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Each search, in its thread, waits for the event before it runs (then sees it was cancelled)."""
    release = threading.Event()
    for job in (SearchJob, FileSearchJob):
        run = job.run
        monkeypatch.setattr(job, "run", lambda self, cancelled, run=run: (release.wait(30), run(self, cancelled))[1])
    return release


async def test_escape_with_the_table_focused_stops_a_search_under_way(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    release = held_searches(monkeypatch)
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            viewer = app.viewer
            await wait_until(pilot, lambda: len(viewer.store) == LINES and viewer.session.file_scanned == 1.0, 30)
            await pilot.press("slash", *"quota", "enter")
            await wait_until(pilot, lambda: viewer.session.searching is not None and isinstance(app.focused, LogTable))
            await pilot.press("escape")
            await wait_until(pilot, lambda: viewer.session.searching is None, said=lambda: screen_text(app))
            release.set()
            await wait_until(pilot, lambda: f"shown {LINES:,} " in screen_text(app).splitlines()[0],
                             said=lambda: screen_text(app).splitlines()[0])
            lines = screen_text(app).splitlines()
            under_search = lines[next(i for i, line in enumerate(lines) if line.startswith(" SEARCH")) + 1]
            assert viewer.filters.search is None and "quota" not in under_search.split("▕")[0], under_search
            await wait_until(pilot, lambda: not any(w.group == "search" and not w.is_finished for w in app.workers))
            assert viewer.filters.search is None and f"shown {LINES:,} " in screen_text(app).splitlines()[0]
    finally:
        release.set()
