"""Measure terminal viewers on one big JSONL file in a real terminal (tmux): logview, lnav, toolong.

Usage:
    python benchmarks/bench_viewer.py FILE [--tools logview,lnav,toolong,bare] [--runs 3] [--markdown]

`bare` is a Textual app that paints one line (`bare_textual.py`): the floor for first rows.
`logview@DIR` runs the logview of another checkout (DIR/src, e.g. a `git worktree` of an older
commit) with this venv, for a before/after in one run.

Make FILE with benchmarks/gen_file.py (it carries the `bench.newest.marker` / `bench.oldest.marker`
entries this script looks for). Each tool that is installed runs in a fresh tmux session 160x48 on a
private tmux server (socket `logview-bench-<pid>`, killed at the end, never the user's own server).
A tmux control-mode client (attached with `ignore-size,no-output`, so it neither resizes the window
nor receives output) sends keys and captures the screen, about 0.6 ms per capture instead of ~3 ms
for a `tmux capture-pane` subprocess.

Per run, two launches of each tool (each with an empty HOME of its own; `--kept-caches`: each tool's
cache folder kept from one of its launches to the next, as a user's, after an unmeasured first):
1. ends: launch → first rows on screen (polling the screen every ~4 ms until a line of the file is
   visible: a marker, or the id of one of the first/last 50 lines, for tools that show raw lines),
   then the end key every 100 ms until the oldest entry (last line of the file) is on screen
   → "oldest reachable"; for logview also until the sidebar shows the file's whole count of
   failures (5xx, or Aitronos `error`, counted here from the file) with no "counting …" left
   → "exact count" (lnav's figure beside it is its full index: when it shows the last line);
   "CPU s by then": the tool's CPU up to that moment (user + system, its children's too), which a
   shared machine's neighbours change less than the wall clock: a before/after reads better there;
   then wait until the process is idle (CPU < 5% over 0.5 s, at most --settle-max s) and read
   VmHWM (peak RSS) from /proc — or, if larger, the process tree's RSS sampled every 50 ms while
   loading (a helper process that has ended by then still counts); beside it the tree's peak Pss
   sampled the same way (shared pages counted once: logview's forked child shares most of its
   memory with the viewer, which the RSS sum counts twice).
2. keys: launch → first rows, then at once (while the tool is still loading) alternate two
   movement keys and time each press until the screen changes in a way the press explains
   → key latency p50/p95. Cells that changed on their own (progress counters, scrollbars) while no
   key was pending are learned as noise and ignored, so a loading counter does not pass for a
   response; a press unanswered after 10 s counts as the worst case. With a `loading_text` for the
   tool (logview: its status line), only presses made while that text was on screen count as
   "while loading"; the rest are reported separately.

Times are wall clock from just before `tmux new-session` (the tmux server is already running).
The file is read once before the runs so every tool sees a warm page cache. Before each launch the
script waits for the machine to be quiet (other processes < 15% CPU) and flags launches that other
work disturbed anyway. The table shows the median over runs with the range; "timeout" when a phase
hit --timeout, "failed" when the tool exited. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NEWEST_MARKER = "bench.newest"  # prefixes: a narrow column may cut "bench.newest.marker" with "…"
OLDEST_MARKER = "bench.oldest"
WIDTH, HEIGHT = 160, 48
# Before each launch, wait until other processes use < 15% of the machine (at most 120 s): other
# work on a 2-core machine (a test run) skews every number. The share seen is kept per launch.
QUIET_LIMIT, QUIET_MAX_WAIT = 0.15, 120.0
PRESS_TIMEOUT = 10.0  # a press not answered by then counts as unanswered (shown as ">10000")
CONTENDED = 0.10  # a launch during which other processes used more than this share is flagged
# After the first rows, the screen is polled every 10 ms and the process tree listed every 0.25 s
# (its memory sampled every 50 ms): the harness took ~20% of a core at 5 ms and a listing per
# sample, which a tool using both cores (logview's child) loses and a one-core tool (lnav) does not.
LATER_POLL_S, TREE_RESCAN_S = 0.010, 0.25
_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
_ID = re.compile(rb'"id"\s*:\s*"([^"]+)"')


# ------------------------------------------------------------------------------------------------
# tools
# ------------------------------------------------------------------------------------------------

@dataclass
class Tool:
    name: str
    argv: list[str]
    end_key: str  # goes to the oldest entry (the last line of a newest-first file)
    keys: tuple[str, str]  # two movement keys that undo each other; the first must move from the start
    quit_keys: list[str]
    loading_text: str | None = None  # on screen while the tool is still loading (None: unknown)
    prime_key: str | None = None  # sent (untimed) before the timed presses, until `primed` holds
    primed: Callable[[list[str]], bool] | None = None
    exact: Callable[[list[str]], bool] | None = None  # the final count of failures is on screen


def exact_count_shown(option: str, count: int) -> Callable[[list[str]], bool]:
    """The sidebar shows `option` (`5xx`, `error`) with the file's whole count, and nothing on
    screen says counts are still partial ("counting … to go", "reading fields", "indexing")."""
    pattern = re.compile(rf"\b{re.escape(option)}\s+{count:,}(?![\d,])")

    def shown(screen: list[str]) -> bool:
        text = "\n".join(screen)
        return (pattern.search(text) is not None
                and not any(partial in text for partial in ("counting", "reading fields", "indexing")))
    return shown


def failures_in(file: Path) -> tuple[str, int]:
    """The file's failures as the sidebar counts them: Supermetrics `5xx`, Aitronos `error`."""
    import orjson  # (the project's venv has it)

    option, count = "5xx", 0
    with file.open("rb") as handle:
        for line in handle:
            try:
                raw = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(raw, dict):
                continue
            status = raw.get("status")
            if "created_at" in raw and "log_time" not in raw:
                option = "error"
                count += isinstance(status, str) and status.lower() == "error"
            else:
                count += type(status) is int and 500 <= status <= 599
    return option, count


