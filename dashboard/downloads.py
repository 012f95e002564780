"""Every file the dashboard hands out goes through one door: this module.

A download button is lazy: its bytes are made only when it is clicked, on the server, and at that moment
``auth.roles.record_export`` re-reads the account, checks the right the file needs and writes the audit row
(who, which file, how many rows) or the refusal. Tables are written by dashboard/export.py, which neutralises
text a spreadsheet would run as a formula. Streamlit's own grid download ("Download as CSV" in a table's
toolbar) builds its file in the browser, out of reach of all of this, so it is turned off for everyone
(``client.disableDataExport`` in .streamlit/config.toml) and these buttons are offered instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auth import roles
from dashboard.i18n import t
from dashboard.page import Ctx


@dataclass(frozen=True)
class Kind:
    """A file format: its MIME type, button label and icon."""

    mime: str
    label: str
    icon: str


KINDS = {
    "png": Kind("image/png", "ui.download_png", ":material/image:"),
    "svg": Kind("image/svg+xml", "ui.download_svg", ":material/draw:"),
    "csv": Kind("text/csv", "ui.download_csv", ":material/download:"),
    "xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ui.download_xlsx", ":material/table:"
    ),
    "parquet": Kind("application/vnd.apache.parquet", "ui.download_parquet", ":material/database:"),
    "docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ui.download_docx",
        ":material/description:",
    ),
    "pdf": Kind("application/pdf", "ui.download_pdf", ":material/picture_as_pdf:"),
    "pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ui.download_pptx",
        ":material/slideshow:",
    ),
}


def producer(
    ctx: Ctx, file_name: str, make: Callable[[], bytes], detail: dict[str, Any] | None, right: str | None
) -> Callable[[], bytes]:
    """What runs when the button is clicked: the right checked and audited on the server, then the bytes."""
    path, account = ctx.path, ctx.account  # captured now: the click is served outside the page's run

    def produce() -> bytes:
        roles.record_export(path, account, file_name, detail, right)
        return make()

    return produce


def offer(
    ctx: Ctx,
    container: Any,
    kind: str,
    name: str,
    key: str,
    make: Callable[[], bytes],
    rows: int | None = None,
    right: str | None = "export",
) -> None:
    """One download button for ``name.kind``; nothing when the session lacks ``right`` (checked again on click)."""
    if right is not None and not ctx.can(right):
        return
    spec = KINDS[kind]
    file_name = f"{name}.{kind}"
    detail: dict[str, Any] = {"format": kind}
    if rows is not None:
        detail["rows"] = rows
    container.download_button(
        t(spec.label, ctx.lang),
        data=producer(ctx, file_name, make, detail, right),
        file_name=file_name,
        mime=spec.mime,
        key=f"{kind}_{key}",
        on_click="ignore",
        icon=spec.icon,
    )
