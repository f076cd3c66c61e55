"""The stats panel while a big file's fields are still being read (s19 #3, #4): its note that the
numbers are partial was the first thing cut when the title did not fit (at 160 and 80 columns the
table of tools looked final), and its error groups said "no errors among these entries" in a file
with 120,461 errors, whose fields were simply not read yet."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from ui_helpers import file_app, screen_text, settle, wait_until

LINES = 30_000


def aitronos_rows(path: Path) -> Path:
    path.write_text("".join(json.dumps({
        "id": f"log_{i}", "created_at": f"2025-11-15T{11 - i // 3600:02d}:{59 - i // 60 % 60:02d}:{59 - i % 60:02d}Z",
        "tool": "gmail.search_messages", "credential_id": "cred_1", "status": "error" if i % 7 == 0 else "success",
        "duration_ms": 100 + i % 50, "error": "quota exceeded" if i % 7 == 0 else None}) + "\n" for i in range(LINES)))
    return path


async def notes_falling(pilot, held_reading: threading.Event, note: str) -> str:
    """Let the read go on to its end, checking that the counts `note` (a pattern) says on screen
    only fall and stay within the file's; then the screen's text."""
    app = pilot.app
    held_reading.set()
    notes: list[str] = []

    def read() -> bool:
        notes.extend(re.findall(note, screen_text(app)))
        return app.viewer.store.fields_read == LINES

    await wait_until(pilot, read)
    await pilot.pause(0.3)
    counts = [int(found.replace(",", "")) for found in notes]
    assert counts == sorted(counts, reverse=True) and counts[-1] <= LINES, counts
    return screen_text(app)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_the_stats_say_they_are_partial_and_errors_uncounted_until_the_fields_are_read(
        held_reading: threading.Event, tmp_path: Path, size: tuple[int, int]) -> None:
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.press("i")
        await wait_until(pilot, lambda: app.viewer.stats.data is not None)
        await pilot.pause()
        stats = app.viewer.stats
        title = stats.render_line(0).text
        assert "partial" in title or "still being read" in title, title
        lines = screen_text(app)
        assert "no errors among these entries" not in lines
        assert "errors are still being counted" in lines, lines
        assert f"the fields of {LINES:,} entries are still being read" in lines, lines
        held_reading.set()
        await settle(pilot)
        await wait_until(pilot, lambda: stats.data is not None and stats.data.entries == LINES)
        await pilot.pause()
        title = stats.render_line(0).text
        assert "partial" not in title and "still being read" not in title, title
        assert "quota exceeded" in screen_text(app)


@pytest.mark.parametrize(("key", "panel", "note", "then"), [
    ("i", "stats", "the fields of {} entries are still being read", "every field is read: counting"),
    ("h", "histogram", "fields of {} entries still being read", "VOLUME · counting…"),
])
async def test_the_count_of_fields_unread_is_the_stores_as_the_read_goes_on(
        held_reading: threading.Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        key: str, panel: str, note: str, then: str) -> None:
    """Found in walks (s19 V4, s20 S20-1): "the fields of 215 entries are still being read" stayed
    while 868,928 were, in the stats panel and then in the histogram (to the end of a 1M read and
    past "file loaded", its body saying "no entries with a time to chart"): each said the count of
    when its numbers were counted, and a million rows' count can outlast the whole read. Here the
    panel counts once, then not again (as that count would): the note follows the store's rows
    still unread, and is gone once every field is read."""
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.press(key)
        shown = getattr(app.viewer, panel)
        await wait_until(pilot, lambda: shown.data is not None)
        monkeypatch.setattr(type(shown), "_run", lambda *args: None)  # (the next count never ends)
        await pilot.pause(0.2)
        lines = screen_text(app)
        assert note.format(f"{LINES:,}") in lines and "no entries with a time to chart" not in lines, lines
        lines = await notes_falling(pilot, held_reading, note.format(r"([\d,]+)"))
        assert "still being read" not in lines and then in lines, lines


async def test_a_narrow_header_gives_the_count_shown_while_the_fields_are_read(
        held_reading: threading.Event, tmp_path: Path) -> None:
    """Found in a walk (s20 #9): at 80×24 "◌ reading fields · 131,072 of 1,000,000 (13%) …" left no
    room for `shown`: how many rows a filter matched was unsaid until the read ended."""
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.pause(0.2)
        app.viewer.refresh_status()
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert re.search(r"reading fields \d+% … +shown 30,000", header), header
        held_reading.set()


async def test_the_stats_note_counts_the_fields_unread_as_the_header_and_sidebar_do(
        held_reading: threading.Event, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found in a walk (s20 S20-4): for ~0.6 s of a 1M read the header ("131,072 of 1,000,000"),
    the sidebar ("868,928 entries to go") and the stats panel ("the fields of 737,856 entries")
    gave three counts: the stats counted every field read, the other two the counts shown."""
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.press("i")
        await wait_until(pilot, lambda: app.viewer.stats.data is not None)
        session = app.viewer.session
        try:
            # (the sidebar holds its counts back while a newer read is in: 10,000 read, none shown)
            monkeypatch.setattr(type(app.viewer.store), "fields_read", property(lambda store: 10_000))
            session.fields_shown = 0
            assert session.sidebar_counts().note == f"counting … {LINES:,} entries to go"
            assert session.chart_note() == f"fields of {LINES:,} entries still being read"
            assert session.errors_uncounted() == f"the fields of {LINES:,} entries are still being read"
        finally:
            monkeypatch.undo()
            held_reading.set()


async def test_with_no_entry_shown_the_error_groups_say_there_is_nothing_to_count(tmp_path: Path) -> None:
    """s28 walk: "no errors among these entries" of none (an API tab that loaded nothing while its
    connection failed, or filters that match nothing): it read as a verdict on entries that are not there."""
    app = file_app(aitronos_rows(tmp_path / "errors.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("3", "i")  # (blocked: none in the file)
        await settle(pilot)
        assert "no entries shown: nothing to count" in screen_text(app)
        assert "no errors among these entries" not in screen_text(app)
        await pilot.press("escape", "3", "2", "i")  # (success and error… back to every status but one)
        await settle(pilot)
        assert "no entries shown" not in screen_text(app)
