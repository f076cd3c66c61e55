"""Labels cut to a width stay distinct, and show what tells them apart: error groups that agree at
both ends and differ in their middle (the tool named inside the message) read alike when one cut
kept both ends (`INVALID_ARGUMENT…east one address` twice at 60 columns, found in a walk)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
from rich.cells import cell_len

from logview.ui.labels import fit_labels

PROPERTY = settings(max_examples=200, deadline=None)
TOOLS = ("gmail.get_message", "gmail.search_messages", "google_drive.get_file", "notion.update_page",
         "slack.post_message", "github.list_pull_requests", "google_drive.upload_file", "google_drive.list_files")
INVALID = [f"INVALID_ARGUMENT: Invalid input for {tool}: field 'to' must contain at least one address"
           for tool in TOOLS]
PERMISSION = [f"PERMISSION_DENIED: Insufficient scope for {tool}; reconnect the account to grant access"
              for tool in TOOLS]
POLICY = [f"POLICY_BLOCKED: Blocked by organization policy: tool {tool} requires admin approval" for tool in TOOLS]
UPSTREAM = [f"UPSTREAM_ERROR: {api} API returned <n> {what}" for api in ("GitHub", "Gmail", "Google Drive", "Slack")
            for what in ("Bad Gateway", "Service Unavailable")]
GROUPS = [*INVALID, *PERMISSION, *POLICY, *UPSTREAM, "POLICY_BLOCKED: Blocked: daily action quota for Gmail exhausted",
          *(f"TIMEOUT: Tool execution exceeded the <n>s limit ({tool})" for tool in TOOLS)]


def test_groups_that_differ_in_their_middle_read_distinct_at_every_width() -> None:
    for width in range(12, 101):
        cuts = fit_labels(GROUPS, width)
        assert len(set(cuts)) == len(GROUPS), (width, [c for c in cuts if cuts.count(c) > 1])
        assert all(cell_len(cut) <= width for cut in cuts)


def test_the_part_that_differs_is_shown_after_the_code() -> None:
    """At 60 columns (33 cells for an error group) each reads its code's start and its tool."""
    cuts = dict(zip(GROUPS, fit_labels(GROUPS, 33)))
    assert cuts[INVALID[0]] == "INVALID_ARGUMENT…gmail.get_messa…"
    assert cuts[INVALID[1]] == "INVALID_ARGUMENT…gmail.search_me…"
    assert cuts[PERMISSION[5]].startswith("PERMISSION_DENIED…github.list_pu")
    # where the labels part from the others too, that word is kept (`Gmail`, not just `UPSTREAM_E…`)
    assert cuts[UPSTREAM[2]] == "UPSTREAM_ERROR: Gmail…Bad Gateway"
    assert cuts[UPSTREAM[3]].startswith("UPSTREAM_ERROR: Gmail…Service")
    # a difference at the end keeps its whole word, more of the start before it
    assert cuts[GROUPS[-1]].endswith("…google_drive.list_files)")
    # two that agree in the word's start too (`google_drive.`) at 16 cells: the part that differs
    narrow = dict(zip(GROUPS, fit_labels(GROUPS, 16)))
    assert "list_files" in narrow[POLICY[7]] and "upload_fil" in narrow[POLICY[6]]


def test_labels_apart_cut_at_the_end_or_in_the_middle_as_before() -> None:
    assert fit_labels(["gmail.send_email", "gmail.search_messages", "slack.x"], 9) == \
        ["gmai…mail", "gmai…ages", "slack.x"]
    assert fit_labels(["production-eu-west-1", "production-eu-west-2", "staging"], 12) == \
        ["produ…west-1", "produ…west-2", "staging"]
    assert fit_labels(["TIMEOUT: a", "RATE_LIMITED: b"], 8) == ["TIMEOUT…", "RATE_LI…"]


@PROPERTY
@given(st.sets(st.text("abcxyz._ ", min_size=1, max_size=8), min_size=2, max_size=12),
       st.text("AB: ", max_size=30), st.text(" :cd", max_size=30), st.integers(20, 60))
def test_labels_that_differ_in_a_short_middle_stay_distinct(middles, start, end, width) -> None:
    labels = [f"{start} {middle} {end}" for middle in sorted(middles)]
    cuts = fit_labels(labels, width)
    assert len(set(cuts)) == len(set(labels)), (labels, cuts)
    assert all(cell_len(cut) <= width for cut in cuts)
