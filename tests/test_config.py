"""Profiles with default filters, `logview config`, and saved filters on disk."""

from __future__ import annotations

import json

import pytest

from logview.settings.check import check_config
from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DemoServer
from logview.settings.saved_filters import SavedFilter, SavedFilters, SavedFiltersError, check_name
from logview.times import parse_api_time

from test_export import jsonl, logview


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_a_profiles_default_filters_apply_and_flags_override_them(server: DemoServer, tmp_path) -> None:
    config = write(tmp_path, f"""
[profiles.errors]
source = "aitronos"
org = "{DEMO_ORG}"
base_url = "{server.url}"
key_env = "MY_KEY"
[profiles.errors.filters]
status = ["error", "timeout"]
search = "gmail"
""")
    env = {"LOGVIEW_CONFIG": str(config), "MY_KEY": DEMO_AITRONOS_KEY}
    logs = server.state.aitronos_logs
    result = logview("export", "--profile", "errors", env=env)
    assert result.returncode == 0, result.stderr
    expected = [e for e in logs if e["status"] in ("error", "timeout") and "gmail" in json.dumps(e).lower()]
    assert expected and jsonl(result.stdout) == expected
    overridden = logview("export", "--profile", "errors", "--status", "blocked", env=env)  # status replaced
    assert jsonl(overridden.stdout) == [e for e in logs if e["status"] == "blocked" and "gmail" in json.dumps(e).lower()]


