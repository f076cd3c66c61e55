"""logview: a terminal viewer for connector execution logs."""

import os

__version__ = "0.1.0"

# pydantic looks for plugins by scanning every installed package's entry points the first time a
# model is built (~20 ms of each launch); logview uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
