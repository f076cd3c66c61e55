"""The error groups of a big file's lines for the column reader (`columns.py`): each asked of the
source once per distinct key, not once per line. A key is everything `Source.error_group` reads of
an entry with these fields (`sources.shapes`): Supermetrics (status, event); Aitronos (status, the
error, error_message), the error an object's code and message (`shapes.ErrorFields`) or the value
it is. Lines with equal keys have equal groups, if each value is text or null: `1 == 1.0 == True`
and `0.0 == -0.0`, which print unlike, so a key holding another value is never remembered (a key
that equals one remembered holds only text and nulls too), and one holding an object is no key.

Supermetrics: a group follows from the status and event codes alone, so the source is asked once
per pair of codes in a chunk. Aitronos: the rows that may have a group (a status other than
`success`, an error, an error_message) are looked up by key all at once.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

import numpy as np

from logview.sources.base import Source
from logview.sources.shapes import ErrorFields

# Error groups remembered by what makes them: the messages of some errors differ line by line (ids,
# numbers), so a large cache would hold many of them for few hits.
GROUP_CACHE_LIMIT = 2_000
_UNSEEN = object()


def group_input(key: tuple[Any, ...]) -> tuple[Any, dict[str, Any]]:
    """(status, raw entry) to ask `Source.error_group` for the group of `key`'s lines."""
    if len(key) == 2:
        status, event = key
        return status, {} if event is None else {"event": event}
    status, error, message = key
    raw: dict[str, Any] = {} if message is None else {"error_message": message}
    if type(error) is ErrorFields:
        raw["error"] = {"code": error.code, "message": error.message}
    elif error is not None:
        raw["error"] = error
    return status, raw


def _rememberable(key: tuple[Any, ...]) -> bool:
    """Whether the group of `key` may be remembered (see above). A Supermetrics key always may:
    `by_codes` asks only for an integer status (never a bool) and an event name or None."""
    if len(key) == 2:
        return True
    status, error, message = key
    values = (status, message, *((error.code, error.message) if type(error) is ErrorFields else (error,)))
    return all(type(value) is str or value is None for value in values)


class ErrorGroups:
    """A reader's error groups by key, remembered across chunks."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._groups: dict[tuple[Any, ...], Any] = {}
        self._status_groups = np.zeros(0, dtype=bool)  # per status code: may it make an error group

    def of_key(self, key: tuple[Any, ...]) -> Any:
        """The group of lines with this key (see above)."""
        try:
            found = self._groups.get(key, _UNSEEN)
        except TypeError:  # an object in it: not a key, asked every time
            found = _UNSEEN
        if found is _UNSEEN:
            found = self.source.error_group(*group_input(key))
            if _rememberable(key):
                if len(self._groups) >= GROUP_CACHE_LIMIT:
                    self._groups.clear()
                self._groups[key] = found
        return found

    def by_codes(self, status_values: list[Any], event_values: list[Any], statuses: np.ndarray,
                 events: np.ndarray, skip: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Any]]:
        """Supermetrics (`shapes.SupermetricsFields`): the rows whose group may be one (all but
        `skip`), and per distinct (status, event) pair of codes among them its index in those rows'
        `inverse`, its first row and its group: (rows, inverse, first rows, groups)."""
        if len(self._status_groups) < len(status_values):  # may a status make a group at all?
            self._status_groups = np.array([type(v) is int and v >= 400 for v in status_values], dtype=bool)
        may = self._status_groups[statuses]
        may[skip] = False  # (their groups are the exact reading's)
        rows = np.flatnonzero(may)
        pairs, first, inverse = np.unique(statuses[rows].astype(np.int64) << 32 | events[rows],
                                          return_index=True, return_inverse=True)
        found = [self.of_key((status_values[int(pair) >> 32], event_values[int(pair) & 0xFFFFFFFF]))
                 for pair in pairs.tolist()]
        return rows, inverse.reshape(-1), rows[first], found

    def by_fields(self, fields: list[Any], skip: list[int]) -> tuple[list[int], list[Any]]:
        """Aitronos (`shapes.AitronosFields`): the rows of a block whose group may be one (a status
        other than `success`, an error, an error message; all but `skip`) and their groups."""
        rows = [i for i, f in enumerate(fields)
                if f.status != "success" or f.error is not None or f.error_message is not None]
        if skip:
            rows = sorted(set(rows) - set(skip))
        keys = [(f.status, f.error, f.error_message) for f in map(fields.__getitem__, rows)]
        try:
            groups = list(map(self._groups.get, keys, repeat(_UNSEEN)))
        except TypeError:  # an object in a key (`of_key`)
            groups = [_UNSEEN] * len(keys)
        for j in [j for j, group in enumerate(groups) if group is _UNSEEN]:
            groups[j] = self.of_key(keys[j])
        return rows, groups
