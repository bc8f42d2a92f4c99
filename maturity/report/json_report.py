"""``maturity-eval.json``: the machine-readable report (also what ``--format json`` prints)."""

from __future__ import annotations

import json
from typing import Any

from maturity.report.interface import ReportFormat, ReportWriter


class JsonReportWriter(ReportWriter):
    format = ReportFormat.JSON
    filename = "maturity-eval.json"

    def render(self, report: dict[str, Any]) -> str:
        # ASCII-only: the same data for any JSON parser, but no bidi override or other invisible
        # character from evidence can reach a terminal or job log that prints the file.
        return json.dumps(report, indent=2, ensure_ascii=True, allow_nan=False) + "\n"
