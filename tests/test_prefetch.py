"""A backfill stream sends its next request while the page at hand is parsed and handed over
(`api/prefetch.py`), over real HTTP: each page still asked for once, no more requests than pages,
the result exact; a page that breaks the contract still stops the stream with nothing of a
prefetched page shown; a wrong guess is discarded unread; a replaced query leaves nothing in flight."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from logview.api.contract import ContractBroken
from logview.api.paging import BackfillDone, EntriesLoaded, Pager
from logview.demo import DemoServer, DemoState
from support import aitronos, supermetrics

UTC = timezone.utc


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The query of every request as the client sends it (before any answer)."""
    targets: list[str] = []
    send = httpx.AsyncClient.send

    async def recording(client: httpx.AsyncClient, request: httpx.Request, **kwargs):
        targets.append(request.url.query.decode())
        return await send(client, request, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "send", recording)
    return targets


@pytest.fixture
def quiet() -> DemoServer:
    with DemoServer(DemoState(aitronos_entries=400, supermetrics_entries=0, live_rate=0.0)) as server:
        start = datetime(2025, 11, 1, tzinfo=UTC)
        for step in range(600):  # distinct times: every page's cursor is its last entry's
            server.state.insert_supermetrics(1, at=start - timedelta(seconds=step))
        yield server


def server_targets(server: DemoServer) -> list[str]:
    return [target for _, target, _ in server.state.request_log]


@pytest.mark.parametrize("api, page_limit", [("supermetrics", 100), ("aitronos", 40)])
async def test_the_next_page_is_asked_for_before_this_one_is_handed_over(quiet, sent, api, page_limit) -> None:
    source, client = (aitronos if api == "aitronos" else supermetrics)(quiet, page_limit=page_limit)
    requested_at_handover: list[int] = []  # requests sent when each page's entries were handed over
    entries = []
    async with client:
        async for event in Pager(source, client, prefetch=True).backfill():
            if isinstance(event, EntriesLoaded) and event.entries:  # (the stream's end hands over nothing)
                requested_at_handover.append(len(sent))
                entries.extend(event.entries)
            elif isinstance(event, BackfillDone):
                pages = event.pages
    expected = quiet.state.supermetrics_logs if api == "supermetrics" else quiet.state.aitronos_logs
    assert [entry.id for entry in entries] == [raw["id"] for raw in expected]  # exact, newest first
    # (Supermetrics: one request more after its short last page, to be sure it was the end, hands nothing over)
    assert len(requested_at_handover) == pages - (api == "supermetrics") > 5
    # page k (1-based) handed over with page k+1 already asked for; the last with nothing more
    assert requested_at_handover[:-1] == list(range(2, len(requested_at_handover) + 1)), requested_at_handover
    assert requested_at_handover[-1] == len(requested_at_handover)
    targets = server_targets(quiet)
    assert len(targets) == len(set(targets)) == pages == len(sent)  # each page once, no extra request


async def test_a_broken_page_stops_the_stream_with_nothing_of_a_prefetched_page_shown(quiet, sent) -> None:
    """Aitronos answering every offset with the first page: the second page (prefetched) is the
    first strike; no request is ever sent ahead of a page that may be the last strike."""
    quiet.state.broken.set(["cursor_ignored"])
    source, client = aitronos(quiet, page_limit=40)
    entries = []
    async with client:
        with pytest.raises(ContractBroken):
            async for event in Pager(source, client, prefetch=True).backfill():
                if isinstance(event, EntriesLoaded):
                    entries.extend(event.entries)
        await asyncio.sleep(0.05)  # (a request still in flight would reach the server now)
    assert [entry.id for entry in entries] == [raw["id"] for raw in quiet.state.aitronos_logs[:40]]
    assert [dict(pair.split("=") for pair in target.split("&"))["offset"] for target in sent] == ["0", "40", "80", "120"]
    assert len(server_targets(quiet)) == 4


async def test_a_wrong_guess_is_discarded_unread_and_the_result_stays_exact(quiet, sent) -> None:
    """Pages out of order: the last entry of a body is not its oldest, so the cursor guessed from
    it is wrong; that one request is discarded, and the stream guesses no more."""
    quiet.state.broken.set(["unordered"])
    entries, pages = await prefetched(*supermetrics(quiet, page_limit=100))
    assert [entry.id for entry in entries] == [raw["id"] for raw in quiet.state.supermetrics_logs]
    assert len(sent) == len(set(sent)) <= pages + 1  # each page once, and at most the one wrong guess
    assert len(server_targets(quiet)) == len(sent)


async def test_a_replaced_query_leaves_no_request_in_flight(quiet, sent) -> None:
    source, client = supermetrics(quiet, page_limit=100)
    async with client:
        backfill = Pager(source, client, prefetch=True).backfill()
        async for event in backfill:
            if isinstance(event, EntriesLoaded):
                break  # the user asked for something else after the first page
        await backfill.aclose()
        assert len(sent) == 2  # the first page, and the second sent while the first was parsed
        await asyncio.sleep(0.05)
        lingering = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        assert lingering == []


async def test_an_answer_cut_short_guesses_nothing_ahead_and_is_retried_first(quiet, sent) -> None:
    """A body cut in half (a dropped connection) is retried: no request goes ahead of the retry on
    a guess from it (the faults that server has left would be spent on a page not yet reached)."""
    from logview.demo.state import Fault

    quiet.state.add_fault(Fault(kind="truncated", count=1, api="aitronos"))
    entries, _ = await prefetched(*aitronos(quiet, page_limit=40))
    assert [entry.id for entry in entries] == [raw["id"] for raw in quiet.state.aitronos_logs]
    offsets = [dict(pair.split("=") for pair in target.split("&"))["offset"] for target in sent]
    assert offsets[:3] == ["0", "0", "40"]  # the retry first, then the page after it
    assert len(offsets) == len(set(offsets)) + 1  # each page once, but for the one retried


async def prefetched(source, client) -> tuple[list, int]:
    """A prefetching backfill's entries and pages, and a moment for any request still in flight."""
    entries, pages = [], 0
    async with client:
        async for event in Pager(source, client, prefetch=True).backfill():
            if isinstance(event, EntriesLoaded):
                entries.extend(event.entries)
            elif isinstance(event, BackfillDone):
                pages = event.pages
        await asyncio.sleep(0.05)
    return entries, pages
