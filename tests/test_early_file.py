"""A plain `logview --file PATH` begins the file's reading before the command line's parsers load
(`cli/early_file.py`): a big file's child is forked ~50 ms sooner, without argparse and the
config's modules; any other command line is parsed first, as before."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import logview
from logview.cli.early_file import plain_file_argument

THIS_LOGVIEW = {"PYTHONPATH": str(Path(logview.__file__).parents[1])}

# Runs the command line on ARGV with every file big enough for a child, and says, at the fork,
# which of the parsers' modules had loaded (then ends both processes: nothing else is wanted).
AT_THE_FORK = """
import json, os, sys
import logview.files.split_read as split_read
split_read.SPLIT_FROM_BYTES = 0
fork = os.fork
def noting_fork():
    loaded = [name for name in ("argparse", "logview.cli.parsers", "logview.cli.resolve", "logview.settings.config")
              if name in sys.modules]
    if fork() == 0:
        os._exit(0)
    print(json.dumps(loaded))
    sys.stdout.flush()
    os._exit(0)
os.fork = noting_fork
from logview.cli import main
sys.argv = ["logview", *json.loads(sys.argv[1])]
main()
"""


def loaded_at_the_fork(argv: list[str]) -> list[str] | None:
    result = subprocess.run([sys.executable, "-c", AT_THE_FORK, json.dumps(argv)], capture_output=True, text=True,
                            timeout=60, env={"PATH": "/usr/bin:/bin", **THIS_LOGVIEW})
    return json.loads(result.stdout) if result.stdout.strip() else None


@pytest.fixture
def supermetrics_file(tmp_path: Path) -> Path:
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps({"id": f"s{i}", "log_time": "2025-11-15T12:00:00Z", "status": 200}) + "\n"
                            for i in range(50)))
    return path


def test_a_plain_file_launch_forks_its_child_before_the_parsers_load(supermetrics_file: Path) -> None:
    assert loaded_at_the_fork(["--file", str(supermetrics_file)]) == []
    assert loaded_at_the_fork([f"--file={supermetrics_file}"]) == []


def test_any_other_launch_of_a_file_forks_it_once_the_arguments_are_parsed(supermetrics_file: Path) -> None:
    loaded = loaded_at_the_fork(["--file", str(supermetrics_file), "--status", "5xx"])
    assert loaded is not None and "logview.cli.parsers" in loaded and "logview.cli.resolve" in loaded


@pytest.mark.parametrize(("argv", "path"), [
    (["--file", "a.jsonl"], "a.jsonl"),
    (["--file=/tmp/a b.jsonl"], "/tmp/a b.jsonl"),
    (["--file", "-x"], None),  # (argparse's to refuse)
    (["--file="], None),
    (["--file"], None),
    (["a.jsonl"], None),
    (["--file", "a.jsonl", "--follow"], None),
    (["--follow", "--file", "a.jsonl"], None),
    (["export", "--file", "a.jsonl"], None),
    ([], None),
])
def test_only_a_file_named_and_nothing_else_is_a_plain_launch(argv: list[str], path: str | None) -> None:
    assert plain_file_argument(argv) == (None if path is None else Path(path))


def test_a_plain_launch_of_what_is_not_a_single_apis_file_is_said_as_before(tmp_path: Path, capsys) -> None:
    from logview.cli import main
    from logview.files import early

    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps({"source": "prod", "api": "supermetrics", "entry": {"id": "a"}}) + "\n")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["--file", str(tmp_path)]) == 2
    assert main(["--file", str(tmp_path / "missing.jsonl")]) == 2
    assert main(["--file", str(empty)]) == 2
    said = capsys.readouterr().err
    assert "is a folder" in said and "no such file" in said and "empty" in said
    assert early.started(mixed) is None and early.started(empty) is None
