"""Saved filters in the viewer: save the current ones from the command palette, recall and
forget them there; what is saved is what the sidebar shows (times as typed)."""

from __future__ import annotations

from datetime import datetime, timezone

from logview.demo import DemoServer
from logview.demo.data import CREDENTIALS
from logview.settings.saved_filters import SavedFilter, SavedFilters
from logview.times import parse_api_time
from ui_helpers import SIZE, kept_toasts, make_app, screen_text, settle, wait_until


async def palette(pilot, text: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause(0.4)
    await pilot.press("enter")
    await pilot.pause()


async def test_save_filters_from_the_palette_then_recall_them(demo: DemoServer, tmp_path) -> None:
    saved = SavedFilters(tmp_path / "saved.json")
    app = make_app(demo, "supermetrics", saved_filters=saved)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4", "slash", *"reports", "enter")  # 5xx, and a search
        await settle(pilot)
        await pilot.press("d", *"2025-11-10", "enter")  # saved as typed (a relative `30d` would be too)
        await settle(pilot)
        wanted = list(app.viewer.view.index)
        assert 0 < len(wanted) < len(demo.state.supermetrics_logs)
        await palette(pilot, "Save filters as")
        await pilot.press(*"5xx reports", "enter")
        await pilot.pause()
        assert saved.get("supermetrics", "5xx reports") == SavedFilter(statuses=("5xx",), since="2025-11-10",
                                                                       search="reports")
        await pilot.press("0", "slash", "escape", "d")  # clear everything again
        await pilot.press(*["backspace"] * 10, "enter")
        await settle(pilot)
        assert app.viewer.filters.is_empty() and len(app.viewer.view) == len(demo.state.supermetrics_logs)
        said = kept_toasts(app)
        await palette(pilot, "Filters: 5xx")
        await settle(pilot)
        assert app.viewer.filters.statuses == ("5xx",) and app.viewer.filters.search == "reports"
        assert app.viewer.sidebar.query_one("#since").value == "2025-11-10"
        assert list(app.viewer.view.index) == wanted
        assert "Filters “5xx reports” applied." in said, said


async def test_a_bad_name_is_refused_in_the_dialog(demo: DemoServer, tmp_path) -> None:
    saved = SavedFilters(tmp_path / "saved.json")
    app = make_app(demo, saved_filters=saved)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "Save filters as")
        await pilot.press(*"[bold]", "enter")
        await pilot.pause()
        assert "a name is 1-40 letters" in screen_text(app)
        await pilot.press("escape")
        assert saved.names("aitronos") == []


async def test_forget_from_the_palette_and_saved_filters_are_per_api(demo: DemoServer, tmp_path) -> None:
    saved = SavedFilters(tmp_path / "saved.json")
    saved.save("aitronos", "errors", SavedFilter(statuses=("error",)))
    saved.save("supermetrics", "fives", SavedFilter(statuses=("5xx",)))
    app = make_app(demo, saved_filters=saved)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Filters:")
        await pilot.pause(0.4)
        text = screen_text(app)
        assert "Filters: errors" in text and "fives" not in text  # another API's filters are not offered
        await pilot.press("escape")
        await palette(pilot, "Forget filters: errors")
        assert saved.names("aitronos") == [] and saved.names("supermetrics") == ["fives"]


async def test_a_saved_absolute_range_comes_back_exactly(demo: DemoServer, tmp_path) -> None:
    logs = demo.state.aitronos_logs
    since = parse_api_time(logs[200]["created_at"]).astimezone(timezone.utc)
    saved = SavedFilters(tmp_path / "saved.json")
    saved.save("aitronos", "range", SavedFilter(since=since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"))
    app = make_app(demo, saved_filters=saved)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.viewer.saved.recall("range")
        await settle(pilot)
        assert app.viewer.filters.since == since.replace(microsecond=since.microsecond // 1000 * 1000)
        assert [e.id for e in app.viewer.store.entries(app.viewer.view.index)] == \
            [e["id"] for e in logs if parse_api_time(e["created_at"]) >= app.viewer.filters.since]
        assert isinstance(app.viewer.filters.since, datetime)


async def test_the_palettes_quit_says_what_logviews_quit_does(demo: DemoServer) -> None:
    """s24 walk #11: Textual's "Quit the application as soon as possible", where logview's quit asks
    first while a save is being written."""
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Quit")
        await wait_until(pilot, lambda: "Quit logview, as q does" in screen_text(app), said=lambda: screen_text(app))
        assert "as soon as possible" not in screen_text(app)
        await pilot.press("escape")


def under_the_title(app) -> str:
    """What the save dialog shows between its title and its hint, as on screen (inside its border,
    its lines joined)."""
    lines = [line.split("│")[1].strip() for line in screen_text(app).splitlines() if line.count("│") == 2]
    title, hint = lines.index("Save the current filters"), next(i for i, line in enumerate(lines) if "Recall" in line)
    return " ".join(lines[title + 1:hint])


async def test_the_save_dialog_shows_the_filters_it_saves(demo: DemoServer, tmp_path) -> None:
    """Found in a walk (s28 #12): the dialog said "Save the current filters" without saying which;
    the name is all the user types, so they saved blind. They are shown as the summary line says
    them (a credential by its name), as plain text."""
    saved = SavedFilters(tmp_path / "saved.json")
    app = make_app(demo, saved_filters=saved)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "Save filters as")
        assert under_the_title(app) == "no filters: every entry"
        await pilot.press("escape")
        credential = next(c for c in CREDENTIALS if c.display_name == "Work Gmail").id
        app.viewer.sidebar.query_one("#facet").value = credential  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("4", "slash", *"[bold]x", "enter", "d", *"2h", "enter")
        await settle(pilot)
        await palette(pilot, "Save filters as")
        shown = 'status timeout · since 2h · credential Work Gmail · search "[bold]x"'
        await wait_until(pilot, lambda: under_the_title(app) == shown, said=lambda: screen_text(app))
        await pilot.press(*"mine", "enter")
        await pilot.pause()
        assert saved.get("aitronos", "mine") == SavedFilter(statuses=("timeout",), since="2h", credential=credential,
                                                            search="[bold]x")
