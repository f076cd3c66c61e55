"""Secrets: an API key never leaves the request headers — not in stdout/stderr (with -v, on 401/403,
on a 5xx after retries, in tracebacks), not in exports, not in files under the config/cache/data
dirs, not in httpx/httpcore/logview log records, not in reprs; never sent over plain http to a
non-loopback host nor after a redirect; a key written into config.toml is refused.

A distinctive canary is the key the client sends; the demo server answers 401 to it (faults are
served before authentication, so 403/5xx/429 paths see the canary too). Success paths can only use
the demo keys, which are then the secret looked for.
"""

from __future__ import annotations

import asyncio
import html
import io
import logging
import os
import re
import subprocess
import sys
import traceback
import urllib.parse
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from rich.traceback import Traceback

from logview import cli
from logview.demo import DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, Fault
from logview.api.client import ApiClient
from logview.api.types import RetryPolicy
from logview.model import ApiFailure, Filters
from logview.options import Connection, ViewerOptions
from logview.sources import AitronosSource, SupermetricsSource

CANARY = "sk-LEAK-CANARY-1234567890"
FAST = RetryPolicy(max_retries=5, initial_backoff_s=0.001, max_backoff_s=0.002)
KEY_VARS = ("FREDDY_API_KEY", "SUPERMETRICS_API_KEY")
LOGGERS = ("httpx", "httpcore", "logview", "h11", "asyncio")


