"""`logview export`'s progress line on a terminal's stderr: a wait for the API's budget counts down
on it, and a count with no total yet says so ("so far") instead of "N of N"."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

from logview.demo import DemoServer, DemoState

import cli_runner
from test_export import AITRONOS_KEY, CLEAN_ENV, aitronos_args, jsonl
from ui.test_ui_terminal_bytes import read_for


def export_on_a_terminal(server: DemoServer, output: str | None, *extra: str, succeeds: bool = True) -> bytes:
    """Every byte an export sends to its stderr, a pseudo-terminal (its data goes to `output`; None:
    to stdout, the same terminal)."""
    leader, follower = pty.openpty()
    where = ("--output", output) if output is not None else ()
    process = cli_runner.Popen([sys.executable, "-m", "logview", *aitronos_args(server, *where, *extra)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL if output else follower,
                               stderr=follower,
                               env={**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml", **AITRONOS_KEY})
    os.close(follower)
    said = b""
    try:
        while process.poll() is None:
            said += read_for(leader, 0.2)
        said += read_for(leader, 0.2)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(leader)
    assert (process.returncode == 0) == succeeds, said
    return said


def test_a_wait_for_the_budget_counts_down_on_the_progress_line(tmp_path) -> None:
    """Found in a walk: "resets in 11 s · backfill waits · done in ~41 s" stood still for 4–5 s."""
    state = DemoState(aitronos_entries=500, supermetrics_entries=0, live_rate=0.0, seed=7, budget={"aitronos": "2/4"})
    with DemoServer(state) as server:
        said = export_on_a_terminal(server, str(tmp_path / "out.jsonl")).decode()
        assert len(jsonl((tmp_path / "out.jsonl").read_bytes())) == 500
    lines = said.split("\r\x1b[K")
    waits: dict[str, list[int]] = {}  # each page's line: the seconds its waits said, in turn
    for line in lines:
        if (found := re.search(r"^(.* pages?) · API budget \d+/2 · resets in (\d+) s · backfill waits", line)):
            waits.setdefault(found[1], []).append(int(found[2]))
    counted_down = [seconds for seconds in waits.values() if len(seconds) >= 2]
    assert counted_down, lines
    # (counted down, not stood still; a wait that outlasts a window may start the next one's count,
    # and two redraws a second apart may round to the same second on a loaded machine)
    assert any(seconds[0] > seconds[-1] for seconds in counted_down), waits
    assert lines[-2].startswith("500 of 500 entries, 5 pages")  # the wait over, no more said of it
    assert lines[-1] == "logview: 500 entries in 5 pages\r\n"  # (in the progress line's place)


def test_verbose_lines_clear_the_progress_line_and_leave_no_frame_in_the_scrollback(tmp_path) -> None:
    """Found in a walk: with -v each frame was ended with a newline, up to 3 lines a page in the
    scrollback around each request's, one of them "API budget 10/10 … backfill waits" (a window
    just opened, its request not yet gone). A message clears the frame; it is drawn below again."""
    state = DemoState(aitronos_entries=500, supermetrics_entries=0, live_rate=0.0, seed=7, budget={"aitronos": "2/4"})
    with DemoServer(state) as server:
        said = export_on_a_terminal(server, str(tmp_path / "out.jsonl"), "-v").decode().replace("\r\n", "\n")
    shown = [line.split("\r\x1b[K")[-1] for line in said.rstrip("\n").split("\n")]  # each line as it stays on screen
    assert sum(line.startswith("GET /v1/personal-connectors/logs?") for line in shown) == 5, shown
    assert any(line.startswith("logview: API budget ") for line in shown), shown
    assert not [line for line in shown if " entries, " in line or " entries so far" in line], shown
    assert shown[-1] == "logview: 500 entries in 5 pages", shown
    frames = said.split("\r\x1b[K")
    assert any(" · backfill waits" in frame for frame in frames), frames
    assert not any(" · API budget 2/2 · " in frame and "waits" in frame for frame in frames), frames


def test_a_count_whose_total_is_not_known_yet_says_so_far() -> None:
    from logview.api.paging import EntriesLoaded
    from logview.cli.export import Reporter

    stream = io.StringIO()
    reporter = Reporter(stream, verbose=False, live=True)
    reporter.progress(EntriesLoaded(entries=[], pages=1, loaded=1213, total=None))
    reporter.progress(EntriesLoaded(entries=[], pages=2, loaded=1312, total=3408))
    assert stream.getvalue().split("\r\x1b[K")[1:] == ["1,213 entries so far, 1 page",
                                                     "1,312 of 3,408 entries, 2 pages"]


def test_a_count_past_the_servers_total_does_not_claim_it(tmp_path) -> None:
    """Against `--broken random_values` the line read "700 of 382 entries": past the server's
    total, the count stands alone and the total is said as what the server said."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, seed=5)
    state.broken.set(["random_values"])
    with DemoServer(state) as server:
        said = export_on_a_terminal(server, str(tmp_path / "out.jsonl"), succeeds=False).decode()
    lines = said.split("\r\x1b[K")
    counts = [(int(found[1].replace(",", "")), int(found[2].replace(",", "")))
              for line in lines if (found := re.match(r"([\d,]+) of ([\d,]+) entries", line))]
    assert all(loaded <= total for loaded, total in counts), counts
    assert any(re.match(r"[\d,]+ entries so far, more than the server's total of [\d,]+, \d+ pages", line)
               for line in lines), lines


