"""The report pack for the view on screen: one click per format (DOCX, PDF, PPTX), through the download door.

The overview gives the whole set, a group page its group, a department page its indicators: the same scope, day
and language as the page, so the report reads as the page does (``reports.content``). The file is built only when
its button is clicked, after the export right is checked and the download audited (``dashboard.downloads``).
"""

from __future__ import annotations

import streamlit as st

from dashboard.downloads import offer
from dashboard.export import ascii_slug
from dashboard.page import Ctx


def buttons(ctx: Ctx, group: str | None = None, department: str | None = None) -> None:
    """A "Tải báo cáo" popover with the three files for this scope; nothing for an account that may not export."""
    if not ctx.can("export"):
        return
    import reports

    scope = group or (department or "").lower() or "all"
    name = "_".join(x for x in (ctx.t("report.file_stem"), ascii_slug(scope), ctx.today.strftime("%Y-%m")) if x)
    with st.popover(ctx.t("report.download"), icon=":material/summarize:", help=ctx.t("report.download_help")):
        for kind in reports.FORMATS:
            offer(
                ctx, st, kind, name, f"report_{scope}",
                lambda kind=kind: reports.render(
                    kind, ctx.path, ctx.today, group=group, department=department, lang=ctx.lang
                ),
            )  # fmt: skip
