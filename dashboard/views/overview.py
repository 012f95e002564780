"""The leadership overview: what is on track, what is slipping and who owns it, on one screen.

Pure functions over evaluation frames pick the warnings, the composite tiles and
the department rows; small HTML builders lay them out as calm cards whose links
open the group, indicator and department pages in the same tab. Every text is
escaped; every number is written for the reader's language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import polars as pl

from dashboard import figures, numbers, theme
from dashboard.i18n import CODES, localized, t
from dashboard.links import href
from dashboard.views.group import summary_sentences
from rules import tally

FIRST_WARNINGS = 8  # shown at once; the rest wait behind "show more"

# Light tints of the status colours, for pills.
_TINTS = {
    "on_track": "#e6f4ec",
    "at_risk": "#fdf3e2",
    "off_track": "#fbe9ea",
    "late": "#f0ebf7",
    "no_data": "#eef0f3",
    "no_target": "#f3f5f7",
    "worsening": "#fbe9ea",
}

# --------------------------------------------------------------------------- picking


def warning_rows(evaluated: pl.DataFrame) -> pl.DataFrame:
    """The warnings, most urgent first (rules.tally.warnings)."""
    return tally.warnings(evaluated)


_ABBR = re.compile(r"\s*\(([^()]+)\)\s*$")


def short_name(name: str | None) -> tuple[str, str]:
    """``Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)`` -> (``PCI``, ``Chỉ số năng lực cạnh tranh cấp tỉnh``)."""
    name = name or ""
    found = _ABBR.search(name)
    if not found:
        return name, ""
    return found.group(1).strip(), name[: found.start()].strip()


def composite_rows(evaluated: pl.DataFrame) -> pl.DataFrame:
    """The composite group's indicators in catalogue order."""
    return evaluated.filter(pl.col("group") == "composite").sort("position", "code")


def computed_codes(catalogue: pl.DataFrame) -> list[str]:
    """Codes of the composites computed from components (queries.catalogue's ``components`` not empty)."""
    return catalogue.filter(pl.col("components").list.len() > 0).get_column("code").to_list()


def department_rows(summary: pl.DataFrame) -> pl.DataFrame:
    """Departments with indicators, those with the most problems first.

    Input: evaluation.department_summary. Order: off track + late (desc), at
    risk (desc), on-time share (asc), code.
    """
    rows = summary.filter(pl.col("indicators") > 0)
    return (
        rows.with_columns(_problems=pl.col("off_track") + pl.col("late"))
        .sort(
            ["_problems", "at_risk", "on_time_pct", "department"],
            descending=[True, True, False, False],
            nulls_last=True,
        )
        .drop("_problems")
    )


# --------------------------------------------------------------------------- HTML pieces


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _dot(status: str) -> str:
    return f'<span class="ov-dot" style="background:{theme.STATUS_COLORS.get(status, theme.MUTED)}"></span>'


def pill(status: str, lang: str, text: str | None = None) -> str:
    """A status as a coloured dot and words on a light tint (colour is never the only signal)."""
    color = theme.STATUS_COLORS.get(status, theme.STATUS_COLORS["off_track"] if status == "worsening" else theme.MUTED)
    words = text if text is not None else t(f"status.{status}", lang)
    return (
        f'<span class="ov-pill" style="background:{_TINTS.get(status, "#eef0f3")};color:{_ink(status)}">'
        f'<span class="ov-dot" style="background:{color}"></span>{_e(words)}</span>'
    )


def _ink(status: str) -> str:
    # darker text in the status' hue, legible on its tint
    return {
        "on_track": "#11603b",
        "at_risk": "#7a4d00",
        "off_track": "#9b1c24",
        "worsening": "#9b1c24",
        "late": "#553b80",
    }.get(status, theme.INK)


