"""`y` copies the selected entry: by OSC 52, which a terminal may drop silently, and by a local
clipboard command when there is one; the message says "Copied" only when that command took it."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from logview.ui import clipboard
from ui_helpers import SIZE, file_app, kept_toasts, settle, wait_until

# These tests put fake clipboard commands on PATH: the conftest must not switch them off.
pytestmark = pytest.mark.uses_clipboard_commands

# Spacing and key order as a user's file may have them: `y` must copy the line exactly as stored.
# The values are shell syntax that would leave a file behind, were they ever run by a shell.
ENTRY_LINE = ('{"id": "e1",  "created_at": "2025-11-15T10:00:00Z", "status": "error", '
              '"error": "$(touch {pwned}) `touch {pwned}`; touch {pwned}", "tool": "t"}')


def fake_command(folder: Path, name: str, body: str) -> None:
    """An executable `name` in `folder` running `body` (Python, stdin available)."""
    script = folder / name
    script.write_text(f"#!{sys.executable}\nimport sys\n{body}\n")
    script.chmod(0o755)


def entry_file(tmp_path: Path) -> tuple[Path, str]:
    line = ENTRY_LINE.replace("{pwned}", str(tmp_path / "pwned"))
    path = tmp_path / "one.jsonl"
    path.write_text(line + "\n")
    return path, line


async def press_y(tmp_path: Path) -> tuple[list[str], str]:
    """Open a one-entry file, press `y`; returns the messages shown and what went by OSC 52."""
    path, _ = entry_file(tmp_path)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = kept_toasts(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(said))
        return said, app.clipboard


async def test_y_copies_the_exact_line_with_a_local_clipboard_command(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    commands = tmp_path / "bin"
    commands.mkdir()
    received = tmp_path / "received"
    fake_command(commands, "xclip", f"assert sys.argv[1:] == ['-selection', 'clipboard']\n"
                                    f"open({str(received)!r}, 'wb').write(sys.stdin.buffer.read())")
    monkeypatch.setenv("PATH", str(commands))
    shown, osc52 = await press_y(tmp_path)
    _, line = entry_file(tmp_path)
    assert received.read_bytes() == line.encode()  # byte for byte, through stdin
    assert osc52 == line  # and by OSC 52 as well, for a terminal over ssh
    assert shown == ["Copied the selected entry to the clipboard (xclip)."]
    assert not (tmp_path / "pwned").exists()  # the text was never run


async def test_y_without_a_clipboard_command_says_it_only_sent_osc52(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    shown, osc52 = await press_y(tmp_path)
    assert osc52 == entry_file(tmp_path)[1]
    assert shown == ["Sent the selected entry to the terminal's clipboard (OSC 52) — if your terminal blocks "
                     "that, s saves the entries shown to a file."]


async def test_y_with_a_failing_clipboard_command_does_not_claim_a_copy(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    commands = tmp_path / "bin"
    commands.mkdir()
    fake_command(commands, "xclip", "sys.stdin.buffer.read(); sys.exit(\"Error: Can't open display\")")
    monkeypatch.setenv("PATH", str(commands))
    shown, _ = await press_y(tmp_path)
    assert len(shown) == 1 and shown[0].startswith("Sent the selected entry to the terminal's clipboard (OSC 52)")


def test_a_hanging_clipboard_command_is_given_up_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_command(tmp_path, "wl-copy", "import time; time.sleep(30)")
    received = tmp_path / "received"
    fake_command(tmp_path, "pbcopy", f"open({str(received)!r}, 'wb').write(sys.stdin.buffer.read())")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(clipboard, "COMMAND_TIMEOUT_S", 0.5)
    began = time.monotonic()
    assert clipboard.copy_with_local_command(json.dumps({"a": 1}).encode()) == "pbcopy"  # the next one
    assert time.monotonic() - began < 5
    assert json.loads(received.read_bytes()) == {"a": 1}
