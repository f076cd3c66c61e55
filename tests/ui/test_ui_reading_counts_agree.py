"""While a big file's fields are read, the header's 'reading fields · N of M', the sidebar's
'counting … K to go' and the stats panel say one count (s21 walk #6): the header ran one update
behind the sidebar (counts held back were shown by the sidebar's timer, the header kept the last
count until the next chunk), and the stats said '0 entries' beside 117,462 counted."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from textual.widgets import Static

from test_ui_sidebar_partial import in_pieces
from test_ui_stats_while_reading import LINES, aitronos_rows
from ui_helpers import file_app, screen_text, settle, wait_until

HEADER = re.compile(r"reading fields · ([\d,]+) of 30,000")
NARROW_HEADER = re.compile(r"reading fields (\d+)% …")  # (at 80 columns: the percent of the same count)
SIDEBAR = re.compile(r"counting … ([\d,]+) entries to go")
STATS = re.compile(r"STATS .*?([\d,]+) entries")
STATS_COUNTING = re.compile(r"STATS .*? entries · counting ([\d,]+) …")  # (its numbers a compute behind)


def number(found: re.Match[str] | None) -> int | None:
    return None if found is None else int(found.group(1).replace(",", ""))


def read_slowly(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fields read 3,000 rows a quarter second, each piece posted as it comes (a read of
    several of the sidebar's updates, as a 1M file's)."""
    from logview.ui import file_reading

    monkeypatch.setattr(file_reading, "POST_COLUMNS_ROWS_AT_MOST", 3_000)
    read_columns = file_reading.read_columns

    def slowly(*args, **kwargs):
        for chunk in read_columns(*args, **kwargs):
            for piece in in_pieces(chunk, 3_000):
                time.sleep(0.25)
                yield piece

    monkeypatch.setattr(file_reading, "read_columns", slowly)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_header_sidebar_and_stats_say_one_count_as_the_fields_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    read_slowly(monkeypatch)
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=size) as pilot:
        viewer = app.viewer
        header_words = HEADER if size[0] >= 160 else NARROW_HEADER
        await wait_until(pilot, lambda: header_words.search(screen_text(app).splitlines()[0]) is not None)
        if size[0] >= 160:
            await pilot.press("i")
        samples: list[tuple[int | None, int | None, int | None]] = []
        counting: list[int | None] = []

        def sample() -> bool:
            text = screen_text(app)
            note = str(viewer.sidebar.query_one("#status-note", Static).content)  # (wrapped on screen)
            header, to_go = number(header_words.search(text.splitlines()[0])), number(SIDEBAR.search(note))
            sidebar = None if to_go is None else LINES - to_go if size[0] >= 160 else 100 * (LINES - to_go) // LINES
            samples.append((header, sidebar, number(STATS.search(text))))
            counting.append(number(STATS_COUNTING.search(text)))
            return viewer.session.phase == "complete"

        await wait_until(pilot, sample, timeout=30)
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
    read_slowly(monkeypatch)
    app = file_app(aitronos_rows(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: HEADER.search(screen_text(app).splitlines()[0]) is not None)
        await pilot.press("2")  # (errors)
        await wait_until(pilot, lambda: viewer.filters.statuses == ("error",))
        samples: list[tuple[int | None, int | None]] = []

        def sample() -> bool:
            first = screen_text(app).splitlines()[0]
            samples.append((number(HEADER.search(first)), number(SHOWN.search(first))))
            return viewer.session.phase == "complete"

        await wait_until(pilot, sample, timeout=30)
        await settle(pilot)
        reading = [(header, shown) for header, shown in samples if header is not None]
        assert len({header for header, _ in reading}) >= 3, reading  # (several updates sampled)
        assert all(shown == (header + 6) // 7 for header, shown in reading), [s for s in reading if s[1] != (s[0] + 6) // 7]
        assert number(SHOWN.search(screen_text(app).splitlines()[0])) == (LINES + 6) // 7
