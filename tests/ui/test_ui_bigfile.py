"""The viewer on files of a realistic size, as a user sees it (Pilot, 160x48).

`logview --file` indexes a file's lines first (every row is in the table at once), then reads the
filter columns in the background; search scans the file's bytes; the detail pane, the table and
saving read entries back from the file. These tests open generated exports (the benchmark
generator's shapes: 60,000 Supermetrics lines, 20,000 Aitronos lines, and 200,000 Supermetrics
lines for responsiveness), and check every answer against the file itself, parsed here with the
standard library's `json` — never against the viewer's own store.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from logview.files import early, split_read
from logview.model import Filters
from logview.options import ViewerOptions
from logview.files.jsonl import detect_kind, source_for_kind
from logview.ui.app import LogViewApp
from logview.ui.screens.save_dialog import SaveDialog
from logview.ui.widgets.detail_pane import DetailPane
from logview.ui.widgets.sidebar import StatusOption
from ui_helpers import SIZE, cursor_line, detail_text, kept_toasts, screen_text, table_lines

GEN_FILE = Path(__file__).resolve().parents[2] / "benchmarks" / "gen_file.py"
TIMEOUT_S = 30.0  # generous: a file here loads in about a second
POLL_S = 0.02
NEWEST, OLDEST = "bench.newest.marker", "bench.oldest.marker"
SM_LINES, AIT_LINES, BIG_LINES = 60_000, 20_000, 200_000
EXTRA_ROW = 7  # the Aitronos line that carries unknown extra fields
EXTRA_FIELDS: dict[str, Any] = {
    "x_trace": {"hops": [1, 2.5, None, "edge-Ünïcode"], "ok": True, "note": 'say "hi" to zq-quoted'},
    "x_big": 123456789012345678901234567890,
}
LOADING_PATTERNS = (
    re.compile(r"indexing the file · (\d+)% …"),
    re.compile(r"reading fields · ([\d,]+) of ([\d,]+) \((\d+)%\) …"),
)


# -- the data: generated once per module, checked with plain json ---------------------------

@dataclass
class JsonlFile:
    path: Path
    lines: list[bytes]  # the file's lines without their line breaks
    raws: list[Any]  # each line parsed with json (None where it is not JSON)

    @cached_property
    def texts(self) -> list[str]:
        """Per line, its values lower-cased and joined by NUL (so a needle cannot span two);
        a line that is not JSON is its text."""
        return ["\0".join(values(raw)).lower() if raw is not None else line.decode("utf-8", "replace").lower()
                for line, raw in zip(self.lines, self.raws)]

    @classmethod
    def read(cls, path: Path) -> JsonlFile:
        lines = path.read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        return cls(path, lines, [parse(line) for line in lines])


def parse(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


def generate(shape: str, n: int, path: Path, seed: int = 7) -> Path:
    """The benchmark generator's output (same shapes and markers as `benchmarks/gen_file.py`)."""
    spec = importlib.util.spec_from_file_location("logview_bench_gen_file", GEN_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--shape", shape, "-n", str(n), "-o", str(path), "--seed", str(seed)]) == 0
    return path


@pytest.fixture(scope="module")
def sm(tmp_path_factory: pytest.TempPathFactory) -> JsonlFile:
    path = generate("supermetrics", SM_LINES, tmp_path_factory.mktemp("bigfile") / "sm.jsonl")
    return JsonlFile.read(path)


@pytest.fixture(scope="module")
def ait(tmp_path_factory: pytest.TempPathFactory) -> JsonlFile:
    """Aitronos lines; line EXTRA_ROW also has fields no schema knows (a nested object with an
    escaped quote and non-ASCII text, and an integer beyond 64 bits)."""
    path = generate("aitronos", AIT_LINES, tmp_path_factory.mktemp("bigfile") / "ait.jsonl")
    lines = path.read_bytes().split(b"\n")
    raw = json.loads(lines[EXTRA_ROW])
    raw.update(EXTRA_FIELDS)
    lines[EXTRA_ROW] = json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(b"\n".join(lines))
    return JsonlFile.read(path)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> JsonlFile:
    path = generate("supermetrics", BIG_LINES, tmp_path_factory.mktemp("bigfile") / "big.jsonl", seed=3)
    return JsonlFile.read(path)


# -- independent answers ----------------------------------------------------------------------

def values(value: Any) -> Iterator[str]:
    """Every scalar value of a parsed line as text (keys and nulls are not values)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from values(item)
    elif isinstance(value, list):
        for item in value:
            yield from values(item)
    elif isinstance(value, bool):
        yield "true" if value else "false"
    elif value is not None:
        yield str(value)


def search_hits(data: JsonlFile, needle: str) -> list[int]:
    """Lines with `needle` (case-insensitively) in one of their values; a line that is not JSON
    is searched as text."""
    needle = needle.lower()
    return [number for number, text in enumerate(data.texts) if needle in text]


def status_in(kind: str, status: Any, option: str) -> bool:
    if kind == "aitronos":
        return isinstance(status, str) and status.lower() == option
    is_code = isinstance(status, int) and not isinstance(status, bool)
    if option == "other":  # no status in 2xx-5xx
        return not (is_code and 200 <= status < 600)
    return is_code and status // 100 == int(option[0])


def status_hits(data: JsonlFile, kind: str, options: tuple[str, ...]) -> list[int]:
    return [i for i, raw in enumerate(data.raws)
            if isinstance(raw, dict) and any(status_in(kind, raw.get("status"), o) for o in options)]


def expected_counts(data: JsonlFile, kind: str, options: tuple[str, ...]) -> dict[str, str]:
    return {option: f"{len(status_hits(data, kind, (option,))):,}" for option in options}


# -- what the user sees -------------------------------------------------------------------------

def open_file(path: Path, *, max_entries: int | None = None) -> LogViewApp:
    """The app as `logview --file PATH [--max-entries N]` builds it (no cap unless given)."""
    kind = detect_kind(path)
    options = ViewerOptions(filters=Filters(), file=path, file_source=kind, follow=False, interval_s=2.0,
                            max_entries=max_entries)
    return LogViewApp(options, source=source_for_kind(kind), file_kind=kind)


def status_line(app: LogViewApp) -> str:
    return app.viewer.status_bar.plain()


def finished(app: LogViewApp) -> bool:
    """The status line says loading is over (`file loaded`, or the cap's message)."""
    line = status_line(app)
    return "◌" not in line and ("file loaded" in line or "capped at" in line)


def status_note(app: LogViewApp) -> str:
    content = app.viewer.sidebar.query_one("#status-note", Static).content
    return getattr(content, "plain", str(content))


def sidebar_counts(app: LogViewApp) -> dict[str, str]:
    return {option.option: option.render().plain.split()[-1] for option in app.screen.query(StatusOption)}


def shown_ids(app: LogViewApp) -> list[str]:
    return [entry.id for entry in app.viewer.store.entries(app.viewer.view.index)]


def first_visible(app: LogViewApp) -> int:
    """The view row shown on the table's first data line."""
    return round(app.viewer.table.scroll_y)


def visible_rows(app: LogViewApp) -> list[str]:
    """The table's data rows on screen (without the header and the blank lines below), from
    view row `first_visible(app)` on."""
    return table_lines(app)[1:1 + min(app.viewer.table.page_rows, len(app.viewer.view) - first_visible(app))]


def is_marked_invalid(row: str) -> bool:
    return row.lstrip().startswith("!")


def row_shows(row: str, raw: Any) -> bool:
    """Does a rendered table row show this parsed line (its distinctive cells)?"""
    if not isinstance(raw, dict) or is_marked_invalid(row):
        return False
    if "created_at" in raw:
        cells = [raw.get("credential_id"), raw.get("tool")]
    else:
        status = raw.get("status")
        cells = [raw.get("event"), raw.get("request"), "—" if status is None else str(status)]
    return all(cell[:18] in row for cell in cells if isinstance(cell, str))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_detail_shows(app: LogViewApp, raw: dict[str, Any]) -> None:
    """Every field of `raw`, with its value as stored: strings as they are, anything else as
    JSON (the pane pretty-prints and wraps; whitespace is ignored in the comparison)."""
    text = squash(detail_text(app))
    for key, value in raw.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        assert squash(f"{key}{shown}") in text, f"field {key!r} = {shown!r} not shown as stored"


async def wait_until(pilot: Pilot, predicate: Callable[[], bool], what: str, timeout: float = TIMEOUT_S,
                     every: Callable[[], None] | None = None) -> None:
    """Poll `predicate` between short pauses; fail with the status line after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if every is not None:
            every()
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}; "
                                 f"status line: {status_line(pilot.app).strip()!r}")
        await pilot.pause(POLL_S)


async def wait_loaded(pilot: Pilot, every: Callable[[], None] | None = None) -> None:
    await wait_until(pilot, lambda: finished(pilot.app), "the file to load", every=every)


async def wait_first_rows(pilot: Pilot) -> None:
    await wait_until(pilot, lambda: len(pilot.app.viewer.view) > 0 and bool(visible_rows(pilot.app)), "the first rows")


def search_idle(app: LogViewApp) -> bool:
    busy = any(w.group == "search" and not w.is_finished for w in app.workers)
    return not busy and "searching" not in status_note(app)


async def search(pilot: Pilot, text: str) -> None:
    """`/`, type, Enter; then wait until the search has run (it may run in a thread)."""
    app = pilot.app
    await pilot.press("slash")
    assert app.focused is not None and app.focused.id == "search"
    await pilot.press(*text, "enter")
    await wait_until(pilot, lambda: app.viewer.filters.search == text and search_idle(app), f"search {text!r}")
    assert app.focused is app.viewer.table


async def clear_search(pilot: Pilot) -> None:
    app = pilot.app
    await pilot.press("slash", "escape")
    await wait_until(pilot, lambda: app.viewer.filters.search is None and search_idle(app), "the search to clear")


def saved(toasts: list[str], count: int) -> bool:
    """The app has told the user it saved `count` entries (its toast, of a `kept_toasts` list)."""
    return any(toast.startswith(f"Saved {count:,} entries to ") for toast in toasts)


def ids_of(data: JsonlFile, numbers: list[int]) -> list[str]:
    return [data.raws[i]["id"] for i in numbers]


def loading_samples(app: LogViewApp, samples: list[str]) -> Callable[[], None]:
    """A poll hook recording each new connection-state text of the status line."""
    def sample() -> None:
        line = status_line(app)
        if not samples or samples[-1] != line:
            samples.append(line)
    return sample


def check_progress(samples: list[str], rows: int) -> None:
    """Every loading text is one of the two documented forms; while fields are read the count
    only grows, is out of every row, and the percentage is that share."""
    read_so_far = 0
    for line in samples:
        if "◌" not in line:
            continue
        indexing, reading = (pattern.search(line) for pattern in LOADING_PATTERNS)
        assert indexing or reading, f"unexpected loading text: {line.strip()!r}"
        if reading:
            ready, total, percent = (int(g.replace(",", "")) for g in reading.groups())
            assert total == rows and percent == 100 * ready // rows
            assert ready >= read_so_far
            read_so_far = ready


# -- tests ----------------------------------------------------------------------------------------

async def test_first_rows_newest_first_then_loaded_and_G_shows_the_oldest(sm: JsonlFile) -> None:
    app = open_file(sm.path)
    samples: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_first_rows(pilot)
        rows = visible_rows(app)
        assert first_visible(app) == 0 and len(rows) == app.viewer.table.page_rows
        assert NEWEST in rows[0] and rows[0].strip().startswith("2025-11-15")  # the first row has its date
        for number, row in enumerate(rows):
            assert row_shows(row, sm.raws[number]), (number, row)
        await wait_loaded(pilot, every=loading_samples(app, samples))
        check_progress(samples, SM_LINES)
        top = screen_text(app).splitlines()[0]
        assert "file sm.jsonl" in top and "file loaded" in top
        assert "shown 60,000" in top and "loaded 60,000" in top and "capped" not in top
        assert "cap (--max-entries)" not in screen_text(app)
        assert visible_rows(app) == rows  # the place on screen did not move while loading

        await pilot.press("G")
        assert app.viewer.table.cursor_row == SM_LINES - 1
        assert OLDEST in cursor_line(app)
        first = first_visible(app)
        assert first == SM_LINES - app.viewer.table.page_rows
        for number, row in enumerate(visible_rows(app), start=first):
            assert row_shows(row, sm.raws[number]), (number, row)
        await pilot.press("enter")
        await pilot.pause()
        pane = app.screen.query_one(DetailPane)
        assert pane.display and pane.entry is not None and pane.entry.raw == sm.raws[-1]
        assert_detail_shows(app, sm.raws[-1])
        await pilot.press("g")
        assert app.viewer.table.cursor_row == 0 and pane.entry.raw == sm.raws[0]
        assert app.is_running


@pytest.mark.parametrize("both_cores", [False, True], ids=["one reader", "back read by a child"])
@pytest.mark.parametrize(("fixture", "kind", "keys"), [
    ("sm", "supermetrics", ("4", "3")),  # 5xx, then 4xx as well
    ("ait", "aitronos", ("2", "4")),  # error, then timeout as well
])
async def test_status_keys_filter_and_counts_match_the_file(request: pytest.FixtureRequest, fixture: str,
                                                            kind: str, keys: tuple[str, ...], both_cores: bool,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    data: JsonlFile = request.getfixturevalue(fixture)
    if both_cores:  # as `logview --file` starts it for a big file (`files/split_read.py`)
        monkeypatch.setattr(split_read, "SPLIT_FROM_BYTES", 0)
        early.begin(data.path, kind, with_child=True)
        assert early.started(data.path).back is not None
    app = open_file(data.path)
    options = app.viewer.session.status_options
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert early.started(data.path) is None  # (the viewer took the child's columns)
        counts = expected_counts(data, kind, options)
        # (the sidebar's options take the last count at their next refresh, beside "file loaded": at load
        # 10–15 that frame came after the line was read, and the counts read all 0)
        await wait_until(pilot, lambda: sidebar_counts(app) == counts, f"the sidebar counts {counts}")
        chosen: list[str] = []
        for key in keys:
            await pilot.press(key)
            chosen.append(options[int(key) - 1])
            wanted = status_hits(data, kind, tuple(o for o in options if o in chosen))
            assert wanted and len(wanted) < len(data.lines)
            assert shown_ids(app) == ids_of(data, wanted)
            assert f"shown {len(wanted):,} " in status_line(app)
            assert sidebar_counts(app) == counts  # with only a status filter: every status counted
            text = screen_text(app)
            for option in chosen:
                assert f"● {option}" in text
            for row, number in zip(visible_rows(app), wanted[first_visible(app):]):
                assert row_shows(row, data.raws[number]), (number, row)
        await pilot.press("0")
        assert len(app.viewer.view) == len(data.lines) and f"shown {len(data.lines):,} " in status_line(app)


async def test_status_key_pressed_while_loading_covers_every_row(sm: JsonlFile) -> None:
    """A status filter applies to the rows whose fields are read; as the rest are read, they
    join the view and the counts."""
    app = open_file(sm.path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_first_rows(pilot)
        loading = not finished(app)
        await pilot.press("3")  # 4xx
        notes: list[str] = []
        await wait_loaded(pilot, every=lambda: notes.append(status_note(app)))
        await wait_until(pilot, lambda: "to go" not in status_note(app), "the counts to complete")
        wanted = status_hits(sm, "supermetrics", ("4xx",))
        assert shown_ids(app) == ids_of(sm, wanted)
        assert sidebar_counts(app) == expected_counts(sm, "supermetrics", app.viewer.session.status_options)
        assert f"shown {len(wanted):,} " in status_line(app) and f"loaded {SM_LINES:,} " in status_line(app)
        assert status_note(app) == "0 clears the selection"
        for note in notes:
            assert note in ("0 clears the selection", "") or re.fullmatch(r"counting … [\d,]+ entries to go",
                                                                           note), note
        if loading:
            assert app.viewer.table.cursor_row == 0 and row_shows(cursor_line(app), sm.raws[wanted[0]])


@pytest.mark.parametrize("fixture", ["sm", "ait"])  # 60,000 rows: a search thread; 20,000: in place
async def test_search_finds_exactly_the_matching_lines(request: pytest.FixtureRequest, fixture: str) -> None:
    data: JsonlFile = request.getfixturevalue(fixture)
    if fixture == "sm":
        unique = data.raws[31_337]["request_id"][:13].upper()  # in capitals: search ignores case
        common = "oauth"
        keys = ("status",)
    else:
        unique = data.raws[12_345]["id"][:14]
        common = "reconnect"
        keys = ("x_trace",)
    app = open_file(data.path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)

        await search(pilot, unique)
        wanted = search_hits(data, unique)
        assert len(wanted) == 1 and shown_ids(app) == ids_of(data, wanted)
        assert "shown 1 " in status_line(app)
        assert first_visible(app) == 0 and row_shows(visible_rows(app)[0], data.raws[wanted[0]])
        await clear_search(pilot)
        assert len(app.viewer.view) == len(data.lines)

        await search(pilot, common)
        wanted = search_hits(data, common)
        assert 100 < len(wanted) < len(data.lines) // 2
        assert shown_ids(app) == ids_of(data, wanted)
        assert f"shown {len(wanted):,} " in status_line(app)
        for row, number in zip(visible_rows(app), wanted[first_visible(app):]):
            assert row_shows(row, data.raws[number]), (number, row)
        # the sidebar's counts follow the search
        options = app.viewer.session.status_options
        hits = set(wanted)
        assert sidebar_counts(app) == {
            o: f"{sum(1 for i in status_hits(data, app.viewer.source.kind, (o,)) if i in hits):,}" for o in options}
        await clear_search(pilot)

        for key in keys:  # field names are not values
            assert search_hits(data, key) == [], key
            await search(pilot, key)
            assert len(app.viewer.view) == 0 and "shown 0 " in status_line(app), key
            assert "No loaded entries match the filters." in screen_text(app)
            await clear_search(pilot)
        assert len(app.viewer.view) == len(data.lines)


async def test_search_finds_unknown_fields_escapes_unicode_and_huge_numbers(ait: JsonlFile) -> None:
    app = open_file(ait.path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        for needle in ('"HI" to', "ünÏ", "890123456789"):
            await search(pilot, needle)
            assert search_hits(ait, needle) == [EXTRA_ROW], needle
            assert shown_ids(app) == [ait.raws[EXTRA_ROW]["id"]], needle
            await clear_search(pilot)


async def test_search_typed_while_loading_finds_every_match(sm: JsonlFile) -> None:
    app = open_file(sm.path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_first_rows(pilot)
        await pilot.press("slash", *"insights", "enter")
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: search_idle(app) and "to go" not in status_note(app), "search and counts")
        wanted = search_hits(sm, "insights")
        assert len(app.viewer.view) == len(wanted) and shown_ids(app) == ids_of(sm, wanted)
        assert f"shown {len(wanted):,} " in status_line(app)
        hits = set(wanted)
        assert sidebar_counts(app) == {
            o: f"{sum(1 for i in status_hits(sm, 'supermetrics', (o,)) if i in hits):,}" for o in app.viewer.session.status_options}


async def test_enter_shows_every_field_of_the_line_as_stored(ait: JsonlFile) -> None:
    raw = ait.raws[EXTRA_ROW]
    assert set(EXTRA_FIELDS) <= set(raw)
    app = open_file(ait.path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press(*["j"] * EXTRA_ROW)
        assert app.viewer.table.cursor_row == EXTRA_ROW and row_shows(cursor_line(app), raw)
        await pilot.press("enter")
        await pilot.pause()
        pane = app.screen.query_one(DetailPane)
        assert pane.display and pane.entry is not None
        assert pane.entry.raw == raw and list(pane.entry.raw) == list(raw)  # values and field order
        assert pane.entry.invalid is None
        text = detail_text(app)
        assert text.splitlines()[0].startswith(f"{raw['id']}   {raw['status']}")
        assert_detail_shows(app, raw)
        assert "123456789012345678901234567890" in text  # not rounded through a float
        assert "local 20" in text  # the time field also in local time
        await pilot.press("j")  # the pane follows the cursor
        assert pane.entry.raw == ait.raws[EXTRA_ROW + 1]
        assert_detail_shows(app, ait.raws[EXTRA_ROW + 1])
        await pilot.press("escape")
        assert not pane.display and app.is_running


NOT_JSON = b"zebra-unparseable {this is not json"


@pytest.mark.parametrize("last", ["torn", "no-newline"])
async def test_blank_crlf_torn_and_non_json_lines(sm: JsonlFile, tmp_path: Path, last: str) -> None:
    """30,000 lines with a blank and a whitespace-only line (skipped), a CRLF line, a line that is
    not JSON, and a last line without a line break: cut mid-entry (`torn`) or whole."""
    lines = list(sm.lines[:30_000])
    body = lines[:3] + [b"", b" \t "] + lines[3:5] + [lines[5] + b"\r"] + lines[6:9] + [NOT_JSON] + lines[9:-1]
    final = lines[-1][:len(lines[-1]) // 2] if last == "torn" else lines[-1]
    path = tmp_path / "messy.jsonl"
    path.write_bytes(b"\n".join(body) + b"\n" + final)
    # the rows the user should see: blank lines skipped, everything else in file order
    expected: list[Any] = [parse(line) for line in body + [final] if line.strip()]
    assert len(expected) == 30_001 and expected[9] is None and (expected[-1] is None) == (last == "torn")

    app = open_file(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        top = screen_text(app).splitlines()[0]
        assert "file loaded" in top and "shown 30,001" in top and "loaded 30,001" in top
        assert first_visible(app) == 0
        for number, row in enumerate(visible_rows(app)):
            if expected[number] is None:
                assert is_marked_invalid(row) and "invalid entry: not JSON" in row, row
            else:
                assert row_shows(row, expected[number]), (number, row)
        # the CRLF line is an ordinary entry
        await pilot.press(*["j"] * 5, "enter")
        await pilot.pause()
        pane = app.screen.query_one(DetailPane)
        assert pane.entry is not None and pane.entry.invalid is None and pane.entry.raw == expected[5]
        assert_detail_shows(app, expected[5])
        # the line that is not JSON: marked, its text shown
        await pilot.press(*["j"] * 4)
        assert pane.entry is not None and pane.entry.invalid is not None
        assert "⚠ invalid entry: not JSON" in detail_text(app) and NOT_JSON.decode() in detail_text(app)
        # the last line
        await pilot.press("G")
        row = cursor_line(app)
        if last == "torn":
            assert is_marked_invalid(row) and "invalid entry: not JSON" in row
            assert "⚠ invalid entry: not JSON" in detail_text(app)
        else:
            assert row_shows(row, expected[-1])
            assert pane.entry is not None and pane.entry.raw == expected[-1]
        await pilot.press("escape")
        if last == "torn":  # a search reaches the broken line's text too
            await search(pilot, "zebra-unp")
            assert len(app.viewer.view) == 1 and is_marked_invalid(visible_rows(app)[0])
            await clear_search(pilot)
        # the broken rows have no status: a status filter leaves them out
        await pilot.press("1")
        wanted = [raw["id"] for raw in expected
                  if isinstance(raw, dict) and status_in("supermetrics", raw["status"], "2xx")]
        assert shown_ids(app) == wanted
        assert app.is_running


@pytest.mark.parametrize("cap", [
    100,  # reached within the first chunk, which is read before the first paint
    25_000,  # reached in the worker (the notice must follow the lines it counts)
])
async def test_max_entries_caps_a_file_and_says_so(sm: JsonlFile, cap: int) -> None:
    app = open_file(sm.path, max_entries=cap)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: "cap (--max-entries)" in screen_text(app), "the cap's notice")
        top = screen_text(app).splitlines()[0]
        # (as the banner says it: a file's first lines are its oldest where it was written oldest first)
        assert f"capped at {cap:,} — the rest of the file not read" in top
        assert f"shown {cap:,} " in top and f"loaded {cap:,} " in top
        assert len(app.viewer.view) == cap
        # counts cover the rows loaded, no more
        assert sidebar_counts(app) == {
            o: f"{sum(1 for i in status_hits(sm, 'supermetrics', (o,)) if i < cap):,}" for o in app.viewer.session.status_options}
        await pilot.press("G")
        assert app.viewer.table.cursor_row == cap - 1 and row_shows(cursor_line(app), sm.raws[cap - 1])
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(DetailPane).entry.raw == sm.raws[cap - 1]  # type: ignore[union-attr]
        # the notice names the number of entries shown
        notice = re.search(r"Showing the file's first ([\d,]+) entries: the cap \(--max-entries\) was reached",
                           screen_text(app))
        assert notice is not None and notice.group(1) == f"{cap:,}", notice and notice.group(0)


async def test_save_the_filtered_view_writes_the_matching_lines_byte_for_byte(sm: JsonlFile,
                                                                             tmp_path: Path) -> None:
    target = tmp_path / "saved.jsonl"
    app = open_file(sm.path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("3", "4")  # 4xx and 5xx
        await search(pilot, "insights")
        found = set(search_hits(sm, "insights"))
        wanted = [i for i in status_hits(sm, "supermetrics", ("4xx", "5xx")) if i in found]
        assert 100 < len(wanted) == len(app.viewer.view)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        assert f"Save the {len(wanted):,} entries shown" in screen_text(app)
        app.screen.query_one("#save-path").value = str(target)  # type: ignore[attr-defined]
        said = kept_toasts(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: target.exists() and saved(said, len(wanted)), "the save")
        assert not isinstance(app.screen, SaveDialog)
    assert target.read_bytes() == b"".join(sm.lines[i] + b"\n" for i in wanted)


async def test_save_the_whole_view_reproduces_the_file(ait: JsonlFile, tmp_path: Path) -> None:
    """Unknown fields, escapes, non-ASCII text and a huge integer survive: lines are copied."""
    target = tmp_path / "all.jsonl"
    app = open_file(ait.path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#save-path").value = str(target)  # type: ignore[attr-defined]
        said = kept_toasts(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: target.exists() and saved(said, 20_000), "the save")
    assert target.read_bytes() == ait.path.read_bytes()


async def press_and_time(pilot: Pilot, key: str, done: Callable[[], bool]) -> tuple[float, str]:
    """Press `key`; return how long until `done()` held, and the status line at that moment."""
    start = time.perf_counter()
    task = asyncio.create_task(pilot.press(key))
    while not done() and time.perf_counter() - start < TIMEOUT_S:
        await asyncio.sleep(0.002)
    elapsed, line = time.perf_counter() - start, status_line(pilot.app)
    await task
    assert done(), f"{key!r} had no effect within {TIMEOUT_S:g} s"
    return elapsed, line


async def test_keys_move_the_cursor_while_fields_are_read(big: JsonlFile) -> None:
    app = open_file(big.path)
    samples: list[str] = []
    sample = loading_samples(app, samples)
    async with app.run_test(size=SIZE) as pilot:
        await wait_first_rows(pilot)
        sample()
        assert row_shows(visible_rows(app)[0], big.raws[0]) and NEWEST in visible_rows(app)[0]
        before = status_line(app)
        latencies: list[float] = []
        moved_during_load: list[bool] = []
        for step in range(1, 4):
            elapsed, line = await press_and_time(pilot, "j", lambda step=step: app.viewer.table.cursor_row == step)
            sample()
            latencies.append(elapsed)
            moved_during_load.append("file loaded" not in line)
        assert row_shows(cursor_line(app), big.raws[3])
        # the detail pane reads the entry from the file, loaded or not
        await pilot.press("enter")
        assert app.screen.query_one(DetailPane).entry.raw == big.raws[3]  # type: ignore[union-attr]
        await pilot.press("escape")
        # G goes to the oldest row there is, and stays there as rows arrive
        await pilot.press("G")
        await wait_loaded(pilot, every=sample)
        assert app.viewer.table.cursor_row == BIG_LINES - 1 and OLDEST in cursor_line(app)
        assert f"shown {BIG_LINES:,} " in status_line(app)
        check_progress(samples, BIG_LINES)

        assert max(latencies) < 2.0, latencies  # a key is handled at once, not after the load
        started_early = "◌" in before and not re.search(r"\((?:[5-9]\d|100)%\)", before)
        if started_early:
            # the first rows came while the file was still being read (at most half-way), and
            # the keys pressed then moved the cursor before "file loaded" appeared
            assert moved_during_load[0], (before, latencies)
        else:
            print(f"loading finished too fast to check the order ({before.strip()!r})")


async def test_a_filter_with_no_match_yet_says_fields_are_still_being_read(tmp_path: Path) -> None:
    """Before the fields of the rows are read, an empty filtered table must not claim that
    nothing matches: it says the reading is under way, and the match arrives with it."""
    line = b'{"id":"sm_%d","log_time":"2025-11-15T12:00:00Z","status":200,"event":"data.page","request":"GET /x"}'
    lines = [line % i for i in range(300_000)]
    lines[-1] = lines[-1].replace(b'"status":200', b'"status":503')  # the only 5xx: the last line
    path = tmp_path / "one-error.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    app = open_file(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_first_rows(pilot)
        await pilot.press("4")
        if app.viewer.store.ready < len(app.viewer.store) or len(app.viewer.store) < len(lines):  # still reading
            assert "Reading fields (" in screen_text(app)
            assert "No loaded entries match" not in screen_text(app)
        await wait_loaded(pilot)
        await wait_until(pilot, lambda: len(app.viewer.view) == 1, "the one 5xx entry")
        assert app.viewer.store.entry(app.viewer.view.ordinal(0)).id == "sm_299999"
        # the table draws the view on its next refresh, a frame after the view holds the match
        await wait_until(pilot, lambda: " 503 " in screen_text(app), "the 5xx row drawn")
