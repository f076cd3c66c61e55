"""The column picker (f): the source's columns and the fields found in the data, chosen with the
keyboard, shown in the table, and remembered per API."""

from __future__ import annotations

import json

from logview.settings.column_choice import ColumnChoice
from logview.demo import DemoServer
from logview.model import Filters
from logview.options import ViewerOptions
from logview.files.jsonl import source_for_kind
from logview.ui.app import LogViewApp
from logview.ui.screens.column_picker import ColumnPicker
from ui_helpers import FAST, SIZE, connection, screen_text, settle, table_lines


def app_with(server: DemoServer, choice: ColumnChoice, kind: str = "aitronos") -> LogViewApp:
    options = ViewerOptions(filters=Filters(), connection=connection(server, kind))
    return LogViewApp(options, policy=FAST, column_choice=choice)


def header(app) -> list[str]:
    return table_lines(app)[0].split()


async def pick(pilot, app, wanted: set[str]) -> None:
    """In the open picker, make exactly `wanted` (by title) selected, then apply."""
    options = app.screen.query_one("#columns-list")
    for index in range(options.option_count):
        option = options.get_option_at_index(index)
        if (str(option.prompt) in wanted) != (option.value in options.selected):
            options.highlighted = index
            await pilot.press("space")
    await pilot.press("enter")
    await pilot.pause()


async def test_f_offers_the_fields_found_in_the_data_and_the_table_follows(demo: DemoServer, tmp_path) -> None:
    choice = ColumnChoice(tmp_path / "columns.json")
    app = app_with(demo, choice)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert header(app) == ["time", "status", "tool", "duration", "error", "credential"]
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ColumnPicker)
        text = screen_text(app)
        for field in ("organization_id", "user_id", "connector", "metadata", "inputs", "output"):
            assert field in text  # found in the entries
        assert "created_at" not in text  # the time has its own column
        await pick(pilot, app, {"tool", "connector", "user_id"})
        assert header(app) == ["time", "status", "tool", "user_id", "connector"]  # in the list's order
        first = demo.state.aitronos_logs[0]
        row = table_lines(app)[1]
        assert first["connector"] in row and first["user_id"] in row
        assert choice.load("aitronos") == ["tool", "field:user_id", "field:connector"]
    again = app_with(demo, choice)  # remembered for the next start
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert header(again) == ["time", "status", "tool", "user_id", "connector"]
        await pilot.press("f", "d", "enter")  # back to the defaults, applied
        await pilot.pause()
        assert header(again) == ["time", "status", "tool", "duration", "error", "credential"]
        assert choice.load("aitronos") is None


def picker_rows(app) -> dict[str, str]:
    """The picker's rows as a plain terminal shows them, title → its mark (`[x]` or `[ ]`)."""
    box = app.screen.query_one("#columns-list").region
    rows = [line[box.x:box.right].strip(" ▊▎") for line in screen_text(app).splitlines()[box.y:box.bottom]]
    return {row[4:].strip(): row[:3] for row in rows if row[:3] in ("[x]", "[ ]")}


async def test_ticks_read_without_colour_and_d_restores_the_defaults_without_closing(demo: DemoServer,
                                                                                     tmp_path) -> None:
    choice = ColumnChoice(tmp_path / "columns.json")
    choice.save("aitronos", ["tool", "field:user_id"])
    app = app_with(demo, choice)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        rows = picker_rows(app)
        assert list(rows)[:2] == ["tool", "user_id"]  # the chosen ones first
        assert {title for title, mark in rows.items() if mark == "[x]"} == {"tool", "user_id"}
        assert rows["credential"] == "[ ]" and rows["connector"] == "[ ]"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ColumnPicker)  # still open: d only sets the ticks
        rows = picker_rows(app)
        assert list(rows)[:4] == ["tool", "duration", "error", "credential"]
        assert {title for title, mark in rows.items() if mark == "[x]"} == {"credential", "tool", "duration", "error"}
        await pilot.press("escape")  # cancelled: nothing changes, nothing is written
        await pilot.pause()
        assert header(app) == ["time", "status", "tool", "user_id"]
        assert choice.load("aitronos") == ["tool", "field:user_id"]
        await pilot.press("f", "d", "enter")
        await pilot.pause()
        assert header(app) == ["time", "status", "tool", "duration", "error", "credential"]
        assert choice.load("aitronos") is None


