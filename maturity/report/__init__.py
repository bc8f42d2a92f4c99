"""Report writers: one module per format, the family's interface in ``interface.py``."""
