"""The sidebar while a file's fields are read: partial counts repaint at most every
PARTIAL_COUNTS_EVERY_S (each repaint is UI time the reader and the keys need), while a change of
selection and the final counts show at once."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

import logview.ui.widgets.sidebar as sidebar_module
from logview.files.columns import ColumnChunk
from logview.model import Filters
from logview.session.viewer_session import SidebarCounts
from logview.ui.widgets.sidebar import FilterSidebar, StatusOption
from test_ui_file_reload import demo_entries, write_entries
from ui_helpers import SIZE, file_app, screen_text, settle, wait_until

OPTIONS = ("success", "error")


@dataclass
class FakeStore:
    rows: int
    ready: int
    head: int = 0

    def __len__(self) -> int:
        return self.rows

    @property
    def fields_read(self) -> int:  # (as `RowBuffer.fields_read`)
        return self.ready - self.head

    def facet_values(self, facet: str) -> list[str]:
        return []


@dataclass
class FakeSession:
    store: FakeStore
    counts: list[int]
    selected: set[int] = field(default_factory=set)
    filters: Filters = field(default_factory=Filters)
    fields_shown: int | None = None  # (set by the sidebar: the rows its counts cover)

    def sidebar_counts(self) -> SidebarCounts:
        ready = self.store.ready - self.store.head
        pending = len(self.store) - (ready if self.fields_shown is None else min(ready, self.fields_shown))
        note = f"counting … {pending:,} to go" if pending else "none selected = all"
        return SidebarCounts(list(self.counts), set(self.selected), note)

    def pattern_filters(self) -> list[tuple[str, str]]:
        return []


class SidebarApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FilterSidebar(OPTIONS, "credential", {"status": "local"}, id="sidebar")


def shown(app: SidebarApp) -> tuple[list[int | None], list[bool], str]:
    options = sorted(app.query(StatusOption), key=lambda option: option.index)
    note = app.query_one("#status-note", Static).content
    return [o.count for o in options], [o.selected for o in options], getattr(note, "plain", str(note))


@pytest.mark.asyncio
async def test_partial_counts_wait_selection_and_final_counts_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(sidebar_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))  # (its clock only)
    # (and an interval no real timer ends within the test: the one that shows held counts)
    monkeypatch.setattr(sidebar_module, "PARTIAL_COUNTS_EVERY_S", 60.0)
    app = SidebarApp()
    async with app.run_test() as pilot:
        sidebar = app.query_one(FilterSidebar)
        session = FakeSession(FakeStore(rows=1000, ready=100), counts=[90, 10])
        sidebar.show_session(session)
        await pilot.pause()
        assert shown(app) == ([90, 10], [False, False], "counting … 900 to go")
        # more fields read a moment later: the partial counts wait, and what is left to count
        # with them (it said 500 to go beside counts of 100: walk s19 #11) ...
        session.store.ready, session.counts = 500, [450, 50]
        clock[0] += 0.1
        sidebar.show_session(session)
        await pilot.pause()
        assert shown(app) == ([90, 10], [False, False], "counting … 900 to go")
        # ... but a status picked by the user shows at once
        session.selected = {1}
        sidebar.show_session(session)
        await pilot.pause()
        assert shown(app) == ([90, 10], [False, True], "counting … 900 to go")
        # once the interval has passed, the partial counts show
        clock[0] += sidebar_module.PARTIAL_COUNTS_EVERY_S
        sidebar.show_session(session)
        await pilot.pause()
        assert shown(app) == ([450, 50], [False, True], "counting … 500 to go")
        # the final counts show at once, however soon they come
        session.store.ready, session.counts = 1000, [900, 100]
        clock[0] += 0.01
        sidebar.show_session(session)
        await pilot.pause()
        assert shown(app) == ([900, 100], [False, True], "none selected = all")


@pytest.mark.asyncio
async def test_partial_counts_held_back_show_when_their_interval_ends_without_another_change(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk that comes within the interval and is the last for a while (a big file's back half
    is read by a child, the index posts seldom) is not left behind the status line until then."""
    monkeypatch.setattr(sidebar_module, "PARTIAL_COUNTS_EVERY_S", 1.0)
    app = SidebarApp()
    async with app.run_test() as pilot:
        sidebar = app.query_one(FilterSidebar)
        session = FakeSession(FakeStore(rows=1000, ready=100), counts=[90, 10])
        sidebar.show_session(session)
        session.store.ready, session.counts = 500, [450, 50]
        sidebar.show_session(session)  # (held back: within the interval)
        await pilot.pause()
        assert shown(app) == ([90, 10], [False, False], "counting … 900 to go")
        # no other change comes: shown once the interval ends (waited for, not paused for: a loaded
        # machine's timer can fire after a pause of the interval's length and a bit)
        await wait_until(pilot, lambda: shown(app) == ([450, 50], [False, False], "counting … 500 to go"),
                         said=lambda: shown(app))


def in_pieces(chunk: ColumnChunk, rows: int) -> list[ColumnChunk]:
    """`chunk` as pieces of `rows` rows, as a reader reading less at a time gives them."""
    return [ColumnChunk(time=chunk.time[lo:lo + rows], codes={name: codes[lo:lo + rows] for name, codes in chunk.codes.items()},
                        duration=chunk.duration[lo:lo + rows], invalid=chunk.invalid[lo:lo + rows],
                        new_values=chunk.new_values if lo == 0 else {}) for lo in range(0, len(chunk), rows)]


@pytest.mark.asyncio
async def test_the_headers_n_of_m_and_the_sidebars_to_go_say_the_rows_its_counts_cover(tmp_path, monkeypatch) -> None:
    """(walk s19 #11) While counts were held back, the header said 'reading fields · 393,216 of
    1,000,000' and the sidebar '606,784 to go' beside counts adding up to 131,072."""
    from logview.ui import file_reading

    monkeypatch.setattr(sidebar_module, "PARTIAL_COUNTS_EVERY_S", 60.0)  # (the pieces' counts held back)
    monkeypatch.setattr(file_reading, "POST_COLUMNS_ROWS_AT_MOST", 500)  # (each piece posted as it comes)
    reading_on = threading.Event()
    read_columns = file_reading.read_columns

    def two_pieces_then_held(*args, **kwargs):
        for chunk in read_columns(*args, **kwargs):
            for number, piece in enumerate(in_pieces(chunk, 500)):
                if number == 2:
                    reading_on.wait(20)
                yield piece

    monkeypatch.setattr(file_reading, "read_columns", two_pieces_then_held)
    write_entries(tmp_path / "logs.jsonl", demo_entries(3_000, seed=1))
    app = file_app(tmp_path / "logs.jsonl")
    try:
        async with app.run_test(size=SIZE) as pilot:
            store = app.viewer.store
            await wait_until(pilot, lambda: store.ready - store.head == 1_000)
            await pilot.pause(0.2)
            counted = sum(option.count for option in app.viewer.sidebar.query(StatusOption))
            note = app.viewer.sidebar.query_one("#status-note", Static).content
            assert counted < 1_000  # (held back: they said 1,000 of 3,000, and 2,000 to go)
            assert f"reading fields · {counted:,} of 3,000" in screen_text(app)
            assert str(note) == f"counting … {3_000 - counted:,} entries to go"
            reading_on.set()
            await settle(pilot)
            text = screen_text(app)
            assert sum(option.count for option in app.viewer.sidebar.query(StatusOption)) == 3_000
            assert "file loaded" in text and "counting" not in text
    finally:
        reading_on.set()
