"""Flags beside a profile: `--org`, `--team`, `--connector` and `--base-url` replace the
profile's own (as its filters are replaced), a flag that cannot apply to the profile is a usage
error, and nothing is silently ignored; another profile's problems are one line of notice."""

from __future__ import annotations

import pytest

from logview.demo import DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_EMPTY_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY

from test_export import jsonl, logview

KEYS = {"FREDDY_API_KEY": DEMO_AITRONOS_KEY, "SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY}


@pytest.fixture
def config(server, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f"""default = "prod"
[profiles.prod]
source = "aitronos"
org = "{DEMO_ORG}"
base_url = "{server.url}"
[profiles.builder]
source = "supermetrics"
team = 1
connector = "{DEMO_CONNECTOR}"
base_url = "{server.url}"
[profiles.nowhere]
source = "aitronos"
org = "{DEMO_ORG}"
base_url = "http://127.0.0.1:9"
""")
    return {"LOGVIEW_CONFIG": str(path), **KEYS}


def test_a_connector_flag_reads_that_connector_of_the_profile(config, server):
    empty = logview("export", "--profile", "builder", "--connector", DEMO_EMPTY_CONNECTOR, "-v", env=config)
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout == b"" and f"/connectors/{DEMO_EMPTY_CONNECTOR}/logs" in empty.stderr.decode()
    counted = logview("sql", "--profile", "builder", "--connector", DEMO_EMPTY_CONNECTOR, "--sync",
                      "SELECT count(*) FROM logs", "--format", "csv", env=config)
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.decode().splitlines() == ["count(*)", "0"]


def test_a_base_url_flag_replaces_the_profiles(config, server):
    moved = logview("export", "--profile", "nowhere", "--base-url", server.url, "--since", "1h", env=config)
    assert moved.returncode == 0, moved.stderr
    assert jsonl(moved.stdout) == [e for e in server.state.aitronos_logs if e["id"] in
                                   {x["id"] for x in jsonl(moved.stdout)}]


def test_an_org_flag_replaces_the_default_profiles(config, server):
    other = logview("export", "--org", "org_someone_else", env=config)
    assert other.returncode == 3  # that org is not the key's: the server says so, not the default org's logs
    assert "organization_id" in other.stderr.decode() or "PERMISSION" in other.stderr.decode()


@pytest.mark.parametrize("argv, message", [
    (["--profile", "builder", "--source", "aitronos"], "--source aitronos: profile 'builder' reads supermetrics"),
    (["--profile", "prod", "--team", "1"], "--team applies to supermetrics only: profile 'prod' reads aitronos"),
    (["--profile", "builder", "--org", "o"], "--org applies to aitronos only: profile 'builder' reads supermetrics"),
    (["--team", "1", "--connector", "X"], "--team and --connector apply to supermetrics only: profile 'prod' "
                                          "reads aitronos (the config's default; with --source supermetrics"),
    (["--profile", "builder", "--team", "abc"], "--team must be a Supermetrics team id, a whole number (not 'abc')"),
])
@pytest.mark.parametrize("command", [["export"], ["sql", "SELECT 1"], []])
def test_a_flag_that_cannot_apply_to_the_profile_is_refused(config, argv, message, command):
    if command[:1] == ["sql"] and "--profile" not in argv:  # (sql reads every source when none is named)
        message = "logview sql: --team and --connector also need --source"
    result = logview(*command, *argv, env=config, timeout=30)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr.decode()
    assert result.stdout == b""


def test_a_team_that_is_not_a_number_is_said_plainly(server):
    result = logview("export", "--source", "supermetrics", "--team", "abc", "--connector", "X", env=KEYS)
    assert result.returncode == 2
    assert result.stderr.decode() == "logview: --team must be a Supermetrics team id, a whole number (not 'abc')\n"


def test_a_flag_supplies_what_the_profile_lacks(server, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.half]\nsource = "supermetrics"\nteam = "one"\nbase_url = "{server.url}"\n')
    result = logview("export", "--profile", "half", "--team", "1", "--connector", DEMO_CONNECTOR, "--since", "1h",
                     env={"LOGVIEW_CONFIG": str(path), **KEYS})
    assert result.returncode == 0, result.stderr
    assert "team" not in result.stderr.decode() and "connector" not in result.stderr.decode()


def test_another_profiles_problems_are_one_line_of_notice(server, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.good]\nsource = "aitronos"\norg = "{DEMO_ORG}"\nbase_url = "{server.url}"\n'
                    '[profiles.bad]\nsource = "aitronos"\norgg = "typo"\n')
    result = logview("export", "--profile", "good", "--max-entries", "3", env={"LOGVIEW_CONFIG": str(path), **KEYS})
    assert result.returncode == 0, result.stderr
    assert len(jsonl(result.stdout)) == 3
    assert result.stderr.decode().splitlines()[0] == (f"logview: {path} has problems in other profiles "
                                                       "(`logview config` lists them)")


