"""`--file` on what logview itself writes, end to end in a real process: a mixed file (the merged
tab's envelopes) exports again, filtered or as CSV; a CSV export is refused with a plain message,
with or without `--source`, by the viewer and by `logview export` alike."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from logview.demo import DemoState
from logview.files.jsonl import UnknownFileFormat, detect_kind, sample_windows
from logview.jsonutil import dump_json
from logview.model import severity
from test_export import jsonl, logview

NOW = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)
LABELS = {"aitronos": "prod", "supermetrics": "builder"}


def merged_timeline() -> list[tuple[str, dict]]:
    """Both APIs' entries newest first, as the merged tab holds them: (api, raw entry)."""
    state = DemoState(aitronos_entries=40, supermetrics_entries=120, live_rate=0.0, now=NOW, seed=3)
    rows = [("aitronos", raw) for raw in state.aitronos_logs]
    rows += [("supermetrics", raw) for raw in state.supermetrics_logs]
    return sorted(rows, key=lambda row: row[1]["created_at" if row[0] == "aitronos" else "log_time"].replace("Z", ""),
                  reverse=True)


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(b'{"source":' + dump_json(LABELS[api]) + b',"api":"' + api.encode() + b'","entry":'
                              + dump_json(raw) + b"}\n" for api, raw in merged_timeline()))
    return path


