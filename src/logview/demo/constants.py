"""Fixed identifiers of the demo world, shared by the server, the CLI banner and tests."""

from __future__ import annotations

DEMO_AITRONOS_KEY = "demo-freddy-key"
DEMO_SUPERMETRICS_KEY = "demo-supermetrics-key"
DEMO_ORG = "org_demo"
DEMO_TEAM = 1
DEMO_CONNECTOR = "DEMO01"
DEMO_EMPTY_CONNECTOR = "EMPTY1"

AITRONOS_STATUSES = ("success", "error", "blocked", "timeout")

# Advertised (never enforced) rate limits; real limiting is only simulated through faults.
AITRONOS_RATE_LIMIT = 100  # requests per minute (API.md: "about 100 requests/min")
SUPERMETRICS_RATE_LIMIT = 1000  # requests per hour
