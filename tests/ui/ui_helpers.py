"""Helpers for the viewer's tests: build the app against a demo server or a file, wait for the
loading workers, and read the screen as text (what the user sees)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from logview.demo import DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DemoServer, DemoState, Fault
from logview.api.budget import Priority
from logview.api.client import ApiClient, RetryPolicy
from logview.model import Filters, SourceKind
from logview.options import Connection, ViewerOptions
from logview.sources import AitronosSource, SupermetricsSource
from logview.files.jsonl import detect_kind, source_for_kind
from logview.ui.app import LogViewApp

FIXED_NOW = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)
SIZE = (160, 48)
# Retries wait milliseconds in tests; Retry-After is still honoured (and shown) as sent.
FAST = RetryPolicy(max_retries=5, initial_backoff_s=0.01, max_backoff_s=0.05, max_wait_s=None)
# For a server whose tests are not about the budget: one it counts and no test spends. Without a
# budget the demo only advertises Aitronos' published 100 requests a minute, all remaining, and
# the viewer, whose spending that count never shows, paces itself to it after a burst of ~20
# requests: 0.6 s a page (a load of 3,000 entries took ~6 s, a walk's reloads ~4 s each).
UNSPENT_BUDGET = {"aitronos": "1000/60"}


def connection(server: DemoServer, kind: SourceKind, *, key: str | None = None,
               page_limit: int | None = None) -> Connection:
    if kind == "aitronos":
        source = AitronosSource(DEMO_ORG, base_url=server.url, page_limit=page_limit)
        return Connection(source, key or DEMO_AITRONOS_KEY, f"demo data ({kind})", demo=True)
    source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=server.url, page_limit=page_limit)
    return Connection(source, key or DEMO_SUPERMETRICS_KEY, f"demo data ({kind})", demo=True)


@contextmanager
def supermetrics_server(entries: int, *, seed: int) -> Iterator[DemoServer]:
    """A demo server holding `entries` Supermetrics entries, no Aitronos ones, none arriving live."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=entries, live_rate=0.0, seed=seed)
    with DemoServer(state) as server:
        yield server


