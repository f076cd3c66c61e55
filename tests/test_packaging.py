"""The wheel is what users install: it must carry the styles, and the installed app must find them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(out), str(ROOT)], capture_output=True, text=True, timeout=300)
    if built.returncode != 0 and "hatchling" in built.stderr:
        pytest.skip("hatchling is not installed in this environment")
    assert built.returncode == 0, built.stderr
    return next(out.glob("logview-*.whl"))


def test_the_wheel_ships_every_stylesheet_and_the_console_script(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("logview/styles/")}
    assert shipped == {p.name for p in (ROOT / "styles").glob("*.tcss")} and shipped
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "logview = logview.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_an_installed_copy_finds_its_styles_inside_the_package(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import logview.ui.app as a; "
             "d = a.styles_dir(); print(d); assert sorted(p.name for p in d.glob('*.tcss'))")
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "site")], capture_output=True,
                            text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(str(tmp_path / "site" / "logview"))


def test_ci_runs_the_readme_s_test_command_with_two_workers_a_core(pytestconfig: pytest.Config) -> None:
    """CI runs the README's test command on a fresh clone: the two must not drift apart (the worker
    count changed in both at once), and its `-n auto` gives the suite two workers a core it has (the
    hook pytest-xdist asks, as it does at every such run)."""
    readme_command = next(line for line in (ROOT / "README.md").read_text().splitlines() if "-m pytest" in line)
    ci_command = next(line for line in (ROOT / ".ci" / "run").read_text().splitlines() if "-m pytest" in line)
    pytest_part = readme_command[readme_command.index(".venv/bin/python -m pytest"):]
    assert ci_command.endswith(pytest_part) and "-n auto" in pytest_part, (readme_command, ci_command)
    workers = pytestconfig.hook.pytest_xdist_auto_num_workers(config=pytestconfig)
    assert workers == min(2 * len(os.sched_getaffinity(0)), 16)
