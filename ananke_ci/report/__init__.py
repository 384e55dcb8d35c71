"""Reporters: text, json, sarif and github renderings of one run's findings."""

from __future__ import annotations

from ananke_ci.report.base import Counts, Reporter, ReportInput, summary_line
from ananke_ci.report.registry import (
    DEFAULT_FORMAT,
    FORMATS,
    ReportSpec,
    make_reporter,
    parse_spec,
    parse_specs,
    write_reports,
)

__all__ = [
    "DEFAULT_FORMAT",
    "FORMATS",
    "Counts",
    "ReportInput",
    "ReportSpec",
    "Reporter",
    "make_reporter",
    "parse_spec",
    "parse_specs",
    "summary_line",
    "write_reports",
]
