"""A file mixing both APIs (`cat` of two exports: 1 Aitronos line, 25 Supermetrics, 25 Aitronos)
opened as Aitronos showed 25 rows "invalid entry: created_at: Field required" and said nothing of
the mix (s26 walk #2): the banner says how many rows are the other API's, and each such row why."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from logview.options import ViewerOptions
from logview.demo import DemoState
from logview.files.jsonl import detect_kind, source_for_kind
from logview.model import Filters
from logview.jsonutil import dump_json
from logview.ui.app import LogViewApp
from ui_helpers import SIZE, detail_text, screen_text
from test_ui_bigfile import open_file, wait_loaded, wait_until

NOW = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)
SAID = ("half.jsonl: 25 of its 51 entries are Supermetrics entries: the file is read as Aitronos; they are shown invalid "
        "(!): --source supermetrics reads them instead")


def banner_shows(app: LogViewApp, said: str) -> bool:
    """The banner holds `said`, and the screen its way out (the banner wraps it beside the sidebar)."""
    way_out = said.rpartition(": ")[2]
    return said in " ".join(app.viewer.banner.plain().split()) and way_out in screen_text(app)


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
        await wait_until(pilot, lambda: banner_shows(app, SAID), "the banner's words")
        await pilot.press("j", "enter")
        await wait_until(pilot, lambda: "⚠ invalid entry:" in detail_text(app), "the detail")
        assert ("⚠ invalid entry: a Supermetrics entry (log_time) in a file read as Aitronos: --source supermetrics "
                "reads those instead") in " ".join(detail_text(app).split())


async def test_a_file_of_one_api_says_nothing_of_a_mix(tmp_path: Path) -> None:
    app = open_file(mixed(tmp_path, 0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: not any(w.group == "api-mix" for w in app.workers), "no count running")
        assert "Supermetrics" not in screen_text(app)


def supermetrics_then_aitronos(tmp_path: Path) -> Path:
    """25 Supermetrics lines, then 26 Aitronos ones (`cat sm.jsonl ait.jsonl`, s27 walk #8)."""
    state = DemoState(aitronos_entries=26, supermetrics_entries=25, live_rate=0.0, now=NOW, seed=3)
    path = tmp_path / "halfsm.jsonl"
    path.write_bytes(b"".join(dump_json(raw) + b"\n" for raw in [*state.supermetrics_logs, *state.aitronos_logs]))
    return path


def open_with_source(path: Path, given: str | None) -> LogViewApp:
    """The app as `logview --file PATH [--source GIVEN]` builds it."""
    kind = detect_kind(path, given)  # type: ignore[arg-type]
    options = ViewerOptions(filters=Filters(), file=path, file_source=kind, follow=False, interval_s=2.0)
    return LogViewApp(options, source=source_for_kind(kind), file_kind=kind)


async def banner_says(given: str | None, path: Path, said: str) -> None:
    app = open_with_source(path, given)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: banner_shows(app, said), "the banner's words")


async def test_a_file_half_of_each_api_is_read_as_the_api_most_of_its_entries_are(tmp_path: Path) -> None:
    """The 25 Supermetrics lines first decided it: the 26 Aitronos ones, the most, were shown invalid."""
    await banner_says(None, supermetrics_then_aitronos(tmp_path),
                      "halfsm.jsonl: 25 of its 51 entries are Supermetrics entries: the file is read as Aitronos; "
                      "they are shown invalid (!): --source supermetrics reads them instead")


async def test_source_on_a_file_half_of_each_api_reads_the_half_it_names(tmp_path: Path) -> None:
    """`--source supermetrics` was refused as reading "none of it": that half could never be read."""
    await banner_says("supermetrics", supermetrics_then_aitronos(tmp_path),
                      "halfsm.jsonl: 26 of its 51 entries are Aitronos entries: the file is read as Supermetrics; "
                      "they are shown invalid (!): --source aitronos reads them instead")


async def test_the_sidebar_says_how_many_rows_are_in_no_status(tmp_path: Path) -> None:
    """s27 walk #5: success 21 · error 2 · blocked 2 · timeout 1 = 26 of 51 rows, the other API's 25
    (invalid) in no count, though `e` steps onto them."""
    app = open_file(mixed(tmp_path, 25))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        note = "none selected = all; 25 more in none (invalid, or another status)"
        await wait_until(pilot, lambda: note in " ".join(sidebar_text(app).split()), "the note")
    app = open_file(mixed(tmp_path, 0))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: "none selected = all" in sidebar_text(app), "the note")
        assert "in none" not in sidebar_text(app)


def sidebar_text(app: LogViewApp) -> str:
    """The sidebar's column of the screen, its lines joined."""
    return " ".join(line.split("▕")[0] for line in screen_text(app).splitlines()[1:])


async def test_an_aitronos_entry_in_a_file_read_as_supermetrics_says_why_in_its_detail(tmp_path: Path) -> None:
    """s28 walk: "a Aitronos entry (created_at) in a file read as Supermetrics"."""
    options = ViewerOptions(filters=Filters(), file=mixed(tmp_path, 25), file_source="supermetrics", follow=False)
    app = LogViewApp(options, source=source_for_kind("supermetrics"), file_kind="supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("G", "enter")  # (the file's first line, oldest: an Aitronos entry)
        await wait_until(pilot, lambda: "⚠ invalid entry:" in detail_text(app), "the detail")
        assert "⚠ invalid entry: an Aitronos entry (created_at) in a file read as Supermetrics" in " ".join(
            detail_text(app).split())
