"""Retention interleaved with fetches, over the demo server: whatever the order of loads (a viewer's,
which holds what it shows; one that prunes as it stores, as an export does), prunes by count and by
age, arrivals and restarts, no span outlives the entries it stood for (no "complete" sliver older
than every entry kept: s23 walk #4), a viewer's load never loses a row it showed (#2), and a last
load shows exactly the server's set, with the server's total from its first count on (#5)."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.api.paging import EntriesLoaded
from logview.archive import Archive, Retention
from logview.archive.retention import describe_age, dropped_words
from logview.archive.rows import identity_of
from logview.archive.sync import ArchivedPager
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.times import epoch_us

from support import aitronos

UTC = timezone.utc
PAGE = 25


def created(log: dict) -> datetime:
    return datetime.fromisoformat(log["created_at"].replace("Z", "+00:00"))


def server_ids(state: DemoState) -> set[str]:
    return {log["id"] for log in state.aitronos_logs}


def assert_no_sliver(archive: Archive, identity) -> None:
    """Every span claims at least up to the oldest entry kept: one wholly older holds nothing."""
    archived = archive.source(identity)
    oldest = archived.oldest()
    spans = archived.coverage("")
    if oldest is not None:
        assert all(span.end_us >= oldest[0] for span in spans), (oldest[0], spans)


async def load(server: DemoServer, archive: Archive, *, held: bool, pages: int | None = None
               ) -> tuple[list, list[int | None], list[str]]:
    """One launch: a viewer's (`held`: the retention ran as it opened the source) or one whose
    stores prune; stopped after `pages` pages if given. The entries shown, each batch's total,
    what was said of the retention."""
    source, client = aitronos(server, page_limit=PAGE)
    said: list[str] = []
    archived = archive.shown_source(identity_of(source), said=lambda notice: said.append(notice.message)) \
        if held else archive.source(identity_of(source))
    shown, totals = [], []
    async with client:
        pager = ArchivedPager(source, client, Filters(), archived, paint_first=held)
        async for event in pager.backfill():
            if isinstance(event, EntriesLoaded):
                shown += event.entries
                totals.append(event.total)
            if pages is not None and pager.pages >= pages:
                break
        await pager.flush()
    return shown, totals, said


step = st.one_of(st.tuples(st.just("viewer"), st.one_of(st.none(), st.integers(1, 6))),
                 st.tuples(st.just("pruning load"), st.one_of(st.none(), st.integers(1, 6))),
                 st.tuples(st.just("prune count"), st.integers(1, 120)),
                 st.tuples(st.just("prune age"), st.integers(1, 100)),
                 st.tuples(st.just("arrive"), st.integers(1, 5)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial=st.integers(30, 250), keep=st.integers(10, 120), plan=st.lists(step, min_size=1, max_size=6))
async def test_retention_between_and_during_loads_leaves_no_sliver_and_the_last_load_is_exact(
        tmp_path_factory, initial, keep, plan):
    state = DemoState(aitronos_entries=initial, supermetrics_entries=0, live_rate=0.0, seed=initial)
    path = tmp_path_factory.mktemp("r") / "archive.sqlite3"
    limited = Retention(max_entries=keep)
    with DemoServer(state) as server:
        identity = identity_of(aitronos(server)[0])
        for action, amount in plan:
            with Archive.open(path, retention=limited) as archive:  # (each step its own process)
                if action == "viewer":
                    shown, _, _ = await load(server, archive, held=True, pages=amount)
                    kept = {e.id for e in archive.source(identity).entries()}
                    assert {e.id for e in shown} <= kept  # nothing it showed was taken while it ran
                elif action == "pruning load":
                    await load(server, archive, held=False, pages=amount)
                elif action == "prune count":
                    archive.prune(max_entries=amount)
                elif action == "prune age":  # older than the amount-th newest entry's time
                    times = sorted(map(created, state.aitronos_logs), reverse=True)
                    moment = times[min(amount, len(times)) - 1]
                    archive.prune(max_age_s=(datetime.now(UTC) - moment).total_seconds())
                else:
                    state.insert_aitronos(amount)
                assert_no_sliver(archive, identity)
                archived = archive.source(identity)
                held = {e.id for e in archived.entries()}
                assert held <= server_ids(state)
                claimed = {log["id"] for log in state.aitronos_logs if any(
                    span.contains(epoch_us(created(log))) for span in archived.coverage(""))}
                assert claimed <= held

        with Archive.open(path) as archive:  # a last launch, with room for all: exactly the server's set
            shown, totals, _ = await load(server, archive, held=True)
            ids = [e.id for e in shown]
            assert len(ids) == len(set(ids)) and set(ids) == server_ids(state)
            assert set(totals) <= {None, len(ids)}  # (a gap's own count never passed for the load's)
            assert {e.id for e in archive.source(identity).entries()} == server_ids(state)
            assert_no_sliver(archive, identity)


async def test_a_pruning_load_leaves_one_span_and_a_relaunch_fetches_the_rest_in_one_fill(tmp_path) -> None:
    """The walk's case in small: a load whose stores prune leaves only the newest `keep` and one
    span over them (no sliver between pages it took); the next launch paints them and fetches
    the rest as one stretch, its total the server's from the first page on."""
    state = DemoState(aitronos_entries=400, supermetrics_entries=0, live_rate=0.0, seed=5)
    with DemoServer(state) as server:
        identity = identity_of(aitronos(server)[0])
        with Archive.open(tmp_path / "a.sqlite3", retention=Retention(max_entries=60)) as archive:
            await load(server, archive, held=False)
            archived = archive.source(identity)
            assert archived.count() == 60 and len(archived.coverage("")) == 1
        with Archive.open(tmp_path / "a.sqlite3") as archive:
            before = len(state.request_log)
            shown, totals, said = await load(server, archive, held=True)
            assert said == [] and len(shown) == 400
            # (unknown while the paint and the look for what is newer come; then the load's own)
            assert 400 in totals[:3] and set(totals[totals.index(400):]) == {400}
            assert len(state.request_log) - before <= 1 + (340 + PAGE - 1) // PAGE + 1


