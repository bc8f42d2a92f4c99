"""``maturity-eval.md``: the report for people, also the GitHub job summary.

The generic parts are drawn here; a gate's own section comes from its kind
(``GateKind.markdown``, given the report's gate entry), so no kind's details are read here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from maturity.kinds import KINDS, load_kind
from maturity.markdown_text import STATUS_ICON, findings_section, md_code, md_link, md_text
from maturity.report.interface import ReportFormat, ReportWriter

#: failing findings listed with their ids (the rest are in maturity-eval.json)
MAX_FINDING_IDS = 50


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
        status = f"{STATUS_ICON.get(g['status'], '')} {md_text(g['status'])}"
        if g["blocking"]:
            status += " (blocking)"
        if g.get("overridden"):
            status += " (overridden: break glass)"
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


def _break_glass(report: dict[str, Any]) -> list[str]:
    overrides, failures = report.get("overrides", []), report.get("override_failures", [])
    if not overrides and not failures:
        return []
    lines = ["", "## Break glass", ""]
    if overrides:
        run = report["subject"]["run"]
        run_cell = md_link(run["id"], run["url"]) if run["url"] else "not in a workflow run"
        lines += [
            "These gates blocked and were overridden; they still show what they said.",
            "",
            "| Gate | What it said | Actor | Reason | At | Run | Follow-up |",
            "|---|---|---|---|---|---|---|",
        ]
        for o in overrides:
            said = f"{md_text(o['status_before'])} {md_code(o['code_before'], in_table=True)}: {md_text(o['message_before'], 300)}"
            follow = md_link("issue", o["follow_up_url"]) if o["follow_up_url"] else "none"
            lines.append(
                f"| {md_text(o['gate'])} | {said} | {md_code(o['actor'], in_table=True)} "
                f"({md_text(o['allowed_by'])}) | {md_text(o['reason'], 500)} | "
                f"{md_text(o['at'])} | {run_cell} | {follow} |"
            )
    for f in failures:
        lines.append(
            f"- **{md_text(f['gate'])}**: the override did not apply, so it still blocks: "
            f"{md_text(f['why'], 500)}"
        )
    return lines


def _freeze(report: dict[str, Any]) -> list[str]:
    freeze = report.get("freeze")
    if not freeze:
        return []
    state = "overridden (break glass)" if freeze["overridden"] else "in force: blocks this release"
    lines = ["", "## Freeze window", ""]
    lines.append(
        f"**{md_text(freeze['window'])}** ({md_text(freeze['schedule'])}) is {state}; it ends "
        f"{md_code(freeze['ends_utc'])} ({md_code(freeze['ends_local'])} in the window's zone)."
    )
    if freeze["message"]:
        lines += ["", f"> {md_text(freeze['message'])}"]
    return lines


def _waivers(report: dict[str, Any]) -> list[str]:
    waivers = report.get("waivers")
    if not waivers or not waivers["used"]:
        return []
    lines = [
        "",
        "## Waivers",
        "",
        f"From {md_code(waivers['source'])} ({waivers['count']} waiver(s)).",
        "",
        "| Gate | Finding | Waiver | Owner | Expires | State |",
        "|---|---|---|---|---|---|",
    ]
    for u in waivers["used"]:
        state = (
            "applied" if u["state"] == "applied" else f"**{md_text(u['state'])}**: does not count"
        )
        lines.append(
            f"| {md_text(u['gate'])} | {md_code(u['finding'], in_table=True)} | "
            f"{md_code(u['waiver'], in_table=True)} | {md_text(u['owner'])} | "
            f"{md_text(u['expires'])} | {state} |"
        )
    return lines


def _finding_ids(report: dict[str, Any]) -> list[str]:
    """Every failing finding with its stable id, for people writing a waiver."""
    rows = [
        (g["gate"], f)
        for g in report["gates"]
        for f in g["findings"]
        if f["status"] not in ("pass", "skipped") and f["id"]
    ]
    if not rows:
        return []
    lines = [
        "",
        "## Failing findings",
        "",
        "A waiver names a finding by its id (`finding:` in the waivers file takes a glob).",
        "",
        "| Gate | Finding id | Status | Code | Waiver |",
        "|---|---|---|---|---|",
    ]
    for gate, f in rows[:MAX_FINDING_IDS]:
        waiver = md_code(f["waiver"], in_table=True) if f.get("waiver") else ""
        lines.append(
            f"| {md_text(gate)} | {md_code(f['id'], in_table=True)} | {md_text(f['status'])} | "
            f"{md_code(f['code'], in_table=True)} | {waiver} |"
        )
    if len(rows) > MAX_FINDING_IDS:
        lines += ["", f"{len(rows) - MAX_FINDING_IDS} more in maturity-eval.json."]
    return lines


def _kind_hook(kind: str) -> Callable[[Mapping[str, Any]], list[str]] | None:
    """The kind's Markdown hook; none for a kind that is not registered (or has none)."""
    return load_kind(kind).markdown if kind in KINDS else None


def _gate_sections(report: dict[str, Any]) -> list[str]:
    """Per gate, in report order: its kind's section, or else its findings list.

    A kind with a Markdown hook shows its gates' findings its own way (a table, say), so the
    generic list is the kind's to include (``maturity.markdown_text.findings_section``). A gate
    with neither findings nor details (off, say) has nothing to show: its kind is not loaded.
    """
    lines: list[str] = []
    for g in report["gates"]:
        if (not g["findings"] and not g["details"]) or g["kind"] not in KINDS:
            continue  # nothing to show, or the freeze pseudo-gate (its own section)
        hook = _kind_hook(g["kind"])
        lines += hook(g) if hook is not None else findings_section(g)
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


def _exceptions_note(report: dict[str, Any]) -> str:
    """`` (1 waived, 2 overridden: see below)`` on a GO that exceptions let through."""
    summary = report["summary"]
    parts = [f"{summary[key]} {key}" for key in ("waived", "overridden") if summary.get(key)]
    return f" ({', '.join(parts)}: see below)" if parts else ""


class MarkdownReportWriter(ReportWriter):
    format = ReportFormat.MARKDOWN
    filename = "maturity-eval.md"

    def render(self, report: dict[str, Any]) -> str:
        go = report["verdict"] == "GO"
        blocking = len(report["blocking"])
        line = md_text(report.get("verdict_line", report["verdict"]))
        banner = f"# ✅ {line}: maturity" if go else "# ⛔ NO-GO: maturity"
        subject = report["subject"]
        stage = report["stage"]["name"]
        if go:
            headline = f"{md_code(subject['ref_name'])} may ship at stage {md_code(stage)}: no required gate blocks"
            headline += _exceptions_note(report) + "."
        else:
            headline = (
                f"{md_code(subject['ref_name'])} may not ship at stage {md_code(stage)}: "
                f"{blocking} required gate(s) did not pass."
            )
        lines = [banner, "", headline, "", *_subject_table(report)]
        lines += _blocking(report) + _freeze(report) + _break_glass(report)
        lines += _gate_table(report) + _warnings(report) + _waivers(report)
        lines += _finding_ids(report)
        lines += _gate_sections(report) + _evidence(report)
        lines += _config_warnings(report)
        tool = report["tool"]
        lines += [
            "",
            f"<sub>{md_text(tool['name'])} {md_text(tool['version'])}, {md_text(report['generated_at'])}</sub>",
            "",
        ]
        return "\n".join(lines)
