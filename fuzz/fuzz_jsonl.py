"""Coverage-guided fuzzing of everything `logview --file` does with a file's bytes.

The checks are the ones CI runs with hypothesis (`tests/file_invariants.py`); this drives them with
atheris, which steers inputs toward new branches in logview's line index, column reader, parsers,
cells and byte search. Not part of the test suite: run it by hand for as long as you like.

    .venv/bin/pip install -e '.[test,fuzz]'
    .venv/bin/python fuzz/fuzz_jsonl.py fuzz/corpus -max_total_time=600

A failing input is written as `crash-…` in the current folder; once fixed, add it to fuzz/corpus/
so that `tests/test_file_invariants.py` replays it in CI from then on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

with atheris.instrument_imports(include=["logview"]):
    from file_invariants import check_file_bytes

# Line-index chunk sizes and search block sizes worth varying: the boundaries are where bugs hide.
CHUNKS = ((1 << 16, 1 << 10), (64, 16), (7, 3))
BLOCKS = (1, 64, 1 << 20)


def one_input(data: bytes) -> None:
    fuzzed = atheris.FuzzedDataProvider(data)
    chunk_bytes, first_bytes = CHUNKS[fuzzed.ConsumeIntInRange(0, len(CHUNKS) - 1)]
    block_bytes = BLOCKS[fuzzed.ConsumeIntInRange(0, len(BLOCKS) - 1)]
    needle = fuzzed.ConsumeUnicodeNoSurrogates(fuzzed.ConsumeIntInRange(0, 6))
    check_file_bytes(fuzzed.ConsumeBytes(fuzzed.remaining_bytes()), needle,
                     chunk_bytes=chunk_bytes, first_bytes=first_bytes, block_bytes=block_bytes)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
