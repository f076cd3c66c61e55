"""When a connector listing may open the picker by itself (`ui/connector_listing.py`), on a clock
of the test's: only while the user still waits for it after `c`."""

from __future__ import annotations

from logview.api.directory import ConnectorInfo
from logview.ui.connector_listing import KEPT_FOR_S, LATE_AFTER_S, ConnectorListing

CONNECTORS = [ConnectorInfo("DEMO01", "Demo Ads API", "")]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_listing_opens_the_picker_only_soon_after_c_with_no_key_since() -> None:
    clock = Clock()
    listing = ConnectorListing(clock)
    assert listing.asked() is None
    clock.now += LATE_AFTER_S / 2
    assert listing.listed(CONNECTORS)
    clock.now += KEPT_FOR_S / 2
    assert listing.asked() == CONNECTORS  # kept a while: the next c opens it at once
    clock.now += KEPT_FOR_S
    assert listing.asked() is None  # then listed again
    listing.key_pressed()
    assert not listing.listed(CONNECTORS)  # a key since c
    clock.now += KEPT_FOR_S + 1
    listing.asked()
    clock.now += LATE_AFTER_S + 0.1
    assert not listing.listed(CONNECTORS)  # too late


def test_a_query_puts_off_a_listing_not_sent_and_c_wants_it_again() -> None:
    listing = ConnectorListing(Clock())
    listing.asked()
    listing.started()
    assert listing.lower() and listing.low and not listing.lower()  # put off once
    assert listing.wanted_again()  # c again: at the user's priority
    listing.started()
    listing.sent()
    assert not listing.lower() and not listing.wanted_again()  # sent: it comes as it is
