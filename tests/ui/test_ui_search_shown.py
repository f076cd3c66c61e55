"""`/` finds what the table shows (found in a walk: a request shown `GET /bidievil` held U+202E between
`bidi` and `evil`, and `/bidievil` found nothing). A cell leaves control and bidi characters out and
shows a tab or a carriage return as a space: typed as shown, the entry is found — from a file (the
character written as it is or escaped), from an API, and from the archive at a relaunch — and the
detail marks the match."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from logview.archive import Archive
from logview.demo import DemoServer
from test_ui_archived_rows import archived_app
from test_ui_detail_search import marked_cells
from ui_helpers import (FIXED_NOW, SIZE, file_app, kept_toasts, make_app, screen_text, serving, settle, table_lines,
                        wait_until)

# each entry's request, how it is written in the file or served, and what its cell shows
REQUESTS = [
    ("GET /bidi\u202eevil", orjson.dumps, "GET /bidievil"),
    ("GET /esc\u202eaped", lambda raw: json.dumps(raw).encode(), "GET /escaped"),  # (`\u202e` in the JSON)
    ("GET /tab\there", orjson.dumps, "GET /tab here"),
    ("GET /cr\rhere", orjson.dumps, "GET /cr here"),
    ("GET /plain", orjson.dumps, "GET /plain"),
]


def lines() -> list[bytes]:
    return [write({"id": f"s{n}", "log_time": (FIXED_NOW - timedelta(minutes=n + 1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                   "status": 200, "event": "data.page", "request": request, "duration_ms": 12})
            for n, (request, write, _) in enumerate(REQUESTS)]


async def search(pilot, text: str) -> list[str]:
    """`/`, `text` typed, Enter (after `/` Escape cleared the search before): the ids of the rows the
    table then holds."""
    viewer = pilot.app.viewer
    await pilot.press("slash", "escape")
    await wait_until(pilot, lambda: not viewer.session.filters.search)
    await pilot.press("slash", *["space" if char == " " else char for char in text], "enter")
    await wait_until(pilot, lambda: viewer.session.filters.search == text, said=lambda: viewer.session.filters.search)
    await settle(pilot)
    return [viewer.store.entry(int(o)).id for o in viewer.view.index]


async def found_as_shown(pilot) -> None:
    """Each request found by what its cell shows, which is what the table shows of it."""
    for n, (_, _, shown) in enumerate(REQUESTS):
        assert await search(pilot, shown) == [f"s{n}"], shown
        assert any(shown in line for line in table_lines(pilot.app)), (shown, table_lines(pilot.app))
    assert await search(pilot, "bidi evil") == []  # (what is left out is no space)


async def test_a_file_entry_is_found_by_what_its_cell_shows_and_marked_in_its_detail(tmp_path: Path) -> None:
    path = tmp_path / "shown.jsonl"
    path.write_bytes(b"\n".join(lines()) + b"\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await found_as_shown(pilot)
        for shown in ("GET /bidievil", "tab here"):
            await search(pilot, shown)
            await pilot.press("enter", "enter")  # (the detail, then its focus)
            await wait_until(pilot, lambda: app.viewer.detail.needle == shown)
            await settle(pilot)
            # marked in the summary under the title and in the field (its tab drawn as spaces to the next stop)
            assert [" ".join(run.split()) for run in marked_cells(app)] == [shown, shown], marked_cells(app)
            await pilot.press("escape", "escape")


@pytest.fixture
def shown_server() -> Iterator[DemoServer]:
    """A server of the entries (each served as the file writes it)."""
    with serving(supermetrics=[(FIXED_NOW - timedelta(minutes=n + 1), line) for n, line in enumerate(lines())]) as server:
        yield server


async def test_an_api_entry_is_found_by_what_its_cell_shows(shown_server: DemoServer) -> None:
    app = make_app(shown_server, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.viewer.view) == len(REQUESTS)
        await found_as_shown(pilot)


async def test_an_archived_entry_is_found_by_what_its_cell_shows(shown_server: DemoServer, tmp_path: Path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(shown_server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert len(first.viewer.store) == len(REQUESTS)
        app = archived_app(shown_server, archive)  # a relaunch: the rows read back from the archive
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            store = app.viewer.store
            assert len(store) == len(REQUESTS) and store.span("backing", store.head, store.tail).all()
            await found_as_shown(pilot)


async def test_the_detail_shows_a_carriage_return_as_a_line_break_and_marks_the_search_there(tmp_path: Path) -> None:
    """The table shows `GET /cr\\rhere` as `GET /cr here`, and `/cr here` finds it; the detail left the
    carriage return out, `GET /crhere`, the words run together and the search marked only in the summary
    (`n`: "matches only the summary"; found in a walk). Shown as the line break it is, it is marked there."""
    path = tmp_path / "shown.jsonl"
    path.write_bytes(b"\n".join(lines()) + b"\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert await search(pilot, "cr here") == ["s3"]
        await pilot.press("enter", "enter")  # (the detail, then its focus)
        await wait_until(pilot, lambda: app.viewer.detail.needle == "cr here")
        await settle(pilot)
        rows = [row.rstrip() for row in screen_text(app).splitlines()]
        at = next(n for n, row in enumerate(rows) if row.endswith(("GET /cr", "GET /crhere")))
        assert rows[at].endswith("request      GET /cr") and rows[at + 1].endswith("▕              here"), rows[at:at + 2]
        assert marked_cells(app) == ["cr here", "cr", "here"], marked_cells(app)  # (the summary, then the field's two lines)
        await pilot.press("n")
        await wait_until(pilot, lambda: "the only match" in str(app.viewer.detail.border_title),
                         said=lambda: (app.viewer.detail.border_title, kept_toasts(app)))
