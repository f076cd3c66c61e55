"""Labels cut to a width so that distinct values stay distinct.

`gmail.send_email` and `gmail.search_messages` both cut at the end read `gmail.se…`; seven error
groups that differ only in their last words all read `TIMEOUT: Tool executi…`. Those are cut in
the middle instead, where they agree, which keeps them apart: `gmai…_email`, `gmai…sages`; labels
that stay distinct cut at the end keep the plain cut. Widths are
terminal cells (a wide character counts twice).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, get_character_cell_size

ELLIPSIS = "…"


def head(text: str, cells: int) -> str:
    """The longest start of `text` that fits `cells`."""
    used = 0
    for index, char in enumerate(text):
        used += get_character_cell_size(char)
        if used > cells:
            return text[:index]
    return text


def tail(text: str, cells: int) -> str:
    """The longest end of `text` that fits `cells`."""
    used = 0
    for index in range(len(text) - 1, -1, -1):
        used += get_character_cell_size(text[index])
        if used > cells:
            return text[index + 1:]
    return text


def elide(text: str, width: int, keep_head: int) -> str:
    """`text` in `width` cells: as it is if it fits, else `keep_head` cells of its start, `…`, and
    as much of its end as fits."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    start = head(text, min(keep_head, width - 1))
    return start + ELLIPSIS + tail(text, width - 1 - cell_len(start))


def fit_labels(labels: Sequence[str], width: int) -> list[str]:
    """Every label in `width` cells: cut at the end, except where that makes distinct labels read
    the same; those are cut in the middle instead, as near its centre as keeps them apart."""
    cuts = [elide(label, width, width) for label in labels]
    if width <= 2:
        return cuts
    same: dict[str, list[int]] = {}
    for index, cut in enumerate(cuts):
        same.setdefault(cut, []).append(index)
    middle = (width - 1) // 2
    splits = sorted(range(width - 1), key=lambda h: (abs(h - middle), -h))  # the centre, then outwards
    for cut, members in same.items():
        wanted = len({labels[i] for i in members})
        if wanted < 2:
            continue
        taken = set(cuts) - {cut}  # the other labels' cuts, not to be repeated
        best: tuple[int, list[str]] = (-1, [])
        for keep_head in splits:
            trial = [elide(labels[i], width, keep_head) for i in members]
            score = len(set(trial) - taken)
            if score > best[0]:
                best = (score, trial)
            if score == wanted:
                break
        for index, trial_cut in zip(members, best[1]):
            cuts[index] = trial_cut
    return cuts
