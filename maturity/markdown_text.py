"""Markdown for ``maturity-eval.md`` that both the report and a kind's section use.

It sits below the kinds, so a kind's Markdown hook (``GateKind.markdown``) renders with the same
escaping, icons and findings list as the report around it.

Refs, messages and paths come from tags, evidence files and the environment. Rendered as text,
every ASCII punctuation character is backslash-escaped (CommonMark makes an escaped character
literal, so no emphasis, link, table cell break, HTML tag or entity can start); rendered as
code, the backtick fence is longer than any backtick run inside. Control characters and
newlines never reach the output.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from maturity.text import clean_text

_PUNCT = frozenset(string.punctuation)
_BACKTICKS = re.compile(r"`+")

#: non-passing findings listed per gate; the rest are counted (all are in maturity-eval.json)
MAX_FINDINGS_SHOWN = 20

#: a gate's (or a check's) status, at a glance
STATUS_ICON = {
    "pass": "✅",
    "fail": "❌",
    "pending": "⏳",
    "missing": "❔",
    "error": "💥",
    "skipped": "⏭️",
    "waived": "🛡️",
}


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


def findings_section(gate: Mapping[str, Any], leave_out: frozenset[str] = frozenset()) -> list[str]:
    """``### Findings for <gate>``: the report's gate entry's findings that did not pass.

    Findings whose code is in *leave_out* are shown elsewhere (a kind's table). Nothing is
    listed for a gate with a single finding: the gate table's message already says it.
    """
    findings = [f for f in gate["findings"] if f["status"] != "pass" and f["code"] not in leave_out]
    if len(gate["findings"]) <= 1 or not findings:
        return []
    lines = ["", f"### Findings for {md_text(gate['gate'])}", ""]
    for f in findings[:MAX_FINDINGS_SHOWN]:
        where = f" in {md_code(f['location'])}" if f["location"] else ""
        status, code, message = (
            md_text(f["status"]),
            md_code(f["code"]),
            md_text(f["message"], 500),
        )
        lines.append(f"- {status} {code}{where}: {message}")
    if len(findings) > MAX_FINDINGS_SHOWN:
        lines.append(f"- and {len(findings) - MAX_FINDINGS_SHOWN} more (see maturity-eval.json)")
    return lines
