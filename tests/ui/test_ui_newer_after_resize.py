"""The status line's `▲ N newer · g to jump` reads right after a resize (s26, left for s27). The count
is of the newer rows a view put above the screen that the user has not scrolled up to (README); a
resize is not a scroll. A taller terminal brings the table's end up, and some of those rows onto the
screen (rightly not counted while there); a shorter one then puts them above the screen again, the
table keeping the user's entry in view, and the line went on saying fewer than were there, never
scrolled to. Where the line has no room for the hint (60 columns), the counts stay and `· g to jump`
goes."""

from __future__ import annotations

import re

from logview.demo import DemoServer
from test_ui_rows_above_hint import newer_above_while_tailing, rows_above_screen, status_line
from test_ui_tail import poll
from ui_helpers import SIZE, make_app, settle, wait_until

BADGE = re.compile(r"▲ \+([\d,]+) new, ([\d,]+) newer( · g to jump)?")


def badge(app) -> tuple[int, int, bool] | None:
    """(+new, newer, whether `· g to jump` follows) as the status line says them."""
    found = BADGE.search(status_line(app))
    return None if found is None else (int(found.group(1)), int(found.group(2).replace(",", "")), bool(found.group(3)))


async def resized(pilot, app, size: tuple[int, int]) -> None:
    """The terminal at `size`, the table laid out at it and the user's entry in view."""
    await pilot.resize_terminal(*size)
    table = app.viewer.table
    await wait_until(pilot, lambda: app.size == size and table.size.width and round(table.scroll_y) <= table.cursor_row
                     < round(table.scroll_y) + table.page_rows, said=lambda: (app.size, table.size, table.scroll_y))
    await settle(pilot)


async def test_the_newer_count_reads_right_after_the_terminal_grows_and_shrinks(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        counted = await newer_above_while_tailing(pilot, app)
        fresh_demo.state.insert_aitronos(4)
        await poll(pilot, app, 124)
        await wait_until(pilot, lambda: badge(app) == (4, counted, True), said=lambda: status_line(app))
        await resized(pilot, app, (200, 60))  # taller: the table's end comes up, some of them on screen
        above = rows_above_screen(viewer) - 4
        assert 0 < above < counted, above
        await wait_until(pilot, lambda: badge(app) == (4, above, True), said=lambda: (above, status_line(app)))
        await resized(pilot, app, (160, 24))  # shorter: above the screen again, the entry kept in view
        above = rows_above_screen(viewer) - 4
        assert 0 < above <= counted, above
        await wait_until(pilot, lambda: badge(app) == (4, above, True), said=lambda: (above, status_line(app)))
        await resized(pilot, app, (60, 20))  # no room for the hint: the counts stay
        above = rows_above_screen(viewer) - 4
        await wait_until(pilot, lambda: badge(app) == (4, min(counted, above), False),
                         said=lambda: (above, status_line(app)))
        await resized(pilot, app, SIZE)
        above = min(counted, rows_above_screen(viewer) - 4)
        await wait_until(pilot, lambda: badge(app) == (4, above, True), said=lambda: (above, status_line(app)))
        # scrolled up to by the user, they are seen: not counted again after a resize
        await pilot.press("pageup")
        seen_to = rows_above_screen(viewer) - 4
        await wait_until(pilot, lambda: badge(app) == (4, seen_to, True), said=lambda: status_line(app))
        await resized(pilot, app, (160, 24))
        above = min(seen_to, rows_above_screen(viewer) - 4)
        await wait_until(pilot, lambda: badge(app) == (4, above, True), said=lambda: (above, status_line(app)))
