"""The short summary printed on stdout after ``evaluate``."""

from __future__ import annotations

from typing import Any


def render_console(report: dict[str, Any], paths: list[str]) -> str:
    subject, stage = report["subject"], report["stage"]
    mapping = stage["mapping"]
    lines = [
        f"maturity: {report.get('verdict_line', report['verdict'])} for {subject['ref']} at stage {stage['name']} "
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
    clock = report.get("clock") or {}
    if clock.get("source") == "--now":
        lines.append(f"clock: {clock['now']} (set with --now)")
    freeze = report.get("freeze")
    if freeze:
        state = "overridden" if freeze["overridden"] else "in force"
        lines.append(
            f"freeze: {freeze['window']} {state}, ends {freeze['ends_utc']} ({freeze['ends_local']})"
        )
    lines += _gate_table(report["gates"])
    for o in report.get("overrides", []):
        follow = f", follow-up {o['follow_up_url']}" if o["follow_up_url"] else ""
        lines.append(
            f"break glass: {o['gate']} ({o['status_before']} {o['code_before']}) overridden by "
            f"{o['actor']}: {o['reason']}{follow}"
        )
    for f in report.get("override_failures", []):
        lines.append(f"break glass not applied: {f['gate']}: {f['why']}")
    waivers = report.get("waivers") or {}
    for u in waivers.get("used", []):
        lines.append(
            f"waiver {u['state']}: {u['gate']} {u['finding']} ({u['waiver']}, {u['owner']}, "
            f"expires {u['expires']})"
        )
    for b in report["blocking"]:
        lines.append(f"blocking: {b['gate']} is {b['status']} ({b['code']}): {b['message']}")
        if b["remediation"]:
            lines.append(f"  fix: {b['remediation']}")
    for w in report["config"]["warnings"]:
        lines.append(f"config warning: {w['where']}: {w['message']}")
    lines.append(f"reports: {', '.join(paths)}")
    return "\n".join(lines) + "\n"


#: the narrowest each column is (the built-in names fit), and the gap between columns
_MIN_WIDTHS = (20, 11, 7, 20)
_GAP = 2


def _gate_table(gates: list[dict[str, Any]]) -> list[str]:
    """One row per gate: gate, level, status, code, mark; columns sized to their longest value."""
    rows = []
    for g in gates:
        if g["blocking"]:
            mark = "BLOCKING"
        elif g.get("overridden"):
            mark = "OVERRIDDEN"
        elif g["level"] == "report_only" and g["status"] != "pass":
            mark = "warning"
        else:
            mark = ""
        rows.append((str(g["gate"]), str(g["level"]), str(g["status"]), str(g["code"]), mark))
    widths = [
        max([minimum, *(len(row[i]) for row in rows)]) + _GAP
        for i, minimum in enumerate(_MIN_WIDTHS)
    ]
    return [
        (
            "  " + "".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + row[-1]
        ).rstrip()
        for row in rows
    ]
