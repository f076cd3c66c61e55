"""Modal screens: help and the dialogs."""
