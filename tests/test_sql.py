"""`logview sql` in a process of its own: the `logs` view, the three output formats, strictly
read-only, one clean line for bad SQL, and the README's three examples giving the right numbers."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import orjson
import pytest

from logview.archive import Archive, default_archive_path
from logview.archive.location import archive_files
from logview.cli import main
from logview.sanitize import is_clean

from archive_support import DAY_US, aitronos_entries, aitronos_identity, supermetrics_entries, supermetrics_identity
import cli_runner

README = Path(__file__).parent.parent / "README.md"
AITRONOS_ARGS = ("--source", "aitronos", "--org", "org_archive", "--base-url", "http://127.0.0.1:9")
SUPERMETRICS_ARGS = ("--source", "supermetrics", "--team", "42", "--connector", "T3S70",
                     "--base-url", "http://127.0.0.1:9")


def logview(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.endswith("_API_KEY")}
    return cli_runner.run([sys.executable, "-m", "logview", *args], capture_output=True, text=True, timeout=60,
                          input=stdin, env={**env, "LOGVIEW_CONFIG": "/nonexistent/config.toml"})


def in_process(capsys, *args: str) -> subprocess.CompletedProcess:
    """The same, run in this process (many cases; the subprocess tests hold the real thing)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> tuple[list, list]:
    """One archive for the module (its own data folder): Aitronos entries over the last two days,
    Supermetrics over the last week."""
    folder = tmp_path_factory.mktemp("sql-data")
    now_us = int(time.time() * 1e6)
    aitronos = aitronos_entries(600, seed=3, span_us=2 * DAY_US, now_us=now_us)
    supermetrics = supermetrics_entries(900, seed=4, now_us=now_us)
    with Archive.open(folder / "logview" / "archive.sqlite3") as archive:
        archive.source(aitronos_identity()).store(aitronos)
        archive.source(supermetrics_identity()).store(supermetrics)
    return folder, aitronos, supermetrics


@pytest.fixture(autouse=True)
def use_archive(archived, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(archived[0]))


def fingerprint() -> str:
    digest = hashlib.sha256()
    for file in archive_files(default_archive_path()):
        if file.exists() and not file.name.endswith("-shm"):  # (-shm is shared memory: readers touch it)
            digest.update(file.read_bytes())
    return digest.hexdigest()


def test_a_table_for_a_person_csv_and_jsonl_for_scripts(archived):
    _, aitronos, supermetrics = archived
    query = "SELECT time, api, status, status_code, tool, raw FROM logs ORDER BY time_us DESC LIMIT 5"
    table = logview("sql", query)
    assert table.returncode == 0, table.stderr
    header, rule, *rows = table.stdout.splitlines()
    assert header.split() == ["time", "api", "status", "status_code", "tool", "raw"]
    assert set(rule.replace(" ", "")) == {"-"} and len(rows) == 5 and table.stderr.strip() == "(5 rows)"
    assert all(len(row) <= len(rule) + 1 and "…" in row for row in rows)  # `raw` cut to fit

    newest = max(aitronos + supermetrics, key=lambda e: e.time)
    rows = list(csv.reader(io.StringIO(logview("sql", "--format", "csv", query).stdout)))
    assert rows[0] == ["time", "api", "status", "status_code", "tool", "raw"] and len(rows) == 6
    assert orjson.loads(rows[1][5]) == newest.raw and rows[1][0].endswith("Z")

    lines = logview("sql", "--format", "jsonl", *SUPERMETRICS_ARGS,
                    "SELECT id, status_code, duration_ms, time_us FROM logs").stdout.splitlines()
    records = [orjson.loads(line) for line in lines]
    assert {r["id"] for r in records} == {e.id for e in supermetrics}  # the source's entries only
    assert all(r["status_code"] is None or isinstance(r["status_code"], int) for r in records)


def test_with_source_options_logs_holds_that_source_only(archived, capsys, monkeypatch):
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    _, aitronos, supermetrics = archived
    logview = functools.partial(in_process, capsys)
    both = logview("sql", "--format", "csv", "SELECT api, scope, count(*) FROM logs GROUP BY api ORDER BY api")
    assert both.stdout.splitlines()[1:] == [f"aitronos,org_archive,{len(aitronos)}",
                                            f"supermetrics,42/T3S70,{len(supermetrics)}"]
    one = logview("sql", "--format", "csv", *AITRONOS_ARGS, "SELECT count(*), min(api), max(api) FROM logs")
    assert one.stdout.splitlines()[1] == f"{len(aitronos)},aitronos,aitronos"
    unknown = logview("sql", "--source", "aitronos", "--org", "org_never", "SELECT count(*) FROM logs")
    assert unknown.returncode == 0 and "nothing archived yet for aitronos" in unknown.stderr
    assert unknown.stdout.split()[-1] == "0"