def compiled(source_dir: Path) -> None:
    """Byte-compile a checkout's modules (a no-op where they are up to date). Where
    PYTHONDONTWRITEBYTECODE is set (this project's sandboxes), a launch would otherwise compile
    every module without a fresh .pyc anew, each time: a copy made by `git archive` (all of them,
    ~0.1 s of its first rows) or a module changed since its .pyc was written."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(source_dir)], check=True,
                   stdout=subprocess.DEVNULL)


def available_tools(names: list[str], file: Path) -> tuple[list[Tool], list[tuple[str, str]]]:
    found: list[Tool] = []
    missing: list[tuple[str, str]] = []
    for name in names:
        if name == "logview":
            exe = REPO / ".venv" / "bin" / "logview"
            if not exe.exists():
                exe_path = shutil.which("logview")
                if exe_path is None:
                    missing.append((name, "not installed (.venv/bin/logview)"))
                    continue
                exe = Path(exe_path)
            compiled(REPO / "src")
            # The table starts at the newest row: j moves the cursor down, k back.
            found.append(Tool("logview", [str(exe), "--file", str(file)], "G", ("j", "k"), ["q"],
                              loading_text="◌", exact=exact_count_shown(*failures_in(file))))
        elif name == "lnav":
            exe_path = shutil.which("lnav")
            if exe_path is None:
                missing.append((name, "not installed (apt-get install lnav)"))
                continue
            # lnav opens at the bottom of the file: k scrolls up one line first.
            found.append(Tool("lnav", [exe_path, str(file)], "G", ("k", "j"), ["q"]))
        elif name == "toolong":
            exe = Path("/tmp/toolong-venv/bin/tl")
            exe_path = str(exe) if exe.exists() else shutil.which("tl")
            if exe_path is None:
                missing.append((name, "not installed (/tmp/toolong-venv/bin/tl)"))
                continue
            # toolong tails: it opens at the end. Its `G` is *home*; End goes to the end. The first
            # key only switches its tail mode off (a footer change, no scroll): sent untimed.
            found.append(Tool("toolong", [exe_path, str(file)], "End", ("k", "j"), ["C-c"], prime_key="k",
                              primed=lambda screen: bool(screen) and "TAIL" not in screen[-1]))
        elif name.startswith("logview@"):
            # another checkout's logview (its src/), run by this venv: before and after, in one run
            source_dir = Path(name.split("@", 1)[1]).resolve() / "src"
            if not (source_dir.parent / "styles").is_dir():  # the app would run without CSS (blank)
                missing.append((name, "no styles/ beside src/ (git archive REV src styles)"))
                continue
            compiled(source_dir)
            code = (f"import sys; sys.path.insert(0, {str(source_dir)!r}); sys.argv[0] = 'logview'; "
                    "from logview.cli import main; sys.exit(main())")
            found.append(Tool(f"logview@{source_dir.parent.name}", [str(REPO / ".venv" / "bin" / "python"), "-c", code,
                              "--file", str(file)], "G", ("j", "k"), ["q"], loading_text="◌",
                              exact=exact_count_shown(*failures_in(file))))
        elif name == "bare":
            # A Textual app that paints one line holding both markers: the floor for first rows.
            python = REPO / ".venv" / "bin" / "python"
            found.append(Tool("bare", [str(python), str(HERE / "bare_textual.py")], "G", ("j", "k"), ["q"]))
        else:
            missing.append((name, "unknown tool"))
    return found, missing


def precompile(tool: Tool) -> None:
    """Byte-compile a Python tool's code once, as an installed package on a user's machine is.

    Where PYTHONDONTWRITEBYTECODE is set (it is on our sandboxes) nothing else writes .pyc files,
    and every launch would compile textual and the tool from source (~0.5 s more); that is not
    what users see."""
    python = Path(tool.argv[0]).parent / "python"
    if not python.exists():
        return
    code = ("import compileall, site, sys; "
            "[compileall.compile_dir(p, quiet=1) for p in site.getsitepackages() + sys.path if p.endswith('src')]")
    subprocess.run([str(python), "-c", code], cwd=REPO, check=False, capture_output=True)


# ------------------------------------------------------------------------------------------------
# tmux
# ------------------------------------------------------------------------------------------------

class TmuxError(RuntimeError):
    pass


class Tmux:
    """A private tmux server plus one control-mode client for fast commands."""

    def __init__(self) -> None:
        if shutil.which("tmux") is None:
            raise TmuxError("tmux is not installed")
        self.socket = f"logview-bench-{os.getpid()}"
        self.socket_path = os.path.join(os.environ.get("TMUX_TMPDIR") or "/tmp", f"tmux-{os.getuid()}", self.socket)
        self._control: subprocess.Popen | None = None
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        self._run("new-session", "-d", "-s", "bench-keepalive", "-x", str(WIDTH), "-y", str(HEIGHT),
                  "sleep 86400")
        self._run("set-option", "-g", "remain-on-exit", "on")
        self._run("set-option", "-g", "history-limit", "0")
        if Path("/lib/terminfo/t/tmux-256color").exists() or Path("/usr/share/terminfo/t/tmux-256color").exists():
            self._run("set-option", "-g", "default-terminal", "tmux-256color")
        self._control = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach-session", "-t", "bench-keepalive", "-f",
             "ignore-size,no-output"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._sync = 0
        self._sync_control()
        self.socket_path = self.cmd("display-message -p '#{socket_path}'")[0].strip()
        self.server_pid = int(self.cmd("display-message -p '#{pid}'")[0].strip())

    def _run(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise TmuxError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def _read_block(self) -> tuple[bool, list[bytes]]:
        """The next %begin…%end/%error block (notifications outside blocks are skipped)."""
        assert self._control is not None and self._control.stdout is not None
        stdout = self._control.stdout
        while True:
            line = stdout.readline()
            if not line:
                raise TmuxError("the tmux control client went away")
            if line.startswith(b"%begin"):
                break
        out: list[bytes] = []
        while True:
            line = stdout.readline()
            if not line:
                raise TmuxError("the tmux control client went away")
            if line.startswith(b"%end") or line.startswith(b"%error"):
                return line.startswith(b"%end"), out
            out.append(line)

    def _sync_control(self) -> None:
        """Skip whatever the attach printed (its block may arrive late, so `cmd` guards too)."""
        self.cmd("display-message -p ready")

    def _write(self, text: str) -> None:
        assert self._control is not None and self._control.stdin is not None
        stdin = self._control.stdin
        stdin.write(text.encode())
        stdin.flush()

    def cmd(self, command: str) -> list[str]:
        """One command over the control client (arguments must not need quoting).

        The command is followed by a `display-message` with a unique token, and its answer is the
        block just before the token's: a stray block (the attach's own, which can arrive late) is
        never taken for the answer."""
        self._sync += 1
        token = f"__bench_sync_{self._sync}__".encode()
        self._write(f"{command}\ndisplay-message -p {token.decode()}\n")
        previous: tuple[bool, list[bytes]] | None = None
        while True:
            block = self._read_block()
            if len(block[1]) == 1 and block[1][0].strip() == token:
                break
            previous = block
        if previous is None:
            raise TmuxError(f"{command}: no answer")
        ok, lines = previous
        text = [line.decode("utf-8", errors="replace").rstrip("\n") for line in lines]
        if not ok:
            raise TmuxError(f"{command}: {' '.join(text)}")
        return text

    def new_session(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        args = ["new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT)]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        self._run(*args, "--", *argv)

    def capture(self, name: str, escapes: bool = False) -> list[str]:
        return self.cmd(f"capture-pane -p {'-e ' if escapes else ''}-t {name}")

    def send(self, name: str, key: str) -> None:
        self.cmd(f"send-keys -t {name} {key}")

    def pane(self, name: str) -> tuple[int, bool]:
        pid, dead = self.cmd(f"display-message -p -t {name} '#{{pane_pid}} #{{pane_dead}}'")[0].split()
        return int(pid), dead == "1"

    def kill_session(self, name: str) -> None:
        try:
            self.cmd(f"kill-session -t {name}")
        except TmuxError:
            pass

    def close(self) -> None:
        control = self._control
        if control is not None:
            try:
                if control.stdin:
                    control.stdin.close()
                control.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                control.kill()
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        if self.socket_path.endswith(self.socket):
            try:
                os.unlink(self.socket_path)
            except OSError:
                pass


# ------------------------------------------------------------------------------------------------
# screens and processes
# ------------------------------------------------------------------------------------------------

def line_cells(line: str) -> list[tuple[str, str]]:
    """(char, style) per cell of one `capture-pane -e` line (style: SGR codes since the last reset)."""
    out: list[tuple[str, str]] = []
    style = ""
    pos = 0
    for match in _SGR.finditer(line):
        out.extend((ch, style) for ch in line[pos:match.start()])
        codes = match.group(1)
        style = "" if codes in ("", "0") else (style + ";" + codes if style else codes)
        pos = match.end()
    out.extend((ch, style) for ch in line[pos:])
    return out


def changed_cols(line_a: str, line_b: str) -> list[int]:
    """Columns whose (char, style) differ between two versions of one captured line."""
    if line_a == line_b:
        return []
    cells_a, cells_b = line_cells(line_a), line_cells(line_b)
    blank = (" ", "")
    return [col for col in range(max(len(cells_a), len(cells_b)))
            if (cells_a[col] if col < len(cells_a) else blank) != (cells_b[col] if col < len(cells_b) else blank)]


def changed(a: list[str], b: list[str]) -> set[tuple[int, int]]:
    """Screen cells (row, col) that differ between two `capture-pane -e` screens. Only rows whose
    raw text differs are parsed, so comparing two equal screens costs one list comparison."""
    out: set[tuple[int, int]] = set()
    for row in range(max(len(a), len(b))):
        line_a = a[row] if row < len(a) else ""
        line_b = b[row] if row < len(b) else ""
        if line_a != line_b:
            out.update((row, col) for col in changed_cols(line_a, line_b))
    return out


MIN_ROW_CELLS = 8  # a cursor move or a scroll changes a whole row; a progress counter a few digits


def explained(cells: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The changed cells a key press can explain: content rows (not the top line nor the bottom
    three, where viewers keep status and progress) with at least MIN_ROW_CELLS changed cells."""
    per_row: dict[int, int] = {}
    for row, _col in cells:
        if 1 <= row < HEIGHT - 3:
            per_row[row] = per_row.get(row, 0) + 1
    rows = {row for row, count in per_row.items() if count >= MIN_ROW_CELLS}
    return {cell for cell in cells if cell[0] in rows}


