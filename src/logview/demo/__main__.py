"""``python -m logview.demo``: run the demo server in the foreground."""

from __future__ import annotations

import argparse
import sys

from .broken import BROKEN_MODES
from .budget import parse_budget_option
from .constants import MAX_LIVE_RATE
from .server import run_foreground


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m logview.demo", description="Serve the logview demo APIs.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--aitronos-entries", type=int, default=5000)
    p.add_argument("--supermetrics-entries", type=int, default=20000)
    p.add_argument("--live-rate", type=float, default=1.0, help="new entries per second per API (0 = none)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--budget", action="append", default=[], metavar="N/WINDOW_S",
                   help="enforce N requests per WINDOW_S seconds per key (API=N/WINDOW_S for one API)")
    p.add_argument("--broken", action="append", default=[], choices=BROKEN_MODES,
                   help="break the API contract on purpose (repeatable)")
    a = p.parse_args(argv)
    if not 0 <= a.live_rate <= MAX_LIVE_RATE:  # (what the server keeps up with: `MAX_LIVE_RATE`)
        p.error(f"--live-rate: must be from 0 to {MAX_LIVE_RATE} new entries a second")
    try:
        budget = parse_budget_option(a.budget)
    except ValueError as exc:
        p.error(f"--budget: {exc}")
    try:
        run_foreground(a.host, a.port, aitronos_entries=a.aitronos_entries,
                       supermetrics_entries=a.supermetrics_entries, live_rate=a.live_rate, seed=a.seed,
                       budget=budget, broken=a.broken)
    except OSError as exc:
        print(f"logview demo: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
