"""What each key of the viewer must do, by action, for the walk-through (test_ui_walkthrough.py):
a check presses a key in a `Walk` (an app in one state, `walkthrough_walk.py`) and asserts what the
user then sees."""


from __future__ import annotations

import json
from unittest import mock

from textual.command import CommandPalette
from textual.widgets import Input

from logview.ui import clipboard
from logview.ui.screens.column_picker import ColumnPicker
from logview.ui.screens.connector_picker import ConnectorPicker
from logview.ui.screens.help import HelpScreen
from logview.ui.screens.save_dialog import SaveDialog
from logview.ui.viewer import ViewerScreen
from ui_helpers import settle, wait_until, widget_text
from walkthrough_walk import Walk, action_name, check, viewer_keys


# -- what each key does, by action ------------------------------------------------------------

@check("cursor_down")
async def _down(walk: Walk, key: str) -> None:
    before = walk.viewer.table.cursor_row
    shown = walk.viewer.selected_entry()
    await walk.press(key)
    assert walk.viewer.table.cursor_row == before + 1
    assert walk.viewer.selected_entry() is not shown
    if walk.state == "detail":  # the open detail follows the cursor
        assert walk.viewer.selected_entry().id in walk.text()


@check("cursor_up")
async def _up(walk: Walk, key: str) -> None:
    before = walk.viewer.table.cursor_row
    await walk.press(key)
    assert walk.viewer.table.cursor_row == before - 1


@check("scroll_down", "scroll_up", "scroll_home", "scroll_end")
async def _scroll(walk: Walk, key: str) -> None:
    """The focused detail pane scrolls: a line, a page, to either end; the last field is reachable."""
    pane = walk.viewer.detail
    assert pane.max_scroll_y > pane.size.height  # a long entry
    middle = pane.max_scroll_y // 2
    if key in ("up", "k", "pageup", "home", "g"):
        pane.scroll_to(y=middle, animate=False)
        await walk.pilot.pause()  # type: ignore[attr-defined]
    before = round(pane.scroll_y)
    await walk.press(key)
    after = round(pane.scroll_y)
    expected = {"down": before + 1, "j": before + 1, "up": before - 1, "k": before - 1, "home": 0, "g": 0,
                "end": pane.max_scroll_y, "G": pane.max_scroll_y,
                "pagedown": before + pane.scrollable_content_region.height,
                "pageup": before - pane.scrollable_content_region.height}[key]
    assert after == min(max(0, expected), pane.max_scroll_y), (before, after)
    if key in ("end", "G"):
        assert '"k79"' in walk.text()  # the last field of the entry is on screen


@check("next_match")
async def _next_match(walk: Walk, key: str) -> None:
    """No search: n / N say how to search and leave the place (with one: test_ui_detail_search.py)."""
    pane = walk.viewer.detail
    before = round(pane.scroll_y)
    await walk.press(key)
    assert "/ searches the entries" in walk.notes()[-1]
    assert round(pane.scroll_y) == before


@check("page_down", "page_up")
async def _page(walk: Walk, key: str) -> None:
    if walk.state == "detail_focused":
        await _scroll(walk, key)
        return
    table = walk.viewer.table
    if key == "pageup":
        table.move_to_row(min(len(walk.viewer.view) - 1, 3 + 2 * table.page_rows))
        await walk.pilot.pause()  # type: ignore[attr-defined]
    before = table.cursor_row
    await walk.press(key)
    step = table.cursor_row - before
    assert abs(step) == min(table.page_rows, len(walk.viewer.view) - 1 - before if key == "pagedown" else before)
    assert (step > 0) == (key == "pagedown")


@check("first")
async def _first(walk: Walk, key: str) -> None:
    await walk.press(key)
    assert walk.viewer.table.cursor_row == 0 and round(walk.viewer.table.scroll_y) == 0


@check("last")
async def _last(walk: Walk, key: str) -> None:
    await walk.press(key)
    viewer = walk.viewer
    assert viewer.table.cursor_row == len(viewer.view) - 1
    oldest = viewer.store.entry(viewer.view.ordinal(len(viewer.view) - 1))
    assert viewer.selected_entry() is oldest or viewer.selected_entry().id == oldest.id


