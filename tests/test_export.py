"""`logview export` end to end: a real process against the demo server over loopback HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator, Mapping
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from logview.demo import (DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM,
                          DemoServer, DemoState, Fault)
from logview.times import parse_api_time
import cli_runner
from support import FAST_BACKOFF

class _CleanEnv(Mapping):
    """The environment without API keys, read when used: each test's own data folder (the
    archive's, set by conftest) reaches the processes it starts."""

    def _now(self) -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k not in ("FREDDY_API_KEY", "SUPERMETRICS_API_KEY")}

    def __getitem__(self, key: str) -> str:
        return self._now()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


CLEAN_ENV = _CleanEnv()


def logview(*args: str, env: dict | None = None, timeout: float = 60,
            launch: tuple[str, ...] = ("-m", "logview")) -> subprocess.CompletedProcess:
    return cli_runner.run([sys.executable, *launch, *args], capture_output=True, timeout=timeout,
                          env={**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml", **(env or {})})


def aitronos_args(server, *extra):
    return ("export", "--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url, *extra)


def supermetrics_args(server, *extra, connector=DEMO_CONNECTOR, team=DEMO_TEAM):
    return ("export", "--source", "supermetrics", "--team", str(team), "--connector", connector,
            "--base-url", server.url, *extra)


AITRONOS_KEY = {"FREDDY_API_KEY": DEMO_AITRONOS_KEY}
SUPERMETRICS_KEY = {"SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY}


def jsonl(stdout: bytes) -> list:
    return [json.loads(line) for line in stdout.splitlines()]


def test_aitronos_export_writes_every_entry_exactly_as_served(server):
    result = logview(*aitronos_args(server), env=AITRONOS_KEY)
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == server.state.aitronos_logs
    assert result.stderr == b""  # not a terminal, not verbose: stdout is data, nothing else


def test_supermetrics_export_writes_every_entry_exactly_as_served(server):
    result = logview(*supermetrics_args(server), env=SUPERMETRICS_KEY)
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == server.state.supermetrics_logs


def test_unknown_fields_and_huge_numbers_survive_a_round_trip(tmp_path):
    odd = [{"id": "x1", "log_time": "2025-11-15T10:30:00Z", "status": 200, "zeta": {"nested": [1, {"deep": True}]},
            "big": 18446744073709551616, "ünï": "cödé", "event": None},
           {"log_time": "2025-11-15T10:29:00Z", "id": "x0", "status": "not a number"}]
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(json.dumps(entry, ensure_ascii=False) for entry in odd) + "\n", encoding="utf-8")
    result = logview("export", "--file", str(path))
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == odd
    assert [list(entry) for entry in jsonl(result.stdout)] == [list(entry) for entry in odd]  # field order kept


@pytest.mark.parametrize("api", ["aitronos", "supermetrics"])
def test_csv_has_the_known_columns(server, tmp_path, api):
    out = tmp_path / "logs.csv"
    args = aitronos_args(server) if api == "aitronos" else supermetrics_args(server)
    result = logview(*args, "--output", str(out), env=AITRONOS_KEY | SUPERMETRICS_KEY)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    raws = server.state.aitronos_logs if api == "aitronos" else server.state.supermetrics_logs
    assert len(rows) == len(raws)
    assert [row["id"] for row in rows] == [raw["id"] for raw in raws]
    if api == "supermetrics":
        assert list(rows[0]) == ["id", "log_time", "status", "event", "request", "duration_ms", "request_id"]
        assert rows[0]["request"] == (raws[0]["request"] or "")
    else:
        assert list(rows[0])[:4] == ["id", "created_at", "status", "credential_id"]
        failed = next(i for i, raw in enumerate(raws) if raw.get("error"))
        assert rows[failed]["error"] == raws[failed]["error"]["message"]


@pytest.mark.parametrize(
    ("flags", "keep"),
    [
        (("--status", "error"), lambda r: r["status"] == "error"),
        (("--status", "blocked", "--status", "timeout"), lambda r: r["status"] in ("blocked", "timeout")),
        (("--search", "GMAIL"), lambda r: "gmail" in json.dumps(r).lower()),
        (("--since", "3d"), lambda r: parse_api_time(r["created_at"]).timestamp() >= time.time() - 3 * 86400 - 60),
        (("--until", "3d"), lambda r: parse_api_time(r["created_at"]).timestamp() <= time.time() - 3 * 86400 + 60),
    ],
)
def test_aitronos_filters(server, flags, keep):
    result = logview(*aitronos_args(server, *flags), env=AITRONOS_KEY)
    assert result.returncode == 0, result.stderr
    got = jsonl(result.stdout)
    expected = [r for r in server.state.aitronos_logs if keep(r)]
    assert got and len(got) < len(server.state.aitronos_logs)
    # Relative times are resolved a moment apart in the test and in logview: allow the boundary to move.
    boundary_slack = 3 if "--since" in flags or "--until" in flags else 0
    assert abs(len(got) - len(expected)) <= boundary_slack
    assert all(keep(r) for r in got) if not boundary_slack else True
    assert [r["id"] for r in got] == [r["id"] for r in server.state.aitronos_logs if r in got]


def test_aitronos_credential_filter(server):
    credential = server.state.aitronos_logs[3]["credential_id"]
    result = logview(*aitronos_args(server, "--credential", credential), env=AITRONOS_KEY)
    assert jsonl(result.stdout) == [r for r in server.state.aitronos_logs if r["credential_id"] == credential]


@pytest.mark.parametrize(
    ("flags", "keep"),
    [
        (("--status", "5xx"), lambda r: r["status"] is not None and r["status"] >= 500),
        (("--status", "429"), lambda r: r["status"] == 429),
        (("--status", "success"), lambda r: r["status"] is not None and r["status"] < 400),
        (("--event", "data.fetch"), lambda r: r["event"] == "data.fetch"),
        (("--search", "oauth"), lambda r: "oauth" in (r["request"] or "").lower() or "oauth" in (r["event"] or "")),
    ],
)
def test_supermetrics_filters(server, flags, keep):
    result = logview(*supermetrics_args(server, *flags), env=SUPERMETRICS_KEY)
    assert result.returncode == 0, result.stderr
    expected = [r for r in server.state.supermetrics_logs if keep(r)]
    assert expected and jsonl(result.stdout) == expected


def test_supermetrics_absolute_time_range(server):
    raws = server.state.supermetrics_logs
    since, until = raws[900]["log_time"], raws[100]["log_time"]
    result = logview(*supermetrics_args(server, "--since", since, "--until", until), env=SUPERMETRICS_KEY)
    lo, hi = parse_api_time(since), parse_api_time(until)
    assert jsonl(result.stdout) == [r for r in raws if lo <= parse_api_time(r["log_time"]) <= hi]


# -- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("args", "env", "status", "code"),
    [
        (lambda s: aitronos_args(s), {"FREDDY_API_KEY": "wrong"}, 401, "AUTHENTICATION_REQUIRED"),
        (lambda s: supermetrics_args(s), {"SUPERMETRICS_API_KEY": "wrong"}, 401, "UNAUTHORIZED"),
        (lambda s: ("export", "--source", "aitronos", "--org", "org_other", "--base-url", s.url), AITRONOS_KEY,
         403, "INSUFFICIENT_PERMISSIONS"),
        (lambda s: supermetrics_args(s, team=99), SUPERMETRICS_KEY, 403, "FORBIDDEN"),
        (lambda s: supermetrics_args(s, connector="NOPE42"), SUPERMETRICS_KEY, 404, "NOT_FOUND"),
    ],
)
def test_error_envelopes_exit_3_with_code_message_and_id(server, args, env, status, code):
    result = logview(*args(server), env=env)
    assert result.returncode == 3
    line = result.stderr.decode().splitlines()[0]
    assert line.startswith(f"logview: HTTP {status} {code}: ")
    assert "(request " in line
    assert result.stdout == b""
    assert b"wrong" not in result.stderr and DEMO_AITRONOS_KEY.encode() not in result.stderr


@pytest.mark.parametrize(("api", "status", "code"), [("aitronos", 422, "VALIDATION_ERROR"),
                                                     ("supermetrics", 400, "BAD_REQUEST"),
                                                     ("aitronos", 400, None)])
def test_validation_envelopes_exit_3(fresh_server, api, status, code):
    fresh_server.state.add_fault(Fault(kind="status", status=status, api=api))
    args = aitronos_args(fresh_server) if api == "aitronos" else supermetrics_args(fresh_server)
    result = logview(*args, env=AITRONOS_KEY | SUPERMETRICS_KEY)
    assert result.returncode == 3
    line = result.stderr.decode().splitlines()[0]
    assert line.startswith(f"logview: HTTP {status} ") and "(request " in line
    if code:
        assert f" {code}: " in line


@pytest.mark.parametrize(("args", "message"), [
    (lambda s: aitronos_args(s), "FREDDY_API_KEY"),
    (lambda s: supermetrics_args(s), "SUPERMETRICS_API_KEY"),
    (lambda s: ("export", "--source", "aitronos", "--org", "o", "--base-url", "http://api.example.com"), "https is required"),
    (lambda s: aitronos_args(s, "--status", "4xx"), "success, error, blocked, timeout"),
    (lambda s: supermetrics_args(s, "--status", "teapot"), "HTTP code"),
    (lambda s: aitronos_args(s, "--since", "yesterday-ish"), "relative span"),
    (lambda s: ("export", "--source", "aitronos"), "--org"),
    (lambda s: ("export", "--source", "supermetrics", "--team", "x", "--connector", "C"), "team"),
    (lambda s: ("export", "--profile", "nope"), "no profile 'nope'"),
    (lambda s: ("export", "--source", "supermetrics", "--team", "1"), "the viewer lists the team's connectors"),
    (lambda s: ("export", "--source", "supermetrics", "--team", "1", "--connector", "a/b"), "connector id"),
    (lambda s: ("export", "--demo", "--file", "x.jsonl"), "choose one source"),
    (lambda s: ("export", "--bogus"), "unrecognized arguments"),
])
def test_usage_errors_exit_2(server, args, message):
    env = {} if "API_KEY" in message else AITRONOS_KEY | SUPERMETRICS_KEY
    result = logview(*args(server), env=env)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr.decode()


def test_a_long_retry_after_fails_with_exit_3_naming_the_wait(fresh_server):
    fresh_server.state.insert_aitronos(10)
    fresh_server.state.add_fault(Fault(kind="status", status=429, retry_after="3600"))
    started = time.monotonic()
    result = logview(*aitronos_args(fresh_server), env=AITRONOS_KEY)
    assert time.monotonic() - started < 20
    assert result.returncode == 3
    stderr = result.stderr.decode()
    assert "HTTP 429 RATE_LIMIT_EXCEEDED" in stderr and "wait 60m 00s before retrying" in stderr  # (as the viewer counts it down: s29 walk 2 #3)


def test_faults_are_survived_end_to_end_with_retries_reported(fresh_server):
    state = fresh_server.state
    state.insert_supermetrics(900, same_time=False)
    for fault in (Fault(kind="status", status=429, retry_after="1"), Fault(kind="html", status=503),
                  Fault(kind="truncated"), Fault(kind="status", status=502, count=2)):
        state.add_fault(fault)
    result = logview(*supermetrics_args(fresh_server, "-v"), env=SUPERMETRICS_KEY, timeout=90,
                     launch=("-c", FAST_BACKOFF))
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == state.supermetrics_logs
    stderr = result.stderr.decode()
    assert "rate limited — retrying in 1 s, attempt 2/6" in stderr
    assert stderr.count("retrying in") == 5
    assert "GET /v1/teams/1/connector_builder/connectors/DEMO01/logs?limit=1000 → 429 TOO_MANY_REQUESTS" in stderr
    assert DEMO_SUPERMETRICS_KEY not in stderr and "Bearer" not in stderr


def test_verbose_logs_each_request_without_secrets(server):
    result = logview(*aitronos_args(server, "-v"), env=AITRONOS_KEY)
    lines = [l for l in result.stderr.decode().splitlines() if l.startswith("GET ")]
    pages = -(-len(server.state.aitronos_logs) // 100)
    assert len(lines) == pages
    assert all(" → 200 (" in l and l.endswith(" ms)") for l in lines)
    assert DEMO_AITRONOS_KEY not in result.stderr.decode()


async def test_entries_written_before_a_failure_stay_written(fresh_server, tmp_path):
    """The fault is injected after the first page is on disk: that page (and one prefetched before
    the fault) must survive the exit 3."""
    from logview.cli.export import EntryWriter, Reporter, _export
    from logview.model import Filters
    from logview.options import Connection
    from logview.sources import AitronosSource

    state = fresh_server.state
    state.insert_aitronos(250)
    out = tmp_path / "partial.jsonl"

    class FailAfterFirstPage(EntryWriter):
        def write(self, entries):
            super().write(entries)
            state.add_fault(Fault(kind="status", status=403))

    source = AitronosSource(DEMO_ORG, base_url=fresh_server.url)
    with out.open("wb") as stream, open(os.devnull, "w") as quiet:
        code = await _export(Connection(source, DEMO_AITRONOS_KEY, "t"), Filters(),
                             FailAfterFirstPage(stream, "jsonl", source), Reporter(quiet, verbose=False), None)
        assert code == 3
        # Every page answered before the failure is written (the first, and with prefetch on the
        # second too if it was asked for before the fault: it was received, so it is written).
        answered = [status for _, path, status in state.request_log if "/logs" in path and status == 200]
        assert 1 <= len(answered) <= 2 and 403 in [status for _, _, status in state.request_log]
        assert jsonl(out.read_bytes()) == state.aitronos_logs[:100 * len(answered)]  # flushed before the failure


def test_ctrl_c_exits_130_and_keeps_what_was_written(tmp_path):
    with DemoServer(DemoState(aitronos_entries=3000, supermetrics_entries=0, live_rate=0.0)) as server:
        server.state.add_fault(Fault(kind="latency", delay=0.4, count=1000))
        out = tmp_path / "out.jsonl"
        process = cli_runner.Popen([sys.executable, "-m", "logview", *aitronos_args(server, "--output", str(out))],
                                   env={**CLEAN_ENV, **AITRONOS_KEY}, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while (not out.exists() or out.stat().st_size == 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 130, stderr
        written = jsonl(out.read_bytes())
        assert written and written == server.state.aitronos_logs[: len(written)]
        assert b"Traceback" not in stderr


def test_export_via_demo_flag_and_reexport_of_a_file(tmp_path):
    out = tmp_path / "demo.jsonl"
    result = logview("export", "--demo", "--source", "supermetrics", "--status", "error", "--output", str(out))
    assert result.returncode == 0, result.stderr
    entries = jsonl(out.read_bytes())
    assert entries and all(e["status"] >= 400 for e in entries)
    again = logview("export", "--file", str(out), "--status", "5xx", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(again.stdout.decode())))
    assert [r["id"] for r in rows] == [e["id"] for e in entries if e["status"] >= 500]


def test_broken_pipe_is_quiet(server):
    result = cli_runner.head([sys.executable, "-m", "logview", *supermetrics_args(server)], lines=3,
                             env={**CLEAN_ENV, **SUPERMETRICS_KEY})
    assert len(result.stdout.splitlines()) == 3
    assert b"Traceback" not in result.stderr and b"BrokenPipe" not in result.stderr


HOSTILE_VALUES = ["[bold]x[/]", "[@click=app.quit]q", "\x1b]2;pwned\x07", "\x1b]52;c;aGk=\x07", "\x1b[2J\x9b2J",
                  "nul\x00cr\r", "ö日本😀", 10**30, -(2**70), ["x", {"k": None}], {"d": [1.5, True]}, None]


def _hostile_rows(field: str, n: int = 60):
    """(server time, entry) pairs: hostile values in every field, some entries without a usable
    time or with one the server disagrees with, one id served twice."""
    base = datetime(2025, 11, 1, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        at = base - timedelta(seconds=i)
        own = at.strftime("%Y-%m-%dT%H:%M:%S.000Z") if i % 6 else HOSTILE_VALUES[i % len(HOSTILE_VALUES)]
        entry = {"id": f"x{i}{HOSTILE_VALUES[i % 7]}", field: own, "status": HOSTILE_VALUES[(i + 3) % 12],
                 "event": HOSTILE_VALUES[(i + 1) % 12], "error": {"message": HOSTILE_VALUES[(i + 2) % 12]},
                 HOSTILE_VALUES[i % 7]: HOSTILE_VALUES[(i + 5) % 12]}
        rows.append((at, entry))
    rows.append((base - timedelta(seconds=n), dict(rows[3][1])))  # a duplicate id, served again
    return rows


@pytest.mark.parametrize(("api", "field"), [("aitronos", "created_at"), ("supermetrics", "log_time")])
def test_hostile_entries_from_the_api_export_as_received(api, field):
    rows = _hostile_rows(field)
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0)
    state.insert_raw(api, rows)
    with DemoServer(state) as hostile:
        args, env = ((aitronos_args(hostile), AITRONOS_KEY) if api == "aitronos"
                     else (supermetrics_args(hostile), SUPERMETRICS_KEY))
        result = logview(*args, env=env)
        csv_result = logview(*args, "--format", "csv", env=env)
    assert result.returncode == 0, result.stderr
    served = [entry for _, entry in rows[:-1]]  # newest first; the repeat of an id is dropped
    assert jsonl(result.stdout) == served
    assert csv_result.returncode == 0, csv_result.stderr
    records = list(csv.reader(io.StringIO(csv_result.stdout.decode("utf-8"), newline="")))
    assert len(records) == len(served) + 1 and len({len(r) for r in records}) == 1


def test_export_status_other_selects_entries_without_a_status(server) -> None:
    result = logview(*supermetrics_args(server, "--status", "other"), env=SUPERMETRICS_KEY)
    assert result.returncode == 0, result.stderr
    expected = [e for e in server.state.supermetrics_logs if e["status"] is None]
    assert expected and jsonl(result.stdout) == expected


# -- servers that break their contract (issue 16) ----------------------------------------------------

def test_export_ends_with_exit_3_when_the_server_ignores_its_before_cursor() -> None:
    state = DemoState(aitronos_entries=0, supermetrics_entries=1500, live_rate=0.0)
    state.broken.set(["cursor_ignored"])
    with DemoServer(state) as broken:
        result = logview(*supermetrics_args(broken), env=SUPERMETRICS_KEY, timeout=30)
    assert result.returncode == 3
    stderr = result.stderr.decode()
    assert stderr.startswith("logview: the server ignored the before cursor: 3 pages in a row asked for entries "
                             "before ") and "paging stopped" in stderr
    assert jsonl(result.stdout) == state.supermetrics_logs[:1000]  # the page it was right about, exact


def test_export_from_a_server_whose_totals_lie_is_exact_and_says_where_it_was_not() -> None:
    state = DemoState(aitronos_entries=250, supermetrics_entries=0, live_rate=0.0)
    state.broken.set(["lying_totals", "unordered"])
    with DemoServer(state) as broken:
        result = logview(*aitronos_args(broken), env=AITRONOS_KEY, timeout=30)
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == state.aitronos_logs
    assert result.stderr.decode() == (
        "logview: the server broke its contract: 3 pages out of time order (sorted); 4 pages whose `returned` disagreed with the entries they held "
        "(the entries were counted); 1 page empty where `total` or `has_more` promised more; "
        "`total` said 350 entries, 250 entries came\n")


def test_numbers_beyond_a_double_export_as_written(tmp_path) -> None:
    path = tmp_path / "edge.jsonl"
    path.write_bytes(b'{"id":"a","log_time":"2025-11-01T00:00:00Z","status":599,"duration_ms":1e400,"x":[-1E+999,1e-400]}\n'
                     b'{"id":"b","log_time":"1890-01-18T00:00:00Z","status":100,"duration_ms":2147483648}\n')
    result = logview("export", "--file", str(path), "--source", "supermetrics")
    assert result.returncode == 0, result.stderr
    assert result.stdout == path.read_bytes()
    csv_result = logview("export", "--file", str(path), "--source", "supermetrics", "--format", "csv")
    assert b"a,2025-11-01T00:00:00Z,599,,,1e400," in csv_result.stdout


def test_saving_a_crlf_file_keeps_its_line_endings(tmp_path) -> None:
    from logview.files.lines import LineChunk, LineFile, scan_lines
    from logview.sources import SupermetricsSource
    from logview.ui.save import save_lines

    path = tmp_path / "windows.jsonl"
    lines = [b'{"id":"%d","log_time":"2025-11-01T00:00:0%dZ","status":200}' % (i, 9 - i) for i in range(4)]
    path.write_bytes(b"\r\n".join(lines[:3]) + b"\r\n" + lines[3] + b"\n")  # the last line ends in LF alone
    found = LineChunk.join(list(scan_lines(path)))
    saved = tmp_path / "saved.jsonl"
    assert save_lines(saved, LineFile(path), found.starts[::-1].copy(), found.lengths[::-1].copy(),
                      SupermetricsSource(1, "C1")).written == 4
    assert saved.read_bytes() == lines[3] + b"\n" + b"".join(line + b"\r\n" for line in lines[2::-1])


def test_on_a_terminal_a_wait_for_the_budget_shows_on_the_progress_line_until_the_next_page():
    from logview.api.paging import EntriesLoaded
    from logview.api.types import BudgetState
    from logview.cli.export import Reporter

    stream = io.StringIO()
    reporter = Reporter(stream, verbose=False, live=True)
    reporter.estimate = lambda: 42.0
    page = EntriesLoaded(entries=[], pages=3, loaded=300, total=1000)
    reporter.progress(page)
    reporter.budget(BudgetState(limit=10, remaining=0, window_s=5, resets_in_s=4, waiting=True, known=True,
                                reset_known=True))
    reporter.progress(EntriesLoaded(entries=[], pages=4, loaded=400, total=1000))
    lines = stream.getvalue().split("\r\x1b[K")
    assert lines[1:] == ["300 of 1,000 entries, 3 pages",
                         "300 of 1,000 entries, 3 pages · API budget 0/10 · resets in 4 s · backfill waits · "
                         "done in ~42 s",
                         "400 of 1,000 entries, 4 pages"]  # (the wait is over: said no more)


def test_however_it_ends_the_progress_line_is_ended_first():
    """Found in a walk: Ctrl-C in `logview sql --sync` printed "logview: interrupted" on the end of
    the progress line."""
    from logview.api.paging import EntriesLoaded
    from logview.cli.export import Reporter

    stream = io.StringIO()
    reporter = Reporter(stream, verbose=False, live=True)
    reporter.end()
    assert stream.getvalue() == ""  # nothing open: nothing added
    reporter.progress(EntriesLoaded(entries=[], pages=12, loaded=1200, total=5016))
    reporter.end()
    reporter.end()
    assert stream.getvalue() == "\r\x1b[K1,200 of 5,016 entries, 12 pages\n"
