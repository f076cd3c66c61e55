"""Whose words say what was done with entries that came out of order (s22 walk #4): `export`
writes them where they came, and says so; the viewer's table sorts them, and its banner says
that instead (`in_time_order`)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from logview.api.contract import in_time_order
from logview.demo import DEMO_AITRONOS_KEY, DemoServer, DemoState
from logview.times import parse_api_time
from test_export import aitronos_args, logview

NOW = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)



def test_the_viewers_words_say_sorted_where_exports_say_kept_where_they_came() -> None:
    said = "6 pages out of time order (sorted, once each); 499 entries newer than entries sent before them, " \
           "kept where they came; 3 pages whose `has_more` disagreed with `total`"
    assert in_time_order(said) == said.replace("kept where they came", "sorted newest first")
    assert in_time_order("1 page empty where `total` promised more") == "1 page empty where `total` promised more"


def test_export_keeps_out_of_order_entries_where_they_came_and_says_so() -> None:
    """`export`'s words stay its own: its lines are in the order the pages came, not sorted."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, now=NOW, seed=5)
    state.broken.set(["random_values"])
    with DemoServer(state) as server:
        done = logview(*aitronos_args(server, "--no-archive"), env={"FREDDY_API_KEY": DEMO_AITRONOS_KEY})
    said = done.stderr.decode()
    assert done.returncode == 3 and "kept where they came" in said and "sorted newest first" not in said, said
    times = [parse_api_time(json.loads(line).get("created_at")) for line in done.stdout.decode().splitlines()]
    timed = [moment for moment in times if moment is not None]
    assert len(timed) > 100 and any(later > earlier for earlier, later in zip(timed, timed[1:]))
