"""The report-writer family: turn a report into the text of one file."""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Any, ClassVar


class ReportFormat(StrEnum):
    JSON = "json"
    MARKDOWN = "markdown"


class ReportWriter(ABC):
    format: ClassVar[ReportFormat]
    filename: ClassVar[str]

    @abstractmethod
    def render(self, report: dict[str, Any]) -> str:
        """Render the report (the dict of ``Report.to_dict``) as this format's text."""
