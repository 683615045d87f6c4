"""Audit reports (`itaku report`): the same figures as `itaku check` and the audit queries, as a
static HTML page (Jinja2, autoescaped, inline SVG diagrams, nothing fetched from the network) or
an Excel workbook (openpyxl, formula-safe cells), in Japanese or English."""
from .data import ReportData, build_report
from .excel import write_xlsx
from .html import render_html, write_html

__all__ = ["ReportData", "build_report", "render_html", "write_html", "write_xlsx"]