STYLE = """
<style>
.ov-meta{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center;color:#5b6573;font-size:.92rem;margin:-.6rem 0 .4rem}
.ov-demo{background:#fff4e0;color:#7a4d00;border:1px solid #f1d39a;border-radius:999px;padding:1px 10px;font-size:.8rem;font-weight:500}
.ov-headline{font-size:1.45rem;font-weight:650;color:#1f2328;margin:.2rem 0 .15rem;line-height:1.35}
.ov-sub{color:#3d4550;font-size:1rem;line-height:1.6}
.ov-sub b{font-weight:600}
.ov-h{font-size:1.08rem;font-weight:650;color:#1f2328;margin:1.3rem 0 .55rem;display:flex;align-items:baseline;gap:.6rem}
.ov-h small{font-weight:400;color:#5b6573;font-size:.85rem}
.ov-groups{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:12px}
a.ov-card,a.ov-tile{display:block;border:1px solid #e3e7ec;border-radius:10px;padding:13px 15px;text-decoration:none!important;color:#1f2328!important;background:#fff;transition:box-shadow .15s,border-color .15s}
a.ov-card:hover,a.ov-tile:hover{box-shadow:0 3px 12px rgba(31,35,40,.09);border-color:#c3ccd7}
.ov-card .name{font-weight:600;font-size:.93rem;line-height:1.3;min-height:2.6em}
.ov-card .big{font-size:1.9rem;font-weight:700;line-height:1.15;margin-top:.3rem;font-variant-numeric:tabular-nums}
.ov-card .big small{font-size:1rem;color:#5b6573;font-weight:500}
.ov-card .cap{font-size:.8rem;color:#5b6573;line-height:1.3}
.ov-bar{display:flex;height:8px;border-radius:4px;overflow:hidden;margin:10px 0 8px;background:#eef1f4}
.ov-bar span{display:block;height:100%}
.ov-counts{font-size:.8rem;line-height:1.5;color:#1f2328;font-variant-numeric:tabular-nums;display:flex;flex-wrap:wrap;gap:2px 12px}
.ov-counts span.c{white-space:nowrap}
.ov-counts b{font-weight:600;margin-right:3px}
.ov-dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;vertical-align:baseline;flex:none}
.ov-pill{display:inline-flex;align-items:center;border-radius:999px;padding:2px 10px;font-size:.8rem;font-weight:500;white-space:nowrap}
.ov-warn{border:1px solid #e3e7ec;border-radius:10px;background:#fff;container-type:inline-size}
.ov-wrow{display:grid;grid-template-columns:140px minmax(0,1fr) 250px;gap:14px;align-items:center;padding:8px 16px;border-top:1px solid #eef1f4}
.ov-wrow:first-child{border-top:none}
@container (max-width:820px){.ov-wrow{grid-template-columns:130px minmax(0,1fr)}.ov-wrow>:nth-child(3){grid-column:2}}
.ov-warn a{text-decoration:none;color:#1f5c99}
.ov-warn a:hover{text-decoration:underline}
.ov-warn .ind{font-weight:500;font-size:.93rem;line-height:1.3}
.ov-warn .detail{color:#5b6573;font-size:.8rem;margin-top:1px}
.ov-warn .detail .bad{color:#9b1c24}
.ov-warn .owner{font-size:.85rem;line-height:1.3}
.ov-tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.ov-tile .ttl{height:3.3em;overflow:hidden}
.ov-tile .abbr{font-weight:650;font-size:.95rem;line-height:1.25;display:flex;justify-content:space-between;align-items:flex-start;gap:6px}
.ov-tile .ttl.long .abbr{font-size:.86rem;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.ov-tile .full{font-size:.74rem;color:#5b6573;line-height:1.25;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;margin-top:1px}
.ov-tag{font-size:.68rem;font-weight:500;color:#5b6573;background:#eef1f4;border-radius:999px;padding:0 7px;white-space:nowrap;line-height:1.5}
.ov-tile .val{font-size:1.55rem;font-weight:700;margin-top:.35rem;line-height:1.1;font-variant-numeric:tabular-nums}
.ov-tile .val small{font-size:.85rem;font-weight:500;color:#5b6573}
.ov-tile .delta{font-size:.8rem;margin-top:.2rem;font-variant-numeric:tabular-nums}
.ov-tile .foot{font-size:.76rem;color:#5b6573;margin-top:.35rem}
.good{color:#11603b}.bad{color:#9b1c24}.flat{color:#5b6573}
table.ov-dept{width:100%;border-collapse:collapse;font-size:.88rem;font-variant-numeric:tabular-nums;background:#fff}
table.ov-dept th{font-weight:500;color:#5b6573;text-align:right;padding:6px 10px;border-bottom:1px solid #dfe3e8;font-size:.8rem;vertical-align:bottom;line-height:1.3}
table.ov-dept td:first-child{min-width:11rem}
table.ov-dept td:last-child{white-space:nowrap}
table.ov-dept th:first-child,table.ov-dept td:first-child{text-align:left}
table.ov-dept td{padding:7px 10px;border-bottom:1px solid #eef1f4;text-align:right}
table.ov-dept tr:hover td{background:#f7f9fb}
table.ov-dept a{color:#1f5c99;text-decoration:none;font-weight:500}
table.ov-dept a:hover{text-decoration:underline}
table.ov-dept .zero{color:#b9c1cc}
.ov-meter{display:inline-block;width:70px;height:6px;border-radius:3px;background:#eef1f4;vertical-align:middle;margin-right:8px;overflow:hidden}
.ov-meter span{display:block;height:100%}
</style>
"""