def answers(base: list[str], now: list[str], noise: set[tuple[int, int]]) -> bool:
    """`explained(changed(base, now) - noise)` is not empty — stopping at the first such row,
    so the check stays cheap while polling."""
    for row in range(1, min(HEIGHT - 3, len(base), len(now))):
        if base[row] == now[row]:
            continue
        if sum(1 for col in changed_cols(base[row], now[row]) if (row, col) not in noise) >= MIN_ROW_CELLS:
            return True
    return False


def machine_busy(seconds: float = 0.5) -> float:
    """Share of all CPU time that was not idle over `seconds` (0..1)."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)
        return sum(values), idle
    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def busy_jiffies() -> tuple[int, int]:
    """(non-idle, total) jiffies of the whole machine so far."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


class OthersMeter:
    """How much CPU processes other than the tool, tmux and this script used during a launch."""

    def __init__(self, tmux_pid: int) -> None:
        self.tmux_pid = tmux_pid
        self.start_busy, self.start_total = busy_jiffies()
        self.start_mine = self._mine()

    def _mine(self) -> float:
        times = os.times()
        return times.user + times.system + cpu_seconds(self.tmux_pid, tree=False)

    def share(self, tool_pid: int) -> float:
        """Others' share of the machine's CPU time since the start (0..1)."""
        busy, total = busy_jiffies()
        tick = os.sysconf("SC_CLK_TCK")
        others = (busy - self.start_busy) / tick - cpu_seconds(tool_pid) - (self._mine() - self.start_mine)
        return max(0.0, others / max(1e-9, (total - self.start_total) / tick))


