"""Start-up (issue 14): `logview --file` paints its first rows without loading what only an API
source or a config file needs — httpx and the API client, the profile checks —, importing the
viewer builds no pydantic model, and the values and models made lazy for it behave as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import logview
from logview.model import AitronosLog, ApiError, Filters, SupermetricsLog
from logview.settings.saved_filters import SavedFilter

# Runs `logview --file PATH` headless until the first rows are in the table, then writes the
# modules loaded by then to OUT (Textual captures stdout while it runs). Textual's `App.run` is
# made headless as the command line imports it (importing it here first would import asyncio
# before the command line does).
FIRST_PAINT = """
import importlib.util, json, sys

class Headless:
    def find_spec(self, name, path=None, target=None):
        if name != "textual.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module
        def exec_module(module):
            load(module)
            App = module.App
            run = App.run
            App.run = lambda self, **kwargs: run(self, headless=True, size=(160, 48), auto_pilot=until_first_rows)
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Headless())
path, out = sys.argv[1], sys.argv[2]

async def until_first_rows(pilot):
    app = pilot.app
    for _ in range(3000):
        await pilot.pause(0.01)
        if len(app.viewer.view) > 0:
            break
    await pilot.pause(0.05)
    with open(out, "w") as file:
        json.dump({"rows": len(app.viewer.view), "modules": sorted(sys.modules)}, file)
    app.exit()

sys.argv = ["logview", "--file", path]
from logview.cli import main
sys.exit(main())
"""

# The same for an API source, ARGV (JSON) instead of `--file PATH`, the modules taken as soon as
# the rows are in the table (the backfill's first request may follow the first paint at once).
FIRST_PAINT_OF = FIRST_PAINT.replace("path, out = sys.argv[1], sys.argv[2]", "argv, out = json.loads(sys.argv[1]), sys.argv[2]") \
    .replace('sys.argv = ["logview", "--file", path]', 'sys.argv = ["logview", *argv]') \
    .replace("    await pilot.pause(0.05)\n", "")
assert FIRST_PAINT_OF.count("pause") == 1

# ... and, for each heavy module, how many rows the table held when it was first imported: the
# moment itself, not a look at the modules once the rows were seen (the backfill's first request
# may come between a paint and the next look, on a loaded machine: a CI-like run failed so)
HEAVY = ("httpx", "httpcore", "tenacity", "pydantic", "logview.api.paging", "logview.archive.sync",
         "logview.api.client", "email.utils", "html", "http")  # (the client made at its first request)
ROWS_AT_IMPORT = FIRST_PAINT_OF.replace("sys.meta_path.insert(0, Headless())", """
class RowsAtImport:
    apps, seen = [], {}
    def find_spec(self, name, path=None, target=None):
        if name in %r and name not in self.seen:
            self.seen[name] = len(self.apps[0].viewer.view) if self.apps and self.apps[0].is_running else -1
        return None

