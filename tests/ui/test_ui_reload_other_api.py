"""`r` over a file that the other API's export replaced on disk (s29): the reload kept the API told
at launch, every line of the new file an invalid entry under the old columns, status choices and
filters. The file's API is told again at `r`, and the viewer made again for it, as a launch would:
its columns, sidebar and detail the new file's, the time range and search kept, the rest said."""

from __future__ import annotations

import json
import os
from pathlib import Path

from logview.demo import DemoState
from logview.jsonutil import dump_json
from logview.model import Filters
from logview.ui.mixed_file import MixedFileViewer
from ui_helpers import FIXED_NOW, SIZE, detail_text, file_app, kept_toasts, screen_text, settle, wait_until

STATE = DemoState(aitronos_entries=40, supermetrics_entries=60, live_rate=0.0, now=FIXED_NOW, seed=3)
LOGS = {"aitronos": STATE.aitronos_logs, "supermetrics": STATE.supermetrics_logs}


def exported(path: Path, kind: str) -> Path:
    """`path` replaced by an export of `kind` ("mixed": a merged tab's save), as `-o` writes one: a new file
    renamed over it."""
    if kind == "mixed":
        lines = [b'{"source":"' + api.encode() + b'","api":"' + api.encode() + b'","entry":' + dump_json(raw) + b"}"
                 for api in LOGS for raw in LOGS[api][:10]]
    else:
        lines = [dump_json(raw) for raw in LOGS[kind]]
    temp = path.with_name(path.name + ".partial")
    temp.write_bytes(b"".join(line + b"\n" for line in lines))
    os.replace(temp, path)
    return path


async def replaced_by_a_merged_save(pilot, path: Path) -> None:
    """The file shown (`path`) replaced by a merged tab's save, and `r`: the merged timeline, read."""
    app = pilot.app
    await settle(pilot)
    exported(path, "mixed")
    await pilot.press("r")
    await wait_until(pilot, lambda: isinstance(app.viewer, MixedFileViewer), said=lambda: screen_text(app))
    await settle(pilot)


def header(app) -> str:
    return screen_text(app).splitlines()[1]


async def test_r_over_a_file_the_other_apis_export_replaced_reads_it_as_that_apis(tmp_path: Path) -> None:
    path = exported(tmp_path / "logs.jsonl", "supermetrics")
    app = file_app(path, filters=Filters(statuses=("5xx",)).with_time_range("2025-01-01", ""))
    toasts = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "request" in header(app) and "credential" not in header(app), header(app)
        assert "4 ● 5xx" in screen_text(app)
        exported(path, "aitronos")
        await pilot.press("r")
        await wait_until(pilot, lambda: "credential" in header(app), said=lambda: screen_text(app))
        await settle(pilot)
        shown = screen_text(app)
        assert "tool" in header(app) and "request" not in header(app), header(app)
        assert "1 ○ success" in shown and "5xx" not in shown, shown  # (Aitronos' statuses, the 5xx filter gone)
        assert "loaded 40" in shown.splitlines()[0] and "!" not in "".join(shown.splitlines()[2:-1]), shown
        assert app.viewer.filters.since_text == "2025-01-01"  # (kept: it means the same for either API's entries)
        assert "logs.jsonl is now an Aitronos export: reading it again as one; of its filters only the time " \
               "range and the search are kept." in toasts
        await pilot.press("enter")
        await wait_until(pilot, lambda: "created_at" in detail_text(app), said=lambda: detail_text(app))
        await pilot.press("escape", "r")  # (the same API now: read again, no word of another)
        await pilot.pause(0.5)
        await settle(pilot)
        assert "credential" in header(app) and sum(toast.startswith("logs.jsonl is now") for toast in toasts) == 1, toasts


async def test_r_over_a_file_a_merged_tabs_save_replaced_opens_the_merged_timeline_and_back(tmp_path: Path) -> None:
    path = exported(tmp_path / "logs.jsonl", "aitronos")
    app = file_app(path)
    toasts = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await replaced_by_a_merged_save(pilot, path)
        assert "source" in header(app) and "loaded 20" in screen_text(app).splitlines()[0], screen_text(app)
        assert "logs.jsonl is now a merged tab's save: reading it again as one." in toasts
        exported(path, "supermetrics")
        await pilot.press("r")
        await wait_until(pilot, lambda: not isinstance(app.viewer, MixedFileViewer), said=lambda: screen_text(app))
        await settle(pilot)
        assert "request" in header(app) and "loaded 60" in screen_text(app).splitlines()[0], screen_text(app)
        assert "logs.jsonl is now a Supermetrics export: reading it again as one." in toasts


def gmail_since_12_nov() -> set[str]:
    """The ids of a merged save (`exported(…, "mixed")`) that `gmail` finds from 12 Nov on: Aitronos' alone."""
    return {raw["id"] for raw in LOGS["aitronos"][:10] if "gmail" in json.dumps(raw) and raw["created_at"] >= "2025-11-12"}


def shown_ids(app) -> set[str]:
    return {entry.raw["id"] for entry in app.viewer.store.entries(app.viewer.view.index)}


async def test_r_over_a_file_a_merged_tabs_save_replaced_keeps_the_time_range_and_the_search(tmp_path: Path) -> None:
    """They were dropped (the merged timeline opened with no filters, every row shown: found in a walk)."""
    path = exported(tmp_path / "logs.jsonl", "aitronos")
    app = file_app(path, filters=Filters(search="gmail").with_time_range("2025-11-12", ""))
    async with app.run_test(size=SIZE) as pilot:
        await replaced_by_a_merged_save(pilot, path)
        assert (app.viewer.filters.search, app.viewer.filters.since_text) == ("gmail", "2025-11-12")
        assert 0 < len(gmail_since_12_nov()) < 20 and shown_ids(app) == gmail_since_12_nov(), screen_text(app)
        assert f"shown {len(gmail_since_12_nov())} " in screen_text(app).splitlines()[0], screen_text(app)


async def test_a_merged_tabs_save_opens_under_the_filters_given(tmp_path: Path) -> None:
    """`--file all.jsonl --search gmail --since 2025-11-12` opened every row, the flags dropped without a
    word (found in a walk)."""
    app = file_app(exported(tmp_path / "all.jsonl", "mixed"),
                   filters=Filters(search="gmail").with_time_range("2025-11-12", ""))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == 20, said=lambda: screen_text(app))
        await settle(pilot)
        assert shown_ids(app) == gmail_since_12_nov(), screen_text(app)
        assert "gmail" in screen_text(app) and "2025-11-12" in screen_text(app)  # (the sidebar says them)
