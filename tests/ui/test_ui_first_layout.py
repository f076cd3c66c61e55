"""A launch lays the viewer's screen out at its size once, for its first paint: the Resize that
Textual's first layout sends the screen is one it is already fitted to. Fitted only then, it laid
out and painted the whole screen again (12–17 ms) just after a big file's first rows, ahead of the
rest of its lines (issue 14: the oldest entry reachable)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Size

from logview.ui.viewer import ViewerScreen
from test_ui_file_reload import demo_entries, write_entries
from ui_helpers import file_app, screen_text, settle


@pytest.mark.parametrize(("size", "narrow"), [((160, 48), False), ((100, 30), True)])
async def test_the_screen_is_fitted_to_the_terminal_before_its_first_layout(
        tmp_path: Path, monkeypatch, size: tuple[int, int], narrow: bool) -> None:
    """The Resize Textual's first layout sends the screen is one it is already fitted to (the
    sidebar folded below 120 columns from the first frame): it lays nothing out again."""
    laid_out_at: list[Size] = []
    original = ViewerScreen._refresh_layout

    def recording(self: ViewerScreen, size: Size | None = None, scroll: bool = False) -> None:
        if size is not None:  # (a layout at a size given: the screen shown, or resized)
            laid_out_at.append(size)
        original(self, size, scroll)

    monkeypatch.setattr(ViewerScreen, "_refresh_layout", recording)
    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(300, seed=3))
    app = file_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        viewer = app.viewer
        assert laid_out_at == [Size(*size)]
        assert viewer.has_class("-narrow") is narrow and viewer.sidebar.display is not narrow
        assert "shown 300" in screen_text(app)
        await pilot.resize_terminal(90, 30)  # (a real change of size is still taken)
        await pilot.pause()
        assert laid_out_at[-1] == Size(90, 30) and viewer.table.region.width == 90
