"""Modal screens: help and the save dialog."""
