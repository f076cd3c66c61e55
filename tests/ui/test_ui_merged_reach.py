"""The merged tab's dates filter what the tabs loaded: a range reaching before a tab's is said (s25 walk #6:
`d 3d` over tabs that loaded the last day, by the config's archive_max_age, showed one day under "since 3d")."""

from __future__ import annotations

from logview.demo import DemoServer
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, kept_toasts, settle, wait_until


async def test_a_merged_range_older_than_what_tabs_loaded_names_them_and_how_far_they_reach(demo: DemoServer) -> None:
    hour, day = Filters().with_time_range("1h", ""), Filters().with_time_range("1d", "")
    app = LogViewApp(ViewerOptions(filters=hour, connection=connection(demo, "aitronos")),
                     ViewerOptions(filters=day, connection=connection(demo, "supermetrics")), policy=FAST)
    said_so_far = kept_toasts(app)  # (every toast: at load 12 the first had timed out by the count at the end)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: all(viewer.session.phase == "complete" for viewer in app.viewers[:2]))
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_until(pilot, lambda: app.viewer is app.viewers[2])
        await pilot.press("d", *"3d", "enter")
        said = ("Older entries are not here: the tabs loaded demo data (aitronos) since 1h, demo data (supermetrics) "
                "since 1d (d on their tabs loads further back).")
        await wait_until(pilot, lambda: said in said_so_far, said=lambda: said_so_far)
        await pilot.press("d", *["backspace"] * 5, *"12h", "enter")  # (within the day: the hour's tab alone)
        one = "Older entries are not here: the tabs loaded demo data (aitronos) since 1h (d on its tab loads further back)."
        await wait_until(pilot, lambda: one in said_so_far, said=lambda: said_so_far)
        await pilot.press("d", *["backspace"] * 5, *"30m", "enter")  # (within both: nothing said)
        await wait_until(pilot, lambda: app.viewer.session.filters.since_text == "30m")
        await settle(pilot)
        assert sum("Older entries are not here" in toast for toast in said_so_far) == 2, said_so_far
