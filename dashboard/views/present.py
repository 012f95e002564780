"""Presentation mode for a working session on a big screen: one indicator per slide.

Pure functions choose the slides (a group, a department or a list of
indicators), keep the slide number in range, cut each indicator's history to a
window that reads from the back of the room and write the slide's sentence;
small HTML builders lay the slide out in large type. The page wires them to
the address (``?by=group&group=input&slide=3``) and the buttons.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

import polars as pl

from dashboard import charts, figures, numbers, theme
from dashboard.charts import Stamp
from dashboard.i18n import label, localized, t

MODES = ("group", "department", "codes")
# Periods on a slide's chart, by frequency: about two years of monthly data, fewer of the rest.
WINDOW = {"weekly": 26, "monthly": 24, "quarterly": 12, "half_yearly": 8, "annual": 8}
WARNING_STATUSES = ("off_track", "at_risk", "late")  # with the worsening ones: what a session discusses
CHART_HEIGHT = 680  # px (title and axes included) on a 1080-pixel screen, leaving room for the figures and the buttons


def slide_rows(
    evaluated: pl.DataFrame,
    mode: str,
    group: str | None = None,
    department: str | None = None,
    codes: Iterable[str] = (),
    focus: str = "all",
) -> pl.DataFrame:
    """The indicators to present, in catalogue order (for ``codes``: in the order chosen).

    ``focus="warnings"`` keeps those off track, at risk, late or worsening.
    """
    if mode == "department":
        rows = evaluated.filter(pl.col("owner") == (department or ""))
    elif mode == "codes":
        order = {c: i for i, c in enumerate(dict.fromkeys(c.strip().upper() for c in codes if c))}
        rows = evaluated.filter(pl.col("code").is_in(list(order)))
        rows = rows.with_columns(_o=pl.col("code").replace_strict(order, default=len(order))).sort("_o").drop("_o")
        return _focus(rows, focus)
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
        figure = charts.ytd_vs_plan_chart(frame, ytd_labels, annual_target=row.get("target"), big_screen=True)
    else:
        figure = charts.slide_chart(
            frame,
            labels,
            direction=row.get("direction") or "up",
            on_track_pct=row.get("on_track_pct"),
            at_risk_pct=row.get("at_risk_pct"),
            mark="bar" if row["value_type"] == "flow" else "line",
        )
    return figure.properties(height=CHART_HEIGHT)


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
        chosen = t("present.chosen_codes", lang, n=len(list(codes)))
        chosen = f"<b>{_e(chosen)}</b>"
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


STYLE = """
<style>
[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],[data-testid="stHeader"],
[data-testid="stToolbar"],[data-testid="stDecoration"],[data-testid="stSidebarNav"],
[data-testid="stExpandSidebarButton"]{display:none!important}
[data-testid="stMainBlockContainer"]{padding:1.1rem 2.6rem .6rem!important;max-width:100%!important}
.st-key-present_next_pg,.st-key-present_prev_pg{display:none!important}
.st-key-present_prev button,.st-key-present_next button{min-height:58px;border-radius:12px}
.st-key-present_prev button p,.st-key-present_next button p{font-size:22px!important;font-weight:600}
.st-key-present_prev button span,.st-key-present_next button span{font-size:24px}
.pr-top{display:flex;justify-content:space-between;align-items:center;color:#5b6573;font-size:17px;gap:1.5rem}
.pr-top a{color:#5b6573;text-decoration:none}
.pr-top a:hover{text-decoration:underline}
.pr-top .ctx b{color:#1f2328;font-weight:600}
.pr-demo{background:#fff4e0;color:#7a4d00;border:1px solid #f1d39a;border-radius:999px;padding:1px 12px;font-size:15px;margin-left:.6rem}
.pr-title{font-size:44px;font-weight:700;line-height:1.15;color:#1f2328;margin:.45rem 0 .15rem;letter-spacing:-.01em}
.pr-sub{font-size:21px;color:#5b6573}
.pr-panel{border-left:1px solid #e3e7ec;padding:.4rem 0 0 2rem;min-height:600px}
.pr-period{font-size:22px;color:#5b6573}
.pr-value{font-size:84px;font-weight:700;line-height:1.05;color:#1f2328;font-variant-numeric:tabular-nums;margin:.2rem 0 .1rem;letter-spacing:-.02em}
.pr-unit{font-size:28px;color:#5b6573;font-weight:500}
.pr-pill{display:inline-flex;align-items:center;gap:12px;border-radius:999px;padding:6px 20px;font-size:26px;font-weight:600;margin:.6rem 0 1.1rem}
.pr-pill i{display:inline-block;width:18px;height:18px;border-radius:50%}
.pr-facts{font-size:22px;line-height:1.45;font-variant-numeric:tabular-nums;border-collapse:collapse}
.pr-facts td{padding:7px 0;border-bottom:1px solid #eef1f4}
.pr-facts td:first-child{color:#5b6573;padding-right:1.4rem}
.pr-facts td:last-child{font-weight:600;text-align:right}
.pr-summary{font-size:27px;line-height:1.35;color:#1f2328;border-top:1px solid #e3e7ec;padding-top:.7rem;margin-top:.2rem}
.pr-count{font-size:22px;color:#5b6573;text-align:center;padding-top:.35rem;font-variant-numeric:tabular-nums}
.pr-empty{font-size:30px;color:#5b6573;margin-top:4rem;text-align:center}
</style>
"""

_TINT = {
    "on_track": ("#e6f4ec", "#11603b"),
    "at_risk": ("#fdf3e2", "#7a4d00"),
    "off_track": ("#fbe9ea", "#9b1c24"),
    "late": ("#f0ebf7", "#553b80"),
    "no_data": ("#eef0f3", "#3d4550"),
    "no_target": ("#eef0f3", "#3d4550"),
}


def top_html(context: str, back_href: str, lang: str, as_of: date | None, demo: bool) -> str:
    """The thin line above the slide: what is shown, the data's date, the demo mark, the way back."""
    day = f" · {_e(t('ui.as_of', lang, date=numbers.fmt_date(as_of, lang)))}" if as_of else ""
    mark = f'<span class="pr-demo">{_e(t("ui.demo_banner", lang))}</span>' if demo else ""
    return (
        f'<div class="pr-top"><div class="ctx">{context}{day}{mark}</div>'
        f'<a href="{_e(back_href)}" target="_self">← {_e(t("present.exit", lang))}</a></div>'
    )


def title_html(row: dict[str, Any], lang: str, frequency_label: str) -> str:
    owner = localized(row, "owner_name", lang, "owner")
    sub = " · ".join(_e(x) for x in (row["code"], owner, frequency_label) if x)
    return f'<div class="pr-title">{_e(figures.name(row, lang))}</div><div class="pr-sub">{sub}</div>'


def big_value(row: dict[str, Any], lang: str) -> tuple[str, str]:
    """The slide's big figure as (number, unit): the unit apart when it is a word (``65.908`` · ``tỷ đồng``); a
    percentage, a figure without unit or a missing one whole (``12,5 %``, ``–``) with an empty unit."""
    unit = (row.get("unit") or "").strip()
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


def panel_html(row: dict[str, Any], lang: str) -> str:
    """The right of the slide: the period, the latest value big, the status, the figures that judge it."""
    f = figures.of(row, lang)
    number, unit = big_value(row, lang)
    big = f'{_e(number)} <span class="pr-unit">{_e(unit)}</span>' if unit else _e(number)
    status = row.get("status") or "no_data"
    tint, ink = _TINT.get(status, _TINT["no_data"])
    pill = (
        f'<div class="pr-pill" style="background:{tint};color:{ink}">'
        f'<i style="background:{theme.STATUS_COLORS.get(status, theme.MUTED)}"></i>{_e(f.status)}</div>'
    )
    table = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in panel_facts(row, lang))
    return (
        f'<div class="pr-panel"><div class="pr-period">{_e(f.period)}</div><div class="pr-value">{big}</div>'
        f'{pill}<table class="pr-facts">{table}</table></div>'
    )


def empty_html(text: str) -> str:
    return f'<div class="pr-empty">{_e(text)}</div>'


def summary_html(text: str) -> str:
    return f'<div class="pr-summary">{_e(text)}</div>'


def chart_labels(row: dict[str, Any], source: str | None, stamp: Stamp) -> charts.ChartText:
    """The slide chart's words: its title, unit, period, source, the date of the data and the demo mark."""
    return stamp.text(
        t("ui.history", stamp.lang), unit=row.get("unit"), period=figures.period(row.get("period"), stamp.lang),
        source=source,
    )  # fmt: skip
