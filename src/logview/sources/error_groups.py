"""An error group: the kind of failure an entry records, its text with the parts that vary between
failures of one kind masked, so that they count as one group (`Source.error_group`; the sidebar's
errors, `--error`).
"""

from __future__ import annotations

import re

_VARIABLE = re.compile(
    r"(?P<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # a uuid
    r"|(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}(?![0-9A-Za-z]))"  # hex
    r"|(?P<n>\d+(?:\.\d+)?)"  # a number
)
GROUP_CHARS = 160  # an error group's text is cut here: longer ones differ only in detail


_MASKED: dict[str, str] = {}  # error texts repeat: a file of a million entries has a few hundred
_MASKED_LIMIT = 50_000


def mask_variable(text: str) -> str:
    """`text` with the parts that vary between failures of one kind replaced by `<n>` (numbers)
    and `<id>` (uuids, long hex ids): "retry after 37s" and "retry after 4s" are one group."""
    found = _MASKED.get(text)
    if found is None:
        if len(_MASKED) >= _MASKED_LIMIT:
            _MASKED.clear()
        masked = _VARIABLE.sub(_placeholder, text[:4 * GROUP_CHARS])
        found = _MASKED[text] = masked if len(masked) <= GROUP_CHARS else masked[:GROUP_CHARS - 1] + "…"
    return found


def _placeholder(match: re.Match[str]) -> str:
    return "<id>" if match.group("id") else "<n>"
