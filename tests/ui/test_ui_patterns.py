"""The histogram (h) and the stats panel (i), driven from the keyboard and the mouse: what they
show is checked against the demo server's own data; picking in them filters the table."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import numpy as np

from logview.store.analytics import CLASSES
from logview.demo import DemoServer
from logview.model import Filters
from logview.sources import AitronosSource, SupermetricsSource
from logview.times import epoch_us, parse_api_time
from ui_helpers import SIZE, file_app, kept_toasts, make_app, screen_text, settle, two_tabs_app, widget_text


def shown(app) -> list[str]:
    return [e.id for e in app.viewer.store.entries(app.viewer.view.index)]


def times_us(logs, field) -> list[int]:
    return [epoch_us(parse_api_time(e[field])) for e in logs]


async def test_h_shows_the_volume_of_every_entry_and_hides_again(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.viewer.histogram.display
        await pilot.press("h")
        await settle(pilot)
        hist = app.viewer.histogram.data
        assert app.viewer.histogram.display and app.focused is app.viewer.histogram and hist is not None
        logs = demo.state.aitronos_logs
        assert int(hist.totals.sum()) == len(logs)
        # every entry is in the bucket its time falls in, and counted in its status class
        expected = np.zeros_like(hist.counts)
        classes = {"success": "ok", "error": "error", "blocked": "warn", "timeout": "warn"}
        for moment, entry in zip(times_us(logs, "created_at"), logs):
            expected[(moment - hist.start_us) // hist.bucket_us, CLASSES.index(classes[entry["status"]])] += 1
        assert np.array_equal(hist.counts, expected)
        assert len(hist) <= app.viewer.histogram.max_buckets
        text = screen_text(app)
        assert "VOLUME" in text and f"{len(logs):,} entries" in text and "buckets" in text
        assert "█" in widget_text(app.viewer.histogram)
        await pilot.press("h")
        await pilot.pause()
        assert not app.viewer.histogram.display and app.focused is app.viewer.table


async def test_the_bar_picked_first_is_the_newest_holding_entries(demo: DemoServer) -> None:
    """A range ending days after the newest entry: the last bars are empty, and the first pick
    was the last of them (past the range too), whose Enter narrowed to nothing (found in a walk)."""
    newest = max(times_us(demo.state.aitronos_logs, "created_at"))
    until = datetime.fromtimestamp(newest / 1e6 + 3 * 86400, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    app = make_app(demo, filters=Filters().with_time_range("", until))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        histogram = app.viewer.histogram
        totals = histogram.data.totals
        assert totals[-1] == 0 and histogram.selected == int(np.flatnonzero(totals)[-1])
        start, end = histogram.data.bucket_span(histogram.selected)
        assert start <= newest < end


async def test_picking_a_bar_narrows_the_dates_and_backspace_goes_back(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        first = app.viewer.histogram.data
        await pilot.press("left", "left", "left")
        await pilot.pause()
        bucket = app.viewer.histogram.selected
        assert bucket == len(first) - 4
        start, end = first.bucket_span(bucket)
        assert f"{int(first.counts[bucket].sum()):,} entries" in widget_text(app.viewer.histogram)
        await pilot.press("enter")
        await settle(pilot)
        logs = demo.state.supermetrics_logs
        inside = [e["id"] for e, t in zip(logs, times_us(logs, "log_time")) if start <= t <= end]
        assert inside and shown(app) == inside
        assert epoch_us(app.viewer.filters.since) == start and epoch_us(app.viewer.filters.until) == end
        assert app.viewer.sidebar.query_one("#since").value.startswith(
            datetime.fromtimestamp(start / 1e6, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M"))
        narrowed = app.viewer.histogram.data
        assert narrowed.bucket_us < first.bucket_us and int(narrowed.totals.sum()) == len(inside)
        await pilot.press("backspace")
        await settle(pilot)
        assert app.viewer.filters.since is None and app.viewer.filters.until is None
        assert len(app.viewer.view) == len(logs)
        said = kept_toasts(app)
        await pilot.press("backspace")
        await pilot.pause()
        assert said == ["This is the range you started with."], said


async def test_a_click_on_a_bar_narrows_the_dates(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        hist = app.viewer.histogram.data
        from logview.ui.widgets.histogram import GUTTER

        cell = app.viewer.histogram.plot_width // len(hist)
        target = len(hist) // 2
        await pilot.click(app.viewer.histogram, offset=(GUTTER + target * cell, 6))
        await settle(pilot)
        start, end = hist.bucket_span(target)
        assert (epoch_us(app.viewer.filters.since), epoch_us(app.viewer.filters.until)) == (start, end)
        assert len(app.viewer.view) == int(hist.counts[target].sum())


async def test_histogram_follows_the_other_filters(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("escape", "4")  # 5xx only
        await settle(pilot)
        hist = app.viewer.histogram.data
        fives = [e for e in demo.state.supermetrics_logs if e["status"] is not None and e["status"] >= 500]
        assert int(hist.totals.sum()) == len(fives)
        assert int(hist.counts[:, CLASSES.index("error")].sum()) == len(fives)


async def test_stats_panel_numbers_match_the_data(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        data = app.viewer.stats.data
        assert app.viewer.stats.display and app.focused is app.viewer.stats and data is not None
        logs = demo.state.aitronos_logs
        by_tool = Counter(e["tool"] for e in logs)
        assert data.field == "tool" and {g.value: g.count for g in data.groups} == dict(by_tool)
        top = data.groups[0]
        members = [e for e in logs if e["tool"] == top.value]
        assert top.problems == sum(e["status"] != "success" for e in members)
        assert top.percentiles[0] == float(np.percentile([e["duration_ms"] for e in members], 50))
        errors = Counter(AitronosSource("o").error_group(e["status"], e) for e in logs)
        errors.pop(None, None)
        assert {g.group: g.count for g in data.errors} == dict(errors)
        text = widget_text(app.viewer.stats)
        assert "STATS" in text and "ERROR GROUPS" in text and str(top.value) in text
        await pilot.press("right")  # group by credential
        await settle(pilot)
        assert app.viewer.stats.data.field == "credential"
        assert {g.value: g.count for g in app.viewer.stats.data.groups} == dict(Counter(e["credential_id"] for e in logs))


async def test_enter_on_a_stats_row_filters_and_again_lifts_it(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        tool = app.viewer.stats.data.groups[1].value
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.viewer.filters.tool == tool
        assert shown(app) == [e["id"] for e in demo.state.aitronos_logs if e["tool"] == tool]
        assert "FROM STATS" in screen_text(app) and "x lifts them" in screen_text(app)
        assert all(g.value == tool for g in app.viewer.stats.data.groups)  # the stats follow the filter
        await pilot.press("enter")
        await settle(pilot)
        assert app.viewer.filters.tool is None and len(app.viewer.view) == len(demo.state.aitronos_logs)


async def test_an_error_group_is_a_filter_in_one_keypress(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        group = app.viewer.stats.data.errors[0]
        for _ in range(len(app.viewer.stats.data.groups)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert app.viewer.filters.error == group.group
        source = AitronosSource("o")
        expected = [e["id"] for e in demo.state.aitronos_logs if source.error_group(e["status"], e) == group.group]
        assert len(expected) == group.count and shown(app) == expected
        await pilot.press("escape", "x")
        await settle(pilot)
        assert app.viewer.filters.error is None and len(app.viewer.view) == len(demo.state.aitronos_logs)


async def test_supermetrics_stats_group_by_event_and_http_errors(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        logs = demo.state.supermetrics_logs
        data = app.viewer.stats.data
        assert data.field == "event" and app.viewer.stats.fields == ("event",)
        assert {g.value: g.count for g in data.groups} == dict(Counter(e["event"] for e in logs))
        source = SupermetricsSource(1, "C")
        expected = Counter(source.error_group(e["status"], e) for e in logs)
        expected.pop(None, None)
        assert {g.group: g.count for g in data.errors} == dict(expected)
        assert all(g.group.startswith("HTTP ") for g in data.errors)


async def test_patterns_of_a_file_and_hostile_names_stay_inert(tmp_path) -> None:
    rows = [{"id": f"h{i}", "created_at": f"2025-11-15T10:{i % 60:02d}:00Z", "status": "error",
             "tool": "[@click=app.quit]\x1b]2;pwned\x07tool", "duration_ms": i,
             "error": {"code": "X", "message": f"[bold]boom\x1b[2J {i}"}} for i in range(50)]
    import json

    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        text = widget_text(app.viewer.stats)
        assert "[@click=app.quit]]2;pwnedtool" in text and "X: [bold]boom[<n>J <n>" in text
        assert "\x1b" not in text
        await pilot.press("enter")  # filter by the hostile tool name: still just a value
        await settle(pilot)
        assert app.is_running and len(app.viewer.view) == 50


async def test_x_lifts_an_event_picked_in_the_stats_as_the_notice_promises(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        event = app.viewer.stats.data.groups[0].value
        await pilot.press("enter")
        await settle(pilot)
        assert app.viewer.filters.event == event
        assert any("(or x) lifts it" in message for message in said), said
        await pilot.press("x")
        await settle(pilot)
        assert app.viewer.filters.event is None and len(app.viewer.view) == len(demo.state.supermetrics_logs)
        assert "Lifted the event filter." in said, said
        await pilot.press("x")  # nothing left: said, not silent
        assert any("No filter picked in the stats" in message for message in said), said


async def test_x_leaves_an_event_chosen_in_the_sidebar(demo: DemoServer) -> None:
    event = demo.state.supermetrics_logs[0]["event"]
    app = make_app(demo, "supermetrics", filters=Filters(event=event))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert app.viewer.filters.event == event


async def test_the_footer_offers_group_by_only_where_there_is_a_choice(demo: DemoServer) -> None:
    for kind, offered in (("aitronos", True), ("supermetrics", False)):
        app = make_app(demo, kind)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            assert app.viewer.focused is app.viewer.stats
            footer = screen_text(app).splitlines()[-1]
            assert ("Group by" in footer) is offered, footer


async def test_no_stats_row_is_marked_picked_before_one_is(demo: DemoServer) -> None:
    """The merged tab's stats by tool marked `● (none)` (the Supermetrics rows: no tool) as the
    picked row with no filter set: None == None (found in a walk)."""
    app = two_tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "i", "right")
        await settle(pilot)
        stats = app.viewer.stats
        assert stats.data.field == "tool" and None in [group.value for group in stats.data.groups]
        text = widget_text(stats)
        assert "(none)" in text and "●" not in text


async def test_a_source_picked_in_the_stats_is_called_a_source(demo: DemoServer) -> None:
    """'Filtered by origin': the field's internal name, where the column, the sidebar and the
    stats all say source (found in a walk)."""
    app = two_tabs_app(demo)
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "i")
        await settle(pilot)
        assert app.viewer.stats.data.field == "origin"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert any(message.startswith("Filtered by source;") for message in said), said
        assert "Lifted the source filter." in said and not any("origin" in message for message in said)
