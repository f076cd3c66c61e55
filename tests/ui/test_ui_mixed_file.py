"""The merged tab's files open again: `s` in the `all` tab writes one envelope per line
(`{"source", "api", "entry"}`), and `--file` on such a file opens the merged timeline — each
line parsed by its own API, a source column, the Source filter, statuses by severity. CSV from
the merged tab has a source column. Lines that are not envelopes stay inert and are marked."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from textual.widgets import Select

from logview.demo import DemoServer
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from logview.ui.loading import NO_TAIL
from logview.ui.screens.save_dialog import SaveDialog
from test_ui_tabs import settle_all, shown_merged, tabs_app
from ui_helpers import (FAST, SIZE, connection, cursor_line, detail_text, file_app, kept_toasts, screen_text, settle,
                        table_lines, toast_said, wait_until, widget_text)

AITRONOS_LABEL, SUPERMETRICS_LABEL = "demo data (aitronos)", "demo data (supermetrics)"


async def save_via_dialog(pilot, app: LogViewApp, target: Path) -> None:
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(app.screen, SaveDialog)
    hint = " ".join(widget_text(app.screen.query_one("#save-hint")).split())  # (envelopes, not raw entries)
    merged = app.viewer.session.merged
    assert ("in an envelope naming its source" in hint and "a leading source column" in hint) == merged, hint
    app.screen.query_one("#save-path").value = str(target)  # type: ignore[attr-defined]
    await pilot.press("enter")
    await settle(pilot)
    assert target.exists()


async def save_merged_tab(demo: DemoServer, target: Path) -> list:
    """Open two profiles, save the `all` tab to `target`; returns the merged rows' entries."""
    app = tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        app.show_tab(2)
        await shown_merged(pilot, app)
        merged = app.viewers[2]
        assert app.screen is merged
        entries = merged.store.entries(merged.view.index)
        await save_via_dialog(pilot, app, target)
    return entries


def shown_entries(app: LogViewApp) -> list:
    return app.viewer.store.entries(app.viewer.view.index)


async def test_a_saved_merged_tab_opens_as_the_merged_timeline(demo: DemoServer, tmp_path: Path) -> None:
    target = tmp_path / "all.jsonl"
    saved = await save_merged_tab(demo, target)
    lines = target.read_bytes().splitlines()
    assert len(lines) == len(saved)
    first = json.loads(lines[0])
    assert list(first) == ["source", "api", "entry"]  # one envelope per line, keys in this order
    raws = {e["id"]: e for e in demo.state.aitronos_logs + demo.state.supermetrics_logs}
    assert first["entry"] == raws[first["entry"]["id"]]  # the entry exactly as the API sent it
    assert first["source"] == (AITRONOS_LABEL if first["api"] == "aitronos" else SUPERMETRICS_LABEL)

    app = file_app(target)  # what `logview --file all.jsonl` opens
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = shown_entries(app)
        assert len(app.viewer.view) == len(saved)
        assert [e for e in entries if e.invalid] == []  # each line parsed by its own API
        assert {e.source for e in entries} == {"aitronos", "supermetrics"}
        assert [e.id for e in entries] == [e.id for e in saved]  # newest first, as in the tab
        assert app.viewer.session.status_options[:4] == ("ok", "info", "warning", "error")  # by severity across APIs
        header, *rows = table_lines(app)
        assert "source" in header
        assert any(AITRONOS_LABEL[:12] in row for row in rows) or any(SUPERMETRICS_LABEL[:12] in row for row in rows)
        assert app.viewer.sidebar._facet_values == [AITRONOS_LABEL, SUPERMETRICS_LABEL]
        assert "SOURCE" in screen_text(app)  # the Source filter's title
        app.viewer.sidebar.query_one("#facet").value = SUPERMETRICS_LABEL  # type: ignore[attr-defined]
        await settle(pilot)
        narrowed = shown_entries(app)
        assert narrowed and {e.source for e in narrowed} == {"supermetrics"}
        assert len(narrowed) == sum(1 for e in saved if e.source == "supermetrics")
        app.viewer.sidebar.query_one("#facet", Select).clear()
        await pilot.press("i")  # stats grouped by source
        await settle(pilot)
        stats = widget_text(app.viewer.stats)
        assert "group by  source" in stats and AITRONOS_LABEL in stats and SUPERMETRICS_LABEL in stats


