"""Newest first, whatever order a file was written in.

An export is newest first, but a file may come from elsewhere (concatenated exports, a tool that
appends, a server that sent pages in any order). The viewer shows every source newest first, so
once a file's times are read its rows are put in that order: a stable sort (entries of one moment
keep the file's order), each row without a time kept right after the row it follows in the file
(a torn line stays where it was torn).
"""

from __future__ import annotations

import numpy as np

from logview.files.columns import NO_TIME

_NEWER_THAN_ALL = np.iinfo(np.int64).max  # rows without a time before the first timed one stay first


def newest_first_order(times: np.ndarray) -> np.ndarray | None:
    """The order that puts rows with these times (epoch µs, NO_TIME for none) newest first, as
    indices into `times`; None when they already are."""
    n = len(times)
    if n < 2:
        return None
    timed = times != NO_TIME
    if timed.all():
        filled = times
    else:  # each untimed row takes the time of the timed row before it
        before = np.where(timed, np.arange(n), -1)
        np.maximum.accumulate(before, out=before)
        filled = np.where(before >= 0, times[np.maximum(before, 0)], _NEWER_THAN_ALL)
    if not (filled[1:] > filled[:-1]).any():
        return None
    return np.argsort(-filled, kind="stable")
