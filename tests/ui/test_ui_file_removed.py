"""A file removed from disk while it is shown (found by a tester): the banner said "del.jsonl changed
on disk since it was read … — r reads it again", and `r` then gave "✖ reading the file: FILE_ERROR
cannot read …: No such file or directory" while the status line still said "file loaded". Now the
banner says it was removed, its rows stay shown (read from the file held open), `r` says plainly
there is nothing to read, and a file put back in its place is said and read by `r`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui_helpers import SIZE, file_app, kept_toasts, screen_text, settle, table_lines, toast_said, wait_until

ENTRY = '{{"id":"e{0}","log_time":"2025-11-15T10:00:0{0}Z","status":200,"event":"sync.run"}}'
LINES = {"plain": ENTRY + "\n", "mixed": '{{"source":"b","api":"supermetrics","entry":' + ENTRY + "}}\n"}
REMOVED = "del.jsonl was removed from disk after it was read: the rows shown are those read from it"
GONE = "del.jsonl is no longer on disk: there is nothing to read again (the rows read from it stay shown)."


def write(path: Path, shape: str, count: int) -> None:
    path.write_text("".join(LINES[shape].format(i) for i in range(count)))


def rows(app) -> list[str]:
    return [line for line in table_lines(app) if "sync.run" in line]


@pytest.fixture
def quick_watch(monkeypatch) -> None:
    from logview.ui import feed, mixed_file

    monkeypatch.setattr(feed, "FILE_CHECK_EVERY_S", 0.1)
    monkeypatch.setattr(mixed_file, "CHECK_EVERY_S", 0.1)


@pytest.mark.parametrize("shape", ["plain", "mixed"])
async def test_a_removed_file_is_said_removed_and_r_says_there_is_nothing_to_read(tmp_path: Path, quick_watch,
                                                                                 shape: str) -> None:
    path = tmp_path / "del.jsonl"
    write(path, shape, 5)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = rows(app)
        assert len(shown) == 5
        path.unlink()
        await wait_until(pilot, lambda: REMOVED in app.viewer.banner.plain(), said=app.viewer.banner.plain)
        assert "changed on disk" not in app.viewer.banner.plain() and "r reads it again" not in app.viewer.banner.plain()
        said = kept_toasts(app)
        await pilot.press("r")
        await settle(pilot)
        assert await toast_said(pilot, said, "no longer on disk") == GONE
        text = screen_text(app)
        assert "FILE_ERROR" not in text and "✖" not in text and "error" not in text.splitlines()[0]
        assert REMOVED in app.viewer.banner.plain() and rows(app) == shown
        write(path, shape, 7)  # (another file put in its place)
        await wait_until(pilot, lambda: "del.jsonl is on disk again, another file than the one read — r reads it"
                         in app.viewer.banner.plain(), said=app.viewer.banner.plain)
        await pilot.press("r")
        await settle(pilot)
        await wait_until(pilot, lambda: len(rows(app)) == 7, said=lambda: screen_text(app))
        assert "del.jsonl" not in app.viewer.banner.plain()


@pytest.mark.parametrize("loop", [False, True], ids=["removed", "a link to itself"])
async def test_r_before_the_watch_looks(tmp_path: Path, loop: bool) -> None:
    """Removed: `r` says the removal on the banner too. A file `r` cannot open (a link to itself: ELOOP,
    even as root) is an error on the status line too, not "file loaded" under "✖ reading the file"."""
    path = tmp_path / "del.jsonl"
    write(path, "plain", 3)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        path.unlink()
        if loop:
            path.symlink_to(path)
        said = kept_toasts(app)
        await pilot.press("r")  # (within the watch's 2 s)
        await settle(pilot)
        assert len(rows(app)) == 3
        if not loop:
            assert await toast_said(pilot, said, "no longer on disk") == GONE
            assert REMOVED in app.viewer.banner.plain()
            return
        assert "Too many levels of symbolic links" in app.viewer.banner.plain()
        assert "error — r retries" in screen_text(app).splitlines()[0] and "file loaded" not in screen_text(app)