async def test_save_open_save_gives_the_same_bytes(demo: DemoServer, tmp_path: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    await save_merged_tab(demo, first)
    app = file_app(first)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await save_via_dialog(pilot, app, second)
    assert second.read_bytes() == first.read_bytes()
    assert all(list(json.loads(line)) == ["source", "api", "entry"] for line in second.read_bytes().splitlines())


def envelope(source: str, api: str, entry: object) -> str:
    return json.dumps({"source": source, "api": api, "entry": entry}, separators=(",", ":"))


async def test_entries_at_one_moment_keep_their_order_across_sources(tmp_path: Path) -> None:
    """Two tabs' entries of the same instant come back in the order saved (not by which source
    the file names first), so a save of the reopened file gives the same bytes."""
    moment = "2025-11-15T10:00:00Z"
    lines = [envelope("b", "supermetrics", {"id": "s1", "log_time": "2025-11-15T11:00:00Z", "status": 200}),
             envelope("a", "supermetrics", {"id": "s2", "log_time": moment, "status": 200}),
             envelope("a", "aitronos", {"id": "a1", "created_at": moment, "status": "success"}),
             envelope("b", "supermetrics", {"id": "s3", "log_time": moment, "status": 200})]
    source, again = tmp_path / "ties.jsonl", tmp_path / "again.jsonl"
    source.write_text("\n".join(lines) + "\n")
    app = file_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await save_via_dialog(pilot, app, again)
    assert again.read_bytes() == source.read_bytes()


async def test_the_merged_tab_saves_csv_with_a_source_column(demo: DemoServer, tmp_path: Path) -> None:
    target = tmp_path / "all.csv"
    saved = await save_merged_tab(demo, target)
    rows = list(csv.reader(target.open(newline="")))
    assert rows[0][:2] == ["source", "id"]
    assert [row[1] for row in rows[1:]] == [e.id for e in saved]
    assert [row[0] for row in rows[1:]] == [AITRONOS_LABEL if e.source == "aitronos" else SUPERMETRICS_LABEL
                                            for e in saved]


HOSTILE_LABEL = "[@click=app.quit]x\x1b]0;pwned\x07"
HOSTILE_LINES = [
    envelope("prod", "aitronos", {"id": "a1", "created_at": "2025-11-15T10:00:00Z", "status": "error"}),
    envelope(HOSTILE_LABEL, "supermetrics", {"id": "s1", "log_time": "2025-11-15T09:00:00Z", "status": 503,
                                             "event": "[bold]x[/]"}),
    envelope("prod", "aitronos", "just a string, not an entry"),
    envelope("prod", "elsewhere", {"id": "x1", "created_at": "2025-11-15T08:00:00Z"}),
    json.dumps({"id": "bare", "created_at": "2025-11-15T07:00:00Z", "status": "success"}),
    "this line is [b]not[/b] {json",
    '{"source":"prod","api":"aitr',
]


async def test_hostile_lines_in_a_mixed_file_stay_inert_and_are_shown_invalid(tmp_path: Path) -> None:
    path = tmp_path / "hostile-mixed.jsonl"
    path.write_bytes("\n".join(HOSTILE_LINES).encode() + b"\n\xff\xfe{\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = shown_entries(app)
        assert len(entries) == len(HOSTILE_LINES) + 1
        assert sorted(e.id for e in entries if not e.invalid) == ["a1", "s1"]
        lines = table_lines(app)
        broken = [line for line in lines if "invalid entry" in line]
        assert len(broken) == len(HOSTILE_LINES) - 1 and all(line.lstrip().startswith("!") for line in broken)
        text = screen_text(app)
        assert "[@click=app.q" in text and "[bold]x[/]" in text
        assert not any(ch in text for ch in ("\x1b", "\x07"))
        hostile_row = next(line for line in lines if "[@click" in line)
        await pilot.click("#table", offset=(60, lines.index(hostile_row)))
        await pilot.pause()
        assert app.is_running
        await save_via_dialog(pilot, app, tmp_path / "again.jsonl")
    again = (tmp_path / "again.jsonl").read_bytes().splitlines()
    assert set(path.read_bytes().splitlines()) == set(again)  # every line kept, byte for byte


async def test_one_profile_saves_plain_entries_not_envelopes(demo: DemoServer, tmp_path: Path) -> None:
    app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection(demo, "aitronos")), policy=FAST)
    target = tmp_path / "one.jsonl"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await save_via_dialog(pilot, app, target)
    assert json.loads(target.read_bytes().splitlines()[0]) == demo.state.aitronos_logs[0]