def test_a_source_archived_from_another_base_url_is_said_where(archived, capsys, monkeypatch):
    """Found in a walk: flags naming a source a profile's base_url had fetched, the base URL left out (the
    API's default), read "nothing archived yet" without a word of the archive holding those ids from there."""
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    said = in_process(capsys, "sql", "--source", "supermetrics", "--team", "42", "--connector", "T3S70",
                      "SELECT count(*) FROM logs")
    assert (said.returncode, said.stdout.split()[-1]) == (0, "0")
    assert said.stderr == ("logview sql: nothing archived yet for supermetrics https://api.supermetrics.com 42/T3S70 "
                           "(it holds 42/T3S70 from http://127.0.0.1:9: --base-url http://127.0.0.1:9 names it)\n(1 row)\n")
    other = in_process(capsys, "sql", "--source", "aitronos", "--org", "org_archive", "--connector", "T3S70", "SELECT 1")
    assert (other.returncode, other.stderr) == (2, "logview sql: --connector applies to supermetrics only, not to "
                                                   "--source aitronos\n")  # (it was left unread: found in a walk)
    pruned = in_process(capsys, "archive", "prune", "--max-entries", "5", "--source", "aitronos", "--org", "org_archive")
    assert pruned.stderr == ("nothing archived yet for aitronos https://api.aitronos.com org_archive: nothing to prune "
                             "(it holds org_archive from http://127.0.0.1:9: --base-url http://127.0.0.1:9 names it)\n")


@pytest.mark.parametrize("statement", [
    "DELETE FROM entries", "UPDATE entries SET status = 'x'", "INSERT INTO sources (api, base_url, scope) "
    "VALUES ('a', 'b', 'c')", "DROP TABLE entries", "CREATE TABLE mine (x)", "ATTACH DATABASE 'x.db' AS x",
    "PRAGMA query_only = 0", "PRAGMA user_version = 7", "VACUUM", "BEGIN",
    "WITH gone AS (SELECT 1) DELETE FROM entries", "PRAGMA journal_mode = DELETE", "PRAGMA wal_checkpoint",
    "PRAGMA incremental_vacuum", "PRAGMA writable_schema = 1",
    "DELETE FROM logs", "UPDATE logs SET status = 'x'", "INSERT INTO logs (id) VALUES ('x')",  # (the view)
    "SELECT load_extension('/tmp/x')",  # (said 'not authorized' alone)
])
def test_a_statement_that_would_write_is_refused_and_the_archive_unchanged(statement, capsys, monkeypatch):
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    before, count = fingerprint(), Archive.open(readonly=True).source(aitronos_identity()).count()
    result = logview("sql", statement) if statement.startswith("DELETE") else in_process(capsys, "sql", statement)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("logview sql: refused") and result.stderr.count("\n") == 1
    if statement.startswith("PRAGMA"):  # (not "only SELECT": the pragmas that read are answered, s24 walk #11)
        name = statement.split()[1]
        assert f"refused: PRAGMA {name} acts on the archive" in result.stderr and "pragmas that read" in result.stderr
    assert fingerprint() == before
    assert Archive.open(readonly=True).source(aitronos_identity()).count() == count


@pytest.mark.parametrize("statement, header, first", [
    ("PRAGMA user_version", ["user_version"], None), ("PRAGMA journal_mode", ["journal_mode"], ["wal"]),
    ("SELECT name FROM pragma_table_info('logs') WHERE name = 'status'", ["name"], ["status"]),
    ("PRAGMA table_info(logs)", ["cid", "name", "type", "notnull", "dflt_value", "pk"], None),
    ("PRAGMA foreign_keys", ["foreign_keys"], None), ("PRAGMA synchronous", ["synchronous"], None),  # (s25 walk #9)
    ("PRAGMA quick_check(1)", ["quick_check"], ["ok"]), ("PRAGMA integrity_check(3)", ["integrity_check"], ["ok"]),
    ("PRAGMA main.quick_check", ["quick_check"], ["ok"]),  # (s26 walk #6: the limit was refused as a value set)
])
def test_a_pragma_that_only_tells_is_answered(statement, header, first, archived, capsys, monkeypatch):
    """The README refuses only a PRAGMA that sets something (these were refused, one as `UPDATE`)."""
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    before = fingerprint()
    result = in_process(capsys, "sql", "--format", "csv", statement)
    assert result.returncode == 0, result.stderr
    rows = [line.split(",") for line in result.stdout.splitlines()]
    assert rows[0] == header and len(rows) >= 2 and (first is None or rows[1] == first), rows
    assert fingerprint() == before


