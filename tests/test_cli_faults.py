"""What a walk over broken servers and every flag from a shell found (s17): a value past what the
command can use is one line and exit 2, a failed write one line and exit 4, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from test_export import AITRONOS_KEY, CLEAN_ENV, aitronos_args, logview
import cli_runner


# -- times past the calendar (C1) -------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ("--since", "99999999d"), ("--until", "9999-12-31"), ("--since", "0001-01-01"),
], ids=["far-span", "last-day", "first-day"])
def test_a_time_past_the_calendar_is_a_usage_error(server, argv):
    result = logview(*aitronos_args(server, *argv), env=AITRONOS_KEY)
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode() == (f"logview: {argv[0]}: out of range: {argv[1]!r} "
                                      "(times run from the year 1 to the year 9999)\n")


def test_archive_prune_refuses_a_far_max_age(server, tmp_path):
    data = {"XDG_DATA_HOME": str(tmp_path)}
    assert logview(*aitronos_args(server, "--max-entries", "3"), env=AITRONOS_KEY | data).returncode == 0
    result = logview("archive", "prune", "--max-age", "99999999d", env=data)
    assert result.returncode == 2 and b"out of range: '99999999d'" in result.stderr
    assert b"Traceback" not in result.stderr


def test_config_lists_a_far_profile_time_as_a_problem(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[profiles.p]\nsource = "aitronos"\norg = "o"\n[profiles.p.filters]\nsince = "99999999d"\n')
    result = logview("config", env={"LOGVIEW_CONFIG": str(config)})
    assert result.returncode == 2 and b"out of range" in result.stdout + result.stderr
    assert b"Traceback" not in result.stderr


# -- a full disk (C2) -------------------------------------------------------------------------

def logview_into_full_disk(*args: str, env: dict) -> subprocess.CompletedProcess:
    """`logview … > /dev/full`: every write to stdout fails with ENOSPC, as on a full disk."""
    with open("/dev/full", "wb") as full:
        return cli_runner.run([sys.executable, "-m", "logview", *args], stdout=full, stderr=subprocess.PIPE,
                              timeout=60, env={**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml", **env})


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("unbuffered", ["", "1"], ids=["buffered", "unbuffered"])
def test_an_export_onto_a_full_disk_says_so_in_one_line(server, fmt, unbuffered):
    env = AITRONOS_KEY | {"PYTHONUNBUFFERED": unbuffered}
    result = logview_into_full_disk(*aitronos_args(server, "--max-entries", "5", "--format", fmt), env=env)
    assert (result.returncode, result.stderr) == (2, b"logview: cannot write to stdout: No space left on device\n")
    result = logview(*aitronos_args(server, "--max-entries", "5", "--format", fmt, "-o", "/dev/full"), env=env)
    assert (result.returncode, result.stderr) == (2, b"logview: cannot write /dev/full: No space left on device\n")


@pytest.mark.parametrize("command", [
    ("sql", "select * from logs"), ("sql", "--format", "csv", "select * from logs"),
    ("sql", "--format", "jsonl", "select 1"), ("archive", "list"), ("archive", "path"), ("config",),
], ids=["sql-table", "sql-csv", "sql-jsonl", "archive-list", "archive-path", "config"])
def test_the_other_commands_onto_a_full_disk_say_so_in_one_line(server, tmp_path, command):
    data = {"XDG_DATA_HOME": str(tmp_path)}
    assert logview(*aitronos_args(server, "--max-entries", "300"), env=AITRONOS_KEY | data).returncode == 0
    result = logview_into_full_disk(*command, env=data)
    assert (result.returncode, result.stderr) == (2, b"logview: cannot write to stdout: No space left on device\n")


# -- a base URL that cannot be used, or holds a credential (C3, M5) ------------------------------

@pytest.mark.parametrize("command", [
    ("export", "--source", "aitronos", "--org", "o"),
    ("sql", "--source", "aitronos", "--org", "o", "--sync", "select 1"),
    ("--source", "aitronos", "--org", "o"),  # the viewer: refused before a screen is drawn
], ids=["export", "sql-sync", "viewer"])
@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://127.0.0.1:0"])
def test_a_port_past_65535_is_refused_up_front(tmp_path, command, url):
    result = logview(*command, "--base-url", url, env=AITRONOS_KEY | {"XDG_DATA_HOME": str(tmp_path)}, timeout=30)
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode().endswith(f"not a port in {url!r}: ports run from 1 to 65535\n")


PASSWORD = "ZZPASSWORD-4d3c2b1a"


@pytest.mark.parametrize("command", [
    ("export", "--source", "aitronos", "--org", "o"),
    ("sql", "--source", "aitronos", "--org", "o", "--sync", "select 1"),
    ("sql", "--source", "aitronos", "--org", "o", "select 1"),
    ("archive", "prune", "--source", "aitronos", "--org", "o", "--max-entries", "5"),
    ("--source", "aitronos", "--org", "o"),
], ids=["export", "sql-sync", "sql", "archive-prune", "viewer"])
@pytest.mark.parametrize("scheme", ["http", "ftp"])
def test_a_password_in_the_base_url_is_refused_and_said_nowhere(server, tmp_path, command, scheme):
    url = server.url.replace("http://", f"{scheme}://user:{PASSWORD}@")
    result = logview(*command, "--base-url", url, env=AITRONOS_KEY | {"XDG_DATA_HOME": str(tmp_path)}, timeout=30)
    assert result.returncode == 2 and result.stdout == b""
    assert "a user or password in the URL (user:…@host) is refused" in result.stderr.decode()
    assert PASSWORD.encode() not in result.stderr
    assert not any(PASSWORD.encode() in path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())


@pytest.mark.parametrize("command", [
    ("export", "--source", "aitronos", "--org", "o"),
    ("sql", "--source", "aitronos", "--org", "o", "--sync", "select 1"),
    ("--source", "aitronos", "--org", "o"),
], ids=["export", "sql-sync", "viewer"])
@pytest.mark.parametrize("tail", [f"/?token={PASSWORD}", f"/#{PASSWORD}", "?", "/v1#"],
                         ids=["query", "fragment", "bare-query", "bare-fragment"])
def test_a_query_or_fragment_in_the_base_url_is_refused_and_said_nowhere(server, tmp_path, command, tail):
    """A query would be cut into every request's path and kept as part of the archive's source."""
    result = logview(*command, "--base-url", server.url + tail, env=AITRONOS_KEY | {"XDG_DATA_HOME": str(tmp_path)},
                     timeout=30)
    assert result.returncode == 2 and result.stdout == b""
    assert "a query or fragment in the URL (…?… or …#…) is refused" in result.stderr.decode()
    assert PASSWORD.encode() not in result.stderr
    assert not any(PASSWORD.encode() in path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())


@pytest.mark.parametrize(("url", "message"), [
    (f"https://u:{PASSWORD}@x.test", b"profile 'p': base_url: a user or password in the URL"),
    (f"https://x.test/?k={PASSWORD}", b"profile 'p': base_url: a query or fragment in the URL"),
], ids=["password", "query"])
def test_config_lists_a_credential_in_a_profiles_base_url_without_it(tmp_path, url, message):
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.p]\nsource = "aitronos"\norg = "o"\nbase_url = "{url}"\n')
    env = {"LOGVIEW_CONFIG": str(config), "FREDDY_API_KEY": "k", "XDG_DATA_HOME": str(tmp_path)}
    for command in (("config",), ("export", "--profile", "p")):
        result = logview(*command, env=env)
        assert result.returncode == 2 and message in result.stderr
        assert PASSWORD.encode() not in result.stdout + result.stderr


# -- numbers a flag cannot use (M3) --------------------------------------------------------------

@pytest.mark.parametrize(("argv", "message"), [
    (("--interval", "inf"), "--interval: must be more than 0 and at most 86,400 (a day)"),
    (("--interval", "1e9"), "--interval: must be more than 0 and at most 86,400 (a day)"),
    (("--interval", "abc"), "--interval: must be a number of seconds, not 'abc'"),
    (("demo-server", "--rate", "abc"), "--rate: must be a number, not 'abc'"),
    (("demo-server", "--rate", "inf"), "--rate: must be from 0 to 100 (new entries a second"),
    (("demo-server", "--aitronos-entries", "many"), "--aitronos-entries: must be a whole number, not 'many'"),
], ids=["interval-inf", "interval-1e9", "interval-abc", "rate-abc", "rate-inf", "entries-many"])
def test_a_number_a_flag_cannot_use_is_named_without_internal_names(argv, message):
    result = logview(*argv, timeout=20)
    assert result.returncode == 2 and message in result.stderr.decode()
    assert b"_float" not in result.stderr and b"_int" not in result.stderr


def test_a_profiles_endless_interval_is_a_config_problem(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[profiles.p]\nsource = "aitronos"\norg = "o"\ninterval = inf\n')
    result = logview("config", env={"LOGVIEW_CONFIG": str(config)})
    assert result.returncode == 2 and b"profile 'p': interval:" in result.stderr


# -- flags the source chosen cannot use (M4) ----------------------------------------------------

VIEWER_AND_EXPORT = [(), ("export",)]


@pytest.mark.parametrize(("commands", "argv", "message"), [
    (VIEWER_AND_EXPORT, ("--demo", "--org", "x", "--base-url", "http://127.0.0.1:1"),
     "--org and --base-url do not apply to --demo: the demo serves its own ids from a server of its own"),
    ([()], ("--file", "{file}", "--follow", "--org", "x"),
     "--org and --follow do not apply to --file: a file is read as it is, not fetched or tailed"),
    ([()], ("--file", "{file}", "--interval", "5"), "--interval does not apply to --file"),
    ([("export",)], ("--file", "{file}", "--team", "1"), "--team does not apply to --file"),
    (VIEWER_AND_EXPORT, ("--source", "aitronos", "--org", "o", "--team", "1"),
     "--team applies to supermetrics only, not to --source aitronos"),
    (VIEWER_AND_EXPORT, ("--source", "supermetrics", "--team", "1", "--connector", "C", "--org", "o"),
     "--org applies to aitronos only, not to --source supermetrics"),
], ids=["demo-ids", "file-follow-org", "file-interval", "export-file-team", "aitronos-team", "supermetrics-org"])
def test_a_flag_the_source_cannot_use_is_refused(tmp_path, commands, argv, message):
    file = tmp_path / "small.jsonl"
    file.write_text('{"id": "a", "created_at": "2026-12-01T00:00:00Z"}\n')
    for command in commands:
        result = logview(*command, *(str(file) if arg == "{file}" else arg for arg in argv),
                         env=AITRONOS_KEY | {"SUPERMETRICS_API_KEY": "k"}, timeout=20)
        assert result.returncode == 2 and message in result.stderr.decode() and result.stdout == b"", command


@pytest.mark.parametrize(("given", "lines", "said"), [
    ("supermetrics", '{"id": "a", "created_at": "2026-12-01T00:00:00Z", "status": "success"}\n',
     "looks like an Aitronos export (its entries have created_at, not log_time): --source supermetrics would read none"),
    ("aitronos", '{"id": "a", "log_time": "2026-12-01T00:00:00Z", "status": 200}\n',
     "looks like a Supermetrics export (its entries have log_time, not created_at): --source aitronos would read none"),
])
def test_a_file_of_the_other_api_than_source_says_so(tmp_path, given, lines, said):
    """s24 walk #9: every line was shown as an invalid entry (no time, status counts all 0), and
    `export --format csv` wrote empty columns with exit 0, without a word of the other API."""
    file = tmp_path / "other.jsonl"
    file.write_text(lines * 3)
    for command in ((), ("export", "--format", "csv")):
        result = logview(*command, "--file", str(file), "--source", given, timeout=20)
        assert result.returncode == 2 and said in result.stderr.decode() and result.stdout == b"", (command, result)
        assert "open it without --source" in result.stderr.decode()
    assert logview("export", "--file", str(file), timeout=20).returncode == 0  # (told from its fields)
