"""Several sources side by side: one tab each, all loading from the start, each with its own
filters; `[`/`]` or a click switch tabs."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import nullcontext
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from logview.archive import Archive
from logview.demo import DemoServer, Fault
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from logview.ui.viewer import ViewerScreen
from ui_helpers import (FAST, SIZE, calls_to, connection, detail_text, kept_toasts, screen_text, settle, table_lines,
                        toasts_drawn, wait_until)


def tabs_app(server: DemoServer) -> LogViewApp:
    first = ViewerOptions(filters=Filters(), connection=connection(server, "aitronos"))
    second = ViewerOptions(filters=Filters(statuses=("5xx",)), connection=connection(server, "supermetrics"))
    return LogViewApp(first, second, policy=FAST)


async def settle_all(pilot, app) -> None:
    """Every tab loaded, then settled: 50 settles in a row fell through silently with a tab still
    loading (at -n 4, the merged tab's r then said "No source failed (demo data (aitronos) loading)")."""
    await wait_until(pilot, lambda: all(viewer.session.phase == "complete" for viewer in app.viewers), timeout=60,
                     said=lambda: [viewer.session.phase for viewer in app.viewers])
    await settle(pilot)


async def shown_merged(pilot, app) -> None:
    """Wait until the merged tab is on screen with every tab's rows (merged every MERGE_EVERY_S: a
    fixed 0.6 s pause gave a loaded machine one chance at it)."""
    *tabs, merged = app.viewers
    await wait_until(pilot, lambda: app.screen is merged and len(merged.view) == sum(len(t.store) for t in tabs),
                     said=lambda: (app.screen, len(merged.view), [len(t.store) for t in tabs]))
    await pilot.pause()


async def test_every_tab_loads_from_the_start_and_keys_switch_between_them(demo: DemoServer) -> None:
    app = tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        first, second, _ = app.viewers
        assert app.screen is first
        assert len(first.view) == len(demo.state.aitronos_logs)
        fives = [e for e in demo.state.supermetrics_logs if e["status"] is not None and e["status"] >= 500]
        assert len(second.view) == len(fives)  # loaded while hidden, with its own filters
        text = screen_text(app)
        assert " demo data (aitronos)   demo data (supermetrics)   all " in text.splitlines()[0]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.screen is second and app.viewer.view is second.view
        assert f"shown {len(fives):,}" in screen_text(app)
        await pilot.press("2")  # a filter in this tab only (3xx besides 5xx)
        await pilot.pause()
        assert second.filters.statuses == ("3xx", "5xx") and first.filters.statuses == ()
        await pilot.press("right_square_bracket", "right_square_bracket")  # the merged tab, then around
        await pilot.pause()
        assert app.screen is first and first.filters.statuses == ()


async def test_the_tab_row_names_the_tabs_and_the_keys_that_switch_them(demo: DemoServer) -> None:
    """No numbers before the names: the digit keys toggle status filters, not tabs."""
    app = tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        row = screen_text(app).splitlines()[0]
        assert row.startswith(" demo data (aitronos)   demo data (supermetrics)   all ")
        assert "[ and ] switch tabs" in row
        assert not re.search(r"(^|\s)\d+ (demo|all)\b", row), row
        await pilot.press("1")  # still a status filter of this tab
        await pilot.pause()
        assert app.screen is app.viewers[0] and app.viewers[0].filters.statuses == ("success",)


async def test_a_click_on_a_tab_name_shows_that_tab(demo: DemoServer) -> None:
    app = tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        labels = ["demo data (aitronos)", "demo data (supermetrics)", "all"]
        row = screen_text(app).splitlines()[0]
        for index, label in enumerate(labels):
            start = row.index(f" {label} ") + 1
            for x in (start, start + len(label) - 1):  # the first and the last letter of its name
                app.show_tab((index + 1) % 3)  # from another tab
                await pilot.pause()
                await pilot.click(offset=(x, 0))
                await pilot.pause()
                assert app.screen is app.viewers[index], (label, x)


async def test_one_source_has_no_tab_strip(demo: DemoServer) -> None:
    app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection(demo, "aitronos")), policy=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ViewerScreen) and app.screen.tab_strip is None
        assert "switch tabs" not in screen_text(app)
        await pilot.press("right_square_bracket")
        assert app.screen is app.viewers[0]


