"""The TLS context clients verify servers with: made once per process, off the path to the first paint.

Why: httpx builds it inside `AsyncClient()` (`ssl.create_default_context` loading certifi's bundle
of ~150 certificates): 50–150 ms of one core on our machines, which the viewer spent while it
built its screen, before the first paint. The command line calls `prepare` as soon as it knows it
will talk to an API, so the context is built in a thread while the viewer imports and starts
(loading the certificates lets go of the interpreter's lock most of the time); a client takes it
with `verify_for`. A plain-http base URL (logview sends keys over http only to loopback: the
demo, tests) gets a context with no certificate authority at all, which costs nothing and would
refuse any server it were asked to trust.

Same rules as httpx's own default (`verify=True`, `trust_env=True`): `SSL_CERT_FILE`, else
`SSL_CERT_DIR`, else certifi's bundle.
"""

from __future__ import annotations

import os
import ssl
import threading
from concurrent.futures import Future

_lock = threading.Lock()
_prepared: Future[ssl.SSLContext] | None = None


def _verifying_context() -> ssl.SSLContext:
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _build(future: Future[ssl.SSLContext]) -> None:
    try:
        future.set_result(_verifying_context())
    except BaseException as error:  # (a bad SSL_CERT_FILE: raised where a client asks for it)
        future.set_exception(error)


def environment_problem() -> str | None:
    """What is wrong with SSL_CERT_FILE / SSL_CERT_DIR (checked before anything is fetched), if anything."""
    file, folder = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if file and not (os.path.isfile(file) and os.access(file, os.R_OK)):
        return (f"SSL_CERT_FILE names {file}, which is not a readable file: point it at a certificate "
                "bundle, or unset it to use certifi's")
    if not file and folder and not os.path.isdir(folder):
        return (f"SSL_CERT_DIR names {folder}, which is not a folder: point it at your certificates, "
                "or unset it to use certifi's")
    return None


def prepare() -> None:
    """Start building the verifying context now, in a thread (once per process)."""
    global _prepared
    with _lock:
        if _prepared is None:
            _prepared = Future()
            threading.Thread(target=_build, args=(_prepared,), name="logview-tls", daemon=True).start()


def verify_for(base_url: str) -> ssl.SSLContext:
    """What a client of `base_url` verifies its server with (see the module's docstring)."""
    if base_url.lower().startswith("http://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # (verifies against no authority: trusts no one)
    prepare()
    assert _prepared is not None
    return _prepared.result()
