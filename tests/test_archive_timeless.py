"""Entries without a usable time and the archive, over real HTTP: whatever a first `logview export`
archived, a second one writes every entry the server has, exactly once, timeless ones included.

A timeless entry has no place in the archive's time spans; the server files it among the others
(here by `insert_raw`'s server time), so a time-bounded request for a gap never brings it back.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from logview.demo import DemoServer, DemoState

from test_export import AITRONOS_KEY, SUPERMETRICS_KEY, aitronos_args, jsonl, logview, supermetrics_args

TOP = datetime(2025, 11, 15, 10, 0, tzinfo=timezone.utc)


def _rows(field: str, count: int, every: int) -> list[tuple[datetime, dict]]:
    """`count` entries a second apart, newest first; every `every`-th has no usable time."""
    rows = []
    for i in range(count):
        at = TOP - timedelta(seconds=i)
        own = None if i % every == every // 2 else at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        status = 200 if field == "log_time" else "success"
        rows.append((at, {"id": f"e{i:05d}", field: own, "status": status, "event": "data.page"}))
    return rows


def _server(api: str, field: str, count: int, every: int) -> DemoServer:
    state = DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0)
    state.insert_raw(api, _rows(field, count, every))
    return DemoServer(state)


def _export(api: str, server: DemoServer, *extra: str):
    args, env = ((aitronos_args(server, *extra), AITRONOS_KEY) if api == "aitronos"
                 else (supermetrics_args(server, *extra), SUPERMETRICS_KEY))
    result = logview(*args, env=env)
    assert result.returncode == 0, result.stderr
    return jsonl(result.stdout)


def _ids(entries: list[dict]) -> Counter:
    return Counter(entry["id"] for entry in entries)


CASES = [("aitronos", "created_at", 450, 40), ("supermetrics", "log_time", 2600, 70)]


@pytest.mark.parametrize(("api", "field", "count", "every"), CASES)
def test_a_capped_first_export_then_a_whole_one_writes_every_timeless_entry_once(api, field, count, every):
    """The first run stops at --max-entries: what it archived is complete from its newest entry
    down to its last page, but not down to the start of the data. The second writes it all."""
    with _server(api, field, count, every) as server:
        served = _ids([entry for entry in server.state.aitronos_logs or server.state.supermetrics_logs])
        assert sum(1 for e in (server.state.aitronos_logs or server.state.supermetrics_logs) if e[field] is None) > 5
        first = _export(api, server, "--max-entries", str(count // 2))
        assert len(first) == count // 2
        second = _export(api, server)
        assert _ids(second) == served
        third = _export(api, server)  # now from the archive (complete to the start), the same
        assert _ids(third) == served


@pytest.mark.parametrize(("api", "field", "count", "every"), CASES)
def test_a_time_bounded_first_export_then_a_whole_one_writes_every_timeless_entry_once(api, field, count, every):
    """A first run bounded by --since/--until archives a span in the middle; timeless entries
    are outside any time range, so it writes none, and the second writes them all once."""
    with _server(api, field, count, every) as server:
        served = _ids(server.state.aitronos_logs or server.state.supermetrics_logs)
        since = (TOP - timedelta(seconds=count * 3 // 4)).strftime("%Y-%m-%dT%H:%M:%SZ")
        until = (TOP - timedelta(seconds=count // 4)).strftime("%Y-%m-%dT%H:%M:%SZ")
        bounded = _export(api, server, "--since", since, "--until", until)
        assert bounded and all(entry[field] is not None for entry in bounded)
        assert _ids(_export(api, server)) == served
        assert _ids(_export(api, server)) == served