def test_a_float_reads_alike_in_the_table_csv_and_jsonl(archived, capsys, monkeypatch):
    """The table wrote 2**63 as `9223372036854775808.` (six places, zeros cut) and CSV `9.223372036854776e+18`."""
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    query = "SELECT 9223372036854775807 + 1 AS big, 0.1 + 0.2 AS sum, 1e-9 AS tiny, 1310.0 AS whole, 1e999 AS inf"
    header, rule, row = in_process(capsys, "sql", query).stdout.splitlines()
    csv_rows = list(csv.reader(io.StringIO(in_process(capsys, "sql", "--format", "csv", query).stdout)))
    jsonl = orjson.loads(in_process(capsys, "sql", "--format", "jsonl", query).stdout)
    assert header.split() == csv_rows[0] == ["big", "sum", "tiny", "whole", "inf"] and set(rule) == {"-", " "}
    assert row.split() == csv_rows[1] == ["9.223372036854776e+18", "0.30000000000000004", "1e-09", "1310.0", "inf"]
    assert [jsonl[name] for name in csv_rows[0][:4]] == [float(text) for text in csv_rows[1][:4]]


def test_durations_read_as_the_api_sent_them(tmp_path, monkeypatch):
    """Found in a walk (s28 #7): `duration_ms` read `997.0`, a REAL, where the APIs send integers;
    a fraction Aitronos sends stays one."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    raws = [{**entry.raw, "duration_ms": ms} for entry, ms in zip(aitronos_entries(4), [997, 12.5, None, 0])]
    from archive_support import AITRONOS

    with Archive.open(tmp_path / "logview" / "archive.sqlite3") as archive:
        archive.source(aitronos_identity()).store([AITRONOS.entry_from_raw(raw) for raw in raws])
    query = "SELECT id, duration_ms, typeof(duration_ms) AS kind FROM logs ORDER BY time_us DESC"
    records = [orjson.loads(line) for line in logview("sql", "--format", "jsonl", query).stdout.splitlines()]
    assert [(r["id"], r["duration_ms"], r["kind"]) for r in records] == [
        (raw["id"], raw["duration_ms"], kind) for raw, kind in zip(raws, ["integer", "real", "null", "integer"])]
    assert [type(r["duration_ms"]) for r in records] == [int, float, type(None), int]
    table = logview("sql", "SELECT duration_ms FROM logs ORDER BY time_us DESC").stdout.splitlines()
    assert [line.strip() for line in table[2:]] == ["997", "12.5", "", "0"]
    assert logview("sql", "--format", "csv", "SELECT sum(duration_ms) AS total FROM logs").stdout == "total\n1009.5\n"


@pytest.mark.parametrize("statement, says", [
    ("SELEC * FROM logs", "syntax error"), ("SELECT nope FROM logs", "no such column: nope"),
    # (SQLite's own "You can only execute one statement at a time.", capitalised among logview's, s29 walk #8)
    ("SELECT 1; SELECT 2", "one statement at a time: this holds more"), ("   ", "no statement"),
    # (a comment alone read as a write refused: "the statement returns no rows: logview sql only reads", found in a walk)
    ("-- the failures by tool", "no statement given"), ("/* later */ ;", "no statement given"),
    (".schema", ".schema is a command of the sqlite3 shell, not SQL: `logview sql --help` names the columns"),
    # Python's own words quoted the value, control characters and all (found in a walk)
    ("SELECT x'ff' || char(27) || ']0;title' || char(7) AS t", "is not UTF-8"),
    ("SELEC '\x1b]0;title\x07'", "near \"SELEC\""),
    ("SELECT [\x1b[2J] FROM logs", "no such column: \\x1b[2J"),  # (SQLite quotes the name: written visible)
])
def test_bad_sql_is_one_clean_line_and_exit_2(statement, says, capsys, monkeypatch):
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    result = logview("sql", statement) if statement.startswith("SELEC ") else in_process(capsys, "sql", statement)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith("logview sql: ") and says in result.stderr and result.stderr.count("\n") == 1
    assert is_clean(result.stderr) and "title" not in result.stderr  # (inert: no value of the result echoed)


def test_json_extract_reads_the_raw_entry(archived):
    _, aitronos, _ = archived
    result = logview("sql", "--format", "jsonl", *AITRONOS_ARGS,
                     "SELECT id, json_extract(raw, '$.metadata.retries') AS retries, "
                     "json_extract(raw, '$.error.message') AS message FROM logs")
    found = {r["id"]: r for r in map(orjson.loads, result.stdout.splitlines())}
    for entry in aitronos:
        assert found[entry.id]["retries"] == entry.raw["metadata"]["retries"]
        assert found[entry.id]["message"] == ((entry.raw.get("error") or {}).get("message"))


def readme_examples() -> list[tuple[list[str], str]]:
    """The `logview sql` examples of the README: (their flags, their SQL)."""
    section = README.read_text().split("## SQL over the logs", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r'```sh\nlogview sql ([^"\n]*) "\n(.*?)"\n```', section, re.S)
    return [(flags.split(), sql) for flags, sql in found]


def run_example(number: int, source_args: tuple[str, ...]) -> list[list[str]]:
    flags, sql = readme_examples()[number]
    assert flags[0] == "--profile"
    # (the archive here is filled by the test, with no server behind it: `--sync` is
    # test_sql_sync.py's; the statement is what is run verbatim)
    flags = [flag for flag in flags[2:] if flag != "--sync"]
    result = logview("sql", *source_args, *flags, "--format", "csv", sql)
    assert result.returncode == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout)))[1:]


def test_the_readme_has_three_examples():
    assert len(readme_examples()) == 3


def test_readme_example_failure_rate_by_tool_over_the_last_24_hours(archived):
    _, aitronos, _ = archived
    since = time.time() - 86400
    runs, failed = Counter(), Counter()
    for entry in aitronos:
        if entry.time.timestamp() >= since + 2:  # (a margin for the seconds between here and the query)
            runs[entry.raw["tool"]] += 1
            failed[entry.raw["tool"]] += entry.status != "success"
    rows = run_example(0, AITRONOS_ARGS)
    shown = {tool: (int(count), float(pct)) for tool, count, pct in rows}
    assert 0 < sum(runs.values()) < len(aitronos)  # the window holds some of the entries, not all
    for tool, count in runs.items():
        assert shown[tool][0] >= count and abs(shown[tool][1] - 100 * failed[tool] / count) < 100 / count
    percentages = [pct for _, pct in shown.values()]
    assert percentages == sorted(percentages, reverse=True)


def test_readme_example_p95_duration_by_event(archived):
    _, _, supermetrics = archived
    durations = defaultdict(list)
    for entry in supermetrics:
        if entry.raw.get("duration_ms") is not None:
            durations[entry.raw["event"]].append(entry.raw["duration_ms"])
    expected = {event: sorted(values)[math.ceil(0.95 * len(values)) - 1] for event, values in durations.items()}
    rows = run_example(1, SUPERMETRICS_ARGS)
    assert {event: p95 for event, _, p95 in rows} == {event: str(ms) for event, ms in expected.items()}  # (not 1341.0)
    assert {event: int(runs) for event, runs, _ in rows} == {e: len(v) for e, v in durations.items()}


def test_readme_example_ten_newest_error_codes(archived):
    _, aitronos, _ = archived
    last_seen, times = {}, Counter()
    for entry in aitronos:
        code = (entry.raw.get("error") or {}).get("code")
        if code:
            times[code] += 1
            last_seen[code] = max(last_seen.get(code, entry.time), entry.time)
    newest = sorted(last_seen, key=last_seen.get, reverse=True)[:10]
    rows = run_example(2, AITRONOS_ARGS)
    assert [code for code, _, _ in rows] == newest
    assert all(int(count) == times[code] for code, _, count in rows)


def test_no_archive_yet_is_one_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    result = logview("sql", "SELECT 1")
    assert result.returncode == 2 and "no archive yet" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "logview").exists()  # reading created nothing


def test_results_keep_every_column_blobs_and_wide_text(archived, capsys, monkeypatch):
    """A repeated column name is kept in JSONL (`a:2`; it overwrote the first), a blob that is
    not UTF-8 is written as SQL writes it (its bytes were lost), and a table aligns wide
    characters by the columns they take on screen (CJK text broke the columns)."""
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    jsonl = in_process(capsys, "sql", "--format", "jsonl", "SELECT 1 AS a, 2 AS a, x'00ff' AS b, x'6869' AS c")
    assert orjson.loads(jsonl.stdout) == {"a": 1, "a:2": 2, "b": "x'00ff'", "c": "hi"}
    # (UTF-8 holding control characters is binary too: `zeroblob(3)` was an empty cell, found in a walk)
    binary = in_process(capsys, "sql", "--format", "csv", "SELECT zeroblob(3) AS z, x'1b5b326a' AS e, x'6109620a' AS t")
    assert binary.stdout.splitlines()[1] == "x'000000',x'1b5b326a',\"a\tb"
    table = in_process(capsys, "sql", "SELECT '東京駅' AS city, 'ab' AS x UNION ALL SELECT 'Zürich', 'cd'")
    lines = table.stdout.splitlines()
    assert lines[2] == "東京駅  ab" and lines[3] == "Zürich  cd", lines


def test_with_the_archive_off_sql_says_why_there_is_none(capsys, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text("archive = false\n")
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # (no archive there)
    result = in_process(capsys, "sql", "SELECT 1")
    assert result.returncode == 2 and "the config says `archive = false`, so logview keeps none" in result.stderr


def test_with_the_archive_off_sql_reads_what_earlier_runs_kept_and_says_so(capsys, tmp_path, monkeypatch):
    """s28 walk: `logview config` said nothing is read from it, and `sql` answered from it without a word."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    assert in_process(capsys, "sql", "SELECT 1").returncode == 2  # (no archive yet: made below)
    with Archive.open():
        pass
    assert "archive = false" not in in_process(capsys, "sql", "SELECT 1").stderr
    config = tmp_path / "config.toml"
    config.write_text("archive = false\n")
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    result = in_process(capsys, "sql", "SELECT 1 AS one")
    assert result.returncode == 0 and result.stdout.split() == ["one", "---", "1"], result.stdout
    assert (f"logview sql: the config says `archive = false`: logview keeps nothing more in {default_archive_path()}, "
            "and this is what earlier runs kept (`logview archive clear` forgets it)") in result.stderr


