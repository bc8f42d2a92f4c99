"""The stages file: read it, check it, and say what it means (and what a change to it does)."""