def wait_quiet(limit: float, max_wait: float) -> float:
    """Wait (at most `max_wait` s) until the machine is quiet; return the last busy share seen."""
    deadline = time.perf_counter() + max_wait
    busy = machine_busy()
    while busy > limit and time.perf_counter() < deadline:
        busy = machine_busy()
    return busy


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def _status_kib(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mib(pid: int) -> float:
    """VmHWM of the pane process plus any children it started (e.g. helper processes)."""
    return sum(_status_kib(p, "VmHWM") for p in process_tree(pid)) / 1024


def tree_rss_mib(pid: int) -> float:
    """VmRSS of the pane process and its children now (sampled while loading: a helper process
    that has ended by the time VmHWM is read still counts)."""
    return sum(_status_kib(p, "VmRSS") for p in process_tree(pid)) / 1024


def tree_pss_mib(pid: int) -> float:
    """Pss of the pane process and its children now: each shared page counted once over them (a
    child forked from the viewer shares most of its memory with it, which the RSS sum counts twice)."""
    return pss_mib(process_tree(pid))


def pss_mib(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as handle:
                total += next((int(line.split()[1]) for line in handle if line.startswith("Pss:")), 0)
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int, tree: bool = True) -> float:
    """CPU of `pid` (and, with `tree`, of its live descendants and of the children it has reaped:
    logview's child reading a big file's back half is gone by the time a launch is measured)."""
    total = 0.0
    for p in (process_tree(pid) if tree else [pid]):
        try:
            with open(f"/proc/{p}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            used = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if tree else 0)
            total += used / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return total


# ------------------------------------------------------------------------------------------------
# one launch
# ------------------------------------------------------------------------------------------------

@dataclass
class Needles:
    first: list[str]  # any of these on screen = rows are showing
    oldest: list[str]  # any of these on screen = the oldest entry is showing


def needles_for(file: Path) -> Needles:
    """Markers plus ids of the first and last 50 lines (raw-text viewers show ids, logview does not)."""
    with file.open("rb") as handle:
        head = [handle.readline() for _ in range(50)]
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - 64 * 1024))
        tail = handle.read().splitlines()[-50:]
    ids = [m.group(1).decode() for line in head + tail if (m := _ID.search(line))]
    last_id = _ID.search(tail[-1]) if tail else None
    oldest = [OLDEST_MARKER] + ([last_id.group(1).decode()] if last_id else [])
    return Needles(first=[NEWEST_MARKER, OLDEST_MARKER, *ids], oldest=oldest)


def visible(screen: list[str], needles: list[str]) -> bool:
    text = "\n".join(screen)
    return any(n in text for n in needles)


