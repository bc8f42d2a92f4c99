"""The refs people typically push, which ``validate`` resolves to see what a stages file does.

A file can be free of provable mistakes and still send every release to the weakest stage (a
broad ``v*`` placed above the release mapping). Resolving these names, plus every ``examples``
entry, shows that: a stage no ref reaches, or a release tag that lands on a weaker stage than a
later mapping offers it.
"""

from __future__ import annotations

import re

#: full releases: a complete semantic version, with or without ``v``, optional build metadata
RELEASE_TAGS = ("v1.2.3", "v0.1.0", "v10.20.30", "v1.2.3+build.7", "1.2.3")
RELEASE_CANDIDATES = ("v1.2.3-rc.1", "v2.0.0-rc.10", "v1.2.3-rc1")
PRE_RELEASES = ("v1.2.3-beta.1", "v1.2.3-alpha", "v1.2")
BRANCHES = (
    "main",
    "master",
    "develop",
    "feature/x",
    "fix/y",
    "release/1.2",
    "hotfix/1.2.4",
    "dependabot/pip/requests-2.32.0",
)

TYPICAL_REFS = RELEASE_TAGS + RELEASE_CANDIDATES + PRE_RELEASES + BRANCHES

# semver.org's grammar without the pre-release part: no leading zeros, build metadata allowed.
_NUMBER = r"(?:0|[1-9][0-9]*)"
_RELEASE_TAG_RE = re.compile(
    rf"v?{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)


def is_release_tag(name: str) -> bool:
    """*name* is a full release version (``v1.2.3``, ``1.2.3``, ``v1.2.3+build.7``): no ``-rc``."""
    return _RELEASE_TAG_RE.fullmatch(name) is not None
