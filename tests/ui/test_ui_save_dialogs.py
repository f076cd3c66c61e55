"""Saving from the viewer (issue 11): `s` takes exactly the names `logview export -o` takes, in the
same format and with the same refusal; saving over an existing file, or over saved filters of the
same name, asks first."""

from __future__ import annotations

from pathlib import Path

import pytest

from logview.demo import DEMO_ORG, DemoServer
from logview.ui.screens.save_dialog import SaveDialog
from test_export import AITRONOS_KEY, logview
from ui_helpers import SIZE, make_app, screen_text, settle, widget_text


def export_to(demo: DemoServer, target: Path):
    return logview("export", "--source", "aitronos", "--org", DEMO_ORG, "--base-url", demo.url, "-o", str(target),
                   env=AITRONOS_KEY)


async def type_save_name(pilot, name: str) -> None:
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SaveDialog)
    pilot.app.screen.query_one("#save-path").value = name
    await pilot.press("enter")
    await settle(pilot)


ACCEPTED = ["view.txt", "view.log", "view.json", "view.ndjson", "view.jsonl", "view", "view.2025-11-15", "view.CSV"]


async def test_s_accepts_the_names_export_accepts_and_writes_the_same_bytes(demo: DemoServer, tmp_path: Path) -> None:
    saved, exported = tmp_path / "saved", tmp_path / "exported"
    saved.mkdir(), exported.mkdir()
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name in ACCEPTED:
            await type_save_name(pilot, str(saved / name))
            assert not isinstance(app.screen, SaveDialog), (name, screen_text(app))
    for name in ACCEPTED:
        result = export_to(demo, exported / name)
        assert result.returncode == 0, result.stderr
        assert (saved / name).read_bytes() == (exported / name).read_bytes(), name
    assert (saved / "view.txt").read_bytes().startswith(b"{")  # JSONL
    assert (saved / "view.CSV").read_bytes().startswith(b"id,")  # CSV


async def test_s_refuses_what_export_refuses_with_the_same_message(demo: DemoServer, tmp_path: Path) -> None:
    target = tmp_path / "view.xlsx"
    result = export_to(demo, target)
    assert result.returncode == 2 and not target.exists()
    message = "cannot tell the format from '.xlsx': name the file .jsonl, .ndjson, .json, .log, .txt (JSONL) or .csv (CSV)"
    assert result.stderr.decode().startswith(f"logview: {message}")
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_save_name(pilot, str(target))
        assert isinstance(app.screen, SaveDialog)  # still asking
        assert "cannot tell the format from '.xlsx'" in screen_text(app)
        shown = widget_text(app.screen.query_one("#save-error"))
        assert " ".join(shown.split()) == message  # the same words, however the dialog wraps them
        await pilot.press("escape")
    assert not target.exists()
