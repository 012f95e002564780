"""Outside text (account names, file names, paths, audit details) shown as text, never run as Markdown or HTML."""

from __future__ import annotations

import re

# Characters that start markup anywhere in Streamlit's Markdown: emphasis, code, links and :color[...] / :emoji:
# directives, HTML, headings, LaTeX's $, tables, strike-through.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#$|~:])")
# ... and those that start it only at the beginning of a line: list items and block quotes.
_LINE_START = re.compile(r"^(\s*|\s*\d+)([-+>.)])", re.MULTILINE)


def md_escape(text: object) -> str:
    """``text`` with every Markdown character backslash-escaped, so it renders exactly as written."""
    escaped = _SPECIAL.sub(r"\\\1", "" if text is None else str(text))
    escaped = _LINE_START.sub(r"\1\\\2", escaped)
    return escaped.replace("\n", "  \n")
