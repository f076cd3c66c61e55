"""`logview export -v` says a request the server does not answer (s22 walk #10), as the viewer's
status line does; the threshold is made short here (5 s in use) by the process that runs it."""

from __future__ import annotations

import subprocess
import sys

from logview.demo import DemoServer, DemoState, Fault

import cli_runner
from test_export import AITRONOS_KEY, CLEAN_ENV, aitronos_args, jsonl

# the export's own process, with the threshold short (a test waits seconds, not the 5 s in use)
RUN_SHORT = ("import sys, logview.api.client as client; client.NO_ANSWER_SAID_S = 0.3; "
             "from logview.cli import main; sys.argv[0] = 'logview'; sys.exit(main())")


def test_export_verbose_says_a_request_without_an_answer(tmp_path) -> None:
    state = DemoState(aitronos_entries=150, supermetrics_entries=0, live_rate=0.0, seed=7)
    with DemoServer(state) as server:
        server.state.add_fault(Fault(kind="latency", delay=2.5, count=1, api="aitronos"))
        output = tmp_path / "out.jsonl"
        done = cli_runner.run([sys.executable, "-c", RUN_SHORT, *aitronos_args(server, "--output", str(output), "-v")],
                              capture_output=True, text=True, timeout=60,
                              env={**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml", **AITRONOS_KEY})
    assert done.returncode == 0, done.stderr
    assert len(jsonl(output.read_bytes())) == 150
    lines = done.stderr.splitlines()
    said = [index for index, line in enumerate(lines) if line.startswith("logview: no answer for ")]
    assert said, done.stderr
    # said once (the next line 10 s on), before the answer's request line
    assert len(said) == 1 and lines[said[0] + 1].startswith("GET ") and " → 200 " in lines[said[0] + 1], done.stderr
