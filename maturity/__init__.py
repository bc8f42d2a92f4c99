"""maturity: decide whether a tagged commit may ship."""

__version__ = "0.1.0"
