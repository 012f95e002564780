"""What a report says, as text: gathered once from the rules and ``dashboard.figures``, then laid out by the writers.

Every figure and sentence is the pages' own: the rows are ``rules.evaluate.latest`` over the store (cut to the
report's period by ``rules.reporting``), each written by ``dashboard.figures.of``; the headline sentences are the
overview's (``dashboard.views.group.summary_sentences``); the charts are the indicator page's (DOCX, PDF) and the
slide's (PPTX) builders, rendered to PNG by ``dashboard.export`` as the pages' downloads are. The date of the data
is ``Store.as_of``, as on every page.

Charts cost about a second each on this machine, so they are drawn for the key indicators only: the warnings
(``rules.tally.warnings``: off track, late, worsening), most urgent first, at most ``KEY_CHARTS`` (the report
says so).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from dashboard import export, figures, numbers
from dashboard.charts import Stamp
from dashboard.i18n import label, localized, normalize_lang, t
from dashboard.views import explanations as explained
from dashboard.views import indicator as indicator_view
from dashboard.views import present
from dashboard.views.group import summary_sentences
from db import queries
from rules import calendar, evaluate, reporting, tally
from rules import explanations as requests_rule
from rules.calendar import Period

KEY_CHARTS = 8  # charts drawn per report (PNG rendering is the slow part)
PAGE_CHART_WIDTH = 900  # CSS px, as the pages' PNG downloads
PAGE_CHART_SCALE = 2.0  # 1,800 px across the 16 cm text width: about 290 dpi
SLIDE_CHART_WIDTH = 1000
SLIDE_CHART_SCALE = 1.5
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def tie(text: str) -> str:
    """A percent sign never starts a line in print: the space before it becomes a no-break space."""
    return text.replace(" %", "\u00a0%")


class UnknownScope(ValueError):
    """A group or department the report cannot be written for."""


@dataclass(frozen=True)
class Line:
    """One indicator in a group table: the group page's figures, as text."""

    code: str
    name: str
    period: str
    value: str
    pct_of_plan: str
    vs_last_year: str
    status_code: str
    status: str
    owner: str


@dataclass(frozen=True)
class Group:
    """One group's section: its heading, its sentences and its table."""

    code: str
    heading: str
    sentences: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Explanation:
    """One request and its answer, as the report prints it."""

    id: int
    code: str
    head: str  # indicator (period) – department
    asked: str  # asked on, due, the note
    answer: str  # the answer with its date, or "not answered yet (overdue)"
    state: str  # open | overdue | answered


@dataclass(frozen=True)
class Indicator:
    """One indicator as the slide and the key-indicator section show it."""

    code: str
    name: str
    subtitle: str  # code · owner · frequency
    period: str
    number: str  # the big figure
    unit: str  # its unit, apart ("" when inside the number)
    status_code: str
    status: str
    facts: tuple[tuple[str, str], ...]
    sentence: str
    owner: str
    chart: bytes | None = None  # PNG
    explanations: tuple[Explanation, ...] = ()
    key: bool = False  # one of the warnings
    slide_line: str = ""  # the explanation asked for its period, as the slide says it (``/present``)
    points: tuple[tuple[str, float | None], ...] = ()  # the slide chart's values (period label, value)
    mark: str = "line"  # bar for a flow's own amounts, as on the slide


@dataclass(frozen=True)
class Report:
    """Everything a report says, in one language."""

    lang: str
    today: date
    period: Period
    judged_on: date
    as_of: date | None
    demo: bool
    org: tuple[str, str]
    nation: str
    motto: str
    number: str
    place_date: str
    kind: str
    subject: str
    demo_note: str
    intro: str
    headline: tuple[str, ...]
    group_lines: tuple[str, ...]
    groups: tuple[Group, ...]
    keys: tuple[Indicator, ...]  # the warnings, most urgent first (charts for the first KEY_CHARTS)
    keys_note: str
    slides: tuple[Indicator, ...]  # every indicator in scope, catalogue order (the deck)
    explanations_summary: str
    explanations: tuple[Explanation, ...]
    closing: str
    recipients: tuple[str, ...]
    signature: tuple[str, str, str]
    footer: str
    table_note: str
    headers: dict[str, str] = field(default_factory=dict)

    def t(self, key: str, **fmt: Any) -> str:
        return t(key, self.lang, **fmt)


