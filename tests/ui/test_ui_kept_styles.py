"""The styles parsed at one launch are kept for the next (issue 14, start-up): Textual parsed the
app's styles and its widgets' default CSS at every launch, ~20 ms of a big file's first rows.
A kept source is taken only for the same text from the same place under the same theme, and a
file someone else could have written is never read (a pickle runs code when read)."""

from __future__ import annotations

import json
import os
import pickle
import threading
import time
from pathlib import Path

import pytest
from textual.css import stylesheet

from logview.ui.stylesheet import DIGEST_SIZE, KeptStyles, ParsedOnceStylesheet, kept_name
from test_ui_terminal_bytes import read_for, read_until
from test_ui_typed_ahead import FIVE_ROWS, quit_and_close, typed_ahead
from ui_helpers import SIZE, file_app, screen_text, settle, wait_until

RED, BLUE = "Static { color: red; }", "Static { color: blue; }"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each source Textual parses, by the name of the file it comes from."""
    names: list[str] = []
    parse = stylesheet.parse

    def counted(scope, css, read_from, **options):
        names.append(Path(read_from[0]).name or css)
        return parse(scope, css, read_from, **options)

    monkeypatch.setattr(stylesheet, "parse", counted)
    return names


def sheet(kept: KeptStyles, *sources: str, variables: dict[str, str] | None = None) -> ParsedOnceStylesheet:
    styles = ParsedOnceStylesheet(variables=variables or {"primary": "#004578"}, kept=kept)
    for css in sources:
        styles.add_source(css, read_from=(css, ""))
    styles.parse()
    return styles


def test_a_kept_source_is_not_parsed_again_and_a_changed_one_is(tmp_path: Path, parsed: list[str]) -> None:
    kept = KeptStyles(tmp_path / "cache")
    first = sheet(kept, RED)
    first.keep_parsed()
    assert parsed == [RED]
    again = sheet(kept, RED)
    assert parsed == [RED] and again.rules == first.rules  # taken as kept: the same rules
    assert again.rules[0].styles.color == first.rules[0].styles.color
    changed = sheet(kept, BLUE)
    assert parsed == [RED, BLUE]
    assert changed.rules[0].styles.color != first.rules[0].styles.color


def test_another_themes_variables_parse_afresh(tmp_path: Path, parsed: list[str]) -> None:
    kept = KeptStyles(tmp_path / "cache")
    sheet(kept, "Static { color: $primary; }").keep_parsed()
    other = {"primary": "#ff0000"}
    assert kept_name(other) != kept_name({"primary": "#004578"})
    styles = sheet(kept, "Static { color: $primary; }", variables=other)
    assert len(parsed) == 2 and styles.rules[0].styles.color.hex == "#FF0000"


@pytest.mark.parametrize("spoiled", ["writable by others", "folder writable by others", "not a pickle"])
def test_a_kept_file_that_cannot_be_trusted_or_read_is_parsed_afresh(tmp_path: Path, parsed: list[str],
                                                                      spoiled: str) -> None:
    folder = tmp_path / "cache"
    kept = KeptStyles(folder)
    sheet(kept, RED).keep_parsed()
    (path,) = folder.iterdir()
    if spoiled == "writable by others":
        path.chmod(0o666)
    elif spoiled == "folder writable by others":
        folder.chmod(0o777)
    else:
        path.write_bytes(b"not a pickle")
    styles = sheet(kept, RED)
    assert parsed == [RED, RED] and styles.rules[0].styles.color.hex == "#FF0000"


def test_a_folder_that_cannot_be_written_keeps_nothing_and_the_viewer_goes_on(tmp_path: Path) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    sheet(KeptStyles(blocked / "cache"), RED).keep_parsed()  # (no error)
    assert blocked.read_text() == ""


async def test_the_second_launch_parses_no_style_and_looks_the_same(tmp_path: Path, parsed: list[str]) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in FIVE_ROWS))
    kept = KeptStyles(tmp_path / "cache")
    screens = []
    for launch in range(2):
        app = file_app(path)
        app.stylesheet = ParsedOnceStylesheet(variables=app.stylesheet._variables, kept=kept)  # (as `run_viewer`)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: len(app.viewer.view) == 5)
            # (the rows are in before their fields are read: "file loaded" after; on a loaded
            # machine one launch was caught a frame before it: a flake in a full suite)
            await wait_until(pilot, lambda: "file loaded" in screen_text(app))
            await settle(pilot)
            await pilot.pause()
            screens.append([(segment.text, segment.style) for strip in app.screen._compositor.render_strips()
                            for segment in strip])
        if launch == 0:
            assert "widgets.tcss" in parsed and "app.tcss" in parsed
            parsed.clear()
            app.stylesheet.keep_parsed()
    assert parsed == []
    assert screens[1] == screens[0]


def test_a_launch_keeps_its_styles_in_the_users_cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    process, leader = typed_ahead(tmp_path / "five.jsonl", FIVE_ROWS, b"")
    try:
        read_until(leader, b"shown", 30)
        os.write(leader, b"q")
        read_for(leader, 2)
        assert process.wait(timeout=10) == 0
    finally:
        quit_and_close(process, leader)
    (kept,) = (tmp_path / "user-cache" / "logview").glob("styles-*.pickle")
    assert kept.stat().st_mode & 0o077 == 0
    kept_rules = pickle.loads(kept.read_bytes()[DIGEST_SIZE:])  # (after the digest)
    assert any(Path(key[1][0]).name == "widgets.tcss" for key in kept_rules)


async def test_a_textual_without_what_the_kept_styles_build_on_keeps_its_own_stylesheet(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ParsedOnceStylesheet` reads parts of Textual's `Stylesheet` that are not its public API: a
    Textual that renamed one must still open the viewer, parsing its styles as Textual does."""
    assert ParsedOnceStylesheet.fits(stylesheet.Stylesheet())  # (the Textual installed: kept styles)
    monkeypatch.delattr(stylesheet.Stylesheet, "_parse_cache", raising=False)
    original_init = stylesheet.Stylesheet.__init__

    def without_parse_cache(self, *args, **kwargs) -> None:
        original_init(self, *args, **kwargs)
        del self._parse_cache

    monkeypatch.setattr(stylesheet.Stylesheet, "__init__", without_parse_cache)
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in FIVE_ROWS))
    app = file_app(path)
    assert not isinstance(app.stylesheet, ParsedOnceStylesheet)
    monkeypatch.setattr(stylesheet.Stylesheet, "__init__", original_init)  # (Textual parses as it can)


