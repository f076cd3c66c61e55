"""While a big file's fields are read, the header's 'reading fields · N of M', the sidebar's
'counting … K to go' and the stats panel say one count (s21 walk #6): the header ran one update
behind the sidebar (counts held back were shown by the sidebar's timer, the header kept the last
count until the next chunk), and the stats said '0 entries' beside 117,462 counted."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static

from test_ui_sidebar_partial import in_pieces
from test_ui_stats_while_reading import LINES, aitronos_rows
from ui_helpers import file_app, screen_text, settle, wait_until, widget_text

HEADER = re.compile(r"reading fields · ([\d,]+) of 30,000")
NARROW_HEADER = re.compile(r"reading fields (\d+)% …")  # (at 80 columns: the percent of the same count)
SIDEBAR = re.compile(r"counting … ([\d,]+) entries to go")
STATS = re.compile(r"STATS .*?([\d,]+) entries")
STATS_COUNTING = re.compile(r"STATS .*? entries · counting ([\d,]+) …")  # (its numbers a compute behind)


def number(found: re.Match[str] | None) -> int | None:
    return None if found is None else int(found.group(1).replace(",", ""))


def read_in_steps(monkeypatch: pytest.MonkeyPatch) -> threading.Semaphore:
    """The fields read 3,000 rows at most a step, each piece posted as it comes (a read of several
    of the sidebar's updates, as a 1M file's), a step each time the semaphore returned is released:
    every count is there to be seen, however slow the machine (a piece each 0.25 s let a loaded
    one's looks miss counts, and the stats' last)."""
    from logview.ui import file_reading

    monkeypatch.setattr(file_reading, "POST_COLUMNS_ROWS_AT_MOST", 1)
    read_columns = file_reading.read_columns
    steps = threading.Semaphore(0)

    def in_steps(*args, **kwargs):
        for chunk in read_columns(*args, **kwargs):
            for piece in in_pieces(chunk, 3_000):
                steps.acquire(timeout=60)
                yield piece

    monkeypatch.setattr(file_reading, "read_columns", in_steps)
    return steps


async def read_step_by_step(pilot, steps: threading.Semaphore, said: Callable[[int], bool]) -> None:
    """Each step let go once the rows read so far are said (`said(rows read)`, polled: its looks
    see the frames between), until the read is complete."""
    viewer = pilot.app.viewer
    for _ in range(100):
        if viewer.session.phase == "complete":
            return
        before = viewer.store.fields_read
        steps.release()
        await wait_until(pilot, lambda: said(viewer.store.fields_read) and viewer.store.fields_read > before
                         or viewer.session.phase == "complete", timeout=30,
                         said=lambda: (before, viewer.store.fields_read, screen_text(pilot.app).splitlines()[0]))
    raise AssertionError("the read was not complete after 100 steps")


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_header_sidebar_and_stats_say_one_count_as_the_fields_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    steps = read_in_steps(monkeypatch)
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=size) as pilot:
        viewer = app.viewer
        header_words = HEADER if size[0] >= 160 else NARROW_HEADER
        await wait_until(pilot, lambda: header_words.search(screen_text(app).splitlines()[0]) is not None)
        if size[0] >= 160:
            await pilot.press("i")
        samples: list[tuple[int | None, int | None, int | None]] = []
        counting: list[int | None] = []

        def sampled(read: int) -> bool:
            """Sampled; whether the `read` rows are said (by the header, and the stats too at 160)."""
            text = screen_text(app)
            # (both as their widgets say them now: the screen drawn last could be a frame behind the note,
            # CI at load 9 saw 'reading fields 0%' drawn beside the note's next count)
            note = str(viewer.sidebar.query_one("#status-note", Static).content)  # (wrapped on screen)
            header, to_go = number(header_words.search(widget_text(viewer.status_bar))), number(SIDEBAR.search(note))
            sidebar = None if to_go is None else LINES - to_go if size[0] >= 160 else 100 * (LINES - to_go) // LINES
            samples.append((header, sidebar, number(STATS.search(text))))
            counting.append(number(STATS_COUNTING.search(text)))
            return header == (read if size[0] >= 160 else 100 * read // LINES) and \
                (size[0] < 160 or samples[-1][2] == header)

        await read_step_by_step(pilot, steps, sampled)
        await settle(pilot)
        reading = [(header, sidebar, stats) for header, sidebar, stats in samples if header is not None]
        assert len({header for header, _, _ in reading}) >= 3, reading  # (several updates sampled)
        assert all(header == sidebar for header, sidebar, _ in reading), reading
        if size[0] >= 160:  # (computed in a worker once the count is shown: never more, never behind long)
            stats = [(header, counted) for header, _, counted in reading if counted is not None]
            assert all(counted <= header for header, counted in stats), stats
            assert any(counted == header > 0 for header, counted in stats), stats
            # s22 #2: at every update the title says the header's count: its numbers', or the one it counts
            said = [(header, counted, behind) for (header, _, counted), behind in zip(samples, counting)
                    if header is not None and counted is not None]
            assert all(header in (counted, behind) for header, counted, behind in said), said


SHOWN = re.compile(r"shown ([\d,]+)")


async def test_shown_says_the_rows_of_the_headers_count_under_a_status_filter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """s21 #1: a status key pressed while the fields are read: the header said 'reading fields · 0
    of 1,000,000' (its count held back with the sidebar's) beside 'shown 11,436' (the table's rows,
    not held). `shown` now counts the rows of the header's count: here every 7th an error."""
    steps = read_in_steps(monkeypatch)
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: HEADER.search(screen_text(app).splitlines()[0]) is not None)
        await pilot.press("2")  # (errors)
        await wait_until(pilot, lambda: viewer.filters.statuses == ("error",))
        samples: list[tuple[int | None, int | None]] = []

        def sampled(read: int) -> bool:
            first = screen_text(app).splitlines()[0]
            samples.append((number(HEADER.search(first)), number(SHOWN.search(first))))
            return samples[-1][0] == read

        await read_step_by_step(pilot, steps, sampled)
        await settle(pilot)
        reading = [(header, shown) for header, shown in samples if header is not None]
        assert len({header for header, _ in reading}) >= 3, reading  # (several updates sampled)
        assert all(shown == (header + 6) // 7 for header, shown in reading), [s for s in reading if s[1] != (s[0] + 6) // 7]
        assert number(SHOWN.search(screen_text(app).splitlines()[0])) == (LINES + 6) // 7
