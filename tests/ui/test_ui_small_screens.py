"""A small terminal: what the user types into, and the columns scrolled sideways, stay on the screen
(found in a walk at 60×15 and 40×10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logview.demo import DemoServer
from ui_helpers import file_app, make_app, screen_text, settle, table_lines


@pytest.mark.parametrize(("size", "key", "field", "typed"), [
    ((60, 15), "slash", "#search", "slackzq"),
    ((40, 10), "d", "#since", "2h"),
    ((60, 15), "d", "#since", "3d"),
])
async def test_the_field_typed_into_is_shown_in_a_short_sidebar(demo: DemoServer, size, key, field, typed) -> None:
    """`/` at 60×15 showed the sidebar's status and dates, not the search typed into below them."""
    app = make_app(demo)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        for letter in typed:
            await pilot.press(letter)
        await settle(pilot)
        sidebar, box = app.viewer.sidebar, app.viewer.sidebar.query_one(field)
        assert app.focused is box
        assert sidebar.region.y <= box.region.y and box.region.bottom <= sidebar.region.bottom
        assert typed in screen_text(app)


def long_named_entries(path: Path, count: int = 40) -> Path:
    """Aitronos entries whose every text cell is long, so that a column cut anywhere has text in it."""
    lines = [json.dumps({
        "id": f"log_{i:024x}", "created_at": f"2025-11-15T11:{59 - i % 60:02d}:00.000Z", "organization_id": "org",
        "user_id": "usr", "credential_id": f"tcred_{i:016x}_and_a_long_tail", "connector": "notion",
        "tool": f"connector_with_a_long_name.tool_with_a_long_name_{i}", "status": "error", "duration_ms": 474,
        "error": f"A long error message that runs on and on, number {i}"}) for i in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_scrolled_to_the_end_a_column_cut_at_the_left_edge_is_left_blank(tmp_path: Path) -> None:
    """→ to the table's end: the column cut at the time's edge showed its values' tails (`ge`,
    `l_reques…`) under no title."""
    app = file_app(long_named_entries(tmp_path / "long.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.viewer.table
        stops = []
        for _ in range(12):
            await pilot.press("right")
            await settle(pilot)
            stops.append((table.shift, table_lines(app)))
        layout, screen = table.table_layout(), table.scrollable_content_region.width
        shift, lines = stops[-1]
        assert shift == layout.max_shift(screen) > 0
        start = layout.frozen + shift
        cut = next(p for p in layout.placed if p.x < start < p.x + p.width)  # (at 80 columns the end stop cuts one)
        blank_to = cut.x + cut.width - shift
        whole = next(lines for at, lines in stops if at == cut.x - layout.frozen)  # the stop showing it whole
        assert any(line[start - shift:blank_to].strip() for line in whole[1:])  # (it has text where it is cut)
        for line in lines:
            assert line[layout.frozen:blank_to].strip() in ("", "←"), line
        assert all(line[blank_to:].strip() for line in lines[1:len(whole)])  # (the columns after it are drawn)


@pytest.mark.parametrize("order", [("enter", "i", "h"), ("enter", "h", "i"), ("enter", "i")])
async def test_the_table_keeps_rows_with_the_detail_and_the_panels_open(demo: DemoServer, order) -> None:
    """120×40, the stats, the detail and the histogram opened: the table had no row left (found in a walk).
    Over the open detail the panels above the table take turns, and the stats take less height."""
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in order:
            await pilot.press(key)
            await settle(pilot)
        browser, table = app.viewer.browser, app.viewer.table
        assert browser.shown("detail") and (browser.shown("stats") or browser.shown("histogram"))
        assert not (browser.shown("stats") and browser.shown("histogram"))
        rows = [line for line in table_lines(app)[1:] if line.strip()]
        assert table.region.height >= 4 and len(rows) >= 3, (table.region, rows)


async def test_b_shows_a_short_sidebar_from_its_top(demo: DemoServer) -> None:
    """40×10: after `/` scrolled the sidebar to its search, `b` showed it from there (`until`, `CREDENTIAL`,
    `SEARCH`), its statuses above out of sight (found in a walk)."""
    app = make_app(demo)
    async with app.run_test(size=(40, 10)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "escape")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        sidebar = app.viewer.sidebar
        assert not app.viewer.sidebar_folded and round(sidebar.scroll_y) == 0
        assert "STATUS" in screen_text(app)