def key_forms(key: str) -> list[str]:
    """The key, and the part of it a partial leak would still show."""
    return [key, key[len(key) // 3:]]


def assert_clean(text: str | bytes, *keys: str, where: str = "") -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for key in keys:
        for form in key_forms(key):
            assert form not in text, f"key leaked {where}: ...{text[max(0, text.find(form) - 200):][:400]!r}"


def scan_tree(root: Path, *keys: str) -> int:
    """Assert no file under root holds a key; return how many files were read."""
    count = 0
    for path in root.rglob("*"):
        if path.is_file():
            assert_clean(path.read_bytes(), *keys, where=f"in {path}")
            count += 1
    return count


@pytest.fixture
def homes(tmp_path, monkeypatch) -> dict[str, str]:
    """HOME and the XDG dirs in a temp dir: every file logview could write lands there."""
    env = {}
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        directory = tmp_path / "home" / name.lower()
        directory.mkdir(parents=True)
        env[name] = str(directory)
        monkeypatch.setenv(name, str(directory))
    monkeypatch.delenv("LOGVIEW_CONFIG", raising=False)
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    return env


def aitronos_args(url: str, *extra: str) -> list[str]:
    return ["export", "--source", "aitronos", "--org", DEMO_ORG, "--base-url", url, *extra]


def supermetrics_args(url: str, *extra: str) -> list[str]:
    return ["export", "--source", "supermetrics", "--team", str(DEMO_TEAM), "--connector", DEMO_CONNECTOR,
            "--base-url", url, *extra]


def run_cli(argv: list[str], env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in KEY_VARS and k != "LOGVIEW_CONFIG"}
    return subprocess.run([sys.executable, "-m", "logview", *argv], capture_output=True, timeout=timeout,
                          env={**base, **env})


@pytest.fixture
def debug_logs(caplog):
    """DEBUG records of httpx, httpcore and logview, formatted with their arguments."""
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def all_log_text(caplog) -> str:
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(repr(record.__dict__))
    return "\n".join(parts)


@pytest.fixture
def fast_export(monkeypatch):
    """In-process exports retry in milliseconds (the policy is the only difference)."""
    import logview.cli.export

    monkeypatch.setattr(logview.cli.export, "RetryPolicy", lambda: FAST)


# -- the CLI in-process: stdout, stderr, the exported file, log records, the home dirs --------

SCENARIOS = [
    # (id, api, key, fault, extra args, exit code)
    ("success", "aitronos", DEMO_AITRONOS_KEY, None, (), 0),
    ("success-v", "aitronos", DEMO_AITRONOS_KEY, None, ("-v",), 0),
    ("success-v-sm", "supermetrics", DEMO_SUPERMETRICS_KEY, None, ("-v",), 0),
    ("401", "aitronos", CANARY, None, (), 3),
    ("401-v", "aitronos", CANARY, None, ("-v",), 3),
    ("401-v-sm", "supermetrics", CANARY, None, ("-v",), 3),
    ("403-v", "aitronos", CANARY, Fault(kind="status", status=403), ("-v",), 3),
    ("403-v-sm", "supermetrics", CANARY, Fault(kind="status", status=403), ("-v",), 3),
    ("500-after-retries-v", "aitronos", CANARY, Fault(kind="status", status=500, count=6), ("-v",), 3),
    ("503-after-retries-v-sm", "supermetrics", CANARY, Fault(kind="status", status=503, count=6), ("-v",), 3),
    ("html-502-v", "aitronos", CANARY, Fault(kind="html", status=502, count=6), ("-v",), 3),
    ("429-v-sm", "supermetrics", CANARY, Fault(kind="status", status=429, retry_after="0", count=6), ("-v",), 3),
    ("truncated-v", "supermetrics", CANARY, Fault(kind="truncated", count=6), ("-v",), 3),
]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize(("api", "key", "fault", "extra", "code"),
                         [pytest.param(*s[1:], id=s[0]) for s in SCENARIOS])
def test_export_never_shows_the_key(server, homes, tmp_path, monkeypatch, capfdbinary, debug_logs, fast_export,
                                    api, key, fault, extra, code, fmt):
    if fault is not None:
        server.state.add_fault(Fault(**{**fault.__dict__, "api": api}))
    monkeypatch.setenv("FREDDY_API_KEY" if api == "aitronos" else "SUPERMETRICS_API_KEY", key)
    out = tmp_path / f"out.{fmt}"
    argv = (aitronos_args if api == "aitronos" else supermetrics_args)(server.url, "--output", str(out), *extra)
    try:
        assert cli.main(argv) == code
    finally:
        server.state.clear_faults()
    captured = capfdbinary.readouterr()
    assert_clean(captured.out, key, where="on stdout")
    assert_clean(captured.err, key, where="on stderr")
    assert_clean(out.read_bytes() if out.exists() else b"", key, where="in the export")
    assert_clean(all_log_text(debug_logs), key, where="in the log records")
    if code == 0:
        assert out.stat().st_size > 0
        assert any(r.name.startswith("httpx") for r in debug_logs.records)  # the logging was really on
    else:
        assert b"logview: HTTP " in captured.err
        assert not out.exists()  # every scenario fails on the first page: no entries, so no file
    assert "Bearer" not in captured.err.decode() and "x-api-key" not in captured.err.decode().lower()
    scan_tree(Path(homes["HOME"]).parent, key)


def test_export_to_stdout_in_a_process_with_home_dirs_scanned(server, homes):
    """A real process: success, then a 401 with -v; stdout, stderr and every file under HOME/XDG."""
    ok = run_cli(aitronos_args(server.url, "-v"), {**homes, "FREDDY_API_KEY": DEMO_AITRONOS_KEY})
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count(b"\n") == len(server.state.aitronos_logs)
    bad = run_cli(supermetrics_args(server.url, "-v", "--format", "csv"), {**homes, "SUPERMETRICS_API_KEY": CANARY})
    assert bad.returncode == 3
    assert b"HTTP 401" in bad.stderr
    for result, key in ((ok, DEMO_AITRONOS_KEY), (bad, CANARY)):
        assert_clean(result.stdout, key, where="on stdout")
        assert_clean(result.stderr, key, where="on stderr")
    scan_tree(Path(homes["HOME"]).parent, DEMO_AITRONOS_KEY, CANARY)


# -- tracebacks ---------------------------------------------------------------------------------

CRASH = """
import sys
from logview.sources.aitronos import AitronosSource
def boom(self, *args, **kwargs):
    raise RuntimeError("forced crash while reading a page")
AitronosSource.request_params = boom
from logview.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_crash_traceback_in_a_process_does_not_show_the_key(server, homes, tmp_path):
    base = {k: v for k, v in os.environ.items() if k not in KEY_VARS}
    result = subprocess.run([sys.executable, "-c", CRASH, *aitronos_args(server.url, "-v")], capture_output=True,
                            timeout=30, env={**base, **homes, "FREDDY_API_KEY": CANARY,
                                             "LOGVIEW_CONFIG": str(tmp_path / "none.toml")})
    assert result.returncode == 1
    assert b"Traceback" in result.stderr and b"forced crash" in result.stderr
    assert result.stderr.startswith(b"logview stopped on an unexpected error (RuntimeError). This is a bug")
    assert_clean(result.stdout + result.stderr, CANARY, where="in the traceback")


def test_a_crash_rendered_with_locals_does_not_show_the_key(server, homes, monkeypatch, fast_export):
    """Textual prints crashes as rich tracebacks *with locals*: every frame's locals must be safe."""
    def boom(self, *args, **kwargs):
        raise RuntimeError("forced crash")

    monkeypatch.setattr(AitronosSource, "request_params", boom)
    monkeypatch.setenv("FREDDY_API_KEY", CANARY)
    args = aitronos_args(server.url)
    with pytest.raises(RuntimeError) as info:  # (the command itself: `main` says a crash in words, below)
        cli.COMMANDS[args[0]](args[1:])
    plain = "".join(traceback.format_exception(info.value))
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(Traceback.from_exception(type(info.value), info.value, info.value.__traceback__, show_locals=True,
                                           locals_max_length=50, locals_max_string=500))
    rendered = console.export_text()
    assert "forced crash" in rendered
    assert_clean(plain, CANARY, where="in the traceback")
    assert_clean(rendered, CANARY, where="in the traceback's locals")


@pytest.mark.parametrize("key", [CANARY + "é", CANARY + "\x01", "sk-LEAK CANARY-1234567890", CANARY + "\nX-Evil: 1"])
def test_a_key_that_cannot_be_a_header_is_refused_without_echoing_it(server, homes, monkeypatch, capfd, key):
    """Such a key would make httpx raise (UnicodeEncodeError, or h11 quoting the whole header)."""
    monkeypatch.setenv("FREDDY_API_KEY", key)
    server.state.clear_request_log()
    assert cli.main(aitronos_args(server.url)) == 2
    captured = capfd.readouterr()
    assert "FREDDY_API_KEY" in captured.err
    assert_clean(captured.out + captured.err, key.strip(), CANARY, "LEAK CANARY")
    assert server.state.request_log == []  # refused before anything is sent


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_network_errors_quoting_the_header_are_redacted(server, kind):
    """h11 quotes an illegal header value (`b'...\\n...'`); the client's message must not."""
    key = CANARY + "\nX-Evil: 1"
    source = (AitronosSource(DEMO_ORG, base_url=server.url) if kind == "aitronos"
              else SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=server.url))
    async with ApiClient(source.base_url, source.auth_headers(key), policy=FAST) as client:
        with pytest.raises(ApiFailure) as info:
            await client.fetch(source.logs_path(), {"organization_id": DEMO_ORG}, lambda body: body)
    text = f"{info.value.describe()} {info.value.error!r} {info.value.error.detail}"
    assert "[redacted]" in text
    assert_clean(text, CANARY)


# -- log records and reprs ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_debug_logging_of_httpx_and_httpcore_never_holds_a_key(server, debug_logs, kind):
    source = (AitronosSource(DEMO_ORG, base_url=server.url) if kind == "aitronos"
              else SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=server.url))
    good = DEMO_AITRONOS_KEY if kind == "aitronos" else DEMO_SUPERMETRICS_KEY
    params = {"organization_id": DEMO_ORG} if kind == "aitronos" else {}
    async with ApiClient(source.base_url, source.auth_headers(good), policy=FAST) as client:
        assert await client.fetch(source.logs_path(), params, lambda body: body)
    async with ApiClient(source.base_url, source.auth_headers(CANARY), policy=FAST) as client:
        with pytest.raises(ApiFailure):
            await client.fetch(source.logs_path(), params, lambda body: body)
    assert any(r.name.startswith("httpcore") for r in debug_logs.records)
    text = all_log_text(debug_logs)
    assert_clean(text, good, CANARY, where="in the log records")


