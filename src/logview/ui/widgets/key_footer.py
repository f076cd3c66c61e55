"""The footer of keys, rebuilt only when the keys it shows change.

Textual's `Footer` recomposes on every `bindings_updated` signal: each time the focus moves or a
screen resumes, it removes its ~30 key widgets, makes new ones and styles them again (60–110 ms
on our machines). A launch sends three such signals with the same keys, in the very moments the
first rows are drawn and the first keys pressed. This footer coalesces the signals of one refresh
and recomposes only when what it would show differs from what it shows.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """`Footer`, recomposed only for a change of the keys shown (or their state)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[Any, ...] | None = None  # what the last compose showed
        self._check_pending = False

    def compose(self):  # type: ignore[override]
        if self._bindings_ready:
            self._shown = self.keys_shown()
        yield from super().compose()

    def keys_shown(self) -> tuple[Any, ...]:
        """Everything of the screen's bindings that `Footer.compose` draws."""
        app = self.app
        return (self.show_command_palette, app.ENABLE_COMMAND_PALETTE, app.COMMAND_PALETTE_BINDING,
                tuple((binding.key, app.get_key_display(binding), binding.action, binding.description,
                       binding.show, binding.group, enabled, tooltip, binding.tooltip)
                      for _node, binding, enabled, tooltip in self.screen.active_bindings.values()))

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._check_pending:  # one check for all the signals of one refresh
            self._check_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._check_pending = False
        if not self.is_attached or self.keys_shown() == self._shown:
            return
        await self.recompose()
