"""`r` over a file that `jq -s .` (a JSON array) replaced on disk (found by a tester): it was read
under the API told at launch, every row an invalid entry. The file's kind is told again, and a file
that a launch refuses is refused, in the launch's words (the `jq -c` that makes JSONL of it); the rows
read before stay shown, and `r` reads the file once it is JSON Lines again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from logview.ui.mixed_file import MixedFileViewer
from test_ui_reload_other_api import exported
from ui_helpers import SIZE, file_app, kept_toasts, screen_text, settle, table_lines, wait_until


def as_json_array(path: Path) -> None:
    """`jq -s . path > tmp && mv tmp path`."""
    entries = [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    temp = path.with_name(path.name + ".partial")
    temp.write_text(json.dumps(entries, indent=2) + "\n")
    os.replace(temp, path)


@pytest.mark.parametrize("kind", ["supermetrics", "mixed"])
async def test_r_over_a_file_a_json_array_replaced_says_so_as_a_launch_does(tmp_path: Path, kind: str) -> None:
    path = exported(tmp_path / "logs.jsonl", kind)
    loaded = "loaded 60" if kind == "supermetrics" else "loaded 20"
    app = file_app(path)
    toasts = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert loaded in screen_text(app).splitlines()[0], screen_text(app)
        as_json_array(path)
        await pilot.press("r")
        await wait_until(pilot, lambda: "JSON array" in app.viewer.banner.plain(), said=lambda: screen_text(app))
        await pilot.pause(2.5)  # (the file's watch looks again: its "changed on disk" takes no place of this)
        await settle(pilot)
        banner = " ".join(app.viewer.banner.plain().split())
        assert (f"{path} is a JSON array (over several lines), not JSON Lines (one entry a line): `jq -c '.[]' {path} > "
                f"{tmp_path / 'logs.lines.jsonl'}` makes one. The rows shown are those read before it changed; r reads "
                "it again once it is JSON Lines") in banner, banner
        shown = screen_text(app)
        assert loaded in shown.splitlines()[0] and "invalid entry" not in shown, shown
        assert not any(line.lstrip("▕ ").startswith("!") for line in table_lines(app)), table_lines(app)
        assert "logs.jsonl was not read again: the banner says why." in toasts
        assert isinstance(app.viewer, MixedFileViewer) == (kind == "mixed")
        exported(path, kind)  # (made JSON Lines again: r reads it)
        await pilot.press("r")
        await wait_until(pilot, lambda: "JSON array" not in app.viewer.banner.plain(), said=lambda: screen_text(app))
        await settle(pilot)
        assert loaded in screen_text(app).splitlines()[0], screen_text(app)
