"""Chart builders: pure ``(polars.DataFrame, labels) -> alt.Chart``, the same for the screen and the export.

Every builder puts its title and a subtitle (unit, period, source, "as of"
date) inside the chart, so a downloaded PNG or SVG stands on its own. Labels
arrive already translated, as a ``ChartText`` (``chart_text()`` builds one
from the catalogue) or a plain dict with the same fields. The number locale
(``1.234,5`` or ``1,234.5``) follows ``labels.lang`` through ``config.locale``.

Input frames are small and flat; each builder's docstring lists its columns.
Periods are the canonical text of ``rules.calendar`` (``2025-09``, ``2025-Q3``),
which sorts in time order; ``period_label`` is what the reader sees.
No builder calls Streamlit. An empty frame gives a chart that says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import altair as alt
import polars as pl

from dashboard import numbers, theme
from dashboard.frames import each
from dashboard.i18n import CODES, has, normalize_lang, t, vi_sort_key
from rules import calendar as periods
from rules import timeliness
from rules.plan import status_bands

__all__ = [
    "ChartText",
    "Stamp",
    "chart_text",
    "status_bands",
    "history_chart",
    "slide_chart",
    "ytd_vs_plan_chart",
    "commune_bars",
    "sparkline_values",
    "sparklines",
    "status_by_group_chart",
    "plan_bars",
    "composite_contributions_chart",
    "timeliness_heatmap",
    "explorer_chart",
]

SUBTITLE_SEP = "  ·  "


# --- Labels -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartText:
    """The words of one chart, already in the reader's language.

    ``names`` overrides any word a builder uses (``target``, ``status.on_track``,
    a series name, ...); words not given come from the catalogue in ``lang``.
    """

    title: str = ""
    subtitle: tuple[str, ...] = ()
    lang: str = "vi"
    x: str | None = None
    y: str | None = None
    unit: str = ""
    names: Mapping[str, str] = field(default_factory=dict)

    def name(self, key: str, **fmt: Any) -> str:
        """A word for the chart: ``names`` first, then the catalogue (``key``, ``chart.key``, ``ui.key``)."""
        if key in self.names:
            return self.names[key].format(**fmt) if fmt else self.names[key]
        for candidate in (key, f"chart.{key}", f"ui.{key}"):
            if has(candidate):
                return t(candidate, self.lang, **fmt)
        return key

    def status(self, code: str) -> str:
        return self.name(f"status.{code}")

    def num(self, x: Any, decimals: int | None = None) -> str:
        return numbers.fmt_number(x, self.lang, decimals)

    def value(self, x: Any, decimals: int | None = None) -> str:
        return numbers.fmt_value(x, self.unit, self.lang, decimals)


def _text(labels: ChartText | Mapping[str, Any] | None) -> ChartText:
    if labels is None:
        return ChartText()
    if isinstance(labels, ChartText):
        text = labels
    else:
        known = {k: v for k, v in labels.items() if k in ChartText.__dataclass_fields__}
        text = ChartText(**known)
    sub = text.subtitle
    sub = (sub,) if isinstance(sub, str) else tuple(s for s in sub if s)
    return replace(text, subtitle=sub, lang=normalize_lang(text.lang))


def chart_text(
    title: str,
    lang: str = "vi",
    *,
    unit: str | None = None,
    period: str | None = None,
    source: str | None = None,
    as_of: date | datetime | str | None = None,
    demo: bool = False,
    extra: Iterable[str] = (),
    x: str | None = None,
    y: str | None = None,
    names: Mapping[str, str] | None = None,
) -> ChartText:
    """Labels for a chart: the subtitle lines read ``Đơn vị: % · Kỳ: Tháng 9/2025`` and ``Nguồn: … · Số liệu tính đến 14/10/2025``."""
    lang = normalize_lang(lang)
    first = []
    if unit:
        first.append(t("chart.unit_line", lang, unit=unit))
    if period:
        first.append(t("chart.period_line", lang, period=period))
    second = []
    if source:
        second.append(t("chart.source_line", lang, source=source))
    if as_of:
        day = as_of if isinstance(as_of, str) else numbers.fmt_date(as_of, lang)
        second.append(t("chart.as_of_line", lang, date=day))
    lines = [SUBTITLE_SEP.join(first), SUBTITLE_SEP.join(second), *extra]
    if demo:
        lines.append(t("chart.demo", lang))
    return ChartText(
        title=title,
        subtitle=tuple(line for line in lines if line),
        lang=lang,
        x=x,
        y=y,
        unit=unit or "",
        names=dict(names or {}),
    )


@dataclass(frozen=True)
class Stamp:
    """What every chart carries besides its own words: the reader's language, the date of the data, the demo mark.

    Pages take it from their context (``Ctx.stamp``), so every chart, and its PNG and SVG, says the same "as of".
    """

    lang: str = "vi"
    as_of: date | None = None
    demo: bool = False

    def text(self, title: str, **kwargs: Any) -> ChartText:
        """``chart_text`` with this stamp's language, date and demo mark."""
        return chart_text(title, self.lang, as_of=self.as_of, demo=self.demo, **kwargs)


# --- Frames -----------------------------------------------------------------------------------------


def _frame(df: pl.DataFrame | None, columns: Mapping[str, Any]) -> pl.DataFrame:
    """The columns a builder reads, cast, with missing optional ones added as nulls and NaN as null."""
    if df is None:
        df = pl.DataFrame()
    exprs = []
    for name, dtype in columns.items():
        col = pl.col(name) if name in df.columns else pl.lit(None)
        col = col.cast(dtype, strict=False)
        if dtype == pl.Float64:
            col = col.fill_nan(None)
        exprs.append(col.alias(name))
    return df.select(exprs) if df.width else pl.DataFrame(schema=dict(columns))


def _has(df: pl.DataFrame | None, column: str) -> bool:
    return df is not None and column in df.columns and df[column].null_count() < df.height


def _rows(df: pl.DataFrame) -> list[dict[str, Any]]:
    return df.to_dicts()


