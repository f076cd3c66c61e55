"""Whether a node's own worker of a group is still running.

`node.workers` is the app's manager, every tab's workers together: a check must keep to the
node's own, or a save (or a listing) in one tab would count in another.
"""

from __future__ import annotations

from textual.dom import DOMNode


def running(node: DOMNode, group: str) -> bool:
    """Whether a worker of `group` started by `node` has not finished."""
    return any(worker.group == group and not worker.is_finished for worker in node.workers if worker.node is node)
