"""An export the API's budget stops (exit 3) after writing entries says its output is incomplete, as an
interrupted one does (walk s23 #1: a script that logs only stderr could not tell a usable prefix from an
empty failure)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx

from logview.demo import DEMO_CONNECTOR, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DemoServer, DemoState
from logview.demo.budget import budgets_from

KEY_VARS = ("FREDDY_API_KEY", "SUPERMETRICS_API_KEY")


def export(server: DemoServer, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS and k != "LOGVIEW_CONFIG"}
    argv = ["export", "--source", "supermetrics", "--team", str(DEMO_TEAM), "--connector", DEMO_CONNECTOR,
            "--base-url", server.url, *extra]
    return subprocess.run([sys.executable, "-m", "logview", *argv], capture_output=True, timeout=120,
                          env={**env, "SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY})


def test_an_export_the_budget_stops_says_its_file_holds_only_the_first_entries(tmp_path):
    # 3 requests an hour: the first pages go, then the next would wait far past the 60 s logview waits
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=5000, live_rate=0.0,
                              budget={"supermetrics": "3/3600"})) as server:
        out = tmp_path / "smh-export.jsonl"
        done = export(server, "-o", str(out))
    stderr = done.stderr.decode()
    written = len(out.read_bytes().splitlines())
    assert done.returncode == 3 and 0 < written < 5000, stderr
    # (logview's own pace stopped it, said in its words: "RATE_LIMITED" read as a 429 that never came, s30)
    assert re.search(r"^logview: the API budget \(1/3 left, reset time unknown: the API publishes a window of "
                     r"60 min\) paces the next request to ~(60m 0\ds|59m [0-5]\ds) from now, longer than the 60 s "
                     r"logview waits$", stderr, re.M), stderr
    assert "RATE_LIMITED" not in stderr and server.state.served("supermetrics").throttled == 0
    assert stderr.splitlines()[-1] == f"logview: {out} holds the first {written:,} entries (incomplete)", stderr


def test_an_export_the_budget_stops_says_when_to_run_it_again_and_that_it_resumes(tmp_path):
    """s29 walk 2 #3: "the next may go in 514 s, longer than the 60 s logview waits", and nothing of what to do.
    With the archive on, what came is kept: it says when to run it again, and that only the rest is fetched."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=5000, live_rate=0.0,
                              budget={"supermetrics": "3/3600"})) as server:
        done = export(server, "-o", str(tmp_path / "first.jsonl"))
        without = export(server, "--no-archive", "-o", str(tmp_path / "second.jsonl"))
    said = done.stderr.decode().splitlines()
    assert done.returncode == 3 and re.fullmatch(r"logview: run it again in ~(60m 0\ds|59m [0-5]\ds): the pages that "
                                                 r"came are archived, and only the rest is fetched", said[-2]), said
    assert without.returncode == 3 and "run it again" not in without.stderr.decode()  # (nothing kept to resume)


def test_an_export_the_budget_stops_before_any_entry_says_only_why(tmp_path):
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=5000, live_rate=0.0,
                              budget={"supermetrics": "1/3600"})) as server:
        spent = httpx.get(f"{server.url}/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs", params={"limit": "1"},
                          headers={"Authorization": f"Bearer {DEMO_SUPERMETRICS_KEY}"})
        assert spent.status_code == 200  # another client took the hour's one request
        out = tmp_path / "nothing.jsonl"
        done = export(server, "-o", str(out))
    stderr = done.stderr.decode()
    assert done.returncode == 3 and "(incomplete)" not in stderr and not out.exists(), stderr


def test_an_export_the_budget_stops_says_the_until_the_archive_answers_now(tmp_path):
    """Found in a walk: stopped by a long wait before any entry, an export said when to run it again, but
    not the `--until` that exports at once what the archive holds (said when the API is out of reach)."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=1500, live_rate=0.0, seed=12)) as server:
        assert export(server, "-o", str(tmp_path / "all.jsonl")).returncode == 0
        newest = server.state.supermetrics_logs[0]["log_time"]
        server.state.budget = budgets_from({"supermetrics": "1/3600"})
        spent = httpx.get(f"{server.url}/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs",
                          params={"limit": "1"}, headers={"Authorization": f"Bearer {DEMO_SUPERMETRICS_KEY}"})
        assert spent.status_code == 200  # another client took the hour's one request
        done = export(server, "-o", str(tmp_path / "again.jsonl"))
    said = done.stderr.decode().splitlines()
    assert done.returncode == 3 and said[-2].startswith("logview: run it again in ~"), said
    assert said[-1] == (f"logview: the archive holds this source's entries through {newest}: "
                        f"--until {newest} exports them without asking the API"), said
