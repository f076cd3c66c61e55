"""Flags that cannot apply, or say the same thing twice (issue 11): a filter the API cannot have is a
usage error before anything runs; a profile given twice is used once, and logview says so."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DemoServer

from ui.test_ui_terminal_bytes import read_for, read_until  # a real pseudo-terminal
import cli_runner
from test_export import AITRONOS_KEY, CLEAN_ENV, SUPERMETRICS_KEY, aitronos_args, jsonl, logview, supermetrics_args


def write_config(tmp_path, server: DemoServer, filters: str = "") -> str:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[profiles.a]
source = "aitronos"
org = "{DEMO_ORG}"
base_url = "{server.url}"
{filters}
[profiles.b]
source = "supermetrics"
team = 1
connector = "DEMO01"
base_url = "{server.url}"
""")
    return str(path)


# -- a filter the chosen API cannot have (11.16) -------------------------------------------------

@pytest.mark.parametrize(("argv", "message"), [
    (("--event", "auth.token.refresh"), "--event applies to supermetrics only"),
    (("--credential", "tcred_1"), "--credential applies to aitronos only"),
], ids=["event-on-aitronos", "credential-on-supermetrics"])
def test_export_refuses_a_filter_the_api_cannot_have(server, argv, message):
    args = aitronos_args(server, *argv) if argv[0] == "--event" else supermetrics_args(server, *argv)
    result = logview(*args, env=AITRONOS_KEY | SUPERMETRICS_KEY)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr.decode() and result.stdout == b""


def test_the_viewer_refuses_it_before_the_ui_starts(server):
    result = logview("--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url, "--event", "x",
                     env=AITRONOS_KEY, timeout=20)
    assert result.returncode == 2
    assert "logview: --event applies to supermetrics only" in result.stderr.decode()
    assert result.stdout == b""  # no screen was drawn


def test_a_profiles_default_filter_of_the_other_api_is_refused_when_used_and_flagged_by_config(server, tmp_path):
    config = write_config(tmp_path, server, '[profiles.a.filters]\nevent = "auth.token.refresh"\n')
    env = {"LOGVIEW_CONFIG": config, **AITRONOS_KEY, **SUPERMETRICS_KEY}
    for argv in (("export", "--profile", "a"), ("--profile", "a")):
        result = logview(*argv, env=env, timeout=20)
        assert result.returncode == 2
        assert "profile 'a': filters.event: applies to supermetrics only" in result.stderr.decode()
    checked = logview("config", env=env)
    assert checked.returncode == 2
    assert "profile 'a': filters.event: applies to supermetrics only" in checked.stderr.decode()


def test_the_filters_of_each_api_still_work(server):
    event = server.state.supermetrics_logs[0]["event"]
    result = logview(*supermetrics_args(server, "--event", event), env=SUPERMETRICS_KEY)
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == [e for e in server.state.supermetrics_logs if e["event"] == event]


# -- a profile given twice (11.10) -----------------------------------------------------------------

def test_distinct_profiles_keeps_the_first_order_and_notes_each_repeat():
    from logview.cli import distinct_profiles

    assert distinct_profiles(["a", "b", "a", "a"], "opening") == (
        ["a", "b"], ["profile 'a' given 3 times; opening it once"])
    assert distinct_profiles(["a", "a"], "exporting") == (["a"], ["profile 'a' given twice; exporting it once"])
    assert distinct_profiles(None, "opening") == ([], [])


def test_export_of_a_profile_given_twice_exports_it_once(server, tmp_path):
    env = {"LOGVIEW_CONFIG": write_config(tmp_path, server), **AITRONOS_KEY}
    result = logview("export", "--profile", "a", "--profile", "a", env=env)
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == server.state.aitronos_logs
    assert result.stderr.decode() == "logview: profile 'a' given twice; exporting it once\n"
    different = logview("export", "--profile", "a", "--profile", "b", "--profile", "a", env=env)
    assert different.returncode == 2 and "one --profile at a time here" in different.stderr.decode()


