"""Room for the widest value (issue 16, part 3): entries at the edges of the schema — durations
up to 2³¹ ms (596 h), statuses 100–599, dates in 1890, nulls, long names — rendered in the table,
the stats, the histogram and the merged timeline: every value has its room or ends in `…`, and
no column runs into the next."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from logview.ui.cells import GAP
from logview.ui.widgets.histogram import GUTTER
from logview.ui.widgets.histogram_cells import short_count
from logview.ui.widgets.stats_layout import MARK
from ui_helpers import file_app, settle, table_lines, widget_text

LONGEST_MS = 2**31 - 1  # 596h 31m
LONG = "connector.with_a_really_long_event_name_that_no_column_holds"


def supermetrics_rows() -> list[dict]:
    rows = []
    for i in range(60):
        rows.append({"id": f"s{i:03d}-{'x' * 30}", "log_time": f"{1890 + i * 2}-0{1 + i % 9}-18T0{i % 10}:00:00Z",
                     "status": [100, 599, 204, None, 429, 101][i % 6],
                     "event": [LONG, "data.page", None, f"{LONG}.{i}"][i % 4],
                     "request": "GET /v2/" + "segment/" * 20 if i % 3 else None,
                     "duration_ms": [LONGEST_MS, 0, None, 359_999_999, 12][i % 5],
                     "request_id": None})
    return rows


def aitronos_rows() -> list[dict]:
    rows = []
    for i in range(60):
        rows.append({"id": f"log_{i:040d}", "created_at": f"{1890 + i}-11-15T10:00:00.{i:03d}Z",
                     "status": ["success", "error", "blocked", "timeout", None][i % 5],
                     "credential_id": f"tcred_{'9' * 40}{i % 3}", "tool": [LONG, f"{LONG}_{i % 4}", None][i % 3],
                     "duration_ms": [LONGEST_MS, None, 0.5, 86_400_000][i % 4],
                     "error": {"code": "TIMEOUT", "message": f"Tool execution exceeded {'the limit ' * 8}({i % 7})"}
                     if i % 2 else None})
    return rows


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def assert_columns_apart(app) -> None:
    """Between every two columns on screen, in the header and every row, a gap of spaces."""
    table = app.viewer.table
    layout, width = table.table_layout(), table.scrollable_content_region.width
    lines = table_lines(app)
    shown = [p for p in layout.placed if p.column.key not in layout.off_screen and p.x + p.width + GAP <= width]
    assert len(shown) >= 3
    for line in lines[:1 + min(len(lines) - 1, table.row_count)]:
        for spot in shown:
            end = spot.x + spot.width
            assert line[end:end + GAP] == " " * GAP, (spot.column.key, line)
    for line in lines[1:1 + table.row_count]:
        for spot in shown:
            cell = line[spot.x:spot.x + spot.width].strip()
            if spot.column.key == "duration":
                assert cell in ("596h 31m", "99h 59m", "24h 00m", "12 ms", "0 ms", "—"), cell  # whole


@pytest.mark.parametrize("size", [(80, 24), (200, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("kind", ["supermetrics", "aitronos"])
async def test_the_table_and_stats_hold_the_widest_values(tmp_path: Path, kind: str, size: tuple[int, int]) -> None:
    rows = supermetrics_rows() if kind == "supermetrics" else aitronos_rows()
    app = file_app(write(tmp_path / f"{kind}.jsonl", rows))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert len(app.viewer.view) == len(rows)
        assert_columns_apart(app)
        assert "596h 31m" in "\n".join(table_lines(app)) or "duration" in app.viewer.table.table_layout().off_screen
        await pilot.press("i")
        await settle(pilot)
        stats = app.viewer.stats
        layout = stats.stats_layout(stats.scrollable_content_region.width)
        text = widget_text(stats).splitlines()
        assert layout is not None and "596h 31m" in "\n".join(text)
        for row in text[2:2 + len(stats.data.groups)]:
            numbers = row[MARK + 1 + layout.name:]
            cells = re.split(r" {2,}", numbers.strip())
            assert numbers.startswith("  ") and len(cells) == len(layout.numbers), row  # apart, none cut
            assert all(re.fullmatch(r"[\d,.]+%?|—|0|\d+(\.\d+)? (ms|s)|\d+m \d\ds|\d+h \d\dm", c) for c in cells), row
        names = [row[MARK:MARK + 1 + layout.name].strip() for row in text[2:2 + len(stats.data.groups)]]
        assert len(set(names)) == len(names)  # distinct names stay distinct


async def test_the_histogram_of_a_century_labels_its_years_apart(tmp_path: Path) -> None:
    app = file_app(write(tmp_path / "old.jsonl", supermetrics_rows()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        lines = widget_text(app.viewer.histogram).splitlines()
        axis = lines[7]
        labels = re.findall(r"┊(\d\d \w{3} \d{4})", axis)
        assert labels and all(1850 < int(label[-4:]) < 2030 for label in labels)  # the years are shown
        assert not re.search(r"\S┊", axis)  # every label stands apart from the one before
        assert "60 entries" in lines[0]
    # the count on the left has its gutter's room, up to counts no store holds
    assert all(len(short_count(n * 10**e)) <= GUTTER - 2 for e in range(16) for n in (1, 9, 99, 999, 9995))


async def test_the_merged_timeline_holds_both_apis_widest_values(tmp_path: Path) -> None:
    envelopes = [{"source": "sm", "api": "supermetrics", "entry": row} for row in supermetrics_rows()]
    envelopes += [{"source": "a-source-label-longer-than-its-column", "api": "aitronos", "entry": row}
                  for row in aitronos_rows()]
    app = file_app(write(tmp_path / "all.jsonl", envelopes))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(app.viewer.view) == len(envelopes)
        assert_columns_apart(app)
        lines = table_lines(app)
        assert any("a-source…" in line or "…" in line for line in lines[1:])  # cut with an ellipsis


async def test_an_absurd_duration_is_short_in_the_stats_and_leaves_p50_and_p95_in_the_panel(tmp_path: Path) -> None:
    """Found in a walk: a 30-digit duration showed as `9.382715964938247e+28` and pushed the p50
    and p95 columns out of the panel at 160 columns."""
    rows = aitronos_rows()[:20]
    rows[3]["duration_ms"] = 123456789012345678901234567890
    app = file_app(write(tmp_path / "absurd.jsonl", rows))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        stats = app.viewer.stats
        text = widget_text(stats)
        assert [title for title, _ in stats.stats_layout(stats.scrollable_content_region.width).numbers] == [
            "entries", "failed", "p50", "p95", "p99"]
        assert re.search(r"\b\d\.\de\+2[89] ms\b", text) and "9.382715964938247e+28" not in text, text