async def test_the_last_tab_merges_every_source_into_one_timeline(fresh_demo: DemoServer) -> None:
    app = tabs_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        first, second, merged = app.viewers
        assert merged.merged and " all " in screen_text(app).splitlines()[0]
        await pilot.press("left_square_bracket")  # from the first tab, back around to the last
        await shown_merged(pilot, app)
        assert app.screen is merged
        total = len(first.store) + len(second.store)
        assert len(merged.view) == total  # every loaded row of every tab (its own filters apply)
        times = [merged.store.time_us(int(o)) for o in merged.view.index]
        assert times == sorted(times, reverse=True)
        header, first_row = table_lines(app)[:2]
        assert "source" in header and "tool / event" in header
        newest = merged.store.entry(int(merged.view.index[0]))
        assert ("demo data (aitronos)" if newest.source == "aitronos" else "demo data (supermetrics)")[:12] in first_row
        merged.apply_filters(merged.filters.model_copy(update={"origin": "demo data (supermetrics)"}))
        await pilot.pause()
        assert len(merged.view) == len(second.store)
        merged.apply_filters(merged.filters.model_copy(update={"origin": None, "statuses": ("error",)}))
        await pilot.pause()
        from logview.model import severity

        assert all(severity(e.status) == 4 or e.invalid for e in merged.store.entries(merged.view.index))
        merged.apply_filters(merged.filters.model_copy(update={"origin": "demo data (supermetrics)", "statuses": ()}))
        await pilot.press("enter")  # the detail names the tab the entry came from
        await pilot.pause()
        assert detail_text(app).startswith(f"demo data (supermetrics) · {merged.selected_entry().id}")


async def test_new_rows_in_a_tab_reach_the_merged_timeline_and_the_selection_stays(fresh_demo: DemoServer) -> None:
    app = tabs_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        first, second, merged = app.viewers
        app.show_tab(2)
        await shown_merged(pilot, app)
        await pilot.press("j", "j", "j")
        chosen = merged.selected_entry()
        before = len(merged.view)
        fresh_demo.state.insert_aitronos(3)
        first.action_reload()  # the tab loads again and finds the new entries
        await wait_until(pilot, lambda: len(merged.view) == before + 3 and
                         "+3 new" in " ".join(screen_text(app).splitlines()[:2]),
                         said=lambda: (len(merged.view), screen_text(app).splitlines()[:2]))
        assert len(merged.view) == before + 3
        assert merged.selected_entry().id == chosen.id  # the user's place is kept
        # ...at its height on screen, and the rows that came above it said, as a tab says its tail's
        assert merged.table.cursor_row - round(merged.table.scroll_y) == 3
        assert "+3 new" in " ".join(screen_text(app).splitlines()[:2])  # (the status line, under the tabs)


