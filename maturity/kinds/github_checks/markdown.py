"""The GitHub checks kind's section of ``maturity-eval.md`` (``KIND.markdown``).

For a gate that read the commit's checks (from the API or a saved answer): the required checks
that did not pass, as a table, and how they were read. Then the gate's findings, less those the
table shows; a gate judged from evidence files gets the findings list alone, as any gate does.
Reads the report's gate entry only, so it renders a saved ``maturity-eval.json`` as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maturity.markdown_text import STATUS_ICON, findings_section, md_code, md_link, md_text

MAX_CHECK_ROWS = 30
#: finding codes the checks table shows (a failed or pending check, and the "and N more" line)
_TABLED = frozenset({"CHECK_FAILED", "CHECK_PENDING", "MORE_FINDINGS"})
_CHECK_SOURCES = {"github-api": "the GitHub API", "checks-file": "a saved answer"}


def _api_line(api: Mapping[str, Any]) -> str:
    parts = [f"{api['requests']} requests", f"{api['not_modified']} unchanged (304, free)"]
    if api["retries"]:
        parts.append(f"{api['retries']} retries")
    if api["rate_limit_remaining"] is not None:
        parts.append(f"rate limit left {api['rate_limit_remaining']}")
    if api["polls"] > 1:
        parts.append(f"{api['polls']} reads over {api['poll_wait_s']:.0f}s of waiting")
    return ", ".join(parts)


def _checks_table(gate: Mapping[str, Any]) -> list[str]:
    """The required checks that did not pass, then how the checks were read."""
    details = gate["details"]
    source = _CHECK_SOURCES.get(details.get("source", ""))
    if source is None or "checks" not in details:
        return []
    checks = details["checks"]
    required = [c for c in checks if c["required"]]
    shown = [c for c in required if c["outcome"] != "pass"]
    sha = md_code(details.get("sha", ""))
    lines = ["", f"### Checks on {sha} ({md_text(gate['gate'])})", ""]
    counts = ", ".join(f"{n} {md_text(k)}" for k, n in sorted(details["outcomes"].items()))
    lines.append(f"{len(checks)} checks read from {source}; {len(required)} required ({counts}).")
    if "api" in details:
        lines += ["", f"API: {_api_line(details['api'])}."]
    if shown:
        lines += ["", "| Check | From | State |", "|---|---|---|"]
        for c in shown[:MAX_CHECK_ROWS]:
            origin = "commit status" if c["kind"] == "status" else f"app {c['app'] or '?'}"
            state = c["conclusion"] if c["status"] == "completed" else c["status"]
            lines.append(
                f"| {md_link(c['name'], c['url'])} | {md_text(origin)} | "
                f"{STATUS_ICON.get(c['outcome'], '')} {md_text(state or '')} |"
            )
        if len(shown) > MAX_CHECK_ROWS:
            lines += ["", f"{len(shown) - MAX_CHECK_ROWS} more in maturity-eval.json."]
    return lines


def markdown_section(gate: Mapping[str, Any]) -> list[str]:
    """The checks table (when the gate read checks) and the findings it does not show."""
    tabled = _TABLED if "checks" in gate["details"] else frozenset()
    return _checks_table(gate) + findings_section(gate, leave_out=tabled)
