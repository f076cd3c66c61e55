"""Prefetch spends no request the user would not have spent (issue 13, s25): over the demo server,
the same backfill with prefetch on and off sends the same requests, the same cursors in the same
order, and ends the same way (the same entries, or the same failure), across caps (at a page's
end, within a page), a range's start (`--since`), a budget that stops the backfill, and faults
(retried, a body that does not parse, a fatal answer part way), a server sending its pages out of
order (and ignoring its cursor too); plain and through the archive."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from logview.api import paging, prefetch
from logview.api.budget import Budget
from logview.api.client import ApiClient
from logview.api.paging import EntriesLoaded, Pager
from logview.archive.archive import Archive
from logview.archive.rows import identity_of
from logview.archive.sync import ArchivedPager
from logview.demo import DEMO_SUPERMETRICS_KEY, DemoServer, DemoState, Fault
from logview.model import PACED_BY_LOGVIEW, ApiFailure, Filters
from logview.times import parse_api_time

from support import FAST_RETRIES, aitronos, supermetrics

PAGE = 100
PINNED = re.compile(r"end_date=[^&]*")
START = datetime(2025, 11, 1, tzinfo=timezone.utc)


def failing_from(request: int, kind: str, status: int = 500) -> list[Fault]:
    """`kind` on the `request`-th request (counting from 1), the ones before it answered as usual."""
    before = [Fault(kind="latency", delay=0.0, count=request - 1)] if request > 1 else []
    return [*before, Fault(kind=kind, status=status)]


# (api, entries, cap, the range's start at the n-th newest entry, budget, faults or the ways the server breaks
# the contract, `DemoState.broken`)
SCENARIOS = {
    "aitronos whole": ("aitronos", 450, None, None, None, []),
    "aitronos cap at a page's end": ("aitronos", 450, 300, None, None, []),
    "aitronos cap within a page": ("aitronos", 450, 250, None, None, []),
    "aitronos since": ("aitronos", 450, None, 230, None, []),
    "aitronos cut short, retried": ("aitronos", 450, None, None, None, failing_from(2, "truncated")),
    "aitronos fatal from the third": ("aitronos", 450, None, None, None, failing_from(3, "status", 403)),
    "supermetrics whole": ("supermetrics", 450, None, None, None, []),
    "supermetrics cap at a page's end": ("supermetrics", 450, 397, None, None, []),
    "supermetrics cap within a page": ("supermetrics", 450, 250, None, None, []),
    "supermetrics since": ("supermetrics", 450, None, 230, None, []),
    "supermetrics 500, retried": ("supermetrics", 450, None, None, None, failing_from(2, "status")),
    "supermetrics not JSON, retried": ("supermetrics", 450, None, None, None, failing_from(3, "invalid_json_200")),
    "supermetrics stopped by the budget": ("supermetrics", 450, None, None, "3/3600", []),
    "supermetrics out of order": ("supermetrics", 450, None, None, None, ["unordered"]),
    "supermetrics out of order, its cursor ignored": ("supermetrics", 450, None, None, None,
                                                      ["unordered", "cursor_ignored"]),
}


def filled(api: str, entries: int, budget: str | None) -> DemoServer:
    server = DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0,
                                  budget={api: budget} if budget else None))
    for step in range(entries):  # (a second apart: each page's cursor moves)
        at = START - timedelta(seconds=step)
        if api == "aitronos":
            server.state.insert_aitronos(1, at=at)
        else:
            server.state.insert_supermetrics(1, at=at)
    return server


def client_of(server: DemoServer, api: str, budget: str | None):
    source, client = (aitronos if api == "aitronos" else supermetrics)(server, page_limit=PAGE)
    if budget:
        client = ApiClient(source.base_url, source.auth_headers(DEMO_SUPERMETRICS_KEY), policy=FAST_RETRIES,
                           budget=Budget(api, host=source.base_url))
    return source, client


async def run(server: DemoServer, api: str, scenario: tuple, archive_path: Path | None) -> tuple[list, list, str]:
    """One backfill from a fresh request log: the requests the server saw, the entries, how it ended."""
    _, entries, cap, since_at, budget, faults = scenario
    server.state.clear_request_log()
    for fault in (fault for fault in faults if isinstance(fault, Fault)):
        server.state.add_fault(fault)
    if broken := [way for way in faults if isinstance(way, str)]:
        server.state.broken.set(broken)
    logs = server.state.aitronos_logs if api == "aitronos" else server.state.supermetrics_logs
    since = parse_api_time(logs[since_at]["created_at" if api == "aitronos" else "log_time"]) if since_at else None
    filters = Filters(since=since)
    source, client = client_of(server, api, budget)
    ids: list[str] = []
    ended = "done"
    async with client:
        with Archive.open(archive_path) if archive_path else _nothing() as archive:
            pager = ArchivedPager(source, client, filters, archive.source(identity_of(source)), max_entries=cap) \
                if archive_path else Pager(source, client, filters, max_entries=cap)
            try:
                async for event in pager.backfill():
                    if isinstance(event, EntriesLoaded):
                        ids += [entry.id for entry in event.entries]
            except ApiFailure as failure:
                ended = failure.error.code
            if archive_path:
                await pager.flush()
    # (Aitronos' `end_date` is the clock's at the walk's start: no cursor of the walk's)
    return [(PINNED.sub("end_date=(now)", target), status) for _, target, status in server.state.request_log
            if "/logs" in target], ids, ended


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("through", ["pager", "archive"])
@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_prefetch_sends_the_requests_it_would_without(monkeypatch, tmp_path, name, through):
    scenario = SCENARIOS[name]
    api = scenario[0]
    guesses: list[object] = []
    predicted = prefetch.predicted_cursor

    def counting(*args, **kwargs):  # (how many requests went ahead: the run with prefetch must use it)
        guess = predicted(*args, **kwargs)
        if guess is None:
            return None

        def counted(body, page, cursor):
            following = guess(body, page, cursor)
            guesses.append(following) if following is not None else None
            return following
        return counted

    monkeypatch.setattr(paging, "predicted_cursor", counting)
    results = []
    for on in (False, True):  # (a server each: its budget's window is spent by a run)
        monkeypatch.setattr(paging, "PREFETCH", on)
        with filled(api, scenario[1], scenario[4]) as server:
            results.append(await run(server, api, scenario, tmp_path / f"{on}.sqlite3" if through == "archive" else None))
    (off_log, off_ids, off_end), (on_log, on_ids, on_end) = results
    assert on_log == off_log, (off_end, on_end)
    assert (on_ids, on_end) == (off_ids, off_end)
    assert len(off_log) >= 2 and off_ids  # (a walk of several pages, each case)
    if scenario[4] is None:
        assert guesses
    else:  # (a binding budget guesses only the request its burst lets go at once: a wait is the page's, shown)
        assert len(guesses) <= 1 and off_end == PACED_BY_LOGVIEW
