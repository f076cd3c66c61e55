"""The log table's messages (`LogTable.CursorMoved` …, handled as `on_log_table_cursor_moved` …; Enter
is a call, `LogTable(activate=…)`, not a message: the focus it moves must move at once),
kept apart so that the table's module holds its drawing and its cursor."""

from __future__ import annotations

from textual import events
from textual.message import Message


class CursorMoved(Message, namespace="log_table"):
    """The selected entry changed (`ordinal` None when the view is empty)."""

    def __init__(self, ordinal: int | None) -> None:
        super().__init__()
        self.ordinal = ordinal


class FollowChanged(Message, namespace="log_table"):
    """The cursor left or returned to the newest row (the tail-follow position)."""

    def __init__(self, following: bool, new_rows: int) -> None:
        super().__init__()
        self.following = following
        self.new_rows = new_rows


class SidewaysWheel:
    """`LogTable`'s wheel sideways (its `action_shift`): Shift or Ctrl with the wheel, or a wheel's
    own sideways turn, scrolls the columns that do not fit."""

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if event.shift or event.ctrl:
            self.action_shift(1)  # type: ignore[attr-defined]

    def on_mouse_scroll_right(self, event: events.MouseScrollRight) -> None:
        self.action_shift(1)  # type: ignore[attr-defined]

    def on_mouse_scroll_left(self, event: events.MouseScrollLeft) -> None:
        self.action_shift(-1)  # type: ignore[attr-defined]
