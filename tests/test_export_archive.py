"""`logview export` reads and fills the archive: a second export writes the same entries in the same
order with one request, a filtered or time-bounded export over a covered range fetches no page,
local filters never leave a range half archived, and --no-archive fetches everything."""

from __future__ import annotations


from datetime import UTC, datetime, timedelta

from logview.archive import Archive, default_archive_path
from logview.demo import DemoServer, DemoState
from logview.times import parse_api_time

from test_export import AITRONOS_KEY, SUPERMETRICS_KEY, aitronos_args, jsonl, logview, supermetrics_args


def log_requests(server: DemoServer) -> int:
    return sum("/logs" in path for _, path, _ in server.state.request_log)


def test_a_second_export_comes_from_the_archive_in_the_same_order() -> None:
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=1800, live_rate=0.0, seed=8)) as server:
        first = logview(*supermetrics_args(server, "-v"), env=SUPERMETRICS_KEY)
        assert first.returncode == 0, first.stderr
        before = log_requests(server)
        again = logview(*supermetrics_args(server, "-v"), env=SUPERMETRICS_KEY)
        assert again.returncode == 0, again.stderr
        assert again.stdout == first.stdout  # byte for byte, tie groups in the server's order
        assert jsonl(again.stdout) == server.state.supermetrics_logs
        assert log_requests(server) - before == 1
        assert again.stderr.decode().endswith("logview: 1,800 entries in 1 page (1,800 from the archive)\n")


def test_a_time_range_inside_what_is_archived_costs_no_page() -> None:
    with DemoServer(DemoState(aitronos_entries=900, supermetrics_entries=0, live_rate=0.0, seed=9)) as server:
        assert logview(*aitronos_args(server), env=AITRONOS_KEY).returncode == 0
        raws = server.state.aitronos_logs
        since, until = raws[700]["created_at"], raws[200]["created_at"]
        before = log_requests(server)
        ranged = logview(*aitronos_args(server, "--since", since, "--until", until), env=AITRONOS_KEY)
        assert ranged.returncode == 0, ranged.stderr
        lo, hi = parse_api_time(since), parse_api_time(until)
        assert jsonl(ranged.stdout) == [r for r in raws if lo <= parse_api_time(r["created_at"]) <= hi]
        assert log_requests(server) == before  # a closed range the archive covers: nothing to ask


def test_a_local_filter_archives_the_whole_range_it_fetched() -> None:
    with DemoServer(DemoState(aitronos_entries=600, supermetrics_entries=0, live_rate=0.0, seed=10)) as server:
        raws = server.state.aitronos_logs
        needle = raws[3]["id"][-6:]
        found = logview(*aitronos_args(server, "--search", needle), env=AITRONOS_KEY)
        assert found.returncode == 0 and [r["id"] for r in jsonl(found.stdout)] == [raws[3]["id"]]
        with Archive.open(default_archive_path(), readonly=True) as archive:
            assert [s.entries for s in archive.summaries()] == [600]  # not just the one that matched
        before = log_requests(server)
        everything = logview(*aitronos_args(server), env=AITRONOS_KEY)
        assert jsonl(everything.stdout) == raws and log_requests(server) - before == 1


def test_no_archive_fetches_every_page_and_keeps_nothing() -> None:
    with DemoServer(DemoState(aitronos_entries=300, supermetrics_entries=0, live_rate=0.0, seed=11)) as server:
        for _ in range(2):
            result = logview(*aitronos_args(server, "--no-archive"), env=AITRONOS_KEY)
            assert result.returncode == 0 and len(jsonl(result.stdout)) == 300
        assert log_requests(server) == 6
        assert not default_archive_path().exists()


def test_an_archive_that_cannot_be_opened_is_one_line_and_the_export_goes_on(tmp_path) -> None:
    path = default_archive_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database" * 64)
    with DemoServer(DemoState(aitronos_entries=50, supermetrics_entries=0, live_rate=0.0, seed=12)) as server:
        result = logview(*aitronos_args(server), env=AITRONOS_KEY)
        assert result.returncode == 0 and len(jsonl(result.stdout)) == 50
        lines = result.stderr.decode().splitlines()
        assert len(lines) == 1 and lines[0].startswith("logview: without the archive this run: ")
        assert str(path) in lines[0]


