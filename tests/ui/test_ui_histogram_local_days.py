"""The histogram's days start at local midnight past a change of the clocks (found in a walk): in New York,
over a month of logs reaching past 2 Nov 2025 (the end of summer time), every day after it was counted from
23:00 the day before. The newest bar, 15 Nov from midnight to the last entry at 07:00, read
'14 Nov – 15 Nov' and Enter narrowed the dates to 2025-11-14T23:00 – 2025-11-15T22:59:59."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ui_helpers import file_app, open_histogram, screen_text, settle

NEWEST = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)  # 07:00 in New York


def write_file(path: Path) -> Path:
    """An Aitronos entry an hour, newest first, over 30 days back from NEWEST."""
    path.write_text("".join(json.dumps({
        "id": f"log_{hour}", "created_at": (NEWEST - timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "organization_id": "org_1", "credential_id": "tcred_1", "tool": "gmail.send_email", "status": "success",
        "duration_ms": 100, "error": None}) + "\n" for hour in range(30 * 24)))
    return path


async def test_the_newest_day_is_the_last_one_on_the_local_clock(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")  # (the `utc` fixture sets it back)
    time.tzset()
    app = file_app(write_file(tmp_path / "month.jsonl"))
    async with app.run_test(size=(80, 24)) as pilot:
        histogram = await open_histogram(pilot)
        assert histogram.data.bucket_us == 86_400_000_000
        picked = next(line for line in screen_text(app).splitlines() if "▸" in line)
        assert "▸ 15 Nov – 16 Nov  8 entries" in picked, picked  # (00:00 to 07:00, an entry an hour)
        days = {datetime.fromtimestamp(histogram.data.bucket_span(bar)[0] / 1e6).astimezone().strftime("%H:%M")
                for bar in range(len(histogram.data))}
        assert days == {"00:00"}, days
        await pilot.press("enter")
        await settle(pilot)
        assert app.viewer.session.filters.since == datetime(2025, 11, 15, 5, 0, tzinfo=timezone.utc)