def period_words(period: Period, lang: str) -> str:
    """The period as a title says it: ``tháng 11 năm 2026``, ``quý III năm 2026`` (``November 2026``, ``Q3 2026``)."""
    vi = normalize_lang(lang) == "vi"
    match period.frequency:
        case "half_yearly":
            return t(f"report.period.half_yearly_{period.index}", lang, year=period.year)
        case "quarterly":
            index = _ROMAN[period.index] if vi else period.index
            return t("report.period.quarterly", lang, index=index, year=period.year)
        case "monthly":
            index = period.index if vi else _EN_MONTHS[period.index - 1]
            return t("report.period.monthly", lang, index=index, year=period.year)
        case "annual":
            return t("report.period.annual", lang, year=period.year)
        case _:
            return t("report.period.weekly", lang, index=period.index, year=period.year)


def place_date(day: date, lang: str) -> str:
    """``Bắc Ninh, ngày 05 tháng 01 năm 2027`` (Decree 30: day below 10 and months 1-2 written with a leading 0)."""
    if normalize_lang(lang) == "vi":
        month = f"{day.month:02d}" if day.month < 3 else str(day.month)
        return t("report.place_date", lang, day=f"{day.day:02d}", month=month, year=day.year)
    return t("report.place_date", lang, day=day.day, month=_EN_MONTHS[day.month - 1], year=day.year)


def _group_name(group: str, lang: str) -> str:
    name = label("group", group, lang)
    return name[:1].lower() + name[1:] if normalize_lang(lang) == "vi" else name


def _scope(rows: pl.DataFrame, group: str | None, department: str | None, names: pl.DataFrame, lang: str):
    """The rows in scope and the subject's words for it; UnknownScope for a group or department that is not one."""
    if group is not None and department is not None:
        raise UnknownScope("a report is for a group or a department, not both")
    if group is not None:
        if group not in evaluate.GROUPS:
            raise UnknownScope(group)
        return rows.filter(pl.col("group") == group), ("report.subject_group", {"group": _group_name(group, lang)})
    if department is not None:
        code = department.strip().upper()
        found = names.filter(pl.col("code") == code)
        if found.is_empty():
            raise UnknownScope(department)
        name = localized(found.row(0, named=True), "name", lang)
        return rows.filter(pl.col("owner") == code), ("report.subject_department", {"department": name})
    return rows, ("report.subject_all", {})


def _line(row: dict[str, Any], lang: str) -> Line:
    f = figures.of(row, lang)
    return Line(
        code=row["code"],
        name=figures.name(row, lang),
        period=f.period,
        value=tie(f.value),
        pct_of_plan=tie(f.pct_of_plan),
        vs_last_year=tie(f.vs_last_year),
        status_code=row.get("status") or "no_data",
        status=f.status,
        owner=localized(row, "owner_name", lang, "owner"),
    )


def _explanation(n: int, row: dict[str, Any], lang: str) -> Explanation:
    """One request in the report's words: what was asked, by when, and the answer or where it stands."""
    state = row["state"]
    head = t(
        "report.explanation_head",
        lang,
        n=n,
        name=localized(row, "name", lang, "indicator_code"),
        period=figures.period(row["period"], lang),
        department=localized(row, "department_name", lang, "department"),
    )
    asked = t(
        "report.explanation_asked",
        lang,
        asked=figures.date(row["asked_at"].date(), lang),
        due=figures.date(row["due_date"], lang),
        note=row["note"],
    )
    if state == "answered":
        answer = t("report.explanation_answer", lang, answered=figures.date(row["answered_at"].date(), lang),
                   answer=row["answer"])  # fmt: skip
    else:
        answer = t("report.explanation_waiting", lang, state=explained.state_words(state, lang))
    return Explanation(int(row["id"]), row["indicator_code"], head, asked, answer, state)


