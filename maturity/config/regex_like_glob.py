"""A ``pattern:`` glob that was meant as a regular expression: found before it misroutes refs.

A file from the TypeScript evaluator given ``version: 1`` by hand keeps its JavaScript patterns
under ``pattern:``, where they are read as globs: ``^v[0-9]+\\.[0-9]+$`` then matches no tag at
all and every release silently falls through to the catch-all. :func:`regex_reason` says why a
glob cannot be meant as one, using only signs that a glob never needs:

* ``^`` or ``\\`` anywhere: git refuses both in ref names, so a glob holding either can never
  match a ref (``[^abc]`` included: our negation is ``[!abc]``);
* ``$`` at the end: a regex anchor; a ref may contain ``$``, but a name ending in it is far
  less likely than a forgotten anchor;
* ``+`` right after ``]``: ``[0-9]+`` repeats a class in a regex; in a glob it is one character
  of the set followed by a literal ``+``;
* ``.*`` at the start or right after ``/``: a ref component cannot start with ``.``, so as a
  glob this can never match there; as a regex it is "anything";
* ``|``: alternation in a regex (``main|develop``); a ref may contain ``|``, but a glob meant
  to match a literal ``|`` is far less likely than one meant to match either name, and read as
  a glob it would send both names to the catch-all without a word.

Ordinary globs are untouched: ``v*.*``, ``release-1.*``, ``v*-rc.*``, ``[0-9]*`` and ``*.x``
have none of these signs.
"""

from __future__ import annotations


def regex_reason(pattern: str) -> str | None:
    """Why the glob *pattern* looks like a regular expression (one clause), or None."""
    if "^" in pattern:
        return "'^' is a regex anchor or a negated class, and git refuses it in ref names"
    if "\\" in pattern:
        return "'\\' escapes a character in a regex, and git refuses it in ref names"
    if pattern.endswith("$"):
        return "'$' at the end is a regex anchor"
    if "]+" in pattern:
        return "'+' after a class repeats it in a regex; in a glob it is a literal '+'"
    if pattern.startswith(".*") or "/.*" in pattern:
        return (
            "'.*' at the start of a name or of a component means any text in a regex; as a "
            "glob it needs a component starting with '.', which git refuses"
        )
    if "|" in pattern:
        return "'|' separates alternatives in a regex; in a glob it is a literal '|'"
    return None
