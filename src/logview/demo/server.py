"""Run the demo app on a real loopback socket: in a background thread (tests, ``--demo``) or
in the foreground (``python -m logview.demo``)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType

import uvicorn

from .app import create_app
from .constants import (
    DEMO_AITRONOS_KEY,
    DEMO_CONNECTOR,
    DEMO_EMPTY_CONNECTOR,
    DEMO_ORG,
    DEMO_SUPERMETRICS_KEY,
    DEMO_TEAM,
    PUBLISHED_BUDGETS,
)
from .broken import broken_modes
from .budget import Budget, BudgetSpec
from .state import DemoState

# How long the server may take to accept connections once its data exists. The data's generation is
# not timed (100,000 entries a API take ~10 s on a busy 2-core machine): a thread that dies says so.
_START_TIMEOUT = 10.0


class DemoServerFailed(RuntimeError):
    """The server's thread ended before it served, or did not start serving in time (why, in one line)."""


class _Uvicorn(uvicorn.Server):
    """uvicorn.Server that signals readiness to another thread and wakes instantly on stop
    (the stock main loop polls every 100 ms)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await super().startup(sockets=sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        assert self._wake is not None
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 10) % 864000  # on_tick refreshes the Date header every 10 ticks
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Like uvicorn's, minus its fixed 100 ms naps: tests start and stop many servers.
        Idle keep-alive connections close at once; in-flight responses get up to the graceful
        timeout (injected sleeps are already cut short by the app's ``stopping`` event)."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 0)
        state = self.server_state
        while (state.connections or state.tasks) and loop.time() < deadline:
            await asyncio.sleep(0.005)
        for task in state.tasks:
            task.cancel()
        await self.lifespan.shutdown()

    def request_exit(self) -> None:
        """Thread-safe: ask the serving loop to shut down now."""
        self.should_exit = True
        if self.loop is not None and self._wake is not None:
            try:
                self.loop.call_soon_threadsafe(self._wake.set)
            except RuntimeError:  # loop already closed
                pass


class DemoServer:
    """Both demo APIs on ``http://host:port`` served from a daemon thread with its own loop."""

    def __init__(self, state: DemoState | None = None, host: str = "127.0.0.1", port: int = 0, *,
                 make_state: Callable[[], DemoState] = DemoState) -> None:
        # Without a given state one is made (`make_state`) in the server thread, after the socket
        # listens (start(wait=False) returns before it exists): `logview --demo` shows its first
        # screen without waiting, and a port in use is reported before a second is spent on data.
        self._state = state
        self._make_state = make_state
        self._state_ready = threading.Event()
        if state is not None:
            self._state_ready.set()
        self.host = host
        self.port = port
        self._server: _Uvicorn | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._app = create_app(state) if state is not None else None
        self._failure = ""  # why the thread ended before serving, if it did

    @property
    def state(self) -> DemoState:
        """The served state; waits for it if it is still being generated in the server thread."""
        if self._state is None:
            if self._thread is None:
                self._state = self._make_state()
                self._app = create_app(self._state)
                self._state_ready.set()
            else:
                self._wait_for_state()
        assert self._state is not None
        return self._state

    @property
    def url(self) -> str:
        if self._sock is None:
            raise RuntimeError("DemoServer is not started")
        return http_url(self.host, self.port)

    def start(self, wait: bool = True) -> "DemoServer":
        """Bind (port 0 = any free port) and serve in a thread.

        With `wait` (the default) return once connections are accepted. Without it, return as soon
        as the socket listens: the URL is final and early requests wait in the accept backlog
        while the thread generates the data and starts serving."""
        if self._thread is not None:
            raise RuntimeError("DemoServer already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # says TCP, and without it keep-alive requests stall ~40 ms on delayed ACKs.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and _is_wildcard(self.host):  # `::`: IPv4 too, so 127.0.0.1 works
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            sock.bind((self.host, self.port))
            sock.listen(2048)
        except (OSError, OverflowError, ValueError) as exc:  # in use, no such host, port out of range
            sock.close()
            reason = getattr(exc, "strerror", None) or str(exc)
            where = http_url(self.host, self.port).removeprefix("http://")
            raise OSError(getattr(exc, "errno", None),
                          f"cannot listen on {where}: {reason[:1].lower()}{reason[1:]}") from exc
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._server = server = _Uvicorn(uvicorn.Config(
            None, log_level="warning", access_log=False, lifespan="off",  # app set in _serve
            timeout_graceful_shutdown=2, loop="asyncio", http="h11", ws="none",
        ))
        self._thread = threading.Thread(target=self._serve, args=(server, sock),
                                        name=f"logview-demo-{self.port}", daemon=True)
        self._thread.start()
        if wait:
            try:
                self._wait_for_state()
                deadline = time.monotonic() + _START_TIMEOUT
                while not server.ready.wait(0.005):
                    if not self._thread.is_alive():
                        raise DemoServerFailed(f"demo server failed to start{self._why()}")
                    if time.monotonic() > deadline:
                        raise DemoServerFailed(f"demo server did not accept connections within {_START_TIMEOUT:g} s")
            except DemoServerFailed:
                self.stop()
                raise
        return self

    def _wait_for_state(self) -> None:
        """Until the served data exists, however long its generation takes, while the thread lives."""
        thread = self._thread
        while not self._state_ready.wait(0.05):
            if thread is None or not thread.is_alive():
                raise DemoServerFailed(f"demo server failed to start{self._why()}")

    def _why(self) -> str:
        return f": {self._failure}" if self._failure else ""

    def _serve(self, server: "_Uvicorn", sock: socket.socket) -> None:
        if self._state is None:
            try:
                self._state = self._make_state()
                self._app = create_app(self._state)
            except Exception as error:  # said by the thread that waits (`_why`), not as a thread's traceback
                self._failure = f"{type(error).__name__}: {error}"
                return
            self._state_ready.set()
        assert self._app is not None
        self._app.state.stopping = asyncio.Event()  # fresh per run: a restart must not inherit a set one
        server.config.app = self._app
        server.run(sockets=[sock])

    def stop(self, timeout: float = 5.0) -> None:
        """Shut down (cutting injected sleeps short), join the thread, release the port."""
        server, thread = self._server, self._thread
        if server is not None:
            if server.loop is not None and self._app is not None:
                try:
                    server.loop.call_soon_threadsafe(self._app.state.stopping.set)
                except RuntimeError:
                    pass
            server.request_exit()
        if thread is not None:
            thread.join(timeout)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = None
        self._sock = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> "DemoServer":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def http_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _is_wildcard(host: str) -> bool:
    """`0.0.0.0`, `::` or empty: every interface."""
    try:
        return host == "" or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def _loopback_reaching(host: str) -> str | None:
    """A loopback host that reaches a server listening on `host`: logview sends a key over plain
    http only to loopback. None when none does (a specific address of another interface)."""
    if _is_wildcard(host):
        return "127.0.0.1"
    if host == "localhost":
        return host
    try:
        return host if ipaddress.ip_address(host).is_loopback else None
    except ValueError:
        return None


def _per_key(budget: Budget) -> str:
    return f"{budget.requests} requests per {budget.window_s:g} s"


def _budget_lines(budgets: Mapping[str, Budget | None]) -> str:
    """The rate limits enforced, and those only advertised: without --budget a viewer paced to the
    published limit in the headers said it "waits for its budget 100/100", nothing here said why (s29)."""
    enforced = [f"{api} {_per_key(budget)}" for api, budget in budgets.items() if budget is not None]
    advertised = {api: _per_key(Budget.parse(published)) for api, published in PUBLISHED_BUDGETS.items()
                  if budgets.get(api) is None}
    lines = [f"Rate limits enforced for each key: {', '.join(enforced)}."] if enforced else []
    if advertised:
        lines.append(f"No rate limit is enforced for {' or '.join(advertised)}: the published "
                     f"{' and '.join(advertised.values())} {'are' if len(advertised) > 1 else 'is'} only advertised,\n"
                     "all of it left in every answer (logview paces itself to it); --budget enforces one.")
    return "".join(f"\n{line}\n" for line in lines)


def _broken_line(broken: Iterable[str]) -> str:
    modes = sorted(broken)
    return f"\nBreaking the contract on purpose: {', '.join(modes)}.\n" if modes else ""


def banner(host: str, port: int, budgets: Mapping[str, Budget | None] | None = None,
           broken: Iterable[str] = ()) -> str:
    """What to paste into another terminal to point logview (or curl) at the demo server: a URL
    logview accepts wherever there is one."""
    listening, loopback = http_url(host, port), _loopback_reaching(host)
    url = http_url(loopback, port) if loopback else listening
    logview_lines = f"""
  FREDDY_API_KEY={DEMO_AITRONOS_KEY} logview --source aitronos --org {DEMO_ORG} --base-url {url}
  SUPERMETRICS_API_KEY={DEMO_SUPERMETRICS_KEY} logview --source supermetrics --team {DEMO_TEAM} --connector {DEMO_CONNECTOR} --base-url {url}""" if loopback else ""
    if loopback and _is_wildcard(host):
        note = (f"\nOther machines reach it at http://THIS-MACHINE'S-ADDRESS:{port} (curl, a browser). logview itself"
                "\nsends keys over plain http only to loopback hosts such as 127.0.0.1, so use it from this machine.\n")
    elif not loopback:
        note = (f"\nlogview sends keys over plain http only to loopback hosts, so it refuses {listening}: to try"
                f"\nlogview on this machine, run the demo server with --host 127.0.0.1 (or 0.0.0.0 for every interface).\n")
    else:
        note = ""
    return f"""logview demo server listening on {listening}

  Aitronos      X-API-Key: {DEMO_AITRONOS_KEY}   organization_id: {DEMO_ORG}
  Supermetrics  Authorization: Bearer {DEMO_SUPERMETRICS_KEY}   team: {DEMO_TEAM}   connectors: {DEMO_CONNECTOR}, {DEMO_EMPTY_CONNECTOR}

Try:{logview_lines}
  curl -H 'X-API-Key: {DEMO_AITRONOS_KEY}' '{url}/v1/personal-connectors/logs?organization_id={DEMO_ORG}&limit=2'
  curl -H 'Authorization: Bearer {DEMO_SUPERMETRICS_KEY}' '{url}/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs?limit=2'
  curl -X POST -d '{{"kind": "status", "status": 429, "retry_after": "2"}}' {url}/_demo/faults
{_budget_lines(budgets or {})}{note}{_broken_line(broken)}
Press Ctrl-C to stop."""


def run_foreground(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    aitronos_entries: int = 5000,
    supermetrics_entries: int = 20000,
    live_rate: float = 1.0,
    seed: int = 7,
    budget: BudgetSpec = None,
    broken: Iterable[str] = (),
) -> None:
    """Serve until Ctrl-C, printing connection details first; exits quietly on interrupt.
    Raises OSError (its `strerror` one readable line) if the host and port cannot be listened on,
    before any time is spent generating the data. `broken`: modes that break the contract
    (`broken.BROKEN_MODES`)."""
    modes = broken_modes(broken)

    def make_state() -> DemoState:
        state = DemoState(aitronos_entries=aitronos_entries, supermetrics_entries=supermetrics_entries, seed=seed,
                          live_rate=live_rate, budget=budget)
        state.broken.set(modes)
        return state

    server: DemoServer | None = None
    try:
        server = DemoServer(host=host, port=port, make_state=make_state).start()
        print(banner(server.host, server.port, server.state.budget, modes), flush=True)
        while server.running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()
        sys.stdout.flush()
