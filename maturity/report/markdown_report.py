"""``maturity-eval.md``: the report for people, also the GitHub job summary."""

from __future__ import annotations

from typing import Any

from maturity.report.interface import ReportFormat, ReportWriter
from maturity.report.markdown_escape import md_code, md_link, md_text

MAX_FINDINGS_SHOWN = 20
MAX_CHECK_ROWS = 30
_TABLED = frozenset({"CHECK_FAILED", "CHECK_PENDING", "MORE_FINDINGS"})  # shown in the checks table
_CHECK_SOURCES = {"github-api": "the GitHub API", "checks-file": "a saved answer"}
_STATUS_ICON = {
    "pass": "✅",
    "fail": "❌",
    "pending": "⏳",
    "missing": "❔",
    "error": "💥",
    "skipped": "⏭️",
}


def _stage_line(report: dict[str, Any]) -> str:
    stage = report["stage"]
    mapping = stage["mapping"]
    text = f"{md_code(stage['name'], in_table=True)}"
    if stage["description"]:
        text += f": {md_text(stage['description'])}"
    matched = md_code(mapping["expression"], in_table=True)
    return f"{text} (matched `mappings[{mapping['index']}]` {mapping['kind']} {matched})"


def _commit_cell(subject: dict[str, Any]) -> str:
    if not subject["sha"]:
        return md_text(subject["commit"])  # "none: this decision is bound to no commit; ..."
    return f"{md_code(subject['sha'], in_table=True)} ({md_text(subject['commit'])})"


def _subject_table(report: dict[str, Any]) -> list[str]:
    subject, config = report["subject"], report["config"]
    rows = [
        ("Ref", f"{md_code(subject['ref'], in_table=True)} ({md_text(subject['ref_type'])})"),
        ("Commit", _commit_cell(subject)),
        ("Stage", _stage_line(report)),
    ]
    if subject["repository"]:
        rows.append(("Repository", md_code(subject["repository"], in_table=True)))
    run = subject["run"]
    if run["url"]:
        rows.append(("Run", f"[{md_text(run['id'])}]({run['url']})"))
    if config["builtin"]:
        source = "built-in defaults (no stages file was found; `maturity init` writes one)"
    else:
        source = f"{md_code(config['source'], in_table=True)} (sha256 {md_code(config['sha256'][:16], in_table=True)}…)"
    rows.append(("Config", source))
    return ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]


def _blocking(report: dict[str, Any]) -> list[str]:
    if not report["blocking"]:
        return []
    lines = ["", "## What blocks this release", ""]
    for i, item in enumerate(report["blocking"], 1):
        lines.append(
            f"{i}. **{md_text(item['gate'])}** is {md_text(item['status'])} "
            f"({md_code(item['code'])}): {md_text(item['message'])}"
        )
        if item["remediation"]:
            lines.append(f"   - **Fix:** {md_text(item['remediation'])}")
    return lines


def _gate_table(report: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Gates",
        "",
        "| Gate | Level | Status | Code | Message |",
        "|---|---|---|---|---|",
    ]
    for g in report["gates"]:
        status = f"{_STATUS_ICON.get(g['status'], '')} {md_text(g['status'])}"
        if g["blocking"]:
            status += " (blocking)"
        lines.append(
            f"| {md_text(g['gate'])} | {md_text(g['level'])} | {status} | "
            f"{md_code(g['code'], in_table=True)} | {md_text(g['message'], 500)} |"
        )
    return lines


def _warnings(report: dict[str, Any]) -> list[str]:
    warned = [g for g in report["gates"] if g["level"] == "report_only" and g["status"] != "pass"]
    if not warned:
        return []
    lines = ["", "## Report-only warnings (not blocking)", ""]
    for g in warned:
        lines.append(
            f"- **{md_text(g['gate'])}** is {md_text(g['status'])}: {md_text(g['message'], 500)}"
        )
        if g["remediation"]:
            lines.append(f"  - Fix: {md_text(g['remediation'])}")
    return lines


