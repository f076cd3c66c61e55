"""The merged timeline's sidebar says an event or credential filter in force, and x lifts it (found in a walk):
its fields are the time range, the source and the search, and an event picked in the stats panel (or given to
a mixed file as --event) filtered the rows with nothing on the screen saying so once the panel was closed,
and x left it in force."""

from __future__ import annotations

from pathlib import Path

from logview.model import Filters
from test_ui_reload_other_api import exported
from ui_helpers import SIZE, file_app, kept_toasts, screen_text, settle, wait_until


async def test_an_event_filter_on_a_merged_file_is_said_and_x_lifts_it(tmp_path: Path) -> None:
    app = file_app(exported(tmp_path / "all.jsonl", "mixed"), filters=Filters(event="data.page"))
    toasts = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == 20, said=lambda: screen_text(app))
        await settle(pilot)
        shown = app.viewer.store.entries(app.viewer.view.index)
        assert shown and {entry.raw.get("event") for entry in shown} == {"data.page"}
        sidebar = "\n".join(line[:31] for line in screen_text(app).splitlines())
        assert "FROM STATS" in sidebar and "event data.page" in sidebar and "x lifts them" in sidebar, sidebar
        await pilot.press("x")
        await settle(pilot)
        assert len(app.viewer.view) == 20 and app.viewer.filters.event is None
        assert "Lifted the event filter." in toasts, toasts
        assert "FROM STATS" not in screen_text(app)
