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


_URL_SAFE = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'*+,;=%")


def md_link(text: object, url: str | None, limit: int = 300) -> str:
    """``[text](url)`` for an http(s) URL, else the text alone.

    Every character outside RFC 3986's set (spaces, parentheses, angle brackets, pipes,
    backslashes, non-ASCII) is percent-encoded, so the URL can neither end the link early nor
    break a table cell.
    """
    label = md_text(text, limit)
    if not url or not url.startswith(("https://", "http://")) or len(url) > 2000:
        return label
    safe = "".join(
        ch if ch in _URL_SAFE else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "replace"))
        for ch in url
    )
    return f"[{label}]({safe})"
