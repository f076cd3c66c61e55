"""`logview export` as a user meets it: the counts in its messages, its own help, a `--format`
that its output's name contradicts, and what a failed export leaves on disk."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time

import pytest

from logview.demo import DEMO_AITRONOS_KEY, Fault

import cli_runner
from test_cli import export_on_a_terminal
from test_export import AITRONOS_KEY, CLEAN_ENV, aitronos_args, jsonl, logview


def test_counts_in_the_messages_agree_with_their_number(fresh_server):
    state = fresh_server.state
    state.insert_aitronos(1)
    one = logview(*aitronos_args(fresh_server, "-v"), env=AITRONOS_KEY)
    assert one.returncode == 0, one.stderr
    assert one.stderr.decode().endswith("\nlogview: 1 entry in 1 page\n")
    _, _, terminal = export_on_a_terminal(fresh_server)
    assert b"1 of 1 entry, 1 page" in terminal and b"logview: 1 entry in 1 page" in terminal

    state.insert_aitronos(100)
    capped = logview(*aitronos_args(fresh_server, "-v", "--max-entries", "1"), env=AITRONOS_KEY)
    assert "logview: stopped at 1 entry (--max-entries)\n" in capped.stderr.decode()
    many = logview(*aitronos_args(fresh_server, "-v", "--no-archive"), env=AITRONOS_KEY)  # every page fetched
    assert many.stderr.decode().endswith("\nlogview: 101 entries in 2 pages\n")


def test_export_help_describes_its_own_profile_flag():
    wide = {"COLUMNS": "250"}  # argparse wraps at the terminal's width: one line per flag
    def profile_line(*command: str) -> str:
        text = logview(*command, "--help", env=wide).stdout.decode()
        return next(line for line in text.splitlines() if line.strip().startswith("--profile NAME"))

    assert "tab" not in profile_line("export") and "`logview config` lists them" in profile_line("export")
    assert "one tab each" in profile_line()


def test_an_explicit_format_wins_over_the_output_name_with_a_warning(server, tmp_path):
    named_jsonl = tmp_path / "a.ndjson"
    result = logview(*aitronos_args(server, "-o", str(named_jsonl), "--format", "csv"), env=AITRONOS_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stderr.decode() == f"logview: writing CSV to {named_jsonl}: its name says JSONL\n"
    rows = list(csv.DictReader(io.StringIO(named_jsonl.read_text())))
    assert [row["id"] for row in rows] == [raw["id"] for raw in server.state.aitronos_logs]

    named_csv = tmp_path / "b.CSV"
    result = logview(*aitronos_args(server, "-o", str(named_csv), "--format", "jsonl"), env=AITRONOS_KEY)
    assert result.stderr.decode() == f"logview: writing JSONL to {named_csv}: its name says CSV\n"
    assert jsonl(named_csv.read_bytes()) == server.state.aitronos_logs

    for agreeing in ("c.csv", "no-extension"):  # the name agrees, or says nothing
        result = logview(*aitronos_args(server, "-o", str(tmp_path / agreeing), "--format", "csv"), env=AITRONOS_KEY)
        assert result.returncode == 0 and result.stderr == b""


def test_a_failed_export_leaves_no_file_and_an_older_file_as_it_was(server, tmp_path):
    wrong_key = {"FREDDY_API_KEY": "wrong"}
    new = tmp_path / "f.jsonl"
    result = logview(*aitronos_args(server, "-o", str(new)), env=wrong_key)
    assert result.returncode == 3 and b"HTTP 401" in result.stderr
    assert list(tmp_path.iterdir()) == []  # neither the file nor a half-written one beside it

    old = tmp_path / "old.csv"
    old.write_text("id\nlast week's\n")
    result = logview(*aitronos_args(server, "-o", str(old)), env=wrong_key)
    assert result.returncode == 3
    assert list(tmp_path.iterdir()) == [old] and old.read_text() == "id\nlast week's\n"


def test_an_export_that_matches_nothing_still_writes_its_file(server, tmp_path):
    out = tmp_path / "none.csv"
    result = logview(*aitronos_args(server, "-o", str(out), "--search", "matches-no-entry-at-all"), env=AITRONOS_KEY)
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines() == ["id,created_at,status,credential_id,connector,tool,duration_ms,error"]
    assert list(tmp_path.iterdir()) == [out]


def test_entries_written_before_a_later_page_fails_stay_in_the_output_file(fresh_server, tmp_path):
    """The first two pages are slow; once the first is in the file, the next page after them is
    refused (403): the export fails with exit 3 and the file keeps every entry written."""
    state = fresh_server.state
    state.insert_aitronos(1000)
    state.add_fault(Fault(kind="latency", delay=2.0, count=2))  # (the second page's 2 s: time to script the 403)
    out = tmp_path / "partial.jsonl"
    process = cli_runner.Popen([sys.executable, "-m", "logview", *aitronos_args(fresh_server, "-o", str(out))],
                               env={**CLEAN_ENV, "FREDDY_API_KEY": DEMO_AITRONOS_KEY}, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    state.add_fault(Fault(kind="status", status=403))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 3, stderr
    written = jsonl(out.read_bytes())
    assert 100 <= len(written) < 1000 and written == state.aitronos_logs[: len(written)]
    assert list(tmp_path.iterdir()) == [out]


def test_an_output_that_cannot_be_created_is_one_line_and_exit_2(server, tmp_path):
    out = tmp_path / "no-such-folder" / "x.jsonl"
    result = logview(*aitronos_args(server, "-o", str(out)), env=AITRONOS_KEY)
    assert result.returncode == 2
    assert result.stderr.decode() == f"logview: cannot write {out}: No such file or directory\n"


def test_a_pipe_or_a_link_given_as_output_is_written_through(server, tmp_path):
    """A named pipe (like `/dev/stdout`) is written in place, never replaced by a file; a link
    stays a link, and the file it points to receives the entries."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    process = cli_runner.Popen([sys.executable, "-m", "logview", *aitronos_args(server, "-o", str(pipe))],
                               env={**CLEAN_ENV, **AITRONOS_KEY}, stderr=subprocess.PIPE)
    with pipe.open("rb") as reader:
        received = reader.read()
    assert process.wait(timeout=60) == 0
    assert jsonl(received) == server.state.aitronos_logs and pipe.is_fifo()

    target, link = tmp_path / "target.jsonl", tmp_path / "link.jsonl"
    link.symlink_to(target)
    result = logview(*aitronos_args(server, "-o", str(link)), env=AITRONOS_KEY)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and jsonl(target.read_bytes()) == server.state.aitronos_logs


