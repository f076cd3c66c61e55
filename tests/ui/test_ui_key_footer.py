"""The footer of keys follows the focus, is redrawn only when the keys it shows change, and
answers the pointer as Textual's footer does: a click presses a key, the key under the pointer is
highlighted, the wheel shows keys that do not fit."""

from __future__ import annotations

from textual import events
from textual.binding import Binding

from logview.demo import DemoServer
from logview.ui.screens.help import HelpScreen
from logview.ui.widgets.key_footer import PALETTE_RULE, KeyFooter, footer_items
from ui_helpers import SIZE, make_app, screen_text, settle


def wheel(kind, footer: KeyFooter) -> events.MouseEvent:
    """A notch of the wheel over the footer's third column (the pilot has no wheel)."""
    return kind(footer, 2, 0, 0, 1 if kind is events.MouseScrollDown else -1, 0, False, False, False)


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


def footer_of(app) -> KeyFooter:
    return app.viewer.query_one(KeyFooter)


def column_of(app, text: str) -> int:
    column = footer_line(app).index(text)
    assert column >= 0
    return column


async def test_the_footer_follows_the_focus_and_comes_back(demo: DemoServer) -> None:
    app = make_app(demo, "aitronos")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table_footer = footer_line(app)
        assert "Search" in table_footer and "Group by" not in table_footer
        await pilot.press("i")  # the stats panel takes the focus: its own keys appear
        await settle(pilot)
        assert "Group by" in footer_line(app)
        await pilot.press("i")
        await settle(pilot)
        assert app.viewer.focused is app.viewer.table
        assert footer_line(app) == table_footer