@check("activate")
async def _enter(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    opened = viewer.detail.display
    await walk.press(key)
    assert viewer.detail.display
    assert viewer.selected_entry().id in walk.text()  # the entry's fields are on screen
    if opened:  # Enter again: into the pane, to scroll it
        assert viewer.focused is viewer.detail


@check("escape")
async def _escape(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    opened = viewer.detail.display
    await walk.press(key)
    if opened:
        assert not viewer.detail.display and viewer.focused is viewer.table
    else:
        assert viewer.focused is viewer.table and isinstance(walk.app.screen, ViewerScreen)


@check("toggle_banner")
async def _banner(walk: Walk, key: str) -> None:
    """Nothing shown: m says so. A long message: m folds it to two lines, and again shows it all."""
    banner = walk.viewer.banner
    await walk.press(key)
    assert "No message above the table to fold or unfold" in walk.notes()[-1]
    banner.show_notice("a long notice " * 60)
    await walk.press(key)
    assert banner.region.height == 2 and "m shows all" in walk.text()
    await walk.press(key)
    assert banner.region.height > 2 and "m folds" in walk.text()
    banner.clear()


@check("quit_viewer")
async def _quit(walk: Walk, key: str) -> None:
    """Checked in a test of its own (the app ends)."""


@check("help")
async def _help(walk: Walk, key: str) -> None:
    await walk.press(key)
    assert isinstance(walk.app.screen, HelpScreen) and "logview — keys" in walk.text()
    await walk.press(key)  # the same key closes it
    assert isinstance(walk.app.screen, ViewerScreen)


DIALOGS = {"command_palette": CommandPalette, "save": SaveDialog, "pick_columns": ColumnPicker}


@check(*DIALOGS)
async def _dialog(walk: Walk, key: str) -> None:
    """ctrl+p, s, f: the palette, the save dialog, the column picker; Esc leaves each."""
    await walk.press(key)
    assert isinstance(walk.app.screen, DIALOGS[action_name(viewer_keys()[key])])
    await walk.press("escape")
    assert isinstance(walk.app.screen, ViewerScreen)


@check("focus_search")
async def _search(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    await walk.press(key, *"zz9", "enter")
    await settle(walk.pilot)  # type: ignore[arg-type]
    assert viewer.filters.search == "zz9" and viewer.sidebar.query_one("#search", Input).value == "zz9"
    assert "No loaded entries match the filters." in walk.text() or "shown 0" in walk.status_line()


@check("focus_dates")
async def _dates(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    await walk.press(key)
    assert viewer.focused is viewer.sidebar.query_one("#since", Input)
    await walk.press(*"1s", "enter")  # the demo's entries are all older
    await settle(walk.pilot)  # type: ignore[arg-type]
    assert viewer.sidebar.query_one("#since", Input).value == "1s"
    assert "shown 0" in walk.status_line()


@check("toggle_tail")
async def _tail(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    if walk.state == "merged":  # every tab's tail on, then off (s22 walk #11: it only said to press t in a tab)
        tabs = [viewer for viewer in walk.app.viewers[:-1] if viewer.loader.why_no_tail() is None]
        assert tabs
        for _ in range(2):  # on (off if all were on), then the other way
            on = not all(viewer.session.want_tail for viewer in tabs)
            await walk.press(key)
            assert all(viewer.session.want_tail == on for viewer in tabs)
            assert any(("Live tail on in " if on else "Live tail paused in ") in note for note in walk.notes())
        return
    if viewer.feed.file_mode:  # not offered: the footer has no `t`, and the key says why
        before = walk.status_line()
        await walk.press(key)
        footer = walk.text().splitlines()[-1]
        assert "Tail" not in footer and walk.status_line() == before and not viewer.session.want_tail
        assert any("A file has no live tail" in note for note in walk.notes())
        return
    following, place = viewer.session.want_tail, viewer.table.cursor_row
    await walk.press(key)
    viewer.refresh_status()
    await walk.pilot.pause()  # type: ignore[attr-defined]
    if following:
        assert "tail paused" in walk.status_line()
    else:
        assert "live · every" in walk.status_line() and viewer.table.cursor_row == place  # (g jumps)
    await walk.press(key)  # and back
    assert viewer.session.want_tail == following


@check("reload")
async def _reload(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    count = len(viewer.view)
    await walk.press(key)
    await settle(walk.pilot)  # type: ignore[arg-type]
    assert len(viewer.view) == count and f"shown {count:,}" in walk.status_line()
    assert "No entries" not in walk.text()


@check("next_error")
async def _next_error(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    if key == "E":
        viewer.table.move_to_row(len(viewer.view) - 1)
        await walk.pilot.pause()  # type: ignore[attr-defined]
    before = viewer.table.cursor_row
    await walk.press(key)
    after = viewer.table.cursor_row
    assert (after > before) if key == "e" else (after < before)
    assert viewer.store.problem_mask(viewer.view.index[after:after + 1])[0]  # on an error/warning row


@check("where_matches_are")
async def _where_matches(walk: Walk, key: str) -> None:
    """n / N outside the focused detail say where they act (a search's matches, there); nothing moves."""
    before, focused = walk.viewer.table.cursor_row, walk.viewer.focused
    await walk.press(key)
    assert walk.notes()[-1] == "n / N go through a search's matches in the focused detail: / searches first."
    assert walk.viewer.table.cursor_row == before and walk.viewer.focused is focused


@check("toggle_histogram", "toggle_stats")
async def _panel(walk: Walk, key: str) -> None:
    """h / i: the panel opens with its numbers; the same key hides it."""
    panel, shows = (walk.viewer.histogram, "entries") if key == "h" else (walk.viewer.stats, "p95")
    await walk.press(key)
    await settle(walk.pilot)  # type: ignore[arg-type]
    assert panel.display and shows in widget_text(panel)
    await walk.press(key)
    assert not panel.display


@check("clear_pattern_filters")
async def _clear_patterns(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    viewer.apply_filters(viewer.filters.model_copy(update={"tool": "no.such.tool"}))
    await settle(walk.pilot)  # type: ignore[arg-type]
    assert "no.such.tool" in walk.text() and "shown 0" in walk.status_line()
    await walk.press(key)
    await settle(walk.pilot)  # type: ignore[arg-type]
    assert viewer.filters.tool is None and "no.such.tool" not in walk.text()
    assert f"shown {len(viewer.store):,}" in walk.status_line()


@check("choose_connector")
async def _connector(walk: Walk, key: str) -> None:
    await walk.press(key)
    if walk.state == "supermetrics":
        await wait_until(walk.pilot, lambda: isinstance(walk.app.screen, ConnectorPicker))  # type: ignore[arg-type]
        await walk.press("escape")
    elif walk.state == "merged":  # (its tabs each read their own: the one to press it in is named)
        assert any("press c in that tab" in note for note in walk.notes())
    elif walk.viewer.feed.file_mode and walk.viewer.source.kind == "supermetrics":
        assert "A file holds the one connector it was exported from: none to choose." in walk.notes()
    else:
        assert "Only a Supermetrics source has connectors to choose from." in walk.notes()


@check("copy_entry")
async def _copy(walk: Walk, key: str) -> None:
    """OSC 52 always; with no local clipboard command (none is tried here: the walk must not
    depend on the machine, nor fill its clipboard), the message says only that it was sent."""
    copied: list[str] = []
    walk.app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    with mock.patch.object(clipboard, "CLIPBOARD_COMMANDS", ()):
        await walk.press(key)
        await wait_until(walk.pilot, lambda: bool(walk.notes()))  # type: ignore[arg-type]
    assert walk.notes() == ["Sent the selected entry to the terminal's clipboard (OSC 52) — if your terminal "
                            "blocks that, s saves the entries shown to a file."]
    assert json.loads(copied[0]) == walk.viewer.selected_entry().raw


@check("clear_status")
async def _clear_status(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    await walk.press("2")
    assert viewer.filters.statuses
    await walk.press(key)
    await settle(walk.pilot)  # type: ignore[arg-type]
    assert viewer.filters.statuses == () and "●" not in sidebar_text(walk)


@check("toggle_status")
async def _status(walk: Walk, key: str) -> None:
    viewer = walk.viewer
    index = int(key) - 1
    options = viewer.session.status_options
    await walk.press(key)
    await settle(walk.pilot)  # type: ignore[arg-type]
    if index >= len(options):  # no such option: nothing changes, and the user is told
        assert viewer.filters.statuses == () and any("No status option" in note for note in walk.notes())
        return
    assert viewer.filters.statuses == (options[index],)
    assert f"● {options[index]}" in sidebar_text(walk)
    shown = viewer.store.entries(viewer.view.index[:50])
    assert all(viewer.source.status_matches(e.status, options[index]) for e in shown)


@check("switch_tab")
async def _tab(walk: Walk, key: str) -> None:
    app = walk.app
    if len(app.viewers) < 2:
        before = app.screen
        await walk.press(key)
        assert app.screen is before and any("One source is open" in note for note in walk.notes())
        return
    index = app.viewers.index(app.screen)
    await walk.press(key)
    step = 1 if key == "right_square_bracket" else -1
    assert app.screen is app.viewers[(index + step) % len(app.viewers)]


def sidebar_text(walk: Walk) -> str:
    return "\n".join(widget_text(option) for option in walk.viewer.sidebar.query("StatusOption"))




@check("toggle_sidebar")
async def _sidebar(walk: Walk, key: str) -> None:
    """b: the sidebar folds away and one line says the filters; the table takes the width; again: back."""
    viewer = walk.viewer
    width = viewer.table.size.width
    await walk.press(key)
    assert not viewer.sidebar.display and viewer.browser.filter_line.display and viewer.table.size.width > width
    await walk.press(key)
    assert viewer.sidebar.display and viewer.table.size.width == width


@check("shift")
async def _sideways(walk: Walk, key: str) -> None:
    """← →: at 80 columns, the columns that do not fit are reached sideways; the entry stays."""
    table, pilot = walk.viewer.table, walk.pilot
    await pilot.resize_terminal(80, 24)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    try:
        entry, layout = walk.viewer.selected_entry(), table.table_layout()
        if key == "left":
            await walk.press("right")
        before = table.shift
        await walk.press(key)
        if layout.off_screen:
            assert (table.shift > before) if key == "right" else (table.shift < before)
        else:  # everything fits: nothing to scroll to
            assert table.shift == before == 0
        assert walk.viewer.selected_entry() is entry
    finally:
        table.drawing.shift = 0
        await pilot.resize_terminal(160, 48)  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
