"""A file mixing both APIs (`cat` of two exports: 1 Aitronos line, 25 Supermetrics, 25 Aitronos)
opened as Aitronos showed 25 rows "invalid entry: created_at: Field required" and said nothing of
the mix (s26 walk #2): the banner says how many rows are the other API's, and each such row why."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from logview.demo import DemoState
from logview.jsonutil import dump_json
from ui_helpers import SIZE, detail_text, screen_text
from test_ui_bigfile import open_file, wait_loaded, wait_until

NOW = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)
SAID = "half.jsonl: 25 of its 51 entries are Supermetrics entries: the file is read as Aitronos; they are shown invalid (!)"


def mixed(tmp_path: Path, supermetrics: int) -> Path:
    state = DemoState(aitronos_entries=26, supermetrics_entries=supermetrics, live_rate=0.0, now=NOW, seed=3)
    ait = state.aitronos_logs
    path = tmp_path / "half.jsonl"
    path.write_bytes(b"".join(dump_json(raw) + b"\n" for raw in [ait[0], *state.supermetrics_logs, *ait[1:]]))
    return path


async def test_a_file_mixing_both_apis_says_so_on_its_banner_and_each_row_why(tmp_path: Path) -> None:
    app = open_file(mixed(tmp_path, 25))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: SAID in " ".join(screen_text(app).split()), "the banner's words")
        await pilot.press("j", "enter")
        await wait_until(pilot, lambda: "⚠ invalid entry:" in detail_text(app), "the detail")
        assert ("⚠ invalid entry: a Supermetrics entry (log_time) in a file read as Aitronos, the API most of its "
                "first lines are") in " ".join(detail_text(app).split())


async def test_a_file_of_one_api_says_nothing_of_a_mix(tmp_path: Path) -> None:
    app = open_file(mixed(tmp_path, 0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: not any(w.group == "api-mix" for w in app.workers), "no count running")
        assert "Supermetrics" not in screen_text(app)
