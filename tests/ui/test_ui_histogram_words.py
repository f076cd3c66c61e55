"""The histogram's bucket width in words, as its axis line says it."""

from __future__ import annotations

from logview.ui.widgets.histogram_cells import US, width_text


def test_a_bucket_width_is_said_in_its_largest_whole_unit_with_thousands_separated() -> None:
    assert width_text(15 * US["m"]) == "15 min"
    assert width_text(US["h"]) == "1 h"
    assert width_text(90 * US["s"]) == "90 s"
    # (dates of 1890 among today's, s23 walk #13: "1460 d buckets" where every count has its separator)
    assert width_text(1_460 * US["d"]) == "1,460 d"
