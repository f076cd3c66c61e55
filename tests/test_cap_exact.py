"""A backfill stopped by `--max-entries` says older entries were left out only when some were
(s20 #5: a server of exactly the cap's count was said to hold older ones): over loopback HTTP,
for both APIs, at the cap, one above it and one below, plain, through the archive, and in
`logview export -v`. Aitronos counts its entries (`has_more`); Supermetrics does not, so a full
last page at the cap is followed by one request for the next page while the budget has it spare,
and left "unknown" when it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from logview.api.budget import Budget
from logview.api.client import ApiClient
from logview.api.paging import BackfillDone, EntriesLoaded, Notice, Pager
from logview.archive.archive import Archive
from logview.archive.rows import identity_of
from logview.archive.sync import ArchivedPager
from logview.demo import DEMO_SUPERMETRICS_KEY, DemoServer, DemoState
from logview.model import Filters

from support import FAST_RETRIES, aitronos, supermetrics
from test_export import AITRONOS_KEY, SUPERMETRICS_KEY, aitronos_args, logview, supermetrics_args

PAGE = 100
# Caps met by a full page: Aitronos' third; Supermetrics' fourth (each page after the first re-asks
# from its boundary, one entry again: 100 + 99 + 99 + 99).
CAPS = {"aitronos": 300, "supermetrics": 397}
KINDS = {"aitronos": aitronos, "supermetrics": supermetrics}


def fill(server: DemoServer, kind: str, count: int) -> None:
    if kind == "aitronos":
        server.state.insert_aitronos(count)
    else:  # (a second apart: one tie group would be paged as such)
        server.state.insert_supermetrics(count, same_time=False)


def log_requests(server: DemoServer) -> int:
    return sum("/logs" in path for _, path, _ in server.state.request_log)


async def drain(events) -> tuple[int, list[Notice], BackfillDone]:
    loaded, notices, done = 0, [], None
    async for event in events:
        if isinstance(event, EntriesLoaded):
            loaded += len(event.entries)
        elif isinstance(event, Notice):
            notices.append(event)
        elif isinstance(event, BackfillDone):
            done = event
    assert done is not None
    return loaded, notices, done


# (the server's count from the cap, whether the cap is said, its `older`, requests): at the cap,
# Aitronos' `has_more` says no more; Supermetrics' last page was full: the next, asked once, says
# (below the cap, its short last page is the end only once one request more brings nothing older)
CASES = {
    "aitronos": [(-1, False, None, 3), (0, False, None, 3), (1, True, True, 3)],
    "supermetrics": [(-1, False, None, 5), (0, False, None, 5), (1, True, True, 5)],
}
CASE_IDS = [(kind, *case) for kind, cases in CASES.items() for case in cases]


@pytest.mark.parametrize("kind,offset,capped,older,requests", CASE_IDS)
async def test_the_cap_is_said_only_when_older_entries_exist(fresh_server, kind, offset, capped, older, requests):
    cap = CAPS[kind]
    fill(fresh_server, kind, cap + offset)
    source, client = KINDS[kind](fresh_server, page_limit=PAGE)
    async with client:
        loaded, notices, done = await drain(Pager(source, client, max_entries=cap).backfill())
    assert loaded == min(cap + offset, cap) and done.capped is capped
    assert [(n.kind, n.older) for n in notices] == ([("capped", older)] if capped else [])
    assert log_requests(fresh_server) == requests


@pytest.mark.parametrize("kind,offset,capped,older,requests", CASE_IDS)
async def test_through_the_archive_too(fresh_server, tmp_path: Path, kind, offset, capped, older, requests):
    cap = CAPS[kind]
    fill(fresh_server, kind, cap + offset)
    source, client = KINDS[kind](fresh_server, page_limit=PAGE)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        async with client:
            pager = ArchivedPager(source, client, Filters(), archive.source(identity_of(source)), max_entries=cap)
            loaded, notices, done = await drain(pager.backfill())
            await pager.flush()
    assert loaded == min(cap + offset, cap) and done.capped is capped
    assert [(n.kind, n.older) for n in notices if n.kind == "capped"] == ([("capped", older)] if capped else [])
    assert log_requests(fresh_server) == requests


async def test_a_binding_budget_leaves_it_unknown_without_a_request():
    # Supermetrics' hourly budget of 3: the first page goes unpaced, the second takes the window's
    # burst, and a third would wait ~an hour: not spent on learning whether anything is older.
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0,
                              budget={"supermetrics": "3/3600"})) as server:
        cap = PAGE + PAGE - 1  # (the second page re-asks one entry from its boundary)
        server.state.insert_supermetrics(cap, same_time=False)
        source, _ = supermetrics(server, page_limit=PAGE)
        client = ApiClient(source.base_url, source.auth_headers(DEMO_SUPERMETRICS_KEY), policy=FAST_RETRIES,
                           budget=Budget("supermetrics", host=source.base_url))
        async with client:
            loaded, notices, done = await drain(Pager(source, client, max_entries=cap).backfill())
        assert loaded == cap and done.capped
        assert [(n.kind, n.older) for n in notices] == [("capped", None)]
        assert notices[0].message == "stopped at 199 entries (--max-entries); older entries may exist"
        assert log_requests(server) == 2


@pytest.mark.parametrize("budget", [None, "3/3600"])
async def test_a_filter_applied_here_that_cuts_a_page_at_the_cap_says_older_entries_exist(budget):
    """s22: a search (applied here, not by the server) matching more of a Supermetrics page than the
    cap: the entries cut were older matches, yet the pager asked for the next page to learn whether
    any exist, and where the budget spared no request (an hourly 3) the cap said "older entries may
    exist". The server's count is no help with a filter it does not apply: that stays unknown."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0,
                              budget={"supermetrics": budget} if budget else None)) as server:
        server.state.insert_supermetrics(250, same_time=False)
        source, _ = supermetrics(server, page_limit=PAGE)
        client = ApiClient(source.base_url, source.auth_headers(DEMO_SUPERMETRICS_KEY), policy=FAST_RETRIES,
                           budget=Budget("supermetrics", host=source.base_url))
        filters = Filters(search="-")  # (in every entry's id and time)
        assert not source.keeps_everything(filters)
        async with client:
            loaded, notices, done = await drain(Pager(source, client, filters, max_entries=150).backfill())
        assert loaded == 150 and done.capped  # (met within the second page: 100 + 99)
        assert [(n.kind, n.older, n.message) for n in notices] == [
            ("capped", True, "stopped at 150 entries (--max-entries)")]
        assert log_requests(server) == 2