@pytest.mark.parametrize("given", [("--file", "x.jsonl"), ("--file", "a", "--file", "b"), ("--file=x.jsonl",),
                                   ("--fil", "x.jsonl"), ("--fi=x.jsonl",)])
def test_a_file_given_to_sql_is_said_not_to_be_its_option(tmp_path, given):
    """s19 V7: `logview sql --file X "select 1"` said "unrecognized arguments: --file select 1" (the
    path taken as the SQL, the SQL called unrecognized)."""
    result = logview("sql", *given, "select 1")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("logview sql: --file is not an option of logview sql: it queries the archive; a file "
                             "is opened with `logview --file PATH` (`logview sql --help` lists the options)\n")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize(("stop", "code", "said"), [(signal.SIGINT, 130, "interrupted"),
                                                     (signal.SIGTERM, 143, "terminated")])
def test_ctrl_c_and_sigterm_stop_a_statement_that_never_ends(stop, code, said):
    """A recursive CTE with no end ran in SQLite's C code, where no signal's handler ran: Ctrl-C and
    SIGTERM did nothing for 10 minutes (found in a walk). Now either stops it at once, in one line."""
    env = {key: value for key, value in os.environ.items() if not key.endswith("_API_KEY")}
    process = cli_runner.Popen([sys.executable, "-m", "logview", "sql",
                                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**env, "LOGVIEW_CONFIG": "/nonexistent/config.toml"})
    try:
        deadline = time.monotonic() + 30
        while cpu_seconds(process.pid) < 1.0:  # (the statement is running: it spins a core)
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        process.send_signal(stop)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == code
    assert out == b"" and err.decode() == f"logview: {said}\n"