@contextmanager
def serving(**rows: Iterable[tuple[datetime, object]]) -> Iterator[DemoServer]:
    """A quiet server of nothing but the rows given for each API (`aitronos=[(at, entry), …]`),
    served as they are (`DemoState.insert_raw`)."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=3)
    for api, given in rows.items():
        state.insert_raw(api, given)
    with DemoServer(state) as server:
        yield server


def make_app(server: DemoServer, kind: SourceKind = "aitronos", *, filters: Filters | None = None,
             follow: bool = False, interval_s: float = 60.0, max_entries: int | None = 100_000,
             key: str | None = None, page_limit: int | None = None,
             policy: RetryPolicy = FAST, saved_filters=None) -> LogViewApp:
    options = ViewerOptions(filters=filters or Filters(), connection=connection(server, kind, key=key,
                                                                               page_limit=page_limit),
                            follow=follow, interval_s=interval_s, max_entries=max_entries)
    return LogViewApp(options, policy=policy, saved_filters=saved_filters)


def two_tabs_app(server: DemoServer) -> LogViewApp:
    """An Aitronos tab and a Supermetrics tab on `server`, and the merged tab after them."""
    first = ViewerOptions(filters=Filters(), connection=connection(server, "aitronos"))
    second = ViewerOptions(filters=Filters(), connection=connection(server, "supermetrics"))
    return LogViewApp(first, second, policy=FAST)


def picker_app(server: DemoServer, label: str = f"supermetrics team {DEMO_TEAM}",
               notes: tuple[str, ...] = ()) -> LogViewApp:
    """A Supermetrics viewer given no connector: it lists the team's to choose from (`notes`: the launch's)."""
    source = SupermetricsSource(DEMO_TEAM, None, base_url=server.url)
    return LogViewApp(ViewerOptions(filters=Filters(), connection=Connection(source, DEMO_SUPERMETRICS_KEY, label),
                                    notes=notes), policy=FAST)


def file_app(path: Path, *, filters: Filters | None = None, max_entries: int | None = 100_000) -> LogViewApp:
    kind = detect_kind(path)
    options = ViewerOptions(filters=filters or Filters(), file=path, file_source=kind, max_entries=max_entries)
    return LogViewApp(options, source=source_for_kind(kind), file_kind=kind)


LOADING_GROUPS = ("backfill", "search", "save", "analytics", "names", "directory")


async def settle(pilot: Pilot) -> None:
    """Wait until loading, searching, saving and the histogram/stats are done and their
    messages are handled (a recomputation the app has scheduled counts as not done)."""
    app = pilot.app

    def busy() -> list:
        return [w for w in app.workers if w.group in LOADING_GROUPS and not w.is_finished]

    def scheduled() -> bool:  # (a panel never opened is never made: nothing to wait for)
        return any(panel.recompute.pending for panel in app.viewer.browser.panels_made())

    for _ in range(100):
        if busy():
            with suppress(WorkerCancelled):  # (a recount the app replaced by a newer one: that one is waited for next)
                await app.workers.wait_for_complete(busy())
        elif scheduled():
            await pilot.pause(0.05)
        else:
            await pilot.pause()
            if not busy() and not scheduled():
                return
        await pilot.pause()


async def each_theme(pilot: Pilot, themes: Iterable[str]) -> AsyncIterator[str]:
    """Each of `themes` chosen in turn as the palette does, with the app running, and settled."""
    for theme in themes:
        pilot.app.theme = theme
        await pilot.pause(0.1)
        await settle(pilot)
        yield theme


async def wait_until(pilot: Pilot, predicate: Callable[[], bool], timeout: float = 10.0,
                     said: Callable[[], object] | None = None) -> None:
    """Poll a condition (for things a worker loop does, like a tail cycle); `said` tells, when it
    is not met, what there was instead (what a flaky run in CI saw is all there is to go on)."""
    steps = int(timeout / 0.02)
    for _ in range(steps):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time" + (f"; instead: {said()!r}" if said is not None else ""))


async def app_ended(pilot: Pilot, timeout: float = 10.0, said: Callable[[], object] | None = None) -> None:
    """Wait for the app to have exited, by the clock alone: `pilot.pause` waits for every widget to
    handle a callback, and one asked of a widget the app's exit then closed never runs: the pause
    waited its 30 s and failed (CI, s32)."""
    for _ in range(int(timeout / 0.02)):
        if not pilot.app.is_running:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the app did not exit in time" + (f"; instead: {said()!r}" if said is not None else ""))


class Held:
    """Requests held back by `hold_requests`: `let_go()` lets the next one go, `set()` all of them."""

    def __init__(self) -> None:
        self.let_through, self.all = 0, False

    def let_go(self, requests: int = 1) -> None:
        self.let_through += requests

    def set(self) -> None:
        self.all = True

    async def wait(self) -> None:
        while not (self.all or self.let_through > 0):
            await asyncio.sleep(0.01)
        if not self.all:
            self.let_through -= 1


def hold_requests(monkeypatch, asked: Callable[[str, object], bool], *, after: int = 0) -> Held:
    """The requests `asked(path, priority)` picks, after its first `after`, are sent (over real
    HTTP) only as the `Held` returned lets them go: a request still under way by construction,
    however slow the machine (a server's latency only made it likely). The others go as usual."""
    held = Held()
    fetch = ApiClient.fetch
    seen = 0

    async def holding(self, path: str, params, parse, *args, **kwargs):
        nonlocal seen
        if asked(path, kwargs.get("priority")):
            seen += 1
            if seen > after:
                await held.wait()
        return await fetch(self, path, params, parse, *args, **kwargs)

    monkeypatch.setattr(ApiClient, "fetch", holding)
    return held


def hold_the_backfill(monkeypatch, *, after_pages: int) -> Held:
    """The loading's pages after its first `after_pages` are held (a tail's polls, LIVE, are not)."""
    return hold_requests(monkeypatch, lambda path, priority: path.endswith("/logs") and
                         priority in (Priority.FIRST, Priority.BACKFILL), after=after_pages)


def hold_retries(monkeypatch) -> Held:
    """Every client's wait before a retry lasts until the `Held` returned lets it go (what the
    retry says it waits, the policy's backoff, is said as usual): a retry still waiting by
    construction while the test reads what it says, where a long backoff only made it likely."""
    held = Held()
    init = ApiClient.__init__

    def holding(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)

        async def held_sleep(_seconds: float) -> None:
            await held.wait()

        self._sleep = held_sleep

    monkeypatch.setattr(ApiClient, "__init__", holding)
    return held


def kept_toasts(app: LogViewApp, *, titled: bool = False) -> list:
    """Every toast's text (`titled`: its (title, text)), kept from when it is asked for (`notify`):
    `app._notifications` holds a toast only from when its message is handled until its timeout, and
    a loaded machine's settle outlasted a 4 s toast (an empty list where three had been said)."""
    kept: list = []
    notify = app.notify

    def keeping(message, *args, title: str = "", **kwargs):
        kept.append((title, str(message)) if titled else str(message))
        return notify(message, *args, title=title, **kwargs)

    app.notify = keeping  # (screens and widgets call their app's)
    return kept


async def toast_said(pilot: Pilot, kept: list[str], part: str, timeout: float = 10.0) -> str:
    """The first toast of `kept` (a `kept_toasts` list) holding `part`, once one has been said."""
    await wait_until(pilot, lambda: any(part in toast for toast in kept), timeout, said=lambda: kept)
    return next(toast for toast in kept if part in toast)


def toasts_drawn(app: LogViewApp) -> str:
    """The toasts' text as drawn at the screen's right (`run_test(notifications=True)`), their lines
    joined by single spaces: what is on screen now, where `kept_toasts` keeps what was said."""
    return " ".join(" ".join(line.rsplit("▌", 1)[1] for line in screen_text(app).splitlines() if "▌" in line).split())


def calls_to(owner: object, name: str) -> Callable[[], int]:
    """How many times `owner.name` (a method, wrapped on this instance) has been called from now:
    a wait for a timer's next turns, where a fixed pause guessed how long they take."""
    method, calls = getattr(owner, name), 0

    def counted(*args, **kwargs):
        nonlocal calls
        calls += 1
        return method(*args, **kwargs)

    setattr(owner, name, counted)
    return lambda: calls


async def tail_settled(pilot: Pilot) -> None:
    """Once the viewer's load and the credentials' names are in and its tail runs: a fault met from then on is the tail's."""
    viewer = pilot.app.viewer
    await wait_until(pilot, lambda: viewer.feed.tailing and viewer.session.phase == "complete")
    await settle(pilot)


async def tail_fails(pilot: Pilot, server: DemoServer, status: int) -> None:
    """The tail of a loaded viewer over `server` made to fail: once its load and the credentials'
    names are in (the faults are then the tail's), the server answers `status` to the next six
    requests and the tail polls at once; back when its failure is on the banner, no retry waiting."""
    viewer = pilot.app.viewer
    await tail_settled(pilot)
    server.state.add_fault(Fault(kind="status", status=status, count=6, api="aitronos"))
    viewer.feed.poll_now()
    await wait_until(pilot, lambda: viewer.banner.tail_failing() is not None and not viewer.banner.retry_pending,
                     said=viewer.banner.plain)


async def open_histogram(pilot: Pilot):
    """`h` pressed on a viewer loaded: its histogram, drawn."""
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)
    return pilot.app.viewer.histogram


def screen_text(app: LogViewApp) -> str:
    """The whole screen as plain text, exactly as composed for the terminal."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, force_terminal=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def table_lines(app: LogViewApp) -> list[str]:
    """The table's visible lines (header first), as rendered."""
    table = app.viewer.table
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


def cursor_line(app: LogViewApp) -> str:
    table = app.viewer.table
    y = table.cursor_row - round(table.scroll_y) + 1
    return table.render_line(y).text


def widget_text(widget) -> str:
    """All of a widget's rendered lines, including those scrolled out of view."""
    from textual.geometry import Region

    width, height = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


def detail_text(app: LogViewApp) -> str:
    return widget_text(app.viewer.detail.query_one("#detail-body"))
