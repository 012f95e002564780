"""The five group pages' logic (one renderer, ``dashboard.parts.group``) and the tally sentences the leadership
pages share.

Pure helpers over ``rules.evaluate.latest`` rows: filters, the group table (every figure written by
``dashboard.figures``, so it reads as on every other page) and its download.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from dashboard import charts, export, figures, sheets, theme
from dashboard.charts import Stamp
from dashboard.i18n import CODES, has, localized, t, vi_sort_key
from dashboard.links import href
from dashboard.tables import Column, Table, build
from dashboard.views.indicator import fit_width

GROUPS = CODES["group"]
STATUSES = CODES["status"]


def field_label(code: str | None, lang: str) -> str:
    """A field's name (``field.budget`` -> ``Ngân sách``); the code itself when the catalogue has none."""
    if not code:
        return ""
    key = f"field.{code}"
    return t(key, lang) if has(key) else code


# --------------------------------------------------------------------------- tally sentences


def summary_sentences(tally: dict[str, int], lang: str) -> list[str]:
    """Short sentences from a tally (rules.tally.tally): ``14/18 chỉ tiêu đạt hoặc vượt kế hoạch``, then what is
    slipping, late, worsening against the previous period, without data."""
    total = tally.get("total", 0)
    if not total:
        return []
    if tally.get("on_track", 0) == total:
        return [t("summary.all_on_track", lang, total=total)]
    out = [t("summary.on_track", lang, n=tally.get("on_track", 0), total=total)]
    for key in ("off_track", "at_risk"):
        if tally.get(key):
            out.append(t(f"summary.{key}", lang, n=tally[key], total=total))
    if tally.get("late"):
        out.append(t("summary.late", lang, n=tally["late"]))
    if tally.get("worsening"):
        out.append(t("summary.worsening", lang, n=tally["worsening"]))
    if tally.get("no_data"):
        out.append(t("summary.no_data", lang, n=tally["no_data"], total=total))
    return out


# --------------------------------------------------------------------------- filters


def filter_rows(
    frame: pl.DataFrame,
    group: str | None = None,
    departments: Iterable[str] = (),
    fields: Iterable[str] = (),
    statuses: Iterable[str] = (),
) -> pl.DataFrame:
    """The rows of one group, limited to the chosen departments, fields and statuses (empty = any)."""
    out = frame if group is None else frame.filter(pl.col("group") == group)
    for column, wanted in (("owner", departments), ("field", fields), ("status", statuses)):
        chosen = [w for w in wanted if w]
        if chosen:
            out = out.filter(pl.col(column).is_in(chosen))
    return out


def department_options(frame: pl.DataFrame, lang: str) -> dict[str, str]:
    """Owner code -> name for the departments present, in Vietnamese order of their names."""
    named = {r["owner"]: localized(r, "owner_name", lang, "owner") for r in frame.iter_rows(named=True) if r["owner"]}
    return dict(sorted(named.items(), key=lambda kv: vi_sort_key(kv[1])))


def field_options(frame: pl.DataFrame, lang: str) -> dict[str, str]:
    codes = frame.get_column("field").drop_nulls().unique().to_list()
    named = {c: field_label(c, lang) for c in codes}
    return dict(sorted(named.items(), key=lambda kv: vi_sort_key(kv[1])))


# --------------------------------------------------------------------------- the group table


def link_with_name(code: str, name: str, lang: str) -> str:
    """The indicator page's address, with the name after ``#`` so a LinkColumn can show it."""
    return href("indicator", lang, code=code) + "#" + (name or code).replace("#", " ")


LINK_NAME_PATTERN = "#(.*)$"

TABLE_SCHEMA = {
    "code": pl.String,
    "status": pl.String,
    "status_code": pl.String,
    "indicator": pl.String,
    "period": pl.String,
    "value": pl.String,
    "pct_of_plan": pl.Float64,
    "pct_of_plan_text": pl.String,
    "vs_previous": pl.String,
    "vs_last_year": pl.String,
    "trend": pl.String,
    "sparkline": pl.List(pl.Float64),
    "owner": pl.String,
    "owner_code": pl.String,
}