async def test_r_in_the_merged_tab_retries_the_sources_that_failed(fresh_demo: DemoServer) -> None:
    """The merged tab read "bad: failed" while `r` there did nothing and said nothing (found in a
    walk); it now loads the failed tabs again, and their entries come in."""
    first = ViewerOptions(filters=Filters(), connection=connection(fresh_demo, "aitronos"))
    second = ViewerOptions(filters=Filters(), connection=connection(fresh_demo, "supermetrics"))
    fresh_demo.state.add_fault(Fault(kind="status", status=500, count=100, api="supermetrics"))
    app = LogViewApp(first, second, policy=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        failing = app.viewers[1]
        await wait_until(pilot, lambda: str(failing.trouble()) == "failed")
        fresh_demo.state.clear_faults()
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert app.screen is app.viewers[-1]
        said = kept_toasts(app)
        await pilot.press("r")
        await pilot.pause()
        assert any("Retrying 1 source that failed" in toast for toast in said), said
        await wait_until(pilot, lambda: failing.session.phase == "complete" and failing.trouble() is None)
        assert len(failing.store) == len(fresh_demo.state.supermetrics_logs)


async def test_c_in_the_merged_tab_shows_its_brackets(demo: DemoServer) -> None:
    """The toast read "press c in that tab ( switch tabs)": '[ and ]' was taken for markup (found in a walk)."""
    app = tabs_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # (toasts drawn, as a user sees them)
        await settle_all(pilot, app)
        await pilot.press("right_square_bracket", "right_square_bracket", "c")
        await wait_until(pilot, lambda: "reads its own connector" in toasts_drawn(app), said=lambda: screen_text(app))
        assert "([ and ] switch tabs)." in toasts_drawn(app), toasts_drawn(app)


async def test_the_merged_source_column_cuts_long_tab_names_where_they_stay_apart(demo: DemoServer) -> None:
    """The source column cut names at the end: production-eu-west-1 and -2 both read
    `production-eu…` on every row, at any width (found in a walk); cut as the tabs are."""
    tabs = []
    for label, statuses in (("production-eu-west-1", ("success",)), ("production-eu-west-2", ("error",))):
        chosen = connection(demo, "aitronos")
        chosen.label = label
        tabs.append(ViewerOptions(filters=Filters(statuses=statuses), connection=chosen))
    app = LogViewApp(*tabs, policy=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        await pilot.press("right_square_bracket", "right_square_bracket")

        def sources() -> set[str]:
            header, *rows = table_lines(app)
            at = header.find("source")
            return {row[at:at + 14].strip() for row in rows if row.strip()} if at >= 0 else set()

        await wait_until(pilot, lambda: len(sources() - {""}) >= 2)  # (the merged rows drawn: a CI run looked first)
        assert len(sources()) == 2 and all(source.endswith(("west-1", "west-2")) for source in sources()), sources()


async def test_a_tab_reading_what_an_earlier_one_reads_is_merged_once(demo: DemoServer) -> None:
    """Two profiles of one org showed every entry twice in the merged tab, each counted twice
    (found in a walk): the later is left out, and the header says which it repeats."""
    tabs = []
    for label in ("production-eu-west-1", "production-eu-west-2"):
        chosen = connection(demo, "aitronos")
        chosen.label = label
        tabs.append(ViewerOptions(filters=Filters(), connection=chosen))
    others = ViewerOptions(filters=Filters(), connection=connection(demo, "supermetrics"))
    app = LogViewApp(*tabs, others, policy=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        first, _, supermetrics, merged = app.viewers
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await wait_until(pilot, lambda: len(merged.view) == len(first.store) + len(supermetrics.store))
        merges = calls_to(merged.merged, "merge")  # (merged again since, on the merge's timer: still once)
        await wait_until(pilot, lambda: merges() >= 2)
        assert len(merged.view) == len(first.store) + len(supermetrics.store)
        assert "2 sources merged · production-eu-west-2: same as production-eu-west-1" in screen_text(app)
        assert "⚠" not in screen_text(app).splitlines()[0]  # (no trouble on the tabs)


async def test_a_source_named_all_leaves_the_merged_tab_its_own_name(demo: DemoServer) -> None:
    """Found in a walk (s18 W5): a profile named `all` beside another read `all   builder   all`,
    the profile's tab and the merged one alike. The merged tab is `all (merged)` then; the profile's
    rows keep its name in the merged tab's source column and its Source filter."""
    first = ViewerOptions(filters=Filters(), connection=replace(connection(demo, "aitronos"), label="profile all"))
    second = ViewerOptions(filters=Filters(), connection=connection(demo, "supermetrics"))
    app = LogViewApp(first, second, policy=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        assert screen_text(app).splitlines()[0].startswith(" all   demo data (supermetrics)   all (merged) "), \
            screen_text(app).splitlines()[0]
        await pilot.press("left_square_bracket")  # around to the merged tab
        await wait_until(pilot, lambda: len(app.viewers[2].view) > 0)
        merged = app.viewers[2]
        assert app.screen is merged and set(merged.store.origins.values[1:]) == {"all", "demo data (supermetrics)"}


@pytest.mark.parametrize("archived", [False, True], ids=["in-memory", "archived"])
async def test_tabs_of_one_source_with_other_server_filters_show_each_entry_once(demo: DemoServer, tmp_path,
                                                                                archived: bool) -> None:
    """Two tabs of one org, one with its errors and one with its newest days (both filters the
    server's), both hold that time's errors: the merged tab showed each of them twice and counted
    it twice. The first tab holding an entry keeps it."""
    logs = demo.state.aitronos_logs
    since = datetime.fromisoformat(logs[len(logs) // 2]["created_at"].replace("Z", "+00:00"))
    errors = {log["id"] for log in logs if log["status"] == "error"}
    recent = {log["id"] for log in logs if log["created_at"] >= logs[len(logs) // 2]["created_at"]}
    assert len(errors & recent) > 10
    tabs = []
    for label, filters in (("errors", Filters(statuses=("error",))), ("recent", Filters(since=since))):
        chosen = connection(demo, "aitronos")
        chosen.label = label
        tabs.append(ViewerOptions(filters=filters, connection=chosen))
    with Archive.open(tmp_path / "archive.sqlite3") if archived else nullcontext() as archive:
        app = LogViewApp(*tabs, policy=FAST, archive=archive)
        async with app.run_test(size=SIZE) as pilot:
            await settle_all(pilot, app)
            first, second, merged = app.viewers
            assert {len(first.view), len(second.view)} == {len(errors), len(recent)}
            if archived:  # (each tab's rows read back from the archive: known by their rowids)
                await wait_until(pilot, lambda: all((viewer.store.span("backing", viewer.store.head,
                                                                       viewer.store.tail) > 0).all()
                                                    for viewer in (first, second)))
            await pilot.press("right_square_bracket", "right_square_bracket")
            union = len(errors | recent)
            await wait_until(pilot, lambda: len(merged.view) == union)
            merges = calls_to(merged.merged, "merge")  # (merged again since, on the merge's timer: still once)
            await wait_until(pilot, lambda: merges() >= 2)
            text = screen_text(app)
            assert len(merged.view) == union and f"shown {union:,}" in text
            origins = Counter(merged.session.origins_of(np.arange(merged.store.head, merged.store.tail)))
            assert origins == {"errors": len(errors), "recent": len(recent - errors)}
            assert re.search(rf"○ error\s+{len(errors):,} ", text), text  # (the sidebar's count agrees)
            # ... and the header says where the second tab's shared entries went (it vanished, s23 walk #10)
            shared = len(errors & recent)
            await wait_until(pilot, lambda: f"recent: shares {shared:,} entries with errors (shown once, as errors)"
                             in screen_text(app), said=lambda: screen_text(app).splitlines()[:3])
            assert "⚠" not in screen_text(app).splitlines()[0]  # (no trouble on the tabs)


def all_and_errors_app(demo: DemoServer) -> LogViewApp:
    """Two tabs of one org: all of it (`all`) and its errors (`errs`), which the first holds too."""
    tabs = []
    for label, filters in (("all", Filters()), ("errs", Filters(statuses=("error",)))):
        chosen = connection(demo, "aitronos")
        chosen.label = label
        tabs.append(ViewerOptions(filters=filters, connection=chosen))
    return LogViewApp(*tabs, policy=FAST)


async def test_a_source_filter_on_a_tab_whose_entries_another_holds_says_where_they_are(demo: DemoServer) -> None:
    """s24 walk #7: the merged tab's Source filter set to a tab whose entries all belong to an
    earlier tab of its source (its errors) showed an empty table that blamed the filters."""
    errors = [log for log in demo.state.aitronos_logs if log["status"] == "error"]
    app = all_and_errors_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        await pilot.press("right_square_bracket", "right_square_bracket")
        merged = app.viewers[2]
        await wait_until(pilot, lambda: len(merged.view) == len(demo.state.aitronos_logs))
        merged.sidebar.query_one("#facet").value = "errs"  # type: ignore[attr-defined]
        said = f"errs's {len(errors):,} entries are all's too, shown once, as all: Source all shows them."
        await wait_until(pilot, lambda: said in " ".join(screen_text(app).split()), said=lambda: screen_text(app))


async def test_at_120_columns_the_merged_tab_says_the_shared_entries_in_fewer_words(demo: DemoServer) -> None:
    """s24 walk #11: at 80 columns `… aitb2: shares 713 entries with ai…`, cut inside the tab's name;
    at 100 the header's `shown` was dropped for the long form. Where the long form does not fit beside
    the counts the short one does; at 80 the line says `2 sources merged`."""
    errors = [log for log in demo.state.aitronos_logs if log["status"] == "error"]
    app = all_and_errors_app(demo)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle_all(pilot, app)
        await pilot.press("right_square_bracket", "right_square_bracket")
        said = f"2 sources merged · errs: {len(errors):,} shared with all "
        await wait_until(pilot, lambda: said in screen_text(app).splitlines()[1], said=lambda: screen_text(app).splitlines()[1])
        assert "shown 600" in screen_text(app).splitlines()[1]
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: "2 sources merged " in screen_text(app).splitlines()[1]
                         and "shares" not in screen_text(app), said=lambda: screen_text(app).splitlines()[1])
