"""A bare Textual app that paints one line: the floor `bench_viewer.py` holds logview's first rows
to (issue 14: first rows within 2× of it). The line carries both markers the benchmark looks for."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class OneLine(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("bench.newest.marker bench.oldest.marker")


if __name__ == "__main__":
    OneLine().run()