@dataclass
class Launch:
    first_rows: float | None = None
    oldest: float | None = None
    exact: float | None = None  # the final failure count on screen (tools with `exact`)
    cpu_s: float | None = None  # the tool's CPU (its tree's) by then, or by the oldest row for others
    rss_mib: float | None = None
    pss_mib: float | None = None  # the tree's peak Pss while loading (see `tree_pss_mib`)
    latencies_loading: list[float] = field(default_factory=list)
    latencies_after: list[float] = field(default_factory=list)
    misses: int = 0
    error: str | None = None  # "timeout: …" or "failed: …"
    busy_before: float = 0.0  # CPU share in use on the machine just before the launch
    others: float = 0.0  # share of the machine's CPU other processes used during the launch


# `--kept-caches`: each tool's cache folder (XDG_CACHE_HOME), kept from one of its launches to the
# next as a user's is (logview keeps the styles it parsed there: its first launch parses them)
KEPT_CACHES: dict[str, Path] = {}


class Session:
    """One launch of a tool in its own tmux session, with an empty HOME of its own."""

    def __init__(self, tmux: Tmux, tool: Tool, scratch: Path, label: str) -> None:
        self.tmux, self.tool = tmux, tool
        self.name = f"bench-{tool.name}-{label}-{random.randrange(1 << 30):x}"
        home = scratch / self.name
        home.mkdir()
        env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
               "XDG_DATA_HOME": str(home / ".local/share"),
               "XDG_CACHE_HOME": str(KEPT_CACHES.get(tool.name, home / ".cache")),
               "COLORTERM": "truecolor", "LANG": os.environ.get("LANG", "C.UTF-8") or "C.UTF-8",
               "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        self.started = time.perf_counter()
        tmux.new_session(self.name, tool.argv, env)
        self.pid, _ = tmux.pane(self.name)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def dead(self) -> bool:
        try:
            return self.tmux.pane(self.name)[1]
        except TmuxError:
            return True

    def screen(self, escapes: bool = False) -> list[str]:
        return self.tmux.capture(self.name, escapes)

    def failure(self) -> str:
        try:
            lines = [line for line in self.screen() if line.strip()]
        except TmuxError:
            lines = []
        text = " ".join(line.strip() for line in lines) or "exited"
        return "failed: " + (text if len(text) <= 300 else "…" + text[-300:])

    def wait_first_rows(self, needles: Needles, timeout: float) -> float | None:
        while self.elapsed() < timeout:
            screen = self.screen()
            if visible(screen, needles.first):
                return self.elapsed()
            if self.dead():
                raise RuntimeError(self.failure())
            time.sleep(0.004)
        return None

    def close(self) -> None:
        try:
            if not self.dead():
                for key in self.tool.quit_keys:
                    self.tmux.send(self.name, key)
                deadline = time.perf_counter() + 2
                while time.perf_counter() < deadline and not self.dead():
                    time.sleep(0.05)
        except TmuxError:
            pass
        self.tmux.kill_session(self.name)


def run_ends(tmux: Tmux, tool: Tool, needles: Needles, scratch: Path, timeout: float,
             settle_max: float) -> Launch:
    """First rows, then the end key until the oldest entry shows, then peak RSS once idle."""
    result = Launch(busy_before=wait_quiet(QUIET_LIMIT, QUIET_MAX_WAIT))
    meter = OthersMeter(tmux.server_pid)
    session = Session(tmux, tool, scratch, "ends")
    try:
        result.first_rows = session.wait_first_rows(needles, timeout)
        if result.first_rows is None:
            result.error = "timeout: no rows"
            return result
        next_key = 0.0
        next_sample, next_scan, tree_peak, pss_peak = 0.0, 0.0, 0.0, 0.0
        tree: list[int] = []
        while session.elapsed() < timeout and (result.oldest is None or (tool.exact and result.exact is None)):
            if time.perf_counter() >= next_sample:  # the whole tree, while helpers live (they end early)
                if time.perf_counter() >= next_scan:  # (listing /proc costs more than the samples)
                    tree, next_scan = process_tree(session.pid), time.perf_counter() + TREE_RESCAN_S
                tree_peak = max(tree_peak, sum(_status_kib(p, "VmRSS") for p in tree) / 1024)
                pss_peak = max(pss_peak, pss_mib(tree))
                next_sample = time.perf_counter() + 0.05
            screen = session.screen()
            if result.oldest is None and visible(screen, needles.oldest):
                result.oldest = session.elapsed()
            if tool.exact is not None and result.exact is None and tool.exact(screen):
                result.exact = session.elapsed()
                result.cpu_s = cpu_seconds(session.pid)
            elif tool.exact is None and result.cpu_s is None and result.oldest is not None:
                result.cpu_s = cpu_seconds(session.pid)
            if session.dead():
                raise RuntimeError(session.failure())
            if result.oldest is None and time.perf_counter() >= next_key:
                tmux.send(session.name, tool.end_key)
                next_key = time.perf_counter() + 0.1
            time.sleep(LATER_POLL_S)
        if result.oldest is None:
            result.error = "timeout: oldest entry not reached"
        elif tool.exact is not None and result.exact is None:
            result.error = "timeout: no final count"
        # Peak RSS once the tool is idle (finished loading/indexing).
        deadline = time.perf_counter() + settle_max
        before = cpu_seconds(session.pid)
        while time.perf_counter() < deadline:
            time.sleep(0.5)
            now = cpu_seconds(session.pid)
            if now - before < 0.025:
                break
            before = now
        result.rss_mib = max(peak_rss_mib(session.pid), tree_peak)
        result.pss_mib = max(pss_peak, tree_pss_mib(session.pid))
    except RuntimeError as error:
        result.error = str(error)
    finally:
        result.others = meter.share(session.pid)
        session.close()
    return result


