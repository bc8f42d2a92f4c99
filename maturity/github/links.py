"""``Link`` headers: parsed by requests, and every target checked to be on the configured API.

A pagination link is followed with the token attached, so a link to any other scheme, host, port
or path outside the API root is refused as an error instead of followed.
"""

from __future__ import annotations

from requests.utils import parse_header_links

from maturity.errors import EvidenceError
from maturity.github.access import ApiEndpoint
from maturity.text import clean_text

MAX_LINK_HEADER = 8192


def parse_links(header: str | None, endpoint: ApiEndpoint, where: str) -> dict[str, str]:
    """``rel`` -> URL for every link in *header*; raise when a link leaves the API."""
    if not header:
        return {}
    if len(header) > MAX_LINK_HEADER:
        raise EvidenceError(
            "MALFORMED_ANSWER",
            f"the Link header of the answer to {where} is {len(header)} characters long",
            "this is not an answer GitHub gives: check GITHUB_API_URL points at the GitHub API",
        )
    links: dict[str, str] = {}
    for link in parse_header_links(header):
        url, rel = link.get("url", ""), link.get("rel", "")
        if not rel:
            continue
        if not endpoint.owns(url):
            raise EvidenceError(
                "FOREIGN_LINK",
                f"the answer to {where} links its {clean_text(rel, 20)} page to "
                f"'{clean_text(url, 200)}', outside {endpoint.url}; it was not followed, so the "
                "token did not leave for another host",
                "check GITHUB_API_URL is the API root of your GitHub (…/api/v3 on GitHub "
                "Enterprise Server) and that no proxy rewrites Link headers",
            )
        links[rel] = url
    return links
