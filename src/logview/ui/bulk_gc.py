"""The cyclic garbage collector held back while a backfill loads.

A backfill makes hundreds of thousands of small objects that live on (entries, their raw dicts,
strings): each 700 of them start a young collection, and every tenth of those walks the middle
generation again, ~540 collections and 0.2-0.3 s of CPU per 100k entries that find nothing to
free (the entries are acyclic: reference counting frees them). While any backfill runs, the young
generation is collected every `BULK_THRESHOLD0` allocations instead; the thresholds the process
had are put back when the last backfill ends, however it ends (done, failed, cancelled).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Measured with benchmarks/bench_ingest.py (its gc s column; 100k Supermetrics entries, same runs):
# the usual 700 ~410 collections, 0.20 s; 10,000: ~55, 0.07 s, the same peak RSS; 100,000 or the
# collector off: ~0.02 s, but ~20 MiB more peak RSS (cyclic garbage kept longer). gc.freeze is the
# viewer's already, after each batch.
BULK_THRESHOLD0 = 10_000

_holders = 0
_saved: tuple[int, ...] = ()


@contextmanager
def bulk_collection(threshold0: int = BULK_THRESHOLD0) -> Iterator[None]:
    """Young collections every `threshold0` allocations while the block runs (blocks may nest
    or overlap: a new query's backfill starts before the replaced one has wound down)."""
    global _holders, _saved
    if _holders == 0:
        _saved = gc.get_threshold()
        gc.set_threshold(max(threshold0, _saved[0]), *_saved[1:])
    _holders += 1
    try:
        yield
    finally:
        _holders -= 1
        if _holders == 0:
            gc.set_threshold(*_saved)


# Start-up: importing Textual, numpy and the viewer, composing and styling the screen makes
# ~400k objects and no garbage, yet the collector ran ~60 collections over them (one of them full):
# 50–100 ms of the ~0.8 s of CPU to a file's first rows. It is held off until the viewer's first
# paint, or this long after the app is up should no viewer paint.
STARTUP_HOLD_S = 3.0

_held_for_startup = False


def hold_for_startup() -> None:
    """The cyclic collector off until `release_startup_hold` (no effect if it is off already)."""
    global _held_for_startup
    if gc.isenabled():
        gc.disable()
        _held_for_startup = True


def release_startup_hold(freeze: bool = True) -> None:
    """The collector back on, start-up's objects frozen first (later collections never scan them
    again: shorter pauses while a big file or backfill loads). Only the first call does anything;
    `freeze` False where no screen came up (a usage error) and nothing is worth keeping."""
    global _held_for_startup
    if _held_for_startup:
        _held_for_startup = False
        if freeze:
            gc.freeze()
        gc.enable()


__all__ = ["BULK_THRESHOLD0", "STARTUP_HOLD_S", "bulk_collection", "hold_for_startup", "release_startup_hold"]
