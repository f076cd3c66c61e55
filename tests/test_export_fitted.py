"""`logview export` on a narrow terminal: its messages (a retry, a notice) are broken between words,
never inside one, and its progress line stays one row. A retry line ran past the terminal's edge and
the terminal broke it where the edge fell; a progress line wider than the terminal wrapped, and each
redraw, which erases only the row it is on, left the rows above behind."""

from __future__ import annotations

import re

from logview.demo import Fault

from test_export import CLEAN_ENV, SUPERMETRICS_KEY, logview, supermetrics_args
from test_terminal_output import on_a_terminal

COLUMNS = 28  # (narrower than the progress line: "2,500 entries so far, 3 pages")
ERASE = "\r\x1b[K"  # (the progress line drawn again: back to the row's start, erased)


def test_a_retry_and_the_progress_fit_a_narrow_terminal(fresh_server, tmp_path) -> None:
    state = fresh_server.state
    state.insert_supermetrics(2500, same_time=False)
    state.add_fault(Fault(kind="status", status=429, retry_after="1"))
    args = supermetrics_args(fresh_server, "--no-archive", "-o", str(tmp_path / "out.jsonl"))
    code, received, _ = on_a_terminal(*args, env={**CLEAN_ENV, **SUPERMETRICS_KEY}, columns=COLUMNS, stderr_too=True)
    rows = received.decode().replace("\r\n", "\n").split("\n")
    assert code == 0, rows
    drawn = [part for row in rows for part in row.split(ERASE)]  # (what each row holds once erased and drawn again)
    assert all(len(part) <= COLUMNS or " " not in part for part in drawn), drawn
    # the retry, broken between its words: read again as one line, as a pipe has it
    said = " ".join(part.strip() for part in drawn)
    assert "logview: rate limited — retrying in 1 s, attempt 2/6" in said, drawn
    assert any(part.startswith("2,500 entries so far") and part.endswith("…") for part in drawn), drawn  # (cut)
    piped = logview(*supermetrics_args(fresh_server, "--no-archive", "-o", str(tmp_path / "piped.jsonl")),
                    env=SUPERMETRICS_KEY)
    assert piped.returncode == 0 and not piped.stderr  # (no terminal, no progress: nothing to fit)


def test_each_request_of_v_is_its_target_then_its_answer(fresh_server, tmp_path) -> None:
    """Found in a walk: at 80 columns `-v` broke each request line between its words, as a message: "GET"
    alone on a row, its target (a Supermetrics cursor's, wider than the terminal) on the next, then
    "→ 200 (62" with "ms)" on a row of its own. A request is its method with its target, then what came."""
    fresh_server.state.insert_supermetrics(2500, same_time=False)
    args = supermetrics_args(fresh_server, "--no-archive", "-v", "-o", str(tmp_path / "out.jsonl"))
    code, received, _ = on_a_terminal(*args, env={**CLEAN_ENV, **SUPERMETRICS_KEY}, columns=80, stderr_too=True)
    rows = [part for row in received.decode().replace("\r\n", "\n").split("\n") for part in row.split(ERASE)]
    assert code == 0, rows
    requests = [index for index, row in enumerate(rows) if row.startswith("GET ")]
    assert len(requests) >= 3 and any("&before=" in rows[index] for index in requests), rows
    for index in requests:
        assert rows[index].startswith("GET /v1/teams/1/connector_builder/connectors/"), rows
        answer = rows[index] if " → " in rows[index] else rows[index + 1]
        assert re.search(r"(^  | )→ 200 \(\d+ ms\)$", answer), rows
