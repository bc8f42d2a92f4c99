"""The report-writer family: turn a report into the text of one file.

One module per format; ``writers.py`` registers them by :class:`ReportFormat`.
"""

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
        """Render the report (the dict of ``Report.to_dict``, redacted) as this format's text."""
