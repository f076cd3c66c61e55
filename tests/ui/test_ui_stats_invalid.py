"""The stats panel accounts for the invalid entries: its `failed` counts them, and no error group
held those without an error (a line that is not JSON, an entry whose status breaks the schema), so
the groups fell short of the failures and nothing said what the rest was (found in a walk). Their
row under the error groups says how many (and another the other failures no group holds: an
Aitronos status that is a number); no filter picks them, and Enter there says where they are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from logview.demo import DemoServer, DemoState
from logview.ui.widgets.stats_layout import UNGROUPED_ROWS
from ui_helpers import FIXED_NOW, file_app, kept_toasts, make_app, settle, widget_text


def at(minutes: int) -> str:
    return (FIXED_NOW - timedelta(hours=1, minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def entry(i: int, status: object, **fields: object) -> dict:
    return {"id": f"e{i}", "created_at": at(i), "status": status, "tool": "gmail.send_email",
            "credential_id": "tcred_1", "duration_ms": 200, **fields}


TIMEOUT = {"code": "TIMEOUT", "message": "Tool execution exceeded the 30s limit (gmail.send_email)"}
ENTRIES = [entry(0, "success"), entry(1, "error", error=TIMEOUT), entry(2, "success"),
           entry(3, ["not", "a", "status"]),  # invalid, no error group
           entry(4, 500),  # failed (an HTTP error), valid, no error group (an Aitronos status is a word)
           entry(5, "error", error=TIMEOUT, duration_ms="slow"),  # invalid, in the TIMEOUT group
           entry(6, "success", duration_ms="slow")]  # invalid, no error group


@pytest.fixture(scope="module")
def invalid_server() -> Iterator[DemoServer]:
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=3)
    base = FIXED_NOW - timedelta(hours=1)
    state.insert_raw("aitronos", [(base - timedelta(minutes=i), row) for i, row in enumerate(ENTRIES)])
    with DemoServer(state) as server:
        yield server


async def last_row(pilot):
    """The stats panel opened, its highlight on its last row."""
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    await pilot.press("G")
    await pilot.pause()
    return pilot.app.viewer.stats


def accounted(stats) -> None:
    """The error groups and the rows under them add up to the entries counted as failed."""
    data = stats.data
    failed = sum(group.problems for group in data.groups)
    assert sum(group.count for group in [*data.errors, *data.ungrouped]) == failed


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (160, 48)])
async def test_the_invalid_entries_no_group_holds_have_their_row(invalid_server: DemoServer, size) -> None:
    app = make_app(invalid_server)
    kept = kept_toasts(app)
    async with app.run_test(size=size) as pilot:
        stats = await last_row(pilot)
        assert [(g.group, g.count) for g in stats.data.errors] == [(f"TIMEOUT: {TIMEOUT['message']}"
                                                                    .replace("30s", "<n>s"), 2)]
        assert [(u.invalid, u.count) for u in stats.data.ungrouped] == [(True, 2), (False, 1)]
        assert all(u.newest_us is not None for u in stats.data.ungrouped)
        accounted(stats)
        lines = widget_text(stats).splitlines()
        for name, count in ((UNGROUPED_ROWS[True], "2"), (UNGROUPED_ROWS[False], "1")):
            row = next(line for line in lines if name[:20] in line)
            assert row.split("group)")[1].split()[0] == count and "15 Nov" in row, row  # (its count, its newest)
        assert stats._rows[stats.cursor].item == stats.data.ungrouped[-1]
        await pilot.press("up", "enter")
        await settle(pilot)
        assert app.viewer.filters.error is None and len(app.viewer.view) == len(ENTRIES)
        assert any("No filter picks the invalid entries" in said and "e / E" in said for said in kept), kept
        await pilot.press("up", "enter")  # (the TIMEOUT group above them still filters)
        await settle(pilot)
        assert app.viewer.filters.error is not None and len(app.viewer.view) == 2


async def test_a_file_lines_not_json_are_counted_in_their_row(tmp_path: Path) -> None:
    import json

    lines = [json.dumps(row) for row in ENTRIES[:3]] + ["not json at all", "[1, 2, 3]", '{"id": "torn", "crea']
    path = tmp_path / "invalid.jsonl"
    path.write_text("\n".join(lines))
    app = file_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        stats = await last_row(pilot)
        assert [(u.invalid, u.count, u.newest_us) for u in stats.data.ungrouped] == [(True, 3, None)]  # (no time)
        accounted(stats)
        assert stats._rows[stats.cursor].kind == "ungrouped"
        assert any(UNGROUPED_ROWS[True] in line and line.split()[-1] == "3" for line in widget_text(stats).splitlines())


async def test_the_error_groups_past_those_listed_have_their_row(tmp_path: Path) -> None:
    """260 error groups of an entry each: 200 were listed, and nothing said the other 60 failures (found in a
    walk); their row under the groups counts them, and Enter there says how to see them."""
    import json

    from logview.store.analytics import TOP_GROUPS

    def word(i: int) -> str:  # (letters: a number in it would be masked, the groups one)
        return "".join(chr(65 + i // 26 ** k % 26) for k in range(3))

    rows = [entry(i, "error", error={"code": f"E_{word(i)}", "message": f"{word(i)} failed"}) for i in range(260)]
    path = tmp_path / "groups.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows))
    app = file_app(path)
    kept = kept_toasts(app)
    async with app.run_test(size=(100, 30)) as pilot:
        stats = await last_row(pilot)
        assert len(stats.data.errors) == TOP_GROUPS
        accounted(stats)
        row = widget_text(stats).splitlines()[-1]
        assert row.split()[:5] == ["60", "smaller", "error", "groups", "(not"] and row.split()[6] == "60", row
        await pilot.press("enter")
        await settle(pilot)
        assert app.viewer.filters.error is None and len(app.viewer.view) == len(rows)
        assert any(f"The {TOP_GROUPS} largest error groups are listed" in said for said in kept), kept