def run_keys(tmux: Tmux, tool: Tool, needles: Needles, scratch: Path, timeout: float, presses: int,
             window: float) -> Launch:
    """Alternate two movement keys from first rows on; time each press until the screen answers."""
    result = Launch(busy_before=wait_quiet(QUIET_LIMIT, QUIET_MAX_WAIT))
    meter = OthersMeter(tmux.server_pid)
    session = Session(tmux, tool, scratch, "keys")
    try:
        result.first_rows = session.wait_first_rows(needles, timeout)
        if result.first_rows is None:
            result.error = "timeout: no rows"
            return result
        noise: set[tuple[int, int]] = set()  # cells that change on their own
        answered: set[tuple[int, int]] = set()  # cells that answered a press: never noise
        base = session.screen(escapes=True)

        def learn(seconds: float) -> None:
            nonlocal base
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                now = session.screen(escapes=True)
                noise.update(changed(base, now) - answered)
                base = now
                time.sleep(0.002)

        if tool.prime_key is not None and tool.primed is not None:
            for _attempt in range(3):
                tmux.send(session.name, tool.prime_key)
                deadline = time.perf_counter() + 5
                while time.perf_counter() < deadline and not tool.primed(session.screen()):
                    time.sleep(0.01)
                if tool.primed(session.screen()):
                    break
            # Let the prime's answer finish drawing (else its later frames are learned as noise).
            base = session.screen(escapes=True)
            quiet_since, give_up = time.perf_counter(), time.perf_counter() + 3
            while time.perf_counter() - quiet_since < 0.25 and time.perf_counter() < give_up:
                time.sleep(0.01)
                now = session.screen(escapes=True)
                if now != base:
                    base, quiet_since = now, time.perf_counter()
        learn(0.3)
        phase_end = time.perf_counter() + window
        for press in range(presses):
            if time.perf_counter() > phase_end or session.dead():
                break
            learn(random.uniform(0.02, 0.05))
            loading = tool.loading_text is not None and any(tool.loading_text in line for line in base)
            key = tool.keys[press % 2]
            sent = time.perf_counter()
            tmux.send(session.name, key)
            latency = math.inf  # unanswered within PRESS_TIMEOUT: counted as the worst case
            while time.perf_counter() - sent < PRESS_TIMEOUT:
                now = session.screen(escapes=True)
                if answers(base, now, noise):
                    latency = time.perf_counter() - sent
                    diff = explained(changed(base, now) - noise)
                    answered.update(diff)
                    noise.difference_update(diff)
                    break
                time.sleep(0.001)
            if latency == math.inf:
                result.misses += 1
            if loading or tool.loading_text is None:
                result.latencies_loading.append(latency)
            else:
                result.latencies_after.append(latency)
            # Let the rest of the answer land before the next baseline (it is not learned as noise).
            time.sleep(0.08)
            base = session.screen(escapes=True)
    except RuntimeError as error:
        result.error = str(error)
    finally:
        result.others = meter.share(session.pid)
        session.close()
    return result


# ------------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def median_or(values: list[float | None], errors: list[str], fmt: str) -> str:
    """Median, with the range when there are several values: `1.02 (0.95–1.30)`."""
    good = [v for v in values if v is not None]
    if not good:
        kinds = {e.split(":")[0] for e in errors if e}
        return "/".join(sorted(kinds)) or "n/a"
    text = fmt.format(statistics.median(good))
    if len(good) > 1 and fmt.format(min(good)) != fmt.format(max(good)):
        text += f" ({fmt.format(min(good))}–{fmt.format(max(good))})"
    if len(good) < len(values):
        text += f" [{len(values) - len(good)} failed]"
    return text


def latency_text(values: list[float]) -> str:
    """`p50 / p95 (n=…)` in ms; unanswered presses count as the worst case and show as >10000."""
    if not values:
        return "n/a"

    def ms(value: float) -> str:
        return f">{PRESS_TIMEOUT * 1000:.0f}" if value == math.inf else f"{value * 1000:.0f}"

    missed = sum(1 for v in values if v == math.inf)
    extra = f", {missed} unanswered" if missed else ""
    return f"{ms(percentile(values, .5))} / {ms(percentile(values, .95))} (n={len(values)}{extra})"