def meta_html(as_of: date | None, today: date, demo: bool, lang: str) -> str:
    """The line under the title: data freshness, the day of the assessment, the demo mark."""
    parts = []
    if as_of is not None:
        parts.append(f"<span>{_e(t('ui.as_of', lang, date=numbers.fmt_date(as_of, lang)))}</span>")
    parts.append(f"<span>{_e(t('overview.assessed_on', lang, date=numbers.fmt_date(today, lang)))}</span>")
    if demo:
        parts.append(f'<span class="ov-demo">{_e(t("ui.demo_banner", lang))}</span>')
    return f'<div class="ov-meta">{"".join(parts)}</div>'


def headline_html(evaluated: pl.DataFrame, lang: str) -> str:
    """The overall sentences: the first large, the others on one line below."""
    sentences = summary_sentences(tally.tally(evaluated), lang)
    if not sentences:
        return ""
    rest = " · ".join(_e(s) for s in sentences[1:])
    sub = f'<div class="ov-sub">{rest}</div>' if rest else ""
    return f'<div class="ov-headline">{_e(sentences[0])}</div>{sub}'


def group_cards_html(evaluated: pl.DataFrame, lang: str) -> str:
    """Five cards, one per group: on track out of all, a status bar and the counts; each opens its group page."""
    cards = []
    for group in CODES["group"]:
        counts_of = tally.tally(evaluated.filter(pl.col("group") == group))
        total = counts_of["total"]
        bar = "".join(
            f'<span style="width:{counts_of[s] / total * 100:.2f}%;background:{theme.STATUS_COLORS[s]}" '
            f'title="{_e(t(f"status.{s}", lang))}: {counts_of[s]}"></span>'
            for s in CODES["status"]
            if total and counts_of[s]
        )
        counts = "".join(
            f'<span class="c">{_dot(s)}<b>{counts_of[s]}</b>{_e(t(f"status.{s}", lang))}</span>'
            for s in ("off_track", "at_risk", "late", "no_data", "no_target")
            if counts_of[s]
        )
        cards.append(
            f'<a class="ov-card" href="{_e(href(group, lang))}" target="_self">'
            f'<div class="name">{_e(t(f"group.{group}", lang))}</div>'
            f'<div class="big">{counts_of["on_track"]}<small>/{total}</small></div>'
            f'<div class="cap">{_e(t("overview.on_track_caption", lang))}</div>'
            f'<div class="ov-bar">{bar}</div><div class="ov-counts">{counts}</div></a>'
        )
    return f'<div class="ov-groups">{"".join(cards)}</div>'


def _warning_detail(row: dict[str, Any], lang: str) -> str:
    f = figures.of(row, lang)
    bits = []
    if row["period"]:
        bits.append(_e(f.period))
    if not numbers.is_missing(row["value"]):
        bits.append(_e(f.value))
    if not numbers.is_missing(row["pct_of_plan"]):
        bits.append(_e(t("overview.pct_of_plan", lang, pct=f.pct_of_plan)))
    if row["status"] == "late" and row["days_overdue"] is not None:
        bits.append(_e(t("overview.overdue_days", lang, n=row["days_overdue"])))
    if row["worsening"] and row["reason"] != "worsening":
        bits.append(f'<span class="bad">↘ {_e(t("trend.worsening", lang))}</span>')
    return " · ".join(bits)


