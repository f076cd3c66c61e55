"""Category tables: the distinct values of one field, each mapped to a small int code.

The store keeps one per filterable field; a file's background reader keeps its own (a worker
thread must not touch the store's) and hands over the values it has newly coded.
"""

from __future__ import annotations

from typing import Any


class Categories:
    """Distinct values of one field mapped to small ints. Code 0 is "absent or not a string"."""

    def __init__(self, strings_only: bool = True) -> None:
        self.index: dict[Any, int] = {}
        self.values: list[Any] = [None]
        self._strings_only = strings_only
        self._reported = 1

    def __len__(self) -> int:
        return len(self.values)

    def code(self, value: Any) -> int:
        if value is None or (self._strings_only and not isinstance(value, str)):
            return 0
        try:
            found = self.index.get(value)
        except TypeError:  # unhashable (a dict where a name was expected)
            return 0
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found

    def lookup(self, value: Any) -> int | None:
        """The code of a known value, None if it never occurred."""
        if value is None:
            return None
        try:
            return self.index.get(value)
        except TypeError:
            return None

    def take_new(self) -> list[Any]:
        """The values coded since the last call, in code order (for another table to follow)."""
        new = self.values[self._reported:]
        self._reported = len(self.values)
        return new
