"""Presentation mode for a working session on a projector: one indicator per slide.

Pure functions choose the slides (the agenda: every indicator group by group, one group, a department or a
list in the order chosen), keep the slide number in range, freeze the data at the meeting's start, cut each
indicator's history to a window that reads from the back of the room and write the slide's sentence.

A slide is one block of HTML (``slide_html``): the title, the chart (an SVG rendered on the server from the
same Altair builder as the indicator page and its PNG/SVG export), the figures, the sentence and the slide
number. Streamlit replaces an element whole, so a slide change shows the old slide or the new one, never
parts of both. (It goes out through ``st.markdown`` and ``dashboard.markdown.inert_html``: ``st.html``'s
sanitiser drops inline SVG, and an SVG drawn as an image could not use the page's Vietnamese font.) The slide is laid out for any screen from 1024×768 to 1920×1080 without scrolling: sizes are
in ``--u``, a hundredth of the width of the largest 16:9 frame the screen holds, so type and chart grow and
shrink together with the screen, as on a projector.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import polars as pl

from dashboard import charts, export, figures, numbers, theme
from dashboard.charts import Stamp
from dashboard.i18n import CODES, label, localized, t

MODES = ("all", "group", "department", "codes")
# Periods on a slide's chart, by frequency: about two years of monthly data, fewer of the rest.
WINDOW = {"weekly": 26, "monthly": 24, "quarterly": 12, "half_yearly": 8, "annual": 8}
WARNING_STATUSES = ("off_track", "at_risk", "late")  # with the worsening ones: what a session discusses
# The chart's drawing sizes (CSS px, the whole image: title, legend and axes included). The slide scales the
# image to its box: "wide" fits a 16:9 screen's chart box (about 61 × 37 --u), "tall" a 4:3 screen's (61 × 55).
# Drawn at about 1000 px, the big-screen type (20 px axis labels) shows at 15 px on 1280×720, 23 px on 1920×1080.
CHART_SIZES = {"wide": (1000, 600), "tall": (1000, 900)}


def slide_rows(
    evaluated: pl.DataFrame,
    mode: str,
    group: str | None = None,
    department: str | None = None,
    codes: Iterable[str] = (),
    focus: str = "all",
) -> pl.DataFrame:
    """The agenda: the indicators to present, in order.

    ``all``: every indicator, group by group (input, process, output, outcome, composite), each group in
    catalogue order; ``group`` and ``department``: in catalogue order; ``codes``: in the order chosen.
    ``focus="warnings"`` keeps those off track, at risk, late or worsening.
    """
    if mode == "codes":
        order = {c: i for i, c in enumerate(dict.fromkeys(c.strip().upper() for c in codes if c))}
        rows = evaluated.filter(pl.col("code").is_in(list(order)))
        rows = rows.with_columns(_o=pl.col("code").replace_strict(order, default=len(order))).sort("_o").drop("_o")
        return _focus(rows, focus)
    if mode == "all":
        groups = {g: i for i, g in enumerate(CODES["group"])}
        rows = evaluated.with_columns(_g=pl.col("group").replace_strict(groups, default=len(groups)))
        return _focus(rows.sort("_g", "position", "code").drop("_g"), focus)
    if mode == "department":
        rows = evaluated.filter(pl.col("owner") == (department or ""))
    else:
        rows = evaluated.filter(pl.col("group") == (group or "input"))
    return _focus(rows.sort("position", "code"), focus)


def _focus(rows: pl.DataFrame, focus: str) -> pl.DataFrame:
    if focus != "warnings":
        return rows
    return rows.filter(pl.col("status").is_in(WARNING_STATUSES) | pl.col("worsening"))


def clamp_slide(text: str | None, n: int) -> int:
    """The slide number from the address, kept within 1..n (1 when unreadable)."""
    try:
        wanted = int(str(text).strip())
    except (TypeError, ValueError):
        wanted = 1
    return max(1, min(wanted, max(n, 1)))


# --------------------------------------------------------------------------- the meeting's frozen data


def frozen_at(text: str | None) -> datetime | None:
    """The moment a deck was frozen, from the address (``2026-11-23T13:25:00``); None when absent or unreadable."""
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except (TypeError, ValueError):
        return None
    return moment.replace(tzinfo=None, microsecond=0)


def freeze_text(moment: datetime) -> str:
    """A moment as the address keeps it: to the second, ``2026-11-23T13:25:00``."""
    return moment.replace(microsecond=0).isoformat(timespec="seconds")


def stands_at(frozen: datetime | None, latest: datetime | None) -> datetime | None:
    """The moment whose data the deck shows: the frozen one when a file arrived after it; None (the data as it
    stands) when nothing came since, which is the same data, read without going back through the history."""
    if frozen is None or latest is None:
        return None
    return frozen if latest.replace(microsecond=0) > frozen else None


# --------------------------------------------------------------------------- the chart


def chart_kind(series: pl.DataFrame, frequency: str, value_type: str) -> str:
    """Which chart a slide draws: ``ytd`` (year to date against the plan) or ``history``.

    Amounts that add up over the year (flows, and figures already cumulative)
    are judged on the year to date against the plan path, over the latest year;
    levels and rates, annual figures, and years with fewer than three periods
    so far show their history against the year's target.
    """
    if value_type not in ("flow", "ytd") or frequency == "annual" or series.is_empty():
        return "history"
    year = series["period"][-1][:4]
    so_far = series.filter(pl.col("period").str.starts_with(year)).height
    return "ytd" if so_far >= 3 else "history"


def chart_frame(series: pl.DataFrame, frequency: str, value_type: str) -> tuple[pl.DataFrame, str]:
    """The slide chart's rows and its kind (see ``chart_kind``).

    ``ytd``: the latest year's periods with ytd and plan_ytd (the plan to date).
    ``history``: the last periods (``WINDOW``) with value, target (the year's
    target; none for a flow's own amount, drawn as bars) and status.
    """
    kind = chart_kind(series, frequency, value_type)
    if kind == "ytd":
        year = series["period"][-1][:4]
        rows = series.filter(pl.col("period").str.starts_with(year))
        return rows.select("period", "ytd", pl.col("plan_to_date").alias("plan_ytd")), kind
    window = series.tail(WINDOW.get(frequency, 12))
    target = pl.lit(None, dtype=pl.Float64) if value_type == "flow" else pl.col("target")
    return window.select("period", "value", target.alias("target"), "status"), kind


def slide_figure(series: pl.DataFrame, row: dict[str, Any], labels: charts.ChartText) -> Any:
    """The slide's large chart, from the same builders as the indicator page (and its PNG/SVG export)."""
    frame, kind = chart_frame(series, row["frequency"], row["value_type"])
    if kind == "ytd":
        ytd_labels = replace(labels, title=t("present.chart_ytd", labels.lang))
        return charts.ytd_vs_plan_chart(frame, ytd_labels, annual_target=row.get("target"), big_screen=True)
    return charts.slide_chart(
        frame,
        labels,
        direction=row.get("direction") or "up",
        on_track_pct=row.get("on_track_pct"),
        at_risk_pct=row.get("at_risk_pct"),
        mark="bar" if row["value_type"] == "flow" else "line",
    )


def chart_labels(row: dict[str, Any], source: str | None, stamp: Stamp) -> charts.ChartText:
    """The slide chart's words: its title, unit, period, source, the date of the data and the demo mark."""
    return stamp.text(
        t("ui.history", stamp.lang), unit=figures.unit(row, stamp.lang),
        period=figures.period(row.get("period"), stamp.lang), source=source,
    )  # fmt: skip


def chart_svgs(figure: Any) -> dict[str, str]:
    """The slide chart drawn at each of ``CHART_SIZES`` (the whole image that size), as SVG text."""
    out = {}
    for name, (width, height) in CHART_SIZES.items():
        spec = figure.to_dict() if hasattr(figure, "to_dict") else dict(figure)
        spec["width"], spec["height"] = width, height
        spec["autosize"] = {"type": "fit", "contains": "padding"}
        out[name] = export.chart_svg(spec, width).decode("utf-8")
    return out


# --------------------------------------------------------------------------- words


def context_text(
    mode: str,
    group: str | None,
    department: str | None,
    codes: Iterable[str],
    focus: bool,
    evaluated: pl.DataFrame,
    lang: str,
) -> str:
    """What the slides show, as HTML for the top line: ``Trình chiếu · Nhóm chỉ số: Đầu vào``."""
    if mode == "department":
        names = {r["owner"]: localized(r, "owner_name", lang, "owner") for r in evaluated.iter_rows(named=True)}
        chosen = f"{_e(t('ui.department', lang))}: <b>{_e(names.get(department or '', department or ''))}</b>"
    elif mode == "codes":
        chosen = f"<b>{_e(t('present.chosen_codes', lang, n=len(list(codes))))}</b>"
    elif mode == "all":
        chosen = f"<b>{_e(t('present.mode_all', lang))}</b>"
    else:
        group_name = label("group", group or "input", lang)
        chosen = f"{_e(t('ui.group', lang))}: <b>{_e(group_name)}</b>"
    focus_text = f" · {_e(t('present.focus', lang))}" if focus else ""
    return f"{_e(t('page.present', lang))} · {chosen}{focus_text}"


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def summary(row: dict[str, Any], lang: str) -> str:
    """The slide's one line: the indicator's summary sentence (``dashboard.figures.sentence``), as on its page."""
    return figures.sentence(row, lang) or t("present.no_value", lang)


def agenda_item(number: int, row: dict[str, Any], lang: str) -> str:
    """One line of the agenda (the "go to slide" list): ``3 · IN-03 · Vốn FDI thu hút``."""
    return f"{number} · {row['code']} · {figures.name(row, lang)}"


# --------------------------------------------------------------------------- HTML

# --u: a hundredth of the width of the largest 16:9 frame the screen holds (19.2 px at 1920×1080, 12.8 px at
# 1280×720, 10.24 px at 1024×768). Every size on the slide is in --u, so the slide is the same picture on any
# screen; the panel's value also shrinks with the panel's own width (cqi) so that it never wraps.
STYLE = """
<style>
:root{--u:min(1vw,1.7778vh)}
[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],[data-testid="stHeader"],
[data-testid="stToolbar"],[data-testid="stDecoration"],[data-testid="stSidebarNav"],
[data-testid="stExpandSidebarButton"]{display:none!important}
[data-testid="stMain"]{overflow:hidden!important}
[data-testid="stMainBlockContainer"]{padding:calc(var(--u)*.9) calc(var(--u)*2) calc(var(--u)*.7)!important;
  max-width:100%!important;height:100vh;box-sizing:border-box}
[data-testid="stMainBlockContainer"]>div,[data-testid="stMainBlockContainer"]>div>[data-testid="stVerticalBlock"]{
  height:100%}
[data-testid="stMainBlockContainer"]>div>[data-testid="stVerticalBlock"]{gap:calc(var(--u)*.6)!important;
  flex-wrap:nowrap!important}
[data-testid="stElementContainer"]:has(.pr-slide){flex:1 1 0!important;min-height:0;overflow:hidden}
[data-testid="stElementContainer"]:has(.pr-slide) div:has(.pr-slide){height:100%;margin:0!important}
.st-key-present_next_pg,.st-key-present_prev_pg{display:none!important}
.st-key-present_prev button,.st-key-present_next button{min-height:calc(var(--u)*3.2);border-radius:calc(var(--u)*.6);
  padding:0 calc(var(--u)*1.2)}
.st-key-present_prev button p,.st-key-present_next button p{font-size:calc(var(--u)*1.35)!important;font-weight:600}
.st-key-present_prev button span,.st-key-present_next button span{font-size:calc(var(--u)*1.5)!important}
[data-testid="stMain"] [data-testid="stPopover"] button{min-height:calc(var(--u)*2.4)}
[data-testid="stMain"] [data-testid="stPopover"] button p{font-size:calc(var(--u)*1)!important}
[data-testid="stPopoverBody"]{min-width:min(34rem,90vw)}
.pr-top{display:flex;align-items:center;color:#5b6573;font-size:calc(var(--u)*1.25);
  gap:calc(var(--u)*1);white-space:nowrap;line-height:1.3}
.pr-top .ctx{overflow:hidden;text-overflow:ellipsis;flex:0 1 auto;min-width:0}
.pr-top a{margin-left:auto}
.pr-top>span,.pr-top>a{flex:0 0 auto}
.pr-top a{color:#5b6573;text-decoration:none}
.pr-top a:hover{text-decoration:underline}
.pr-top .ctx b{color:#1f2328;font-weight:600}
.pr-demo{background:#fff4e0;color:#7a4d00;border:1px solid #f1d39a;border-radius:999px;padding:0 calc(var(--u)*.7);
  font-size:calc(var(--u)*1)}
.pr-frozen{color:#1f2328}
.pr-slide{height:100%;display:grid;grid-template-rows:auto minmax(0,1fr) auto;gap:calc(var(--u)*.6);
  color:#1f2328;overflow:hidden}
.pr-head{display:flex;justify-content:space-between;align-items:flex-start;gap:calc(var(--u)*2)}
.pr-title{font-size:calc(var(--u)*2.6);font-weight:700;line-height:1.2;letter-spacing:-.01em;
  display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.pr-sub{font-size:calc(var(--u)*1.25);color:#5b6573;margin-top:calc(var(--u)*.2)}
.pr-count{font-size:calc(var(--u)*1.25);color:#5b6573;white-space:nowrap;font-variant-numeric:tabular-nums;
  padding-top:calc(var(--u)*.5)}
.pr-body{display:grid;grid-template-columns:minmax(0,1.9fr) minmax(0,1fr);gap:calc(var(--u)*2);min-height:0}
.pr-chart{min-height:0;min-width:0;position:relative}
.pr-chart svg{position:absolute;inset:0;width:100%;height:100%;display:block}
.pr-chart .pr-tall{display:none}
@media (max-aspect-ratio:3/2){.pr-chart .pr-wide{display:none}.pr-chart .pr-tall{display:block}}
.pr-panel{border-left:1px solid #e3e7ec;padding:calc(var(--u)*.3) 0 0 calc(var(--u)*1.8);container-type:inline-size;
  min-width:0;overflow:hidden;white-space:nowrap}
.pr-period{font-size:calc(var(--u)*1.35);color:#5b6573}
.pr-value{font-size:min(calc(var(--u)*4.6),17cqi);font-weight:700;line-height:1.12;font-variant-numeric:tabular-nums;
  margin:calc(var(--u)*.15) 0 0;letter-spacing:-.02em}
.pr-unit{font-size:min(calc(var(--u)*1.7),7cqi);color:#5b6573;font-weight:500;line-height:1.3;white-space:normal}
.pr-pill{display:inline-flex;align-items:center;gap:calc(var(--u)*.6);border-radius:999px;
  padding:calc(var(--u)*.3) calc(var(--u)*1.1);font-size:min(calc(var(--u)*1.45),6.2cqi);font-weight:600;
  margin:calc(var(--u)*.7) 0 calc(var(--u)*.8)}
.pr-pill i{display:inline-block;width:.7em;height:.7em;border-radius:50%}
.pr-facts{display:grid;grid-template-columns:auto auto;font-size:min(calc(var(--u)*1.25),4.3cqi);line-height:1.35;
  font-variant-numeric:tabular-nums}
.pr-facts>div{padding:calc(var(--u)*.3) 0;border-bottom:1px solid #eef1f4;white-space:normal}
.pr-facts .w{white-space:nowrap}
.pr-facts>div:nth-child(odd){color:#5b6573;padding-right:calc(var(--u)*1)}
.pr-facts>div:nth-child(even){font-weight:600;text-align:right}
.pr-note{white-space:normal;overflow-wrap:anywhere;font-size:min(calc(var(--u)*1.15),4cqi);line-height:1.35;
  color:#1f2328;margin-top:calc(var(--u)*.8);border-left:3px solid #e8a33d;padding-left:calc(var(--u)*.8);
  display:-webkit-box;-webkit-line-clamp:5;-webkit-box-orient:vertical;overflow:hidden}
.pr-summary{font-size:calc(var(--u)*1.45);line-height:1.35;border-top:1px solid #e3e7ec;padding-top:calc(var(--u)*.5)}
.pr-empty{font-size:calc(var(--u)*1.8);color:#5b6573;margin-top:calc(var(--u)*6);text-align:center}
</style>
"""


def top_html(
    context: str,
    back_href: str,
    lang: str,
    as_of: date | None,
    demo: bool,
    frozen: datetime | None = None,
    newer: bool = False,
) -> str:
    """The thin line above the slide: what is shown, the data's date (and that it is held for the meeting), the
    demo mark, the way back."""
    day = ""
    if as_of:
        day = f" · {_e(t('ui.as_of', lang, date=numbers.fmt_date(as_of, lang)))}"
    if frozen is not None:
        kept = t("present.frozen_newer" if newer else "present.frozen", lang)
        day += f' <span class="pr-frozen">({_e(kept)})</span>'
    mark = f'<span class="pr-demo">{_e(t("ui.demo_banner", lang))}</span>' if demo else ""
    return (
        f'<div class="pr-top"><div class="ctx">{context}{day}</div>{mark}'
        f'<a href="{_e(back_href)}" target="_self">← {_e(t("present.exit", lang))}</a></div>'
    )


def title_html(row: dict[str, Any], lang: str, frequency_label: str) -> str:
    """The slide's title and the line under it: code, owner, frequency and the period shown."""
    owner = localized(row, "owner_name", lang, "owner")
    when = t("chart.period_line", lang, period=figures.period(row.get("period"), lang)) if row.get("period") else ""
    sub = " · ".join(_e(x) for x in (row["code"], owner, frequency_label, when) if x)
    return f'<div class="pr-title">{_e(figures.name(row, lang))}</div><div class="pr-sub">{sub}</div>'


def big_value(row: dict[str, Any], lang: str) -> tuple[str, str]:
    """The slide's big figure as (number, unit) in the reader's language: the unit apart when it is a word
    (``65.908`` · ``tỷ đồng``); a percentage, a figure without unit or a missing one whole (``12,5 %``, ``–``) with
    an empty unit. The slide and the deck (``reports``) share it."""
    unit = figures.unit(row, lang)
    value = row.get("value")
    if numbers.is_missing(value) or figures.is_percent(unit) or not unit:
        return figures.value(value, unit, lang), ""
    return numbers.fmt_number(value, lang, numbers.decimals(value)), unit


def panel_facts(row: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The figures that judge the latest value, as (label, text) pairs: the slide's panel, and the deck's."""
    f = figures.of(row, lang)
    facts = []
    if row.get("value_type") == "flow" and not numbers.is_missing(row.get("ytd")):
        facts.append((t("ui.ytd", lang), f.ytd))
        facts.append((t("present.ytd_vs_last_year", lang), f.ytd_vs_last_year))
    if not numbers.is_missing(row.get("target")):
        facts.append((t("ui.annual_target", lang), f.target))
        facts.append((t("figures.pct_of_target", lang), f.pct_of_target))
    facts.append((t("ui.vs_previous", lang), f.vs_previous))
    facts.append((t("ui.vs_last_year", lang), f.vs_last_year))
    if f.trend:
        facts.append((t("ui.trend", lang), f.trend))
    if row.get("status") == "late" and row.get("days_overdue") is not None:
        facts.append((t("ui.deadline", lang), t("overview.overdue_days", lang, n=row["days_overdue"])))
    return facts


def _whole(text: str) -> str:
    """A figure whose number and unit each stay whole; a long unit may go under its number (never a word cut)."""
    number, _, unit = (text or "").partition(" ")
    if not number[-1:].isdigit():
        return _e(text)  # words ("quá hạn 5 ngày"): they wrap as words do
    if not unit or unit == "%":
        return f'<span class="w">{_e(text)}</span>'
    return f'<span class="w">{_e(number)}</span> <span class="w">{_e(unit)}</span>'


def panel_html(row: dict[str, Any], lang: str, explanation: str | None = None) -> str:
    """The right of the slide: the period, the latest value big (its unit under it), the status, the figures that
    judge it, and the line on an explanation asked for this period (text, never markup)."""
    f = figures.of(row, lang)
    number, unit = big_value(row, lang)
    big = f'<div class="pr-value">{_e(number)}</div>' + (f'<div class="pr-unit">{_e(unit)}</div>' if unit else "")
    status = row.get("status") or "no_data"
    tint, ink = theme.STATUS_TINTS.get(status, theme.STATUS_TINTS["no_data"]), theme.STATUS_INKS.get(status, theme.INK)
    pill = (
        f'<div class="pr-pill" style="background:{tint};color:{ink}">'
        f'<i style="background:{theme.STATUS_COLORS.get(status, theme.MUTED)}"></i>{_e(f.status)}</div>'
    )
    table = "".join(f"<div>{_e(k)}</div><div>{_whole(v)}</div>" for k, v in panel_facts(row, lang))
    note = f'<div class="pr-note">{_e(explanation)}</div>' if explanation else ""
    return (
        f'<div class="pr-panel"><div class="pr-period">{_e(f.period)}</div>{big}'
        f'{pill}<div class="pr-facts">{table}</div>{note}</div>'
    )


def slide_html(
    row: dict[str, Any],
    lang: str,
    frequency_label: str,
    svgs: dict[str, str],
    number: int,
    total: int,
    explanation: str | None = None,
) -> str:
    """The whole slide as one block: title, slide number, chart, figures and sentence. ``svgs``: the chart at
    each of ``CHART_SIZES`` (``chart_svgs``); ``explanation``: the owner's answer on an off-track figure."""
    charts_html = "".join(
        f'<div class="pr-{name}">{export.inline_svg(svg, f"s{number}{name}-")}</div>' for name, svg in svgs.items()
    )
    return (
        f'<div class="pr-slide" data-slide="{_e(row["code"])}" data-number="{number}">'
        f'<div class="pr-head"><div>{title_html(row, lang, frequency_label)}</div>'
        f'<div class="pr-count">{_e(t("ui.slide_of", lang, n=number, total=total))}</div></div>'
        f'<div class="pr-body"><div class="pr-chart" data-slide="{_e(row["code"])}">{charts_html}</div>{panel_html(row, lang, explanation)}</div>'
        f'<div class="pr-summary">{_e(summary(row, lang))}</div></div>'
    )


def empty_html(text: str) -> str:
    return f'<div class="pr-empty">{_e(text)}</div>'


def summary_html(text: str) -> str:
    return f'<div class="pr-summary">{_e(text)}</div>'
