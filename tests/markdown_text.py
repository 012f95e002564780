"""What a reader sees of Markdown that outside text was escaped into (dashboard.markdown.plain)."""

import re


def seen(markdown: str) -> str:
    """The text with Markdown's backslash escapes resolved: ``STC\\_2026.csv`` reads ``STC_2026.csv``."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
