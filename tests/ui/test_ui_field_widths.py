"""A column of a field (`f`) is as wide as the values it shows (up to FIELD_WIDEST), not a fixed 16
cells: an id cut to `6b171820-b0c1e0…` beside a request column with room to spare (found in a walk)."""

from __future__ import annotations

import orjson
import pytest

from logview.demo import DemoServer
from logview.files.jsonl import detect_kind, source_for_kind
from logview.model import Filters
from logview.options import ViewerOptions
from logview.settings.column_choice import ColumnChoice
from logview.store import EntryStore, FilteredView
from logview.ui.app import LogViewApp
from logview.ui.cells import columns_for, field_column
from logview.ui.table_layout import FIELD_WIDEST, field_widths, fit, with_field_widths
from test_ui_columns import app_with, header, pick
from ui_helpers import SIZE, settle, table_lines


def file_app_with(path, choice: ColumnChoice) -> LogViewApp:
    kind = detect_kind(path)
    options = ViewerOptions(filters=Filters(), file=path, file_source=kind)
    return LogViewApp(options, source=source_for_kind(kind), file_kind=kind, column_choice=choice)


async def test_a_remembered_field_shows_whole_ids(demo: DemoServer, tmp_path) -> None:
    choice = ColumnChoice(tmp_path / "columns.json")
    choice.save("aitronos", ["tool", "field:id", "message"])  # (the error's column takes the spare width)
    app = app_with(demo, choice)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert header(app) == ["time", "status", "tool", "id", "error"]
        rows = table_lines(app)[1:6]
        for row, entry in zip(rows, demo.state.aitronos_logs):
            assert entry["id"] in row, (entry["id"], row)  # whole: 28 characters, not 15 and `…`


async def test_a_field_picked_with_f_is_sized_to_its_values(demo: DemoServer, tmp_path) -> None:
    choice = ColumnChoice(tmp_path / "columns.json")
    app = app_with(demo, choice, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        await pick(pilot, app, {"event", "request", "duration", "id"})
        assert header(app)[-1] == "id"
        newest = demo.state.supermetrics_logs[0]
        assert newest["id"] in table_lines(app)[1]


@pytest.mark.parametrize("width", [100, 80])
async def test_on_a_narrower_screen_the_field_still_gives_way_as_any_column(demo: DemoServer, tmp_path,
                                                                            width: int) -> None:
    choice = ColumnChoice(tmp_path / "columns.json")
    choice.save("aitronos", ["tool", "message", "field:id"])
    app = app_with(demo, choice)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        assert all(len(line.rstrip()) <= width for line in lines)
        assert header(app)[:3] == ["time", "status", "tool"]  # the essential columns stay


async def test_a_file_with_a_remembered_field(tmp_path) -> None:
    path = tmp_path / "sm.jsonl"
    lines = [{"id": f"{index:08d}-4b5a-6978-8796-a5b4c3d2e1f0", "log_time": f"2025-11-15T10:{59 - index:02d}:00Z",
              "event": "data.page", "status": 200, "request": "GET /v2/reports", "duration_ms": 12,
              "request_id": "r", "note": f"{index} " + "words " * 12} for index in range(30)]
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    choice = ColumnChoice(tmp_path / "columns.json")
    choice.save("supermetrics", ["event", "field:id", "field:note", "field:request_id"])
    app = file_app_with(path, choice)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = table_lines(app)[1]
        assert lines[0]["id"] in row  # a UUID's 36 characters whole
        assert "0 words words w… " in row  # 74 characters, cut whatever the width: its column stays at 16
        assert header(app) == ["time", "status", "event", "id", "note", "request_id"]


def store_of(entries: list[dict]) -> FilteredView:
    source = source_for_kind("aitronos")
    store = EntryStore(source)
    store.append([source.entry_from_raw(entry) for entry in entries])
    return FilteredView(store)


def test_field_widths_show_the_values_whole_where_most_fit() -> None:
    entries = [{"id": f"log_{index}", "created_at": "2025-11-15T10:00:00Z", "status": "success",
                "user_id": "u" * (5 + index), "note": "x" * 90 if index == 3 else "short",
                "blob": "y" * (41 + index)} for index in range(10)]
    view = store_of(entries)
    columns = (*columns_for("aitronos", ["tool"]), field_column("user_id"), field_column("note"),
               field_column("blob"), field_column("absent"))
    widths = dict(field_widths(columns, view))
    assert widths["field:user_id"] == 14  # "u" * 14, the widest
    assert widths["field:note"] == 5  # nine of ten whole ("short"); the one of 90 is cut
    assert "field:blob" not in widths  # none fits FIELD_WIDEST: cut anyway, its column keeps its 16
    assert "field:absent" not in widths  # no value seen: its column keeps its width
    fitted = {c.key: c.width for c in with_field_widths(columns, tuple(widths.items()))}
    assert fitted["field:user_id"] == 14 and fitted["field:blob"] == field_column("blob").width == 16
    assert all(width <= FIELD_WIDEST for width in widths.values())
    layout = fit(with_field_widths(columns, tuple(widths.items())), 60)  # narrow: they give way
    assert layout.shown <= 60


def test_field_widths_want_rows_and_field_columns() -> None:
    columns = (*columns_for("aitronos", ["tool"]), field_column("user_id"))
    assert field_widths(columns, None) == ()
    assert field_widths(columns, store_of([])) == ()
    assert field_widths(columns_for("aitronos", None), store_of([{"id": "a", "created_at": "2025-11-15T10:00:00Z"}])) == ()


async def test_a_files_huge_lines_are_not_read_for_the_widths(tmp_path, monkeypatch) -> None:
    """The sample is read on the UI thread: lines over FIELD_LINE_MOST are left out (200 lines of 50 MB
    would be 10 GB read and parsed to size a column)."""
    from logview.ui.table_layout import FIELD_LINE_MOST

    path = tmp_path / "big-lines.jsonl"
    lines = [{"id": f"{index:08d}-4b5a-6978-8796-a5b4c3d2e1f0", "log_time": f"2025-11-15T10:{59 - index:02d}:00Z",
              "event": "data.page", "status": 200, "request": "GET /x", "duration_ms": 1,
              "pad": "x" * (FIELD_LINE_MOST if index % 3 else 10)} for index in range(60)]
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    choice = ColumnChoice(tmp_path / "columns.json")
    choice.save("supermetrics", ["event", "field:id", "request"])
    app = file_app_with(path, choice)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = app.viewer
        asked: list[int] = []
        entries = viewer.store.entries
        monkeypatch.setattr(viewer.store, "entries", lambda ordinals: asked.extend(ordinals.tolist()) or entries(ordinals))
        widths = dict(field_widths(viewer.table.columns, viewer.view))
        assert widths == {"field:id": 36}
        assert len(asked) == 20 and all(lines[ordinal]["pad"] == "x" * 10 for ordinal in asked)  # the short ones