def test_a_kept_file_with_any_byte_changed_is_parsed_afresh_and_rewritten(tmp_path: Path, parsed: list[str]) -> None:
    """s19 #1: one changed byte could still unpickle, into rules Textual tripped on at every launch."""
    folder = tmp_path / "cache"
    kept = KeptStyles(folder)
    sheet(kept, RED).keep_parsed()
    (path,) = folder.iterdir()
    good = path.read_bytes()
    for position in range(0, len(good), max(1, len(good) // 40)):
        damaged = bytearray(good)
        damaged[position] ^= 0x73
        path.write_bytes(bytes(damaged))
        parsed.clear()
        styles = sheet(kept, RED)
        assert parsed == [RED], position
        assert styles.rules[0].styles.color.hex == "#FF0000"
        styles.keep_parsed()
        assert path.read_bytes() == good  # (rewritten whole)


async def test_kept_rules_that_textual_trips_on_are_parsed_again_and_the_file_rewritten(tmp_path: Path) -> None:
    """s19 #1: rules that unpickle whole but lack what Textual uses (as the walk's flipped memo
    reference made them) crashed every launch until the cache folder was deleted."""
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in FIVE_ROWS))
    kept = KeptStyles(tmp_path / "cache")
    for launch in ("writes the file", "trips on it", "reads it rewritten"):
        app = file_app(path)
        app.stylesheet = ParsedOnceStylesheet(variables=app.stylesheet._variables, kept=kept)  # (as `run_viewer`)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: len(app.viewer.view) == 5)
        app.stylesheet.keep_parsed()
        rules = kept.read(app.stylesheet._variables)
        assert rules and all(hasattr(rule, "selector_names") for found in rules.values() for rule in found), launch
        if launch == "writes the file":
            for found in rules.values():
                for rule in found:
                    del rule.selector_names
            kept.write(app.stylesheet._variables, rules)


def test_a_fifo_at_the_kept_files_path_is_passed_over_and_replaced(tmp_path: Path, parsed: list[str]) -> None:
    """s19 #2: opening a FIFO waits for a writer: the launch froze on a blank screen, deaf to q and Ctrl-C."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    variables = {"primary": "#004578"}
    os.mkfifo(folder / kept_name(variables), 0o600)
    kept = KeptStyles(folder)
    outcome: list[ParsedOnceStylesheet] = []
    reading = threading.Thread(target=lambda: outcome.append(sheet(kept, RED, variables=variables)), daemon=True)
    reading.start()
    reading.join(timeout=10)
    if reading.is_alive():  # (let the stuck open go, or the test run would hang too)
        with open(folder / kept_name(variables), "wb"):
            pass
        pytest.fail("reading the kept styles waited on a FIFO")
    assert parsed == [RED] and outcome[0].rules[0].styles.color.hex == "#FF0000"
    outcome[0].keep_parsed()
    assert kept.read(variables)  # (a regular file in its place)


def test_writing_a_kept_file_removes_those_no_launch_reads_again(tmp_path: Path, parsed: list[str]) -> None:
    """Kept files named as before (one digest of everything: sha256's 64 or 32 hex, BLAKE2's 32) and
    those of another Python or Textual unchanged for a month stayed in the cache folder for ever.
    Writing one removes them; not another theme's, another install's written lately, a file not of
    logview's naming, another's file behind a symlink, nor anything outside the folder."""
    folder, outside = tmp_path / "cache", tmp_path / "elsewhere"
    outside.mkdir()
    folder.mkdir(mode=0o700)
    month_ago = time.time() - 31 * 86400
    stale = [f"styles-{'a' * 64}.pickle", f"styles-{'b' * 32}.pickle", f"styles-{'c' * 16}-{'d' * 16}.pickle"]
    kept = [f"styles-{'e' * 16}-{'d' * 16}.pickle",  # another install's, written lately
            "styles-notes.pickle", f"styles-{'a' * 64}.pickle.bak", "archive.sqlite3", f"styles-{'f' * 63}.pickle"]
    for name in stale + kept:
        (folder / name).write_bytes(b"kept before")
        os.utime(folder / name, (month_ago, month_ago))
    os.utime(folder / kept[0])  # (now)
    target = outside / "precious"
    target.write_bytes(b"not logview's")
    os.utime(target, (month_ago, month_ago))
    (folder / f"styles-{'9' * 32}.pickle").symlink_to(target)
    other_theme = {"primary": "#ff0000"}
    sheet(KeptStyles(folder), "Static { color: $primary; }", variables=other_theme).keep_parsed()
    sheet(KeptStyles(folder), RED).keep_parsed()  # (this theme's file: the other theme's stays)
    left = sorted(path.name for path in folder.iterdir())
    assert left == sorted([*kept, f"styles-{'9' * 32}.pickle", kept_name(other_theme),
                           kept_name({"primary": "#004578"})]), left
    assert target.read_bytes() == b"not logview's" and not any(name in left for name in stale)
