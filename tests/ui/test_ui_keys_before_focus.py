"""Keys typed in one burst ahead of `/`, `d` or `s` act before the focus moves (`ui/key_order.py`):
`4/` lost the 4 (Textual looked its binding up once it came back from the table, the search field
focused by then), and `0g/` lost both (found in a walk, 3 times out of 3)."""

from __future__ import annotations

from logview.demo import DemoServer
from logview.model import Filters
from logview.ui.screens.save_dialog import SaveDialog
from test_ui_dialog_bursts import burst
from ui_helpers import SIZE, make_app, settle, wait_until


async def test_a_status_key_typed_ahead_of_the_search_filters_and_the_rest_is_typed_into_it(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        option = app.viewer.session.status_options[3]
        burst(app, "4", "slash", "g", "m", "a", "i", "l")
        await settle(pilot)
        search = app.viewer.sidebar.query_one("#search")
        assert app.viewer.filters.statuses == (option,)
        assert app.focused is search and search.value == "gmail"


async def test_keys_typed_ahead_of_the_dates_act_on_the_table_in_order(demo: DemoServer) -> None:
    app = make_app(demo, filters=Filters(statuses=("error",)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        burst(app, "0", "g", "d", "2", "h")
        await settle(pilot)
        since = app.viewer.sidebar.query_one("#since")
        assert app.viewer.filters.statuses == () and app.viewer.table.cursor_row == 0
        assert app.focused is since and since.value == "2h"


async def test_a_status_key_typed_ahead_of_save_filters_what_is_saved(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        option = app.viewer.session.status_options[1]
        burst(app, "2", "s")
        await wait_until(pilot, lambda: isinstance(app.screen, SaveDialog))
        assert app.viewer.filters.statuses == (option,)