rows_at_import = RowsAtImport()
sys.meta_path.insert(0, rows_at_import)
sys.meta_path.insert(0, Headless())""" % (HEAVY,)).replace(
    "    app = pilot.app\n", "    app = pilot.app\n    rows_at_import.apps.append(app)\n").replace(
    '"modules": sorted(sys.modules)}', '"modules": sorted(sys.modules), "rows_at_import": rows_at_import.seen}')
assert ROWS_AT_IMPORT.count("rows_at_import.seen}") == 1 and "rows_at_import.apps.append" in ROWS_AT_IMPORT

# The logview these tests import, not one the interpreter may have installed (a worktree's tests
# ran the installed checkout's code in their subprocesses).
THIS_LOGVIEW = {"PYTHONPATH": str(Path(logview.__file__).parents[1])}

NOT_FOR_A_FILE = {
    "httpx": "the HTTP client (only an API source talks to a server)",
    "logview.api.client": "the API client",
    "tenacity": "the client's retries",
    "logview.settings.check": "the profile checks",
    "pydantic": "the entry models (plainly valid rows are built without them)",
    "sqlite3": "the archive (a file keeps nothing: ~4 MiB of memory and its imports)",
    "logview.archive": "the archive",
    "logview.ui.screens.column_picker": "the column picker and Textual's lists (f opens it)",
    "logview.ui.screens.name_dialog": "the dialog naming saved filters",
    "importlib.resources": "a package's resources (the styles are found beside the package)",
    "tomllib": "the config's parser (a file's launch reads no config)",
    "logview.ui.widgets.histogram": "the histogram (made when h first opens it)",
    "logview.ui.widgets.stats_panel": "the stats panel (made when i first opens it)",
    "logview.ui.widgets.detail_pane": "the detail pane (made when an entry is first opened)",
    "logview.store.analytics": "the panels' counts",
    "logview.api.paging": "the API's paging, its contract checks and prefetching",
    "ssl": "TLS (asyncio's import of it: OpenSSL, ~5 MiB resident with hashlib's)",
    "_hashlib": "OpenSSL's hashes (the kept styles' name is hashed by Python's own BLAKE2)",
}


def loaded_at_first_paint(path: Path, tmp_path: Path) -> dict:
    out = tmp_path / "modules.json"
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin",
           "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "xterm-256color", **THIS_LOGVIEW}
    subprocess.run([sys.executable, "-c", FIRST_PAINT, str(path), str(out)], env=env, timeout=120, check=True,
                   capture_output=True)
    return json.loads(out.read_text())


@pytest.mark.parametrize("line", [
    {"id": "s1", "log_time": "2025-11-15T11:59:55Z", "status": 200, "event": "data.page", "duration_ms": 42},
    {"id": "a1", "created_at": "2025-11-15T11:59:55Z", "status": "error", "credential_id": "tcred_1"},
], ids=["supermetrics", "aitronos"])
def test_a_file_paints_its_first_rows_without_the_api_client(tmp_path, line):
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps({**line, "id": f"{line['id']}-{n}"}) for n in range(50)) + "\n")
    seen = loaded_at_first_paint(path, tmp_path)
    assert seen["rows"] == 50
    loaded = {name: why for name, why in NOT_FOR_A_FILE.items() if name in seen["modules"]}
    assert not loaded, f"loaded before the first rows of a file: {loaded}"


def test_importing_the_viewer_builds_no_pydantic_model():
    """Filters, ApiError, the config's and the saved filters' models: none is built on import (the
    table's rows still build the entry models today: `Source.entry_from_raw` validates with them)."""
    code = ("import sys, logview.cli, logview.cli.resolve, logview.ui.app, logview.settings.config; "
            "print(sorted(m for m in sys.modules if m in ('pydantic.main', 'httpx', 'logview.api.client')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("given", [None, "4"])
def test_numpy_starts_no_blas_threads_unless_the_user_asks_for_them(given):
    """OpenBLAS spins up a thread per core as numpy is imported (20–50 ms of CPU at each launch);
    logview does no linear algebra, so it asks for none, unless the user's environment says."""
    code = ("import os, logview, numpy; print(os.environ['OPENBLAS_NUM_THREADS'], "
            "len(os.listdir('/proc/self/task')) if os.path.isdir('/proc/self/task') else 1)")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, env=env)
    told, threads = result.stdout.split()
    assert told == (given or "1")
    if given is None:
        assert threads == "1"


def test_the_arguments_are_parsed_before_the_heavy_imports():
    """`--help` (and a usage error) answer before the sources, pydantic, Textual or numpy load."""
    code = ("import sys\nfrom logview.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('logview.sources', 'logview.cli.resolve', 'pydantic', 'textual', 'numpy') "
            "if m in sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert "--file" in result.stdout and result.stderr.strip() == "[]"


def test_a_line_that_misfits_its_schema_still_gets_the_model_and_its_reason():
    from logview.sources import SupermetricsSource

    entry = SupermetricsSource(1, "C").entry_from_raw({"id": "x", "log_time": "never", "status": 900})
    assert entry.invalid is not None and "log_time" in entry.invalid


def test_the_models_built_on_first_use_behave_as_pydantic_models():
    log = SupermetricsLog.model_validate({"id": 7, "log_time": "2025-11-15T11:59:55Z", "status": 200, "extra": 1})
    assert isinstance(log, SupermetricsLog) and not isinstance(log, AitronosLog)
    assert log.id == "7" and log.log_time.year == 2025 and log.model_extra == {"extra": 1}
    assert type(log) is SupermetricsLog.built_model() is SupermetricsLog.built_model()  # built once
    assert "created_at" in AitronosLog.model_fields
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        AitronosLog.model_validate({"id": "a"})
    assert SavedFilter(statuses=["5xx"]) == SavedFilter(statuses=("5xx",))
    assert SavedFilter(statuses=("5xx",)).model_dump(exclude_defaults=True) == {"statuses": ("5xx",)}


def test_filters_and_api_errors_are_plain_frozen_values():
    filters = Filters(statuses=["error"], search="x")
    assert filters.statuses == ("error",) and hash(filters) == hash(Filters(statuses=("error",), search="x"))
    assert filters.model_copy(update={"search": None}) == Filters(statuses=("error",))
    assert Filters().is_empty() and not filters.is_empty()
    with pytest.raises(AttributeError):
        filters.search = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Filters(("error",))  # type: ignore[misc]  # keywords only, as pydantic's model took them
    error = ApiError(status=429, code="RATE_LIMITED", message="slow down", request_id="r1")
    assert error.summary() == "HTTP 429 RATE_LIMITED: slow down (request r1)"
    assert error.model_copy(update={"retryable": True}).retryable and not error.retryable
    assert ApiError(code="TIMEOUT", message="timed out").summary() == "TIMEOUT: timed out"


def test_an_api_client_loads_httpx_and_tenacity_at_its_first_request_not_before():
    """A relaunch paints its archived rows before any request: the client made for it costs no
    import until a request goes (~0.1 s: httpx, httpcore, tenacity)."""
    code = ("import asyncio, sys\n"
            "from logview.options import Connection\n"
            "from logview.sources import SupermetricsSource\n"
            "from logview.api.client import RetryPolicy\n"
            "from logview.model import ApiFailure\n"
            "connection = Connection(SupermetricsSource(1, 'c1', base_url='http://127.0.0.1:1'), 'key-1234', 'x')\n"
            "client = connection.client(policy=RetryPolicy(max_retries=0))\n"
            "heavy = ('httpx', 'httpcore', 'tenacity')\n"
            "print(sorted(m for m in heavy if m in sys.modules))\n"
            "try:\n    asyncio.run(client.fetch('/v1/logs', {}, bytes))\n"
            "except ApiFailure as failure:\n    print(failure.error.code)\n"
            "print(sorted(m for m in heavy if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.split("\n")[:3] == ["[]", "CONNECTION_FAILED", "['httpcore', 'httpx', 'tenacity']"], \
        result.stdout + result.stderr


def test_a_relaunch_paints_its_archived_rows_before_loading_the_http_stack_or_pydantic(tmp_path):
    """The archived rows need no request and, without a config file, no config model: httpx,
    httpcore, tenacity and pydantic load after the first paint (~0.15 s of one core sooner); so do
    the API's client, made at its first request (~3 ms), and what only a response, an error or a
    redaction reads (`email.utils`, `http`, `html`: ~5 ms more when the client was made before it)."""
    from logview.demo import DEMO_CONNECTOR, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DemoServer, DemoState

    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=300, live_rate=0.0)) as server:
        argv = ["--source", "supermetrics", "--team", str(DEMO_TEAM), "--connector", DEMO_CONNECTOR,
                "--base-url", server.url]
        env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin",
               "XDG_DATA_HOME": str(tmp_path / "data"), "TERM": "xterm-256color",
               "SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY, **THIS_LOGVIEW}
        seen = []
        for launch in ("first", "relaunch"):
            out = tmp_path / f"{launch}.json"
            subprocess.run([sys.executable, "-c", ROWS_AT_IMPORT, json.dumps(argv), str(out)], env=env,
                           timeout=120, check=True, capture_output=True)
            seen.append(json.loads(out.read_text()))
    first, relaunch = seen
    assert first["rows"] > 0 and "httpx" in first["modules"]  # (the first launch has nothing archived)
    assert first["rows_at_import"].get("httpx", 0) <= 0, first["rows_at_import"]  # (its rows need the request)
    assert relaunch["rows"] > 0
    # each heavy module came, if at all, once the archive's rows were in the table
    early = {name: rows for name, rows in relaunch["rows_at_import"].items() if rows <= 0}
    assert early == {}, relaunch["rows_at_import"]


def test_the_archives_writer_process_loads_no_event_loop_numpy_or_http_stack():
    """The writer process starts at each fast backfill, on the core the fetching shares with the
    server: asyncio (with ssl, sockets, subprocesses, logging), numpy and httpx are none of its
    work (~25 ms of its CPU at each start when `archive.py` imported the turns' module for `clear`)."""
    code = ("import sys, gc; gc.disable(); import logview.archive.writer_child; "
            "from logview.archive.archive import Archive; "
            "print(sorted(m for m in ('asyncio', 'ssl', 'numpy', 'httpx', 'textual', 'pydantic') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