def _findings(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for g in report["gates"]:
        in_table = _TABLED if "checks" in g["details"] else frozenset()
        findings = [f for f in g["findings"] if f["status"] != "pass" and f["code"] not in in_table]
        if len(g["findings"]) <= 1 or not findings:
            continue
        lines += ["", f"### Findings for {md_text(g['gate'])}", ""]
        for f in findings[:MAX_FINDINGS_SHOWN]:
            where = f" in {md_code(f['location'])}" if f["location"] else ""
            status, code, message = (
                md_text(f["status"]),
                md_code(f["code"]),
                md_text(f["message"], 500),
            )
            lines.append(f"- {status} {code}{where}: {message}")
        if len(findings) > MAX_FINDINGS_SHOWN:
            lines.append(
                f"- and {len(findings) - MAX_FINDINGS_SHOWN} more (see maturity-eval.json)"
            )
    return lines


def _api_line(api: dict[str, Any]) -> str:
    parts = [f"{api['requests']} requests", f"{api['not_modified']} unchanged (304, free)"]
    if api["retries"]:
        parts.append(f"{api['retries']} retries")
    if api["rate_limit_remaining"] is not None:
        parts.append(f"rate limit left {api['rate_limit_remaining']}")
    if api["polls"] > 1:
        parts.append(f"{api['polls']} reads over {api['poll_wait_s']:.0f}s of waiting")
    return ", ".join(parts)


def _checks(report: dict[str, Any]) -> list[str]:
    """promotion_guard's checks: the required ones that did not pass, then how they were read."""
    lines: list[str] = []
    for g in report["gates"]:
        details = g["details"]
        source = _CHECK_SOURCES.get(details.get("source", ""))
        if source is None or "checks" not in details:
            continue
        checks = details["checks"]
        required = [c for c in checks if c["required"]]
        shown = [c for c in required if c["outcome"] != "pass"]
        sha = md_code(details.get("sha", ""))
        lines += ["", f"### Checks on {sha} ({md_text(g['gate'])})", ""]
        counts = ", ".join(f"{n} {md_text(k)}" for k, n in sorted(details["outcomes"].items()))
        lines.append(
            f"{len(checks)} checks read from {source}; {len(required)} required ({counts})."
        )
        if "api" in details:
            lines += ["", f"API: {_api_line(details['api'])}."]
        if shown:
            lines += ["", "| Check | From | State |", "|---|---|---|"]
            for c in shown[:MAX_CHECK_ROWS]:
                origin = "commit status" if c["kind"] == "status" else f"app {c['app'] or '?'}"
                state = c["conclusion"] if c["status"] == "completed" else c["status"]
                lines.append(
                    f"| {md_link(c['name'], c['url'])} | {md_text(origin)} | "
                    f"{_STATUS_ICON.get(c['outcome'], '')} {md_text(state or '')} |"
                )
            if len(shown) > MAX_CHECK_ROWS:
                lines += ["", f"{len(shown) - MAX_CHECK_ROWS} more in maturity-eval.json."]
    return lines


def _evidence(report: dict[str, Any]) -> list[str]:
    rows = [(g["gate"], e) for g in report["gates"] for e in g["evidence"]]
    if not rows:
        return []
    lines = ["", "## Evidence", "", "| Gate | Source | SHA-256 | Bytes |", "|---|---|---|---|"]
    for gate, e in rows:
        lines.append(
            f"| {md_text(gate)} | {md_code(e['source'], in_table=True)} | "
            f"{md_code(e['sha256'], in_table=True)} | {e['size']} |"
        )
    return lines


def _config_warnings(report: dict[str, Any]) -> list[str]:
    warnings = report["config"]["warnings"]
    if not warnings:
        return []
    lines = ["", "## Configuration warnings", ""]
    lines += [f"- {md_code(w['where'])}: {md_text(w['message'])}" for w in warnings]
    return lines


class MarkdownReportWriter(ReportWriter):
    format = ReportFormat.MARKDOWN
    filename = "maturity-eval.md"

    def render(self, report: dict[str, Any]) -> str:
        go = report["verdict"] == "GO"
        blocking = len(report["blocking"])
        banner = "# ✅ GO: maturity" if go else "# ⛔ NO-GO: maturity"
        subject = report["subject"]
        stage = report["stage"]["name"]
        if go:
            headline = f"{md_code(subject['ref_name'])} may ship at stage {md_code(stage)}: no required gate blocks."
        else:
            headline = (
                f"{md_code(subject['ref_name'])} may not ship at stage {md_code(stage)}: "
                f"{blocking} required gate(s) did not pass."
            )
        lines = [banner, "", headline, "", *_subject_table(report)]
        lines += _blocking(report) + _gate_table(report) + _warnings(report)
        lines += _checks(report) + _findings(report) + _evidence(report)
        lines += _config_warnings(report)
        tool = report["tool"]
        lines += [
            "",
            f"<sub>{md_text(tool['name'])} {md_text(tool['version'])}, {md_text(report['generated_at'])}</sub>",
            "",
        ]
        return "\n".join(lines)
