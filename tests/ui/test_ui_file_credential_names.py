"""A file of Aitronos entries names its credentials as its API's tab does, from the names the user's archive
keeps (s25 walk #3: a file saved from a tab showed `tcred_…` ids where the tab showed `Work Gmail`)."""

from __future__ import annotations

import json
from pathlib import Path

from logview.archive import Archive
from logview.archive.rows import SourceIdentity
from logview.files.jsonl import source_for_kind
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import SIZE, screen_text, settle, wait_until

NAMED = [{"id": "tcred_work", "display_name": "Work Gmail", "account_email": "dana@example.com", "tool_key": "gmail"},
         {"id": "tcred_old", "display_name": "Old name", "account_email": "", "tool_key": "slack"}]
RENAMED = [{"id": "tcred_old", "display_name": "Team Slack", "account_email": "", "tool_key": "slack"}]


def a_file(path: Path) -> Path:
    rows = [{"id": f"e{i}", "created_at": f"2026-12-01T10:00:{59 - i:02d}Z", "status": "error",
             "organization_id": "org_1", "credential_id": credential, "tool_key": "gmail.send_email", "duration_ms": 5}
            for i, credential in enumerate(["tcred_work", "tcred_old", "tcred_unknown"])]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def file_app(path: Path, names: Path | None) -> LogViewApp:
    options = ViewerOptions(filters=Filters(), file=path, file_source="aitronos", names_archive=lambda: names)
    return LogViewApp(options, source=source_for_kind("aitronos"), file_kind="aitronos")


async def test_a_files_credentials_are_named_from_every_organizations_kept_names(tmp_path: Path) -> None:
    archive_path = tmp_path / "archive.sqlite3"
    with Archive.open(archive_path) as archive:
        archive.keep_names(SourceIdentity("aitronos", "https://one.example", "org_1"), "credentials", NAMED)
        archive.keep_names(SourceIdentity("aitronos", "https://two.example", "org_2"), "credentials", RENAMED)
    app = file_app(a_file(tmp_path / "errors.jsonl"), archive_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "Work Gmail" in screen_text(app), said=lambda: screen_text(app))
        await settle(pilot)
        screen = screen_text(app)
        # (the later list's name for an id two lists name; an id none names stays an id)
        assert "Team Slack" in screen and "Old name" not in screen and "tcred_unknown" in screen, screen
        assert "tcred_work" not in screen


async def test_without_an_archive_the_ids_stay(tmp_path: Path) -> None:
    app = file_app(a_file(tmp_path / "errors.jsonl"), None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "tcred_work" in screen_text(app))
        await settle(pilot)
        assert "Work Gmail" not in screen_text(app)


async def searched_for(pilot, app: LogViewApp, text: str) -> str:
    """The table's words once a search for `text` (/ text Enter) has shown no row."""
    await pilot.press("/", "ctrl+u", *text, "enter")
    await wait_until(pilot, lambda: app.viewer.session.filters.search == text and not app.viewer.session.searching
                     and "No loaded entries match" in screen_text(app), 20, said=lambda: screen_text(app))
    await settle(pilot)
    return " ".join(screen_text(app).split())


async def test_a_search_for_a_credentials_shown_name_says_it_matches_ids_and_where_to_pick_it(tmp_path: Path) -> None:
    """s27 walk #4: `/inbox` (the table's `Support inbox`) said only "No loaded entries match the filters"."""
    archive_path = tmp_path / "archive.sqlite3"
    with Archive.open(archive_path) as archive:
        archive.keep_names(SourceIdentity("aitronos", "https://two.example", "org_2"), "credentials", RENAMED)
    app = file_app(a_file(tmp_path / "errors.jsonl"), archive_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "Team Slack" in screen_text(app), said=lambda: screen_text(app))
        said = await searched_for(pilot, app, "team")  # (no entry holds it: the name "Team Slack" does)
        assert ("No loaded entries match the filters." in said and "The search reads the entries' values (ids), not the "
                "names shown: pick 'Team Slack' in the sidebar's CREDENTIAL." in said), said
        said = await searched_for(pilot, app, "zzqq")  # (no name holds it: the plain words)
        assert "No loaded entries match the filters." in said and "CREDENTIAL." not in said, said


async def test_the_credential_picker_lists_them_by_the_names_shown(tmp_path: Path) -> None:
    """s28 walk: the picker listed named credentials by their ids, in no order a user could see."""
    archive_path = tmp_path / "archive.sqlite3"
    with Archive.open(archive_path) as archive:
        archive.keep_names(SourceIdentity("aitronos", "https://one.example", "org_1"), "credentials",
                           [{"id": "tcred_old", "display_name": "zebra desk", "account_email": "", "tool_key": "slack"},
                            {"id": "tcred_work", "display_name": "Accounts", "account_email": "", "tool_key": "gmail"}])
    app = file_app(a_file(tmp_path / "errors.jsonl"), archive_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "Accounts" in screen_text(app), said=lambda: screen_text(app))
        await settle(pilot)
        app.viewer.sidebar.query_one("#facet").focus()
        await pilot.press("enter")  # (the picker open, as the user sees it)
        await settle(pilot)
        screen = screen_text(app)
        lines = screen.splitlines()
        picker = [line[:30].strip() for line in lines[next(i for i, line in enumerate(lines) if "CREDENTIAL" in line):]]
        assert picker[2:6] == ["any credential", "Accounts", "tcred_unknown", "zebra desk"], screen
