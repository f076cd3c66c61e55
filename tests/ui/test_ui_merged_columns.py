"""The merged tab's columns: the `source` column as wide as its tab labels (s28 walk #6: 16 cells held
for `ai` and `sm` at 60 columns, the tool or event beside it cut), and each source's time in the
precision it has (s28 walk #12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from logview.demo import DEMO_CONNECTOR, DEMO_TEAM, DemoServer, DemoState
from test_ui_merged_progress import aitronos_profile, profiles_app
from ui_helpers import SIZE, table_lines, wait_until


def two_profiles(server: DemoServer) -> str:
    return aitronos_profile("ai", server.url) + (
        f'[profiles.sm]\nsource = "supermetrics"\nteam = {DEMO_TEAM}\nconnector = "{DEMO_CONNECTOR}"\n'
        f'base_url = "{server.url}"\n')


async def test_the_source_column_is_as_wide_as_its_labels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with DemoServer(DemoState(aitronos_entries=40, supermetrics_entries=40, live_rate=0.0, seed=5)) as server:
        app = profiles_app(tmp_path, monkeypatch, two_profiles(server), "ai", "sm")
        async with app.run_test(size=(60, 20)) as pilot:
            merged = app.viewers[-1]
            await pilot.press("right_square_bracket", "right_square_bracket")
            await wait_until(pilot, lambda: app.screen is merged and len(merged.view) == 80)
            header, *rows = table_lines(app)
            assert header.index("tool / event") - header.index("source") == len("source") + 2, header
            at = header.index("source")
            assert {row[at:at + 8] for row in rows if row.strip()} == {"ai      ", "sm      "}, rows
            # (the room given to the tool or event: 12 cells and its ellipsis, where it had 8)
            assert any(row[at + 8:].startswith("gmail.") and len(row[at + 8:].split("…")[0]) >= 12 for row in rows), rows


async def test_a_supermetrics_time_is_said_in_whole_seconds_beside_aitronos_milliseconds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """s28 walk #12: `12:30:07.000` beside Aitronos' `12:30:07.384`: the `.000` is precision the
    Supermetrics API never sent. Its place is kept, so the columns after it stay aligned."""
    with DemoServer(DemoState(aitronos_entries=40, supermetrics_entries=40, live_rate=0.0, seed=5)) as server:
        app = profiles_app(tmp_path, monkeypatch, two_profiles(server), "ai", "sm")
        async with app.run_test(size=SIZE) as pilot:
            merged = app.viewers[-1]
            await pilot.press("right_square_bracket", "right_square_bracket")
            await wait_until(pilot, lambda: app.screen is merged and len(merged.view) == 80)
            header, *rows = table_lines(app)
            status = header.index("status")
            by_source = {label: [row for row in rows if f"  {label}  " in row] for label in ("ai", "sm")}
            assert by_source["ai"] and by_source["sm"], rows
            for row in by_source["sm"]:
                assert re.fullmatch(r"\d\d:\d\d:\d\d {6}", row[status - 14:status]), row
            for row in by_source["ai"]:
                assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d\d\d  ", row[status - 14:status]), row
            assert ".000  " not in "\n".join(by_source["sm"])
