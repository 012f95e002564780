"""Outside text (account names, file names, paths, audit details) shown as text, never run as Markdown or HTML."""

from __future__ import annotations

import re

# Every character Streamlit's Markdown gives a meaning to, LaTeX's $ and HTML's < included.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """``text`` with every Markdown character backslash-escaped, so it renders exactly as written."""
    return _SPECIAL.sub(r"\\\1", "" if text is None else str(text)).replace("\n", "  \n")