def test_export_of_a_mixed_file_gives_back_its_envelopes(mixed_file: Path) -> None:
    result = logview("export", "--file", str(mixed_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout == mixed_file.read_bytes()


def test_export_of_a_mixed_file_filters_by_severity_across_apis(mixed_file: Path) -> None:
    result = logview("export", "--file", str(mixed_file), "--status", "error")
    assert result.returncode == 0, result.stderr
    expected = [{"source": LABELS[api], "api": api, "entry": raw} for api, raw in merged_timeline()
                if severity(raw["status"]) == severity("error")]
    assert {row["api"] for row in expected} == {"aitronos", "supermetrics"}
    assert jsonl(result.stdout) == expected


def test_export_of_a_mixed_file_to_csv_has_the_source_column(mixed_file: Path) -> None:
    result = logview("export", "--file", str(mixed_file), "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.decode())))
    assert rows[0] == ["source", "id", "time", "status", "event_or_tool", "duration_ms", "error_or_request"]
    assert [(row[0], row[1]) for row in rows[1:]] == [(LABELS[api], raw["id"]) for api, raw in merged_timeline()]


def test_source_does_not_apply_to_a_mixed_file(mixed_file: Path) -> None:
    for command in ((), ("export",)):
        result = logview(*command, "--file", str(mixed_file), "--source", "aitronos", timeout=20)
        assert result.returncode == 2
        assert b"entries of both APIs" in result.stderr and b"without --source" in result.stderr


# -- a CSV export given to --file -----------------------------------------------------------------

def csv_export(tmp_path: Path, api: str) -> Path:
    """A CSV written by `logview export`, from a JSONL file of `api`'s entries."""
    state = DemoState(aitronos_entries=5, supermetrics_entries=5, live_rate=0.0, now=NOW, seed=3)
    raws = state.aitronos_logs if api == "aitronos" else state.supermetrics_logs
    source = tmp_path / f"{api}.jsonl"
    source.write_text("".join(json.dumps(raw) + "\n" for raw in raws))
    target = tmp_path / f"{api} logs.csv"
    result = logview("export", "--file", str(source), "--output", str(target))
    assert result.returncode == 0, result.stderr
    return target


@pytest.mark.parametrize("api", ["aitronos", "supermetrics"])
@pytest.mark.parametrize("command", [(), ("export",)], ids=["viewer", "export"])
@pytest.mark.parametrize("source", [None, "aitronos", "supermetrics"])
def test_a_csv_export_is_refused_in_plain_words(tmp_path: Path, api: str, command: tuple, source: str | None) -> None:
    path = csv_export(tmp_path, api)
    # (a viewer that did open would wait for a terminal: the timeout fails the test then)
    result = logview(*command, "--file", str(path), *(("--source", source) if source else ()), timeout=20)
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode() == (f"logview: {path} is a CSV export; --file reads JSONL "
                                      "(save or export with .jsonl to open it again)\n")


def test_a_merged_csv_is_refused_too(mixed_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "merged.csv"
    assert logview("export", "--file", str(mixed_file), "--output", str(target)).returncode == 0
    result = logview("export", "--file", str(target))
    assert result.returncode == 2 and b"is a CSV export; --file reads JSONL" in result.stderr


def test_a_jsonl_file_whose_first_line_is_torn_still_opens(tmp_path: Path) -> None:
    """Not every line that is not JSON is a CSV header: a torn line is an invalid entry, as before."""
    path = tmp_path / "torn.jsonl"
    path.write_text('{"id": "a", "log_ti\n{"id": "b", "log_time": "2025-11-15T10:00:00Z", "status": 200}\n')
    result = logview("export", "--file", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == path.read_bytes()  # (both lines, as they stand)


@pytest.mark.parametrize("api", ["supermetrics", "mixed"])
def test_a_file_opening_with_a_byte_order_mark_reads_whole(tmp_path: Path, mixed_file: Path, api: str) -> None:
    """Windows tools write UTF-8 with a byte order mark: its first line was read as invalid."""
    source = mixed_file if api == "mixed" else tmp_path / "plain.jsonl"
    if api != "mixed":
        source.write_bytes(b"".join(dump_json(raw) + b"\n" for kind, raw in merged_timeline() if kind == api))
    marked = tmp_path / "marked.jsonl"
    marked.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    result = logview("export", "--file", str(marked))
    assert result.returncode == 0, result.stderr
    assert result.stdout == source.read_bytes()  # every line, the first as it was without the mark



# -- a compressed or empty file given to --file (s19 #7, #8) --------------------------------------

def supermetrics_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "plain.jsonl"
    path.write_bytes(b"".join(dump_json(raw) + b"\n" for kind, raw in merged_timeline() if kind == "supermetrics"))
    return path


@pytest.mark.parametrize("command", [(), ("export",)], ids=["viewer", "export"])
@pytest.mark.parametrize("source", [None, "supermetrics"])
def test_a_gzipped_file_is_refused_saying_so(tmp_path: Path, command: tuple, source: str | None) -> None:
    """It was "cannot tell which API wrote this file"; with the --source it suggested, its bytes
    showed as rows of "invalid entry", and `export` wrote them out with exit 0."""
    packed = tmp_path / "logs.jsonl.gz"
    packed.write_bytes(gzip.compress(supermetrics_jsonl(tmp_path).read_bytes()))
    result = logview(*command, "--file", str(packed), *(("--source", source) if source else ()), timeout=20)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode() == (f"logview: {packed} is gzip-compressed: logview reads plain JSONL "
                                      f"(decompress it first: gzip -dc {packed} > {tmp_path / 'logs.jsonl'})\n")


@pytest.mark.parametrize(("compress", "tool"), [(gzip.compress, "gzip"), (bz2.compress, "bzip2"), (lzma.compress, "xz")])
def test_other_compressions_and_names_are_said_with_a_command_that_works(tmp_path: Path, compress, tool: str) -> None:
    """s19 V8: "gunzip it first" for a file not named .gz, which gunzip refuses ("unknown
    suffix"): the hint is a command that works for any name, and does what it says."""
    packed = tmp_path / "logs it's.jsonl"
    packed.write_bytes(compress(supermetrics_jsonl(tmp_path).read_bytes()))
    result = logview("export", "--file", str(packed))
    hint = f"{tool} -dc '{tmp_path}/logs it'\"'\"'s.jsonl' > '{tmp_path}/logs it'\"'\"'s.plain.jsonl'"
    assert result.returncode == 2 and result.stderr.decode() == (
        f"logview: {packed} is {tool}-compressed: logview reads plain JSONL (decompress it first: {hint})\n")
    subprocess.run(hint, shell=True, check=True)
    assert (tmp_path / "logs it's.plain.jsonl").read_bytes() == supermetrics_jsonl(tmp_path).read_bytes()


@pytest.mark.parametrize("command", [(), ("export",)], ids=["viewer", "export"])
@pytest.mark.parametrize(("content", "said"), [(b"", "is empty: it holds no entries"),
                                               (b"\n  \n\r\n", "holds only blank lines: it has no entries")])
def test_an_empty_file_is_said_to_be_empty(tmp_path: Path, command: tuple, content: bytes, said: str) -> None:
    """An export that matched nothing is an empty file: opening it said "cannot tell which API
    wrote this file … pass --source"."""
    path = tmp_path / "nomatch.jsonl"
    path.write_bytes(content)
    result = logview(*command, "--file", str(path), timeout=20)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode() == f"logview: {path} {said}\n"


def test_the_api_is_the_one_most_first_entries_are(tmp_path) -> None:
    """s25 walk #8: one Supermetrics line ahead of 200 Aitronos ones (`cat one.jsonl other.jsonl`) read the
    whole file as Supermetrics, 200 of 201 lines invalid."""
    sm = {"id": "s1", "log_time": "2025-11-15T11:59:55Z", "status": 200, "event": "data.page"}
    ait = [{"id": f"a{n}", "created_at": "2025-11-15T11:59:55Z", "status": "error"} for n in range(200)]
    path = tmp_path / "mostly-ait.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in [sm, *ait]))
    assert detect_kind(path) == "aitronos"
    path.write_text("".join(json.dumps(row) + "\n" for row in [ait[0], sm, sm]))
    assert detect_kind(path) == "supermetrics"
    path.write_text("".join(json.dumps(row) + "\n" for row in [ait[0], sm]))
    assert detect_kind(path) == "aitronos"  # (a tie: the first seen)


def test_a_file_half_of_each_api_is_read_as_the_api_most_of_its_entries_are(tmp_path) -> None:
    """s27 walk #8: 25 Supermetrics lines then 26 Aitronos ones read as Supermetrics (the first lines'
    API), the 26 shown invalid; in a big file the halves are seen all through it, not at its start."""
    sm = {"id": "s1", "log_time": "2025-11-15T11:59:55Z", "status": 200, "event": "data.page"}
    ait = {"id": "a1", "created_at": "2025-11-15T11:59:55Z", "status": "error"}
    path = tmp_path / "halfsm.jsonl"
    path.write_text(json.dumps(sm) + "\n" * 1 + (json.dumps(sm) + "\n") * 24 + (json.dumps(ait) + "\n") * 26)
    assert detect_kind(path) == "aitronos"
    lines = 40_000  # (~3 MB: past the size every line of which is counted)
    path.write_text((json.dumps(sm) + "\n") * (lines // 3) + (json.dumps(ait) + "\n") * (lines - lines // 3))
    assert path.stat().st_size > 2 * 1024 * 1024 and detect_kind(path) == "aitronos"
    path.write_text((json.dumps(ait) + "\n") * (lines // 3) + (json.dumps(sm) + "\n") * (lines - lines // 3))
    assert detect_kind(path) == "supermetrics"


@pytest.mark.parametrize("command", [(), ("export", "--format", "jsonl")], ids=["viewer", "export"])
def test_source_on_a_file_mixing_both_apis_picks_the_half_read(tmp_path, command) -> None:
    """`--source aitronos` on a file half Supermetrics was refused as reading "none of it" (s27 walk
    #8); a file wholly of the other API is still refused, and one whose single Aitronos line lies
    deep in a big Supermetrics file is read as asked."""
    sm = json.dumps({"id": "s1", "log_time": "2025-11-15T11:59:55Z", "status": 200}) + "\n"
    ait = json.dumps({"id": "a1", "created_at": "2025-11-15T11:59:55Z", "status": "error"}) + "\n"
    half, whole, deep = tmp_path / "half.jsonl", tmp_path / "whole.jsonl", tmp_path / "deep.jsonl"
    half.write_text(sm * 25 + ait * 26)
    whole.write_text(sm * 51)
    deep.write_text(sm * 30_001 + ait + sm * 30_000)
    for path, given in ((half, "aitronos"), (half, "supermetrics"), (deep, "aitronos")):
        assert detect_kind(path, given) == given
    if command:  # (the viewer's launch is the same resolving: the export shows what is read)
        result = logview(*command, "--file", str(half), "--source", "supermetrics", timeout=30)
        assert result.returncode == 0 and len(result.stdout.splitlines()) == 51
        assert result.stderr.decode() == ("logview: half.jsonl: 26 of its 51 entries are Aitronos entries: the file "
                                          "is read as Supermetrics; they were written as they are; --source aitronos "
                                          "reads them instead\n")
    refused = logview(*command, "--file", str(whole), "--source", "aitronos", timeout=30)
    assert refused.returncode == 2 and "--source aitronos would read none of it" in refused.stderr.decode()


def test_source_on_a_big_file_searches_a_sample_of_it_and_says_so(tmp_path) -> None:
    """s28 review: a big file whose sampled lines held none of --source's entries was searched whole
    for its time field before the refusal (seconds for 1 GB). Now its head and a window at each of
    the sniff's probes: an Aitronos line between two windows is not read, and the refusal says how
    much was (its words stay true: the file holds one), where a line inside a window is found."""
    sm = json.dumps({"id": "s1", "log_time": "2025-11-15T11:59:55Z", "status": 200}) + "\n"
    ait = json.dumps({"id": "a1", "created_at": "2025-11-15T11:59:55Z", "status": "error"}) + "\n"
    lines = 12 * (1 << 20) // len(sm)  # (12 MiB: the windows leave gaps between them)
    size = lines * len(sm) + len(ait)
    windows = sample_windows(size)
    (first, first_length), (second, _) = windows[1], windows[2]
    gap = first + first_length + (second - first - first_length) // 2  # (midway between two windows)
    path = tmp_path / "big.jsonl"
    for at, read in ((first // len(sm) + 1, True), (gap // len(sm), False)):  # (inside a window, in a gap)
        path.write_text(sm * at + ait + sm * (lines - at))
        if read:
            assert detect_kind(path, "aitronos") == "aitronos"
            continue
        with pytest.raises(UnknownFileFormat) as refused:
            detect_kind(path, "aitronos")
        assert str(refused.value) == (f"{path} looks like a Supermetrics export (its entries have log_time, not "
                                      "created_at, in the 5.0 MiB read of its 12 MiB): --source aitronos would read "
                                      "few of its entries, if any; open it without --source (the API is told from "
                                      "its fields)")
    assert sum(length for _, length in windows) == 5 * (1 << 20)


@pytest.fixture
def half_file(tmp_path: Path) -> Path:
    """1 Aitronos line, 25 Supermetrics, 25 Aitronos, as `cat` of two exports makes (s26 walk #2)."""
    state = DemoState(aitronos_entries=26, supermetrics_entries=25, live_rate=0.0, now=NOW, seed=3)
    ait, sm = state.aitronos_logs, state.supermetrics_logs
    path = tmp_path / "half.jsonl"
    path.write_bytes(b"".join(dump_json(raw) + b"\n" for raw in [ait[0], *sm, *ait[1:]]))
    return path


@pytest.mark.parametrize("fmt, written", [
    ("csv", "written under the Aitronos columns, mostly empty (--format jsonl keeps each line as it is)"),
    ("jsonl", "written as they are")])
def test_an_export_of_a_file_mixing_both_apis_says_how_many_lines_are_the_others(half_file, fmt, written) -> None:
    """It wrote the Supermetrics lines under the Aitronos columns (their `status` 200 under `id`'s
    neighbours), exit 0 and nothing said (s26 walk #2)."""
    result = logview("export", "--file", str(half_file), "--format", fmt)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 51 + (fmt == "csv")
    assert result.stderr.decode() == ("logview: half.jsonl: 25 of its 51 entries are Supermetrics entries: the "
                                      f"file is read as Aitronos; they were {written}; --source supermetrics reads "
                                      "them instead\n")
    errors = logview("export", "--file", str(half_file), "--format", fmt, "--status", "error")
    assert errors.returncode == 0 and b"Supermetrics" not in errors.stderr  # (none of them written)


def test_an_export_of_a_file_of_one_api_says_nothing_of_the_other(tmp_path) -> None:
    state = DemoState(aitronos_entries=0, supermetrics_entries=60, live_rate=0.0, now=NOW, seed=3)
    path = tmp_path / "sm.jsonl"
    path.write_bytes(b"".join(dump_json(raw) + b"\n" for raw in state.supermetrics_logs) + b"not json\n")
    result = logview("export", "--file", str(path), "--format", "csv")  # (the line not JSON: said as such alone)
    assert result.returncode == 0 and result.stderr.decode().splitlines() == [
        "logview: 1 line left out of the CSV, with none of its columns (not JSON objects, or nested too deep to "
        "read); --format jsonl keeps them"]