def test_reprs_hide_the_key(server):
    for source, key in ((AitronosSource(DEMO_ORG, base_url=server.url), CANARY),
                        (SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=server.url), CANARY)):
        connection = Connection(source=source, key=key, label="x")
        options = ViewerOptions(filters=Filters(), connection=connection)
        client = connection.client(policy=FAST)
        try:
            for value in (connection, options, client, source, client.policy):
                assert_clean(repr(value), key, where=f"in repr({type(value).__name__})")
                assert_clean(str(value), key, where=f"in str({type(value).__name__})")
            assert_clean(repr(client._http), key)
        finally:
            asyncio.run(client.aclose())


# -- where keys are sent ------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://api.example.com", "http://10.0.0.1:8080", "http://127.0.0.1.evil.example",
                                 "http://localhost.evil.example", "http://127.0.0.1@evil.example/",
                                 "ftp://127.0.0.1/", "http://0x7f.1/"])
@pytest.mark.parametrize("api", ["aitronos", "supermetrics"])
def test_plain_http_to_a_non_loopback_host_is_refused(homes, monkeypatch, capfd, url, api):
    sent: list[httpx.Request] = []
    monkeypatch.setattr(httpx.AsyncClient, "send", lambda self, request, **kw: sent.append(request))
    monkeypatch.setenv("FREDDY_API_KEY" if api == "aitronos" else "SUPERMETRICS_API_KEY", CANARY)
    argv = (aitronos_args if api == "aitronos" else supermetrics_args)(url)
    assert cli.main(argv) == 2
    captured = capfd.readouterr()
    assert "logview: " in captured.err and captured.out == ""
    assert_clean(captured.out + captured.err, CANARY)
    assert sent == []


