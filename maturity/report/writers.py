"""The report writers by format: the one place a report format is registered."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from maturity.report.interface import ReportFormat, ReportWriter
from maturity.report.json_report import JsonReportWriter
from maturity.report.markdown_report import MarkdownReportWriter

#: format -> its writer, one for every ``ReportFormat``
WRITERS: Mapping[ReportFormat, ReportWriter] = MappingProxyType(
    {writer.format: writer for writer in (JsonReportWriter(), MarkdownReportWriter())}
)


def writer_for(fmt: ReportFormat) -> ReportWriter:
    return WRITERS[fmt]
