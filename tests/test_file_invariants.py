"""Any bytes opened as a file (issue 5): the invariants of `file_invariants.check_file_bytes`, on
generated files that mix entries, broken JSON, invalid UTF-8, control bytes and odd line breaks,
and on the seed corpus the atheris harness (`fuzz/fuzz_jsonl.py`) starts from and adds to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from file_invariants import check_file_bytes
from test_filesearch import dump, entries

CORPUS = Path(__file__).parent.parent / "fuzz" / "corpus"
BREAKS = st.sampled_from([b"\n", b"\n", b"\r\n", b"\n\n", b"\r", b"\n \t\x0b\n", b""])
ODD = st.sampled_from([b'{"id":"x","created_at":', b"\xff\xfe\x00", b"null", b"[1,2]", b'"s"', b"1e400",
                       b'{"id":"d","log_time":"2025-01-01T00:00:00Z","status":200,"status":"x"}',
                       b'{"id":"\\ud800","created_at":"2025-01-01T00:00:00.000Z","tool":"\\u001b]2;t\\u0007"}',
                       b"[bold]\x1b]52;c;aGk=\x07", b"\r", b"   ", b"{" * 300 + b"}" * 300])


@st.composite
def files(draw) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["aitronos", "supermetrics"]))
    line = st.one_of(st.builds(dump, entries(kind), st.integers(0, 2)), ODD, st.binary(max_size=40))
    lines = draw(st.lists(line, max_size=12))
    data = b"".join(part + draw(BREAKS) for part in lines)
    text = data.decode("utf-8", "replace")
    needle = draw(st.one_of(st.text(max_size=4),
                            st.builds(lambda a, b: text[min(a, b):max(a, b)], st.integers(0, 80), st.integers(0, 80)),
                            st.sampled_from(["null", "true", "e", "1", '"', ":", "\\", "k", "É"])))
    return data, needle


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files(), st.sampled_from([(1 << 16, 1 << 10), (64, 16), (7, 3)]), st.sampled_from([1, 64, 1 << 20]))
def test_any_file_keeps_the_invariants(case: tuple[bytes, str], chunks: tuple[int, int], block_bytes: int) -> None:
    data, needle = case
    check_file_bytes(data, needle, chunk_bytes=chunks[0], first_bytes=chunks[1], block_bytes=block_bytes)


@pytest.mark.parametrize("seed", sorted(CORPUS.glob("*")), ids=lambda p: p.name)
def test_the_fuzz_corpus_keeps_the_invariants(seed: Path) -> None:
    data = seed.read_bytes()
    for needle in ("a", "error", "20", json.dumps("x")[1:2], "é", "\ufffd"):  # (U+FFFD: invalid UTF-8 reads as it)
        check_file_bytes(data, needle)