def test_relative_times_in_a_profile_stay_relative(server: DemoServer, tmp_path) -> None:
    config = write(tmp_path, f"""
[profiles.recent]
source = "supermetrics"
team = 1
connector = "DEMO01"
base_url = "{server.url}"
[profiles.recent.filters]
since = "2d"
""")
    result = logview("export", "--profile", "recent",
                     env={"LOGVIEW_CONFIG": str(config), "SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY})
    assert result.returncode == 0, result.stderr
    got = jsonl(result.stdout)
    newest = parse_api_time(server.state.supermetrics_logs[0]["log_time"])
    assert got and all((newest - parse_api_time(e["log_time"])).total_seconds() <= 2 * 86400 + 60 for e in got)
    assert len(got) < len(server.state.supermetrics_logs)


def test_a_bad_default_filter_is_a_usage_error_naming_the_profile(tmp_path) -> None:
    config = write(tmp_path, '[profiles.p]\nsource = "aitronos"\norg = "o"\n[profiles.p.filters]\nstatus = ["4xx"]\n')
    result = logview("export", "--profile", "p", env={"LOGVIEW_CONFIG": str(config), "FREDDY_API_KEY": "k"})
    assert result.returncode == 2
    assert "profile 'p': filters.status: unknown Aitronos status '4xx'" in result.stderr.decode()


def test_logview_config_lists_profiles_and_every_problem(tmp_path) -> None:
    config = write(tmp_path, f"""
default = "good"
[profiles.good]
source = "aitronos"
org = "{DEMO_ORG}"
key_env = "GOOD_KEY"
follow = true
interval = 5
[profiles.good.filters]
status = ["error"]
since = "24h"
[profiles.bad]
source = "supermetrics"
team = 1
base_url = "http://api.example.com"
key_env = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
[profiles.bad.filters]
status = ["teapot"]
until = "someday"
""")
    env = {"LOGVIEW_CONFIG": str(config), "GOOD_KEY": "secret-value-123", "XDG_DATA_HOME": str(tmp_path / "data")}
    result = logview("config", env=env)
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 2
    assert f"config file: {config}" in out and "default profile: good" in out
    assert f"good: aitronos org {DEMO_ORG} · key from GOOD_KEY (set) · filters: status error · since 24h" in out
    assert "follows live every 5 s" in out
    assert "bad: supermetrics" in out and "(a variable whose name looks like a key)" in out
    assert "4 problems" in err
    assert "refusing plain http://" in err and "HTTP code" in err and "until: not a time" in err
    assert "profile 'bad': no API key: the variable key_env names is not set" in err
    assert "secret-value-123" not in out + err and "sk_live_4eC39HqLyjWDarjtT1zdp7dc" not in out + err
    assert f"saved filters: {tmp_path / 'data' / 'logview' / 'saved-filters.json'} (none yet)" in out


def test_logview_config_says_each_problem_once_with_its_hint_and_shows_base_urls(tmp_path) -> None:
    """A key with a type error is one line, not also "missing"; a key pasted as key_env is named
    as such on its problem line (never shown); the summary shows each base_url, credentials left out."""
    config = write(tmp_path, """
[profiles.numbers]
source = "supermetrics"
team = "one"
key_env = "SM_KEY"
base_url = "https://robot:hunter2@api.example.com/v2?token=abc"
[profiles.pasted]
source = "aitronos"
org = "o"
key_env = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
base_url = "http://127.0.0.1:8765"
""")
    result = logview("config", env={"LOGVIEW_CONFIG": str(config), "SM_KEY": "k", "XDG_DATA_HOME": str(tmp_path)})
    out = result.stdout.decode()
    assert result.returncode == 2
    count, lines = problem_lines(result.stderr)
    assert lines == ["profile 'numbers': team: must be an integer",
                     "profile 'numbers': base_url: a user or password in the URL (user:…@host) is refused: both "
                     "APIs take the key in a header, and the URL is kept in the archive and shown",
                     "profile 'pasted': no API key: the variable key_env names is not set, and that name looks "
                     "like a key itself (not shown): put the key in an environment variable and write that "
                     "variable's name in key_env"] and count == 3
    assert "  pasted: aitronos org o · key from (a variable whose name looks like a key) (NOT SET) · " \
           "base_url http://127.0.0.1:8765" in out.splitlines()
    assert "base_url https://(credentials not shown)@api.example.com/v2?(not shown)" in out
    everything = out + result.stderr.decode()
    assert "hunter2" not in everything and "token=abc" not in everything and "4eC39HqLyjWDarjtT1zdp7dc" not in everything


def test_logview_config_without_a_file_says_so_and_shows_an_example(tmp_path) -> None:
    result = logview("config", env={"LOGVIEW_CONFIG": str(tmp_path / "none.toml"), "XDG_DATA_HOME": str(tmp_path)})
    out = result.stdout.decode()
    assert result.returncode == 0 and "[profiles.prod]" in out and "config OK" in out
    assert f"config file: {tmp_path / 'none.toml'} (none: LOGVIEW_CONFIG names it; logview opens the demo " \
           "without one)" in out.splitlines()


def test_a_config_path_that_names_no_file_is_said_so(tmp_path) -> None:
    """s22 walk #9: a typo in LOGVIEW_CONFIG read as a file without that profile ("no profile 'ait'
    in /nonexistent/c.toml (profiles: none)")."""
    missing = tmp_path / "nowhere" / "c.toml"
    result = logview("--profile", "ait", env={"LOGVIEW_CONFIG": str(missing), "XDG_DATA_HOME": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.decode() == (f"logview: no profile 'ait': no config file at {missing} (LOGVIEW_CONFIG "
                                      "names it; its folder does not exist)\n")
    result = logview("config", env={"LOGVIEW_CONFIG": str(missing), "XDG_DATA_HOME": str(tmp_path)})
    assert "(none: LOGVIEW_CONFIG names it; its folder does not exist; " in result.stdout.decode()
    default = logview("--profile", "ait", env={"LOGVIEW_CONFIG": "", "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
                                               "XDG_DATA_HOME": str(tmp_path)})
    assert default.returncode == 2 and default.stderr.decode() == (
        f"logview: no profile 'ait': no config file yet at {tmp_path / 'cfg' / 'logview' / 'config.toml'} "
        "(`logview config` shows an example)\n")


def test_logview_config_reports_an_unreadable_file(tmp_path) -> None:
    config = write(tmp_path, "[profiles.p\n")
    report = check_config(config, SavedFilters(tmp_path / "saved.json"))
    assert not report.ok and "not valid TOML" in report.problems[0]


def test_a_config_saved_with_a_byte_order_mark_is_read(tmp_path, monkeypatch) -> None:
    """Found in a walk: a file saved by an editor that starts UTF-8 with a byte order mark (Notepad) was
    "not valid TOML: Invalid statement (at line 1, column 1)", the line looking right to its user."""
    config = tmp_path / "config.toml"
    config.write_bytes('\ufeff[profiles.p]\nsource = "supermetrics"\nteam = 3\n'.encode())
    monkeypatch.setenv("SUPERMETRICS_API_KEY", "k")
    report = check_config(config, SavedFilters(tmp_path / "saved.json"))
    assert report.ok, report.problems
    assert "  p: supermetrics team 3 / (picked in the viewer) · key from SUPERMETRICS_API_KEY (set)" in report.lines


def test_a_good_config_is_ok(tmp_path, monkeypatch) -> None:
    config = write(tmp_path, '[profiles.p]\nsource = "supermetrics"\nteam = 3\n')
    monkeypatch.setenv("SUPERMETRICS_API_KEY", "k")
    report = check_config(config, SavedFilters(tmp_path / "saved.json"))
    assert report.ok, report.problems
    assert "  p: supermetrics team 3 / (picked in the viewer) · key from SUPERMETRICS_API_KEY (set)" in report.lines


def test_a_key_env_holding_a_key_is_not_listed_under_the_default_variable(tmp_path, monkeypatch) -> None:
    """Found in a walk (s18 K4): `key_env` holding the key itself was refused, and the profile's
    line said "key from FREDDY_API_KEY (NOT SET)", a variable the profile never named."""
    config = write(tmp_path, '[profiles.x]\nsource = "aitronos"\norg = "o"\nkey_env = "ZZWEEKSECRETzz-4a3b2c1d"\n')
    monkeypatch.delenv("FREDDY_API_KEY", raising=False)
    report = check_config(config, SavedFilters(tmp_path / "saved.json"))
    assert "  x: aitronos org o · key_env refused (below)" in report.lines, report.lines
    assert any("key_env: must name an environment variable" in problem for problem in report.problems)
    assert "ZZWEEKSECRET" not in "\n".join(report.lines + report.problems)


def test_the_archive_off_points_to_no_list_of_nothing(tmp_path, monkeypatch) -> None:
    """Found in a walk (s18 K3): with `archive = false`, `logview config` pointed to `logview
    archive list`, which then refuses: the config has the archive off."""
    config = write(tmp_path, 'archive = false\n')
    line = next(line for line in check_config(config, SavedFilters(tmp_path / "saved.json")).lines
                if line.startswith("archive: "))
    assert line.endswith(" · off (archive = false): nothing is read from it or kept in it"), line
    assert "archive list" not in line


# -- saved filters ------------------------------------------------------------------------------

def test_saved_filters_round_trip_per_api_and_survive_odd_entries(tmp_path) -> None:
    store = SavedFilters(tmp_path / "dir" / "saved.json")
    assert store.load() == {} and store.names("aitronos") == []
    errors = SavedFilter(statuses=("error",), since="24h", tool="gmail.send_email", error="X: <n>")
    store.save("aitronos", "errors today", errors)
    store.save("supermetrics", "5xx", SavedFilter(statuses=("5xx",)))
    assert store.get("aitronos", "errors today") == errors and store.names("supermetrics") == ["5xx"]
    document = json.loads(store.path.read_text())
    document["aitronos"]["bad [name]"] = {"statuses": "x"}
    document["aitronos"]["odd"] = {"statuses": 7}
    store.path.write_text(json.dumps(document))
    assert store.names("aitronos") == ["errors today"]  # the odd ones are skipped, not fatal
    assert store.delete("aitronos", "errors today") and not store.delete("aitronos", "errors today")
    assert store.names("aitronos") == [] and store.names("supermetrics") == ["5xx"]
    assert [p.name for p in store.path.parent.iterdir()] == ["saved.json"]  # no temporary left behind


def test_an_unreadable_saved_filters_file_is_reported_not_replaced(tmp_path) -> None:
    path = tmp_path / "saved.json"
    path.write_text("{not json")
    store = SavedFilters(path)
    with pytest.raises(SavedFiltersError, match="cannot read"):
        store.load()
    with pytest.raises(SavedFiltersError):
        store.save("aitronos", "x", SavedFilter())
    assert path.read_text() == "{not json"


@pytest.mark.parametrize("name", ["", " ", "x" * 41, "[bold]", "a\nb", "semi;colon"])
def test_names_that_cannot_be_names(name) -> None:
    with pytest.raises(ValueError):
        check_name(name)


def test_a_name_is_stripped() -> None:
    assert check_name("  errors: last 24h ") == "errors: last 24h"


def test_the_viewer_opens_a_profile_with_its_filters_and_tail_settings(tmp_path, monkeypatch) -> None:
    from contextlib import ExitStack

    from logview.cli import viewer_options, viewer_parser

    config = write(tmp_path, f"""
[profiles.live]
source = "aitronos"
org = "{DEMO_ORG}"
follow = true
interval = 7.5
[profiles.live.filters]
status = ["timeout"]
credential = "tcred_x"
""")
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.setenv("FREDDY_API_KEY", "k")
    with ExitStack() as stack:
        options = viewer_options(viewer_parser().parse_args(["--profile", "live"]), stack)
        assert options.follow and options.interval_s == 7.5
        assert options.filters.statuses == ("timeout",) and options.filters.credential == "tcred_x"
        flags = viewer_options(viewer_parser().parse_args(["--profile", "live", "--interval", "1",
                                                           "--credential", "tcred_y"]), stack)
        assert flags.interval_s == 1 and flags.filters.credential == "tcred_y"
        assert flags.filters.statuses == ("timeout",)


def test_several_profiles_open_as_tabs_and_export_takes_one(tmp_path, monkeypatch) -> None:
    from logview import cli

    config = write(tmp_path, f"""
[profiles.a]
source = "aitronos"
org = "{DEMO_ORG}"
[profiles.b]
source = "supermetrics"
team = 1
connector = "DEMO01"
[profiles.b.filters]
status = ["5xx"]
""")
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.setenv("FREDDY_API_KEY", "k1")
    monkeypatch.setenv("SUPERMETRICS_API_KEY", "k2")
    opened = []
    monkeypatch.setattr("logview.ui.app.run_viewer", lambda *options, **_: opened.extend(options) or 0)
    assert cli.main(["--profile", "a", "--profile", "b", "--since", "2d"]) == 0
    assert [o.connection.label for o in opened] == ["profile a", "profile b"]
    assert opened[1].filters.statuses == ("5xx",) and all(o.filters.since is not None for o in opened)
    assert cli.main(["export", "--profile", "a", "--profile", "b"]) == 2
    assert cli.main(["--profile", "a", "--profile", "b", "--demo"]) == 2


# -- issue 11.8: every problem, one per line ---------------------------------------------------

CANARY = "sk-LEAK-CANARY-1234567890"
EVERY_KIND_OF_PROBLEM = f"""
[profiles.a]
source = "aitronos"
base_url = "http://api.example.com"
team = "abc"
interval = -1
status = "error"
token = "{CANARY}"
[profiles.a.filters]
since = "2025-11-15"
until = "2025-11-01"
status = ["4xx"]
[profiles.b]
source = "supermetrics"
team = 3
orgg = "x"
sk_live_4eC39HqLyjWDarjtT1zdp7dc = "{CANARY}"
"""


def problem_lines(stderr: bytes) -> tuple[int, list[str]]:
    """The count logview announces and the problem lines under it."""
    head, *lines = stderr.decode().splitlines()
    assert head.endswith("problems:"), head
    return int(head.split()[0]), [line.strip() for line in lines]


def test_logview_config_reports_every_problem_once_per_line_with_hints(tmp_path) -> None:
    config = write(tmp_path, EVERY_KIND_OF_PROBLEM)
    result = logview("config", env={"LOGVIEW_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path)})
    assert result.returncode == 2
    count, lines = problem_lines(result.stderr)
    assert count == len(lines)
    expected = [
        "profile 'a': team: must be an integer",  # a type error is one line of its own …
        "profile 'a': interval: must be greater than 0",
        "profile 'a': status: unknown key here: `status` belongs under [profiles.a.filters]",
        "profile 'a': base_url: refusing plain http:// for api.example.com",  # … and the checks after it still run
        "profile 'a': org: missing",  # a refused URL does not hide a missing org
        "profile 'a': no API key: set the environment variable FREDDY_API_KEY",
        "profile 'a': filters.status: unknown Aitronos status '4xx'",
        "profile 'a': filters.since: '2025-11-15' is later than until ('2025-11-01')",
        "profile 'a': token: holds an API key; logview never reads keys from files",
        "profile 'b': orgg: unknown key: did you mean `org`?",
        "profile 'b': (a name not shown: it looks like a key): unknown key",
        "profile 'b': no API key: set the environment variable SUPERMETRICS_API_KEY",
    ]
    for wanted in expected:
        assert sum(line.startswith(wanted) for line in lines) == 1, (wanted, lines)
    assert count == len(expected)
    everything = (result.stdout + result.stderr).decode()
    assert CANARY not in everything and "sk_live_4eC39HqLyjWDarjtT1zdp7dc" not in everything
    assert "Extra inputs are not permitted" not in everything and "Input should be" not in everything


def test_an_id_of_the_other_api_is_a_problem_of_the_profile(tmp_path) -> None:
    """Found in a walk: an Aitronos profile with `team` and `connector` (a Supermetrics one with `org`) was
    "config OK", those ids read as nothing, where `--team` beside an Aitronos profile is refused."""
    config = write(tmp_path, '[profiles.a]\nsource = "aitronos"\norg = "o"\nteam = 42\nconnector = "T3S70"\n'
                             '[profiles.b]\nsource = "supermetrics"\nteam = 1\nconnector = "C"\norg = "o"\n')
    env = {"LOGVIEW_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path), "FREDDY_API_KEY": "k",
           "SUPERMETRICS_API_KEY": "k"}
    result = logview("config", env=env)
    assert result.returncode == 2 and problem_lines(result.stderr) == (3, [
        "profile 'a': team: applies to supermetrics only (this profile reads aitronos)",
        "profile 'a': connector: applies to supermetrics only (this profile reads aitronos)",
        "profile 'b': org: applies to aitronos only (this profile reads supermetrics)"])
    used = logview("sql", "--profile", "b", "SELECT 1", env=env)
    assert (used.returncode, used.stderr.decode()) == (
        2, f"logview sql: {config}: profile 'b': org: applies to aitronos only (this profile reads supermetrics)\n")


def test_an_interval_past_a_day_is_said_in_the_files_words(tmp_path, monkeypatch) -> None:
    """Found in a walk: `interval = 100000` was "Input should be less than or equal to 86400", pydantic's words."""
    config = write(tmp_path, '[profiles.a]\nsource = "aitronos"\norg = "o"\ninterval = 100000\n')
    monkeypatch.setenv("FREDDY_API_KEY", "k")
    report = check_config(config, SavedFilters(tmp_path / "saved.json"))
    assert report.problems == ["profile 'a': interval: must be at most 86,400 (a day)"]


def test_the_demo_opened_beside_a_config_without_profiles_says_so(tmp_path, monkeypatch) -> None:
    """Found in a walk: `logview` with a config holding `archive = false` and no profile opened the demo
    saying "Demo data: no config file at" that very file."""
    from contextlib import ExitStack

    from logview.cli.parsers import viewer_parser
    from logview.cli.resolve import viewer_options

    for text, said in ((None, "no config file at"), ("archive = false\n", "no profile in")):
        config = tmp_path / f"{said.replace(' ', '-')}.toml"
        if text is not None:
            config.write_text(text)
        monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
        with ExitStack() as stack:
            options = viewer_options(viewer_parser().parse_args([]), stack)
        assert options.welcome is not None and options.welcome.startswith(f"Demo data: {said}\n{config}\n")


def test_a_profiles_tail_interval_is_shown_with_or_without_follow(tmp_path, monkeypatch) -> None:
    """Found in a walk: `interval = 5` without `follow` was left out of the profile's line, though `t` tails at it."""
    config = write(tmp_path, '[profiles.a]\nsource = "aitronos"\norg = "o"\ninterval = 5\n'
                             '[profiles.b]\nsource = "aitronos"\norg = "o"\nfollow = true\n')
    monkeypatch.setenv("FREDDY_API_KEY", "k")
    lines = check_config(config, SavedFilters(tmp_path / "saved.json")).lines
    assert "  a: aitronos org o · key from FREDDY_API_KEY (set) · live tail (t) every 5 s" in lines, lines
    assert "  b: aitronos org o · key from FREDDY_API_KEY (set) · follows live every 2 s" in lines, lines


def test_using_a_broken_profile_fails_before_the_viewer_starts_listing_its_own_problems(tmp_path) -> None:
    """Every problem of the profile used, those found when reading and when checking alike (a
    reversed time range); the other profiles' problems only as a one-line note."""
    config = write(tmp_path, EVERY_KIND_OF_PROBLEM)
    env = {"LOGVIEW_CONFIG": str(config), "FREDDY_API_KEY": "k"}
    for argv in (["--profile", "a"], ["export", "--profile", "a"]):
        result = logview(*argv, env=env, timeout=30)
        err = result.stderr.decode()
        assert result.returncode == 2, err
        assert f"logview: {config} has 8 problems with profile 'a':" in err
        for wanted in ("profile 'a': team: must be an integer", "`status` belongs under [profiles.a.filters]",
                       "profile 'a': base_url: refusing plain http://", "profile 'a': org: missing",
                       "profile 'a': filters.status: unknown Aitronos status '4xx'",
                       "profile 'a': filters.since: '2025-11-15' is later than until ('2025-11-01')"):
            assert wanted in err
        assert "profile 'b'" not in err
        assert err.endswith("\n  (the rest of the file has problems too: `logview config` lists them)\n")
        assert CANARY not in err and "sk_live_4eC39HqLyjWDarjtT1zdp7dc" not in err


def demo_profile(name: str, server: DemoServer) -> str:
    """A profile reading the demo server's Aitronos logs, its key from FREDDY_API_KEY."""
    return f'[profiles.{name}]\nsource = "aitronos"\norg = "{DEMO_ORG}"\nbase_url = "{server.url}"\n'


def export_profile(config, name: str, *flags: str):
    return logview("export", "--profile", name, *flags,
                   env={"LOGVIEW_CONFIG": str(config), "FREDDY_API_KEY": DEMO_AITRONOS_KEY})


def test_another_profiles_problems_do_not_stop_a_good_one(server: DemoServer, tmp_path) -> None:
    config = write(tmp_path, demo_profile("good", server) + '[profiles.broken]\nsource = "aitronos"\norgg = "typo"\n')
    result = export_profile(config, "good", "--max-entries", "5")
    assert result.returncode == 0, result.stderr
    assert len(jsonl(result.stdout)) == 5


def test_a_flag_replaces_the_profiles_broken_default_filter(server: DemoServer, tmp_path) -> None:
    config = write(tmp_path, demo_profile("p", server) + '[profiles.p.filters]\nstatus = ["4xx"]\n'
                                                         'since = "2025-11-15"\nuntil = "2025-11-01"\n')
    result = export_profile(config, "p", "--status", "error", "--since", "2000-01-01", "--until", "1s")
    assert result.returncode == 0, result.stderr
    assert {entry["status"] for entry in jsonl(result.stdout)} == {"error"}


def test_logview_config_flags_a_reversed_time_range(tmp_path) -> None:
    config = write(tmp_path, '[profiles.p]\nsource = "supermetrics"\nteam = 3\n'
                             '[profiles.p.filters]\nsince = "1h"\nuntil = "2d"\n')
    report = check_config(config, SavedFilters(tmp_path / "saved.json"))
    assert "profile 'p': filters.since: '1h' is later than until ('2d')" in report.problems


def test_an_undefined_default_is_not_a_problem_of_the_profile_named(server: DemoServer, tmp_path) -> None:
    """`--profile b` lists b's own problems only: the undefined default concerns a run that opens
    the default, so it is only in the closing line, and a good profile named opens despite it."""
    config = write(tmp_path, 'default = "x"\n' + demo_profile("a", server)
                   + '[profiles.b]\nsource = "aitronos"\norg = "o"\n'
                   '[profiles.b.filters]\nsince = "2d"\nuntil = "3d"\nevent = "data.page"\n')
    env = {"LOGVIEW_CONFIG": str(config), "FREDDY_API_KEY": "k"}
    for argv in (["--profile", "b"], ["export", "--profile", "b"]):
        result = logview(*argv, env=env, timeout=30)
        err = result.stderr.decode()
        assert result.returncode == 2, err
        assert err.startswith(f"logview: {config} has 2 problems with profile 'b':\n"), err
        assert "default profile 'x'" not in err
        assert "profile 'b': filters.since: '2d' is later than until ('3d')" in err
        assert "profile 'b': filters.event: applies to supermetrics only" in err
        assert err.endswith("\n  (the rest of the file has problems too: `logview config` lists them)\n")
    result = export_profile(config, "a", "--max-entries", "3")
    assert result.returncode == 0, result.stderr
    assert len(jsonl(result.stdout)) == 3
    assert result.stderr.decode().splitlines()[0] == (
        f"logview: {config} has problems elsewhere (`logview config` lists them)")
    result = logview("export", env=env, timeout=30)  # the default is used: then it is the problem
    assert result.returncode == 2
    assert result.stderr.decode().startswith(f"logview: {config}: default profile 'x' is not defined")
