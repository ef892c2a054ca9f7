"""The managers' report: one self-contained HTML page from the warehouse's aggregate tables."""

from pipelines.report.build import ReportResult, build_report

__all__ = ["ReportResult", "build_report"]
