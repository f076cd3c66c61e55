"""The one request budget of each API key at each host (`budget.py`), made on first use: every
tab, the tail and the listings of one key share it, so that together they keep to the key's limit.

Kept apart from the budget, which paces requests and knows nothing of keys: here keys are mapped
to budgets, by a keyed hash of each key (salted per process), never the key itself.
"""

from __future__ import annotations

import hmac
import os
import threading
from urllib.parse import urlsplit

from logview.api.budget import Budget

_SALT = os.urandom(16)  # the registry keeps a keyed hash of each API key, never the key
_registry: dict[tuple[bytes, str], Budget] = {}
_registry_lock = threading.Lock()


def _host_of(host: str) -> str:
    """`api.example.com:443` from a base URL or a host, lowercased."""
    return (urlsplit(host).netloc if "://" in host else host).lower()


def forget_budgets() -> None:
    """Start every key afresh (tests: budgets learned against one server must not carry over to
    another that reuses its port)."""
    with _registry_lock:
        _registry.clear()


def budget_for(key: str, host: str, api: str) -> Budget:
    """The one budget of this key at this host (a base URL will do), made on first use."""
    entry = (hmac.new(_SALT, key.encode("utf-8", "surrogatepass"), "sha256").digest(), _host_of(host))
    with _registry_lock:
        budget = _registry.get(entry)
        if budget is None:
            budget = _registry[entry] = Budget(api, host=entry[1])
        return budget