def test_a_table_cuts_wide_and_combining_text_by_the_columns_it_takes(capsys, monkeypatch):
    """Long cells are cut to 60 columns with …, wide (CJK) characters counted two and combining marks
    none, and the next column starts at the same place on every line (ASCII cells are measured at
    once, the others a character at a time)."""
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    wide, marked, plain = "東" * 35, "e\u0301" * 70, "a" * 70
    statement = " UNION ALL ".join(f"SELECT '{text}' AS v, 'next' AS n" for text in (wide, marked, plain, "short"))
    lines = in_process(capsys, "sql", statement).stdout.splitlines()[2:]
    assert lines[0] == "東" * 29 + "…" + " " + "  next"  # 59 columns, padded to the column's 60
    assert lines[1] == "e\u0301" * 59 + "…" + "  next"
    assert lines[2] == "a" * 59 + "…" + "  next"
    assert lines[3] == "short" + " " * 55 + "  next"


@pytest.mark.parametrize("flags, says", [
    (("-v",), "-v logs the requests of --sync: without it, sql asks the API nothing"),  # (ignored: found in a walk)
    (("--sync",), "--sync needs a source to fetch from: --source … or --profile NAME"),
])
def test_a_flag_that_would_do_nothing_is_refused(flags, says, capsys, monkeypatch):
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    result = in_process(capsys, "sql", *flags, "SELECT count(*) FROM logs")
    assert (result.returncode, result.stdout) == (2, "") and result.stderr == f"logview sql: {says}\n"
