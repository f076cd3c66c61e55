"""A launch's timeline, for `benchmarks/launch_timeline.py`: not part of logview.

Put on PYTHONPATH with LOGVIEW_TIMELINE=FILE, this module (Python imports `sitecustomize` at start)
wraps a few functions of logview and Textual as their modules load, and appends one line per event
to FILE: monotonic time, pid, thread id, thread name, the thread's CPU time, the event, details.
Without LOGVIEW_TIMELINE it does nothing. The viewer and its forked child both write (O_APPEND).

Events: the fork (in the child), the child's line index and each segment it writes and its end;
the viewer's reader thread (its wait for the first paint, the lines, the columns, each post, the
wait for the child, the child's segments mapped and recoded); the UI thread's handlers of the
feed's posts and each frame Textual paints (full or partial, and its layouts); each key as it reaches
the app (`ui.key_in`: from the terminal, and `forwarded` back for its binding) and `G`'s jump
(`ui.key_last`); at `Finished`, every thread's CPU and the renders of each widget during the read
(count and CPU).
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import os
import sys
import threading
import time

PATH = os.environ.get("LOGVIEW_TIMELINE")


def _event(name: str, extra: str = "") -> None:
    thread = threading.current_thread().name[:20].replace(" ", "_")
    os.write(_fd, f"{time.monotonic():.6f} {os.getpid()} {threading.get_native_id()} {thread} "
                  f"{time.thread_time():.6f} {name} {extra}\n".encode())


def _timed(name: str, fn):
    """`fn`, with its CPU and wall time logged at each call (and the running count and sum)."""
    calls = [0, 0.0]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        cpu, wall = time.thread_time(), time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            spent = time.thread_time() - cpu
            calls[0] += 1
            calls[1] += spent
            _event(name, f"cpu_ms={spent * 1000:.2f} wall_ms={(time.monotonic() - wall) * 1000:.2f} "
                         f"n={calls[0]} sum_ms={calls[1] * 1000:.1f}")
    return wrapper


def _then(fn, say):
    """`fn`, then `say()` logged (also when it raises)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            say()
    return wrapper


def _threads_cpu(name: str) -> None:
    parts = []
    for thread in threading.enumerate():
        try:
            parts.append(f"{thread.name[:18].replace(' ', '_')}={time.clock_gettime(time.pthread_getcpuclockid(thread.ident)):.3f}")
        except (OSError, TypeError, AttributeError):
            pass
    for task in os.listdir("/proc/self/task"):  # (each thread's time waiting for a core, in s: /proc's schedstat)
        try:
            _, waiting, _ = open(f"/proc/self/task/{task}/schedstat").read().split()
            comm = open(f"/proc/self/task/{task}/comm").read().strip().replace(" ", "_")
            parts.append(f"{task}:{comm}_run_wait={int(waiting) / 1e9:.3f}")
        except (OSError, ValueError):
            pass
    _event(name, " ".join(parts) + f" process={time.process_time():.3f}")


_renders: dict[str, list[float]] = {}


def _counted_render(fn):
    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        cpu = time.thread_time()
        try:
            return fn(self, *args, **kwargs)
        finally:
            tally = _renders.setdefault(f"{type(self).__name__}#{self.id}", [0, 0.0])
            tally[0] += 1
            tally[1] += time.thread_time() - cpu
    return wrapper


def _renders_since(name: str) -> None:
    ranked = sorted(_renders.items(), key=lambda item: -item[1][1])
    _event(name, " ".join(f"{widget}:{n}/{cpu * 1000:.1f}ms" for widget, (n, cpu) in ranked[:16]))
    _renders.clear()


def _patch_split_read(m) -> None:
    m.write_index = _timed("child.write_index", m.write_index)
    m.write_segment = _timed("child.write_segment", m.write_segment)  # (the name `_child` calls)
    m._child = _then(m._child, lambda: _threads_cpu("child.end"))
    m.BackReader.columns = _timed("viewer.wait_child", m.BackReader.columns)


def _patch_back_columns(m) -> None:
    m.BackColumns.segment = _timed("viewer.child_segment_mapped", m.BackColumns.segment)


def _patch_recoder(m) -> None:
    m.Recoder.recode = _timed("viewer.recode", m.Recoder.recode)


