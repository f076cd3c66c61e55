"""NO_COLOR in 16 colours: the cursor's row was drawn exactly as the column header (bold white on
grey, s26 walk #6), so on the first row it looked part of the header. The cursor's row is reversed,
as `less` and `lnav` draw theirs without colour, and the header underlined."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from test_ui_sixteen_colours import ROWS
from test_ui_terminal_bytes import run_in_terminal


def attributes(output: bytes, text: bytes) -> set[bytes]:
    """The SGR parameters `text` was first drawn with (the newest row, `tool-success`, holds the cursor)."""
    found = re.search(rb"\x1b\[([0-9;]*)m[^\x1b]*" + re.escape(text), output)
    assert found is not None, text
    return set(found.group(1).split(b";"))


@pytest.mark.parametrize("term", ["xterm", "linux"])
def test_no_color_draws_the_cursor_row_reversed_and_the_header_underlined(tmp_path: Path, term: str) -> None:
    path = tmp_path / "four.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    env = {key: value for key, value in os.environ.items() if key not in ("COLORTERM", "TEXTUAL_COLOR_SYSTEM")}
    output = run_in_terminal(["--file", str(path)], {**env, "TERM": term, "NO_COLOR": "1"}, size=(80, 24),
                             until=b"tool-timeout")
    header, cursor, other = attributes(output, b"status"), attributes(output, b"tool-success"), \
        attributes(output, b"tool-blocked")
    assert b"7" in cursor and b"7" not in header and b"7" not in other, (cursor, header, other)
    assert b"4" in header and b"4" not in cursor, (header, cursor)
    assert cursor != header