async def test_choices_are_per_api_and_escape_changes_nothing(demo: DemoServer, tmp_path) -> None:
    choice = ColumnChoice(tmp_path / "columns.json")
    choice.save("aitronos", ["tool"])
    app = app_with(demo, choice, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert header(app) == ["time", "status", "event", "duration", "request"]
        await pilot.press("f")
        await pilot.pause()
        assert "request_id" in screen_text(app)
        await pilot.press("space", "escape")
        await pilot.pause()
        assert header(app) == ["time", "status", "event", "duration", "request"]
        assert choice.load("supermetrics") is None and choice.load("aitronos") == ["tool"]


async def test_hostile_field_names_are_plain_text(tmp_path) -> None:
    rows = [{"id": f"x{i}", "created_at": "2025-11-15T10:00:00Z", "status": "error",
             "[@click=app.quit]\x1b]2;pwned\x07": f"[bold]v{i}"} for i in range(5)]
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    choice = ColumnChoice(tmp_path / "columns.json")
    options = ViewerOptions(filters=Filters(), file=path, file_source="aitronos")
    app = LogViewApp(options, source=source_for_kind("aitronos"), file_kind="aitronos", column_choice=choice)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert "[@click=app.quit]]2;pwned" in screen_text(app)
        await pick(pilot, app, {"status", "[@click=app.quit]]2;pwned"} | {"tool"})
        assert app.is_running
        assert "[@click=app.quit]]2;pwned" in table_lines(app)[0] and "[bold]v0" in table_lines(app)[1]
        assert "\x1b" not in screen_text(app)


async def test_the_status_field_is_not_offered_twice(demo: DemoServer, tmp_path) -> None:
    """status always has its column: the picker does not offer it as a field, and an old choice
    that names it does not add a second status column."""
    for kind in ("aitronos", "supermetrics"):
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps({kind: ["field:status", "field:id"]}))
        app = app_with(demo, ColumnChoice(path), kind)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert header(app) == ["time", "status", "id"]
            await pilot.press("f")
            await pilot.pause()
            options = app.screen.query_one("#columns-list")
            titles = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            assert "status" not in titles and "id" in titles


async def test_at_80_by_24_the_list_scrolls_and_its_keys_stay_in_view(demo: DemoServer, tmp_path) -> None:
    """The box cut the list off at 24 lines: the highlight went out of sight, the keys line too,
    and Space toggled a field the user could not see (found in a walk)."""
    app = app_with(demo, ColumnChoice(tmp_path / "columns.json"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause(0.3)
        assert isinstance(app.screen, ColumnPicker)
        options = app.screen.query_one("#columns-list")
        assert options.option_count > 10  # (more than fit)
        for index in (options.option_count - 1, 0, options.option_count // 2):
            options.highlighted = index
            await pilot.pause(0.1)
            text = screen_text(app)
            assert str(options.get_option_at_index(index).prompt) in text, (index, text)
            lines = text.splitlines()
            keys = next(i for i, line in enumerate(lines) if "Space toggles" in line)
            assert "cancels" in lines[keys] + lines[keys + 1], text  # (the keys line, wrapped, whole)


async def test_on_a_narrow_screen_the_last_chosen_column_gives_way_first(demo: DemoServer, tmp_path) -> None:
    """Found in a walk (s21 #13): `inputs` ticked with f, then the terminal at 120 columns, and
    `credential`, the first of the chosen columns, was gone while `inputs`, the last, stayed."""
    choice = ColumnChoice(tmp_path / "columns.json")
    choice.save("aitronos", ["credential", "tool", "duration", "message"])  # (the credential moved first)
    app = app_with(demo, choice)
    async with app.run_test(size=(200, 48)) as pilot:  # (wide enough for all of them beside the sidebar)
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        await pick(pilot, app, {"credential", "tool", "duration", "error", "inputs"})
        assert header(app) == ["time", "status", "credential", "tool", "duration", "error", "inputs"]
        for width, height in ((120, 40), (100, 30), (80, 24)):
            await pilot.resize_terminal(width, height)
            await settle(pilot)
            shown = header(app)
            assert "credential" in shown and "inputs" not in shown, (width, shown)
        await pilot.resize_terminal(200, 48)
        await settle(pilot)
        assert header(app) == ["time", "status", "credential", "tool", "duration", "error", "inputs"]


async def test_shift_arrows_and_k_j_move_a_column_and_the_table_follows_the_lists_order(demo: DemoServer,
                                                                                        tmp_path) -> None:
    """A field added came after the source's columns for good: the list's order is now the columns'."""
    choice = ColumnChoice(tmp_path / "columns.json")
    choice.save("aitronos", ["tool", "field:user_id", "field:connector"])
    app = app_with(demo, choice)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert header(app) == ["time", "status", "tool", "user_id", "connector"]
        await pilot.press("f")
        await pilot.pause()
        ticks = app.screen.query_one("#columns-list")
        ticks.highlighted = 2  # connector
        await pilot.press("K", "shift+up")  # to the top, the highlight with it
        assert ticks.highlighted == 0
        await pilot.press("K")  # already at the top: nothing moves
        assert [ticks.get_option_at_index(i).value for i in range(3)] == ["field:connector", "tool", "field:user_id"]
        await pilot.press("j", "J")  # the highlight down to tool, then tool below user_id
        assert [ticks.get_option_at_index(i).value for i in range(3)] == ["field:connector", "field:user_id", "tool"]
        assert set(ticks.selected) == {"tool", "field:user_id", "field:connector"}  # the ticks moved with their rows
        await pilot.press("shift+down")  # tool below the first unticked row: not shown, so last of the shown
        await pilot.press("enter")
        await pilot.pause()
        assert header(app) == ["time", "status", "connector", "user_id", "tool"]
        assert choice.load("aitronos") == ["field:connector", "field:user_id", "tool"]
        await pilot.press("f")
        await pilot.pause()
        ticks = app.screen.query_one("#columns-list")
        assert [ticks.get_option_at_index(i).value for i in range(3)] == ["field:connector", "field:user_id", "tool"]
        await pilot.press("escape")