def test_plain_http_in_a_profile_is_refused(homes, monkeypatch, capfd, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[profiles.p]\nsource = "aitronos"\norg = "o"\nbase_url = "http://api.example.com"\n')
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.setenv("FREDDY_API_KEY", CANARY)
    assert cli.main(["export", "--profile", "p"]) == 2
    err = capfd.readouterr().err
    assert "https is required" in err
    assert_clean(err, CANARY)


REDIRECTS = [301, 302, 303, 307, 308]


@pytest.mark.parametrize("status", REDIRECTS)
@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_a_redirect_to_another_host_is_never_followed(status, kind):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.example.com":
            return httpx.Response(status, headers={"Location": f"https://evil.example/steal?{CANARY[:3]}"})
        return httpx.Response(200, json={"data": []})

    source = (AitronosSource(DEMO_ORG, base_url="https://api.example.com") if kind == "aitronos"
              else SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url="https://api.example.com"))
    async with ApiClient(source.base_url, source.auth_headers(CANARY), policy=FAST,
                         transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ApiFailure) as info:
            await client.fetch(source.logs_path(), {}, lambda body: body)
    assert [request.url.host for request in seen] == ["api.example.com"]  # once, not retried, not followed
    assert info.value.error.status == status
    assert_clean(info.value.describe(), CANARY)


