"""Fixed identifiers of the demo world, shared by the server, the CLI banner and tests."""

from __future__ import annotations

DEMO_AITRONOS_KEY = "demo-freddy-key"
DEMO_SUPERMETRICS_KEY = "demo-supermetrics-key"
DEMO_ORG = "org_demo"
DEMO_TEAM = 1
DEMO_CONNECTOR = "DEMO01"
DEMO_EMPTY_CONNECTOR = "EMPTY1"

AITRONOS_STATUSES = ("success", "error", "blocked", "timeout")

# The published limits, "N/WINDOW_S": advertised in the headers when no budget is enforced, and
# what the built-in demo (`logview` with no arguments) enforces. Aitronos: "about 100 requests/min";
# Supermetrics budgets per hour.
PUBLISHED_BUDGETS = {"aitronos": "100/60", "supermetrics": "1000/3600"}

# The most new entries a second each API makes for the live tail (`--rate`, `live_rate`): at 100 a
# page is answered in ~30 ms as memory grows ~1.3 MB/s; at 1,000 a page took up to 0.5 s and memory
# grew ~13 MB/s; at 100,000 the server stopped answering, ~1 GB held after 4 s (found in a walk).
MAX_LIVE_RATE = 100

# What `POST /_demo/faults` can make the next API requests do ({"kind": …}), one line each: the
# server's checks and `logview demo-server --help` both read it.
FAULTS = {
    "status": "`status` (default 500) in the API's own error envelope",
    "html": "`status` as an HTML error page, as a proxy's",
    "truncated": "the normal answer, its body cut in half",
    "latency": "the normal answer, after `delay` seconds",
    "hang": "nothing for `delay` seconds (past a client's timeout)",
    "invalid_json_200": "200 with a body that is not JSON",
    "trickle": "the normal answer, its body in pieces over `delay` seconds",
}