async def test_the_footer_draws_each_key_then_its_description_and_the_palette_on_the_right(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = footer_line(app)
        assert line.startswith(" ⏎ Detail  q Quit  ? Help  r Reload  b Filters ")
        assert line.rstrip().endswith(f"{PALETTE_RULE}^p palette")
        footer = footer_of(app)
        keys = [item.display for item in footer.items]
        assert keys[:5] == ["⏎", "q", "?", "r", "b"] and len(keys) == len(set(keys))
        assert footer.palette is not None and footer.palette.description == "palette"
        strip = footer.render_line(0)
        bold = [segment for segment in strip if segment.style and segment.style.bold]
        assert [segment.text for segment in bold][:3] == [" ⏎ ", " q ", " ? "]  # the keys bold, not the words


async def test_signals_that_change_no_key_leave_the_footer_as_it_is(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = footer_of(app)
        before = footer.items
        assert before
        for _ in range(3):  # what focus moves and screen resumes send, with the same keys
            app.viewer.refresh_bindings()
        app.viewer.set_focus(app.viewer.table)
        await settle(pilot)
        assert footer.items is before  # not rebuilt
        assert "Quit" in footer_line(app)


async def test_a_click_on_a_key_presses_it(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = footer_of(app)
        await pilot.click(KeyFooter, offset=(column_of(app, "Help"), 0))
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.viewer
        await pilot.click(KeyFooter, offset=(column_of(app, " h ") + 1, 0))  # on the key itself
        await settle(pilot)
        assert app.viewer.histogram.display
        blank = len(footer_line(app).rstrip()) - len(f"{PALETTE_RULE}^p palette") - 3
        assert footer.item_at(blank) is None  # between the keys and the palette: nothing
        await pilot.click(KeyFooter, offset=(blank, 0))
        await settle(pilot)
        assert app.screen is app.viewer and app.viewer.histogram.display


async def test_the_key_under_the_pointer_is_highlighted_with_its_tooltip(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = footer_of(app)
        column = column_of(app, "Quit")
        plain = footer.render_line(0)
        await pilot.hover(KeyFooter, offset=(column, 0))
        await pilot.pause()
        hovered = footer.render_line(0)
        quit_item = footer.item_at(column)
        assert quit_item is not None and quit_item.key == "q"

        def background_at(strip, x: int):
            for segment in strip.crop(x, x + 1):
                return segment.style.bgcolor

        assert background_at(hovered, column) != background_at(plain, column)
        assert background_at(hovered, column_of(app, "Help")) == background_at(plain, column_of(app, "Help"))
        assert footer.tooltip is None  # (the viewer's keys have none)
        await pilot.hover(KeyFooter, offset=(column_of(app, "^p"), 0))
        await pilot.pause()
        assert footer.palette is not None and footer.tooltip == footer.palette.tooltip == "Open the command palette"
        await pilot.hover(app.viewer.table)
        await pilot.pause()
        assert background_at(footer.render_line(0), column) == background_at(plain, column)
        assert footer.tooltip is None


async def test_a_disabled_key_is_dimmed_and_a_click_on_it_only_rings(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = footer_of(app)
        viewer = app.viewer
        checked = viewer.check_action

        def refuse_quit(action: str, parameters):
            return None if action == "quit_viewer" else checked(action, parameters)  # None: shown, disabled

        viewer.check_action = refuse_quit
        viewer.refresh_bindings()
        await settle(pilot)
        quit_item = next(item for item in footer.items if item.key == "q")
        assert not quit_item.enabled
        dim = [segment.text for segment in footer.render_line(0) if segment.style and segment.style.dim]
        assert dim == [" q ", "Quit "]
        bells: list[None] = []
        app.bell = lambda: bells.append(None)
        await pilot.click(KeyFooter, offset=(column_of(app, "Quit"), 0))
        await settle(pilot)
        assert bells and app.is_running


async def test_keys_that_do_not_fit_are_cut_whole_and_the_wheel_shows_them(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = footer_of(app)
        line = footer_line(app)
        assert len(line) <= 80 and line.rstrip().endswith(f"{PALETTE_RULE}^p palette")
        last = footer.items[-1]
        assert f" {last.display} {last.description}" not in line  # the last keys do not fit
        shown = [item for item in footer.items if f" {item.display} {item.description} " in line]
        assert shown == list(footer.items[:len(shown)])  # whole keys, from the first
        for _ in range(len(footer.items)):
            footer.post_message(wheel(events.MouseScrollDown, footer))
        await pilot.pause()
        line = footer_line(app)
        assert f" {last.display} {last.description}" in line and " q Quit" not in line
        assert line.rstrip().endswith(f"{PALETTE_RULE}^p palette")
        for _ in range(len(footer.items)):
            footer.post_message(wheel(events.MouseScrollUp, footer))
        await pilot.pause()
        assert footer_line(app).startswith(" ⏎ Detail  q Quit ")


def test_an_action_with_two_keys_is_drawn_once_and_hidden_keys_not_at_all() -> None:
    from types import SimpleNamespace

    quit_key, quit_again = Binding("q", "quit", "Quit"), Binding("ctrl+q", "quit", "Quit")
    hidden, palette = Binding("x", "hidden", "Hidden", show=False), Binding("ctrl+p", "command_palette", "palette")
    app = SimpleNamespace(ENABLE_COMMAND_PALETTE=True, COMMAND_PALETTE_BINDING="ctrl+p",
                          get_key_display=lambda binding: binding.key.upper())
    active = {binding.key: (None, binding, True, "") for binding in (quit_key, quit_again, hidden, palette)}
    items, shown_palette = footer_items(app, active)
    assert [(item.key, item.display) for item in items] == [("q", "Q")]
    assert shown_palette is not None and shown_palette.key == "ctrl+p" and shown_palette.tooltip == "palette"
    app.ENABLE_COMMAND_PALETTE = False
    assert footer_items(app, active)[1] is None


async def test_under_a_dialog_the_footer_lists_the_dialogs_keys(demo: DemoServer, tmp_path) -> None:
    """Found in a walk: under the help, the column picker or the save dialog the footer still listed
    the viewer's keys (`q Quit`, `b Filters`…), which there close the help, do nothing, or are
    typed into the file name."""
    from logview.ui.screens.confirm import ConfirmReplace
    from test_ui_save_dialogs import type_save_name

    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer_footer = footer_line(app)
        dialogs = {"question_mark": " esc Close ", "f": " ⏎ Apply  space Toggle  esc Cancel  d Defaults  ⇧↑ ⇧↓ Reorder ",
                   "s": " ⏎ Save  esc Cancel "}  # (each dialog's main key too: found in a walk)
        for key, keys in dialogs.items():
            await pilot.press(key)
            await settle(pilot)
            assert footer_line(app).rstrip() == keys.rstrip(), key
            await pilot.press("escape")
            await settle(pilot)
            assert footer_line(app) == viewer_footer  # back on the viewer: its keys again
        await pilot.press("ctrl+p")  # Textual's command palette: the viewer's footer under it lists its keys
        await settle(pilot)
        assert footer_line(app).rstrip() == " ↑↓ Move  ⏎ Run  esc Close"  # (was blank: found in a walk)
        await pilot.press("escape")
        await settle(pilot)
        assert footer_line(app) == viewer_footer
        (tmp_path / "taken.jsonl").write_text("")
        await type_save_name(pilot, str(tmp_path / "taken.jsonl"))
        assert isinstance(app.screen, ConfirmReplace)
        assert footer_line(app).rstrip() == " y Replace  esc Cancel"  # (Enter presses the focused button)


async def test_a_dialog_s_footer_is_right_from_its_first_frame(demo: DemoServer, monkeypatch) -> None:
    """s16 C3: while a 1M file was read the column picker's footer was `esc Cancel ⏎ Apply
    d Defaults` for half a second (its own keys without its list's, focused once mounted)."""
    from logview.ui.screens.column_picker import ColumnPicker

    drawn: list[str] = []
    render = KeyFooter.render

    def recorded(footer: KeyFooter):
        line = render(footer)
        if isinstance(footer.screen, ColumnPicker):
            drawn.append(line.plain.rstrip())
        return line

    monkeypatch.setattr(KeyFooter, "render", recorded)
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert drawn and set(drawn) == {" ⏎ Apply  space Toggle  esc Cancel  d Defaults  ⇧↑ ⇧↓ Reorder"}, drawn
