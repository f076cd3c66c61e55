"""The histogram's keys (found in walks): narrowed to a bar that holds "now", the pick was the last,
empty, future bar (its Enter narrowed to nothing); j/k ↑/↓ g/G did nothing there; and Enter on a
bar that cannot be narrowed further said nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from logview.demo import DemoServer, DemoState
from test_ui_palette import one_entry_file
from ui_helpers import SIZE, UNSPENT_BUDGET, file_app, kept_toasts, make_app, settle


@pytest.fixture
def recent() -> Iterator[DemoServer]:
    """Entries up to the real now: the newest bars reach into the future (30 pages: a budget no test
    spends, or the published one's pace takes ~6 s)."""
    with DemoServer(DemoState(aitronos_entries=3000, supermetrics_entries=0, live_rate=0.0, seed=3,
                              budget=UNSPENT_BUDGET)) as server:
        yield server


async def open_histogram(pilot):
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)
    return pilot.app.viewer.histogram


async def test_narrowed_to_the_newest_bar_the_pick_is_a_bar_with_entries(recent: DemoServer) -> None:
    app = make_app(recent)
    async with app.run_test(size=SIZE) as pilot:
        histogram = await open_histogram(pilot)
        for _ in range(2):  # the newest bar, twice: each time a reload from the server
            await pilot.press("enter")
            await settle(pilot)
            await pilot.pause(0.3)
            await settle(pilot)
            assert histogram.has_focus and histogram.data.totals[histogram.selected] > 0
            assert not histogram.data.totals[histogram.selected + 1:].any()  # the newest that has any


async def test_j_k_g_g_move_the_picked_bar(recent: DemoServer) -> None:
    app = make_app(recent)
    async with app.run_test(size=SIZE) as pilot:
        histogram = await open_histogram(pilot)
        newest = histogram.selected
        await pilot.press("j", "j")
        assert histogram.selected == newest - 2
        await pilot.press("k", "up")
        assert histogram.selected == newest
        await pilot.press("down", "G")
        assert histogram.selected == int(histogram.data.totals.nonzero()[0][0])  # the oldest bar with entries
        await pilot.press("home", "g")
        assert histogram.selected == newest  # the newest with entries (not a future one)


async def test_enter_on_a_bar_that_cannot_narrow_says_so(tmp_path: Path) -> None:
    app = file_app(one_entry_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await open_histogram(pilot)
        said = kept_toasts(app)
        for _ in range(8):  # down to one second a bar, and once more
            said.clear()
            await pilot.press("enter")
            await settle(pilot)
        assert said == ["This bar is the range already: it cannot be narrowed further (⌫ zooms out)."], said


async def test_a_narrow_histograms_hint_names_the_keys_as_they_act(demo: DemoServer) -> None:
    """Beside the stats, unfocused, the short hint read `click a bar to narrow the dates · h
    hides`: h focuses it there (a second h hides it), and the keys were left out (found in a walk)."""
    app = make_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("h", "i", "1")  # side by side, the stats focused, the histogram computed anew
        await settle(pilot)
        histogram = app.viewer.histogram
        assert histogram.selected is None and histogram.size.width < 70
        hint = histogram.render_line(histogram.size.height - 1).text.strip()
        assert "←/→ Enter" in hint and "hides" not in hint and hint.endswith("the dates"), hint