def test_an_id_sent_again_with_other_fields_is_written_once_as_its_newer_answer() -> None:
    """s24 walk #1: the head fetched newer than the archive brings an id the archive holds with
    older fields (a re-run that kept its id, a test server restarted): the export wrote both."""
    with DemoServer(DemoState(aitronos_entries=300, supermetrics_entries=0, live_rate=0.0, seed=12)) as server:
        first = logview(*aitronos_args(server), env=AITRONOS_KEY)
        assert first.returncode == 0, first.stderr
        older = server.state.aitronos_logs[40]
        at = datetime.now(UTC) - timedelta(milliseconds=5)
        newer = {**older, "created_at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                 "status": "timeout" if older["status"] != "timeout" else "blocked", "duration_ms": 98_765}
        server.state.insert_raw("aitronos", [(at, newer)])
        again = logview(*aitronos_args(server, "-v"), env=AITRONOS_KEY)
        assert again.returncode == 0, again.stderr
        written = jsonl(again.stdout)
        assert [r["id"] for r in written].count(older["id"]) == 1, [(i, r["created_at"]) for i, r in enumerate(written) if r["id"] == older["id"]]
        assert written[0] == newer and len(written) == 300
        assert written[1:] == [r for r in jsonl(first.stdout) if r["id"] != older["id"]]
        assert again.stderr.decode().endswith("logview: 300 entries in 1 page (299 from the archive)\n")


def test_short_pages_mid_stream_are_said_and_a_second_export_once_healed_has_every_entry() -> None:
    """s30 walk: a Supermetrics page shorter than asked, mid-stream, ended the export with 1,467 of
    20,268 entries (exit 0, nothing said), and the archive held all that was older as fetched: no
    later export, relaunch or `sql --sync` asked for it again."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=1800, live_rate=0.0, seed=8)) as server:
        server.state.broken.set(["short_pages"])
        broken = logview(*supermetrics_args(server), env=SUPERMETRICS_KEY)
        assert broken.returncode == 0, broken.stderr
        assert "(paging went on; some entries of the time a page was cut at may be missing)" in broken.stderr.decode()
        assert len(jsonl(broken.stdout)) > 1000  # (where the first short page had ended it)
        server.state.broken.set([])
        healed = logview(*supermetrics_args(server), env=SUPERMETRICS_KEY)
        assert healed.returncode == 0, healed.stderr
        assert jsonl(healed.stdout) == server.state.supermetrics_logs


def test_an_open_ended_export_the_api_refuses_says_how_to_export_what_is_archived() -> None:
    """The API out of reach (here a key it refuses, at once; offline, after the retries): the export
    fails, and says the `--until` that the archive alone answers; with it, no request is made."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=1500, live_rate=0.0, seed=12)) as server:
        assert logview(*supermetrics_args(server), env=SUPERMETRICS_KEY).returncode == 0
        newest = server.state.supermetrics_logs[0]["log_time"]
        refused = {"SUPERMETRICS_API_KEY": "not-the-key"}
        failed = logview(*supermetrics_args(server), env=refused)
        assert failed.returncode == 3 and failed.stdout == b""
        said = failed.stderr.decode().splitlines()[-1]
        assert said == (f"logview: the archive holds this source's entries through {newest}: "
                        f"--until {newest} exports them without asking the API")
        before = log_requests(server)
        offline = logview(*supermetrics_args(server, "--until", newest), env=refused)
        assert offline.returncode == 0, offline.stderr
        assert jsonl(offline.stdout) == server.state.supermetrics_logs
        assert log_requests(server) == before
        later = logview(*supermetrics_args(server, "--since", "2099-01-01"), env=refused)  # (after the archive)
        assert later.returncode == 3 and "the archive holds" not in later.stderr.decode()


def test_the_archives_until_keeps_aitronos_milliseconds() -> None:
    with DemoServer(DemoState(aitronos_entries=700, supermetrics_entries=0, live_rate=0.0, seed=13)) as server:
        assert logview(*aitronos_args(server), env=AITRONOS_KEY).returncode == 0
        newest = server.state.aitronos_logs[0]["created_at"]  # (`…T10:30:05.123Z`)
        refused = {"FREDDY_API_KEY": "not-the-key"}
        failed = logview(*aitronos_args(server), env=refused)
        assert failed.returncode == 3
        assert failed.stderr.decode().splitlines()[-1].endswith(f"--until {newest} exports them without asking the API")
        offline = logview(*aitronos_args(server, "--until", newest), env=refused)
        assert offline.returncode == 0, offline.stderr
        assert jsonl(offline.stdout) == server.state.aitronos_logs
