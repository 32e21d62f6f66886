"""Rendering: files written atomically, Markdown and HTML reports."""

from drillsim.reports.files import staged_folder, write_text

__all__ = ["staged_folder", "write_text"]
