"""logview: a terminal viewer for connector execution logs."""

__version__ = "0.1.0"
