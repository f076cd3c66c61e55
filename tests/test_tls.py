"""The TLS context clients verify servers with (`api/tls.py`): built once, in a thread the command
line starts early; what httpx would build itself (certifi's bundle, or SSL_CERT_FILE); and none
worth the name for a plain-http base URL, which never sends TLS."""

from __future__ import annotations

import ssl
import subprocess
import sys

import certifi
import httpx
import pytest

from logview.api import tls
from logview.api.client import ApiClient

import cli_runner


def test_an_https_client_verifies_with_what_httpx_would_build_once() -> None:
    first, second = tls.verify_for("https://api.example.test"), tls.verify_for("HTTPS://other.example.test")
    assert first is second  # (one per process, shared by every client)
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    own = httpx.create_ssl_context()  # (certifi's bundle, or this machine's SSL_CERT_FILE)
    assert first.get_ca_certs() == own.get_ca_certs() and len(own.get_ca_certs()) > 50


def test_a_plain_http_client_trusts_no_authority() -> None:
    context = tls.verify_for("http://127.0.0.1:8765")
    assert context.verify_mode == ssl.CERT_REQUIRED and context.get_ca_certs() == []


def test_ssl_cert_file_is_honoured_as_httpx_does(tmp_path) -> None:
    """A fresh process: the context is built once per process, from the environment at that time."""
    bundle = tmp_path / "one.pem"
    with open(certifi.where()) as source:
        bundle.write_text(source.read().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n")
    script = ("from logview.api import tls; tls.prepare(); "
              "print(len(tls.verify_for('https://x.example.test').get_ca_certs()))")
    done = cli_runner.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={"SSL_CERT_FILE": str(bundle), "PATH": "/usr/bin:/bin"})
    assert done.stdout.strip() == "1"


def test_a_bad_ssl_cert_file_fails_the_first_request_with_one_clear_error(tmp_path) -> None:
    """(The command line refuses it before anything starts; a client made some other way fails its
    first request, not retried, the file named.)"""
    script = ("import asyncio\n"
              "from logview.api import tls; tls.prepare()\n"
              "from logview.api.client import ApiClient, RetryPolicy\n"
              "from logview.model import ApiFailure\n"
              "client = ApiClient('https://x.example.test', {}, policy=RetryPolicy(max_retries=3))\n"
              "try:\n    asyncio.run(client.fetch('/v1/logs', {}, bytes))\n"
              "except ApiFailure as failure:\n    print(failure.error.summary())\n")
    missing = tmp_path / "missing.pem"
    done = cli_runner.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={"SSL_CERT_FILE": str(missing), "PATH": "/usr/bin:/bin"})
    assert done.stdout.startswith("TLS_SETUP: could not load the certificates") and str(missing) in done.stdout
    assert done.stdout.count("\n") == 1, done.stdout


@pytest.mark.parametrize("url", ["https://api.example.test", "http://127.0.0.1:1"])
async def test_the_client_is_given_the_context(url: str) -> None:
    async with ApiClient(url, {"X-API-Key": "k"}) as client:
        pool = client._http._transport._pool  # (httpx keeps it on its connection pool)
        assert pool._ssl_context is tls.verify_for(url) or (url.startswith("http:") and not pool._ssl_context.get_ca_certs())


@pytest.mark.parametrize("variable", ["SSL_CERT_FILE", "SSL_CERT_DIR"])
@pytest.mark.parametrize("command", [["export"], []], ids=["export", "viewer"])
def test_a_wrong_certificate_setting_is_one_line_and_exit_2(tmp_path, variable: str, command: list[str]) -> None:
    missing = str(tmp_path / "nowhere")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), variable: missing, "FREDDY_API_KEY": "k-secret-1"}
    done = cli_runner.run([sys.executable, "-m", "logview", *command, "--source", "aitronos", "--org", "o1"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and variable in done.stderr and missing in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "k-secret-1" not in done.stderr + done.stdout
