"""The error groups of a big file's lines for the column reader (`columns.py`): each asked of the
source once per distinct key, not once per line. A key is everything `Source.error_group` reads of
an entry with these fields (`sources.shapes`): Supermetrics (status, event); Aitronos (status, the
error's JSON, error_message), hashable unless the message is an object. Lines with equal keys have
equal groups.

Supermetrics: a group follows from the status and event codes alone, so the source is asked once
per pair of codes in a chunk. Aitronos: the rows that may have a group (a status other than
`success`, an `error` that is not null, an `error_message`) are looked up by key all at once.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

import msgspec
import numpy as np

from logview.sources.base import Source
from logview.sources.shapes import NULL

# Error groups remembered by what makes them: an Aitronos key holds the error's JSON, which often
# differs line by line (ids, numbers), so a large cache would hold ~20 MiB of them for few hits.
GROUP_CACHE_LIMIT = 2_000
_UNSEEN = object()
_DECODE_ERRORS = (msgspec.DecodeError, RecursionError)


class Undecidable(Exception):
    """A line whose error group its fields cannot tell: read it the exact way."""


def group_input(key: tuple[Any, ...]) -> tuple[Any, dict[str, Any]]:
    """(status, raw entry) to ask `Source.error_group` for the group of `key`'s lines."""
    if len(key) == 2:
        status, event = key
        return status, {} if event is None else {"event": event}
    status, error, message = key
    raw = {} if message is None else {"error_message": message}
    if error != b"null":
        try:
            raw["error"] = msgspec.json.decode(error)
        except _DECODE_ERRORS:  # a number beyond a double, which `load_json` reads as infinite
            raise Undecidable from None
    return status, raw


class ErrorGroups:
    """A reader's error groups by key, remembered across chunks."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._groups: dict[tuple[Any, ...], Any] = {}
        self._status_groups = np.zeros(0, dtype=bool)  # per status code: may it make an error group

    def of_key(self, key: tuple[Any, ...]) -> Any:
        """The group of lines with this key (see above); Undecidable if the fields cannot tell."""
        try:
            found = self._groups.get(key, _UNSEEN)
        except TypeError:  # an object as the error message: not a key, asked every time
            return self.source.error_group(*group_input(key))
        if found is _UNSEEN:
            if len(self._groups) >= GROUP_CACHE_LIMIT:
                self._groups.clear()
            found = self._groups[key] = self.source.error_group(*group_input(key))
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

    def by_fields(self, fields: list[Any], skip: list[int]) -> tuple[list[int], list[Any], list[int]]:
        """Aitronos (`shapes.AitronosFields`): the rows of a block whose group may be one (a status
        other than `success`, an error, an error message; all but `skip`), their groups, and the
        rows whose group the fields cannot tell (`Undecidable`)."""
        rows = [i for i, f in enumerate(fields)  # (msgspec's Raw has a fast `==`, a slow `!=`)
                if f.status != "success" or not f.error == NULL or f.error_message is not None]  # noqa: SIM201
        if skip:
            rows = sorted(set(rows) - set(skip))
        keys = [(f.status, bytes(f.error), f.error_message) for f in [fields[i] for i in rows]]
        try:
            groups = list(map(self._groups.get, keys, repeat(_UNSEEN)))
        except TypeError:  # an object as an error message (`of_key`)
            groups = [_UNSEEN] * len(keys)
        undecidable = []
        for j in [j for j, group in enumerate(groups) if group is _UNSEEN]:
            try:
                groups[j] = self.of_key(keys[j])
            except Undecidable:
                undecidable.append(j)
        if undecidable:
            gone = set(undecidable)
            undecidable = [rows[j] for j in undecidable]
            rows = [row for j, row in enumerate(rows) if j not in gone]
            groups = [group for j, group in enumerate(groups) if j not in gone]
        return rows, groups, undecidable
