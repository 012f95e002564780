"""Reading the tables the pages draw as HTML (``views.group.table_html``): each row's cells by ``data-col``."""

from __future__ import annotations

from html.parser import HTMLParser

_VOID = {"img", "br", "hr", "input", "wbr"}


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict[str, str]] = []
        self._col: str | None = None
        self._depth = 0
        self._hidden = 0  # inside an element shown only on narrow screens (a copy of another column)
        self._link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and "data-code" in found:
            self.rows.append({"code": found["data-code"] or ""})
        elif tag == "td" and "data-col" in found and self.rows:
            self._col, self._depth = found["data-col"], 0
            self.rows[-1][self._col] = ""
        elif self._col is not None and tag not in _VOID:
            self._depth += 1
            self.rows[-1][self._col] += " "
            classes = (found.get("class") or "").split()
            if self._hidden or "owner-inline" in classes or "period-inline" in classes:
                self._hidden += 1
            if tag == "a" and self._col == "indicator":
                self.rows[-1]["href"] = found.get("href") or ""
                self.rows[-1]["name"] = ""
                self._link = True

    def handle_endtag(self, tag: str) -> None:
        if self._col is None:
            return
        if tag == "td" and self._depth == 0:
            self.rows[-1][self._col] = " ".join(self.rows[-1][self._col].split())
            self._col = None
            return
        self._depth -= 1
        self._link = False
        if self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._col is not None and not self._hidden:
            self.rows[-1][self._col] += data
            if self._link:
                self.rows[-1]["name"] += data


def rows(html: str) -> list[dict[str, str]]:
    """Each ``<tr data-code>`` as {"code", each ``data-col``: its text (the parts of a cell joined by spaces),
    "href" and "name": the indicator's link and its words}."""
    parser = _Rows()
    parser.feed(html)
    return parser.rows