def test_the_viewer_opens_a_profile_given_twice_as_one_tab(server, tmp_path, monkeypatch, capsys):
    from logview import cli

    monkeypatch.setenv("LOGVIEW_CONFIG", write_config(tmp_path, server))
    monkeypatch.setenv("FREDDY_API_KEY", DEMO_AITRONOS_KEY)
    opened = []
    monkeypatch.setattr("logview.ui.app.run_viewer", lambda *options, **_: opened.extend(options) or 0)
    assert cli.main(["--profile", "a", "--profile", "a"]) == 0
    assert [o.connection.label for o in opened] == ["profile a"]
    assert capsys.readouterr().err == "logview: profile 'a' given twice; opening it once\n"
    assert opened[0].notes == ("profile 'a' given twice; opening it once",)  # (said again on its screen)


def test_the_viewer_in_a_terminal_says_so_and_shows_one_tab(server, tmp_path):
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    env = {**CLEAN_ENV, "TERM": "xterm-256color", "LOGVIEW_CONFIG": write_config(tmp_path, server),
           "FREDDY_API_KEY": DEMO_AITRONOS_KEY, "SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY}
    process = cli_runner.Popen([sys.executable, "-m", "logview", "--profile", "a", "--profile", "a"],
                               stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True)
    os.close(follower)
    try:
        output = read_until(leader, b"loaded", 30)  # the header's counts: the app is up
        assert b"logview: profile 'a' given twice; opening it once\r\n" in output, output[-2000:]
        assert b"profile a" in output and b"switch tabs" not in output  # one viewer, no tab strip
        # said again on the viewer's screen, which hides what was written before it
        output += read_until(leader, b"given twice", 5) if output.count(b"given twice") < 2 else b""
        assert output.count(b"given twice") >= 2, output[-3000:]
        read_for(leader, 1)  # let it settle, and keep reading: a terminal left full blocks the app
        os.write(leader, b"q")
        read_for(leader, 3)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)


# -- the output's name and its format (11.17) ---------------------------------------------------

def test_export_takes_its_format_from_the_name_by_the_viewers_rule(server, tmp_path):
    for name, first in (("out.txt", b"{"), ("out.log", b"{"), ("out.CSV", b"id,"), ("out", b"{")):
        result = logview(*aitronos_args(server, "--max-entries", "5", "-o", str(tmp_path / name)), env=AITRONOS_KEY)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / name).read_bytes().startswith(first), name
    refused = logview(*aitronos_args(server, "-o", str(tmp_path / "out.xlsx")), env=AITRONOS_KEY)
    assert refused.returncode == 2 and not (tmp_path / "out.xlsx").exists()
    assert refused.stderr.decode() == ("logview: cannot tell the format from '.xlsx': name the file .jsonl, .ndjson, "
                                       ".json, .log, .txt (JSONL) or .csv (CSV); or choose one with --format\n")
    chosen = logview(*aitronos_args(server, "--max-entries", "5", "--format", "csv", "-o", str(tmp_path / "out.xlsx")),
                     env=AITRONOS_KEY)
    assert chosen.returncode == 0 and (tmp_path / "out.xlsx").read_bytes().startswith(b"id,")  # --format wins


@pytest.mark.parametrize("argv, says", [
    (["export", "--event", "a", "--event", "b"], "logview export: --event given twice: it takes one value"),
    (["export", "--search", "a", "--search", "b"], "logview export: --search given twice"),
    (["--credential", "a", "--credential", "b"], "logview: --credential given twice"),
    (["--org", "a", "--org", "b"], "logview: --org given twice: it takes one value (one source a run; the viewer opens several"),
    (["export", "--source", "aitronos", "--source", "supermetrics"], "logview export: --source given twice"),
    (["sql", "select 1", "--team", "1", "--team", "2"], "logview sql: --team given twice"),
    (["archive", "prune", "--org", "a", "--org", "b"], "logview archive prune: --org given twice"),
    (["--connector", "A", "--connector", "B"], "logview: --connector given twice"),
    (["export", "--base-url", "http://127.0.0.1:1", "--base-url", "http://127.0.0.1:2"],
     "logview export: --base-url given twice"),
    (["export", "--max-entries", "abc"], "logview export: argument --max-entries: must be a whole number, not 'abc'"),
    (["archive", "prune", "--max-entries", "x"], "logview archive prune: argument --max-entries: must be a whole"),
])
def test_a_usage_error_is_one_line(argv, says):
    """A filter given twice is refused, not the first value silently dropped (`--event a --event b`
    kept b); argparse's errors are one line like logview's own, without its usage block."""
    result = logview(*argv, timeout=30)
    err = result.stderr.decode()
    assert result.returncode == 2 and err.startswith(says) and err.count("\n") == 1, err
    assert "usage:" not in err and "_positive_int" not in err


