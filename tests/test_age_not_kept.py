"""A range the user asks for that reaches past the config's `archive_max_age` is fetched and shown
(or written) as asked, and said once not to be kept: `--until 2d` under `"1d"` re-fetched its
entries at every launch, and nothing at launch said the archive drops them (s26 walk #6); an
export said nothing either (s26 walk #3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import orjson
import pytest

from logview.demo import DEMO_AITRONOS_KEY, DemoServer, DemoState
from logview.times import parse_api_time

from test_cli_usage import write_config
from test_export import logview

NOT_KEPT = ("Entries older than 1 day are {} but not kept: the config's archive_max_age drops them from the "
            "archive, so the next run fetches them again.")


def config_with(line: str, tmp_path, server) -> str:
    """`write_config`'s file (profile `a` on the demo) with `line` at its top."""
    path = write_config(tmp_path, server)
    with open(path, "r+") as config:
        text = config.read()
        config.seek(0)
        config.write(f"{line}\n{text}")
    return path


def aged_config(tmp_path, server) -> str:
    return config_with('archive_max_age = "1d"', tmp_path, server)


def launched(flags: tuple[str, ...], tmp_path, monkeypatch, config) -> Any:
    """The options `logview --profile a FLAGS` opens the viewer with (`config`: the config file's maker), over a demo."""
    from logview import cli

    given = []
    monkeypatch.setattr("logview.ui.app.run_viewer", lambda *options, **_: given.append(options) or 0)
    with DemoServer(DemoState(aitronos_entries=1, supermetrics_entries=0, live_rate=0.0)) as server:
        monkeypatch.setenv("LOGVIEW_CONFIG", config(tmp_path, server))
        monkeypatch.setenv("FREDDY_API_KEY", DEMO_AITRONOS_KEY)
        assert cli.main(["--profile", "a", *flags]) == 0
    [[options]] = given
    return options


@pytest.mark.parametrize("flags, said", [
    ((), False), (("--until", "2d"), True), (("--since", "3d"), True), (("--since", "2h"), False),
    (("--until", "2h"), False), (("--no-archive", "--until", "2d"), False),
])
def test_a_launch_says_once_that_a_range_past_the_age_is_not_kept(flags, said, tmp_path, monkeypatch):
    options = launched(flags, tmp_path, monkeypatch, aged_config)
    assert (NOT_KEPT.format("shown") in options.notes) is said, options.notes
    assert len(options.notes) <= 1


def test_an_export_past_the_age_writes_it_all_and_says_once_it_is_not_kept(tmp_path):
    with DemoServer(DemoState(aitronos_entries=700, supermetrics_entries=0, live_rate=0.0, span_days=7,
                              seed=4)) as server:
        env = {"LOGVIEW_CONFIG": aged_config(tmp_path, server), "FREDDY_API_KEY": DEMO_AITRONOS_KEY}
        week = logview("export", "--profile", "a", "--since", "3d", "-o", str(tmp_path / "week.jsonl"), env=env)
        assert week.returncode == 0, week.stderr
        assert week.stderr.decode().splitlines() == [f"logview: {NOT_KEPT.format('written')}"]
        times = [parse_api_time(orjson.loads(line)["created_at"]) for line in (tmp_path / "week.jsonl").open("rb")]
        now = datetime.now(timezone.utc)
        assert min(times) < now - timedelta(days=2) and max(times) > now - timedelta(hours=12)  # (all of it)

        for flags in (("--since", "12h"), ("--max-entries", "20")):  # (the newest 20: none older than the age)
            day = logview("export", "--profile", "a", *flags, "-o", str(tmp_path / "day.jsonl"), env=env)
            assert day.returncode == 0 and b"not kept" not in day.stderr, day.stderr


@pytest.mark.parametrize("flags, said", [(("--since", "2999-01-01"), True), (("--since", "2h"), False), ((), False)])
def test_a_viewer_launch_says_a_since_later_than_now(flags, said, tmp_path, monkeypatch, capsys):
    """s28 walk #9 (as export now says it): the viewer took a --since in the future without a word, its table empty."""
    options = launched(flags, tmp_path, monkeypatch, write_config)
    future = [note for note in options.notes if "is later than now" in note]
    assert bool(future) is said, options.notes
    if said:
        assert future[0].startswith("--since 2999-01-01 is later than now (") and future[0].endswith(
            "only entries dated after it are shown, none from the past")
        assert f"logview: {future[0]}" in capsys.readouterr().err


def test_an_export_of_more_than_the_archive_keeps_says_the_next_run_fetches_them_again(tmp_path):
    """Found in a walk: 6,618 entries written under `archive_max_entries = 500`, and the next export
    fetched 6,118 of them again without a word (an age past `archive_max_age` was said)."""
    with DemoServer(DemoState(aitronos_entries=700, supermetrics_entries=0, live_rate=0.0, seed=4)) as server:
        env = {"LOGVIEW_CONFIG": config_with("archive_max_entries = 500", tmp_path, server),
               "FREDDY_API_KEY": DEMO_AITRONOS_KEY}
        every = logview("export", "--profile", "a", "-o", str(tmp_path / "all.jsonl"), env=env)
        assert every.returncode == 0, every.stderr
        assert every.stderr.decode().splitlines() == [
            "logview: 700 entries written, but the config's archive_max_entries keeps 500 of a source: the archive "
            "drops the older ones, so the next run fetches them again."]
        newest = logview("export", "--profile", "a", "--max-entries", "400", "-o", str(tmp_path / "new.jsonl"), env=env)
        assert newest.returncode == 0 and b"archive_max_entries" not in newest.stderr, newest.stderr
