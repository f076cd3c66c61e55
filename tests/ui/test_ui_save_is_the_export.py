"""The viewer's `s` and `logview export --file` write the same bytes for the same file and filter
(s29, a product decision: "exactly as the API returned it"): the chosen lines copied as they stand,
in the file's order. Before, the export wrote each line's JSON again, compact (its spacing and
`\\u00e9` escapes lost, a CR LF made LF), and a line that is not JSON as a JSON string."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logview.model import Filters
from logview.ui.screens.save_dialog import SaveDialog
from test_export import logview
from ui_helpers import SIZE, file_app, kept_toasts, settle, toast_said, wait_until

FILTERS = {"all": ((), Filters()), "5xx": (("--status", "5xx"), Filters(statuses=("5xx",))),
           "event": (("--event", "auth.token.refresh"), Filters(event="auth.token.refresh"))}


def exported_as_received(path: Path) -> Path:
    """A Supermetrics export newest first, as an API's is, but with what a file from elsewhere
    holds: lines that are not entries, odd spacing, `\\u` escapes and raw UTF-8, CR LF here and there,
    a last line without its break."""
    lines = []
    for i in range(60):
        row = {"id": f"r{i}", "log_time": f"2025-11-15T11:{59 - i:02d}:00Z", "status": (200, 503, 404, 500)[i % 4],
               "event": ("data.page", "auth.token.refresh")[i % 2], "request": f"GET /x?page={i} é ☃",
               "duration_ms": i}
        text = json.dumps(row, ensure_ascii=i % 3 == 0, indent=None, separators=(", ", " :  ") if i % 5 else None)
        lines.append(text.encode())
    lines[7:7] = [b"not json {", b"  [1,   2]  ", b"\xff\xfe garbage \x1b[31m", b'{"id":"torn","log_t']
    at = next(n for n, line in enumerate(lines) if b'"r29"' in line)  # (r29 is at 11:30: still newest first)
    lines[at:at] = [b'{ "id" : "sp" , "log_time" : "2025-11-15T11:30:30Z" , "status" : 502 , "event" : "data.page" }']
    body = b"".join(line + (b"\r\n" if n % 4 == 1 else b"\n") for n, line in enumerate(lines))
    path.write_bytes(body + b'{"id":"last","log_time":"2025-11-15T10:00:00Z","status":500,"event":"data.page"}')
    return path


async def saved_by_s(path: Path, filters: Filters, target: Path) -> bytes:
    """What `s` writes, the viewer opened on `path` with `filters`."""
    app = file_app(path, filters=filters)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, SaveDialog))
        app.screen.query_one("#save-path").value = str(target)
        said = kept_toasts(app)
        await pilot.press("enter")
        await toast_said(pilot, said, "Saved ")
    return target.read_bytes()


@pytest.mark.parametrize("name", FILTERS)
async def test_s_and_export_file_write_the_same_bytes(tmp_path: Path, name: str) -> None:
    flags, filters = FILTERS[name]
    path = exported_as_received(tmp_path / "received.jsonl")
    saved = await saved_by_s(path, filters, tmp_path / "saved.jsonl")
    exported = logview("export", "--file", str(path), *flags)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == saved
    kept = [line for line in path.read_bytes().split(b"\n") if line.strip()]
    written = saved.split(b"\n")[:-1]
    assert written == [line for line in kept if line in written] and len(written) == len(set(written))  # file order
    if name == "all":  # every line as it stands, garbage, spacing, escapes and CR LF with it
        assert saved == path.read_bytes() + b"\n"
    else:
        assert written and all(line in kept for line in written)