@pytest.mark.parametrize("offset,said", [(-1, False), (0, False), (1, True)])
def test_export_verbose_says_it_stopped_only_when_it_left_entries_out(fresh_server, offset, said):
    # (export's own page sizes: Aitronos 100, Supermetrics 1000, a full page at either cap)
    caps = {"aitronos": 300, "supermetrics": 1000}
    for kind, args, key in (("aitronos", aitronos_args, AITRONOS_KEY), ("supermetrics", supermetrics_args,
                                                                          SUPERMETRICS_KEY)):
        fill(fresh_server, kind, caps[kind] + offset)
        result = logview(*args(fresh_server, "-v", "--no-archive", "--max-entries", str(caps[kind])), env=key)
        assert result.returncode == 0, result.stderr
        stderr = result.stderr.decode()
        assert (f"stopped at {caps[kind]:,} entries (--max-entries)" in stderr) is said, stderr
        assert f"logview: {caps[kind] + min(offset, 0):,} entries in" in stderr, stderr
        assert "older entries may exist" not in stderr


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
@pytest.mark.parametrize("offset", [0, 1])
async def test_a_relaunch_on_the_archive_says_the_cap_only_when_it_left_entries_out(fresh_server, tmp_path: Path,
                                                                                   kind, offset):
    # (the second launch shows the archive's rows first, then asks only for what is newer: s21 found
    # "capped at 300 — older entries not loaded" said of an archive of exactly the cap's 300)
    cap = CAPS[kind]
    fill(fresh_server, kind, cap + offset)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        for launch in ("first", "relaunch"):
            source, client = KINDS[kind](fresh_server, page_limit=PAGE)
            async with client:
                pager = ArchivedPager(source, client, Filters(), archive.source(identity_of(source)), max_entries=cap)
                loaded, notices, done = await drain(pager.backfill())
                await pager.flush()
            capped = [n.older for n in notices if n.kind == "capped"]
            assert loaded == cap and done.capped is bool(offset), launch
            # (a relaunch may not know without a request: what lies below its span is not archived)
            assert capped == [] if not offset else capped in ([True], [None]), (launch, capped)
