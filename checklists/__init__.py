"""Checklists (調査シート・遵守確認表) as data: templates quoted from the source documents,
fillable Excel workbooks, and reading a filled workbook back into a dataset."""
from .templates import Item, Template, TemplateError, get_template, load_templates

__all__ = ["Item", "Template", "TemplateError", "get_template", "load_templates"]
