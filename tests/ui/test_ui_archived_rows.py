"""A relaunch over the archive holds the archived entries as columns, their raw JSON left on disk:
the table, the detail pane, search, `s`, the histogram and the stats all work on them as on
fetched entries, and fetched entries go on top of them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest

from logview.archive import Archive
from logview.demo import DemoServer, DemoState
from logview.jsonutil import dump_json
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from test_ui_save_dialogs import type_save_name
from ui_helpers import (FAST, SIZE, connection, cursor_line, detail_text, kept_toasts, screen_text, settle, toast_said,
                        widget_text)

ENTRIES = 900


@pytest.fixture
def quiet_server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=300, supermetrics_entries=ENTRIES, live_rate=0.0, seed=21)) as server:
        yield server


def archived_app(server: DemoServer, archive: Archive, max_entries: int | None = None) -> LogViewApp:
    options = ViewerOptions(filters=Filters(), connection=connection(server, "supermetrics", page_limit=100),
                            **({} if max_entries is None else {"max_entries": max_entries}))
    return LogViewApp(options, policy=FAST, archive=archive)


def squash(text: str) -> str:
    return "".join(text.split())


async def test_archived_entries_are_columns_read_back_for_every_use(quiet_server, tmp_path) -> None:
    logs = {log["id"]: log for log in quiet_server.state.supermetrics_logs}
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(quiet_server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert len(first.viewer.store) == ENTRIES
        new = quiet_server.state.insert_supermetrics(2, same_time=False)

        app = archived_app(quiet_server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            viewer = app.viewer
            store, view = viewer.store, viewer.view
            assert len(store) == ENTRIES + 2 and f"{ENTRIES:,} from the archive" in screen_text(app)
            # the two fetched entries as well, once archived: no row holds its entry in memory
            archived = store.span("backing", store.head, store.tail) > 0
            assert archived.all()
            assert not store.span("held", store.head, store.tail).any() and store.held.entries[1:] == [None, None]
            assert {e.id for e in store.entries(view.index[:2])} == {e["id"] for e in new}  # fetched, on top

            # the table and the detail pane read an archived entry back
            await pilot.press(*"jjjjj", "enter")
            await pilot.pause()
            ordinal = viewer.table.cursor_ordinal
            assert archived[ordinal - store.head]
            raw = logs[store.entry(ordinal).id]
            assert raw["event"] in cursor_line(app) and (raw["request"] or "")[:20] in cursor_line(app)
            text = squash(detail_text(app))
            for key, value in raw.items():
                shown = value if isinstance(value, str) else json.dumps(value)
                assert squash(f"{key}{shown}") in text, key
            await pilot.press("escape")

            # search finds text that only the archived entry's raw JSON holds
            await pilot.press("slash", *raw["request_id"].upper(), "enter")
            await settle(pilot)
            assert [e.id for e in store.entries(view.index)] == [raw["id"]]
            await pilot.press("slash", "escape")
            await settle(pilot)
            assert len(view) == ENTRIES + 2

            # s writes every row exactly as received, in the view's order
            await type_save_name(pilot, str(tmp_path / "view.jsonl"))
            saved = (tmp_path / "view.jsonl").read_bytes().splitlines()
            shown_ids = [e.id for e in store.entries(view.index)]
            every = {**logs, **{e["id"]: e for e in new}}
            assert saved == [dump_json(every[i]) for i in shown_ids]

            # the histogram and the stats count the archived rows
            await pilot.press("h")
            await settle(pilot)
            assert int(viewer.histogram.data.totals.sum()) == ENTRIES + 2
            assert f"{ENTRIES + 2:,} entries" in widget_text(viewer.histogram)
            await pilot.press("i")
            await settle(pilot)
            events = Counter(log.get("event") for log in every.values())
            assert {g.value: g.count for g in viewer.stats.data.groups} == {k: v for k, v in events.items() if k}
            assert np.array_equal(view.index, np.arange(store.head, store.tail))


@pytest.mark.parametrize("status_key", [None, "4"], ids=["all", "5xx only"])
async def test_a_relaunch_shows_the_newest_archived_rows_in_its_first_paint(quiet_server, tmp_path, monkeypatch,
                                                                          status_key) -> None:
    """As `--file` does with its first lines: the archive's newest rows are in the store (and so in
    the first screen drawn) when the screen's mount ends, before any worker has posted a thing;
    the backfill then goes on from them, with no row twice."""
    from logview.ui.viewer import ViewerScreen

    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(quiet_server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
            if status_key:
                await pilot.press(status_key)
                await settle(pilot)
            wanted = [e.id for e in first.viewer.store.entries(first.viewer.view.index)]
        assert 0 < len(wanted) <= ENTRIES

        at_mount: list[list[str]] = []
        mounted = ViewerScreen.on_mount

        def recording(screen: ViewerScreen) -> None:
            mounted(screen)
            at_mount.append([e.id for e in screen.store.entries(screen.view.index[:40])])

        monkeypatch.setattr(ViewerScreen, "on_mount", recording)
        app = archived_app(quiet_server, archive)
        if status_key:  # (the relaunch asks for the same filter from the start)
            app = LogViewApp(ViewerOptions(filters=first.viewer.session.filters, connection=connection(
                quiet_server, "supermetrics", page_limit=100)), policy=FAST, archive=archive)
        async with app.run_test(size=SIZE) as pilot:
            assert at_mount == [wanted[:40]]  # the newest archived rows, before any message
            await settle(pilot)
            shown = [e.id for e in app.viewer.store.entries(app.viewer.view.index)]
            assert shown == wanted  # all of them, each once, in order
            assert f"{ENTRIES:,} from the archive" in screen_text(app)


@pytest.mark.parametrize("writer", ["thread", "process"])
async def test_a_first_launch_lets_go_of_each_fetched_entry_once_archived_and_so_does_the_tail(quiet_server,
                                                                                               tmp_path, writer,
                                                                                               monkeypatch) -> None:
    """What is fetched is held in memory only until the archive holds it: then read back from the
    archive when shown, as a relaunch's rows are (the table, the detail, search); by where the
    archive's writer said each entry went, in its thread or its process (a fast backfill's)."""
    from logview.archive import writer as writer_module
    from ui_helpers import wait_until

    monkeypatch.setattr(writer_module, "PROCESS_AFTER", 0 if writer == "process" else 10**9)
    started = []
    monkeypatch.setattr(writer_module.WriterProcess, "__init__", spy(writer_module.WriterProcess.__init__, started))

    logs = {log["id"]: log for log in quiet_server.state.supermetrics_logs}
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = archived_app(quiet_server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            store = app.viewer.store
            assert len(store) == ENTRIES and "from the archive" not in screen_text(app)  # (all fetched)
            assert (store.span("backing", store.head, store.tail) > 0).all()
            assert not store.span("held", store.head, store.tail).any()
            assert sum(entry is not None for entry in store.held.entries) == 0
            await pilot.press("j", "j", "enter")
            await pilot.pause()
            raw = logs[store.entry(app.viewer.table.cursor_ordinal).id]
            assert squash(f"request_id{raw['request_id']}") in squash(detail_text(app))
            await pilot.press("escape", "slash", *raw["request_id"][:13], "enter")
            await settle(pilot)
            assert [e.id for e in store.entries(app.viewer.view.index)] == [raw["id"]]
            await pilot.press("slash", "escape")
            await settle(pilot)

            await pilot.press("t")  # the tail's entries too
            await wait_until(pilot, lambda: app.viewer.feed.tailing)
            new = quiet_server.state.insert_supermetrics(3, same_time=False)
            app.viewer.feed.poll_now()
            await wait_until(pilot, lambda: len(store) == ENTRIES + 3)
            await wait_until(pilot, lambda: not store.span("held", store.head, store.tail).any())
            assert {e.id for e in store.entries(app.viewer.view.index[:3])} == {e["id"] for e in new}
            assert sum(entry is not None for entry in store.held.entries) == 0
            assert bool(started) == (writer == "process")


def spy(method, calls: list):
    def called(*args, **kwargs):
        calls.append(args)
        return method(*args, **kwargs)
    return called


async def test_what_a_relaunch_finds_newer_than_the_archive_is_let_go_too(quiet_server, tmp_path,
                                                                        monkeypatch) -> None:
    """The head's pages are archived as they arrive but shown together once all have: the
    archive's word about them comes first (a page a transaction, at once, as over a slow
    network), and is taken once they are in the store."""
    from logview.archive import writer as writer_module

    monkeypatch.setattr(writer_module, "GATHER_ENTRIES", 1)
    monkeypatch.setattr(writer_module, "GATHER_S", 0)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        async with archived_app(quiet_server, archive).run_test(size=SIZE) as pilot:
            await settle(pilot)
        new = quiet_server.state.insert_supermetrics(250, same_time=False)  # three pages of 100
        app = archived_app(quiet_server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            store = app.viewer.store
            assert len(store) == ENTRIES + 250
            assert {e.id for e in store.entries(app.viewer.view.index[:250])} == {e["id"] for e in new}
            assert (store.span("backing", store.head, store.tail) > 0).all()
            assert sum(entry is not None for entry in store.held.entries) == 0


@pytest.mark.parametrize("cap", [None, 600])
async def test_an_archive_failing_mid_run_leaves_what_follows_held(quiet_server, tmp_path, monkeypatch, cap) -> None:
    """A full disk: the entries archived before stay read back from it, the rest stay in memory,
    and none waits for the archive any more. The banner says so, and a later notice (the cap
    reached) does not hide it."""
    from logview.archive import ArchivedSource
    from logview.archive import writer as writer_module
    from logview.archive.db import ArchiveError

    monkeypatch.setattr(writer_module, "GATHER_ENTRIES", 1)  # (a page a transaction)
    store_rows, writes = ArchivedSource.store_rows, []

    def failing(self, rows, **options):
        writes.append(len(rows))
        if len(writes) >= 3:
            raise ArchiveError("cannot write the archive: database or disk is full")
        return store_rows(self, rows, **options)

    monkeypatch.setattr(ArchivedSource, "store_rows", failing)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = archived_app(quiet_server, archive, max_entries=cap)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            store, count = app.viewer.store, cap or ENTRIES
            archived = store.span("backing", store.head, store.tail) > 0
            text = squash(screen_text(app))
            assert len(store) == count and squash("Without the archive from now on") in text and "diskisfull" in text
            assert (squash("the cap (--max-entries) was reached") in text) == (cap is not None)
            assert 0 < archived.sum() < count  # the pages stored before the failure
            held = store.held.take(store.span("held", store.head, store.tail))
            assert all((entry is None) == bool(was) for entry, was in zip(held, archived))
            shown = [e.id for e in store.entries(app.viewer.view.index)]  # (read back or held: all there)
            logs = quiet_server.state.supermetrics_logs
            assert len(shown) == count and set(shown) == {log["id"] for log in logs[:count]}


async def test_a_relaunch_sends_its_first_request_once_the_archived_rows_are_painted(quiet_server, tmp_path,
                                                                                    monkeypatch) -> None:
    """The request (and the HTTP stack it loads, ~0.1 s) comes after the first paint, not before it
    (a paint made slow here, as a big terminal's may be)."""
    from logview.ui.feed import Feed

    def log_requests() -> int:
        return sum("/logs" in path for _, path, _ in quiet_server.state.request_log)

    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        async with archived_app(quiet_server, archive).run_test(size=SIZE) as pilot:
            await settle(pilot)
        before = log_requests()
        at_paint: list[int] = []
        painted = Feed.painted

        def recording(feed: Feed) -> None:
            def slow_paint_done() -> None:
                at_paint.append(log_requests() - before)
                painted(feed)

            feed.set_timer(0.3, slow_paint_done)

        monkeypatch.setattr(Feed, "painted", recording)
        app = archived_app(quiet_server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert at_paint == [0] and len(app.viewer.view) == ENTRIES
            assert log_requests() - before == 1  # then one, for what is newer than the archive


async def test_a_relaunch_capped_within_its_first_paint_says_so(quiet_server, tmp_path) -> None:
    """--max-entries below the rows painted at once: those rows, no more, and the cap's notice."""
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(quiet_server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
            newest = [e.id for e in first.viewer.store.entries(first.viewer.view.index[:50])]
        options = ViewerOptions(filters=Filters(), max_entries=50,
                                connection=connection(quiet_server, "supermetrics", page_limit=100))
        app = LogViewApp(options, policy=FAST, archive=archive)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert [e.id for e in app.viewer.store.entries(app.viewer.view.index)] == newest
            assert "the cap (--max-entries) was reached" in screen_text(app)


async def test_a_capped_relaunch_puts_what_is_newer_than_the_archive_on_top(quiet_server, tmp_path) -> None:
    """The archive fills --max-entries at once; what came since the last run still goes on top
    (the oldest rows make room, as for the tail), and no partial sum passes for the server's total."""
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(quiet_server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
            archived = [e.id for e in first.viewer.store.entries(first.viewer.view.index)]
        new = quiet_server.state.insert_supermetrics(3, same_time=False)
        options = ViewerOptions(filters=Filters(), max_entries=50,
                                connection=connection(quiet_server, "supermetrics", page_limit=100))
        app = LogViewApp(options, policy=FAST, archive=archive)
        totals: list[int | None] = []
        async with app.run_test(size=SIZE) as pilot:
            totals.append(app.viewer.session.backfill_total)  # (the first paint's)
            await settle(pilot)
            shown = [e.id for e in app.viewer.store.entries(app.viewer.view.index)]
            newest_first = [e["id"] for e in sorted(new, key=lambda e: e["log_time"], reverse=True)]
            assert shown == newest_first + archived[:47]
            text = screen_text(app)
            assert "the cap (--max-entries) was reached" in text and "total" not in text.split("\n")[0]
            assert totals == [None] and app.viewer.session.backfill_total is None


async def test_a_save_after_a_prune_leaves_out_the_entries_gone_and_says_so(quiet_server, tmp_path) -> None:
    """`logview archive prune` beside an open viewer: `s` wrote `{}` for each entry pruned since
    it was shown (2,257 of 3,285 in a walk), under "Saved 3,285 entries"."""
    logs = {log["id"]: log for log in quiet_server.state.supermetrics_logs}
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(quiet_server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
        app = archived_app(quiet_server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            archive.prune(max_entries=300)
            said = kept_toasts(app)
            await type_save_name(pilot, str(tmp_path / "after.jsonl"))
            note = await toast_said(pilot, said, "Saved 300 entries")
            saved = [json.loads(line) for line in (tmp_path / "after.jsonl").read_bytes().splitlines()]
            assert len(saved) == 300 and all(entry == logs[entry["id"]] for entry in saved)
            assert f"{ENTRIES - 300:,} entries no longer in the archive" in note, said
