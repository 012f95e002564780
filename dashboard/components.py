"""Streamlit pieces shared by pages: charts and tables with their downloads, links, badges.

Pages stay thin: they call these with frames and already-built charts. The
downloads are rendered lazily (only when clicked) from the very chart or table
on screen, so what is exported is what was seen.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from dashboard import export, links, sheets
from dashboard.downloads import offer
from dashboard.i18n import t
from dashboard.markdown import plain
from dashboard.page import Ctx
from dashboard.sheets import Heading
from dashboard.tables import Table, fitted

STATUS_ICONS = {
    "on_track": "🟢",
    "at_risk": "🟡",
    "off_track": "🔴",
    "late": "🟣",
    "no_data": "⚪",
    "no_target": "⚪",
}


def status_label(status: str | None, lang: str) -> str:
    """A status as an icon plus words (colour is never the only signal)."""
    if not status:
        return ""
    return f"{STATUS_ICONS.get(status, '⚪')} {t(f'status.{status}', lang)}"


def page_link(ctx: Ctx, page: str, label: str, icon: str | None = None, **params: Any) -> None:
    """st.page_link that keeps the language and passes the filters in the address."""
    query = {k: str(v) for k, v in links.query(ctx.lang, **params).items()}
    st.page_link(f"app_pages/{page}.py", label=label, icon=icon, query_params=query or None)


def spec(figure: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite spec as Streamlit's ``st.altair_chart`` makes it, without the schema check.

    The builders' specs are checked against the schema by tests/test_charts.py; checked again at every page run
    (Altair walks every inline data row through jsonschema) it was 12 % of the server's CPU under load
    (benchmarks/bench_protocol.py with py-spy).
    """
    return figure.to_dict(validate=False)


def chart(ctx: Ctx, figure: alt.TopLevelMixin | dict[str, Any], name: str, key: str, height: int | None = None) -> None:
    """Show a chart (Altair, or its spec from ``spec``) with PNG and SVG downloads rendered on the server from it."""
    shown = figure if isinstance(figure, dict) else spec(figure)
    st.vega_lite_chart(shown, width="stretch", theme=None, key=f"chart_{key}")
    chart_downloads(ctx, shown, name, key)


def chart_downloads(ctx: Ctx, shown: dict[str, Any], name: str, key: str) -> None:
    """The PNG and SVG buttons of a chart (its spec), rendered on the server when asked for."""
    if not ctx.can("export"):
        return
    row = st.container(horizontal=True, gap="small")  # buttons as wide as their words, on any screen
    offer(ctx, row, "png", name, key, lambda: export.chart_png(shown))
    offer(ctx, row, "svg", name, key, lambda: export.chart_svg(shown))


def table(
    ctx: Ctx,
    frame: pl.DataFrame,
    name: str,
    key: str,
    column_config: Mapping[str, Any] | None = None,
    downloads: pl.DataFrame | None = None,
    parquet: bool = False,
    heading: Heading | None = None,
    kinds: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> Any:
    """Show a table with CSV and XLSX downloads (of ``downloads`` if given, else of the table).

    The grid's own toolbar download is off for everyone (.streamlit/config.toml): these buttons are the way out,
    through the export right and the audit log (dashboard/downloads.py).
    """
    # every text column as wide as its widest cell (tables.fitted): the grid would size them from its first rows
    config = fitted(column_config or {}, frame)
    shown = st.dataframe(frame, hide_index=True, column_config=config, key=f"table_{key}", **kwargs)
    table_downloads(ctx, frame if downloads is None else downloads, name, key, parquet, heading, kinds)
    return shown


def table_downloads(
    ctx: Ctx,
    data: pl.DataFrame,
    name: str,
    key: str,
    parquet: bool = False,
    heading: Heading | None = None,
    kinds: Mapping[str, str] | None = None,
) -> None:
    """The CSV and XLSX (and Parquet) buttons of a table, through the one download door. The XLSX opens with
    ``heading`` (by default the date of the data and the demo mark) and shows numbers as the screen does; the
    CSV stays a plain table for machines."""
    if not ctx.can("export"):
        return
    sheet = heading or sheets.heading(ctx.lang, as_of=ctx.as_of, demo=ctx.demo)
    row = st.container(horizontal=True, gap="small")
    offer(ctx, row, "csv", name, key, lambda: export.table_csv(data), rows=data.height)
    offer(ctx, row, "xlsx", name, key, lambda: export.table_xlsx(data, heading=sheet, kinds=kinds), rows=data.height)
    if parquet:
        offer(ctx, row, "parquet", name, key, lambda: export.table_parquet(data), rows=data.height)


def shown(
    ctx: Ctx, view: Table, name: str, key: str, most: int | None = None, heading: Heading | None = None, **kwargs: Any
) -> Any:
    """A view's table with its downloads; link columns open their page; ``most``: the tallest it may be in
    pixels (shorter when it has few rows)."""
    links = {c: st.column_config.LinkColumn(c, display_text=":material/open_in_new:") for c in view.links}
    if most:
        kwargs["height"] = min(most, 38 + 35 * max(1, view.display.height))
    return table(
        ctx, view.display, name, key, downloads=view.download, column_config=view.config | links,
        heading=heading, kinds=view.kinds, **kwargs,
    )  # fmt: skip


def metric(box: Any, tile: Any) -> None:
    """One tile (a ``views.indicator.Tile``) as st.metric, its texts made plain: Streamlit renders a metric's
    label, value, delta and help as Markdown, and a unit or a name in them comes from the catalogue."""
    fields = tile._asdict()
    for name in ("label", "value", "delta", "help", "delta_description"):
        if fields.get(name):
            fields[name] = plain(fields[name])
    box.metric(**fields, border=True, height="stretch")


def sentence_html(text: str) -> str:
    """A sentence built from data (an indicator's summary), as escaped HTML: text, never Markdown."""
    return f'<p class="ind-sentence" style="color:#3d4550;font-size:1rem;margin:.1rem 0 .5rem">{html.escape(text)}</p>'


def empty(ctx: Ctx, key: str = "ui.no_data") -> None:
    """The empty state: say so plainly instead of drawing an empty chart."""
    st.info(t(key, ctx.lang), icon=":material/info:")
