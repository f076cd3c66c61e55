"""The palette's Screenshot: an SVG of the screen, saved where it can be, the toast saying where.

Textual's own command saves to the user's downloads folder (platformdirs'), which an SSH or server
box often lacks: it said "Failed to save screenshot", neither a path nor why (found by a tester).
Here the downloads folder is used where it exists, else the current directory, and the toast names
the file, or says why nothing could be written (a path is the user's: shown as text, never markup).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from platformdirs import user_downloads_path
from textual.app import App

TITLE = "Screenshot"


def take_screenshot(app: App) -> None:
    """The screen as it is now, written in a thread (a slow disk must not hold the keys)."""
    svg = app.export_screenshot()
    app.run_worker(lambda: _save(app, svg), thread=True, group="screenshot", exit_on_error=False)


def _save(app: App, svg: str) -> None:
    downloads = user_downloads_path()
    folders = [downloads, Path(".")] if downloads.is_dir() else [Path(".")]
    failures = []
    for folder in folders:
        try:
            path = write_new(folder, svg).absolute()
        except OSError as error:
            failures.append(f"{folder.absolute() if folder.is_absolute() else 'the current directory'}: "
                            f"{error.strerror or error}")
            continue
        missing = "" if folder == downloads else f" ({downloads} does not exist)"
        app.call_from_thread(app.notify, f"Saved the screenshot to {path}{missing}.", title=TITLE, timeout=8,
                             markup=False)
        return
    app.call_from_thread(app.notify, f"The screenshot could not be saved: {'; '.join(failures)}.", title=TITLE,
                         severity="error", timeout=10, markup=False)


def write_new(folder: Path, text: str) -> Path:
    """`text` in a new file of `folder` named for the time (another's number added, never replacing a file);
    a file written in part (a full disk) is removed."""
    stamp = f"logview_{datetime.now():%Y-%m-%d_%H-%M-%S}"
    for number in range(1, 100):
        path = folder / f"{stamp}{f'_{number}' if number > 1 else ''}.svg"
        try:
            file = open(path, "x", encoding="utf-8")
        except FileExistsError:
            continue
        try:
            with file:
                file.write(text)
        except OSError:
            path.unlink(missing_ok=True)
            raise
        return path
    raise FileExistsError(f"{stamp}_99.svg and the 98 before it exist")