def summarise(tool: Tool, ends: list[Launch], keys: list[Launch]) -> dict[str, str]:
    errors = [l.error or "" for l in ends + keys]
    first = [l.first_rows for l in ends + keys]
    loading = [x for l in keys for x in l.latencies_loading]
    after = [x for l in keys for x in l.latencies_after]
    key_text = latency_text(loading)
    if tool.loading_text is None and loading:
        key_text += " *"
    return {
        "tool": tool.name,
        "first rows s": median_or(first, [e for e in errors if e.startswith(("timeout: no", "failed"))], "{:.2f}"),
        "oldest reachable s": median_or([l.oldest for l in ends], [l.error or "" for l in ends], "{:.2f}"),
        # logview: launch → the whole file's failure count final on screen; lnav: its full index,
        # which is when it shows the file's last line (it opens at the end)
        "exact count s": (median_or([l.exact for l in ends], [l.error or "" for l in ends], "{:.2f}")
                          if tool.exact is not None else
                          median_or([l.oldest for l in ends], [l.error or "" for l in ends], "{:.2f}") + " (index)"
                          if tool.name == "lnav" else "n/a"),
        # CPU varies less than the wall clock on a shared machine: a before/after beside the times
        "CPU s by then": median_or([l.cpu_s for l in ends], [l.error or "" for l in ends], "{:.2f}"),
        "peak RSS MiB": median_or([l.rss_mib for l in ends], [l.error or "" for l in ends], "{:.0f}"),
        "peak PSS MiB": median_or([l.pss_mib for l in ends], [l.error or "" for l in ends], "{:.0f}"),
        "key p50/p95 ms (loading)": key_text,
        "key p50/p95 ms (loaded)": latency_text(after),
    }


def print_table(rows: list[dict[str, str]], markdown: bool) -> None:
    if not rows:
        return
    headers = list(rows[0])
    if markdown:
        print("| " + " | ".join(headers) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|")
        for row in rows:
            print("| " + " | ".join(row[h] for h in headers) + " |")
        return
    widths = [max(len(h), *(len(r[h]) for r in rows)) for h in headers]
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths))))
    for row in rows:
        print("  ".join(row[h].ljust(w) if i == 0 else row[h].rjust(w)
                        for i, (h, w) in enumerate(zip(headers, widths))))


def _median(values: list[float | None]) -> float | None:
    good = [v for v in values if v is not None]
    return statistics.median(good) if good else None


def print_ratios(launches: dict[str, tuple[list[Launch], list[Launch]]]) -> None:
    """logview against lnav (and the bare Textual app), medians of this run: the issue-14 targets."""
    if "logview" not in launches:
        return
    ends, keys = launches["logview"]
    mine = {"first rows": _median([l.first_rows for l in ends + keys]), "oldest": _median([l.oldest for l in ends]),
            "exact": _median([l.exact for l in ends]), "rss": _median([l.rss_mib for l in ends])}
    lines = []
    if "lnav" in launches:
        lnav_ends, lnav_keys = launches["lnav"]
        index = _median([l.oldest for l in lnav_ends])  # lnav shows the last line once fully indexed
        theirs = {"first rows": _median([l.first_rows for l in lnav_ends + lnav_keys]), "oldest": index,
                  "exact": index, "rss": _median([l.rss_mib for l in lnav_ends])}
        for label, key, target in (("first rows", "first rows", 1.0), ("oldest reachable", "oldest", 1.0),
                                   ("whole file exact / lnav's full index", "exact", 1.5), ("peak RSS", "rss", 1.3)):
            if mine[key] is not None and theirs[key]:
                ratio = mine[key] / theirs[key]
                lines.append(f"  {label}: {ratio:.2f}× lnav (target ≤ {target}×: {'met' if ratio <= target else 'MISSED'})")
    if "bare" in launches and mine["first rows"] is not None:
        bare = _median([l.first_rows for l in launches["bare"][0]])
        if bare:
            ratio = mine["first rows"] / bare
            lines.append(f"  first rows: {ratio:.2f}× a bare Textual app ({bare:.2f} s) "
                         f"(target ≤ 2×: {'met' if ratio <= 2 else 'MISSED'})")
    if lines:
        print("\nlogview, medians of this run:\n" + "\n".join(lines))


def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = _status_meminfo()
    return f"{os.cpu_count()} cores ({cpu}), {mem / 2**20:.0f} GiB RAM"


