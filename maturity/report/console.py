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
    lines += _gate_table(report["gates"])
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
        mark = (
            "BLOCKING"
            if g["blocking"]
            else ("warning" if g["level"] == "report_only" and g["status"] != "pass" else "")
        )
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
