"""Deterministic synthetic log entries for both APIs.

Everything is driven by a ``random.Random`` passed in, so a given seed and clock produce the
same dataset byte for byte. Entries are plain dicts in the exact wire shape; the store
serialises each one once.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .constants import DEMO_ORG
from .timeutil import fmt_ms, fmt_s

Entry = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Aitronos (Freddy) personal connectors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    id: str
    tool_key: str
    display_name: str
    account_email: str
    user_id: str
    created_at: str
    weight: float


CONNECTOR_NAMES: dict[str, str] = {
    "gmail": "Gmail",
    "slack": "Slack",
    "google_drive": "Google Drive",
    "notion": "Notion",
    "github": "GitHub",
    "hubspot": "HubSpot",
}

CREDENTIALS: tuple[Credential, ...] = (
    Credential("tcred_8f2a1c9d4e7b03a6", "gmail", "Work Gmail", "dana.reyes@acme-demo.example",
               "usr_4c1f9e2a7b", "2025-03-04T09:12:44.210Z", 0.30),
    Credential("tcred_3b7e9a0c2d51f8e4", "gmail", "Support inbox", "support@acme-demo.example",
               "usr_9d03b6e15a", "2025-05-19T14:03:10.502Z", 0.12),
    Credential("tcred_c41d8e2f7a90b5d2", "slack", "Acme workspace", "dana.reyes@acme-demo.example",
               "usr_4c1f9e2a7b", "2025-03-04T09:20:01.000Z", 0.20),
    Credential("tcred_5e0f3a9b1c28d7f1", "google_drive", "Shared Drive", "ops@acme-demo.example",
               "usr_9d03b6e15a", "2025-06-02T08:45:39.871Z", 0.12),
    Credential("tcred_9a6c2e4b8d13e0c7", "notion", "Product wiki", "lee.okafor@acme-demo.example",
               "usr_27ab8c40f1", "2025-07-21T16:30:12.044Z", 0.10),
    Credential("tcred_72d9f0b3e6a4c1b8", "github", "acme-demo org", "lee.okafor@acme-demo.example",
               "usr_27ab8c40f1", "2025-08-11T11:11:11.111Z", 0.10),
    Credential("tcred_e18b5c7a0f62a9d3", "hubspot", "Sales CRM", "dana.reyes@acme-demo.example",
               "usr_4c1f9e2a7b", "2025-09-30T07:58:20.330Z", 0.06),
)
CREDENTIAL_IDS = tuple(c.id for c in CREDENTIALS)
_CRED_WEIGHTS = tuple(c.weight for c in CREDENTIALS)

_PEOPLE = ("alice@partner.example", "bob.chen@acme-demo.example", "carla@vendor.example",
           "finance@acme-demo.example", "j.smith@client.example", "team-leads@acme-demo.example")
_SUBJECTS = ("Q4 forecast review", "Re: contract renewal", "Weekly status – infra", "Invoice #48213",
             "Meeting notes 11/14", "Follow-up: onboarding checklist", "Action items from retro")
_CHANNELS = ("C04GENERAL", "C05ENGOPS", "C06SALES", "C07INCIDENTS", "D01DMLEE")
_REPOS = ("acme-demo/api", "acme-demo/web", "acme-demo/infra", "acme-demo/docs")
_TEXT = ("Summarise the thread and draft a reply", "Deploy finished, 3 services updated",
         "Customer asked about SSO pricing", "Please review before Friday",
         "Incident resolved; postmortem to follow", "Updated numbers attached")


def _hex(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(n * 4):0{n}x}"


def _gmail_send(r: random.Random) -> tuple[dict, dict]:
    to = r.sample(_PEOPLE, r.randint(1, 2))
    inputs = {"to": to, "cc": r.sample(_PEOPLE, r.randint(0, 1)), "subject": r.choice(_SUBJECTS),
              "body": {"format": r.choice(("plain", "html")), "text": r.choice(_TEXT)},
              "attachments": [{"name": "report.pdf", "size_bytes": r.randint(20_000, 900_000)}]
              if r.random() < 0.2 else []}
    return inputs, {"message_id": _hex(r, 16), "thread_id": _hex(r, 16), "label_ids": ["SENT"]}


def _gmail_search(r: random.Random) -> tuple[dict, dict]:
    q = r.choice(("from:alice is:unread", "subject:invoice newer_than:7d", "label:important", "has:attachment"))
    n = r.randint(0, 25)
    return ({"query": q, "max_results": r.choice((10, 25, 50)), "include_spam_trash": False},
            {"result_size_estimate": n, "messages": [{"id": _hex(r, 16)} for _ in range(min(n, 3))]})


def _gmail_get(r: random.Random) -> tuple[dict, dict]:
    return ({"message_id": _hex(r, 16), "format": "full"},
            {"subject": r.choice(_SUBJECTS), "from": r.choice(_PEOPLE), "snippet": r.choice(_TEXT),
             "size_estimate": r.randint(2_000, 80_000)})


def _gmail_draft(r: random.Random) -> tuple[dict, dict]:
    return ({"to": [r.choice(_PEOPLE)], "subject": r.choice(_SUBJECTS), "body": {"text": r.choice(_TEXT)}},
            {"draft_id": "r" + _hex(r, 15)})


def _slack_post(r: random.Random) -> tuple[dict, dict]:
    ch = r.choice(_CHANNELS)
    return ({"channel": ch, "text": r.choice(_TEXT), "blocks": [], "unfurl_links": r.random() < 0.5},
            {"ok": True, "channel": ch, "ts": f"{1763000000 + r.randint(0, 10**6)}.{r.randint(0, 999999):06d}"})


def _slack_list(r: random.Random) -> tuple[dict, dict]:
    return ({"types": ["public_channel", "private_channel"], "limit": 200, "exclude_archived": True},
            {"ok": True, "channels": [{"id": c, "is_member": True} for c in r.sample(_CHANNELS, 3)]})


def _slack_search(r: random.Random) -> tuple[dict, dict]:
    return ({"query": r.choice(("deploy", "invoice", "outage", "launch")), "count": 20, "sort": "timestamp"},
            {"ok": True, "messages": {"total": r.randint(0, 140), "matches": []}})


def _drive_list(r: random.Random) -> tuple[dict, dict]:
    n = r.randint(0, 40)
    return ({"q": "mimeType='application/pdf' and trashed=false", "page_size": 50,
             "fields": ["id", "name", "modifiedTime"]},
            {"files": [{"id": _hex(r, 12), "name": f"doc-{i}.pdf"} for i in range(min(n, 3))], "count": n})


def _drive_upload(r: random.Random) -> tuple[dict, dict]:
    return ({"name": r.choice(("Q4-plan.xlsx", "notes.md", "contract.pdf")), "parents": [_hex(r, 12)],
             "mime_type": "application/octet-stream", "size_bytes": r.randint(1_000, 5_000_000)},
            {"file_id": _hex(r, 16), "web_view_link": "https://drive.example/file/" + _hex(r, 10)})


def _drive_get(r: random.Random) -> tuple[dict, dict]:
    return ({"file_id": _hex(r, 16), "fields": ["name", "owners", "size"]},
            {"name": "contract.pdf", "owners": [{"email": r.choice(_PEOPLE)}], "size": r.randint(1_000, 9_000_000)})


def _notion_query(r: random.Random) -> tuple[dict, dict]:
    return ({"database_id": _hex(r, 32), "filter": {"property": "Status", "select": {"equals": "In progress"}},
             "sorts": [{"property": "Due", "direction": "ascending"}], "page_size": 100},
            {"results": r.randint(0, 60), "has_more": r.random() < 0.2})


def _notion_create(r: random.Random) -> tuple[dict, dict]:
    return ({"parent": {"database_id": _hex(r, 32)},
             "properties": {"Name": {"title": r.choice(_SUBJECTS)}, "Tags": ["meeting", "q4"]}},
            {"page_id": _hex(r, 32), "url": "https://notion.example/" + _hex(r, 32)})


def _notion_update(r: random.Random) -> tuple[dict, dict]:
    return ({"page_id": _hex(r, 32), "properties": {"Status": {"select": "Done"}}, "archived": False},
            {"page_id": _hex(r, 32), "last_edited_time": "2025-11-14T17:02:11.000Z"})


def _gh_issue(r: random.Random) -> tuple[dict, dict]:
    return ({"repo": r.choice(_REPOS), "title": r.choice(_TEXT), "labels": r.sample(["bug", "ops", "p2", "docs"], 2),
             "assignees": []},
            {"number": r.randint(100, 4000), "state": "open"})


def _gh_prs(r: random.Random) -> tuple[dict, dict]:
    n = r.randint(0, 12)
    return ({"repo": r.choice(_REPOS), "state": "open", "per_page": 30},
            {"count": n, "pull_requests": [{"number": r.randint(100, 4000), "draft": False} for _ in range(min(n, 2))]})


def _gh_file(r: random.Random) -> tuple[dict, dict]:
    return ({"repo": r.choice(_REPOS), "path": r.choice(("README.md", "src/app.py", "deploy/values.yaml")),
             "ref": "main"},
            {"sha": _hex(r, 40), "size": r.randint(100, 40_000), "encoding": "base64"})


def _hs_contact(r: random.Random) -> tuple[dict, dict]:
    return ({"properties": {"email": r.choice(_PEOPLE), "firstname": "Jordan", "lifecyclestage": "lead"}},
            {"id": str(r.randint(10**9, 10**10)), "archived": False})


def _hs_deals(r: random.Random) -> tuple[dict, dict]:
    return ({"filterGroups": [{"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}]}],
             "limit": 50},
            {"total": r.randint(0, 300), "results": []})


def _hs_update(r: random.Random) -> tuple[dict, dict]:
    return ({"deal_id": str(r.randint(10**9, 10**10)), "properties": {"amount": r.randint(1, 90) * 1000}},
            {"updated": True})


_ToolGen = Callable[[random.Random], tuple[dict, dict]]
TOOLS: dict[str, tuple[tuple[str, _ToolGen], ...]] = {
    "gmail": (("gmail.send_email", _gmail_send), ("gmail.search_messages", _gmail_search),
              ("gmail.get_message", _gmail_get), ("gmail.create_draft", _gmail_draft)),
    "slack": (("slack.post_message", _slack_post), ("slack.list_channels", _slack_list),
              ("slack.search_messages", _slack_search)),
    "google_drive": (("google_drive.list_files", _drive_list), ("google_drive.upload_file", _drive_upload),
                     ("google_drive.get_file", _drive_get)),
    "notion": (("notion.query_database", _notion_query), ("notion.create_page", _notion_create),
               ("notion.update_page", _notion_update)),
    "github": (("github.create_issue", _gh_issue), ("github.list_pull_requests", _gh_prs),
               ("github.get_file_contents", _gh_file)),
    "hubspot": (("hubspot.create_contact", _hs_contact), ("hubspot.search_deals", _hs_deals),
                ("hubspot.update_deal", _hs_update)),
}

_ERRORS: tuple[tuple[str, str], ...] = (
    ("UPSTREAM_TIMEOUT", "{api} API did not respond within 30s"),
    ("UPSTREAM_ERROR", "{api} API returned 503 Service Unavailable"),
    ("UPSTREAM_ERROR", "{api} API returned 502 Bad Gateway"),
    ("RATE_LIMITED", "{api} API rate limit reached (retry after {n}s)"),
    ("TOKEN_EXPIRED", "OAuth token for {api} expired and refresh failed: invalid_grant"),
    ("PERMISSION_DENIED", "Insufficient scope for {tool}; reconnect the account to grant access"),
    ("NOT_FOUND", "Requested {api} resource was not found or was deleted"),
    ("INVALID_ARGUMENT", "Invalid input for {tool}: field 'to' must contain at least one address"),
    ("PAYLOAD_TOO_LARGE", "Attachment exceeds {api} size limit (25 MB)"),
)
_BLOCKS: tuple[str, ...] = (
    "Blocked by organization policy: external recipients are not allowed",
    "Blocked by organization policy: tool {tool} requires admin approval",
    "Blocked: request contained data classified as confidential",
    "Blocked: daily action quota for {api} exhausted",
)
_CLIENTS = ("freddy-web", "freddy-web", "freddy-desktop", "freddy-api", "assistant-agent")
_SOURCES = ("assistant", "assistant", "workflow", "manual")


def _table(pairs: Iterable[tuple[Any, int]]) -> tuple[Any, ...]:
    """Weighted population as a flat lookup table: ``tbl[int(random() * len(tbl))]`` is a
    weighted pick several times cheaper than ``random.choices`` (generation speed matters)."""
    return tuple(v for v, w in pairs for _ in range(w))


_CRED_TABLE = _table((c, round(c.weight * 100)) for c in CREDENTIALS)
_STATUS_TABLE = _table((("success", 80), ("error", 12), ("blocked", 4), ("timeout", 4)))
_VARIANTS = 48
_variant_cache: dict[str, list[tuple[dict, dict]]] = {}


def _tool_variants(tool: str, gen: _ToolGen) -> list[tuple[dict, dict]]:
    """A fixed pool of (inputs, output) examples per tool, generated once from a constant seed;
    entries pick from it (the dicts are shared and must not be mutated)."""
    pool = _variant_cache.get(tool)
    if pool is None:
        r = random.Random(f"variants:{tool}")
        pool = _variant_cache[tool] = [gen(r) for _ in range(_VARIANTS)]
    return pool


def aitronos_entry(rng: random.Random, t_us: int, status: str | None = None,
                   credential: Credential | None = None) -> Entry:
    """One realistic tool-execution record at time ``t_us`` (rounded down to the millisecond)."""
    rnd = rng.random
    cred = credential or _CRED_TABLE[int(rnd() * len(_CRED_TABLE))]
    if status is None:
        status = _STATUS_TABLE[int(rnd() * len(_STATUS_TABLE))]
    tools = TOOLS[cred.tool_key]
    tool, gen = tools[int(rnd() * len(tools))]
    inputs, output = _tool_variants(tool, gen)[int(rnd() * _VARIANTS)]
    api = CONNECTOR_NAMES[cred.tool_key]
    error: dict[str, Any] | None = None
    retries = 0 if rnd() < 0.85 else 1 + int(rnd() * 3)
    if status == "success":
        duration = int(math.exp(rng.gauss(6.0, 0.8))) + 5
    elif status == "error":
        code, msg = _ERRORS[int(rnd() * len(_ERRORS))]
        error = {"code": code, "message": msg.format(api=api, tool=tool, n=2 + int(rnd() * 58))}
        duration = 30_000 + int(rnd() * 80) if code == "UPSTREAM_TIMEOUT" else int(math.exp(rng.gauss(6.3, 0.9))) + 5
        output = None
    elif status == "blocked":
        error = {"code": "POLICY_BLOCKED", "message": _BLOCKS[int(rnd() * len(_BLOCKS))].format(api=api, tool=tool),
                 "policy_id": f"pol_{rng.getrandbits(32):08x}"}
        duration = 3 + int(rnd() * 42)
        output = None
        retries = 0
    else:
        error = {"code": "TIMEOUT", "message": f"Tool execution exceeded the 30s limit ({tool})"}
        duration = 30_000 + int(rnd() * 250)
        output = None
    return {
        "id": f"log_{rng.getrandbits(96):024x}",
        "created_at": fmt_ms(t_us),
        "organization_id": DEMO_ORG,
        "user_id": cred.user_id,
        "credential_id": cred.id,
        "connector": cred.tool_key,
        "tool": tool,
        "status": status,
        "duration_ms": duration,
        "error": error,
        "inputs": inputs,
        "output": output,
        "metadata": {"client": _CLIENTS[int(rnd() * len(_CLIENTS))], "retries": retries,
                     "source": _SOURCES[int(rnd() * len(_SOURCES))],
                     "agent_run_id": f"run_{rng.getrandbits(48):012x}",
                     "tool_version": f"1.{int(rnd() * 7)}.{int(rnd() * 10)}"},
    }


def aitronos_dataset(rng: random.Random, n: int, now_us: int, span_us: int) -> list[tuple[int, Entry]]:
    """``n`` entries spread over ``[now - span, now]``, as (time µs, entry) pairs, unsorted."""
    out = []
    rnd = rng.random
    for _ in range(n):
        t = now_us - int(rnd() * span_us)
        t -= t % 1000
        out.append((t, aitronos_entry(rng, t)))
    return out


# --------------------------------------------------------------------------------------------
# Supermetrics Connector Builder
# --------------------------------------------------------------------------------------------

SUPERMETRICS_CONNECTORS: tuple[dict[str, str], ...] = (
    {"connector_identifier": "DEMO01", "name": "Demo Ads API",
     "description": "Codeless connector for the demo advertising API (campaign performance reports)",
     "created_at": "2025-04-02T08:14:55Z", "updated_at": "2025-11-10T16:41:07Z"},
    {"connector_identifier": "EMPTY1", "name": "Draft CRM connector",
     "description": "Configured but never run: no execution logs yet",
     "created_at": "2025-11-12T09:00:00Z", "updated_at": "2025-11-12T09:00:00Z"},
)

_FETCH_PATHS = ("/v2/reports/campaign_performance", "/v2/reports/ad_groups", "/v2/accounts/9271/insights",
                "/v2/reports/keywords")
# Mostly 2xx, a sprinkle of 3xx, 4xx and 5xx.
_FETCH_STATUS = _table(((200, 820), (201, 10), (204, 20), (301, 8), (304, 22), (400, 12), (401, 8), (403, 8),
                        (404, 14), (422, 8), (429, 30), (500, 14), (502, 10), (503, 10), (504, 6)))
_AUTH_STATUS = _table(((200, 90), (400, 3), (401, 5), (500, 1), (503, 1)))
_SCHEMA_STATUS = _table(((200, 90), (301, 5), (404, 5)))
_HOOK_STATUS = _table(((200, 50), (202, 25), (204, 15), (500, 4), (502, 3), (504, 3)))
_SINGLE_EVENTS = _table((("data.fetch", 35), ("auth.token.refresh", 15), ("schema.discover", 10),
                         ("webhook.deliver", 12), ("connector.validate", 10), ("sync.start", 9),
                         ("sync.complete", 9)))
_V4_CLEAR = ~((0xF << 76) | (0x3 << 62))
_V4_SET = (0x4 << 76) | (0x2 << 62)


def _uuid4(r: random.Random) -> str:
    h = f"{r.getrandbits(128) & _V4_CLEAR | _V4_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def supermetrics_entry(rng: random.Random, t_us: int, event: str | None = None, page: int = 1,
                       log_time: str | None = None) -> Entry:
    """One execution-log entry with exactly the documented fields; ``log_time`` has second
    precision (pass it pre-formatted when many entries share one second)."""
    rnd = rng.random
    if event is None:
        event = _SINGLE_EVENTS[int(rnd() * len(_SINGLE_EVENTS))]
    status: int | None
    request: str | None
    duration: int | None = int(math.exp(rng.gauss(5.5, 0.9))) + 3
    if event == "data.page" or event == "data.fetch":
        status = _FETCH_STATUS[int(rnd() * len(_FETCH_STATUS))]
        path = _FETCH_PATHS[int(rnd() * len(_FETCH_PATHS))]
        request = f"GET {path}?page={page}" if event == "data.page" else f"GET {path}"
        if status == 504:
            duration = 30_000 + int(rnd() * 90)
    elif event == "auth.token.refresh":
        status, request = _AUTH_STATUS[int(rnd() * len(_AUTH_STATUS))], "POST /api/oauth/token_refresh"
    elif event == "schema.discover":
        status, request = _SCHEMA_STATUS[int(rnd() * len(_SCHEMA_STATUS))], "GET /v2/metadata/fields"
    elif event == "webhook.deliver":
        status, request = _HOOK_STATUS[int(rnd() * len(_HOOK_STATUS))], "POST /hooks/connector-events"
    else:  # connector.validate, sync.start, sync.complete: internal, non-HTTP events
        status, request = None, None
        if event == "sync.start" or rnd() < 0.3:
            duration = None
    request_id = _uuid4(rng) if request is not None or rnd() < 0.2 else None
    return {"id": f"{t_us // 1_000_000:x}-{rng.getrandbits(40):010x}", "log_time": log_time or fmt_s(t_us),
            "status": status, "event": event, "request": request, "duration_ms": duration,
            "request_id": request_id}


def supermetrics_burst(rng: random.Random, t_us: int, size: int, same_time: bool = True) -> list[tuple[int, Entry]]:
    """A sync run: token refresh then paged fetches. With ``same_time`` every entry shares one
    ``log_time`` (a tie group); otherwise they spread over the following few seconds."""
    t_us -= t_us % 1_000_000
    if size == 1:
        return [(t_us, supermetrics_entry(rng, t_us))]
    stamp = fmt_s(t_us)
    out = []
    for k in range(size):
        ev = "auth.token.refresh" if k == 0 and rng.random() < 0.6 else "data.page"
        if same_time:
            out.append((t_us, supermetrics_entry(rng, t_us, ev, k + 1, stamp)))
        else:
            t = t_us + int(rng.random() * 4) * 1_000_000
            out.append((t, supermetrics_entry(rng, t, ev, k + 1)))
    return out


def supermetrics_dataset(rng: random.Random, n: int, now_us: int, span_us: int) -> list[tuple[int, Entry]]:
    """``n`` entries in bursts over ``[now - span, now]``: ~30% singles, the rest runs of 2–40
    entries, three quarters of which share one second (so tie groups are common)."""
    out: list[tuple[int, Entry]] = []
    rnd = rng.random
    while len(out) < n:
        size = 1 if rnd() < 0.3 else min(40, 2 + int(rng.expovariate(1 / 7)))
        size = min(size, n - len(out))
        t = now_us - 3_000_000 - int(rnd() * span_us)  # room for a run spreading 3 s forward
        out.extend(supermetrics_burst(rng, t, size, rnd() < 0.75))
    return out