def _period_order(df: pl.DataFrame) -> list[str]:
    """Period labels in time order (by the canonical period)."""
    seen = df.select("period", "period_label").unique(subset="period", keep="first").sort("period")
    return [str(lbl if lbl is not None else p) for p, lbl in seen.iter_rows()]


def _with_labels(df: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Fill missing period labels the way people write them (``Tháng 9/2025``), from the canonical period."""
    missing = df.filter(pl.col("period_label").is_null())["period"].unique().to_list()
    if not missing:
        return df
    written = {text: periods.label_of(text, lang) for text in missing}
    filled = pl.col("period").replace_strict(written, default=pl.col("period"), return_dtype=pl.Utf8)
    return df.with_columns(pl.coalesce(pl.col("period_label"), filled).alias("period_label"))


def _finite(values: Iterable[Any]) -> list[float]:
    return [float(v) for v in values if not numbers.is_missing(v)]


# --- Pieces -------------------------------------------------------------------------------------------


def _title(text: ChartText) -> alt.TitleParams:
    return alt.TitleParams(text=text.title or "", subtitle=list(text.subtitle) if text.subtitle else alt.Undefined)


def _finish(chart: alt.TopLevelMixin, text: ChartText, height: float, big_screen: bool = False) -> alt.TopLevelMixin:
    """Title, container width, height and the number locale; the big-screen sizes when asked."""
    chart = chart.properties(title=_title(text), width="container", height=height)
    extra = theme.big_screen_overrides() if big_screen else {}
    return chart.configure(locale=numbers.vega_locale(text.lang), **extra)


def _empty(text: ChartText, height: float = 160, big_screen: bool = False) -> alt.TopLevelMixin:
    message = text.name("empty")
    chart = (
        alt.Chart(alt.Data(values=[{"message": message}]))
        .mark_text(color=theme.MUTED, fontSize=theme.SIZES["big_screen" if big_screen else "screen"]["mark_text"] + 2)
        .encode(text="message:N")
        .properties(name="empty")
    )
    return _finish(chart, text, height, big_screen)


def _status_scale(text: ChartText, codes: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=[text.status(c) for c in codes], range=[theme.STATUS_COLORS[c] for c in codes])


def _legend(big_screen: bool = False, **kw: Any) -> alt.Legend:
    return alt.Legend(title=None, orient="top", direction="horizontal", **kw)


# --- Threshold bands --------------------------------------------------------------------------------------


def _y_domain(values: list[float], zero: bool) -> list[float]:
    if not values:
        return [0.0, 1.0]
    lo, hi = min(values), max(values)
    span = hi - lo or abs(hi) or 1.0
    lo, hi = lo - span * 0.08, hi + span * 0.12
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    elif min(values) >= 0 > lo:
        lo = 0.0  # positive data never gets a negative axis
    return [lo, hi]


# --- History ---------------------------------------------------------------------------------------------


def history_chart(
    df: pl.DataFrame,
    labels: ChartText | Mapping[str, Any],
    *,
    direction: str = "up",
    on_track_pct: float | None = None,
    at_risk_pct: float | None = None,
    mark: str = "line",
    big_screen: bool = False,
) -> alt.TopLevelMixin:
    """One indicator over time, with its target and the on-track / at-risk / off-track bands.

    Columns: ``period`` (str, canonical), ``period_label`` (str), ``value``
    (float or null), ``target`` (float or null: what the value is judged
    against in that period; no band nor target line where it is null);
    optional ``status`` (status code, shown in the tooltip). For levels and
    rates ``target`` is the year's target; for flows judge the year-to-date
    figure against the plan to date (evaluation's ``ytd`` and ``target ×
    elapsed share``), or leave ``target`` null when drawing a period's own amount. ``mark`` is ``line`` (levels, rates,
    year to date) or ``bar`` (a period's own amount). The bands follow
    ``direction`` and the thresholds in percent of target (see ``status_bands``).
    """
    text = _text(labels)
    size = theme.SIZES["big_screen" if big_screen else "screen"]
    df = _frame(
        df,
        {"period": pl.Utf8, "period_label": pl.Utf8, "value": pl.Float64, "target": pl.Float64, "status": pl.Utf8},
    )
    df = _with_labels(df.filter(pl.col("period").is_not_null()), text.lang).sort("period")
    if df.is_empty() or df["value"].null_count() == df.height and df["target"].null_count() == df.height:
        return _empty(text, size["height"], big_screen)

    order = _period_order(df)
    has_target = df["target"].null_count() < df.height

    # bands per period, then the y domain that shows the data, the targets and the at-risk edges
    band_rows: list[dict[str, Any]] = []
    edges: list[float] = []
    for label, tgt in df.select("period_label", "target").iter_rows():
        for status, lo, hi in status_bands(tgt, direction, on_track_pct, at_risk_pct):
            band_rows.append({"period_label": label, "band": text.status(status), "lo": lo, "hi": hi})
            edges += [v for v in (lo, hi) if math.isfinite(v)]
    seen = _finite(df["value"]) + _finite(df["target"])
    if edges and seen:
        near = max(seen) - min(seen) or abs(max(seen)) or 1.0
        # an edge far from the data would squash it: keep only the near ones
        seen += [e for e in edges if min(seen) - near <= e <= max(seen) + near]
    domain = _y_domain(seen, zero=(mark == "bar"))
    far = (domain[1] - domain[0]) * 10
    for row in band_rows:
        row["lo"] = max(row["lo"], domain[0] - far)
        row["hi"] = min(row["hi"], domain[1] + far)

    x_band = alt.Scale(type="band", paddingInner=0, paddingOuter=0)
    x_title = text.x if text.x is not None else None
    x_axis = alt.Axis(title=x_title, labelAngle=0, labelOverlap="parity", labelLimit=280 if big_screen else 140)
    y = alt.Y("value:Q", title=text.y, scale=alt.Scale(domain=domain, nice=False, zero=mark == "bar"))

    dec = numbers.series_decimals(_finite(df["value"]) + _finite(df["target"]))
    rows = df.with_columns(
        each(df, "value", lambda v: text.value(v, dec), "value_text"),
        each(df, "target", lambda v: text.value(v, dec), "target_text"),
        each(df, "status", lambda s: text.status(s), "status_label"),
    )
    tooltip = [
        alt.Tooltip("period_label:N", title=text.name("period")),
        alt.Tooltip("value_text:N", title=text.name("value")),
    ]
    if has_target:
        tooltip.append(alt.Tooltip("target_text:N", title=text.name("target")))
    if _has(df, "status"):
        tooltip.append(alt.Tooltip("status_label:N", title=text.name("status")))
    data = alt.Data(values=_rows(rows))

    layers = []
    if band_rows:
        codes = [c for c in ("on_track", "at_risk", "off_track") if any(r["band"] == text.status(c) for r in band_rows)]
        layers.append(
            alt.Chart(alt.Data(values=band_rows))
            .mark_rect(opacity=theme.BAND_OPACITY, clip=True)
            .encode(
                x=alt.X("period_label:N", sort=order, scale=x_band, axis=x_axis),
                y=alt.Y("lo:Q", scale=alt.Scale(domain=domain, nice=False)),
                y2="hi:Q",
                color=alt.Color(
                    "band:N", scale=_status_scale(text, codes), legend=_legend(big_screen, symbolOpacity=0.5)
                ),
            )
            .properties(name="bands")
        )
    values = alt.Chart(data).encode(
        x=alt.X("period_label:N", sort=order, scale=x_band, axis=x_axis, bandPosition=0.5), y=y, tooltip=tooltip
    )
    if mark == "bar":
        values_layer = (
            alt.Chart(data)
            .mark_bar(color=theme.PRIMARY, width=alt.RelativeBandSize(0.62))
            .encode(x=alt.X("period_label:N", sort=order, scale=x_band, axis=x_axis), y=y, tooltip=tooltip)
        )
    else:
        values_layer = values.mark_line(
            color=theme.PRIMARY, strokeWidth=size["stroke"], point=alt.OverlayMarkDef(size=size["point"], filled=True)
        )
    layers.append(values_layer.properties(name="values"))
    if has_target:
        layers.append(
            alt.Chart(data)
            .transform_filter(alt.datum.target != None)  # noqa: E711 - a Vega expression
            .mark_rule(color=theme.TARGET, strokeDash=[7, 4], strokeWidth=max(1.5, size["stroke"] * 0.7))
            .encode(
                x=alt.X("period_label:N", sort=order, scale=x_band, bandPosition=0, axis=x_axis),
                x2=alt.X2("period_label", bandPosition=1),
                y=alt.Y("target:Q", scale=alt.Scale(domain=domain, nice=False)),
                tooltip=tooltip,
            )
            .properties(name="target")
        )
        # a label where each target starts (a new year's target is a new step); on the big screen only the latest,
        # without its unit (the subtitle gives it) and with its own decimals as the slide's figures write it, so
        # that labels never run into each other or off the chart
        starts = df.filter(
            pl.col("target").is_not_null() & (pl.col("target") != pl.col("target").shift(1)).fill_null(True)
        )
        if big_screen:
            starts = starts.tail(1)

        def written(v: float) -> str:
            return text.num(v, numbers.decimals(v)) if big_screen else text.value(v, dec)

        target_labels = [
            {"period_label": lbl, "target": tgt, "label": text.name("target_value", value=written(tgt))}
            for lbl, tgt in starts.select("period_label", "target").iter_rows()
        ]
        layers.append(
            alt.Chart(alt.Data(values=target_labels))
            .mark_text(align="left", baseline="bottom", dx=4, dy=-4, color=theme.TARGET, fontWeight=500)
            .encode(
                x=alt.X("period_label:N", sort=order, scale=x_band, bandPosition=0, axis=x_axis),
                y=alt.Y("target:Q", scale=alt.Scale(domain=domain, nice=False)),
                text="label:N",
            )
            .properties(name="target_label")
        )
    # the latest value with its own decimals, as every figure of the page writes it (1,04 %, not the series' 1,0 %);
    # on the big screen without its unit (the subtitle says it)
    last = rows.filter(pl.col("value").is_not_null()).tail(1)
    own = (lambda v: text.num(v, numbers.decimals(v))) if big_screen else (lambda v: text.value(v, numbers.decimals(v)))
    last = last.with_columns(each(last, "value", own, "value_text"))
    if last.height:
        layers.append(
            alt.Chart(alt.Data(values=_rows(last.select("period_label", "value", "value_text"))))
            .mark_text(align="center", baseline="bottom", dy=-10, fontWeight=600, color=theme.PRIMARY)
            .encode(
                x=alt.X("period_label:N", sort=order, scale=x_band, bandPosition=0.5, axis=x_axis),
                y=y,
                text="value_text:N",
            )
            .properties(name="last_value")
        )
    chart = alt.layer(*layers)
    return _finish(chart, text, size["height"], big_screen)


def slide_chart(df: pl.DataFrame, labels: ChartText | Mapping[str, Any], **kwargs: Any) -> alt.TopLevelMixin:
    """``history_chart`` for the big screen of a working session: same columns, large type and strokes."""
    kwargs["big_screen"] = True
    return history_chart(df, labels, **kwargs)


# --- Year to date against plan ------------------------------------------------------------------------------


def ytd_vs_plan_chart(
    df: pl.DataFrame,
    labels: ChartText | Mapping[str, Any],
    *,
    annual_target: float | None = None,
    big_screen: bool = False,
) -> alt.TopLevelMixin:
    """Year to date (lũy kế) against the plan: bars of the cumulative value, the plan path and the year's target.

    Columns: ``period`` (str), ``period_label`` (str), ``ytd`` (float or null:
    cumulative since 1 January); optional ``plan_ytd`` (float or null: the
    plan's cumulative amount by that period, e.g. pro rata). ``annual_target``
    draws a horizontal rule, and the last bar is labelled with its percentage of it.
    """
    text = _text(labels)
    size = theme.SIZES["big_screen" if big_screen else "screen"]
    df = _frame(df, {"period": pl.Utf8, "period_label": pl.Utf8, "ytd": pl.Float64, "plan_ytd": pl.Float64})
    df = _with_labels(df.filter(pl.col("period").is_not_null()), text.lang).sort("period")
    if df.is_empty() or df["ytd"].null_count() == df.height:
        return _empty(text, size["height"], big_screen)
    order = _period_order(df)
    actual, plan, goal = text.name("ytd"), text.name("plan_ytd"), text.name("annual_target")
    series = [actual]
    has_plan = df["plan_ytd"].null_count() < df.height
    has_goal = not numbers.is_missing(annual_target)
    if has_plan:
        series.append(plan)
    if has_goal:
        series.append(goal)
    palette = {actual: theme.PRIMARY, plan: theme.TARGET, goal: theme.ACCENT}
    color = alt.Color(
        "series:N", scale=alt.Scale(domain=series, range=[palette[s] for s in series]), legend=_legend(big_screen)
    )
    seen = _finite(df["ytd"]) + _finite(df["plan_ytd"]) + ([float(annual_target)] if has_goal else [])
    yscale = alt.Scale(domain=_y_domain(seen, zero=True), nice=False)
    x = alt.X("period_label:N", sort=order, title=text.x, axis=alt.Axis(labelAngle=0, labelOverlap="parity"))

    dec = numbers.series_decimals(seen)
    rows = df.with_columns(
        pl.lit(actual).alias("series"),
        each(df, "ytd", lambda v: text.value(v, dec), "ytd_text"),
        each(df, "plan_ytd", lambda v: text.value(v, dec), "plan_text"),
    )
    tooltip = [
        alt.Tooltip("period_label:N", title=text.name("period")),
        alt.Tooltip("ytd_text:N", title=actual),
    ]
    if has_plan:
        tooltip.append(alt.Tooltip("plan_text:N", title=plan))
    data = alt.Data(values=_rows(rows))
    layers = [
        alt.Chart(data)
        .mark_bar(width=alt.RelativeBandSize(0.62))
        .encode(x=x, y=alt.Y("ytd:Q", title=text.y, scale=yscale), color=color, tooltip=tooltip)
        .properties(name="ytd")
    ]
    if has_plan:
        plan_rows = rows.filter(pl.col("plan_ytd").is_not_null()).with_columns(pl.lit(plan).alias("series"))
        layers.append(
            alt.Chart(alt.Data(values=_rows(plan_rows)))
            .mark_line(
                strokeDash=[7, 4], strokeWidth=size["stroke"] * 0.8, point=alt.OverlayMarkDef(size=size["point"])
            )
            .encode(x=x, y=alt.Y("plan_ytd:Q", scale=yscale), color=color, tooltip=tooltip)
            .properties(name="plan")
        )
    if has_goal:
        layers.append(
            alt.Chart(
                alt.Data(
                    values=[
                        {
                            "series": goal,
                            "target": float(annual_target),
                            "label": f"{goal}: {text.value(annual_target, dec)}",
                        }
                    ]
                )
            )
            .mark_rule(strokeDash=[3, 3], strokeWidth=max(1.5, size["stroke"] * 0.7))
            .encode(y=alt.Y("target:Q", scale=yscale), color=color)
            .properties(name="target")
        )
    last = rows.filter(pl.col("ytd").is_not_null()).tail(1)
    label = last["ytd_text"][0]
    if has_goal and float(annual_target) != 0:
        pct = numbers.fmt_percent(last["ytd"][0] / float(annual_target) * 100, text.lang, 1)
        label = f"{label} ({text.name('pct_of_target', pct=pct)})"
    layers.append(
        alt.Chart(alt.Data(values=[{"period_label": last["period_label"][0], "ytd": last["ytd"][0], "label": label}]))
        .mark_text(baseline="bottom", dy=-6, fontWeight=600, color=theme.PRIMARY, align="right", dx=20)
        .encode(x=x, y=alt.Y("ytd:Q", scale=yscale), text="label:N")
        .properties(name="last_value")
    )
    return _finish(alt.layer(*layers), text, size["height"], big_screen)


# --- Communes ------------------------------------------------------------------------------------------


def commune_bars(
    df: pl.DataFrame,
    labels: ChartText | Mapping[str, Any],
    *,
    reference: float | None = None,
    reference_kind: str = "mean",
    highlight: Iterable[str] = (),
    direction: str = "up",
    step: float = 15,
    most: int = 120,
) -> alt.TopLevelMixin:
    """Communes ranked, best first, as horizontal bars, with the province mean or total as a reference line.

    Columns: ``locality_code`` (str), ``name`` (str), ``value`` (float or
    null; null rows are left out); optional ``status`` (status code: bars
    take its colour and a legend). ``reference`` is the province figure,
    labelled as the mean (``reference_kind="mean"``) or total (``"total"``);
    ``highlight`` lists locality codes drawn in the accent colour. Best first
    means highest first unless ``direction`` is ``down``. Height grows with the
    number of bars (``step`` px each). Past ``most`` bars only the best and the
    worst ``most // 2`` are drawn (and the highlighted ones), and the subtitle says so:
    a country's 3,465 communes would make an unreadable chart, slow to build.
    """
    text = _text(labels)
    df = _frame(df, {"locality_code": pl.Utf8, "name": pl.Utf8, "value": pl.Float64, "status": pl.Utf8})
    df = df.filter(pl.col("value").is_not_null())
    if df.is_empty():
        return _empty(text)
    # names must be unique to serve as the axis: a repeated name gets its code
    dup = pl.col("name").is_duplicated() | pl.col("name").is_null()
    df = df.with_columns(
        pl.when(dup)
        .then(pl.coalesce(pl.col("name"), pl.lit("")) + pl.lit(" (") + pl.col("locality_code") + pl.lit(")"))
        .otherwise(pl.col("name"))
        .alias("name")
    )
    df = df.sort(["value", "name"], descending=[direction != "down", False], nulls_last=True)
    highlight = {str(c) for c in highlight}
    df = df.with_columns(pl.int_range(1, pl.len() + 1).alias("rank"))
    if df.height > most:
        shown, total = most // 2, df.height
        rank = pl.col("rank")
        df = df.filter((rank <= shown) | (rank > total - shown) | pl.col("locality_code").is_in(list(highlight)))
        cut = text.name("bars_cut", shown=text.num(shown), total=text.num(total))
        text = replace(text, subtitle=(*text.subtitle, cut))
    use_status = _has(df, "status")
    dec = numbers.series_decimals(df["value"].to_list())
    rows = df.with_columns(
        each(df, "value", lambda v: text.num(v, dec), "value_text"),
        each(df, "value", lambda v: text.value(v, dec), "value_unit"),
        each(df, "status", lambda s: text.status(s), "status_label"),
        pl.col("locality_code").is_in(list(highlight)).alias("highlight"),
    ).with_columns(
        pl.when(pl.col("highlight")).then(pl.lit(theme.ACCENT)).otherwise(pl.lit(theme.PRIMARY)).alias("fill")
    )
    order = rows["name"].to_list()
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=180, labelPadding=6))
    vals = _finite(rows["value"]) + ([float(reference)] if not numbers.is_missing(reference) else [])
    xscale = alt.Scale(domain=_y_domain(vals, zero=True), nice=False)
    x = alt.X("value:Q", title=text.x, scale=xscale, axis=alt.Axis(orient="bottom", grid=True, tickCount=8))
    tooltip = [
        alt.Tooltip("rank:Q", title=text.name("rank")),
        alt.Tooltip("name:N", title=text.name("commune")),
        alt.Tooltip("value_unit:N", title=text.name("value")),
    ]
    if use_status:
        codes = [c for c in CODES["status"] if c in set(rows["status"].drop_nulls().to_list())]
        color = alt.Color("status_label:N", scale=_status_scale(text, codes), legend=_legend())
        tooltip.append(alt.Tooltip("status_label:N", title=text.name("status")))
    else:
        color = alt.Color("fill:N", scale=None, legend=None)
    data = alt.Data(values=_rows(rows))
    bars = (
        alt.Chart(data)
        .mark_bar(height=alt.RelativeBandSize(0.72))
        .encode(
            x=x,
            y=y,
            color=color,
            stroke=alt.condition("datum.highlight", alt.value(theme.INK), alt.value(None)),
            strokeWidth=alt.condition("datum.highlight", alt.value(1.5), alt.value(0)),
            tooltip=tooltip,
        )
        .properties(name="bars")
    )
    label_size = theme.SIZES["screen"]["mark_text"] - 1
    pos = (
        alt.Chart(data)
        .transform_filter("datum.value >= 0")
        .mark_text(align="left", dx=4, fontSize=label_size, color=theme.MUTED)
        .encode(x=x, y=y, text="value_text:N")
    )
    neg = (
        alt.Chart(data)
        .transform_filter("datum.value < 0")
        .mark_text(align="right", dx=-4, fontSize=label_size, color=theme.MUTED)
        .encode(x=x, y=y, text="value_text:N")
    )
    layers = [bars, pos.properties(name="labels"), neg.properties(name="labels_negative")]
    if not numbers.is_missing(reference):
        key = "total" if reference_kind == "total" else "mean"
        # the province figure with its own decimals, as the page's figures write it
        written = text.value(reference, numbers.decimals(reference))
        ref = alt.Data(values=[{"value": float(reference), "label": text.name(key, value=written)}])
        layers.append(
            alt.Chart(ref)
            .mark_rule(color=theme.TARGET, strokeDash=[6, 4], strokeWidth=1.5)
            .encode(x=x)
            .properties(name="reference")
        )
        layers.append(
            alt.Chart(ref)
            .mark_text(align="left", baseline="bottom", dx=4, dy=-2, fontWeight=600, color=theme.TARGET)
            .encode(x=x, y=alt.value(0), text="label:N")
            .properties(name="reference_label")
        )
    height = max(120, step * rows.height)
    return _finish(alt.layer(*layers), text, height)


# --- Sparklines --------------------------------------------------------------------------------------------


def sparkline_values(
    df: pl.DataFrame | None, value: str = "value", period: str = "period", n: int | None = 12
) -> list[float]:
    """The last ``n`` values in period order, missing ones left out: for ``st.column_config.LineChartColumn``."""
    if df is None or df.is_empty() or value not in df.columns:
        return []
    frame = df.sort(period) if period in df.columns else df
    values = [float(v) for v in frame[value].to_list() if not numbers.is_missing(v)]
    return values[-n:] if n else values


def sparklines(
    df: pl.DataFrame, by: str = "indicator_code", value: str = "value", period: str = "period", n: int = 12
) -> pl.DataFrame:
    """One row per ``by`` with ``spark``: the list of its last ``n`` values in period order (for a table column)."""
    if df is None or df.is_empty():
        return pl.DataFrame(schema={by: pl.Utf8, "spark": pl.List(pl.Float64)})
    return (
        df.select(by, period, pl.col(value).cast(pl.Float64).fill_nan(None).alias("_v"))
        .filter(pl.col("_v").is_not_null())
        .sort(by, period)
        .group_by(by, maintain_order=True)
        .agg(pl.col("_v").tail(n).alias("spark"))
    )


# --- Status counts by group ---------------------------------------------------------------------------------


def status_by_group_chart(
    df: pl.DataFrame, labels: ChartText | Mapping[str, Any], *, big_screen: bool = False
) -> alt.TopLevelMixin:
    """How many indicators of each group are on track, at risk, off track, late or without data.

    Columns: ``group`` (group code), ``status`` (status code), ``count`` (int);
    optional ``group_label`` (str; the catalogue's group name otherwise). The
    wide frame of ``evaluation.status_counts`` (``group`` and one count column
    per status) is accepted as it is.
    Groups run in the contract's order; each segment is labelled with its count.
    """
    text = _text(labels)
    if df is not None and "status" not in df.columns and "group" in df.columns:
        wide = [c for c in df.columns if c in CODES["status"]]
        if wide:  # evaluation.status_counts: one column per status
            df = df.unpivot(index=["group", *[c for c in ("group_label",) if c in df.columns]], on=wide)
            df = df.rename({"variable": "status", "value": "count"})
    df = _frame(df, {"group": pl.Utf8, "group_label": pl.Utf8, "status": pl.Utf8, "count": pl.Int64})
    df = df.filter(pl.col("count").fill_null(0) > 0)
    if df.is_empty():
        return _empty(text, 200, big_screen)
    df = df.with_columns(
        pl.coalesce(pl.col("group_label"), each(df, "group", lambda g: text.name(f"group.{g}"))).alias("group_label")
    )
    group_rank = {g: i for i, g in enumerate(CODES["group"])}
    status_rank = {s: i for i, s in enumerate(CODES["status"])}
    df = df.group_by("group", "group_label", "status").agg(pl.col("count").sum())
    df = df.with_columns(
        pl.col("group").replace_strict(group_rank, default=len(group_rank)).alias("_g"),
        pl.col("status").replace_strict(status_rank, default=len(status_rank)).alias("_s"),
    ).sort("_g", "_s", "status")
    # stack in Python: deterministic segments, and the count labels sit in their middle
    df = df.with_columns(pl.col("count").cum_sum().over("group").alias("x1")).with_columns(
        (pl.col("x1") - pl.col("count")).alias("x0"),
        pl.col("count").sum().over("group").alias("total"),
        each(df, "status", lambda s: text.status(s), "status_label"),
    )
    df = df.with_columns(((pl.col("x0") + pl.col("x1")) / 2).alias("mid"))
    groups = df.unique(subset="group", maintain_order=True)["group_label"].to_list()
    codes = [c for c in CODES["status"] if c in set(df["status"].to_list())]
    codes += sorted(set(df["status"].to_list()) - set(codes))
    colors = [theme.STATUS_COLORS.get(c, theme.SERIES[i % len(theme.SERIES)]) for i, c in enumerate(codes)]
    scale = alt.Scale(domain=[text.status(c) for c in codes], range=colors)
    y = alt.Y("group_label:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("group_label:N", title=text.name("group")),
        alt.Tooltip("status_label:N", title=text.name("status")),
        alt.Tooltip("count:Q", title=text.name("count")),
    ]
    data = alt.Data(values=_rows(df.drop("_g", "_s")))
    xmax = float(df["total"].max())
    x = alt.X("x0:Q", title=text.x if text.x is not None else text.name("count"), scale=alt.Scale(domain=[0, xmax]))
    bars = (
        alt.Chart(data)
        .mark_bar(height=alt.RelativeBandSize(0.62), stroke="white", strokeWidth=1)
        .encode(
            x=x,
            x2="x1:Q",
            y=y,
            color=alt.Color("status_label:N", scale=scale, legend=_legend(), sort=[text.status(c) for c in codes]),
            tooltip=tooltip,
        )
        .properties(name="bars")
    )
    counts = (
        alt.Chart(data)
        .mark_text(color="white", fontWeight=600)
        .encode(x=alt.X("mid:Q", scale=alt.Scale(domain=[0, xmax])), y=y, text="count:Q")
        .transform_filter(f"datum.count >= {max(1, xmax / 25):.3f}")  # no label on a sliver
        .properties(name="counts")
    )
    height = max(160, 46 * len(groups)) * (1.6 if big_screen else 1)
    return _finish(alt.layer(bars, counts), text, height, big_screen)


# --- A group's indicators against their plan ------------------------------------------------------------------

PLAN_CAP = 150.0  # % of plan: a longer bar is cut at the edge, its label still says how far


def plan_bars(df: pl.DataFrame, labels: ChartText | Mapping[str, Any]) -> alt.TopLevelMixin:
    """Each indicator's % of its plan to date, as a horizontal bar in its status' colour, with a rule at 100 %.

    Columns: ``name`` (str, unique), ``pct`` (float: % of the plan to date; rows without one are left out and
    counted in the subtitle), ``pct_text`` (how the figure is written, ``127,6 %``), ``status`` (status code).
    Rows keep their order. A bar past ``PLAN_CAP`` stops at the edge. About 26 px a row: a group fits an A4 page.
    """
    text = _text(labels)
    df = _frame(df, {"name": pl.Utf8, "pct": pl.Float64, "pct_text": pl.Utf8, "status": pl.Utf8})
    without = df.filter(pl.col("pct").is_null()).height
    df = df.filter(pl.col("pct").is_not_null())
    if without:
        text = replace(text, subtitle=(*text.subtitle, text.name("plan_left_out", n=text.num(without, 0))))
    if df.is_empty():
        return _empty(text)
    top = min(PLAN_CAP, max(110.0, math.ceil(float(df["pct"].max()) / 10) * 10))
    rows = df.with_columns(
        pl.col("pct").clip(0, top).alias("bar"),
        each(df, "status", lambda s: text.status(s), "status_label"),
    )
    order = rows["name"].to_list()
    codes = [c for c in CODES["status"] if c in set(rows["status"].drop_nulls().to_list())]
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=250, labelPadding=6))
    x = alt.X(
        "bar:Q",
        title=text.x if text.x is not None else text.name("pct_of_plan"),
        scale=alt.Scale(domain=[0, top]),
        axis=alt.Axis(values=list(range(0, int(top) + 1, 20))),  # 100 always among them; 110 and 120 never touch
    )
    data = alt.Data(values=_rows(rows))
    tooltip = [
        alt.Tooltip("name:N", title=text.name("indicator")),
        alt.Tooltip("pct_text:N", title=text.name("pct_of_plan")),
        alt.Tooltip("status_label:N", title=text.name("status")),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(height=alt.RelativeBandSize(0.66))
        .encode(x=x, y=y, color=alt.Color("status_label:N", scale=_status_scale(text, codes),
                                          legend=_legend(columns=2 if len(codes) > 3 else 0)),  # fits a 640 px chart
                tooltip=tooltip)
        .properties(name="bars")
    )  # fmt: skip
    values = (
        alt.Chart(data)
        .mark_text(align="left", dx=4, color=theme.INK, fontSize=theme.SIZES["screen"]["mark_text"] - 1)
        .encode(x=x, y=y, text="pct_text:N")
        .properties(name="labels")
    )
    plan = (
        alt.Chart(alt.Data(values=[{"bar": 100.0}]))
        .mark_rule(color=theme.TARGET, strokeDash=[6, 4], strokeWidth=1.5)
        .encode(x=x)
        .properties(name="plan")
    )
    return _finish(alt.layer(bars, plan, values), text, 26 * rows.height)


# --- Composite contributions ----------------------------------------------------------------------------------


def composite_contributions_chart(
    df: pl.DataFrame, labels: ChartText | Mapping[str, Any], *, big_screen: bool = False
) -> alt.TopLevelMixin:
    """What each component adds to a composite score, largest first, against the most it could add.

    Columns: ``component`` (code; or ``component_code``), ``component_label``
    (str), ``contribution`` (float: points added to the score, weight ×
    normalised score); optional ``max_contribution`` (float: the points at a
    perfect component score, drawn as a pale bar behind; without it, a
    ``weight`` column gives ``100 × weight ÷ Σ weight``, for scores on 0–100 as
    in ``evaluation.composite_contributions``) and ``score`` (float: tooltip).
    Pass one composite and one period.
    """
    text = _text(labels)
    if df is not None and "component" not in df.columns and "component_code" in df.columns:
        df = df.rename({"component_code": "component"})  # evaluation.composite_contributions
    if df is not None and "weight" in df.columns and "max_contribution" not in df.columns:
        total = df["weight"].cast(pl.Float64).sum()
        if total:
            df = df.with_columns((pl.col("weight").cast(pl.Float64) / total * 100).alias("max_contribution"))
    df = _frame(
        df,
        {
            "component": pl.Utf8,
            "component_label": pl.Utf8,
            "contribution": pl.Float64,
            "max_contribution": pl.Float64,
            "score": pl.Float64,
        },
    )
    df = df.filter(pl.col("contribution").is_not_null())
    if df.is_empty():
        return _empty(text, big_screen=big_screen)
    df = df.with_columns(pl.coalesce(pl.col("component_label"), pl.col("component")).alias("component_label"))
    df = df.sort(["contribution", "component_label"], descending=[True, False])
    has_max = df["max_contribution"].null_count() < df.height
    dec = numbers.series_decimals(_finite(df["contribution"]))
    rows = df.with_columns(
        each(df, "contribution", lambda v: text.num(v, dec), "contribution_text"),
        each(df, "max_contribution", lambda v: text.num(v), "max_text"),
        each(df, "score", lambda v: text.num(v), "score_text"),
    ).with_columns(
        pl.when(pl.col("max_contribution").is_not_null())
        .then(pl.col("contribution_text") + pl.lit(" / ") + pl.col("max_text"))
        .otherwise(pl.col("contribution_text"))
        .alias("label")
    )
    order = rows["component_label"].to_list()
    vals = _finite(rows["contribution"]) + _finite(rows["max_contribution"])
    scale = alt.Scale(domain=_y_domain(vals, zero=True), nice=False)
    y = alt.Y("component_label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("component_label:N", title=text.name("components")),
        alt.Tooltip("contribution_text:N", title=text.name("contribution")),
    ]
    if has_max:
        tooltip.append(alt.Tooltip("max_text:N", title=text.name("max_contribution")))
    if _has(df, "score"):
        tooltip.append(alt.Tooltip("score_text:N", title=text.name("score")))
    data = alt.Data(values=_rows(rows))
    layers = []
    if has_max:
        layers.append(
            alt.Chart(data)
            .mark_bar(color=theme.GRID, height=alt.RelativeBandSize(0.62))
            .encode(x=alt.X("max_contribution:Q", scale=scale), y=y, tooltip=tooltip)
            .properties(name="max")
        )
    layers.append(
        alt.Chart(data)
        .mark_bar(color=theme.PRIMARY, height=alt.RelativeBandSize(0.62))
        .encode(
            x=alt.X("contribution:Q", scale=scale, title=text.x if text.x is not None else text.name("contribution")),
            y=y,
            tooltip=tooltip,
        )
        .properties(name="contribution")
    )
    end = "max(datum.contribution, datum.max_contribution || 0)" if has_max else "datum.contribution"
    layers.append(
        alt.Chart(data)
        .transform_calculate(end=end)
        .mark_text(align="left", dx=5, color=theme.INK)
        .encode(x=alt.X("end:Q", scale=scale), y=y, text="label:N")
        .properties(name="labels")
    )
    height = max(140, (56 if big_screen else 30) * rows.height)
    return _finish(alt.layer(*layers), text, height, big_screen)


# --- Timeliness --------------------------------------------------------------------------------------------


def timeliness_heatmap(df: pl.DataFrame, labels: ChartText | Mapping[str, Any]) -> alt.TopLevelMixin:
    """Departments × periods: was the data on time, late, missing, or not yet due.

    Columns: ``department`` (code), ``department_label`` (str), ``period``
    (str), ``period_label`` (str), ``status`` (``on_time`` ``late``
    ``missing`` ``not_due``); optional ``cell_text`` (str written in the cell,
    e.g. ``3/4`` received of expected). Departments in Vietnamese order.
    The counts of ``evaluation.timeliness_by_department`` are accepted too
    (see ``rules.timeliness.verdicts``).
    """
    text = _text(labels)
    if df is not None and "status" not in df.columns and {"expected", "received", "on_time"} <= set(df.columns):
        df = timeliness.verdicts(df)
    df = _frame(
        df,
        {
            "department": pl.Utf8,
            "department_label": pl.Utf8,
            "period": pl.Utf8,
            "period_label": pl.Utf8,
            "status": pl.Utf8,
            "cell_text": pl.Utf8,
        },
    )
    df = _with_labels(df.filter(pl.col("period").is_not_null() & pl.col("status").is_not_null()), text.lang)
    if df.is_empty():
        return _empty(text)
    df = df.with_columns(pl.coalesce(pl.col("department_label"), pl.col("department")).alias("department_label"))
    periods = _period_order(df)
    departments = sorted(set(df["department_label"].to_list()), key=vi_sort_key)
    codes = [c for c in CODES["timeliness"] if c in set(df["status"].to_list())]
    extra = sorted(set(df["status"].to_list()) - set(codes))
    names = {c: text.name(f"timeliness.{c}") for c in codes + extra}
    rows = df.with_columns(pl.col("status").replace_strict(names, default=pl.col("status")).alias("status_label"))
    colors = [theme.TIMELINESS_COLORS.get(c, theme.STATUS_COLORS["no_data"]) for c in codes + extra]
    x = alt.X(
        "period_label:N", sort=periods, title=text.x, axis=alt.Axis(labelAngle=0, orient="top", labelOverlap="parity")
    )
    y = alt.Y("department_label:N", sort=departments, title=None, axis=alt.Axis(labelLimit=240))
    tooltip = [
        alt.Tooltip("department_label:N", title=text.name("department")),
        alt.Tooltip("period_label:N", title=text.name("period")),
        alt.Tooltip("status_label:N", title=text.name("status")),
    ]
    if _has(df, "cell_text"):
        tooltip.append(alt.Tooltip("cell_text:N", title=text.name("received")))
    data = alt.Data(values=_rows(rows))
    cells = (
        alt.Chart(data)
        .mark_rect(stroke="white", strokeWidth=2, cornerRadius=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "status_label:N",
                scale=alt.Scale(domain=[names[c] for c in codes + extra], range=colors),
                legend=_legend(),
            ),
            tooltip=tooltip,
        )
        .properties(name="cells")
    )
    layers = [cells]
    if _has(df, "cell_text"):
        layers.append(
            alt.Chart(data)
            .transform_filter("datum.cell_text != null")
            .mark_text(fontSize=theme.SIZES["screen"]["mark_text"] - 1)
            .encode(
                x=x,
                y=y,
                text="cell_text:N",
                color=alt.condition(
                    alt.FieldOneOfPredicate("status", ["not_due", "late"]), alt.value(theme.INK), alt.value("white")
                ),
            )
            .properties(name="cell_text")
        )
    height = max(120, 28 * len(departments))
    return _finish(alt.layer(*layers), text, height)


# --- Explorer -------------------------------------------------------------------------------------------------


def explorer_chart(
    df: pl.DataFrame, labels: ChartText | Mapping[str, Any], *, by: str = "period", max_series: int = 12
) -> alt.TopLevelMixin:
    """The analyst's selection: lines over periods, or bars by commune.

    ``by="period"`` columns: ``series`` (str: the line's name, e.g. an
    indicator or a commune), ``period`` (str), ``period_label`` (str),
    ``value`` (float). ``by="commune"`` columns: ``name`` (str), ``value``
    (float), optional ``series`` (str; several series give grouped bars).
    Only the first ``max_series`` series (by name order) are drawn, to keep the
    chart legible; the table shows the rest.
    """
    text = _text(labels)
    size = theme.SIZES["screen"]
    if by == "commune":
        df = _frame(df, {"series": pl.Utf8, "name": pl.Utf8, "value": pl.Float64})
    else:
        df = _frame(df, {"series": pl.Utf8, "period": pl.Utf8, "period_label": pl.Utf8, "value": pl.Float64})
        df = _with_labels(df.filter(pl.col("period").is_not_null()), text.lang)
    df = df.filter(pl.col("value").is_not_null()).with_columns(pl.col("series").fill_null(text.name("value")))
    if df.is_empty():
        return _empty(text)
    series = sorted(set(df["series"].to_list()), key=vi_sort_key)[:max_series]
    df = df.filter(pl.col("series").is_in(series))
    dec = numbers.series_decimals(df["value"].to_list())
    rows = df.with_columns(each(df, "value", lambda v: text.value(v, dec), "value_text"))
    many = len(series) > 1
    color = (
        alt.Color("series:N", sort=series, title=None, legend=_legend(columns=3, labelLimit=360) if many else None)
        if many
        else alt.value(theme.PRIMARY)
    )
    data = alt.Data(values=_rows(rows))
    if by == "commune":
        totals = rows.group_by("name").agg(pl.col("value").mean()).sort(["value", "name"], descending=[True, False])
        order = totals["name"].to_list()
        tooltip = [
            alt.Tooltip("name:N", title=text.name("commune")),
            alt.Tooltip("series:N", title=text.name("indicator")),
            alt.Tooltip("value_text:N", title=text.name("value")),
        ]
        enc: dict[str, Any] = {
            "y": alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=180)),
            "x": alt.X("value:Q", title=text.x if text.x is not None else text.y),
            "color": color,
            "tooltip": tooltip,
        }
        if many:
            enc["yOffset"] = alt.YOffset("series:N", sort=series)
        chart = alt.Chart(data).mark_bar().encode(**enc).properties(name="bars")
        height = max(140, 15 * len(order) * (len(series) if many else 1))
        return _finish(chart, text, height)
    order = _period_order(df)
    tooltip = [
        alt.Tooltip("series:N", title=text.name("indicator")),
        alt.Tooltip("period_label:N", title=text.name("period")),
        alt.Tooltip("value_text:N", title=text.name("value")),
    ]
    chart = (
        alt.Chart(data)
        .mark_line(strokeWidth=size["stroke"], point=alt.OverlayMarkDef(size=size["point"], filled=True))
        .encode(
            x=alt.X("period_label:N", sort=order, title=text.x, axis=alt.Axis(labelAngle=0, labelOverlap="parity")),
            y=alt.Y("value:Q", title=text.y, scale=alt.Scale(zero=False)),
            color=color,
            detail="series:N",
            tooltip=tooltip,
        )
        .properties(name="lines")
    )
    return _finish(chart, text, size["height"])
