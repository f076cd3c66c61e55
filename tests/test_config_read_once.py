"""Each command reads the config file once (s30): `sql --profile P --sync` read it three times (the
archive's settings, the archived source, the connection), `export --profile P` and `archive prune
--profile P` twice, the viewer once per tab and once more; a file saved between two reads gave one
command two configs. Counted as the operating system sees it: the command runs in a process of its
own, and an audit hook counts every opening of the file, whichever code opens it."""

from __future__ import annotations

import shutil
import sys

import pytest

from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DemoServer, DemoState

import cli_runner
from test_export import CLEAN_ENV, logview

KEYS = {"FREDDY_API_KEY": DEMO_AITRONOS_KEY, "SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY}

# `logview ARGS` whose last line on stderr counts the openings of the config file; `--viewer`: the
# viewer's launch, up to the screen (which this process has none of: run_viewer returns at once)
COUNTING = """
import atexit, os, sys
config = os.path.realpath(os.environ["LOGVIEW_CONFIG"])
opened = []

def count(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        if os.path.realpath(os.fsdecode(args[0])) == config:
            opened.append(args[0])

sys.addaudithook(count)
atexit.register(lambda: print(f"config opened {len(opened)} times", file=sys.stderr))
argv = sys.argv[1:]
if argv[0] == "--viewer":
    import logview.ui.app
    logview.ui.app.run_viewer = lambda *options, **kept: 0
    argv = argv[1:]
from logview.cli import main
sys.exit(main(argv))
"""


def config_text(url: str) -> str:
    return f"""
default = "ait"
archive_max_age = "3650d"

[profiles.ait]
source = "aitronos"
org = "{DEMO_ORG}"
base_url = "{url}"

[profiles.sm]
source = "supermetrics"
team = {DEMO_TEAM}
connector = "DEMO01"
base_url = "{url}"
"""


@pytest.fixture(scope="module")
def server():
    with DemoServer(DemoState(aitronos_entries=120, supermetrics_entries=120, live_rate=0.0, seed=3)) as running:
        yield running


@pytest.fixture(scope="module")
def archived(server, tmp_path_factory):
    """A user data folder whose archive holds both profiles' entries (what `sql` and `prune` read)."""
    home = tmp_path_factory.mktemp("archived")
    config = home / "config.toml"
    config.write_text(config_text(server.url))
    for profile in ("ait", "sm"):
        filled = logview("sql", "--profile", profile, "--sync", "SELECT 1",
                         env={**KEYS, "LOGVIEW_CONFIG": str(config), "XDG_DATA_HOME": str(home / "data")})
        assert filled.returncode == 0, filled.stderr
    return home / "data"


COMMANDS = [
    ("sql", "--profile", "ait", "--sync", "SELECT count(*) FROM logs"),
    ("sql", "--profile", "sm", "SELECT count(*) FROM logs"),
    ("sql", "SELECT count(*) FROM logs"),
    ("export", "--profile", "ait", "--max-entries", "5"),
    ("export", "--max-entries", "5"),  # (the default profile)
    ("archive", "list"),
    ("archive", "prune", "--profile", "ait"),
    ("archive", "prune"),
    ("config",),
    ("--viewer", "--profile", "ait", "--profile", "sm"),
    ("--viewer",),  # (the default profile)
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_command_reads_the_config_once(server, archived, tmp_path, args):
    config = tmp_path / "config.toml"
    config.write_text(config_text(server.url))
    shutil.copytree(archived, tmp_path / "data")  # (prune changes it)
    env = {**CLEAN_ENV, **KEYS, "LOGVIEW_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = cli_runner.run([sys.executable, "-c", COUNTING, *args], capture_output=True, timeout=120, env=env)
    said = done.stderr.decode().splitlines()
    assert done.returncode == 0, said
    assert said[-1] == "config opened 1 times", said


def test_a_config_that_is_not_toml_is_said_once_and_stops_the_command(server, tmp_path):
    """The one reading's failure is every later need's too: said once, exit 2, as before."""
    config = tmp_path / "config.toml"
    config.write_text("archive = [\n")
    env = {**CLEAN_ENV, "LOGVIEW_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path / "data")}
    done = cli_runner.run([sys.executable, "-c", COUNTING, "sql", "--profile", "ait", "--sync", "SELECT 1"],
                          capture_output=True, timeout=120, env=env)
    said = done.stderr.decode().splitlines()
    assert done.returncode == 2 and said[-1] == "config opened 1 times", said
    assert said[0].startswith(f"logview sql: {config}: not valid TOML") and len(said) == 2, said
