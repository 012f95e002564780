"""The catalogue page's logic: search without diacritics, filters, Vietnamese order, coverage, stages.

Pure functions over polars frames (no Streamlit calls), in the reader's language. The download keeps
the field names of CONTRACT §1 (plus ``thresholds``, as ``python -m loaders export catalogue`` writes it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import altair as alt
import polars as pl

from dashboard import charts, figures, numbers, theme
from dashboard.i18n import CODES, label, localized, t, vi_sort_key
from dashboard.links import href
from dashboard.tables import Table, right_aligned
from dashboard.views.indicator import fit_width, search
from dashboard.views.indicator_card import valid_range_text
from schema.models import CONTRACT_FIELDS

MISSING = numbers.MISSING

GROUPS = CODES["group"]
STAGES = CODES["stage"]
SORTS = ("name", "code", "group")


# --------------------------------------------------------------------------- filters and order


def filter_catalogue(
    catalogue: pl.DataFrame,
    query: str | None = None,
    groups: Sequence[str] = (),
    fields: Sequence[str] = (),
    owners: Sequence[str] = (),
    stages: Sequence[str] = (),
) -> pl.DataFrame:
    """Indicators matching the search (code or name, diacritics ignored) and every non-empty filter."""
    out = search(catalogue, query)
    for column, wanted in (("group", groups), ("field", fields), ("owner", owners), ("stage", stages)):
        if wanted:
            out = out.filter(pl.col(column).is_in(list(wanted)))
    return out


def sort_catalogue(catalogue: pl.DataFrame, sort: str, lang: str) -> pl.DataFrame:
    """By name in Vietnamese order (a ă â b c d đ e ê …, then tones), by code, or by group then name."""
    if sort == "code":
        return catalogue.sort("position", "code")
    names = [localized(r, "name", lang) for r in catalogue.select("code", "name_vi", "name_en").iter_rows(named=True)]
    keys = sorted(range(len(names)), key=lambda i: vi_sort_key(names[i]))
    if sort == "group":
        group_rank = {g: i for i, g in enumerate(GROUPS)}
        groups = catalogue.get_column("group").to_list()
        keys = sorted(keys, key=lambda i: group_rank.get(groups[i], len(group_rank)))  # stable: names stay in order
    return catalogue[keys]


def field_options(catalogue: pl.DataFrame, lang: str) -> dict[str, str]:
    """Field code -> its name, in Vietnamese order of the names."""
    codes = catalogue.get_column("field").unique().to_list()
    return {c: label("field", c, lang) for c in sorted(codes, key=lambda c: vi_sort_key(label("field", c, lang)))}


def owner_options(catalogue: pl.DataFrame, lang: str) -> dict[str, str]:
    """Owner (department) code -> its name, for the departments that own an indicator, in Vietnamese order."""
    rows = catalogue.select("owner", "owner_name_vi", "owner_name_en").unique("owner").iter_rows(named=True)
    names = {r["owner"]: localized(r, "owner_name", lang, "owner") for r in rows}
    return dict(sorted(names.items(), key=lambda item: vi_sort_key(item[1])))


# --------------------------------------------------------------------------- the table and its download


def targets_text(targets: Iterable[dict[str, Any]] | None, lang: str) -> str:
    """``2025: 56.834 · 2026: 62.000``."""
    items = sorted(targets or [], key=lambda x: x["year"])
    dec = numbers.decimals([i["value"] for i in items])
    return " · ".join(f"{i['year']}: {numbers.fmt_number(i['value'], lang, dec)}" for i in items) or MISSING


def catalogue_table(catalogue: pl.DataFrame, lang: str) -> Table:
    """Every attribute, readable, one row per indicator (order kept); the download is the contract's fields."""
    keys = [
        ("link", "ui.open"),
        ("code", "ui.code"),
        ("name", "ui.name"),
        ("group", "ui.group"),
        ("field", "ui.field"),
        ("owner", "ui.owner"),
        ("stage", "ui.stage"),
        ("source", "ui.source"),
        ("unit", "ui.unit"),
        ("frequency", "ui.frequency"),
        ("value_type", "ui.value_type"),
        ("level", "ui.level"),
        ("aggregation", "ui.aggregation"),
        ("direction", "ui.direction"),
        ("valid_range", "ui.valid_range"),
        ("targets", "catalogue.targets"),
        ("deadline", "ui.deadline_days"),
        ("central_code", "ui.central_code"),
        ("components", "ui.components"),
    ]
    cols = {k: t(key, lang) for k, key in keys}
    rows = []
    for r in catalogue.iter_rows(named=True):
        parts = " · ".join(f"{c['code']} ({numbers.fmt_number(c['weight'], lang)})" for c in r["components"] or [])
        rows.append(
            {
                cols["link"]: href("indicator", lang, code=r["code"]),
                cols["code"]: r["code"],
                cols["name"]: localized(r, "name", lang),
                cols["group"]: label("group", r["group"], lang),
                cols["field"]: label("field", r["field"], lang),
                cols["owner"]: localized(r, "owner_name", lang, "owner"),
                cols["stage"]: f"{STAGES.index(r['stage']) + 1}. {label('stage', r['stage'], lang)}"
                if r["stage"] in STAGES
                else str(r["stage"]),
                cols["source"]: figures.source(r, lang) or MISSING,
                cols["unit"]: figures.unit(r, lang),
                cols["frequency"]: label("frequency", r["frequency"], lang),
                cols["value_type"]: label("value_type", r["value_type"], lang),
                cols["level"]: label("level", r["level"], lang),
                cols["aggregation"]: label("aggregation", r["aggregation"], lang),
                cols["direction"]: label("direction", r["direction"], lang),
                cols["valid_range"]: valid_range_text(r["valid_min"], r["valid_max"], None, lang),
                cols["targets"]: targets_text(r["targets"], lang),
                cols["deadline"]: str(r["deadline_days"]),
                cols["central_code"]: r["central_code"] or "",
                cols["components"]: parts,
            }
        )
    display = pl.DataFrame(rows, schema={c: pl.String for c in cols.values()}, orient="row")
    config = right_aligned(cols["deadline"]) | {cols["name"]: {"width": "large"}}
    return Table(display, contract_frame(catalogue), config, (cols["link"],))


