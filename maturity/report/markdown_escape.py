"""Escaping untrusted text for GitHub-flavoured Markdown: see :mod:`maturity.markdown_text`.

The functions live below the kinds, so a kind's Markdown section escapes as the report does;
they are named here too for the modules and tests that import them from the report.
"""

from __future__ import annotations

from maturity.markdown_text import md_code, md_link, md_text

__all__ = ["md_code", "md_link", "md_text"]
