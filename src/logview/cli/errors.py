"""The command line's own error: what the user asked cannot be done as asked (exit 2)."""

from __future__ import annotations


class UsageError(Exception):
    """A bad flag, a missing key, a refused URL: exit 2 with this message."""