def test_the_words_name_each_limit_in_a_phrase_a_person_reads() -> None:
    """s24 walk #2: "(at most 1,000,000 entries and 1d old a source)" did not parse."""
    assert dropped_words(3_343, Retention(2_000)) == "Archive retention (at most 2,000 entries a source) dropped 3,343 older entries"
    assert dropped_words(929, Retention(max_age_s=86_400)) == ("Archive retention (at most 1,000,000 entries a source, none "
                                                               "older than 1 day) dropped 929 older entries")
    assert dropped_words(1, Retention(None, 3 * 86_400)) == "Archive retention (none older than 3 days) dropped 1 older entry"
    assert Retention(None, 12 * 3600).describe() == "no limit on entries per source, none older than 12 hours"


async def test_an_age_out_at_a_viewers_launch_is_not_said_and_a_count_limit_is_in_its_own_number(tmp_path) -> None:
    """s25 walk #4: with `archive_max_age` entries cross the age every minute, so nearly every launch put a
    banner "dropped 1 older entry … fetches them again" over what the config asked for (and the viewer,
    loading from that age on, never fetches them). Said: what the count limit took, alone."""
    state = DemoState(aitronos_entries=300, supermetrics_entries=0, live_rate=0.0, seed=7)
    with DemoServer(state) as server:
        identity = identity_of(aitronos(server)[0])
        times = sorted(map(created, state.aitronos_logs), reverse=True)
        with Archive.open(tmp_path / "a.sqlite3") as archive:
            await load(server, archive, held=False)
        age_s = (datetime.now(UTC) - times[199]).total_seconds()  # (about the newest 200 within it)
        with Archive.open(tmp_path / "a.sqlite3", retention=Retention(max_entries=None, max_age_s=age_s)) as archive:
            said: list[str] = []
            archive.shown_source(identity, said=lambda notice: said.append(notice.message))
            assert said == [] and 190 <= archive.source(identity).count() <= 200
        with Archive.open(tmp_path / "a.sqlite3", retention=Retention(max_entries=150, max_age_s=age_s)) as archive:
            archive.shown_source(identity, said=lambda notice: said.append(notice.message))
            dropped = said[0].split(" dropped ")[1].split(" older")[0]
            assert said == [f"Archive retention (at most 150 entries a source, none older than {describe_age(age_s)}) "
                            f"dropped {dropped} older entries at launch, before showing any; the load fetches them "
                            "again if it reaches that far"] and 40 <= int(dropped) <= 50, said
            assert archive.source(identity).count() == 150


async def test_the_quits_prune_names_the_source_with_its_host(tmp_path) -> None:
    """s25 walk #9: `dropped 2,299 older entries of supermetrics 1/DEMO01 as the viewer closed` named one of three
    sources of that name (three demo servers): the host is said too."""
    state = DemoState(aitronos_entries=120, supermetrics_entries=0, live_rate=0.0, seed=3)
    with DemoServer(state) as server:
        with Archive.open(tmp_path / "a.sqlite3", retention=Retention(max_entries=50)) as archive:
            await load(server, archive, held=True)
            said = archive.prune_shown()
        host, scope = server.url.removeprefix("http://").rstrip("/"), identity_of(aitronos(server)[0]).scope
    assert said == [f"Archive retention (at most 50 entries a source) dropped 70 older entries of aitronos {scope} "
                    f"at {host} as the viewer closed (the next launch fetches what it needs again)"], said