def table_frame(rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """What the group table shows, one row per indicator, the figures as ``dashboard.figures`` writes them.

    Columns: TABLE_SCHEMA (pct_of_plan stays a number, for the bar; pct_of_plan_text is how it is written).
    """
    out = []
    for r in rows.iter_rows(named=True):
        f = figures.of(r, lang)
        out.append(
            {
                "code": r["code"],
                "status": f.status,
                "status_code": r["status"] or "no_data",
                "indicator": link_with_name(r["code"], figures.name(r, lang), lang),
                "period": f.period,
                "value": f.value,
                "pct_of_plan": r["pct_of_plan"],
                "pct_of_plan_text": f.pct_of_plan,
                "vs_previous": f.vs_previous,
                "vs_last_year": f.vs_last_year,
                "trend": f.trend,
                "sparkline": [float(v) for v in (r["sparkline"] or []) if v is not None],
                "owner": localized(r, "owner_name", lang, "owner"),
                "owner_code": r["owner"],
            }
        )
    return pl.DataFrame(out, schema=TABLE_SCHEMA)


DOWNLOAD = (
    Column("code", "ui.code", "code"),
    Column("name", "ui.name"),
    Column("owner_name", "ui.owner"),
    Column("status", "ui.status", "status"),
    Column("period", "ui.period", "period"),
    Column("value", "ui.value", "number"),
    Column("unit", "ui.unit"),
    Column("ytd", "ui.ytd", "number"),
    Column("target", "ui.annual_target", "number"),
    Column("pct_of_target", "figures.pct_of_target", "percent"),
    Column("pct_of_plan", "figures.pct_of_plan", "percent"),
    Column("change_prev_pct", "group_page.change_prev_pct", "change"),
    Column("change_yoy_pct", "group_page.change_yoy_pct", "change"),
    Column("trend", "ui.trend", "trend"),
    Column("as_of", "ui.as_of_label", "date"),
)


def download_table(rows: pl.DataFrame, lang: str) -> Table:
    """The group table for CSV/XLSX: raw numbers, words for codes, headers in the reader's language."""
    data = rows.with_columns(
        name=pl.col("name_vi" if lang == "vi" else "name_en"),
        owner_name=pl.col("owner_name_vi" if lang == "vi" else "owner_name_en"),
        unit=pl.coalesce("unit_en", "unit") if lang == "en" and "unit_en" in rows.columns else pl.col("unit"),
    )
    return build(data, DOWNLOAD, lang)


# --------------------------------------------------------------------------- the group table as HTML
#
# A table the browser lays out (st.dataframe draws on a canvas whose columns keep the widths they are given, so at
# 1366 or 1024 px it cut statuses and values: "giường bệnh/vạn dân" without its number). Names and headers wrap;
# a status, a period and a number never do: a figure's unit may go under its number, nothing is cut. Narrower
# tables drop the sparkline, then write the owner under the name and the period under the value, then drop the
# trend (the download keeps every column).

TABLE_STYLE = """
<style>
.gt-wrap{container-type:inline-size;width:100%;overflow-x:auto}
table.gt{width:100%;border-collapse:collapse;font-size:.86rem;line-height:1.35;font-variant-numeric:tabular-nums;
  background:#fff}
table.gt th{font-weight:500;color:#5b6573;text-align:left;padding:6px 7px;border-bottom:1px solid #dfe3e8;
  font-size:.78rem;vertical-align:bottom;line-height:1.25}
table.gt td{padding:7px 7px;border-bottom:1px solid #eef1f4;vertical-align:middle;color:#1f2328}
table.gt tr:hover td{background:#f7f9fb}
table.gt .num{text-align:right}
table.gt td.c-plan,table.gt td.c-period,table.gt td.c-status,table.gt td.c-trend{white-space:nowrap}
table.gt td .n,table.gt td .u{white-space:nowrap}
table.gt td.c-name{min-width:10rem}
table.gt td.c-name a{color:#1f5c99;text-decoration:none;font-weight:500}
table.gt td.c-name a:hover{text-decoration:underline}
table.gt .sub{color:#5b6573;font-size:.76rem;margin-top:1px}
table.gt .sub .owner-inline,table.gt .sub.period-inline{display:none}
table.gt td.c-owner{min-width:9rem}
table.gt td.c-owner a{color:#1f2328;text-decoration:none}
table.gt td.c-owner a:hover{text-decoration:underline}
.gt-pill{display:inline-flex;align-items:center;gap:6px;border-radius:999px;padding:2px 10px;font-size:.78rem;
  font-weight:600;white-space:nowrap}
.gt-pill i{display:inline-block;width:8px;height:8px;border-radius:50%;flex:none}
.gt-bar{display:inline-block;width:44px;height:6px;border-radius:3px;background:#eef1f4;vertical-align:middle;
  margin-right:6px;overflow:hidden}
.gt-bar span{display:block;height:100%}
table.gt td.c-spark img{display:block;width:84px;height:24px}
.gt-good{color:#11603b}.gt-bad{color:#9b1c24}
@container (max-width:1180px){table.gt .c-spark{display:none}}
@container (max-width:1000px){table.gt .c-owner,table.gt .c-period{display:none}
  table.gt .sub .owner-inline{display:inline}table.gt .sub.period-inline{display:block}}
@container (max-width:860px){table.gt .c-trend{display:none}.gt-bar{display:none}
  table.gt td,table.gt th{padding-left:5px;padding-right:5px}}
</style>
"""

# The columns in reading order: what, how much, against plan, who. (key, header, CSS class)
_HEADERS = (
    ("status", "ui.status", "c-status"),
    ("indicator", "ui.indicator", "c-name"),
    ("period", "ui.latest_period", "c-period"),
    ("value", "ui.latest_value", "c-value num"),
    ("pct_of_plan", "figures.pct_of_plan", "c-plan num"),
    ("vs_previous", "group_page.col_prev", "c-prev num"),
    ("vs_last_year", "group_page.col_yoy", "c-yoy num"),
    ("trend", "ui.trend", "c-trend"),
    ("sparkline", "group_page.sparkline", "c-spark"),
    ("owner", "ui.owner", "c-owner"),
)
_HELP = {
    "pct_of_plan": "group_page.pct_of_plan_help",
    "vs_previous": "ui.vs_previous",
    "vs_last_year": "ui.vs_last_year",
    "trend": "group_page.trend_help",
    "sparkline": "group_page.sparkline_help",
}


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def status_label(code: str | None, words: str) -> str:
    """A status as a coloured label: its words on a tint of its colour, with a dot (no emoji: a machine without an
    emoji font showed nothing)."""
    code = code or "no_data"
    tint, ink = theme.STATUS_TINTS.get(code, theme.STATUS_TINTS["no_data"]), theme.STATUS_INKS.get(code, theme.INK)
    dot = theme.STATUS_COLORS.get(code, theme.MUTED)
    return f'<span class="gt-pill" style="background:{tint};color:{ink}"><i style="background:{dot}"></i>{_e(words)}</span>'


def _figure(text: str | None) -> str:
    """A figure with its unit: the number and the unit each kept whole; the unit may go under the number."""
    text = text or ""
    number, _, unit = text.partition(" ")
    if not unit or unit == "%" or not any(ch.isdigit() for ch in number):  # "12,5 %" stays on one line
        return f'<span class="n">{_e(text)}</span>'
    return f'<span class="n">{_e(number)}</span> <span class="u">{_e(unit)}</span>'


def sparkline_svg(values: Sequence[float], width: int = 84, height: int = 24) -> str:
    """A sparkline as an SVG image address (``data:``): a polyline of the values, the last one marked."""
    points = [float(v) for v in values if v is not None]
    if len(points) < 2:
        return ""
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    step = (width - 4) / (len(points) - 1)
    xy = [(2 + i * step, height - 3 - (v - low) / span * (height - 6)) for i, v in enumerate(points)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    last_x, last_y = xy[-1]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<polyline points="{line}" fill="none" stroke="{theme.PRIMARY}" stroke-width="1.6" '
        f'stroke-linejoin="round" stroke-linecap="round"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.2" fill="{theme.PRIMARY}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _plan_cell(pct: float | None, text: str) -> str:
    if pct is None or text == figures.MISSING:
        return _e(text)
    width = max(0.0, min(float(pct), 100.0))
    color = theme.PRIMARY
    return f'<span class="gt-bar"><span style="width:{width:.0f}%;background:{color}"></span></span>{_e(text)}'


def table_html(shown: pl.DataFrame, lang: str, owner: bool = True) -> str:
    """The group table (``table_frame``'s rows) as HTML: every cell marked ``data-col`` with its column.
    ``owner=False`` leaves the owner out (a department's own page)."""
    columns = [c for c in _HEADERS if owner or c[0] != "owner"]
    head = "".join(
        f'<th class="{cls}"'
        + (f' title="{_e(t(_HELP[key], lang))}"' if key in _HELP else "")
        + f">{_e(t(header, lang))}</th>"
        for key, header, cls in columns
    )
    body = []
    for r in shown.iter_rows(named=True):
        link, _, name = (r["indicator"] or "").partition("#")
        owner_link = href("department", lang, code=r["owner_code"]) if r.get("owner_code") else ""
        owner = f'<a href="{_e(owner_link)}" target="_self">{_e(r["owner"])}</a>' if owner_link else _e(r["owner"])
        spark = sparkline_svg(r["sparkline"] or [])
        cells = {
            "status": status_label(r["status_code"], r["status"]),
            "indicator": (
                f'<a href="{_e(link)}" target="_self">{_e(name or r["code"])}</a>'
                f'<div class="sub">{_e(r["code"])}'
                + (f'<span class="owner-inline"> · {_e(r["owner"])}</span>' if owner else "")
                + "</div>"
            ),
            "period": _e(r["period"]),
            "value": _figure(r["value"]) + f'<div class="sub period-inline">{_e(r["period"])}</div>',
            "pct_of_plan": _plan_cell(r["pct_of_plan"], r["pct_of_plan_text"]),
            "vs_previous": _figure(r["vs_previous"]),
            "vs_last_year": _figure(r["vs_last_year"]),
            "trend": _e(r["trend"]),
            "sparkline": f'<img src="{spark}" alt="">' if spark else "",
            "owner": owner,
        }
        tds = "".join(f'<td class="{cls}" data-col="{key}">{cells[key]}</td>' for key, _, cls in columns)
        body.append(f'<tr data-code="{_e(r["code"])}">{tds}</tr>')
    return (
        f'<div class="gt-wrap"><table class="gt"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def sheet_heading(
    group: str,
    chosen: pl.DataFrame,
    total: int,
    stamp: Stamp,
    department: str | None = None,
    field: str | None = None,
    statuses: Sequence[str] = (),
) -> sheets.Heading:
    """The group table's XLSX header block: the group, the filters chosen, the date of the data (each row says its
    own period)."""
    lang = stamp.lang
    chosen_filters = [x for x in (department, field, ", ".join(statuses)) if x]
    extra = [(t("sheet.filters", lang), " · ".join(chosen_filters))] if chosen_filters else []
    if chosen.height != total:
        extra.append((t("ui.indicators", lang), f"{chosen.height}/{total}"))
    return sheets.heading(lang, t(f"page.{group}", lang), as_of=stamp.as_of, demo=stamp.demo, extra=extra)


def plan_chart(shown: pl.DataFrame, group: str, stamp: Stamp) -> Any:
    """The group's indicators against their plan to date (``charts.plan_bars``), in the table's order."""
    lang = stamp.lang
    frame = shown.select(
        pl.col("indicator").str.extract(LINK_NAME_PATTERN).alias("name"),
        pl.col("pct_of_plan").alias("pct"),
        pl.col("pct_of_plan_text").alias("pct_text"),
        pl.col("status_code").alias("status"),
    )
    title = t("group_page.chart_title", lang, group=t(f"group.{group}", lang))
    return fit_width(charts.plan_bars(frame, stamp.text(title)))


# The plan chart is drawn on the server as SVG at each of these widths (CSS px): the page shows the wide one at its
# own size where the column has room for it, else the narrow one fitted to the column. A group page then loads no
# chart library in the browser (vega-embed: about 0.9 MB of JavaScript in a fresh context). The table above the
# chart carries every figure a tooltip would.
CHART_WIDTHS = (640, 960)

CHART_STYLE = """
<style>
.gc{container-type:inline-size;width:100%;margin:4px 0 6px}
.gc>div{display:none}
.gc>div:first-child{display:block}
.gc svg{display:block;width:100%;height:auto}
@container (min-width:960px){.gc>div:first-child{display:none}.gc>div:last-child{display:block}
  .gc>div:last-child svg{width:960px}}
</style>
"""


def plan_chart_html(spec: dict, group: str) -> str:
    """The plan chart (``plan_chart``'s spec) as inline SVG at each of ``CHART_WIDTHS``, the narrow one first
    (``CHART_STYLE`` shows the one that fits)."""
    images = []
    for width in CHART_WIDTHS:
        svg = export.chart_svg(spec, width).decode("utf-8")
        images.append(f"<div>{export.inline_svg(svg, f'plan-{group}-{width}-')}</div>")
    return f'<div class="gc">{"".join(images)}</div>'
