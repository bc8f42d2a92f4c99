"""The short summary printed on stdout after ``evaluate``."""

from __future__ import annotations

from typing import Any


def render_console(report: dict[str, Any], paths: list[str]) -> str:
    subject, stage = report["subject"], report["stage"]
    mapping = stage["mapping"]
    lines = [
        f"maturity: {report['verdict']} for {subject['ref']} at stage {stage['name']} "
        f"(mappings[{mapping['index']}] {mapping['kind']} '{mapping['expression']}')",
    ]
    if report["config"]["builtin"]:
        lines.append("config: built-in defaults")
    else:
        lines.append(f"config: {report['config']['source']}")
    commit = subject["sha"]
    lines.append(
        f"commit: {commit} ({subject['commit']})" if commit else f"commit: {subject['commit']}"
    )
    for g in report["gates"]:
        mark = (
            "BLOCKING"
            if g["blocking"]
            else ("warning" if g["level"] == "report_only" and g["status"] != "pass" else "")
        )
        lines.append(
            f"  {g['gate']:<22}{g['level']:<13}{g['status']:<9}{g['code']:<22}{mark}".rstrip()
        )
    for b in report["blocking"]:
        lines.append(f"blocking: {b['gate']} is {b['status']} ({b['code']}): {b['message']}")
        if b["remediation"]:
            lines.append(f"  fix: {b['remediation']}")
    for w in report["config"]["warnings"]:
        lines.append(f"config warning: {w['where']}: {w['message']}")
    lines.append(f"reports: {', '.join(paths)}")
    return "\n".join(lines) + "\n"
