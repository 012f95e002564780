"""The indicator page's logic: chooser, card, tiles, history, communes, composites, submissions.

Pure functions over polars frames (no Streamlit calls): they shape what
``app_pages/indicator.py`` shows, in the reader's language. Numbers in display
tables are text in the reader's number format; each display table comes with a
download frame that keeps the raw numbers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

import altair as alt
import polars as pl

from dashboard import charts, numbers
from dashboard.components import href, status_label
from dashboard.export import ascii_slug
from dashboard.frames import each
from dashboard.i18n import CODES, label, matches, t
from rules import calendar as P

MISSING = numbers.MISSING
SPANS = ("1", "3", "all")  # years of history shown; "all" for the whole series


# --------------------------------------------------------------------------- small helpers, shared by the pages


def period_label(period: str | None, lang: str) -> str:
    """``2025-09`` -> ``Tháng 9/2025`` (vi) or ``Sep 2025`` (en); the text itself when not a period."""
    if not period:
        return MISSING
    parsed = P.parse(str(period))
    return P.label(parsed, lang) if parsed else str(period)


def name_of(row: Mapping[str, Any], lang: str) -> str:
    """An indicator's (or department's) name in the reader's language, the other one as a fallback."""
    first, second = ("name_vi", "name_en") if lang == "vi" else ("name_en", "name_vi")
    return str(row.get(first) or row.get(second) or row.get("code") or "")


def owner_name(row: Mapping[str, Any], lang: str) -> str:
    first, second = ("owner_name_vi", "owner_name_en") if lang == "vi" else ("owner_name_en", "owner_name_vi")
    return str(row.get(first) or row.get(second) or row.get("owner") or "")


def fmt_datetime(value: datetime | date | None, lang: str) -> str:
    """``14/10/2025 09:30`` (vi) or ``14 Oct 2025 09:30`` (en); the date alone for a date."""
    if value is None:
        return MISSING
    day = numbers.fmt_date(value, lang)
    return f"{day} {value:%H:%M}" if isinstance(value, datetime) else day


def pct_change_text(x: float | None, lang: str) -> str | None:
    """A signed percent with an ASCII sign (``+7,2 %``, ``-3,4 %``), as st.metric reads the sign; None if missing."""
    if numbers.is_missing(x):
        return None
    body = numbers.fmt_percent(abs(float(x)), lang, 1)
    if body in (numbers.fmt_percent(0, lang, 1),):
        return body
    return ("+" if x > 0 else "-") + body


def change_text(x: float | None, unit: str | None, lang: str, decimals: int | None = None) -> str:
    """An absolute change with its unit; a change of a percentage is in percentage points."""
    if numbers.is_missing(x):
        return MISSING
    if (unit or "").strip() == "%":
        return f"{numbers.fmt_change(x, lang, decimals)} {t('indicator.pp', lang)}"
    return numbers.fmt_change(x, lang, decimals, unit=unit)


def decimals_for(values: Sequence[Any]) -> int:
    """Decimals that show a series as it was submitted (1,04 stays 1,04): the most its values use, at most 2
    (3 below one), and at most 1 from a thousand up."""
    finite = [abs(float(v)) for v in values if not numbers.is_missing(v)]
    if not finite:
        return 0
    cap = 3 if max(finite) < 1 else (1 if max(finite) >= 1000 else 2)
    for places in range(cap + 1):
        scale = 10**places
        if all(abs(v * scale - round(v * scale)) < 1e-6 * max(1.0, v * scale) for v in finite):
            return places
    return cap


