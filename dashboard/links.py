"""Addresses between pages, built in one place: the page's path, its filters, and the language kept.

Every link a page draws (HTML cards, table link columns, the sidebar, buttons
that switch page) comes from ``href`` or ``query``, so a click never drops the
reader's language or the view's filters (CONTRACT §5: a view can be shared).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dashboard.i18n import DEFAULT_LANG


def query(lang: str, **params: Any) -> dict[str, Any]:
    """The query string of a view: its filters (empty ones left out) and the language unless Vietnamese."""
    out = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    if lang != DEFAULT_LANG:
        out["lang"] = lang
    return out


def href(page: str, lang: str, **params: Any) -> str:
    """A relative link to a page (``""`` is the overview) with its filters in the query string."""
    text = urlencode(query(lang, **params), doseq=True)
    return f"./{page}" + (f"?{text}" if text else "")
