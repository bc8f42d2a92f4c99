"""``maturity-eval.json``: the machine-readable report."""

from __future__ import annotations

import json
from typing import Any

from maturity.report.interface import ReportFormat, ReportWriter


class JsonReportWriter(ReportWriter):
    format = ReportFormat.JSON
    filename = "maturity-eval.json"

    def render(self, report: dict[str, Any]) -> str:
        return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
