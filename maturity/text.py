"""Making untrusted text safe to show: no control characters, no bidi tricks, bounded length."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

#: characters that reorder displayed text (Trojan Source); shown escaped, refused in refs
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


MIN_SECRET_LENGTH = 4  # shorter "secrets" would garble ordinary words and are not real tokens
MASK = "***"

#: Every secret this process was given (the GitHub token). Process-wide on purpose: any text
#: shown to people goes through :func:`clean_text`, which masks these first, so no code path
#: can forget to pass them along.
_SECRETS: set[str] = set()


def register_secret(value: str) -> None:
    """From now on, *value* is masked in every text :func:`clean_text` and :func:`redact` make."""
    if len(value) >= MIN_SECRET_LENGTH:
        _SECRETS.add(value)


def _secrets(extra: Iterable[str] = ()) -> list[str]:
    found = {*_SECRETS, *(s for s in extra if len(s) >= MIN_SECRET_LENGTH)}
    return sorted(found, key=len, reverse=True)  # the longest first: one may contain another


def mask_secrets(text: str, extra: Iterable[str] = ()) -> str:
    """*text* with every occurrence of a secret replaced by ``***``."""
    return _mask(text, _secrets(extra))


def _mask(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def shorten(text: str, limit: int, extra: Iterable[str] = ()) -> str:
    """*text* cut to at most *limit* characters (ending in ``…``).

    A cut can leave the start of a secret that a server echoed, split across the cut point, so
    any trailing part that begins a secret (four characters or more) goes too. Call it on text
    that is already masked: :func:`clean_text` does both, in that order.
    """
    if len(text) <= limit:
        return text
    kept = text[: max(limit - 1, 0)]
    for secret in _secrets(extra):
        for n in range(min(len(secret), len(kept)), MIN_SECRET_LENGTH - 1, -1):
            if kept.endswith(secret[:n]):
                kept = kept[:-n]
                break
    return kept + "…"


def clean_text(value: str, limit: int = 2000) -> str:
    """One line of displayable text, with no secret in it.

    Secrets are masked first, then controls, surrogates, line/paragraph separators and bidi
    overrides are shown as ``\\uXXXX``, newlines and tabs become spaces, and only then is the
    result shortened to at most *limit* characters (:func:`shorten`): masking after a cut would
    let the start of a secret through.
    """
    out: list[str] = []
    for ch in mask_secrets(value):
        if ch in "\r\n\t":
            out.append(" ")
        elif ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return shorten("".join(out), limit)


def redact(value: object, secrets: Iterable[str] = ()) -> object:
    """*value* (JSON-like: dicts, lists, strings) with every secret replaced by ``***``:
    the registered ones and *secrets*."""
    found = _secrets(secrets)
    return _redact(value, found) if found else value


def _redact(value: object, secrets: list[str]) -> object:
    if isinstance(value, str):
        return _mask(value, secrets)
    if isinstance(value, dict):
        return {_redact(k, secrets): _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    return value
