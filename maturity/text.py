"""Making untrusted text safe to show: no control characters, no bidi tricks, bounded length."""

from __future__ import annotations

import unicodedata

#: characters that reorder displayed text (Trojan Source); shown escaped, refused in refs
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def clean_text(value: str, limit: int = 2000) -> str:
    """One line of displayable text.

    Controls, surrogates, line/paragraph separators and bidi overrides are shown as ``\\uXXXX``;
    newlines and tabs become spaces; the result is at most *limit* characters.
    """
    out: list[str] = []
    for ch in value:
        if ch in "\r\n\t":
            out.append(" ")
        elif ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    text = "".join(out)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


MIN_SECRET_LENGTH = 4  # shorter "secrets" would garble ordinary words and are not real tokens


def redact(value: object, secrets: tuple[str, ...]) -> object:
    """*value* (JSON-like: dicts, lists, strings) with every secret replaced by ``***``."""
    secrets = tuple(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "***")
        return value
    if isinstance(value, dict):
        return {redact(k, secrets): redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, secrets) for v in value]
    return value
