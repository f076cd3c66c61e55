"""Embedded demo server: both log APIs on loopback, with scripted faults, for demos and tests.

Independent of the rest of logview on purpose (it is the thing the client is tested against),
and free of Textual.
"""

from .budget import Budget, Served
from .constants import (
    DEMO_AITRONOS_KEY,
    DEMO_CONNECTOR,
    DEMO_EMPTY_CONNECTOR,
    DEMO_ORG,
    DEMO_SUPERMETRICS_KEY,
    DEMO_TEAM,
    PUBLISHED_BUDGETS,
)
from .server import DemoServer, run_foreground
from .state import FAULT_KINDS, DemoState, Fault

__all__ = [
    "Budget",
    "Served",
    "DEMO_AITRONOS_KEY",
    "DEMO_CONNECTOR",
    "DEMO_EMPTY_CONNECTOR",
    "DEMO_ORG",
    "DEMO_SUPERMETRICS_KEY",
    "DEMO_TEAM",
    "FAULT_KINDS",
    "PUBLISHED_BUDGETS",
    "DemoServer",
    "DemoState",
    "Fault",
    "run_foreground",
]