def fit_width(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Fill the width only: Streamlit's default autosize ``fit`` also squeezes the plot's height by the title's,
    which flattens short charts with a long subtitle. The export does the same (``export.export_spec``)."""
    return chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def slug(*parts: str | None) -> str:
    """A download file name stem: ``slug("OC-10", "communes")`` -> ``oc-10_communes``."""
    return "_".join(s for s in (ascii_slug(p) for p in parts) if s) or "export"


class Table(NamedTuple):
    """A table to show (text in the reader's number format), its download (raw numbers) and its column config."""

    display: pl.DataFrame
    download: pl.DataFrame
    config: dict[str, Any]


def right_aligned(*columns: str) -> dict[str, Any]:
    """Column config (plain dicts, as st.column_config builds) that right-aligns the number columns."""
    return {c: {"alignment": "right"} for c in columns}


def picked(event: Any, codes: Sequence[str]) -> str | None:
    """The code of the row clicked in a single-row selectable table (st.dataframe's event), if any."""
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    return codes[rows[0]] if rows and 0 <= rows[0] < len(codes) else None


# --------------------------------------------------------------------------- the chooser


def search(catalogue: pl.DataFrame, query: str | None) -> pl.DataFrame:
    """Indicators whose code or name (either language) holds every word of ``query``, diacritics ignored."""
    if not (query or "").strip():
        return catalogue
    keep = [matches(query, code, vi, en) for code, vi, en in catalogue.select("code", "name_vi", "name_en").iter_rows()]
    return catalogue.filter(pl.Series(keep, dtype=pl.Boolean))


def chooser_options(catalogue: pl.DataFrame, query: str | None, current: str | None = None) -> list[str]:
    """The codes to offer (matching ``query``, catalogue order), ``""`` first for "none chosen"; the current one kept."""
    codes = search(catalogue, query).get_column("code").to_list()
    if current and current not in codes and current in set(catalogue.get_column("code").to_list()):
        codes = [current, *codes]
    return ["", *codes]


def option_labels(catalogue: pl.DataFrame, lang: str) -> dict[str, str]:
    """Code -> ``CODE · name`` for the select box; ``""`` -> the placeholder."""
    out = {"": t("indicator.choose_placeholder", lang)}
    for row in catalogue.select("code", "name_vi", "name_en").iter_rows(named=True):
        out[row["code"]] = f"{row['code']} · {name_of(row, lang)}"
    return out


def resolve(catalogue: pl.DataFrame, wanted: str | None) -> dict[str, Any] | None:
    """The catalogue row of a code given in any case, or None."""
    code = (wanted or "").strip().upper()
    if not code:
        return None
    found = catalogue.filter(pl.col("code") == code)
    return found.row(0, named=True) if found.height else None


def browse_table(catalogue: pl.DataFrame, latest: pl.DataFrame | None, lang: str) -> Table:
    """The chooser's list: link, code, name, status, latest value and period, group and owner of each indicator."""
    latest_by_code = {}
    if latest is not None and latest.height:
        latest_by_code = {
            r["code"]: r for r in latest.select("code", "status", "value", "unit", "period").iter_rows(named=True)
        }
    keys = ("ui.open", "ui.code", "ui.name", "ui.status", "ui.latest_value", "ui.latest_period", "ui.group", "ui.owner")
    columns = [t(k, lang) for k in keys]
    rows = []
    for r in catalogue.iter_rows(named=True):
        last = latest_by_code.get(r["code"], {})
        values = (
            href("indicator", lang, code=r["code"]),
            r["code"],
            name_of(r, lang),
            status_label(last.get("status"), lang),
            numbers.fmt_value(last.get("value"), last.get("unit"), lang, decimals_for([last.get("value")])),
            period_label(last.get("period"), lang) if last.get("period") else MISSING,
            label("group", r["group"], lang),
            owner_name(r, lang),
        )
        rows.append(dict(zip(columns, values, strict=True)))
    display = pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")
    return Table(display, display.drop(columns[0]), right_aligned(columns[4]))


# --------------------------------------------------------------------------- the card


STAGES = CODES["stage"]


def targets_text(targets: Sequence[Mapping[str, Any]] | None, unit: str | None, lang: str) -> list[tuple[str, str]]:
    """Year -> target as text, oldest first."""
    items = sorted(targets or [], key=lambda x: x["year"])
    dec = decimals_for([item["value"] for item in items])
    return [(str(item["year"]), numbers.fmt_value(item["value"], unit, lang, dec)) for item in items]


def valid_range_text(lo: float | None, hi: float | None, unit: str | None, lang: str) -> str:
    if numbers.is_missing(lo) and numbers.is_missing(hi):
        return t("ui.none", lang)
    if numbers.is_missing(hi):
        return t("indicator.range_from", lang, lo=numbers.fmt_value(lo, unit, lang))
    if numbers.is_missing(lo):
        return t("indicator.range_to", lang, hi=numbers.fmt_value(hi, unit, lang))
    return f"{numbers.fmt_number(lo, lang)} – {numbers.fmt_value(hi, unit, lang)}"


def thresholds_text(on_track: float | None, at_risk: float | None, lang: str) -> str:
    on = numbers.fmt_percent(100.0 if on_track is None else on_track, lang)
    risk = numbers.fmt_percent(90.0 if at_risk is None else at_risk, lang)
    return t("indicator.thresholds_text", lang, on=on, risk=risk)


def stage_steps(stage: str | None, lang: str) -> list[dict[str, Any]]:
    """The six steps with their state: ``done``, ``current`` or ``todo``."""
    at = STAGES.index(stage) if stage in STAGES else -1
    return [
        {
            "n": i + 1,
            "code": code,
            "label": label("stage", code, lang),
            "state": "done" if i < at else ("current" if i == at else "todo"),
        }
        for i, code in enumerate(STAGES)
    ]


@dataclass(frozen=True)
class Field:
    """One attribute on the card: its label and its value as HTML (escaped)."""

    label: str
    html: str


def _esc(value: Any) -> str:
    return html.escape(str(value)) if value not in (None, "") else html.escape(MISSING)


def _link(url: str, text: str) -> str:
    return f'<a href="{html.escape(url)}" target="_self">{html.escape(text)}</a>'


def card_sections(row: Mapping[str, Any], lang: str) -> list[tuple[str, list[Field]]]:
    """The card's attributes, grouped under headings, values escaped; owner and components are links."""
    unit = row.get("unit")
    owner = _link(href("department", lang, code=row["owner"]), owner_name(row, lang)) + (
        f' <span class="ic-muted">({_esc(row["owner"])})</span>'
    )
    identity = [
        Field(t("ui.code", lang), f"<code>{_esc(row['code'])}</code>"),
        Field(t("ui.central_code", lang), _esc(row.get("central_code") or t("ui.none", lang))),
        Field(t("ui.group", lang), _esc(label("group", row["group"], lang))),
        Field(t("ui.field", lang), _esc(label("field", row["field"], lang))),
        Field(t("ui.owner", lang), owner),
        Field(t("ui.source", lang), _esc(row.get("source"))),
    ]
    measure = [
        Field(t("ui.unit", lang), _esc(unit)),
        Field(t("ui.frequency", lang), _esc(label("frequency", row["frequency"], lang))),
        Field(t("ui.value_type", lang), _esc(label("value_type", row["value_type"], lang))),
        Field(t("ui.level", lang), _esc(label("level", row["level"], lang))),
        Field(t("ui.aggregation", lang), _esc(label("aggregation", row["aggregation"], lang))),
        Field(t("ui.direction", lang), _esc(label("direction", row["direction"], lang))),
        Field(
            t("ui.valid_range", lang), _esc(valid_range_text(row.get("valid_min"), row.get("valid_max"), unit, lang))
        ),
        Field(t("ui.deadline", lang), _esc(t("indicator.deadline_text", lang, days=row.get("deadline_days") or 0))),
    ]
    years = targets_text(row.get("targets"), unit, lang)
    if years:
        cells = "".join(f"<tr><td>{_esc(y)}</td><td>{_esc(v)}</td></tr>" for y, v in years)
        targets = f'<table class="ic-targets"><tbody>{cells}</tbody></table>'
    else:
        targets = _esc(t("indicator.no_targets", lang))
    plan = [
        Field(t("indicator.targets_by_year", lang), targets),
        Field(t("ui.thresholds", lang), _esc(thresholds_text(row.get("on_track_pct"), row.get("at_risk_pct"), lang))),
    ]
    parts = row.get("components") or []
    if parts:
        items = "".join(
            f"<li>{_link(href('indicator', lang, code=c['code']), c['code'])} · "
            f"{_esc(numbers.fmt_number(c['weight'], lang))}</li>"
            for c in parts
        )
        plan.append(Field(t("indicator.components_weights", lang), f'<ul class="ic-list">{items}</ul>'))
    steps = "".join(
        f'<li class="ic-step ic-{s["state"]}"><span class="ic-n">{s["n"]}</span>{_esc(s["label"])}</li>'
        for s in stage_steps(row.get("stage"), lang)
    )
    process = [Field("", f'<ol class="ic-steps">{steps}</ol>')]
    return [
        (t("indicator.card_identity", lang), identity),
        (t("indicator.card_measure", lang), measure),
        (t("indicator.card_plan", lang), plan),
        (t("indicator.card_process", lang), process),
    ]


CARD_CSS = """
<style>
.ic-card{margin-bottom:.4rem}
.ic-card dl{margin:0;padding:0;display:grid;grid-template-columns:minmax(8rem,34%) 1fr;gap:.45rem 1rem}
.ic-card dt{color:#5b6573;font-size:.875rem;font-weight:500;padding-top:.1rem;margin:0}
.ic-card dd{margin:0;padding:0;font-size:.95rem;line-height:1.45}
.ic-card h4{font-size:.78rem;letter-spacing:.06em;text-transform:uppercase;color:#1f5c99;font-weight:600;
 margin:0 0 .7rem 0;padding:0 0 .35rem 0;border-bottom:1px solid #e7eaef}
.ic-muted{color:#5b6573}
.ic-sub{font-size:1rem;color:#1f2328;margin:-.4rem 0 .2rem 0}
.ic-sub code,.ic-card code{font-size:.9rem;background:#f4f5f7;padding:.05rem .35rem;border-radius:4px;color:#1f2328}
.ic-sub a,.ic-card a{color:#1f5c99}
.ic-targets{border-collapse:collapse;font-size:.92rem;margin:0}
.ic-targets td{padding:.05rem 1.2rem .05rem 0;border:none}
.ic-targets td:last-child{text-align:right;font-variant-numeric:tabular-nums}
.ic-list{margin:0;padding:0 0 0 1.1rem}
ol.ic-steps{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(3,1fr);gap:.5rem .8rem}
.ic-step{display:flex;align-items:center;gap:.5rem;margin:0;padding:0;color:#9aa3ad;font-size:.92rem}
.ic-n{flex:none;display:inline-flex;width:1.5rem;height:1.5rem;border-radius:50%;align-items:center;
 justify-content:center;font-size:.78rem;font-weight:600;border:1.5px solid #cfd5dc;color:#9aa3ad}
.ic-done{color:#1f2328}.ic-done .ic-n{background:#1a8754;border-color:#1a8754;color:#fff}
.ic-current{color:#1f2328;font-weight:600}.ic-current .ic-n{background:#1f5c99;border-color:#1f5c99;color:#fff;
 box-shadow:0 0 0 3px #9dbbe0}
.ic-text p{font-size:.95rem;line-height:1.55;margin:0 0 .5rem 0}
</style>
"""


def card_html(heading: str, fields: Sequence[Field]) -> str:
    """One card section as a definition list (styled by CARD_CSS); a field without a label spans the row."""
    body = "".join(
        f"<dt>{html.escape(f.label)}</dt><dd>{f.html}</dd>"
        if f.label
        else f'<dd style="grid-column:1/-1">{f.html}</dd>'
        for f in fields
    )
    return f'<div class="ic-card"><h4>{html.escape(heading)}</h4><dl>{body}</dl></div>'


def text_html(heading: str, text: str | None, lang: str) -> str:
    """A long text (definition, method) under its heading, escaped, paragraphs kept."""
    paragraphs = [p.strip() for p in (text or "").split("\n") if p.strip()] or [MISSING]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f'<div class="ic-card"><h4>{html.escape(heading)}</h4><div class="ic-text">{body}</div></div>'


def definition(row: Mapping[str, Any], lang: str) -> str | None:
    first, second = ("definition_vi", "definition_en") if lang == "vi" else ("definition_en", "definition_vi")
    return row.get(first) or row.get(second)


def subtitle(row: Mapping[str, Any], lang: str) -> str:
    """The line under the title, as HTML: code · group · owner (a link, same tab) · frequency · unit."""
    parts = [
        f"<code>{_esc(row['code'])}</code>",
        _esc(label("group", row["group"], lang)),
        _link(href("department", lang, code=row["owner"]), owner_name(row, lang)),
        _esc(label("frequency", row["frequency"], lang)),
        _esc(f"{t('ui.unit', lang)}: {row['unit']}"),
    ]
    return '<div class="ic-sub">' + " · ".join(parts) + "</div>"


def sections(row: Mapping[str, Any]) -> list[str]:
    """The page's tabs for this indicator: communes for commune-level ones, components for computed composites."""
    out = ["history"]
    if is_computed(row):
        out.append("components")
    elif row.get("level") == "commune":
        out.append("communes")
    return [*out, "card", "submissions"]


def opened(row: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """The tab a shared address opens on: the one its filters (?period, ?locality) belong to."""
    shown = sections(row)
    if "communes" in shown and (params.get("period") or params.get("locality")):
        return "communes"
    if "components" in shown and params.get("period"):
        return "components"
    return "history"


# --------------------------------------------------------------------------- the tiles


def tiles_css(key: str, value_size: str | None = None) -> str:
    """CSS for the st.metric tiles inside ``st.container(key=key)``: labels wrap instead of being cut short,
    and the value may be set smaller so that long words (a status) fit."""
    value = (
        f'.st-key-{key} [data-testid="stMetricValue"]{{font-size:{value_size};line-height:1.25}}'
        f'.st-key-{key} [data-testid="stMetricValue"] *{{white-space:normal !important;overflow:visible !important;'
        "text-overflow:clip !important}"
        if value_size
        else ""
    )
    return (
        "<style>"
        f'.st-key-{key} [data-testid="stMetricLabel"] *{{white-space:normal !important;overflow:visible !important;'
        "text-overflow:clip !important}"
        f"{value}</style>"
    )


class Tile(NamedTuple):
    """The arguments of one st.metric."""

    label: str
    value: str
    delta: str | None = None
    delta_color: str = "normal"
    delta_arrow: str = "auto"
    help: str | None = None
    delta_description: str | None = None


def _good_color(direction: str) -> str:
    return {"up": "normal", "down": "inverse"}.get(direction, "off")


def _delta(pct: float | None, direction: str, lang: str, description: str | None) -> dict[str, Any]:
    """A percent delta coloured by whether the move is good news; grey without an arrow when it rounds to zero."""
    text = pct_change_text(pct, lang)
    flat = text is not None and not text.startswith(("+", "-"))
    return {
        "delta": text,
        "delta_color": "off" if flat else _good_color(direction),
        "delta_arrow": "off" if flat else "auto",
        "delta_description": description if text else None,
    }


def tiles(latest: Mapping[str, Any], lang: str, dec: int | None = None) -> list[Tile]:
    """Six tiles, two rows of three: value, year to date (flows) or the year's target, status with trend;
    % of plan, change against the previous period and against the same period last year.

    ``dec``: decimals for the values (decimals_for the series), automatic when None.
    """
    unit = latest.get("unit")
    direction = latest.get("direction") or "up"
    when = period_label(latest.get("period"), lang)
    year = str(latest.get("period") or "")[:4]
    target = latest.get("target")
    value = numbers.fmt_value(latest.get("value"), unit, lang, dec)
    out = [Tile(t("indicator.tile_value", lang, period=when), value)]
    if latest.get("value_type") == "flow":
        out.append(
            Tile(
                t("indicator.tile_ytd", lang),
                numbers.fmt_value(latest.get("ytd"), unit, lang),
                **_delta(latest.get("change_yoy_ytd_pct"), direction, lang, t("indicator.vs_same_period", lang)),
            )
        )
    else:
        shown = t("indicator.no_target_short", lang) if numbers.is_missing(target) else None
        out.append(
            Tile(
                t("indicator.tile_target", lang, year=year) if year else t("ui.annual_target", lang),
                shown or numbers.fmt_value(target, unit, lang, dec),
                help=label("direction", direction, lang),
            )
        )
    status = latest.get("status") or "no_data"
    trend = latest.get("trend")
    trend_style = {"improving": ("green", "up"), "worsening": ("red", "down"), "stable": ("gray", "off")}
    color, arrow = trend_style.get(trend or "", ("gray", "off"))
    out.append(
        Tile(
            t("indicator.tile_status", lang),
            status_label(status, lang),
            delta=label("trend", trend, lang) if trend else None,
            delta_color=color,
            delta_arrow=arrow,
            help=t(f"status_help.{status}", lang),
        )
    )
    if numbers.is_missing(target):
        out.append(Tile(t("ui.pct_of_plan", lang), MISSING, help=t("status_help.no_target", lang)))
    else:
        paced = latest.get("value_type") in ("flow", "ytd")
        help_key = "indicator.help_pct_plan_paced" if paced else "indicator.help_pct_plan"
        out.append(
            Tile(
                t("ui.pct_of_plan", lang),
                numbers.fmt_percent(latest.get("pct_of_plan"), lang, 1),
                help=t(
                    help_key,
                    lang,
                    year=year,
                    target=numbers.fmt_value(target, unit, lang),
                    pct=numbers.fmt_percent(latest.get("pct_of_target"), lang, 1),
                ),
            )
        )
    for key, change, pct, ref in (
        ("ui.vs_previous", "change_prev", "change_prev_pct", "prev_period"),
        ("ui.vs_last_year", "change_yoy", "change_yoy_pct", "yoy_period"),
    ):
        description = period_label(latest.get(ref), lang) if latest.get(ref) else None
        out.append(
            Tile(
                t(key, lang),
                change_text(latest.get(change), unit, lang, dec),
                **_delta(latest.get(pct), direction, lang, description),
            )
        )
    return out


def summary_sentence(latest: Mapping[str, Any], lang: str, dec: int | None = None) -> str | None:
    """``Name: value, 127,6 % of the year's plan; +34,2 % year on year.`` (None without a value)."""
    if numbers.is_missing(latest.get("value")):
        return None
    unit = latest.get("unit")
    basis = latest.get("ytd") if latest.get("value_type") == "flow" else latest.get("value")
    change = pct_change_text(latest.get("change_yoy_pct"), lang) or MISSING
    places = dec if latest.get("value_type") != "flow" else None
    value = f"{numbers.fmt_value(basis, unit, lang, places)} ({period_label(latest.get('period'), lang)})"
    name = name_of(latest, lang)
    if numbers.is_missing(latest.get("pct_of_target")):
        return t("summary.indicator_no_target", lang, name=name, value=value, change=change)
    pct = numbers.fmt_percent(latest.get("pct_of_target"), lang, 1)
    return t("summary.indicator", lang, name=name, value=value, pct=pct, change=change)


# --------------------------------------------------------------------------- history


def window(series: pl.DataFrame, span: str) -> pl.DataFrame:
    """The last ``span`` years of a series (by period start, counted back from its latest period)."""
    if span == "all" or series.is_empty():
        return series
    years = int(span)
    last = series.get_column("period_start").max()
    first = date(last.year - years + 1, 1, 1) if last else None
    return series.filter(pl.col("period_start") >= first) if first else series


def default_span(frequency: str) -> str:
    return "1" if frequency == "weekly" else "3"


def history_frame(series: pl.DataFrame, value_type: str) -> tuple[pl.DataFrame, str]:
    """The frame and mark for charts.history_chart: a flow's own amounts as bars without target;
    a ytd figure against the plan to date; a level or rate against the year's target."""
    if value_type == "flow":
        frame = series.select("period", "value", pl.lit(None, dtype=pl.Float64).alias("target"), "status")
        return frame, "bar"
    target = "plan_to_date" if value_type == "ytd" else "target"
    return series.select("period", "value", pl.col(target).alias("target"), "status"), "line"


def history_chart(
    series: pl.DataFrame, row: Mapping[str, Any], lang: str, as_of: date, demo: bool
) -> alt.TopLevelMixin:
    frame, mark = history_frame(series, row["value_type"])
    span = ""
    if series.height:
        span = f"{period_label(series['period'][0], lang)} – {period_label(series['period'][-1], lang)}"
    labels = charts.chart_text(
        name_of(row, lang), lang, unit=row.get("unit"), period=span, source=row.get("source"), as_of=as_of, demo=demo
    )
    return fit_width(
        charts.history_chart(
            frame,
            labels,
            direction=row.get("direction") or "up",
            on_track_pct=row.get("on_track_pct") or 100.0,
            at_risk_pct=row.get("at_risk_pct") or 90.0,
            mark=mark,
        )
    )


def ytd_frame(series: pl.DataFrame) -> tuple[pl.DataFrame, float | None, str | None]:
    """The latest year's year to date against the plan to date, with the year's target and the year."""
    if series.is_empty():
        return series.select("period", "ytd", pl.col("plan_to_date").alias("plan_ytd")), None, None
    year = str(series.get_column("period")[-1])[:4]
    rows = series.filter(pl.col("period").str.starts_with(year))
    frame = rows.select("period", "ytd", pl.col("plan_to_date").alias("plan_ytd"))
    target = rows.get_column("target").drop_nulls()
    return frame, (float(target[-1]) if target.len() else None), year


def ytd_chart(series: pl.DataFrame, row: Mapping[str, Any], lang: str, as_of: date, demo: bool) -> alt.TopLevelMixin:
    frame, target, year = ytd_frame(series)
    labels = charts.chart_text(
        t("indicator.ytd_title", lang, name=name_of(row, lang), year=year or ""),
        lang,
        unit=row.get("unit"),
        period=period_label(frame["period"][-1], lang) if frame.height else None,
        source=row.get("source"),
        as_of=as_of,
        demo=demo,
    )
    return fit_width(charts.ytd_vs_plan_chart(frame, labels, annual_target=target))


def series_table(series: pl.DataFrame, row: Mapping[str, Any], lang: str) -> Table:
    """Every period, newest first: value (ytd for flows), target or plan, % of plan, status, changes, timeliness.

    Returns (display with text in the reader's number format, download with raw numbers).
    """
    unit = row.get("unit")
    flow = row.get("value_type") == "flow"
    paced = row.get("value_type") in ("flow", "ytd")
    cols = {
        "period": t("ui.period", lang),
        "value": t("ui.value", lang),
        "ytd": t("ui.ytd", lang),
        "plan": t("indicator.plan_to_date", lang) if paced else t("ui.target", lang),
        "pct_of_plan": t("ui.pct_of_plan", lang),
        "status": t("ui.status", lang),
        "change_prev_pct": t("ui.vs_previous", lang),
        "change_yoy_pct": t("ui.vs_last_year", lang),
        "submitted": t("ui.submitted_at", lang),
        "on_time": t("ui.on_time", lang),
    }
    data = series.sort("period_start", descending=True)
    plan = "plan_to_date" if paced else "target"
    download = data.select(
        pl.col("period").alias(cols["period"]),
        pl.col("value").alias(cols["value"]),
        *([pl.col("ytd").alias(cols["ytd"])] if flow else []),
        pl.col(plan).alias(cols["plan"]),
        pl.col("pct_of_plan").alias(cols["pct_of_plan"]),
        pl.col("status").alias(cols["status"]),
        pl.col("change_prev_pct").alias(cols["change_prev_pct"]),
        pl.col("change_yoy_pct").alias(cols["change_yoy_pct"]),
        pl.col("first_submitted_at").alias(cols["submitted"]),
        pl.col("on_time").alias(cols["on_time"]),
    )
    yes, no = t("ui.yes", lang), t("ui.no", lang)
    dec, dec_ytd, dec_plan = (decimals_for(data.get_column(c).to_list()) for c in ("value", "ytd", plan))
    rows = []
    for r in data.iter_rows(named=True):
        item = {
            cols["period"]: period_label(r["period"], lang),
            cols["value"]: numbers.fmt_value(r["value"], unit, lang, dec),
        }
        if flow:
            item[cols["ytd"]] = numbers.fmt_value(r["ytd"], unit, lang, dec_ytd)
        item |= {
            cols["plan"]: numbers.fmt_value(r[plan], unit, lang, dec_plan),
            cols["pct_of_plan"]: numbers.fmt_percent(r["pct_of_plan"], lang, 1),
            cols["status"]: status_label(r["status"], lang),
            cols["change_prev_pct"]: pct_change_text(r["change_prev_pct"], lang) or MISSING,
            cols["change_yoy_pct"]: pct_change_text(r["change_yoy_pct"], lang) or MISSING,
            cols["submitted"]: fmt_datetime(r["first_submitted_at"], lang),
            cols["on_time"]: MISSING if r["on_time"] is None else (yes if r["on_time"] else no),
        }
        rows.append(item)
    schema = {c: pl.String for c in download.columns}
    download = download.with_columns(
        pl.col(cols["status"]).replace_strict(
            {s: label("status", s, lang) for s in CODES["status"]}, default=pl.col(cols["status"])
        )
    )
    numeric = [cols[k] for k in ("value", "ytd", "plan", "pct_of_plan", "change_prev_pct", "change_yoy_pct")]
    return Table(pl.DataFrame(rows, schema=schema, orient="row"), download, right_aligned(*numeric))


# --------------------------------------------------------------------------- communes


def band_status(value: float | None, bands: Sequence[tuple[str, float, float]]) -> str | None:
    """The status whose band holds ``value`` (bands of charts.status_bands)."""
    if numbers.is_missing(value) or not bands:
        return None
    for status, lo, hi in bands:
        if lo <= value < hi or (hi == math.inf and value >= lo):
            return status
    return bands[-1][0]


def judges_communes(row: Mapping[str, Any]) -> bool:
    """Whether the year's target applies to each commune: a mean of levels or rates (not parts of a sum)."""
    return row.get("aggregation") == "mean" and row.get("value_type") in ("rate", "stock")


def target_for(row: Mapping[str, Any], period: str | None) -> float | None:
    """The plan target of the period's year, from the catalogue row."""
    if not period:
        return None
    year = int(str(period)[:4])
    for item in row.get("targets") or []:
        if item["year"] == year:
            return float(item["value"])
    return None


def commune_frame(values: pl.DataFrame, row: Mapping[str, Any], period: str | None) -> pl.DataFrame:
    """commune_values with a status per commune where the target applies to each one.

    Columns: locality_code, name, kind, value, rank, share_pct, note, status.
    """
    target = target_for(row, period) if judges_communes(row) else None
    bands = charts.status_bands(
        target, row.get("direction") or "up", row.get("on_track_pct") or 100.0, row.get("at_risk_pct") or 90.0
    )
    statuses = [band_status(v, bands) for v in values.get_column("value").to_list()]
    return values.select(
        "locality_code", pl.col("locality_name").alias("name"), "kind", "value", "rank", "share_pct", "note"
    ).with_columns(pl.Series("status", statuses, dtype=pl.String))


def province_reference(row: Mapping[str, Any], values: pl.DataFrame) -> tuple[float | None, str]:
    """The province figure the bars are compared with: the communes' mean (or total, for sums)."""
    got = values.get_column("value").drop_nulls()
    if not got.len():
        return None, "mean"
    if row.get("aggregation") == "sum":
        return float(got.sum()), "total"
    return float(got.mean()), "mean"


def commune_chart(
    frame: pl.DataFrame, row: Mapping[str, Any], period: str, highlight: str | None, lang: str, as_of: date, demo: bool
) -> alt.TopLevelMixin:
    reference, kind = province_reference(row, frame)
    if kind == "total":
        reference = None  # a total dwarfs every commune's bar; the table shows it
    labels = charts.chart_text(
        t("indicator.communes_title", lang, name=name_of(row, lang)),
        lang,
        unit=row.get("unit"),
        period=period_label(period, lang),
        source=row.get("source"),
        as_of=as_of,
        demo=demo,
    )
    return fit_width(
        charts.commune_bars(
            frame,
            labels,
            reference=reference,
            reference_kind=kind,
            highlight=[highlight] if highlight else [],
            direction=row.get("direction") or "up",
        )
    )


def commune_table(frame: pl.DataFrame, row: Mapping[str, Any], lang: str) -> Table:
    """Communes ranked (best first), with share of the total for sums and status where judged."""
    unit = row.get("unit")
    ranked = commune_ranks(frame, row.get("direction") or "up").sort(["rank", "name"], nulls_last=True)
    share = row.get("aggregation") == "sum"
    judged = frame.get_column("status").drop_nulls().len() > 0
    cols = {
        "rank": t("ui.rank", lang),
        "name": t("ui.commune", lang),
        "code": t("ui.code", lang),
        "kind": t("indicator.kind", lang),
        "value": t("ui.value", lang),
        "share": t("indicator.share", lang),
        "status": t("ui.status", lang),
        "note": t("ui.note", lang),
    }
    rows, raw = [], []
    dec = decimals_for(frame.get_column("value").to_list())
    for r in ranked.iter_rows(named=True):
        rank = r["rank"]
        item = {
            cols["rank"]: str(rank) if rank else MISSING,
            cols["name"]: r["name"],
            cols["code"]: r["locality_code"],
            cols["kind"]: label("kind", r["kind"], lang),
            cols["value"]: numbers.fmt_value(r["value"], unit, lang, dec),
        }
        raw_item = {
            cols["rank"]: rank,
            cols["name"]: r["name"],
            cols["code"]: r["locality_code"],
            cols["kind"]: label("kind", r["kind"], lang),
            cols["value"]: r["value"],
        }
        if share:
            item[cols["share"]] = numbers.fmt_percent(r["share_pct"], lang, 1)
            raw_item[cols["share"]] = r["share_pct"]
        if judged:
            item[cols["status"]] = status_label(r["status"], lang)
            raw_item[cols["status"]] = label("status", r["status"], lang) if r["status"] else None
        item[cols["note"]] = r["note"] or ""
        raw_item[cols["note"]] = r["note"]
        rows.append(item)
        raw.append(raw_item)
    display = pl.DataFrame(rows, schema={k: pl.String for k in (rows[0] if rows else cols.values())}, orient="row")
    download = pl.DataFrame(raw, infer_schema_length=None) if raw else display
    return Table(display, download, right_aligned(cols["rank"], cols["value"], cols["share"]))


def commune_ranks(frame: pl.DataFrame, direction: str) -> pl.DataFrame:
    """Competition ranks, best first by direction (1 is the best; ties share a rank). Columns: frame's + rank."""
    score = pl.col("value") if direction != "down" else -pl.col("value")
    return frame.with_columns(rank=score.rank("min", descending=True).cast(pl.Int32))


def locality_options(localities: pl.DataFrame, lang: str) -> tuple[list[str], dict[str, str]]:
    """Codes (``""`` first for none) and their labels ``Name (Phường)``, in Vietnamese order."""
    from dashboard.i18n import vi_sort_key

    rows = sorted(localities.iter_rows(named=True), key=lambda r: vi_sort_key(r["name"]))
    names = {"": t("indicator.choose_commune", lang)}
    names |= {r["code"]: f"{r['name']} ({label('kind', r['kind'], lang)})" for r in rows}
    return ["", *(r["code"] for r in rows)], names


def locality_chart(
    series: pl.DataFrame, row: Mapping[str, Any], commune: str, lang: str, as_of: date, demo: bool
) -> alt.TopLevelMixin:
    """One commune's own series; against the year's target where the target applies to each commune."""
    judged = judges_communes(row)
    frame = series.select(
        "period",
        "value",
        each(series, "period", lambda p: target_for(row, p), "target", dtype=pl.Float64)
        if judged
        else pl.lit(None, dtype=pl.Float64).alias("target"),
    )
    labels = charts.chart_text(
        f"{name_of(row, lang)} – {commune}",
        lang,
        unit=row.get("unit"),
        source=row.get("source"),
        as_of=as_of,
        demo=demo,
    )
    return fit_width(
        charts.history_chart(
            frame,
            labels,
            direction=row.get("direction") or "up",
            on_track_pct=row.get("on_track_pct") or 100.0,
            at_risk_pct=row.get("at_risk_pct") or 90.0,
            mark="bar" if row.get("value_type") == "flow" else "line",
        )
    )


def locality_table(series: pl.DataFrame, row: Mapping[str, Any], lang: str) -> Table:
    cols = [t("ui.period", lang), t("ui.value", lang), t("ui.note", lang), t("ui.submitted_at", lang)]
    data = series.sort("period_start", descending=True)
    dec = decimals_for(data.get_column("value").to_list())
    display = pl.DataFrame(
        [
            (
                period_label(r["period"], lang),
                numbers.fmt_value(r["value"], row.get("unit"), lang, dec),
                r["note"] or "",
                fmt_datetime(r["submitted_at"], lang),
            )
            for r in data.iter_rows(named=True)
        ],
        schema={c: pl.String for c in cols},
        orient="row",
    )
    download = data.select(
        pl.col("period").alias(cols[0]),
        pl.col("value").alias(cols[1]),
        pl.col("note").alias(cols[2]),
        pl.col("submitted_at").alias(cols[3]),
    )
    return Table(display, download, right_aligned(cols[1]))


# --------------------------------------------------------------------------- composites


def is_computed(row: Mapping[str, Any]) -> bool:
    return bool(row.get("components"))


def composite_periods(series: pl.DataFrame) -> list[str]:
    """Periods of a computed composite that have a computed value, newest first."""
    if series.is_empty():
        return []
    return series.filter(pl.col("computed")).sort("period_start", descending=True).get_column("period").to_list()


def contributions_frame(breakdown: pl.DataFrame, lang: str) -> pl.DataFrame:
    """composite_breakdown shaped for charts.composite_contributions_chart (label: ``CODE · name``)."""
    name = "name_vi" if lang == "vi" else "name_en"
    return breakdown.select(
        pl.col("component_code").alias("component"),
        (pl.col("component_code") + pl.lit(" · ") + pl.coalesce(pl.col(name), pl.col("component_code"))).alias(
            "component_label"
        ),
        "contribution",
        "weight",
        "score",
    )


def contributions_chart(
    breakdown: pl.DataFrame, row: Mapping[str, Any], period: str, lang: str, as_of: date, demo: bool
) -> alt.TopLevelMixin:
    total = breakdown.get_column("contribution").sum() if breakdown.height else None
    labels = charts.chart_text(
        t("indicator.components_title", lang, name=name_of(row, lang)),
        lang,
        unit=t("indicator.points_unit", lang),
        period=period_label(period, lang),
        as_of=as_of,
        demo=demo,
        extra=[t("indicator.composite_value", lang, value=numbers.fmt_number(total, lang, 1))] if total else [],
    )
    return fit_width(charts.composite_contributions_chart(contributions_frame(breakdown, lang), labels))


RANGE_SOURCES = ("target", "valid_range", "history", "mixed")


def contributions_table(breakdown: pl.DataFrame, lang: str) -> Table:
    """Each component: link, code, name, value, weight, how it was scored, score and contribution."""
    name = "name_vi" if lang == "vi" else "name_en"
    cols = {
        "link": t("ui.open", lang),
        "code": t("ui.code", lang),
        "name": t("ui.indicator", lang),
        "period": t("ui.period", lang),
        "value": t("ui.value", lang),
        "weight": t("ui.weight", lang),
        "basis": t("indicator.scored_against", lang),
        "score": t("ui.score", lang),
        "contribution": t("ui.contribution", lang),
        "share": t("indicator.share", lang),
    }
    data = breakdown.sort("contribution", descending=True, nulls_last=True)
    rows = []
    for r in data.iter_rows(named=True):
        basis = t(f"indicator.range_source_{r['range_source']}", lang) if r["range_source"] in RANGE_SOURCES else ""
        if r["range_source"] == "target" and not numbers.is_missing(r["target"]):
            basis = f"{basis}: {numbers.fmt_value(r['target'], r['unit'], lang)}"
        rows.append(
            {
                cols["link"]: href("indicator", lang, code=r["component_code"]),
                cols["code"]: r["component_code"],
                cols["name"]: r[name] or r["component_code"],
                cols["period"]: period_label(r["component_period"], lang),
                cols["value"]: numbers.fmt_value(r["value"], r["unit"], lang),
                cols["weight"]: numbers.fmt_number(r["weight"], lang),
                cols["basis"]: basis,
                cols["score"]: numbers.fmt_number(r["score"], lang, 1),
                cols["contribution"]: numbers.fmt_number(r["contribution"], lang, 1),
                cols["share"]: numbers.fmt_percent(r["share_pct"], lang, 1),
            }
        )
    display = pl.DataFrame(rows, schema={c: pl.String for c in cols.values()}, orient="row")
    download = data.select(
        pl.col("component_code").alias(cols["code"]),
        pl.col(name).alias(cols["name"]),
        pl.col("component_period").alias(cols["period"]),
        pl.col("value").alias(cols["value"]),
        pl.col("unit").alias(t("ui.unit", lang)),
        pl.col("weight").alias(cols["weight"]),
        pl.col("range_source").alias(cols["basis"]),
        pl.col("score").alias(cols["score"]),
        pl.col("contribution").alias(cols["contribution"]),
        pl.col("share_pct").alias(cols["share"]),
    )
    numeric = [cols[k] for k in ("value", "weight", "score", "contribution", "share")]
    return Table(display, download, right_aligned(*numeric))


# --------------------------------------------------------------------------- submissions and revisions


def submissions_table(subs: pl.DataFrame, lang: str) -> Table:
    """The files behind the figures: when, file, who, how many values, revised, still current, periods."""
    cols = {
        "at": t("ui.submitted_at", lang),
        "file": t("indicator.file", lang),
        "by": t("indicator.submitted_by", lang),
        "periods": t("indicator.periods", lang),
        "values": t("indicator.n_values", lang),
        "revised": t("indicator.n_revised", lang),
        "current": t("indicator.n_current", lang),
    }
    rows = []
    for r in subs.iter_rows(named=True):
        first, last = period_label(r["first_period"], lang), period_label(r["last_period"], lang)
        rows.append(
            {
                cols["at"]: fmt_datetime(r["submitted_at"], lang),
                cols["file"]: r["file_name"],
                cols["by"]: r["submitted_by"] or MISSING,
                cols["periods"]: first if first == last else f"{first} – {last}",
                cols["values"]: numbers.fmt_number(r["n_values"], lang),
                cols["revised"]: numbers.fmt_number(r["n_revised"], lang),
                cols["current"]: numbers.fmt_number(r["n_current"], lang),
            }
        )
    display = pl.DataFrame(rows, schema={c: pl.String for c in cols.values()}, orient="row")
    download = subs.select(
        pl.col("submission_id").alias(t("ui.submission", lang)),
        pl.col("submitted_at").alias(cols["at"]),
        pl.col("file_name").alias(cols["file"]),
        pl.col("submitted_by").alias(cols["by"]),
        pl.col("first_period").alias(t("ui.period_from", lang)),
        pl.col("last_period").alias(t("ui.period_to", lang)),
        pl.col("n_values").alias(cols["values"]),
        pl.col("n_revised").alias(cols["revised"]),
        pl.col("n_current").alias(cols["current"]),
    )
    return Table(display, download, right_aligned(cols["values"], cols["revised"], cols["current"]))


def revisions_table(revisions: pl.DataFrame, localities: pl.DataFrame, unit: str | None, lang: str) -> Table:
    """Every value of a revised key, oldest version first: value, previous value, when, file, who, in force."""
    names = dict(localities.select("code", "name").iter_rows())
    province = t("ui.province", lang)
    data = revisions.sort(["period_start", "locality_code", "version"], descending=[True, False, False])
    cols = {
        "period": t("ui.period", lang),
        "locality": t("ui.locality", lang),
        "version": t("indicator.version", lang),
        "value": t("ui.value", lang),
        "previous": t("indicator.previous_value", lang),
        "at": t("ui.submitted_at", lang),
        "file": t("indicator.file", lang),
        "by": t("indicator.submitted_by", lang),
        "note": t("ui.note", lang),
        "current": t("indicator.in_force", lang),
    }
    yes = t("ui.yes", lang)
    dec = decimals_for(data.get_column("value").to_list())
    rows = []
    for r in data.iter_rows(named=True):
        rows.append(
            {
                cols["period"]: period_label(r["period"], lang),
                cols["locality"]: names.get(r["locality_code"], r["locality_code"]) if r["locality_code"] else province,
                cols["version"]: f"{r['version']}/{r['versions']}",
                cols["value"]: numbers.fmt_value(r["value"], unit, lang, dec),
                cols["previous"]: numbers.fmt_value(r["previous_value"], unit, lang, dec),
                cols["at"]: fmt_datetime(r["submitted_at"], lang),
                cols["file"]: r["file_name"] or MISSING,
                cols["by"]: r["submitted_by"] or MISSING,
                cols["note"]: r["note"] or "",
                cols["current"]: yes if r["is_current"] else "",
            }
        )
    display = pl.DataFrame(rows, schema={c: pl.String for c in cols.values()}, orient="row")
    download = data.select(
        pl.col("period").alias(cols["period"]),
        pl.col("locality_code").alias(cols["locality"]),
        pl.col("version").alias(cols["version"]),
        pl.col("value").alias(cols["value"]),
        pl.col("previous_value").alias(cols["previous"]),
        pl.col("submitted_at").alias(cols["at"]),
        pl.col("file_name").alias(cols["file"]),
        pl.col("submitted_by").alias(cols["by"]),
        pl.col("note").alias(cols["note"]),
        pl.col("is_current").alias(cols["current"]),
    )
    return Table(display, download, right_aligned(cols["value"], cols["previous"]))


def latest_of(series: pl.DataFrame) -> str | None:
    """The newest period of a frame with period and period_start, or None."""
    if series.is_empty():
        return None
    return series.sort("period_start").get_column("period")[-1]