def contract_frame(catalogue: pl.DataFrame) -> pl.DataFrame:
    """The catalogue with the field names of CONTRACT §1 (+ thresholds), nested fields as JSON text.

    ``targets`` is ``{"2025": 56834.0, ...}``, ``components`` ``[{"code": ..., "weight": ...}]`` and
    ``thresholds`` ``{"on_track": 100.0, "at_risk": 90.0}``: the form of ``loaders export catalogue`` in CSV/XLSX.
    """

    def as_json(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    records = []
    for r in catalogue.iter_rows(named=True):
        record = {f: r.get(f) for f in CONTRACT_FIELDS if f not in ("targets", "components", "thresholds")}
        record["targets"] = as_json(
            {str(i["year"]): i["value"] for i in sorted(r["targets"] or [], key=lambda x: x["year"])}
        )
        record["components"] = as_json([{"code": c["code"], "weight": c["weight"]} for c in r["components"] or []])
        record["thresholds"] = as_json({"on_track": r["on_track_pct"], "at_risk": r["at_risk_pct"]})
        records.append({f: record[f] for f in CONTRACT_FIELDS})
    schema = {f: pl.String for f in CONTRACT_FIELDS} | {
        "valid_min": pl.Float64,
        "valid_max": pl.Float64,
        "deadline_days": pl.Int64,
    }
    return pl.DataFrame(records, schema=schema, orient="row")


# --------------------------------------------------------------------------- coverage of the five groups


def coverage(catalogue: pl.DataFrame, gaps: pl.DataFrame) -> pl.DataFrame:
    """Per group: indicators, with data, with a target this year, with a named source, connected and operating.

    ``gaps`` is evaluation.catalogue_gaps (the indicators with a gap). Every group is present.
    Columns: group, indicators, with_data, with_target, with_source, operating.
    """
    flags = catalogue.select("code", "group", "stage").join(
        gaps.select("code", "no_data", "no_target", "no_source"), on="code", how="left"
    )
    flags = flags.with_columns(pl.col("no_data", "no_target", "no_source").fill_null(False))
    counts = flags.group_by("group").agg(
        pl.len().cast(pl.Int64).alias("indicators"),
        (~pl.col("no_data")).sum().cast(pl.Int64).alias("with_data"),
        (~pl.col("no_target")).sum().cast(pl.Int64).alias("with_target"),
        (~pl.col("no_source")).sum().cast(pl.Int64).alias("with_source"),
        (pl.col("stage") == "operating").sum().cast(pl.Int64).alias("operating"),
    )
    return pl.DataFrame({"group": list(GROUPS)}).join(counts, on="group", how="left").fill_null(0)


def coverage_table(cover: pl.DataFrame, year: int, lang: str) -> Table:
    cols = {
        "group": t("ui.group", lang),
        "indicators": t("ui.indicators", lang),
        "with_data": t("catalogue.with_data", lang),
        "with_target": t("catalogue.with_target", lang, year=year),
        "with_source": t("catalogue.with_source", lang),
        "operating": label("stage", "operating", lang),
    }
    total = cover.select(pl.exclude("group").sum()).row(0, named=True)
    rows = [*cover.iter_rows(named=True), {"group": None, **total}]

    def share(n: int, of: int) -> str:
        return f"{n} ({numbers.fmt_percent(n / of * 100, lang, 0)})" if of else str(n)

    display = pl.DataFrame(
        [
            {
                cols["group"]: label("group", r["group"], lang) if r["group"] else t("catalogue.total", lang),
                cols["indicators"]: str(r["indicators"]),
                **{
                    cols[k]: share(r[k], r["indicators"])
                    for k in ("with_data", "with_target", "with_source", "operating")
                },
            }
            for r in rows
        ],
        schema={c: pl.String for c in cols.values()},
        orient="row",
    )
    download = pl.DataFrame(rows).select(
        pl.col("group").fill_null("total").alias(cols["group"]),
        *[pl.col(k).alias(v) for k, v in cols.items() if k != "group"],
    )
    return Table(display, download, right_aligned(*[v for k, v in cols.items() if k != "group"]))


def group_counts(catalogue: pl.DataFrame) -> dict[str, int]:
    """Indicators per group, every group present, in the contract's order."""
    got = dict(catalogue.group_by("group").len().iter_rows())
    return {g: int(got.get(g, 0)) for g in GROUPS}


# --------------------------------------------------------------------------- the six-step process


def stage_matrix(catalogue: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Departments × stages: how many of its indicators stand at each step (every department that owns one).

    Long form, every (department, stage) pair present. Columns: owner, department (name), stage, step (1-6),
    count.
    """
    owners = owner_options(catalogue, lang)
    counts = dict(((o, s), n) for o, s, n in catalogue.group_by("owner", "stage").len().iter_rows())
    rows = [
        {"owner": o, "department": name, "stage": s, "step": i + 1, "count": int(counts.get((o, s), 0))}
        for o, name in owners.items()
        for i, s in enumerate(STAGES)
    ]
    schema = {"owner": pl.String, "department": pl.String, "stage": pl.String, "step": pl.Int64, "count": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def stage_totals(catalogue: pl.DataFrame) -> dict[str, int]:
    got = dict(catalogue.group_by("stage").len().iter_rows())
    return {s: int(got.get(s, 0)) for s in STAGES}


def stage_table(matrix: pl.DataFrame, lang: str) -> Table:
    """The matrix wide: one row per department, one column per step, and the total."""
    headings = {s: f"{i + 1}. {label('stage', s, lang)}" for i, s in enumerate(STAGES)}
    department = t("ui.department", lang)
    total = t("catalogue.total", lang)
    wide = (
        matrix.pivot(on="stage", index=["owner", "department"], values="count")
        .select("owner", "department", *STAGES)
        .with_columns(pl.sum_horizontal(*STAGES).alias("total"))
        .rename({"department": department, "total": total, **headings})
    )
    download = wide.rename({"owner": t("ui.code", lang)})
    display = wide.drop("owner").with_columns(
        [pl.col(h).cast(pl.String).replace("0", "") for h in [*headings.values(), total]]
    )
    return Table(display, download, right_aligned(*headings.values(), total))


def stage_heatmap(matrix: pl.DataFrame, lang: str, as_of: date, demo: bool) -> alt.TopLevelMixin:
    """Departments (rows, Vietnamese order) × the six steps (columns), shaded by how many indicators stand there."""
    labels = charts.chart_text(t("catalogue.stages_title", lang), lang, as_of=as_of, demo=demo)
    steps = [f"{i + 1}. {label('stage', s, lang)}" for i, s in enumerate(STAGES)]
    axis_text = {step: two_lines(step) for step in steps}
    departments = sorted(set(matrix.get_column("department").to_list()), key=vi_sort_key)
    rows = matrix.with_columns(
        pl.col("stage").replace_strict({s: steps[i] for i, s in enumerate(STAGES)}).alias("step_label"),
        pl.col("stage").replace_strict({s: axis_text[steps[i]] for i, s in enumerate(STAGES)}).alias("step_axis"),
        pl.when(pl.col("count") > 0).then(pl.col("count").cast(pl.String)).otherwise(pl.lit("")).alias("text"),
    ).to_dicts()
    top = max([r["count"] for r in rows] or [1])
    # long step names on two lines ('|' marks the break), so that six columns fit any width
    axis = alt.Axis(orient="bottom", labelAngle=0, labelLimit=200, labelExpr="split(datum.label, '|')", labelPadding=6)
    x = alt.X("step_axis:N", sort=[axis_text[s] for s in steps], title=None, axis=axis)
    y = alt.Y("department:N", sort=departments, title=None, axis=alt.Axis(labelLimit=280))
    tooltip = [
        alt.Tooltip("department:N", title=t("ui.department", lang)),
        alt.Tooltip("step_label:N", title=t("ui.stage", lang)),
        alt.Tooltip("count:Q", title=t("ui.indicators", lang)),
    ]
    base = alt.Chart(alt.Data(values=rows))
    cells = base.mark_rect(stroke="white", strokeWidth=2, cornerRadius=2).encode(
        x=x,
        y=y,
        color=alt.condition(
            "datum.count > 0",
            alt.Color(
                "count:Q",
                scale=alt.Scale(domain=[0, top], range=["#e3edf8", theme.PRIMARY]),
                legend=None,
            ),
            alt.value("#f4f5f7"),
        ),
        tooltip=tooltip,
    )
    text = base.mark_text(fontWeight=600).encode(
        x=x,
        y=y,
        text="text:N",
        color=alt.condition(f"datum.count > {top / 2}", alt.value("white"), alt.value(theme.INK)),
    )
    chart = alt.layer(cells.properties(name="cells"), text.properties(name="counts")).properties(
        title=alt.TitleParams(text=labels.title, subtitle=list(labels.subtitle)),
        width="container",
        height=max(160, 30 * len(departments)),
    )
    return fit_width(chart.configure(locale=numbers.vega_locale(lang)))


def two_lines(text: str) -> str:
    """``6. Kết nối, vận hành`` -> ``6. Kết nối,|vận hành``: the words split in two lines of about equal length."""
    words = text.split()
    if len(words) < 3 or len(text) <= 18:
        return text
    best = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return " ".join(words[:best]) + "|" + " ".join(words[best:])


def counts_caption(shown: int, total: int, lang: str) -> str:
    if shown == total:
        return t("catalogue.count_all", lang, n=total)
    return t("catalogue.count_some", lang, n=shown, total=total)
