"""Category tables: the distinct values of one field, each mapped to a small int code.

The store keeps one per filterable field; a file's background reader keeps its own (a worker
thread must not touch the store's) and hands over the values it has newly coded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


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


class CodeMap:
    """Another set of tables' codes in these tables' codes, field by field: the other side hands
    over the values it coded, in its code order (`Categories.take_new`), and each is coded here
    (used by the store for a file reader's chunks, and by a reader for its child's)."""

    def __init__(self) -> None:
        self._maps: dict[str, np.ndarray] = {}

    def learn(self, tables: Mapping[str, Categories], new_values: Mapping[str, list[Any]]) -> None:
        """Code here the values the other side newly coded, in its order."""
        for name, values in new_values.items():
            known = self._maps.get(name, _ABSENT)
            added = np.fromiter(map(tables[name].code, values), dtype=np.int32, count=len(values))
            self._maps[name] = np.concatenate([known, added]) if len(added) else known

    def translate(self, name: str, codes: np.ndarray) -> np.ndarray:
        """The other side's `codes` of field `name` as codes here (0, absent, stays 0)."""
        return self._maps.get(name, _ABSENT)[codes]

    def clear(self) -> None:
        """The other side numbers its values afresh (a new reader)."""
        self._maps.clear()


_ABSENT = np.zeros(1, dtype=np.int32)  # before any value was learnt: only code 0
