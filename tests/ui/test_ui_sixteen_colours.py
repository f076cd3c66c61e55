"""A terminal of 16 colours (TERM=xterm, screen, linux): the viewer uses the terminal's own red,
green and yellow, so an error still reads red and a success green (the default theme's muted
colours all came out as the same light grey there), and a truecolor terminal keeps the theme."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from test_ui_terminal_bytes import run_in_terminal

ROWS = [{"id": f"e{i}", "created_at": f"2025-11-15T11:00:{59 - i:02d}.000Z", "status": status,
         "tool": f"tool-{status}", "duration_ms": 10}
        for i, status in enumerate(["success", "error", "blocked", "timeout"] * 3)]


def screen_bytes(path: Path, term: str) -> bytes:
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "COLORTERM",
                                                                          "TEXTUAL_COLOR_SYSTEM")}
    return run_in_terminal(["--file", str(path)], {**env, "TERM": term}, size=(100, 30), until=b"tool-timeout")


def colour_of(output: bytes, word: bytes) -> bytes:
    """The foreground most cells holding `word` are drawn in (the cursor's row aside): `31`, or
    `38;5;174` in 256 colours."""
    seen = Counter()
    for params in re.findall(rb"\x1b\[([0-9;]*)m" + word + rb"[ \x1b]", output):
        found = re.search(rb"(?:^|;)(3[0-79]|9[0-7]|38;[25];[0-9;]+?)(?:;4\d|;10\d|$)", params)
        if found:
            seen[found.group(1)] += 1
    return seen.most_common(1)[0][0]


@pytest.mark.parametrize("term", ["xterm", "screen", "linux"])
def test_errors_read_red_and_successes_green_in_16_colours(tmp_path: Path, term: str) -> None:
    path = tmp_path / "four.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    output = screen_bytes(path, term)
    colours = {word: colour_of(output, word) for word in (b"success", b"error", b"blocked")}
    assert colours == {b"success": b"32", b"error": b"31", b"blocked": b"33"}, colours


def test_a_256_colour_terminal_keeps_the_theme(tmp_path: Path) -> None:
    path = tmp_path / "four.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    output = screen_bytes(path, "xterm-256color")
    colours = {colour_of(output, word) for word in (b"success", b"error", b"blocked")}
    assert len(colours) == 3 and all(colour.startswith(b"38;5;") for colour in colours), colours


def test_info_reads_bright_blue_and_the_scrollbar_keeps_the_terminals_background(tmp_path: Path) -> None:
    """xterm's blue (34) on its default background read at 2.2:1 (a 301 in the table, found in a
    walk): info is bright blue (94); and the table's scrollbar column was painted black (40), a
    stripe at its right edge on a light terminal."""
    rows = [{"id": f"s{i}", "log_time": f"2025-11-15T11:00:{59 - i:02d}Z", "status": 301, "event": "data.fetch",
             "request": "GET /moved", "duration_ms": 10} for i in range(3)]
    path = tmp_path / "moved.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "COLORTERM",
                                                                          "TEXTUAL_COLOR_SYSTEM")}
    output = run_in_terminal(["--file", str(path)], {**env, "TERM": "xterm"}, size=(100, 30), until=b"GET /moved")
    assert colour_of(output, b"301") == b"94"
    assert b"\x1b[40m" not in output and b";40m" not in output and b";40;" not in output


@pytest.mark.parametrize("term", ["xterm", "linux"])
def test_no_color_in_16_colours_keeps_text_bright_and_the_cursor_row_on_grey(tmp_path: Path, term: str) -> None:
    """s25 walk #5: NO_COLOR in 16 colours drew every text dark grey (90) on black, and the cursor's row
    differed from an error's only by bold: the text is white there now, and the cursor's row stands on grey."""
    path = tmp_path / "four.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    env = {key: value for key, value in os.environ.items() if key not in ("COLORTERM", "TEXTUAL_COLOR_SYSTEM")}
    output = run_in_terminal(["--file", str(path)], {**env, "TERM": term, "NO_COLOR": "1"}, size=(100, 30),
                             until=b"tool-timeout")
    def drawn_in(word: bytes) -> list[bytes]:
        found = re.search(rb"\x1b\[([0-9;]*)m[^\x1b]*" + word, output)
        assert found is not None, word
        return found.group(1).split(b";")

    blocked, cursor = drawn_in(b"tool-blocked"), drawn_in(b"tool-success")  # (the newest row holds the cursor)
    assert ({b"37", b"97"} & set(blocked)) and b"90" not in blocked, blocked
    assert ({b"47", b"100", b"107"} & set(cursor)) and b"40" not in cursor, cursor


def test_every_scrollbar_keeps_the_terminals_background_in_16_colours(tmp_path: Path) -> None:
    """s29 walk #7: the table's scrollbar kept the terminal's background (above), the others were black
    (40): the help's, the detail's, the stats panel's, the palette's, a black bar at each one's right edge
    on a light terminal. Each is opened here where it has more than it shows, so its scrollbar is drawn."""
    from logview.demo import DemoState
    from test_ui_file_reload import write_entries
    from ui_helpers import FIXED_NOW

    path = tmp_path / "ait.jsonl"
    write_entries(path, DemoState(aitronos_entries=300, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW,
                                  seed=3).aitronos_logs)
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "COLORTERM",
                                                                          "TEXTUAL_COLOR_SYSTEM")}
    output = run_in_terminal(["--file", str(path)], {**env, "TERM": "xterm"}, size=(80, 24), until=b"gmail",
                             keys=(b"?", b"\x1b", b"\r", b"\r", b"\x1b", b"i", b"i", b"\x10", b"\x1b"))
    for drawn in (b"logview \xe2\x80\x94 keys", b"entry detail", b"STATS", b"Search"):
        assert drawn in output, drawn  # (each was opened)
    assert b"\x1b[40m" not in output and b";40m" not in output and b";40;" not in output


def test_the_details_json_keys_read_bright_blue_in_16_colours(tmp_path: Path) -> None:
    """s29 walk #5: a nested value's keys were the terminal's blue (34, Rich's `json.key`), 2.2:1 on
    black in xterm's palette where bold is not drawn bright, as the info texts were before they took
    bright blue (above)."""
    path = tmp_path / "nested.jsonl"
    path.write_text(json.dumps({"id": "j1", "created_at": "2025-11-15T11:00:00.000Z", "status": "success",
                                "tool": "gmail.send_email", "duration_ms": 10,
                                "inputs": {"subject": "quarterly numbers"}}) + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "COLORTERM",
                                                                          "TEXTUAL_COLOR_SYSTEM")}
    output = run_in_terminal(["--file", str(path)], {**env, "TERM": "xterm"}, size=(100, 30),
                             until=b"gmail.send_email", keys=(b"\r",))
    assert b"quarterly numbers" in output  # (the detail was drawn)
    assert colour_of(output, b'"subject"') == b"94"


@pytest.mark.parametrize("theme", ["ansi-dark", "ansi-light"])
def test_the_badge_is_black_on_the_terminals_green_in_either_ansi_theme(tmp_path: Path, theme: str) -> None:
    """s29 walk #4: the palette's ansi-light drew the ` logview ` badge and the active tab black on the
    terminal's magenta, 1.9:1 in GNOME's Tango palette (#75507B); ansi-dark's green is light in the usual
    palettes, and black reads on it."""
    path = tmp_path / "four.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "COLORTERM",
                                                                          "TEXTUAL_COLOR_SYSTEM")}
    output = run_in_terminal(["--file", str(path)], {**env, "TERM": "xterm-256color", "TEXTUAL_THEME": theme},
                             size=(100, 30), until=b"tool-timeout")
    found = re.search(rb"\x1b\[([0-9;]*)m logview ", output)
    assert found is not None
    assert {b"30", b"42"} <= set(found.group(1).split(b";")), found.group(1)