def _patch_columns(m) -> None:
    m.ColumnReader.read_chunks = _timed("read_chunks", m.ColumnReader.read_chunks)  # (the child's segments)
    m.ColumnReader.read_chunk = _timed("read_chunk", m.ColumnReader.read_chunk)  # (the viewer's)


def _patch_file_reading(m) -> None:
    reading = m.FileReading
    for method, name in (("begin", "reader.begin"), ("run", "reader.run"),
                         ("_wait_for_first_paint", "reader.wait_first_paint"), ("_index_lines", "reader.index_lines"),
                         ("_read_columns", "reader.read_columns"), ("_post_columns", "reader.post_columns"),
                         ("_post_lines", "reader.post_lines"), ("_wait_until_received", "reader.wait_received"),
                         ("_wait_for_lines_shown", "reader.wait_lines_shown")):
        if hasattr(reading, method):  # (a tree that has it)
            setattr(reading, method, _timed(name, getattr(reading, method)))


def _patch_feed(m) -> None:
    m.Feed.on_feed_lines_found = _then(_timed("ui.lines_found", m.Feed.on_feed_lines_found),
                                       lambda: _renders_since("ui.renders_to_lines"))
    m.Feed.on_feed_columns_read = _timed("ui.columns_read", m.Feed.on_feed_columns_read)
    m.Feed.on_feed_finished = _then(_timed("ui.finished", m.Feed.on_feed_finished), lambda: (
        _threads_cpu("threads_at_finished"), _renders_since("ui.renders_while_reading"),
        _after_finished.__setitem__(0, True)))


def _patch_viewer(m) -> None:
    for method in ("refresh_all", "refresh_status", "tick"):
        setattr(m.ViewerScreen, method, _timed(f"ui.{method}", getattr(m.ViewerScreen, method)))


def _patch_compositor(m) -> None:
    m.Compositor.render_full_update = _timed("ui.frame_full", m.Compositor.render_full_update)
    m.Compositor.render_partial_update = _timed("ui.frame_partial", m.Compositor.render_partial_update)
    m.Compositor.reflow = _timed("ui.reflow", m.Compositor.reflow)


def _patch_screen(m) -> None:
    m.Screen._on_timer_update = _timed("ui.screen_tick", m.Screen._on_timer_update)  # (a frame's turn: 60 a second at most)


_after_finished = [False]


def _patch_app(m) -> None:
    display = _timed("ui.display", m.App._display)  # (the frame written out)

    def displayed(self, *args, **kwargs):  # (after `Finished`: each frame's renders, so the one that shows it is known)
        try:
            return display(self, *args, **kwargs)
        finally:
            if _after_finished[0]:
                _renders_since("ui.frame_renders")
    m.App._display = displayed


def _patch_widget(m) -> None:
    m.Widget.render_lines = _counted_render(m.Widget.render_lines)


def _patch_log_table(m) -> None:
    m.LogTable.action_last = _timed("ui.key_last", m.LogTable.action_last)  # (G: when the jump is made)


def _patch_logview_app(m) -> None:
    on_event = m.LogViewApp.on_event

    async def keyed(self, event):  # (when a key reaches the app: from the terminal, and back for its binding)
        if type(event).__name__ == "Key":
            _event("ui.key_in", f"key={event.key} forwarded={event.is_forwarded}")
        return await on_event(self, event)
    m.LogViewApp.on_event = keyed


PATCHES = {
    "logview.files.split_read": _patch_split_read,
    "logview.files.back_columns": _patch_back_columns,
    "logview.files.recoder": _patch_recoder,
    "logview.files.columns": _patch_columns,
    "logview.ui.file_reading": _patch_file_reading,
    "logview.ui.feed": _patch_feed,
    "logview.ui.viewer": _patch_viewer,
    "textual._compositor": _patch_compositor,
    "textual.screen": _patch_screen,
    "textual.app": _patch_app,
    "textual.widget": _patch_widget,
    "logview.ui.widgets.log_table": _patch_log_table,
    "logview.ui.app": _patch_logview_app,
}


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches each module of PATCHES once it has run (its import is not moved earlier)."""

    def find_spec(self, name, path, target=None):
        patch = PATCHES.get(name)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            patch(module)
        spec.loader.exec_module = exec_module
        return spec


if PATH:
    _fd = os.open(PATH, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    _event("start")
    os.register_at_fork(after_in_child=lambda: _event("child.forked"))
    sys.meta_path.insert(0, _PatchOnImport())