class _RedirectingTransport(httpx.AsyncBaseTransport):
    """Answers 302 to `target` for the first host; anything else goes over real sockets."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.real = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.example.com":
            return httpx.Response(302, headers={"Location": self.target})
        return await self.real.handle_async_request(request)

    async def aclose(self) -> None:
        await self.real.aclose()


async def test_a_redirect_to_a_real_listener_on_another_host_never_reaches_it(server):
    """Real sockets: the demo server the redirect points at must never see a request."""
    server.state.clear_request_log()
    source = AitronosSource(DEMO_ORG, base_url="https://api.example.com")
    async with ApiClient(source.base_url, source.auth_headers(DEMO_AITRONOS_KEY), policy=FAST,
                         transport=_RedirectingTransport(f"{server.url}{source.logs_path()}")) as client:
        with pytest.raises(ApiFailure) as info:
            await client.fetch(source.logs_path(), {"organization_id": DEMO_ORG}, lambda body: body)
    assert info.value.error.status == 302
    assert server.state.request_log == []


# -- config.toml -------------------------------------------------------------------------------

INLINE_KEYS = [
    pytest.param(f'[profiles.p]\nsource = "aitronos"\norg = "o"\nkey = "{CANARY}"\n', id="key"),
    pytest.param(f'[profiles.p]\nsource = "aitronos"\norg = "o"\napi_key = "{CANARY}"\n', id="api_key"),
    pytest.param(f'[profiles.p]\nsource = "aitronos"\norg = "o"\ntoken = "{CANARY}"\n', id="token"),
    pytest.param(f'[profiles.p]\nsource = "aitronos"\norg = "o"\nsecret = "{CANARY}"\n', id="other-name"),
    pytest.param(f'[profiles.p]\nsource = "aitronos"\norg = "o"\nkey_env = "{CANARY}"\n', id="key-in-key_env"),
    pytest.param(f'key = "{CANARY}"\n[profiles.p]\nsource = "aitronos"\norg = "o"\n', id="top-level"),
    pytest.param(f'[profiles.p]\nsource = "aitronos"\norg = "o"\nkey = {CANARY}\n', id="unquoted-not-toml"),
]


@pytest.mark.parametrize("mode", [0o600, 0o644])
@pytest.mark.parametrize("text", INLINE_KEYS)
def test_a_key_written_into_the_config_is_refused_without_echoing_it(homes, monkeypatch, capfd, tmp_path, text,
                                                                       mode):
    """README: "a key written into the file is refused" — stricter than the issue's "refuse or warn
    unless the file is private", so also when the file is 0600."""
    config = tmp_path / "config.toml"
    config.write_text(text)
    config.chmod(mode)
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.setenv("FREDDY_API_KEY", DEMO_AITRONOS_KEY)
    for argv in (["export", "--profile", "p"], ["export"]):
        assert cli.main(argv) == 2
        captured = capfd.readouterr()
        assert str(config) in captured.err
        assert captured.out == ""
        assert_clean(captured.err, CANARY, where="in the config error")


def test_a_profile_naming_its_key_env_works_and_does_not_show_the_key(server, homes, monkeypatch, capfdbinary,
                                                                        tmp_path, fast_export):
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.p]\nsource = "aitronos"\norg = "{DEMO_ORG}"\nbase_url = "{server.url}"\n'
                      'key_env = "MY_FREDDY_KEY"\n')
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.setenv("MY_FREDDY_KEY", CANARY)
    assert cli.main(["export", "--profile", "p", "-v"]) == 3  # the canary is a wrong key: 401
    captured = capfdbinary.readouterr()
    assert b"HTTP 401" in captured.err
    assert_clean(captured.out + captured.err, CANARY)
    monkeypatch.delenv("MY_FREDDY_KEY")
    assert cli.main(["export", "--profile", "p"]) == 2
    assert b"MY_FREDDY_KEY" in capfdbinary.readouterr().err


KEY_SHAPED_NAMES = ["sk_live_4eC39HqLyjWDarjtT1zdp7dc", "ABCDEF0123456789ABCDEF01", "tok_abc123", "K3yL00ksLikeAName"]


@pytest.mark.parametrize("pasted", KEY_SHAPED_NAMES)
def test_a_key_pasted_into_key_env_is_not_repeated_when_no_such_variable_exists(homes, monkeypatch, capfd,
                                                                                 tmp_path, pasted):
    """A key can be a valid variable name; if nothing by that name is set, the message names the
    profile instead of the value."""
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.p]\nsource = "aitronos"\norg = "o"\nkey_env = "{pasted}"\n')
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.delenv(pasted, raising=False)
    assert cli.main(["export", "--profile", "p"]) == 2
    captured = capfd.readouterr()
    assert "profile 'p': no API key: the variable key_env names is not set" in captured.err
    assert_clean(captured.out + captured.err, pasted, where="in the missing-key message")


@pytest.mark.parametrize("name", ["FREDDY_PROD_KEY", "SUPERMETRICS_API_KEY", "KEY2", "A_B_C"])
def test_a_conventional_key_env_name_is_named_when_it_is_not_set(homes, monkeypatch, capfd, tmp_path, name):
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.p]\nsource = "aitronos"\norg = "o"\nkey_env = "{name}"\n')
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.delenv(name, raising=False)
    assert cli.main(["export", "--profile", "p"]) == 2
    assert f"set the environment variable {name}" in capfd.readouterr().err


# -- a server that echoes the key back ------------------------------------------------------------

