"""The palette's Screenshot saves where it can and says where (found by a tester): with no `~/Downloads` (an SSH
or server box) Textual's said "Failed to save screenshot", no path nor reason. The downloads folder where it
exists, else the current directory; the toast names the file, or says why none was saved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_ui_palette import one_entry_file, palette_titles
from ui_helpers import SIZE, file_app, kept_toasts, settle, toast_said


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of the test's own (no user-dirs.dirs: its downloads folder is `~/Downloads`), the current
    directory another folder."""
    home, here = tmp_path / "home", tmp_path / "here"
    home.mkdir()
    here.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.chdir(here)
    return home


async def screenshot_said(tmp_path: Path, part: str) -> str:
    app = file_app(one_entry_file(tmp_path))
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Screenshot" in await palette_titles(pilot, "Screenshot")
        await pilot.press("enter")
        return await toast_said(pilot, said, part)


async def test_without_a_downloads_folder_the_screenshot_is_saved_here_and_said(home: Path, tmp_path: Path) -> None:
    said = await screenshot_said(tmp_path, "creenshot")
    saved = list((tmp_path / "here").glob("*.svg"))
    assert len(saved) == 1 and "<svg" in saved[0].read_text(), said
    assert f"Saved the screenshot to {saved[0]}" in said and f"{home / 'Downloads'} does not exist" in said, said


async def test_with_a_downloads_folder_the_screenshot_is_saved_there(home: Path, tmp_path: Path) -> None:
    (home / "Downloads").mkdir()
    said = await screenshot_said(tmp_path, "creenshot")
    saved = list((home / "Downloads").glob("*.svg"))
    assert len(saved) == 1 and said == f"Saved the screenshot to {saved[0]}.", said


async def test_where_nothing_can_be_written_the_toast_says_why(home: Path, tmp_path: Path) -> None:
    os.rmdir(tmp_path / "here")  # (the current directory removed under the viewer)
    said = await screenshot_said(tmp_path, "creenshot")
    assert "The screenshot could not be saved" in said and "No such file or directory" in said, said