def test_a_budget_that_paces_without_a_long_wait_is_said_on_the_progress_line_and_once_with_v() -> None:
    """Found in a walk: at 10 requests per 5 s, 3,000 entries took 11 s, the pace holding each request
    a fraction of a second: never a wait of more than a second, the only one said (`Reporter.budget`),
    so nothing said why. Once the pace has held the requests a second all told (or the budget binds),
    the progress line says it, and -v says it once."""
    from logview.api.paging import EntriesLoaded
    from logview.api.types import BudgetState
    from logview.cli.export import Reporter

    def budget(remaining: int, held_s: float) -> BudgetState:
        return BudgetState(limit=10, remaining=remaining, window_s=5.0, resets_in_s=3.0, waiting=False, known=True,
                           reset_known=True, held_s=held_s)

    stream = io.StringIO()
    reporter = Reporter(stream, verbose=True, live=True)
    states = iter([budget(9, 0.0), budget(7, 0.4), budget(5, 1.1), budget(3, 1.1)])
    reporter._budget_now = lambda: next(states)
    reporter.estimate = lambda: 6.0
    for page in (1, 2, 3, 4):
        reporter.progress(EntriesLoaded(entries=[], pages=page, loaded=100 * page, total=3000))
    frames = [frame.split("\n")[-1] for frame in stream.getvalue().split("\r\x1b[K")[1:]]
    assert [frame for frame in frames if frame] == [
        "100 of 3,000 entries, 1 page", "200 of 3,000 entries, 2 pages",
        "200 of 3,000 entries, 2 pages",  # (drawn again below the line -v says)
        "300 of 3,000 entries, 3 pages · API budget 5/10 · resets in 3 s · done in ~6 s",
        "400 of 3,000 entries, 4 pages · API budget 3/10 · resets in 3 s · done in ~6 s"], frames
    lines = [line.split("\r\x1b[K")[-1] for line in stream.getvalue().split("\n")[:-1]]
    assert lines == ["logview: API budget 5/10 · resets in 3 s · done in ~6 s"], lines


def test_with_v_the_budget_is_said_again_once_it_can_say_when_the_export_will_be_done() -> None:
    """A server whose limit is not the published one has no known window until a reset shows it: the
    first bind has no estimate, and -v, saying the budget once, never said when the export would be
    done (found in a walk: `logview: API budget 2/10 · resets in 1 s` alone, for 57 pages)."""
    from logview.api.paging import EntriesLoaded
    from logview.api.types import BudgetState
    from logview.cli.export import Reporter

    def budget(remaining: int) -> BudgetState:
        return BudgetState(limit=10, remaining=remaining, window_s=5.0, resets_in_s=3.0, waiting=False, known=True,
                           reset_known=True, held_s=1.5)

    stream = io.StringIO()
    reporter = Reporter(stream, verbose=True, live=False)
    states = iter([budget(9), budget(7), budget(5), budget(3), budget(1)])
    estimates = iter([None, None, 8.0, 6.0, 4.0])
    reporter._budget_now = lambda: next(states)
    reporter.estimate = lambda: next(estimates)
    for page in (1, 2, 3, 4, 5):
        reporter.progress(EntriesLoaded(entries=[], pages=page, loaded=100 * page, total=3000))
    assert stream.getvalue().splitlines() == ["logview: API budget 9/10 · resets in 3 s",
                                              "logview: API budget 5/10 · resets in 3 s · done in ~8 s"]


def test_entries_written_to_the_terminal_never_follow_the_progress_line_on_its_row() -> None:
    """Found in a walk: with the entries on the terminal too (no --output), each page's first entry
    was glued to the progress line drawn before it (`100 of 3,007 entries, 1 page{"id":"log_…`)."""
    state = DemoState(aitronos_entries=700, supermetrics_entries=0, live_rate=0.0, seed=7)
    with DemoServer(state) as server:
        said = export_on_a_terminal(server, None, "--no-archive")
    rows = [row.split("\r\x1b[K")[-1] for row in said.decode().replace("\r\n", "\n").rstrip("\n").split("\n")]
    assert said.count(b"\r\x1b[K") >= 7  # (a progress line was drawn for the pages)
    entries = [row for row in rows if not row.startswith("logview: ")]
    assert len(entries) == 700 and all(row.startswith('{"id":"log_') for row in entries), [
        row for row in entries if not row.startswith('{"id":"log_')][:3]
    assert rows[-1] == "logview: 700 entries in 7 pages"