async def test_r_reads_a_mixed_file_again(tmp_path: Path) -> None:
    path = tmp_path / "grows.jsonl"
    path.write_text(HOSTILE_LINES[0] + "\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [e.id for e in shown_entries(app)] == ["a1"]
        with path.open("a") as handle:
            handle.write(HOSTILE_LINES[1] + "\n")
        said = kept_toasts(app)
        await pilot.press("r")
        await settle(pilot)
        assert [e.id for e in shown_entries(app)] == ["a1", "s1"]
        assert app.viewer.sidebar._facet_values == sorted(["prod", HOSTILE_LABEL])
        # as for a plain file (it said nothing: found in a walk)
        assert said == ["Reading grows.jsonl again, as it is now."]


def watched_mixed_file(tmp_path: Path, monkeypatch) -> tuple[Path, list[str], LogViewApp]:
    """A mixed file (see `read_back_file`) and its viewer, which looks at it every 0.1 s."""
    from logview.ui import mixed_file

    monkeypatch.setattr(mixed_file, "CHECK_EVERY_S", 0.1)
    path = tmp_path / "mixed.jsonl"
    return path, read_back_file(path), file_app(path)


async def test_a_mixed_file_changed_on_disk_says_so_and_r_reads_it_again(tmp_path: Path, monkeypatch) -> None:
    """Every row turned `!` (nothing read back from a changed file), the sidebar's counts
    unchanged and no word of `r` (found in a walk): the banner says so, as for a plain file, and
    `r` takes it away. Only grown, it says so in a plain file's words, and its rows still read
    back: it said the rows shown may no longer match it, and they all turned `!` (s16 C7)."""
    path, lines, app = watched_mixed_file(tmp_path, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        assert "on disk" not in app.viewer.banner.plain()
        with path.open("a") as handle:
            handle.write(lines[0] + "\n")
        await wait_until(pilot, lambda: "mixed.jsonl has grown on disk since it was read — r reads it again"
                                        in app.viewer.banner.plain())
        await pilot.press("enter")
        await settle(pilot)
        shown = " ".join(detail_text(app).split())
        assert "no longer in the file" not in shown and "created_at 2025-11-15T10:59:00Z" in shown
        await pilot.press("escape", "r")
        await settle(pilot)
        assert len(app.viewer.view) == len(lines) + 2  # (and the line that is not an envelope)
        await pilot.pause(0.3)
        assert "on disk" not in app.viewer.banner.plain()
        time.sleep(0.02)  # (past the file system's clock tick: the write gets a later mtime)
        with path.open("r+b") as handle:  # rewritten in place
            handle.write(b" " * 40)
        await wait_until(pilot, lambda: "mixed.jsonl changed on disk since it was read: the rows shown may no "
                                        "longer match it — r reads it again" in app.viewer.banner.plain())



async def test_a_mixed_file_rewritten_longer_says_it_changed_not_that_it_grew(tmp_path: Path, monkeypatch) -> None:
    """Rewritten in place and made longer, its last bytes as read gone: it said "has grown" (its
    size alone was compared), while its rows no longer read back. A file that only grew keeps
    them; this one changed, and says so."""
    path, lines, app = watched_mixed_file(tmp_path, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        time.sleep(0.02)  # (past the file system's clock tick: the write gets a later mtime)
        with path.open("r+") as handle:  # the same file, other lines, and one more
            handle.write("\n".join([*reversed(lines), lines[0], "not an envelope"]) + "\n")
        await wait_until(pilot, lambda: "on disk" in app.viewer.banner.plain())
        assert ("mixed.jsonl changed on disk since it was read: the rows shown may no longer match it — r reads "
                "it again") in app.viewer.banner.plain()


async def test_a_file_naming_a_source_per_line_stays_bounded(tmp_path: Path) -> None:
    """Each source is a store of its own: past MAX_SOURCES, lines are shown invalid (and kept)."""
    from logview.files.mixed import MAX_SOURCES

    lines = [envelope(f"s{i}", "aitronos", {"id": f"a{i}", "created_at": f"2025-11-15T10:00:{i % 60:02d}Z"})
             for i in range(MAX_SOURCES + 20)]
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines) + "\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        entries = shown_entries(app)
        assert len(entries) == len(lines)
        assert sum(1 for e in entries if e.invalid) == 20
        assert len(app.viewer.sidebar._facet_values) == MAX_SOURCES + 1  # and "(unreadable)"
        await save_via_dialog(pilot, app, tmp_path / "again.jsonl")
    assert set((tmp_path / "again.jsonl").read_text().splitlines()) == set(lines)


def read_back_file(path: Path) -> list[str]:
    """Two sources' envelopes, newest first, and one line that is not an envelope."""
    lines = [envelope("prod", "aitronos", {"id": f"a{i}", "created_at": f"2025-11-15T10:{59 - i:02d}:00Z",
                                           "status": "error" if i % 4 == 0 else "success", "tool": f"tool.{i % 3}",
                                           "error": {"code": f"E{i}"} if i % 4 == 0 else None})
             if i % 2 == 0 else
             envelope("builder", "supermetrics", {"id": f"s{i}", "log_time": f"2025-11-15T10:{59 - i:02d}:30Z",
                                                  "status": 500 if i % 5 == 0 else 200, "event": f"ev.{i % 2}",
                                                  "request": f"GET /r/{i}"})
             for i in range(60)]
    path.write_text("\n".join([*lines, "not an envelope"]) + "\n")
    return lines


async def test_a_mixed_file_keeps_offsets_and_reads_entries_back(tmp_path: Path) -> None:
    """The rows hold their lines' offsets, not their entries (a million envelopes held as entries
    took 1.2 GB): the table, the detail pane, the search and `s` read each entry back from its
    line. Only the line that is not an envelope is held (it is saved back as it was)."""
    path, saved = tmp_path / "mixed.jsonl", tmp_path / "saved.jsonl"
    lines = read_back_file(path)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "2 sources merged" in screen_text(app).splitlines()[0]  # ("(unreadable)" is no source)
        held = [entry for _, part in app.viewer.parts for entry in part.held.entries if entry is not None]
        assert [entry.raw for entry in held] == ["not an envelope"]
        merged_held = [entry for entry in app.viewer.store.held.entries if entry is not None]
        assert [entry.raw for entry in merged_held] == ["not an envelope"]  # (the merged rows read back too)
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        raw = json.loads(lines[2])["entry"]
        assert raw["tool"] in cursor_line(app) and raw["id"] in detail_text(app)
        await pilot.press("escape", "slash", *"E36", "enter")  # a value only entry a36's error holds
        await settle(pilot)
        assert [e.id for e in shown_entries(app)] == ["a36"]
        await pilot.press("slash", "escape")
        await settle(pilot)
        await save_via_dialog(pilot, app, saved)
    assert saved.read_text().splitlines() == [*lines, "not an envelope"]


async def test_a_save_leaves_out_lines_changed_since_the_file_was_read(tmp_path: Path) -> None:
    """Written to in place, the file reads back nothing: a line rewritten at its length would
    otherwise read back another entry under the row's columns (found in a walk). The save says
    what it left out; the line that is not an envelope is held, and saved back."""
    path, saved = tmp_path / "mixed.jsonl", tmp_path / "saved.jsonl"
    lines = read_back_file(path)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        time.sleep(0.02)  # (past the file system's clock tick: the write gets a later mtime)
        with path.open("r+b") as handle:  # the first line overwritten in place, at its length
            handle.write(b" " * len(lines[0]))
        app.viewer.store.backings._cache.clear()  # (what was read back before the change is kept)
        for _, part in app.viewer.parts:
            part.backings._cache.clear()
        toasts = kept_toasts(app)
        await save_via_dialog(pilot, app, saved)
        said = await toast_said(pilot, toasts, "Saved 1 entry")
        assert "60 entries no longer in the file as it was read" in said, said
        assert "r reloads" in said
        await pilot.press("r")
        await settle(pilot)
        assert len(app.viewer.view) == 60 and sum(1 for e in shown_entries(app) if e.invalid) == 1  # (a blank line is no row)
    assert saved.read_text().splitlines() == ["not an envelope"]


async def test_keys_that_do_not_apply_to_a_mixed_file(tmp_path: Path) -> None:
    """As for --file: `t` is not in the footer, and the key changes nothing but says why; `c` says
    there is no connector to choose (the merged tab's message names tabs a file does not have)."""
    path = tmp_path / "mixed.jsonl"
    read_back_file(path)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = screen_text(app)
        assert " Tail" not in before.splitlines()[-1]
        said = kept_toasts(app)
        await pilot.press("t")
        await pilot.pause(0.2)
        assert not app.viewer.feed.tailing
        await pilot.press("c")
        await pilot.pause(0.2)
        assert said == [
            NO_TAIL, "A file holds what its sources read: no connector to choose."]
