"""`r` over a Supermetrics file that an Aitronos export replaced on disk makes the viewer again as a launch
on the new file makes it (s29): its credentials were left as ids where a launch on the same file named them
from the user's archive, for the command line looked the names up only for a file that was Aitronos' at
launch (s30). Both apps here are made from the options `logview --file PATH` makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logview.archive import Archive
from logview.archive.location import default_archive_path
from logview.archive.rows import SourceIdentity
from logview.cli import run_viewer_command
from logview.files.jsonl import source_for_kind
from logview.ui.app import LogViewApp
from test_ui_file_credential_names import NAMED, a_file
from ui_helpers import SIZE, screen_text, settle, wait_until


def supermetrics_file(path: Path) -> Path:
    rows = [{"id": f"s{i}", "log_time": f"2026-12-01T10:00:{59 - i:02d}Z", "status": 200, "event": "data.fetch",
             "request": "GET /v2/reports", "duration_ms": 5} for i in range(3)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def launched(monkeypatch: pytest.MonkeyPatch, path: Path) -> LogViewApp:
    """The app `logview --file PATH` opens: its options as the command line makes them."""
    made: list[tuple] = []
    monkeypatch.setattr("logview.ui.app.run_viewer", lambda *options, **_: made.append(options) or 0)
    assert run_viewer_command(["--file", str(path)]) == 0
    options = made[0][0]
    return LogViewApp(options, source=source_for_kind(options.file_source), file_kind=options.file_source)


def credentials_shown(app: LogViewApp) -> tuple[bool, bool, bool]:
    """Whether the screen names a credential the archive names, shows its id, and the id it cannot name."""
    screen = screen_text(app)
    return "Work Gmail" in screen, "tcred_work" in screen, "tcred_unknown" in screen


@pytest.fixture
def names_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's archive (no config: the default one) names the file's credentials."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    default_archive_path().parent.mkdir(parents=True, exist_ok=True)
    with Archive.open(default_archive_path()) as archive:
        archive.keep_names(SourceIdentity("aitronos", "https://one.example", "org_1"), "credentials", NAMED)


async def test_r_over_a_file_now_aitronos_names_its_credentials_as_a_launch_on_it_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names_kept: None) -> None:
    fresh = launched(monkeypatch, a_file(tmp_path / "aitronos.jsonl"))
    async with fresh.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: credentials_shown(fresh)[0], said=lambda: screen_text(fresh))
        await settle(pilot)
        at_launch = credentials_shown(fresh)
    assert at_launch == (True, False, True)

    path = supermetrics_file(tmp_path / "logs.jsonl")
    app = launched(monkeypatch, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        a_file(tmp_path / "new.jsonl").replace(path)
        await pilot.press("r")
        await wait_until(pilot, lambda: "tcred_unknown" in screen_text(app), said=lambda: screen_text(app))
        await wait_until(pilot, lambda: credentials_shown(app)[0], said=lambda: screen_text(app))
        await settle(pilot)
        assert credentials_shown(app) == at_launch, screen_text(app)
