"""The log APIs logview reads, one module each, behind the `Source` interface."""

from logview.sources.aitronos import AitronosSource
from logview.sources.base import InvalidBody, Source
from logview.sources.supermetrics import SupermetricsSource

__all__ = ["AitronosSource", "InvalidBody", "Source", "SupermetricsSource"]