def warnings_html(rows: pl.DataFrame, lang: str) -> str:
    """One line per warning: why (pill), the indicator (link) with its figures, the owner (link)."""
    if rows.is_empty():
        return ""
    lines = []
    for r in rows.iter_rows(named=True):
        label = t("trend.worsening", lang) if r["reason"] == "worsening" else None
        lines.append(
            '<div class="ov-wrow">'
            f"<div>{pill(r['reason'], lang, label)}</div>"
            f'<div><div class="ind"><a href="{_e(href("indicator", lang, code=r["code"]))}" '
            f'target="_self">{_e(figures.name(r, lang))}</a></div><div class="detail">{_warning_detail(r, lang)}</div></div>'
            f'<div class="owner"><a href="{_e(href("department", lang, code=r["owner"]))}" '
            f'target="_self">{_e(localized(r, "owner_name", lang, "owner"))}</a></div></div>'
        )
    return f'<div class="ov-warn">{"".join(lines)}</div>'


def composite_tiles_html(rows: pl.DataFrame, lang: str, computed: Iterable[str] = ()) -> str:
    """A tile per composite index: its short name, latest value, change against last year, status.

    ``computed``: the codes of composites computed from their components (tagged as such).
    """
    computed = set(computed)
    tiles = []
    for r in rows.iter_rows(named=True):
        f = figures.of(r, lang)
        abbr, full = short_name(figures.name(r, lang))
        if not full:
            abbr, full = figures.name(r, lang), ""
        value = _e(f.value)
        better = figures.is_better(r["change_yoy"], r["direction"], r["value"], r["yoy_value"], r["target"])
        tone = "flat" if better is None else ("good" if better else "bad")
        if numbers.is_missing(r["change_yoy"]):
            delta = _e(t("overview.no_last_year", lang))
        else:
            delta = _e(t("overview.vs_last_year", lang, change=f.vs_last_year))
        tag = f' <span class="ov-tag">{_e(t("overview.computed", lang))}</span>' if r["code"] in computed else ""
        title = (
            f'<div class="ttl"><div class="abbr"><span>{_e(abbr)}</span></div><div class="full">{_e(full)}</div></div>'
            if full
            else f'<div class="ttl long"><div class="abbr">{_e(abbr)}</div></div>'
        )
        tiles.append(
            f'<a class="ov-tile" href="{_e(href("indicator", lang, code=r["code"]))}" target="_self">'
            f"{title}"
            f'<div class="val">{value}</div><div class="delta {tone}">{delta}</div>'
            f'<div class="foot">{_dot(r["status"])}{_e(f.status)} · {_e(f.period)}{tag}</div></a>'
        )
    return f'<div class="ov-tiles">{"".join(tiles)}</div>'


def _count_cell(n: int, status: str) -> str:
    if not n:
        return '<td class="zero">–</td>'
    return f'<td style="color:{_ink(status)};font-weight:600">{n}</td>'


def _meter(pct: float | None) -> str:
    """A bar of the on-time share (no colour verdict: punctuality has no threshold in the rules)."""
    if pct is None:
        return ""
    width = max(0.0, min(pct, 100.0))
    return f'<span class="ov-meter"><span style="width:{width:.1f}%;background:{theme.PRIMARY}"></span></span>'


def departments_html(rows: pl.DataFrame, since: date, lang: str) -> str:
    """Each department: its indicators by status and the share of its data sent on time in the window from
    ``since``, the window named in the header; each opens its page."""
    name = "name_en" if lang == "en" else "name_vi"
    head = "".join(
        f"<th>{_e(x)}</th>"
        for x in (
            t("ui.department", lang),
            t("ui.indicators", lang),
            t("status.on_track", lang),
            t("status.at_risk", lang),
            t("status.off_track", lang),
            t("status.late", lang),
            t("figures.on_time_window", lang, since=numbers.fmt_date(since, lang)),
        )
    )
    body = []
    for r in rows.iter_rows(named=True):
        pct = r["on_time_pct"]
        body.append(
            "<tr>"
            f'<td><a href="{_e(href("department", lang, code=r["department"]))}" target="_self">'
            f"{_e(r[name] or r['department'])}</a></td>"
            f"<td>{r['indicators']}</td>"
            + _count_cell(r["on_track"], "on_track")
            + _count_cell(r["at_risk"], "at_risk")
            + _count_cell(r["off_track"], "off_track")
            + _count_cell(r["late"], "late")
            + f"<td>{_meter(pct)}{_e(figures.percent(pct, lang))}</td></tr>"
        )
    return f'<table class="ov-dept"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def section_title(title: str, note: str = "") -> str:
    small = f"<small>{_e(note)}</small>" if note else ""
    return f'<div class="ov-h">{_e(title)}{small}</div>'