def test_a_format_for_an_extension_logview_does_not_write_is_warned(server, tmp_path):
    out = tmp_path / "report.xlsx"
    result = logview(*aitronos_args(server, "--since", "1h", "--format", "csv", "-o", str(out)), env=AITRONOS_KEY)
    assert result.returncode == 0
    assert f"logview: writing CSV to {out}: logview writes no .xlsx files" in result.stderr.decode()
    assert out.read_text().startswith("id,")


@pytest.mark.parametrize("command", [(), ("export",)], ids=["viewer", "export"])
def test_file_given_twice_is_a_usage_error_naming_it(tmp_path, command):
    """s19 #9: the viewer opened the second file only, with no tab and no word about the first."""
    paths = []
    for name in ("first.jsonl", "second.jsonl"):
        paths.append(tmp_path / name)
        paths[-1].write_text('{"id": "a", "log_time": "2025-11-15T10:00:00Z", "status": 200}\n')
    result = logview(*command, "--file", str(paths[0]), "--file", str(paths[1]), timeout=20)
    assert (result.returncode, result.stdout) == (2, b"")
    prog = " ".join(("logview", *command))
    assert result.stderr.decode() == (f"{prog}: --file given twice: it takes one file (run logview again for "
                                      f"another) (`{prog} --help` lists the options)\n")


@pytest.mark.parametrize("argv", [("export", "--file", ""), ("export", "--demo", "-o", ""), ("--file", "")],
                         ids=["export-file", "export-output", "viewer-file"])
def test_an_empty_file_name_is_refused_as_such(argv):
    """`-o ""` (an unset variable) said 'cannot write .: Is a directory', `--file ""` '. is a
    folder, not a file': the empty name became the current folder (s21 CLI walk)."""
    result = logview(*argv, timeout=20)
    assert result.returncode == 2 and result.stdout == b""
    assert "an empty name names no file" in result.stderr.decode()
    assert "Is a directory" not in result.stderr.decode() and "folder" not in result.stderr.decode()


@pytest.mark.parametrize(("flag", "names"), [
    ("--since", "no time: give a time (2h, 2025-11-15)"), ("--until", "no time: give a time (2h, 2025-11-15)"),
    ("--event", "no event: give its name"), ("--search", "no text: give the text to find"),
    ("--credential", "no credential: give its id (tcred_...)"), ("--base-url", "no URL: give the API's (https://...)"),
])
def test_an_empty_filter_is_refused_not_read_as_no_filter(server, flag, names):
    """`--since "$SINCE"`, the variable unset, exported every entry with exit 0 and no word, as if the
    flag were left out (found in a walk); a source's `--base-url ""` read the API's own."""
    if flag == "--base-url":
        args = ("export", "--source", "aitronos", "--org", DEMO_ORG)
    else:
        args = aitronos_args(server) if flag == "--credential" else supermetrics_args(server)
    result = logview(*args, flag, "", env=AITRONOS_KEY | SUPERMETRICS_KEY)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode() == (f'logview export: {flag} "" names {names} or leave the flag out '
                                      "(`logview export --help` lists the options)\n")


@pytest.mark.parametrize("argv", [("--since", " "), ("--until=",)], ids=["blank", "equals"])
def test_the_viewer_refuses_a_blank_time_too(server, argv):
    result = logview("--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url, *argv,
                     env=AITRONOS_KEY, timeout=20)
    assert (result.returncode, result.stdout) == (2, b"")  # no screen drawn
    assert f'{argv[0].rstrip("=")} "{argv[1] if len(argv) > 1 else ""}" names no time' in result.stderr.decode()


def test_an_empty_since_beside_a_profile_is_refused_not_the_profiles_taken(server, tmp_path):
    config = write_config(tmp_path, server, '[profiles.a.filters]\nsince = "3d"\n')
    result = logview("export", "--profile", "a", "--since", "", env={"LOGVIEW_CONFIG": config, **AITRONOS_KEY})
    assert (result.returncode, result.stdout) == (2, b"")
    assert '--since "" names no time' in result.stderr.decode()


def test_sql_refuses_an_empty_source_id():
    result = logview("sql", "--source", "aitronos", "--org", "", "SELECT 1", timeout=20)
    assert (result.returncode, result.stdout) == (2, b"")
    assert '--org "" names no organization: give its id' in result.stderr.decode()
