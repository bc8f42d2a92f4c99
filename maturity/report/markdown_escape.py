"""Escaping untrusted text for GitHub-flavoured Markdown.

Refs, messages and paths come from tags, evidence files and the environment. Rendered as text,
every ASCII punctuation character is backslash-escaped (CommonMark makes an escaped character
literal, so no emphasis, link, table cell break, HTML tag or entity can start); rendered as
code, the backtick fence is longer than any backtick run inside. Control characters and
newlines never reach the output.
"""

from __future__ import annotations

import re
import string

from maturity.text import clean_text

_PUNCT = frozenset(string.punctuation)
_BACKTICKS = re.compile(r"`+")


def md_text(value: object, limit: int = 2000) -> str:
    text = clean_text(str(value), limit)
    return "".join(f"\\{ch}" if ch in _PUNCT else ch for ch in text)


def md_code(value: object, *, in_table: bool = False, limit: int = 300) -> str:
    text = clean_text(str(value), limit)
    if not text:
        return ""
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")):
        text = f" {text} "
    if in_table:
        text = text.replace("|", "\\|")  # GFM: a pipe ends the cell even inside a code span
    return f"{fence}{text}{fence}"
