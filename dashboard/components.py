"""Streamlit pieces shared by pages: charts and tables with their downloads, links, badges.

Pages stay thin: they call these with frames and already-built charts. The
downloads are rendered lazily (only when clicked) from the very chart or table
on screen, so what is exported is what was seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import altair as alt
import polars as pl
import streamlit as st

from dashboard import export
from dashboard.i18n import t
from dashboard.page import Ctx

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


def href(page: str, lang: str, **params: Any) -> str:
    """A relative link to a page with its filters in the query string (language kept)."""
    query = {k: v for k, v in params.items() if v not in (None, "", [])}
    if lang != "vi":
        query["lang"] = lang
    text = urlencode(query, doseq=True)
    return f"./{page}" + (f"?{text}" if text else "")


def page_link(ctx: Ctx, page: str, label: str, icon: str | None = None, **params: Any) -> None:
    """st.page_link that keeps the language and passes the filters in the address."""
    query = {k: str(v) for k, v in params.items() if v not in (None, "")}
    if ctx.lang != "vi":
        query["lang"] = ctx.lang
    st.page_link(f"app_pages/{page}.py", label=label, icon=icon, query_params=query or None)


def chart(ctx: Ctx, figure: alt.TopLevelMixin, name: str, key: str, height: int | None = None) -> None:
    """Show an Altair chart with PNG and SVG downloads rendered on the server from the same chart."""
    st.altair_chart(figure, width="stretch", theme=None, key=f"chart_{key}")
    if not ctx.can("export"):
        return
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        t("ui.download_png", ctx.lang),
        data=lambda: export.chart_png(figure),
        file_name=f"{name}.png",
        mime="image/png",
        key=f"png_{key}",
        on_click="ignore",
        icon=":material/image:",
    )
    right.download_button(
        t("ui.download_svg", ctx.lang),
        data=lambda: export.chart_svg(figure),
        file_name=f"{name}.svg",
        mime="image/svg+xml",
        key=f"svg_{key}",
        on_click="ignore",
        icon=":material/draw:",
    )


def table(
    ctx: Ctx,
    frame: pl.DataFrame,
    name: str,
    key: str,
    column_config: Mapping[str, Any] | None = None,
    downloads: pl.DataFrame | None = None,
    parquet: bool = False,
    **kwargs: Any,
) -> Any:
    """Show a table with CSV and XLSX downloads (of ``downloads`` if given, else of the table)."""
    shown = st.dataframe(frame, hide_index=True, column_config=column_config, key=f"table_{key}", **kwargs)
    if not ctx.can("export"):
        return shown
    data = frame if downloads is None else downloads
    cols = st.columns([1, 1, 1, 3] if parquet else [1, 1, 4])
    cols[0].download_button(
        t("ui.download_csv", ctx.lang),
        data=lambda: export.table_csv(data),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
        icon=":material/download:",
    )
    cols[1].download_button(
        t("ui.download_xlsx", ctx.lang),
        data=lambda: export.table_xlsx(data),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        on_click="ignore",
        icon=":material/table:",
    )
    if parquet:
        cols[2].download_button(
            t("ui.download_parquet", ctx.lang),
            data=lambda: export.table_parquet(data),
            file_name=f"{name}.parquet",
            mime="application/vnd.apache.parquet",
            key=f"parquet_{key}",
            on_click="ignore",
            icon=":material/database:",
        )
    return shown


def empty(ctx: Ctx, key: str = "ui.no_data") -> None:
    """The empty state: say so plainly instead of drawing an empty chart."""
    st.info(t(key, ctx.lang), icon=":material/info:")
