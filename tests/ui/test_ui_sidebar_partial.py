"""The sidebar while a file's fields are read: partial counts repaint at most every
PARTIAL_COUNTS_EVERY_S (each repaint is UI time the reader and the keys need), while a change of
selection and the final counts show at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

import logview.ui.widgets.sidebar as sidebar_module
from logview.model import Filters
from logview.session.viewer_session import SidebarCounts
from logview.ui.widgets.sidebar import FilterSidebar, StatusOption

OPTIONS = ("success", "error")


@dataclass
class FakeStore:
    rows: int
    ready: int
    head: int = 0

    def __len__(self) -> int:
        return self.rows

    def facet_values(self, facet: str) -> list[str]:
        return []


@dataclass
class FakeSession:
    store: FakeStore
    counts: list[int]
    selected: set[int] = field(default_factory=set)
    filters: Filters = field(default_factory=Filters)

    def sidebar_counts(self) -> SidebarCounts:
        pending = len(self.store) - (self.store.ready - self.store.head)
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
        # more fields read a moment later: the partial counts wait (what is left to count, one
        # line, says at once how far the reading is, as the status line does) ...
        session.store.ready, session.counts = 500, [450, 50]
        clock[0] += 0.1
        sidebar.show_session(session)
        await pilot.pause()
        assert shown(app) == ([90, 10], [False, False], "counting … 500 to go")
        # ... but a status picked by the user shows at once
        session.selected = {1}
        sidebar.show_session(session)
        await pilot.pause()
        assert shown(app) == ([90, 10], [False, True], "counting … 500 to go")
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
        assert shown(app) == ([90, 10], [False, False], "counting … 500 to go")
        await pilot.pause(1.2)  # no other change comes
        assert shown(app) == ([450, 50], [False, False], "counting … 500 to go")