@pytest.mark.parametrize("name", ["/dev/stdout", "/proc/self/fd/1"])
def test_dev_stdout_into_a_pipe_is_written_through(server, name):
    """`-o /dev/stdout | wc -l` and `-o >(gzip > f)` were refused: "cannot write /dev/stdout: No such
    file or directory" (the link was followed to its target's name, `pipe:[N]`, and that created)."""
    result = logview(*aitronos_args(server, "-o", name), env=AITRONOS_KEY)  # (stdout: a pipe)
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == server.state.aitronos_logs


def test_a_closed_stderr_stops_the_messages_not_the_export(fresh_server, tmp_path):
    """`export -v -o f 2>&1 | head -1`: the reader of the messages goes away after one line. The
    export carries on to the end and exits 0 (it stopped after the first page before)."""
    fresh_server.state.insert_aitronos(450)
    out = tmp_path / "all.jsonl"
    result = cli_runner.head([sys.executable, "-m", "logview", *aitronos_args(fresh_server, "-v", "-o", str(out))],
                             lines=1, stderr=subprocess.STDOUT, env={**CLEAN_ENV, **AITRONOS_KEY})
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("GET /v1/personal-connectors/logs") and result.returncode == 0, lines
    assert jsonl(out.read_bytes()) == fresh_server.state.aitronos_logs  # every entry, not the first page


def test_a_reader_of_stdout_that_stops_early_leaves_the_pages_received_archived(fresh_server):
    """`export | head -1` ends the export at its first write; the pages it had received are in the
    archive all the same (as after Ctrl-C), so the next export does not fetch them again."""
    fresh_server.state.insert_aitronos(300)
    result = cli_runner.head([sys.executable, "-m", "logview", *aitronos_args(fresh_server)], lines=1,
                             env={**CLEAN_ENV, **AITRONOS_KEY})
    assert len(result.stdout.splitlines()) == 1 and b"Traceback" not in result.stderr
    from logview.archive import Archive, default_archive_path

    with Archive.open(default_archive_path(), readonly=True) as archive:
        assert sum(summary.entries for summary in archive.summaries()) >= 100  # at least the page written from


def test_output_dash_is_stdout(fresh_server, tmp_path):
    fresh_server.state.insert_aitronos(3)
    result = cli_runner.run([sys.executable, "-m", "logview", *aitronos_args(fresh_server, "-o", "-")],
                            capture_output=True, env={**CLEAN_ENV, **AITRONOS_KEY}, timeout=60, cwd=tmp_path)
    assert result.returncode == 0 and len(jsonl(result.stdout)) == 3
    assert not (tmp_path / "-").exists()