def points(store, row: dict[str, Any], judged: date, lang: str) -> tuple[tuple[str, float | None], ...]:
    """The values the slide's chart draws (``present.chart_frame``), as (period label, value) pairs."""
    series = evaluate.series_of(store, row["code"], judged)
    if series.is_empty():
        return ()
    frame, kind = present.chart_frame(series, row["frequency"], row["value_type"])
    column = "ytd" if kind == "ytd" else "value"
    return tuple((figures.period(p, lang), v) for p, v in frame.select("period", column).iter_rows())


def _indicator(
    row: dict[str, Any],
    lang: str,
    chart: bytes | None,
    asked: tuple[Explanation, ...],
    key: bool,
    line: str = "",
    values: tuple[tuple[str, float | None], ...] = (),
) -> Indicator:
    f = figures.of(row, lang)
    number, unit = present.big_value(row, lang)
    owner = localized(row, "owner_name", lang, "owner")
    subtitle = " · ".join(x for x in (row["code"], owner, label("frequency", row.get("frequency"), lang)) if x)
    return Indicator(
        code=row["code"],
        name=figures.name(row, lang),
        subtitle=subtitle,
        period=f.period,
        number=tie(number),
        unit=unit,
        status_code=row.get("status") or "no_data",
        status=f.status,
        facts=tuple((name, tie(text)) for name, text in present.panel_facts(row, lang)),
        sentence=tie(present.summary(row, lang)),
        owner=owner,
        chart=chart,
        explanations=asked,
        key=key,
        slide_line=line,
        points=values,
        mark="bar" if row.get("value_type") == "flow" else "line",
    )


def chart_png(store, row: dict[str, Any], judged: date, stamp: Stamp, kind: str) -> bytes:
    """The indicator's chart as the pages draw it: the indicator page's history (``page``) or the slide's
    (``slide``), rendered by the pages' PNG export."""
    series = evaluate.series_of(store, row["code"], judged)
    if kind == "slide":
        labels = present.chart_labels(row, row.get("source"), stamp)
        figure = present.slide_figure(series, row, labels).properties(height=520)
        return export.chart_png(figure, scale=SLIDE_CHART_SCALE, width=SLIDE_CHART_WIDTH)
    span = indicator_view.window(series, indicator_view.default_span(row["frequency"]))
    figure = indicator_view.history_chart(span, row, stamp).properties(height=280)
    return export.chart_png(figure, scale=PAGE_CHART_SCALE, width=PAGE_CHART_WIDTH)