def _status_meminfo() -> int:
    try:
        with open("/proc/meminfo") as handle:
            return int(handle.readline().split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def version(tool: Tool) -> str:
    try:
        if tool.name == "lnav":
            out = subprocess.run([tool.argv[0], "-V"], capture_output=True, text=True, timeout=10).stdout
        elif tool.name == "toolong":
            py = Path(tool.argv[0]).with_name("python")
            out = subprocess.run([str(py), "-c", "import importlib.metadata as m; "
                                  "print('toolong', m.version('toolong'), 'textual', m.version('textual'))"],
                                 capture_output=True, text=True, timeout=20).stdout
        else:
            out = subprocess.run([tool.argv[0], "--version"], capture_output=True, text=True, timeout=20).stdout
        return out.strip().splitlines()[0] if out.strip() else "?"
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time to first rows / oldest entry, peak RSS and key "
                                                 "latency of terminal log viewers on one file.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--tools", default="logview,lnav,toolong,bare")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0, help="per phase, seconds (default 60)")
    parser.add_argument("--settle-max", type=float, default=30.0,
                        help="longest wait for the tool to go idle before reading peak RSS (default 30 s)")
    parser.add_argument("--presses", type=int, default=40, help="key presses per latency launch (default 40)")
    parser.add_argument("--key-window", type=float, default=8.0,
                        help="seconds after first rows to keep pressing keys (default 8)")
    parser.add_argument("--no-keys", action="store_true", help="skip the key-latency launches")
    parser.add_argument("--logview-keys", metavar="A,B", default=None,
                        help="the two keys timed for logview instead of j,k — e.g. 2,2 toggles the second "
                             "status filter on and off (the table and the sidebar counts answer)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every launch")
    parser.add_argument("--quiet-wait", type=float, default=QUIET_MAX_WAIT,
                        help="longest wait for an idle machine before each launch (default 120 s; 0: none)")
    parser.add_argument("--kept-caches", action="store_true",
                        help="each tool keeps its cache folder from one launch to the next, as a user's "
                             "(an unmeasured launch of each fills it first); else every launch starts cold")
    parser.add_argument("--busy-harness", action="store_true",
                        help="poll as before 2026-12-04 (the screen every 5 ms, /proc listed at each "
                             "50 ms memory sample): to compare figures with earlier runs")
    args = parser.parse_args(argv)
    globals()["QUIET_MAX_WAIT"] = max(0.0, args.quiet_wait)
    if args.busy_harness:
        globals().update(LATER_POLL_S=0.005, TREE_RESCAN_S=0.0)
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    file = args.file.resolve()

    tools, missing = available_tools([t.strip() for t in args.tools.split(",") if t.strip()], file)
    for tool in tools:
        precompile(tool)
        if tool.name.startswith("logview") and args.logview_keys:  # (logview@DIR too: a pair times the same keys)
            first, second = args.logview_keys.split(",")
            tool.keys = (first, second)
    needles = needles_for(file)
    with file.open("rb") as handle:  # warm the page cache: every tool reads a cached file
        lines = 0
        while chunk := handle.read(1 << 24):
            lines += chunk.count(b"\n")
    print(f"file: {file} ({file.stat().st_size / 2**20:,.0f} MiB, {lines:,} lines)")
    print(f"machine: {machine()}; terminal: tmux {WIDTH}x{HEIGHT}; runs: {args.runs}; "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')}")
    for tool in tools:
        print(f"  {tool.name}: {version(tool)}")
    for name, why in missing:
        print(f"  {name}: skipped, {why}")
    sys.stdout.flush()

    rows: list[dict[str, str]] = []
    contended: list[str] = []
    launches: dict[str, tuple[list[Launch], list[Launch]]] = {}

    def terminate(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # clean up the tmux server on `kill` too

    signal.signal(signal.SIGTERM, terminate)
    try:
        tmux = Tmux()
    except TmuxError as error:
        print(f"cannot start tmux: {error}", file=sys.stderr)
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="logview-bench-") as scratch:
            # Runs interleave the tools (run 1 of each, then run 2 ...): what disturbs one run of
            # the machine disturbs every tool alike, so the ratios between them hold; and the
            # order turns from run to run, so no tool always goes first.
            active = list(tools)
            if args.kept_caches:
                for tool in tools:
                    KEPT_CACHES[tool.name] = Path(scratch) / f"cache-{tool.name}"
                    warm_up = Session(tmux, tool, Path(scratch), "warm-up")
                    try:
                        warm_up.wait_first_rows(needles, args.timeout)
                    finally:
                        warm_up.close()  # (quit as a user does: logview keeps its styles then)
            for run in range(args.runs):
                # Each run starts with another tool: the first launch of a round was measured
                # 0.04-0.2 s slower on a whole file than the same tree launched later in it.
                shift = run % len(active) if active else 0
                for tool in active[shift:] + active[:shift]:
                    ends, keys = launches.setdefault(tool.name, ([], []))
                    ends.append(run_ends(tmux, tool, needles, Path(scratch), args.timeout, args.settle_max))
                    if args.verbose:
                        print(f"  {tool.name} run {run + 1} ends: {ends[-1]}", flush=True)
                    if not args.no_keys and tool.name != "bare":
                        keys.append(run_keys(tmux, tool, needles, Path(scratch), args.timeout, args.presses,
                                             args.key_window))
                        if args.verbose:
                            print(f"  {tool.name} run {run + 1} keys: {keys[-1]}", flush=True)
                    for kind, launch in (("ends", ends[-1]), ("keys", keys[-1] if keys else None)):
                        if launch is not None and launch.others > CONTENDED:
                            contended.append(f"{tool.name} run {run + 1} {kind} ({launch.others:.0%})")
                    if ends[-1].error and ends[-1].error.startswith("failed"):
                        print(f"  {tool.name}: {ends[-1].error}", flush=True)
                        active.remove(tool)
            rows.extend(summarise(tool, *launches[tool.name]) for tool in tools if tool.name in launches)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        tmux.close()
    print()
    print_table(rows, args.markdown)
    print_ratios(launches)
    if contended:
        print(f"\nnote: {len(contended)} launch(es) shared the machine with other work "
              f"(other processes used > {CONTENDED:.0%} of the CPU): " + ", ".join(contended))
    if any(r["key p50/p95 ms (loading)"].endswith("*") for r in rows):
        print("\n* no loading indicator known for this tool: every press counts as 'while loading'.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
