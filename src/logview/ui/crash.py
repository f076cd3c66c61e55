"""What the viewer prints when an error it did not expect (a bug) ends it.

Textual's own report prints every frame's local variables. After a RecursionError that is ~1,000
frames, each holding the deep value that caused it: rendering them took minutes and gigabytes
while the screen stood frozen, `q` and SIGTERM ignored (found in a walk: a file whose entry held
an `error` nested 990 deep). Locals may hold an API key, too. This report has no locals, a few
frames, and a first line that says what happened in words.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Group, RenderableType
from rich.text import Text

from logview.sanitize import clean

# the first and last frames of the stack: where the viewer was, and where it broke
CRASH_FRAMES = 12


def crash_headline(error: BaseException | None) -> str:
    if isinstance(error, RecursionError):
        return ("logview stopped: a value nested too deep for it reached a part of the viewer that reads "
                "values by recursion. This is a bug; please report it with the lines below.")
    name = type(error).__name__ if error is not None else "an error"
    return f"logview stopped on an unexpected error ({name}). This is a bug; please report it with the lines below."


def crash_report(error: BaseException | None, traceback: TracebackType | None) -> RenderableType:
    """The headline, then a short traceback without locals (the error's text made safe: it may
    quote a value from a file or an API)."""
    headline = Text(crash_headline(error), style="bold red")
    if error is None or traceback is None:
        return headline
    try:
        import rich
        import textual
        from rich.traceback import Traceback  # (pygments with it: only when it is needed)

        trace = Traceback.extract(type(error), error, traceback, show_locals=False)
        for stack in trace.stacks:
            stack.exc_value = clean(stack.exc_value)[:2_000]
        return Group(headline, Traceback(trace, max_frames=CRASH_FRAMES, suppress=[rich, textual]))
    except Exception:  # (the report itself must not fail: the headline and the error's type stay)
        return Group(headline, Text(type(error).__name__))
