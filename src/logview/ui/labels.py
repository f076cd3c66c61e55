"""Labels cut to a width so that distinct values stay distinct.

`gmail.send_email` and `gmail.search_messages` both cut at the end read `gmail.se…`; seven error
groups that differ only in their last words all read `TIMEOUT: Tool executi…`. Those are cut in
the middle instead, where they agree, which keeps them apart: `gmai…_email`, `gmai…sages`; labels
that stay distinct cut at the end keep the plain cut. Labels that agree at both ends and differ in
their middle (the tool named inside an error's message) show from the word where they part, after
their first word: `INVALID_ARGUMENT…gmail.search_me…`, `TIMEOUT: Tool…gmail.create_draft)` (one
cut in the middle kept the ends, where they agree, and read `INVALID_ARGUMENT…east one address` for
each: found in a walk). Widths are terminal cells (a wide character counts twice).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from os.path import commonprefix

from rich.cells import cell_len, get_character_cell_size

ELLIPSIS = "…"
WORD_INNER = "._-"  # characters inside a word: a tool's name (`gmail.send_email`) is one word
# Cuts that still read alike (some of a set kept apart, some not) are cut again, from where those
# part: five `POLICY_B…in approval` at 20 cells became `POLICY…gmail.create_…` and the like.
ROUNDS = 3


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
    the same; those are cut where they show what tells them apart (`_trials`)."""
    cuts = [elide(label, width, width) for label in labels]
    if width <= 2:
        return cuts
    for _ in range(ROUNDS):
        same: dict[str, list[int]] = {}
        for index, cut in enumerate(cuts):
            same.setdefault(cut, []).append(index)
        alike = [(cut, members) for cut, members in same.items() if len({labels[i] for i in members}) > 1]
        if not alike:
            break
        for cut, members in alike:
            wanted = len({labels[i] for i in members})
            taken = set(cuts) - {cut}  # the other labels' cuts, not to be repeated
            best: tuple[int, list[str]] = (-1, [])
            others = [label for label, other in zip(labels, cuts) if other != cut]
            for trial in _trials([labels[i] for i in members], others, width):
                score = len(set(trial) - taken)
                if score > best[0]:
                    best = (score, trial)
                if score == wanted:
                    break
            for index, trial_cut in zip(members, best[1]):
                cuts[index] = trial_cut
    return cuts


def _trials(labels: list[str], others: list[str], width: int) -> Iterator[list[str]]:
    """Ways to cut `labels` (that read the same cut at the end), the most telling first: from the
    word where they part, after their first word (an error's code; at most a third of the width) and
    the word where they part from the `others` (`UPSTREAM_ERROR: Gmail…` beside `…: GitHub…`, where
    it comes first and leaves a quarter of the width), then after less of their start; else one cut
    in the middle, as near its centre as can be (`gmai…_email`, `gmai…sages`); else from the part of
    that word where they part (`POLI…list_files…`, `POLI…upload_fil…`: the word's start,
    `google_drive.`, left no room)."""
    label, common = labels[0], len(commonprefix(labels))
    first = min(cell_len(label[:_word_end(label, 0)]) or width, max(1, (width - 2) // 3))
    apart = max((len(commonprefix([label, other])) for other in others), default=common)

    def parted(parting: int) -> Iterator[list[str]]:
        apart_kept = cell_len(label[:max(apart + 1, _word_end(label, apart))])
        wide = apart < parting and width - apart_kept - 2 >= width // 4  # (else little of the parting shows)
        for keep in [*([apart_kept] if wide else []), *range(first, -1, -1)]:
            trial = _parted(labels, width, parting, keep)
            if trial:
                yield trial

    yield from parted(_word_start(label, common, WORD_INNER))
    middle = (width - 1) // 2
    for keep_head in sorted(range(width - 1), key=lambda h: (abs(h - middle), -h)):  # the centre, then outwards
        yield [elide(label, width, keep_head) for label in labels]
    yield from parted(_word_start(label, common, ""))


def _word_start(text: str, at: int, inner: str) -> int:
    """Where the word holding `at` starts (`inner`: the characters besides letters and digits in it)."""
    while at > 0 and (text[at - 1].isalnum() or text[at - 1] in inner):
        at -= 1
    return at


def _word_end(text: str, at: int) -> int:
    while at < len(text) and (text[at].isalnum() or text[at] in WORD_INNER):
        at += 1
    return at


def _parted(labels: list[str], width: int, parting: int, keep: int) -> list[str] | None:
    """Each label as `keep` cells of its start, `…`, and from `parting` (where the labels begin to
    differ) as much as fits, with `…` where it is cut; None when its start reaches `parting` anyway
    (a plain cut shows it) or nothing after it would fit."""
    if cell_len(labels[0][:parting]) <= keep or width - keep - 2 < 1:
        return None
    cuts = []
    for label in labels:
        rest = label[parting:]
        if cell_len(rest) <= width - keep - 1:  # (the rest fits: more of the start instead)
            cuts.append(elide(label, width, width - 1 - cell_len(rest)))
        else:
            cuts.append(head(label, keep) + ELLIPSIS + head(rest, width - keep - 2) + ELLIPSIS)
    return cuts
