"""The demo server's broken modes (issue 16): each breaks the contract as it says, over real HTTP,
with entries that still follow the schema to the letter; they are turned on and off through
`/_demo/settings` and `logview demo-server --broken`."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
from datetime import datetime, timezone

import httpx
import pytest

from logview.cli.parsers import demo_server_parser
from logview.demo import (DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DemoServer,
                          DemoState)
from logview.demo.broken import (BROKEN_MODES, LONGEST_MS, random_aitronos_entry, random_supermetrics_entry)
from logview.model import AitronosLog, SupermetricsLog
from logview.times import parse_api_time
import cli_runner
from test_demo_server_cli import read_banner
from test_export import CLEAN_ENV

SM_PATH = f"/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs"
AIT_PATH = "/v1/personal-connectors/logs"


@pytest.fixture
def http():
    with DemoServer(DemoState(aitronos_entries=120, supermetrics_entries=150, live_rate=0.0)) as server:
        with httpx.Client(base_url=server.url) as client:
            yield client, server.state


def sm(client: httpx.Client, **params) -> dict:
    return client.get(SM_PATH, params=params, headers={"Authorization": f"Bearer {DEMO_SUPERMETRICS_KEY}"}).json()


def ait(client: httpx.Client, **params) -> dict:
    return client.get(AIT_PATH, params={"organization_id": DEMO_ORG, **params},
                      headers={"X-API-Key": DEMO_AITRONOS_KEY}).json()


def test_modes_are_set_and_healed_through_the_settings_endpoint(http) -> None:
    client, state = http
    answer = client.post("/_demo/settings", json={"broken": ["unordered", "cursor_ignored"]})
    assert answer.status_code == 200 and answer.json()["broken"] == ["cursor_ignored", "unordered"]
    assert state.broken.modes == {"cursor_ignored", "unordered"}
    refused = client.post("/_demo/settings", json={"broken": ["honest_mostly"]})
    assert refused.status_code == 400 and "unknown broken mode" in refused.json()["error"]
    assert client.post("/_demo/settings", json={"broken": "cursor_ignored"}).status_code == 400
    assert state.broken.modes == {"cursor_ignored", "unordered"}  # a refused change changes nothing
    assert client.post("/_demo/settings", json={"broken": []}).json()["broken"] == []
    assert client.get("/_demo/state").json()["broken"] == []


def test_cursor_ignored_serves_the_newest_page_whatever_was_asked(http) -> None:
    client, state = http
    honest_second = sm(client, limit=10, before=state.supermetrics_logs[9]["log_time"])["logs"]
    state.broken.set(["cursor_ignored"])
    assert sm(client, limit=10, before=state.supermetrics_logs[9]["log_time"])["logs"] == state.supermetrics_logs[:10]
    assert honest_second != state.supermetrics_logs[:10]
    assert ait(client, limit=10, offset=50)["logs"] == state.aitronos_logs[:10]


def test_unordered_shuffles_each_page_and_keeps_its_entries(http) -> None:
    client, state = http
    state.broken.set(["unordered"])
    page = sm(client, limit=40)["logs"]
    assert page != state.supermetrics_logs[:40]
    assert sorted(e["id"] for e in page) == sorted(e["id"] for e in state.supermetrics_logs[:40])


def test_lying_totals_lie_about_total_has_more_and_returned(http) -> None:
    client, state = http
    state.broken.set(["lying_totals"])
    last = ait(client, limit=50, offset=100)
    assert len(last["logs"]) == 20 and last["returned"] == 21 and last["total"] == 170 and last["has_more"] is True
    assert ait(client, limit=50, offset=120) == {"logs": [], "total": 170, "returned": 1, "has_more": True}


def test_random_values_fill_every_page_with_fresh_schema_valid_entries(http) -> None:
    client, state = http
    state.broken.set(["random_values"])
    first, second = sm(client, limit=200)["logs"], sm(client, limit=200, before="1890-01-02T00:00:00Z")["logs"]
    assert len(first) == len(second) == 200 and not {e["id"] for e in first} & {e["id"] for e in second}
    times = [parse_api_time(e["log_time"]) for e in first]
    assert times != sorted(times, reverse=True)  # in any order
    body = ait(client, limit=100, offset=0)
    assert len(body["logs"]) == 100 and body["has_more"] is True and isinstance(body["total"], int)
    for raw in first:
        SupermetricsLog.model_validate(raw)
    for raw in body["logs"]:
        AitronosLog.model_validate(raw)


def test_random_entries_reach_every_edge_of_the_schema() -> None:
    rng = random.Random(4)
    sm_entries = [random_supermetrics_entry(rng) for _ in range(3000)]
    statuses = {e["status"] for e in sm_entries}
    assert None in statuses and min(s for s in statuses if s) == 100 and max(s for s in statuses if s) == 599
    durations = [e["duration_ms"] for e in sm_entries]
    assert None in durations and 0 in durations and LONGEST_MS in durations
    years = [parse_api_time(e["log_time"]).year for e in sm_entries]
    assert min(years) == 1890 and max(years) >= datetime.now(timezone.utc).year - 1
    for field in ("event", "request", "request_id"):
        assert any(e[field] is None for e in sm_entries) and any(e[field] is not None for e in sm_entries)
    for raw in sm_entries:
        assert SupermetricsLog.model_validate(raw).log_time is not None
    for raw in (random_aitronos_entry(rng) for _ in range(500)):
        assert AitronosLog.model_validate(raw).created_at is not None


def test_logview_demo_server_takes_the_modes_and_says_so() -> None:
    modes = demo_server_parser()._option_string_actions["--broken"].choices
    assert tuple(modes) == BROKEN_MODES
    process = cli_runner.Popen([sys.executable, "-m", "logview", "demo-server", "--port", "0", "--rate", "0",
                                "--aitronos-entries", "5", "--supermetrics-entries", "1200",
                                "--broken", "cursor_ignored", "--broken", "unordered"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=CLEAN_ENV, text=True)
    try:
        banner = read_banner(process)
        assert "Breaking the contract on purpose: cursor_ignored, unordered." in banner
        url = re.findall(r"--base-url (\S+)", banner)[0]
        exported = cli_runner.run([sys.executable, "-m", "logview", "export", "--source", "supermetrics", "--team",
                                   str(DEMO_TEAM), "--connector", DEMO_CONNECTOR, "--base-url", url],
                                  capture_output=True, timeout=60,
                                  env={**CLEAN_ENV, "SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY,
                                       "LOGVIEW_CONFIG": "/nonexistent/config.toml"})
        assert exported.returncode == 3
        assert exported.stderr.decode().startswith("logview: the server ignored the before cursor")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    assert "Traceback" not in process.stderr.read()


def test_repeated_ids_and_short_pages_break_the_pages_as_they_say(http) -> None:
    client, state = http
    state.broken.set(["repeated_ids"])
    page = ait(client, limit=10, offset=10)
    assert len(page["logs"]) == 11 and page["returned"] == 11 and page["logs"][0] == page["logs"][1]
    logs = sm(client, limit=10)["logs"]
    assert len(logs) == 11 and logs[0] == logs[1]
    state.broken.set(["short_pages"])
    assert len(ait(client, limit=10)["logs"]) == 10  # a first page whole
    half = ait(client, limit=10, offset=10)
    assert len(half["logs"]) == half["returned"] == 5 and half["has_more"] is True
    first = sm(client, limit=10)["logs"]
    assert len(first) == 10 and len(sm(client, limit=10, before=first[-1]["log_time"])["logs"]) == 5