@pytest.mark.parametrize("argv, message", [
    (("--base-url", "http://u:pw@127.0.0.1:9"), "--base-url: a user or password in the URL (user:…@host) is refused"),
    (("--base-url", "ftp://127.0.0.1:9"), "--base-url: not an http(s) URL: 'ftp://127.0.0.1:9'"),
    (("--base-url", "http://[::1"), "--base-url: not a URL: 'http://[::1' (Invalid IPv6 URL)"),
    (("--base-url", "http://u:hunter2@[::1"), "--base-url: not a URL (Invalid IPv6 URL)"),
    (("--since", "5x"), "--since: not a time: '5x' ("),
    (("--until", "5x"), "--until: not a time: '5x' ("),
    (("--since", "99999999d"), "--since: out of range: '99999999d' ("),
    (("--status", "nope"), "--status: unknown Aitronos status 'nope'"),
], ids=["user-in-url", "ftp", "ipv6-unclosed", "ipv6-unclosed-password", "since", "until", "far-since", "status"])
@pytest.mark.parametrize("command", [("export",), ()], ids=["export", "viewer"])
def test_a_bad_flag_beside_a_profile_is_blamed_on_the_flag(config, command, argv, message):
    """Found in a walk (s18 W3): `--base-url http://u:pw@…` beside --profile was blamed on the
    config file and the profile ("config.toml: profile 'prod': base_url: …"), `--since 5x` on the
    profile's filters, where the user found nothing wrong."""
    result = logview(*command, "--profile", "prod", *argv, env=config)
    assert result.returncode == 2, result.stderr
    said = result.stderr.decode()
    assert said.startswith(f"logview: {message}"), said
    assert "config.toml" not in said and "profile" not in said and said.count("\n") == 1, said
    assert "hunter2" not in said


@pytest.mark.parametrize("command", [("sql", "SELECT count(*) FROM logs"), ("archive", "prune", "--max-entries", "9")],
                         ids=["sql", "archive-prune"])
def test_a_profile_without_a_connector_is_said_as_export_says_it(tmp_path, command):
    """Found in a walk (s28 #4): `logview sql --profile small` of a Supermetrics profile without a
    connector said "--source supermetrics needs --team TEAM_ID and --connector CONNECTOR_ID", flags
    the user never typed, where export names the profile and its missing `connector`."""
    path = tmp_path / "config.toml"
    path.write_text('[profiles.small]\nsource = "supermetrics"\nteam = 1\nbase_url = "http://127.0.0.1:9"\n')
    named = " ".join(command[:2]) if command[0] == "archive" else "sql"
    result = logview(*command, "--profile", "small", env={"LOGVIEW_CONFIG": str(path)})
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode() == (
        f"logview {command[0]}: {path}: profile 'small': connector: missing: {named} needs connector = "
        "\"CONNECTOR_ID\" (or --connector CONNECTOR_ID: the archive keeps each connector's entries apart)\n")
    given = logview(*command, "--profile", "small", "--connector", "T3S70", env={"LOGVIEW_CONFIG": str(path)})
    assert b"no archive yet" in given.stderr and b"connector" not in given.stderr  # (the flag supplies it)


def test_export_says_why_it_needs_the_connector(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles.small]\nsource = "supermetrics"\nteam = 1\nbase_url = "http://127.0.0.1:9"\n')
    result = logview("export", "--profile", "small", env={"LOGVIEW_CONFIG": str(path), **KEYS})
    assert result.returncode == 2 and result.stderr.decode() == (
        f"logview: {path}: profile 'small': connector: missing: export needs connector = \"CONNECTOR_ID\" "
        "(only the viewer offers the team's connectors to pick from)\n")


def test_a_profile_whose_ids_are_wrong_is_said_by_its_keys(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[profiles.half]\nsource = "supermetrics"\nteam = "one"\nbase_url = "ftp://x"\n')
    result = logview("sql", "--profile", "half", "SELECT 1", env={"LOGVIEW_CONFIG": str(path)})
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        f"logview sql: {path} has 3 problems with profile 'half':", "  profile 'half': team: must be an integer",
        "  profile 'half': base_url: not an http(s) URL: 'ftp://x'",
        "  profile 'half': connector: missing: sql needs connector = \"CONNECTOR_ID\" (or --connector CONNECTOR_ID: "
        "the archive keeps each connector's entries apart)"]


@pytest.mark.parametrize("command", [("sql", "SELECT 1"), ("archive", "clear")], ids=["sql", "archive-clear"])
def test_a_profile_that_cannot_be_read_is_said_as_export_says_it(tmp_path, command):
    """Found in a walk: `sql --profile p` of a profile whose source is misspelt said "no usable profile 'p'
    in … (profiles: p; …)", naming it among the profiles it could not use, and of a LOGVIEW_CONFIG naming no
    file "(profiles: none …)", where export says what is wrong: the profile's problems, the missing file."""
    path = tmp_path / "config.toml"
    path.write_text('[profiles.p]\nsource = "aitronoss"\norg = "org_1"\n')
    named = "logview archive" if command[0] == "archive" else "logview sql"
    result = logview(*command, "--profile", "p", env={"LOGVIEW_CONFIG": str(path)})
    assert (result.returncode, result.stderr.decode()) == (
        2, f"{named}: {path}: profile 'p': source: must be 'aitronos' or 'supermetrics'\n")
    assert logview(*command, "--profile", "q", env={"LOGVIEW_CONFIG": str(path)}).stderr.decode() == (
        f"{named}: no profile 'q' in {path} (profiles: p)\n")
    missing = tmp_path / "nowhere" / "config.toml"
    assert logview(*command, "--profile", "p", env={"LOGVIEW_CONFIG": str(missing)}).stderr.decode() == (
        f"{named}: no profile 'p': no config file at {missing} (LOGVIEW_CONFIG names it; its folder does not exist)\n")
