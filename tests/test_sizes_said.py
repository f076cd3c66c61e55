"""Every message that says a size in bytes says it one way (`model.sized`): the part of a big file
searched and its size (`--source` refused), `archive list`'s archive, the status line's archive
writer backlog said "5.0 MiB", "5.2 MB" and "8 MiB" (s29)."""

from __future__ import annotations

import pytest

from logview.model import sized


@pytest.mark.parametrize("size, said", [
    (0, "0 bytes"), (1, "1 byte"), (1023, "1,023 bytes"), (1024, "1.0 KiB"), (300 << 10, "300 KiB"),
    ((10 << 10) - 30, "10 KiB"), ((1 << 20) - 1, "1.0 MiB"), (8 << 20, "8.0 MiB"),
    (5 * (1 << 20) + 200_000, "5.2 MiB"), (214_242_391, "204 MiB"), (int(1.2 * (1 << 30)), "1.2 GiB"),
    (3 << 40, "3.0 TiB"), (5000 << 40, "5000 TiB"),
])
def test_a_size_is_said_in_binary_units_one_decimal_below_ten(size: int, said: str) -> None:
    assert sized(size) == said
