"""Hostile data on screen (issue 5): generated entries full of markup, escape sequences, control
characters, huge and wrongly typed values are rendered in the table and the detail pane, from a
file (raw JSONL lines, blank lines, invalid UTF-8, a torn last line) and from both APIs (entries
injected into the demo server as-is). The app keeps running and no control byte from the data
reaches the screen."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from logview.demo import DemoServer, DemoState
from ui_helpers import FIXED_NOW, SIZE, detail_text, file_app, make_app, screen_text, settle, table_lines

PIECES = [
    "[bold]", "[/]", "[@click=app.quit]", "[link=https://x]", "[$accent]", "[b]x[/b]", "[red on blue]",
    "\x1b]2;pwned\x07", "\x1b]52;c;aGk=\x07", "\x1b[2J", "\x9b2J", "\x1bP1|dcs\x1b\\", "\x1b]8;;https://x\x1b\\",
    "\x00", "\x07", "\x08", "\x7f", "\x85", "\r", "\r\n", "\n", "\t", "\u202e", "\u2028", "plain", "ö日本😀",
]
# Control bytes that must never reach the terminal from the data (the app's own output may use ESC).
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\x00", "\x85", "\x7f", "\r", "\u202e")


def hostile(rng: random.Random, n: int = 6) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, n)))


def value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randrange(9 if depth < 3 else 6)
    if pick == 0:
        return hostile(rng)
    if pick == 1:
        return rng.choice([10**30, -(10**25), 1e308, 2**63, True, None, 0.5])
    if pick == 2:
        return "[bold]" + "x" * 100_000 + "\x1b]2;long\x07"
    if pick in (3, 4, 5):
        return hostile(rng, 10)
    if pick == 6:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {hostile(rng, 2): value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def nested(depth: int) -> Any:
    inner: Any = "[bold]deep\x1b]2;deep\x07"
    for level in range(depth):
        inner = {"k": inner} if level % 2 else [inner]
    return inner


def aitronos_entry(rng: random.Random, i: int, at: str) -> dict[str, Any]:
    entry = {"id": f"h{i}{hostile(rng, 2)}", "created_at": at,
             "status": rng.choice(["success", "error", hostile(rng, 2), 500, ["x"]]),
             "credential_id": hostile(rng), "tool": value(rng), "duration_ms": value(rng),
             "error": rng.choice([{"message": hostile(rng)}, hostile(rng), value(rng)]),
             hostile(rng, 2): value(rng)}
    if i % 7 == 0:
        entry["created_at"] = rng.choice([1731664800, hostile(rng, 2), None])
    if i % 11 == 0:
        entry["inputs"] = nested(200)
    return entry


def supermetrics_entry(rng: random.Random, i: int, at: str) -> dict[str, Any]:
    entry = {"id": f"s{i}{hostile(rng, 2)}", "log_time": at,
             "status": rng.choice([200, 429, 503, "200", hostile(rng, 2), 10**30]),
             "event": hostile(rng), "request": value(rng), "duration_ms": value(rng),
             "message": value(rng), "logs": rng.choice(["not a list", {"a": hostile(rng)}])}
    if i % 7 == 0:
        entry["log_time"] = rng.choice([1731664800, hostile(rng, 2)])
    if i % 11 == 0:
        entry["request"] = nested(200)
    return entry


def generated(kind: str, n: int = 40, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    make = aitronos_entry if kind == "aitronos" else supermetrics_entry
    base = FIXED_NOW - timedelta(hours=1)
    rows = [make(rng, i, (base - timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")) for i in range(n)]
    rows.append(dict(rows[1]))  # a duplicate id
    return rows


def assert_clean(text: str, where: str) -> None:
    found = [repr(ch) for ch in FORBIDDEN if ch in text]
    assert not found, f"{where}: {found} reached the screen"


def assert_screen_clean(app) -> None:
    assert app.is_running
    assert_clean(screen_text(app), "screen")
    for y in range(app.viewer.table.size.height):
        for segment in app.viewer.table.render_line(y):
            assert_clean(segment.text, "table segment")
            assert not (segment.style and segment.style.meta.get("@click")), "markup became an action"
    svg = app.export_screenshot()
    for ch in ("\x1b", "\x07", "\x9b"):
        assert ch not in svg


async def walk_rows(pilot, app, rows: int) -> set[str]:
    """Open the detail pane and move through `rows` rows; check the screen at every step."""
    await pilot.press("enter")
    await pilot.pause()
    seen: set[str] = set()
    for _ in range(rows):
        assert app.viewer.detail.entry is not None
        seen.add(app.viewer.detail.entry.id)
        assert_clean(detail_text(app), f"detail of {app.viewer.detail.entry.id!r}")
        assert_screen_clean(app)
        await pilot.press("j")
        await pilot.pause()
    return seen


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_generated_hostile_file_renders_safely(tmp_path: Path, kind: str) -> None:
    rows = generated(kind)
    lines = [json.dumps(row, ensure_ascii=bool(i % 2)).encode() for i, row in enumerate(rows)]
    lines.insert(3, b"")
    lines.insert(5, b"   ")
    lines.insert(8, b'{"id":"bad-utf8","created_at":"2025-11-15T10:00:00Z","tool":"\xff\xfe"}')
    lines.insert(9, b"[bold]not json\x1b]2;pwned\x07")
    lines.insert(10, b'{"id":"inf","created_at":"2025-11-15T10:00:00Z","log_time":"2025-11-15T10:00:00Z",'
                     b'"duration_ms":1e400,"status":-Infinity}')
    lines.append(b'{"id":"torn","created_at":"2025-11-15T1')  # torn last line, no newline
    path = tmp_path / f"hostile-{kind}.jsonl"
    path.write_bytes(b"\n".join(lines))
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.viewer.view) == len(lines) - 2  # blank lines skipped, every other line kept
        assert_screen_clean(app)
        text = "\n".join(table_lines(app))
        assert "invalid entry" in text
        seen = await walk_rows(pilot, app, 14)
        assert len(seen) >= 12
        await pilot.press("G")
        await pilot.pause()
        assert_screen_clean(app)
        assert app.is_running


async def test_markup_is_shown_as_typed_in_table_and_detail(tmp_path: Path) -> None:
    row = {"id": "m1", "created_at": "2025-11-15T11:00:00.000Z", "status": "error",
           "credential_id": "[$accent]cred", "tool": "[link=https://x]t[/link]",
           "error": {"message": "[@click=app.quit]quit[/] \x1b]2;pwned\x07 \x1b]52;c;aGk=\x07 \x1b[2J \x9bZ"},
           "note": "a\rb"}
    path = tmp_path / "markup.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = next(line for line in table_lines(app) if "accent" in line)
        assert "[$accent]cred" in line and "[link=https://x]t[/link]" in line
        assert "[@click=app.quit]quit[/] ]2;" in line
        await pilot.press("enter")
        await pilot.pause()
        detail = detail_text(app)
        assert "[$accent]cred" in detail and "[link=https://x]t[/link]" in detail
        lines = detail.splitlines()
        note = next(n for n, row in enumerate(lines) if row.lstrip().startswith("note"))
        assert lines[note].split() == ["note", "a"] and lines[note + 1].split() == ["b"]  # (its \r a line break)
        assert "[@click=app.quit]quit[/]" in detail
        assert "\\u001b]2;pwned\\u0007" in detail  # nested JSON shows escapes as JSON escapes
        assert_clean(detail, "detail")
        assert_screen_clean(app)


async def test_a_first_line_longer_than_the_first_read_opens(tmp_path: Path) -> None:
    """The first read is 128 KiB; an entry with a bigger payload on the first line crashed the
    viewer (a line start without its length). Found by the fuzz oracle."""
    rows = [{"id": "huge", "created_at": "2025-11-15T11:00:00Z", "status": "error",
             "inputs": {"body": "[bold]" + "y" * 300_000}}]
    rows += [{"id": f"n{i}", "created_at": f"2025-11-15T10:{i:02d}:00Z", "status": "success"} for i in range(30)]
    path = tmp_path / "first-line-huge.jsonl"
    path.write_bytes(b"".join(json.dumps(row).encode() + b"\n" for row in rows))
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.viewer.view) == 31
        await pilot.press("enter")
        await pilot.pause()
        assert app.viewer.detail.entry.id == "huge"
        assert "[bold]yyyy" in detail_text(app)
        assert_screen_clean(app)


@pytest.fixture
def hostile_server() -> Iterator[DemoServer]:
    """Both APIs serving the generated entries as-is (a duplicate id included), one a second."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=3)
    base = FIXED_NOW - timedelta(hours=1)
    state.insert_raw("aitronos", [(base - timedelta(seconds=i), entry)
                                  for i, entry in enumerate(generated("aitronos"))])
    state.insert_raw("supermetrics", [(base - timedelta(seconds=i), entry)
                                      for i, entry in enumerate(generated("supermetrics", seed=8))])
    with DemoServer(state) as server:
        yield server


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_hostile_api_entries_render_safely(hostile_server: DemoServer, kind: str) -> None:
    app = make_app(hostile_server, kind)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.viewer.view) == 40  # 41 served, the duplicate id shown once
        assert_screen_clean(app)
        await walk_rows(pilot, app, 12)
        assert app.is_running


async def test_a_key_with_nothing_printable_is_labelled(tmp_path: Path) -> None:
    row = {"id": "k1", "created_at": "2025-11-15T11:00:00.000Z", "status": "error", "\x1b\x07\r": "hidden key's value"}
    path = tmp_path / "keys.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        detail = detail_text(app)
        assert "(unprintable key)" in detail and "hidden key's value" in detail
