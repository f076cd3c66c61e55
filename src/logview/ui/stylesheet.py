"""The app's stylesheet, each source parsed once at start-up.

Textual's `Stylesheet.reparse` parses every source in a fresh stylesheet and keeps its rules, not
its parse cache. At start-up the theme's `refresh_css` reparses, then the first screen's widget
classes add their default CSS and `parse` parses every source again, the app's own styles among
them: ~10 ms of the ~25 ms of CSS parsing before the first rows, thrown away.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet


class ParsedOnceStylesheet(Stylesheet):
    """A `Stylesheet` whose `reparse` keeps what it parsed for the next `parse`."""

    def reparse(self) -> None:
        # As Textual's (a fresh stylesheet, so that invalid CSS leaves this one as it was), but the
        # fresh one fills this one's parse cache: parsed with the same variables (`set_variables`,
        # which a theme's change calls before reparsing, empties it).
        fresh = Stylesheet(variables=self._variables)
        fresh._parse_cache = self._parse_cache
        for read_from, source in self.source.items():
            fresh.add_source(source.content, read_from=read_from, is_default_css=source.is_defaults,
                             tie_breaker=source.tie_breaker, scope=source.scope)
        try:
            fresh.parse()
        except Exception:
            self._invalid_css.update(fresh._invalid_css)  # (as Textual: not parsed again on the way out)
            raise
        self._rules = fresh.rules
        self._rules_map = None
        self.source = fresh.source
        self._require_parse = False


__all__ = ["ParsedOnceStylesheet"]
