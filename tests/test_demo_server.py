"""The embedded demo server, exercised over real HTTP on loopback."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from logview.demo import (
    DEMO_AITRONOS_KEY,
    DEMO_CONNECTOR,
    DEMO_ORG,
    DEMO_SUPERMETRICS_KEY,
    DEMO_TEAM,
    DemoServer,
    DemoState,
    Fault,
)

AIT_PATH = "/v1/personal-connectors/logs"
SM_PATH = f"/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs"
AIT_AUTH = {"X-API-Key": DEMO_AITRONOS_KEY}
SM_AUTH = {"Authorization": f"Bearer {DEMO_SUPERMETRICS_KEY}"}
ORG = {"organization_id": DEMO_ORG}
AIT_ERROR_KEYS = {"code", "message", "system_message", "type", "status", "trace_id", "timestamp", "details"}
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ISO_MS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
NOW = datetime(2025, 11, 15, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server():
    with DemoServer(DemoState(aitronos_entries=500, supermetrics_entries=2000, seed=7, live_rate=0, now=NOW)) as srv:
        yield srv


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=5.0) as client:
        yield client


@pytest.fixture(autouse=True)
def _reset(request):
    yield
    if "server" in request.fixturenames:
        state = request.getfixturevalue("server").state
        state.clear_faults()
        state.supermetrics_before_inclusive = False


def ait(http: httpx.Client, headers=AIT_AUTH, **params) -> httpx.Response:
    return http.get(AIT_PATH, params={**ORG, **params}, headers=headers)


def sm(http: httpx.Client, path: str = SM_PATH, headers=SM_AUTH, **params) -> httpx.Response:
    return http.get(path, params=params, headers=headers)


def assert_ait_error(r: httpx.Response, status: int, code: str, type_: str) -> dict:
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"success", "error"} and body["success"] is False
    err = body["error"]
    assert set(err) == AIT_ERROR_KEYS
    assert (err["code"], err["type"], err["status"]) == (code, type_, status)
    assert err["trace_id"].startswith("req_") and len(err["trace_id"]) > 4
    assert ISO_Z.match(err["timestamp"])
    assert isinstance(err["details"], dict)
    return err


def assert_sm_error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"meta", "error"}
    rid = body["meta"]["request_id"]
    assert len(rid) == 32 and r.headers["x-request-id"] == rid
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "description"}
    assert body["error"]["code"] == code
    return body["error"]


# ---- lifecycle and generation ---------------------------------------------------------------


def test_start_is_fast_and_stop_releases_the_port():
    srv = DemoServer(DemoState(aitronos_entries=10, supermetrics_entries=10, live_rate=0))
    t0 = time.perf_counter()
    srv.start()
    elapsed = time.perf_counter() - t0
    assert elapsed < 3.0, elapsed  # (~0.1 s quiet: what it guards against is generating before listening)
    port = srv.port
    assert srv.url == f"http://127.0.0.1:{port}"
    assert httpx.get(srv.url + AIT_PATH, params=ORG, headers=AIT_AUTH).status_code == 200
    srv.stop()
    srv.stop()  # idempotent
    with socket.socket() as s:  # the port is free again
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}{AIT_PATH}", timeout=1.0)


def test_stop_does_not_wait_for_a_hanging_request():
    srv = DemoServer(DemoState(aitronos_entries=10, supermetrics_entries=10, live_rate=0)).start()
    srv.state.add_fault(Fault("hang", delay=30.0))
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(httpx.get(srv.url + AIT_PATH, params=ORG, headers=AIT_AUTH, timeout=10).status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.2)
    t0 = time.perf_counter()
    srv.stop()
    assert time.perf_counter() - t0 < 2.0
    t.join(5)
    assert outcome  # answered or disconnected, but not still hanging


def test_generation_is_deterministic():
    # (how fast it is, is a benchmark's to say: a timed assertion fails on a busy machine)
    a = DemoState(seed=3, live_rate=0, now=NOW)  # default sizes: 5k + 20k
    b = DemoState(seed=3, live_rate=0, now=NOW)
    assert a.aitronos_logs == b.aitronos_logs and a.supermetrics_logs == b.supermetrics_logs
    assert len(a.aitronos_logs) == 5000 and len(a.supermetrics_logs) == 20000
    c = DemoState(aitronos_entries=50, supermetrics_entries=50, seed=4, live_rate=0, now=NOW)
    assert c.aitronos_logs[0]["id"] not in {e["id"] for e in a.aitronos_logs}


def test_live_arrivals_materialise_over_time():
    state = DemoState(aitronos_entries=10, supermetrics_entries=10, live_rate=50, now=NOW)
    time.sleep(0.25)
    ait_logs, sm_logs = state.aitronos_logs, state.supermetrics_logs
    assert len(ait_logs) >= 15 and len(sm_logs) >= 15
    assert ait_logs[0]["created_at"] > "2025-11-15T12:00:00.000Z"
    state.live_rate = 0
    n = len(state.aitronos_logs)
    time.sleep(0.05)
    assert len(state.aitronos_logs) == n


def test_entry_shapes_and_mix(server):
    logs = server.state.aitronos_logs
    e = logs[0]
    assert {"id", "created_at", "credential_id", "connector", "tool", "status", "duration_ms", "error",
            "inputs", "output", "metadata"} <= set(e)
    assert e["id"].startswith("log_") and ISO_MS_Z.match(e["created_at"])
    statuses = Counter(x["status"] for x in logs)
    assert statuses["success"] > len(logs) * 0.6 and statuses["error"] > 0
    assert all(x["error"]["code"] == "POLICY_BLOCKED" for x in logs if x["status"] == "blocked")
    assert all(x["error"]["code"] == "TIMEOUT" for x in logs if x["status"] == "timeout")
    assert len({x["credential_id"] for x in logs}) >= 5
    s = server.state.supermetrics_logs
    assert all(set(x) == {"id", "log_time", "status", "event", "request", "duration_ms", "request_id"} for x in s)
    assert all(ISO_Z.match(x["log_time"]) for x in s)
    codes = {x["status"] for x in s}
    assert None in codes and {200, 429, 500} <= codes


# ---- Aitronos ---------------------------------------------------------------------------------


def test_ait_auth_errors(http):
    assert_ait_error(ait(http, headers={}), 401, "AUTHENTICATION_REQUIRED", "authentication_error")
    assert_ait_error(ait(http, headers={"X-API-Key": "nope"}), 401, "AUTHENTICATION_REQUIRED", "authentication_error")
    err = assert_ait_error(http.get(AIT_PATH, params={"organization_id": "org_other"}, headers=AIT_AUTH),
                           403, "INSUFFICIENT_PERMISSIONS", "authorization_error")
    assert err["message"] == "You do not have permission to access this resource."
    assert ait(http, headers={"x-api-key": DEMO_AITRONOS_KEY}).status_code == 200  # case-insensitive names


def test_ait_missing_org_is_422(http):
    err = assert_ait_error(http.get(AIT_PATH, headers=AIT_AUTH), 422, "VALIDATION_ERROR", "validation_error")
    assert err["details"]["field"] == "organization_id"


@pytest.mark.parametrize(
    ("param", "value"),
    [("status", "failed"), ("status", ""), ("limit", "0"), ("limit", "101"), ("limit", "ten"), ("limit", "1.5"),
     ("limit", " 5"), ("limit", "1_0"), ("offset", "-1"), ("offset", "x"), ("start_date", "yesterday"), ("end_date", "2025-13-40"),
     ("start_date", "")],
)
def test_ait_validation(http, param, value):
    err = assert_ait_error(ait(http, **{param: value}), 422, "VALIDATION_ERROR", "validation_error")
    assert err["details"]["field"] == param
    if param == "status":
        assert err["details"]["allowed"] == ["success", "error", "blocked", "timeout"]


def test_ait_repeated_param_is_422(http):
    r = http.get(AIT_PATH, params=[("organization_id", DEMO_ORG), ("status", "error"), ("status", "success")],
                 headers=AIT_AUTH)
    assert assert_ait_error(r, 422, "VALIDATION_ERROR", "validation_error")["details"]["field"] == "status"


@pytest.mark.parametrize("value", ["2025-11-10T00:00:00Z", "2025-11-10T02:00:00+02:00", "2025-11-10T00:00:00.123456Z",
                                   "2025-11-10", "2025-11-10T00:00:00"])
def test_ait_accepts_iso_variants(http, value):
    assert ait(http, start_date=value, end_date="2025-11-20T00:00:00z").status_code == 200


def test_ait_offset_paging_walks_everything_in_order(http, server):
    expected = [e["id"] for e in server.state.aitronos_logs]
    seen, offset = [], 0
    while True:
        body = ait(http, limit=100, offset=offset).json()
        assert set(body) == {"logs", "total", "returned", "has_more"}
        assert body["total"] == len(expected) and body["returned"] == len(body["logs"])
        seen += [e["id"] for e in body["logs"]]
        offset += body["returned"]
        assert body["has_more"] == (offset < body["total"])
        if not body["has_more"]:
            break
    assert seen == expected
    keys = [(e["created_at"], e["id"]) for e in server.state.aitronos_logs]
    assert keys == sorted(keys, reverse=True)
    beyond = ait(http, offset=len(expected) + 5).json()
    assert (beyond["logs"], beyond["returned"], beyond["has_more"]) == ([], 0, False)
    assert ait(http).json()["returned"] == 50  # default limit


def test_ait_status_and_credential_filters(http, server):
    logs = server.state.aitronos_logs
    cred = logs[0]["credential_id"]
    for params, pred in [
        ({"status": "error"}, lambda e: e["status"] == "error"),
        ({"credential_id": cred}, lambda e: e["credential_id"] == cred),
        ({"status": "success", "credential_id": cred},
         lambda e: e["status"] == "success" and e["credential_id"] == cred),
        ({"credential_id": "tcred_unknown"}, lambda e: False),
    ]:
        body = ait(http, limit=100, **params).json()
        want = [e["id"] for e in logs if pred(e)]
        assert body["total"] == len(want)
        assert [e["id"] for e in body["logs"]] == want[:100]


def test_ait_date_bounds_are_inclusive(http, server):
    logs = server.state.aitronos_logs
    hi, lo = logs[10]["created_at"], logs[40]["created_at"]
    body = ait(http, start_date=lo, end_date=hi, limit=100).json()
    want = [e["id"] for e in logs if lo <= e["created_at"] <= hi]
    assert body["total"] == len(want) >= 31
    assert [e["id"] for e in body["logs"]] == want
    day = logs[0]["created_at"][:10]
    whole_day = ait(http, start_date=day, end_date=day, limit=100).json()
    assert whole_day["total"] == sum(e["created_at"].startswith(day) for e in logs)


def test_ait_connectors_and_connections(http):
    body = http.get("/v1/personal-connectors", params=ORG, headers=AIT_AUTH).json()
    keys = {c["tool_key"] for c in body["connectors"]}
    assert {"gmail", "slack", "github"} <= keys and all(c["connected"] for c in body["connectors"])
    conns = http.get("/v1/personal-connectors/connections/gmail", params=ORG, headers=AIT_AUTH).json()["connections"]
    assert conns and all(c["id"].startswith("tcred_") and "display_name" in c and "account_email" in c for c in conns)
    r = http.get("/v1/personal-connectors/connections/myspace", params=ORG, headers=AIT_AUTH)
    assert_ait_error(r, 404, "RESOURCE_NOT_FOUND", "not_found_error")
    assert http.get("/v1/personal-connectors", params=ORG).status_code == 401


def test_ait_rate_limit_headers(http):
    r = ait(http)
    assert int(r.headers["X-RateLimit-Limit"]) == 100
    assert 0 < int(r.headers["x-ratelimit-remaining"]) <= 100
    assert int(r.headers["X-RateLimit-Reset"]) > time.time() - 1


# ---- Supermetrics ---------------------------------------------------------------------------


def test_sm_auth_errors(http):
    assert_sm_error(sm(http, headers={}), 401, "UNAUTHORIZED")
    assert_sm_error(sm(http, headers={"Authorization": "Bearer wrong"}), 401, "UNAUTHORIZED")
    assert_sm_error(sm(http, headers={"Authorization": DEMO_SUPERMETRICS_KEY}), 401, "UNAUTHORIZED")
    assert sm(http, headers={"authorization": f"bearer {DEMO_SUPERMETRICS_KEY}"}).status_code == 200
    assert_sm_error(sm(http, path="/v1/teams/2/connector_builder/connectors/DEMO01/logs"), 403, "FORBIDDEN")
    for team in ("0", "abc", "-1", "+1", "1.0"):
        assert_sm_error(sm(http, path=f"/v1/teams/{team}/connector_builder/connectors/DEMO01/logs"), 400, "BAD_REQUEST")
    for ident in ("bad%20id", "x" * 101, "a.b", "DEMO01%0A"):
        assert_sm_error(sm(http, path=f"/v1/teams/1/connector_builder/connectors/{ident}/logs"), 400, "BAD_REQUEST")
    assert_sm_error(sm(http, path="/v1/teams/1/connector_builder/connectors/NOPE42/logs"), 404, "NOT_FOUND")


@pytest.mark.parametrize(("param", "value"), [("limit", "0"), ("limit", "1001"), ("limit", "abc"),
                                              ("before", "not-a-date"), ("before", "")])
def test_sm_validation(http, param, value):
    err = assert_sm_error(sm(http, **{param: value}), 400, "BAD_REQUEST")
    assert param in err["description"]


def test_sm_limits_ordering_and_ties(http, server):
    logs = server.state.supermetrics_logs
    body = sm(http).json()
    assert set(body) == {"logs"} and len(body["logs"]) == 100
    assert [e["id"] for e in body["logs"]] == [e["id"] for e in logs[:100]]
    big = sm(http, limit=1000).json()["logs"]
    assert len(big) == 1000
    keys = [(e["log_time"], e["id"]) for e in logs]
    assert keys == sorted(keys, reverse=True)
    ties = Counter(e["log_time"] for e in logs)
    assert sum(1 for n in ties.values() if n >= 2) >= 50
    assert max(ties.values()) >= 10


def test_sm_before_exclusive_and_inclusive(http, server):
    logs = server.state.supermetrics_logs
    ties = Counter(e["log_time"] for e in logs)
    t = next(e["log_time"] for e in logs[50:] if ties[e["log_time"]] >= 3)
    group = [e["id"] for e in logs if e["log_time"] == t]
    page = sm(http, before=t, limit=50).json()["logs"]
    assert page and all(e["log_time"] < t for e in page)
    assert [e["id"] for e in page] == [e["id"] for e in logs if e["log_time"] < t][:50]
    server.state.supermetrics_before_inclusive = True
    page = sm(http, before=t, limit=50).json()["logs"]
    assert [e["id"] for e in page[: len(group)]] == group
    # a fractional 'before' just after t includes the group even when exclusive
    server.state.supermetrics_before_inclusive = False
    after = t.replace("Z", ".5Z")
    assert [e["id"] for e in sm(http, before=after, limit=50).json()["logs"][: len(group)]] == group


def test_sm_empty_connector_single_entry_and_list(http, server):
    assert sm(http, path="/v1/teams/1/connector_builder/connectors/EMPTY1/logs").json() == {"logs": []}
    entry = server.state.supermetrics_logs[7]
    r = http.get(f"{SM_PATH}/{entry['id']}", headers=SM_AUTH)
    assert r.status_code == 200 and r.json() == entry
    assert_sm_error(http.get(f"{SM_PATH}/missing-id", headers=SM_AUTH), 404, "NOT_FOUND")
    body = http.get("/v1/teams/1/connector_builder/connectors", headers=SM_AUTH).json()
    assert body["count"] == len(body["connectors"]) >= 2
    assert {"connector_identifier", "name", "description", "created_at", "updated_at"} <= set(body["connectors"][0])


def test_sm_headers_on_success_and_error(http):
    ok, bad = sm(http, limit=1), sm(http, headers={})
    for r in (ok, bad):
        assert len(r.headers["X-Request-Id"]) == 32
        assert int(r.headers["X-RateLimit-Limit"]) == 1000 and int(r.headers["X-RateLimit-Remaining"]) > 0
    assert ok.headers["X-Request-Id"] != bad.headers["X-Request-Id"]


def test_unknown_routes_use_the_api_envelope(http):
    assert_sm_error(http.get("/v1/teams/1/whatever", headers=SM_AUTH), 404, "NOT_FOUND")
    assert_ait_error(http.get("/v1/personal-connectors/logs/x/y"), 404, "RESOURCE_NOT_FOUND", "not_found_error")
    assert http.post(AIT_PATH, headers=AIT_AUTH).status_code == 405


# ---- inserts and control endpoints ----------------------------------------------------------


def test_insert_aitronos_appears_at_head(http, server):
    before = ait(http, limit=1).json()["total"]
    new = server.state.insert_aitronos(3, status="timeout")
    body = ait(http, limit=3).json()
    assert body["total"] == before + 3
    assert {e["id"] for e in body["logs"]} == {e["id"] for e in new}
    assert all(e["status"] == "timeout" for e in body["logs"])
    assert ait(http, status="timeout", limit=1).json()["logs"][0]["id"] in {e["id"] for e in new}
    old = server.state.insert_aitronos(1, at=NOW - timedelta(days=400))
    last = ait(http, limit=1, offset=before + 3).json()["logs"][0]
    assert last["id"] == old[0]["id"]


def test_insert_supermetrics_tie_group(http, server):
    at = datetime(2030, 1, 1, 0, 0, 0, tzinfo=UTC)
    group = server.state.insert_supermetrics(25, at=at, same_time=True)
    assert {e["log_time"] for e in group} == {"2030-01-01T00:00:00Z"}
    head = sm(http, limit=25).json()["logs"]
    assert sorted(e["id"] for e in head) == sorted(e["id"] for e in group)
    spread = server.state.insert_supermetrics(4, at=at + timedelta(days=1), same_time=False)
    assert len({e["log_time"] for e in spread}) == 4


def test_demo_control_endpoints(http, server):
    r = http.post("/_demo/faults", json=[{"kind": "status", "status": 503, "api": "supermetrics"},
                                         {"kind": "latency", "delay": 0.01, "count": 2}])
    assert r.status_code == 201 and len(r.json()["pending"]) == 2
    state = http.get("/_demo/state").json()
    assert len(state["faults"]) == 2 and state["supermetrics"]["connectors"]["EMPTY1"] == 0
    assert http.delete("/_demo/faults").json() == {"cleared": 2}
    assert http.post("/_demo/faults", json={"kind": "explode"}).status_code == 400
    assert http.post("/_demo/faults", json={"kind": "status", "colour": "red"}).status_code == 400
    n = state["aitronos"]["count"]
    r = http.post("/_demo/insert", json={"api": "aitronos", "count": 2})
    assert r.status_code == 201 and len(r.json()["ids"]) == 2
    assert http.get("/_demo/state").json()["aitronos"]["count"] == n + 2
    r = http.post("/_demo/insert", json={"api": "supermetrics", "count": 5, "same_time": True})
    ids = set(r.json()["ids"])
    assert len({e["log_time"] for e in server.state.supermetrics_logs if e["id"] in ids}) == 1
    assert http.post("/_demo/insert", json={"api": "nope"}).status_code == 400
    r = http.post("/_demo/settings", json={"supermetrics_before_inclusive": True})
    assert r.json()["supermetrics_before_inclusive"] is True and server.state.supermetrics_before_inclusive
    for rate in (100_001, -1, "fast", True):  # (any number was taken, as `--rate` took one: found in a walk)
        r = http.post("/_demo/settings", json={"live_rate": rate})
        assert r.status_code == 400 and "live_rate must be" in r.text and server.state.live_rate == 0


@pytest.mark.parametrize("fault, says", [
    ({}, "a fault needs a kind, one of status, html, truncated, latency, hang, invalid_json_200, trickle"),
    ({"kind": "latency", "delay": "1"}, "fault delay must be a number of seconds, 0 or more, not '1'"),
    ({"kind": "latency", "delay": -1}, "fault delay must be a number of seconds, 0 or more, not -1"),
    ({"kind": "status", "api": "x"}, "fault api must be 'aitronos', 'supermetrics' or null (either), not 'x'"),
])
def test_a_fault_refused_is_said_in_the_requests_words(http, server, fault, says):
    """Found in a walk: `{}` was refused with "Fault.__init__() missing 1 required positional argument:
    'kind'", a delay in quotes with "'<' not supported between instances of 'str' and 'int'", and an api
    said to be 'aitronos', 'supermetrics' or None, which JSON writes null."""
    r = http.post("/_demo/faults", json=fault)
    assert (r.status_code, r.json()) == (400, {"error": says})
    assert http.get("/_demo/faults").json() == {"pending": []}


def test_settings_refused_change_nothing(http, server):
    """Found in a walk: `{"supermetrics_before_inclusive": true, "live_rate": "x"}` was refused (400), its
    first setting taken all the same; a setting unknown is said beside those there are."""
    for settings in ({"supermetrics_before_inclusive": True, "live_rate": "x"},
                     {"supermetrics_before_inclusive": True, "broken": ["unordered"], "live_rate": 1000}):
        assert http.post("/_demo/settings", json=settings).status_code == 400
        state = http.get("/_demo/state").json()
        assert (state["supermetrics_before_inclusive"], state["broken"], state["live_rate"]) == (False, [], 0)
    r = http.post("/_demo/settings", json={"rate": 5})
    assert (r.status_code, r.json()["error"]) == (400, "unknown setting(s): ['rate']; expected some of "
                                                       "['supermetrics_before_inclusive', 'live_rate', 'budget', 'broken']")


def test_request_log_counts_api_requests(http, server):
    n = len(server.state.request_log)
    sm(http, limit=3)
    ait(http, headers={})
    http.get("/_demo/state")
    log = server.state.request_log
    assert len(log) == n + 2
    assert log[-2] == ("GET", f"{SM_PATH}?limit=3", 200)
    assert log[-1][0] == "GET" and log[-1][1].startswith(AIT_PATH + "?") and log[-1][2] == 401


# ---- faults ---------------------------------------------------------------------------------


def test_fault_status_with_retry_after_and_expiry(http, server):
    server.state.add_fault(Fault("status", status=429, retry_after="2", count=2, api="aitronos"))
    for _ in range(2):
        r = ait(http)
        assert_ait_error(r, 429, "RATE_LIMIT_EXCEEDED", "rate_limit_error")
        assert r.headers["Retry-After"] == "2" and r.headers["X-RateLimit-Remaining"] == "0"
    assert ait(http).status_code == 200  # expired after count uses
    server.state.add_fault(Fault("status", status=503, retry_after="3600", api="supermetrics"))
    assert ait(http).status_code == 200  # other API unaffected
    r = sm(http, headers={})  # faults win over auth
    assert_sm_error(r, 503, "SERVICE_UNAVAILABLE")
    assert r.headers["retry-after"] == "3600"
    server.state.add_fault(Fault("status", status=500))
    assert_sm_error(sm(http), 500, "INTERNAL_SERVER_ERROR")
    server.state.add_fault(Fault("status", status=429, api="supermetrics"))
    assert_sm_error(sm(http), 429, "TOO_MANY_REQUESTS")
    server.state.add_fault(Fault("status", status=500))
    assert_ait_error(ait(http), 500, "INTERNAL_SERVER_ERROR", "server_error")


def test_fault_html(http, server):
    server.state.add_fault(Fault("html", status=502))
    r = sm(http)
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in r.text
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_fault_truncated_and_invalid_json(http, server):
    full = ait(http, limit=20).content
    server.state.add_fault(Fault("truncated"))
    r = ait(http, limit=20)
    assert r.status_code == 200 and int(r.headers["content-length"]) == len(r.content)
    assert full.startswith(r.content) and len(r.content) == len(full) // 2
    with pytest.raises(json.JSONDecodeError):
        r.json()
    server.state.add_fault(Fault("invalid_json_200", api="supermetrics"))
    r = sm(http)
    assert r.status_code == 200 and r.text == "not json at all"


def test_fault_hang_makes_client_time_out(http, server):
    server.state.add_fault(Fault("hang", delay=1.0))
    with pytest.raises(httpx.ReadTimeout):
        http.get(AIT_PATH, params=ORG, headers=AIT_AUTH, timeout=0.2)
    assert ait(http).status_code == 200


def test_fault_latency(http, server):
    server.state.add_fault(Fault("latency", delay=0.3))
    t0 = time.perf_counter()
    r = sm(http, limit=5)
    assert time.perf_counter() - t0 >= 0.28 and r.status_code == 200 and len(r.json()["logs"]) == 5


def test_fault_trickle_streams_slowly(http, server):
    full = sm(http, limit=50).content
    server.state.add_fault(Fault("trickle", delay=0.5))
    t0 = time.perf_counter()
    with http.stream("GET", SM_PATH, params={"limit": 50}, headers=SM_AUTH) as r:
        chunks = list(r.iter_raw())
    assert time.perf_counter() - t0 >= 0.4
    assert len(chunks) > 3 and b"".join(chunks) == full


# ---- performance --------------------------------------------------------------------------


def test_a_large_dataset_pages_through_every_query_kind():
    """100k entries an API: offset pages, filtered pages and `before` pages all answer in full.
    (How fast they answer is measured by the benchmarks, not asserted here: a timed bound failed
    a loaded run at 22.7 s against 15 that passed alone in 10.)"""
    state = DemoState(aitronos_entries=100_000, supermetrics_entries=100_000, live_rate=0, now=NOW)
    for i in range(20):
        assert json.loads(state.query_aitronos(limit=100, offset=i * 400))["returned"] == 100
        errors = json.loads(state.query_aitronos(status="error", limit=100, offset=i * 10))["logs"]
        assert len(errors) == 100 and {entry["status"] for entry in errors} == {"error"}
        before = (1763200000 - i * 3600) * 1_000_000
        page = json.loads(state.query_supermetrics(DEMO_CONNECTOR, before=before, limit=1000))["logs"]
        assert len(page) == 1000
    with DemoServer(state) as srv, httpx.Client(base_url=srv.url) as client:
        offset = 0
        for _ in range(100):
            body = client.get(AIT_PATH, params={**ORG, "limit": 100, "offset": offset}, headers=AIT_AUTH).json()
            offset += body["returned"]
        assert offset == 10_000


def test_start_without_waiting_queues_early_requests_until_the_data_exists():
    """`logview --demo` must not wait for data generation before its first screen."""
    import time as _time

    server = DemoServer()
    started = _time.perf_counter()
    server.start(wait=False)
    returned_after = _time.perf_counter() - started
    try:
        response = httpx.get(f"{server.url}/v1/personal-connectors/logs",
                             params={"organization_id": DEMO_ORG, "limit": 5},
                             headers={"X-API-Key": DEMO_AITRONOS_KEY}, timeout=10)
        assert response.status_code == 200
        assert response.json()["total"] == len(server.state.aitronos_logs) > 0
    finally:
        server.stop()
    assert returned_after < 0.1
