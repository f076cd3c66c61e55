"""logview: a terminal viewer for connector execution logs."""

import os

__version__ = "0.1.0"

# pydantic looks for plugins by scanning every installed package's entry points the first time a
# model is built (~20 ms of each launch); logview uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
# numpy's OpenBLAS starts a thread per core when numpy is imported (before the first paint, and
# before a big file's reading child is forked), which spins a while: 20–50 ms of CPU a launch on
# two cores, and a core taken from the start-up on a busy machine. logview does no linear algebra.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
