"""Aitronos documents no tool field, and a sibling endpoint names tools by `tool_key`: whichever of
`tool`, `tool_key` and `tool_name` (and `connector`, `connector_key`, `connector_name`) an account
sends fills the tool column, the tool filter, the stats and the CSV — never an empty column."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from datetime import timedelta

import pytest

from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DemoServer
from logview.files.columns import ColumnReader
from logview.model import Filters
from logview.sources import AitronosSource
from ui_helpers import FIXED_NOW, SIZE, file_app, make_app, serving, settle, table_lines

import cli_runner

SPELLINGS = [("tool_key", "gmail"), ("tool_name", "slack"), ("tool", "jira"), ("connector_name", "notion")]


def aliased_entry(n: int, field: str, value: str) -> dict:
    return {"id": f"log_{n:03d}", "created_at": (FIXED_NOW - timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
            "status": "error" if n % 2 else "success", "credential_id": "tcred_1", "duration_ms": 10 + n,
            field: value}


def entries() -> list[dict]:
    return [aliased_entry(n, *SPELLINGS[n % len(SPELLINGS)]) for n in range(1, 13)]


@pytest.fixture
def aliased_server() -> Iterator[DemoServer]:
    with serving(aitronos=[(FIXED_NOW - timedelta(seconds=n + 1), e) for n, e in enumerate(entries())]) as server:
        yield server


async def test_every_spelling_of_the_tool_fills_the_column_the_filter_and_the_stats(aliased_server) -> None:
    app = make_app(aliased_server)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = table_lines(app)[1:13]
        for field, value in SPELLINGS:
            assert any(value in line for line in lines), (field, value, lines)
        await pilot.press("i")
        await settle(pilot)
        groups = {g.value: g.count for g in app.viewer.stats.data.groups}
        assert groups == {"gmail": 3, "slack": 3, "jira": 3, None: 3}  # a connector is not a tool


async def test_the_tool_filter_finds_a_tool_named_by_tool_key(aliased_server) -> None:
    app = make_app(aliased_server, filters=Filters(tool="gmail"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = table_lines(app)[1:]
        assert sum("gmail" in line for line in shown) == 3
        assert not any(name in line for line in shown for name in ("slack", "jira", "notion"))
    source = AitronosSource(DEMO_ORG)
    kept = [e["id"] for e in entries() if source.matches(source.entry_from_raw(e), Filters(tool="gmail"))]
    assert kept == [e["id"] for e in entries() if e.get("tool_key") == "gmail"]


def test_a_file_reads_the_aliases_into_its_tool_column(tmp_path) -> None:
    source = AitronosSource(DEMO_ORG)
    reader = ColumnReader(source)
    chunk = reader.read([json.dumps(e).encode() for e in entries()])
    coded = chunk.new_values["tool"]  # values in code order; code 0 is "none"
    read = [coded[int(code) - 1] if code else None for code in chunk.codes["tool"]]
    assert read == [e.get("tool_key") or e.get("tool_name") or e.get("tool") for e in entries()]


async def test_a_file_of_aliased_entries_filters_by_tool(tmp_path) -> None:
    path = tmp_path / "aliased.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in entries()))
    app = file_app(path, filters=Filters(tool="slack"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.viewer.session.view) == 3
        assert all("slack" in line for line in table_lines(app)[1:4])


def test_the_csv_export_fills_tool_and_connector_from_their_aliases(aliased_server) -> None:
    result = cli_runner.run(
        [sys.executable, "-m", "logview", "export", "--source", "aitronos", "--org", DEMO_ORG,
         "--base-url", aliased_server.url, "--format", "csv"],
        capture_output=True, timeout=60,
        env={"FREDDY_API_KEY": DEMO_AITRONOS_KEY, "LOGVIEW_CONFIG": "/nonexistent/config.toml",
             "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode())))
    by_id = {row["id"]: row for row in rows}
    for entry in entries():
        row = by_id[entry["id"]]
        tool = entry.get("tool_key") or entry.get("tool_name") or entry.get("tool") or ""
        assert row["tool"] == tool
        assert row["connector"] == entry.get("connector_name", "")