def build(
    path: str | os.PathLike | None,
    today: date,
    period: str | None = None,
    group: str | None = None,
    department: str | None = None,
    lang: str = "vi",
    charts: int = KEY_CHARTS,
    chart_kind: str = "page",
) -> Report:
    """The report of ``period`` (default: the month holding ``today``, the pages' figures), for one group, one
    department or everything. rules.reporting.NoSuchPeriod or UnknownScope for what cannot be reported on."""
    lang = normalize_lang(lang)
    chosen = reporting.report_period(period, today)
    judged = reporting.judged_on(chosen, today)
    store = reporting.cut(queries.load_store(path), chosen)
    rows, (subject_key, subject_fmt) = _scope(
        evaluate.latest(store, judged), group, department, queries.departments(path), lang
    )
    demo = bool(queries.demo_loads(path)["n"][0])
    as_of = store.as_of
    when = period_words(chosen, lang)
    as_of_text = figures.date(as_of, lang)

    asked = requests_rule.with_state(queries.explanations(path, rows["code"].to_list()), today)
    asked = asked.filter(pl.col("asked_at").dt.date() <= judged).sort("asked_at", "id")
    listed = tuple(_explanation(n, r, lang) for n, r in enumerate(asked.iter_rows(named=True), start=1))
    by_code: dict[str, list[Explanation]] = {}
    for item in listed:
        by_code.setdefault(item.code, []).append(item)

    warnings = tally.warnings(rows)
    key_codes = warnings["code"].to_list()
    drawn = set(key_codes[: max(0, charts)])
    stamp = Stamp(lang, as_of, demo)
    pngs = {
        r["code"]: chart_png(store, r, judged, stamp, chart_kind)
        for r in rows.iter_rows(named=True)
        if r["code"] in drawn
    }

    def indicator(r: dict[str, Any], with_points: bool = False) -> Indicator:
        code = r["code"]
        line = explained.slide_text(asked.filter(pl.col("indicator_code") == code), r["period"], lang)
        values = points(store, r, judged, lang) if with_points and code not in pngs else ()
        return _indicator(r, lang, pngs.get(code), tuple(by_code.get(code, ())), code in set(key_codes), line, values)

    groups = []
    group_lines = []
    for n, g in enumerate((g for g in evaluate.GROUPS if g in set(rows["group"].to_list())), start=1):
        part = rows.filter(pl.col("group") == g)
        sentences = "; ".join(summary_sentences(tally.tally(part), lang))
        name = _group_name(g, lang)
        group_lines.append(t("report.group_line", lang, group=name, sentences=sentences))
        groups.append(
            Group(
                g,
                t("report.group_heading", lang, n=n, group=name, count=part.height),
                sentences,
                tuple(_line(r, lang) for r in part.iter_rows(named=True)),
            )
        )
    counts = requests_rule.counts(asked, today)
    return Report(
        lang=lang,
        today=today,
        period=chosen,
        judged_on=judged,
        as_of=as_of,
        demo=demo,
        org=(t("report.org_1", lang), t("report.org_2", lang)),
        nation=t("report.nation", lang),
        motto=t("report.motto", lang),
        number=t("report.number", lang),
        place_date=place_date(today, lang),
        kind=t("report.kind", lang),
        subject=t(subject_key, lang, period=when, **subject_fmt),
        demo_note=t("report.demo", lang) if demo else "",
        intro=t("report.intro", lang, as_of=as_of_text, judged=figures.date(judged, lang)),
        headline=tuple(summary_sentences(tally.tally(rows), lang)),
        group_lines=tuple(group_lines),
        groups=tuple(groups),
        keys=tuple(indicator(r) for r in warnings.iter_rows(named=True)),
        keys_note=t("report.keys_note", lang, n=len(key_codes), charts=len(pngs), cap=max(0, charts))
        if key_codes
        else t("report.no_keys", lang),
        slides=tuple(indicator(r, chart_kind == "slide") for r in rows.iter_rows(named=True)),
        explanations_summary=t("report.explanations_summary", lang, **counts)
        if counts["total"]
        else t("report.no_explanations", lang),
        explanations=listed,
        closing=t("report.closing", lang, period=when),
        recipients=tuple(t("report.recipients_list", lang).split("\n")),
        signature=(t("report.sign_1", lang), t("report.sign_2", lang), t("report.sign_3", lang)),
        footer=" · ".join(
            x for x in (t("report.footer", lang, as_of=as_of_text), t("ui.demo_banner", lang) if demo else "") if x
        ),  # fmt: skip
        table_note=t("report.table_note", lang, as_of=as_of_text),
        headers={
            "no": t("report.col_no", lang),
            "indicator": t("ui.indicator", lang),
            "period": t("report.col_period", lang),
            "value": t("report.col_value", lang),
            "pct_of_plan": t("figures.pct_of_plan", lang),
            "vs_last_year": t("report.col_yoy", lang),
            "status": t("ui.status", lang),
            "owner": t("ui.owner", lang),
        },
    )


def calendar_label(period: Period, lang: str) -> str:
    """The period as pages write it (``Tháng 11/2026``): for file names and the deck's title slide."""
    return calendar.label(period, lang)


MISSING = numbers.MISSING