def echoing_handler(status: int):
    """Some APIs quote the key they rejected; everything logview prints from a response is redacted."""
    def handler(request: httpx.Request) -> httpx.Response:
        sent = request.headers.get("x-api-key") or request.headers.get("authorization", "")
        bare = sent.removeprefix("Bearer ")
        body = {"success": False, "error": {"code": f"BAD_{bare}", "message": f"key {sent!r} / {bare} rejected",
                                             "details": {"got": sent}}}
        return httpx.Response(status, json=body, headers={"X-Request-Id": f"req-{bare}"})
    return handler


def with_transport(monkeypatch, handler) -> None:
    original = ApiClient.__init__

    def init(self, *args, **kwargs):
        kwargs["transport"] = httpx.MockTransport(handler)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ApiClient, "__init__", init)


@pytest.mark.parametrize("status", [401, 500])
@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_errors_and_retry_events_redact_a_key_the_server_echoes(kind, status):
    source = (AitronosSource(DEMO_ORG, base_url="https://api.example.com") if kind == "aitronos"
              else SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url="https://api.example.com"))
    events = []
    async with ApiClient(source.base_url, source.auth_headers(CANARY), policy=FAST,
                         transport=httpx.MockTransport(echoing_handler(status))) as client:
        with pytest.raises(ApiFailure) as info:
            await client.fetch(source.logs_path(), {}, lambda body: body, on_retry=events.append)
    assert len(events) == (5 if status == 500 else 0)
    text = " ".join([info.value.describe(), repr(info.value.error), str(info.value)]
                    + [event.describe() + repr(event) for event in events])
    assert "[redacted]" in text
    assert_clean(text, CANARY)


@pytest.mark.parametrize("status", [401, 503])
def test_export_redacts_a_key_the_server_echoes(homes, monkeypatch, capfdbinary, fast_export, status):
    with_transport(monkeypatch, echoing_handler(status))
    monkeypatch.setenv("SUPERMETRICS_API_KEY", CANARY)
    assert cli.main(supermetrics_args("https://api.example.com", "-v")) == 3
    captured = capfdbinary.readouterr()
    assert b"[redacted]" in captured.err
    assert_clean(captured.out + captured.err, CANARY, where="on stderr")


async def test_an_echoed_key_is_redacted_also_in_its_json_escaped_form():
    key = 'sk-LEAK"CANARY\\1234567890'

    def handler(request: httpx.Request) -> httpx.Response:
        sent = request.headers["x-api-key"]
        return httpx.Response(401, json={"error": {"code": "BAD", "message": f"key {sent}", "details": [sent]}})

    source = AitronosSource(DEMO_ORG, base_url="https://api.example.com")
    async with ApiClient(source.base_url, source.auth_headers(key), policy=FAST,
                         transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ApiFailure) as info:
            await client.fetch(source.logs_path(), {}, lambda body: body)
    text = repr(info.value.error)
    assert "[redacted]" in text
    assert "CANARY" not in text


@pytest.mark.parametrize("key", ["AbC+dEf/GhIj-CANARY==", 'sk-Secret"CANARY\\1234', "plain-CANARY-0123456789"])
@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_an_echoed_key_is_redacted_percent_encoded_and_html_escaped(kind, key):
    """A server may quote the key back from a URL (percent-encoded, either hex case, `+` for a
    space) or in an HTML page: a key with `+ / = "` must not be recoverable from any form."""
    def handler(request: httpx.Request) -> httpx.Response:
        sent = request.headers.get("x-api-key") or request.headers["authorization"]
        echoes = [urllib.parse.quote(sent, safe=""), urllib.parse.quote(sent), urllib.parse.quote_plus(sent),
                  re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), urllib.parse.quote(sent, safe="")), html.escape(sent), html.escape(sent, quote=False)]
        return httpx.Response(400, json={"error": {"code": "BAD_KEY", "message": " | ".join(echoes)}})

    source = (AitronosSource(DEMO_ORG, base_url="https://api.example.com") if kind == "aitronos"
              else SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url="https://api.example.com"))
    async with ApiClient(source.base_url, source.auth_headers(key), policy=FAST,
                         transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ApiFailure) as info:
            await client.fetch(source.logs_path(), {}, lambda body: body)
    text = info.value.describe()
    assert text.count("[redacted]") >= 5, text
    assert "CANARY" not in text.upper().replace("%", "")
