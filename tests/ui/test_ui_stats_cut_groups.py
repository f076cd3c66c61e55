"""Error groups that differ only in their middle (the tool named inside the message) read distinct in
the stats panel at every size: at 60 columns two read `INVALID_ARGUMENT…east one address` (found in
a walk), the cut keeping both ends, where they agree, and none of the middle, where they differ."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from logview.demo import DemoServer, DemoState
from ui_helpers import FIXED_NOW, make_app, settle, widget_text

TOOLS = ("gmail.get_message", "gmail.search_messages", "google_drive.get_file", "google_drive.list_files",
         "notion.update_page", "slack.post_message", "github.list_pull_requests")


@pytest.fixture(scope="module")
def alike_server() -> Iterator[DemoServer]:
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=3)
    base = FIXED_NOW - timedelta(hours=1)
    rows = []
    for i, tool in enumerate(TOOLS):
        for kind, message in (("INVALID_ARGUMENT", f"Invalid input for {tool}: field 'to' must contain at least one address"),
                              ("PERMISSION_DENIED", f"Insufficient scope for {tool}; reconnect the account to grant access")):
            rows.append({"id": f"{kind}-{i}", "created_at": (base - timedelta(minutes=len(rows))).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "status": "error", "tool": tool, "credential_id": "tcred_1", "duration_ms": 120,
                         "error": {"code": kind, "message": message}})
    state.insert_raw("aitronos", [(base - timedelta(minutes=i), row) for i, row in enumerate(rows)])
    with DemoServer(state) as server:
        yield server


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (160, 48)])
async def test_error_groups_alike_but_in_their_middle_read_distinct(alike_server: DemoServer, size) -> None:
    app = make_app(alike_server)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        stats = app.viewer.stats
        assert len(stats.data.errors) == 2 * len(TOOLS)
        layout = stats.stats_layout(stats.scrollable_content_region.width)
        assert len(set(layout.errors)) == len(layout.errors), layout.errors
        seen: dict[str, str] = {}  # each error row's name as drawn, by the group it is
        for _ in range(len(stats._rows)):  # (down through every row: each drawn at the panel's width)
            row = stats._rows[stats.cursor]
            if row.kind == "error":
                line = widget_text(stats).splitlines()[stats.cursor - round(stats.scroll_y) + 2]
                seen[row.item.group] = line.strip(" ▏")[:layout.error_name].rstrip()  # (no row is picked: no `●`)
            await pilot.press("down")
            await pilot.pause()
        assert len(seen) == len(stats.data.errors)
        assert len(set(seen.values())) == len(seen), sorted(seen.values())
        for group, name in seen.items():  # each shows its code's start and its tool's
            tool = next(t for t in TOOLS if t in group)
            assert name[:6] == group[:6] and tool[:5] in name, (name, group)
