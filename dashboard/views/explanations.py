"""Explanations asked and answered, as the pages show them: pure functions and escaped HTML (no Streamlit).

The requests come from ``db.queries.explanations`` with their state from ``rules.explanations.with_state``. The
note and the answer are outside text (typed by people): every piece of them goes through ``html.escape``, line
breaks kept as ``<br>``, never Markdown.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import polars as pl

from dashboard import figures
from dashboard.i18n import localized, t
from dashboard.links import href
from rules import calendar
from rules import explanations as rule

SLIDE_ANSWER_CHARS = 220  # a slide shows the start of a long answer; the indicator page shows it whole

_TINT = {"open": ("#fdf3e2", "#7a4d00"), "overdue": ("#fbe9ea", "#9b1c24"), "answered": ("#e6f4ec", "#11603b")}

STYLE = """
<style>
.ex-list{display:flex;flex-direction:column;gap:10px;margin:.2rem 0 .6rem}
.ex-item{border:1px solid #e3e7ec;border-left-width:4px;border-radius:8px;padding:10px 14px;background:#fff}
.ex-head{display:flex;flex-wrap:wrap;gap:.3rem .8rem;align-items:center;font-size:.9rem;color:#3d4550}
.ex-head b{color:#1f2328;font-weight:600}
.ex-pill{display:inline-block;border-radius:999px;padding:1px 10px;font-size:.8rem;font-weight:600;white-space:nowrap}
.ex-meta{font-size:.8rem;color:#5b6573;margin-top:6px}
.ex-text{font-size:.95rem;color:#1f2328;line-height:1.5;margin-top:2px;white-space:normal;overflow-wrap:anywhere}
.ex-answer{border-top:1px dashed #dfe3e8;margin-top:8px;padding-top:6px}
table.ex-dept{border-collapse:collapse;font-size:.88rem;font-variant-numeric:tabular-nums;background:#fff;min-width:min(100%,560px)}
table.ex-dept th{font-weight:500;color:#5b6573;text-align:right;padding:5px 10px;border-bottom:1px solid #dfe3e8;font-size:.8rem}
table.ex-dept th:first-child,table.ex-dept td:first-child{text-align:left}
table.ex-dept td{padding:6px 10px;border-bottom:1px solid #eef1f4;text-align:right}
table.ex-dept a{color:#1f5c99;text-decoration:none;font-weight:500}
</style>
"""


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _text(text: Any) -> str:
    """Outside text as HTML text: escaped, its line breaks kept."""
    return "<br>".join(_e(line) for line in str(text or "").split("\n"))


def state_words(state: str, lang: str) -> str:
    """``open`` -> ``Đang chờ trả lời``."""
    return t(f"explanations.state.{state}", lang)


def judged(requests: pl.DataFrame, day: date) -> pl.DataFrame:
    """The requests with their state on ``day`` (``rules.explanations``)."""
    return rule.with_state(requests, day)


def pill(state: str, lang: str) -> str:
    tint, ink = _TINT.get(state, _TINT["open"])
    return f'<span class="ex-pill" style="background:{tint};color:{ink}">{_e(state_words(state, lang))}</span>'


def items_html(requests: pl.DataFrame, lang: str, show_indicator: bool = False) -> str:
    """Each request as a card: its period (and indicator), state, who asked and by when, the note, the answer."""
    cards = []
    for r in requests.iter_rows(named=True):
        ink = _TINT.get(r["state"], _TINT["open"])[1]
        what = [f"<b>{_e(figures.period(r['period'], lang))}</b>"]
        if show_indicator:
            link = href("indicator", lang, code=r["indicator_code"])
            name = localized(r, "name", lang, "indicator_code")
            what.insert(0, f'<a href="{_e(link)}" target="_self"><b>{_e(name)}</b></a>')
        late = f" · {_e(t('explanations.late_answer', lang))}" if r.get("late_answer") else ""
        asked = t(
            "explanations.asked_line",
            lang,
            who=r["asked_by"],
            asked=figures.date(r["asked_at"], lang),
            due=figures.date(r["due_date"], lang),
        )
        body = f'<div class="ex-meta">{_e(asked)}</div><div class="ex-text">{_text(r["note"])}</div>'
        if r["answer"] is not None:
            said = t(
                "explanations.answered_line", lang, who=r["answered_by"], answered=figures.date(r["answered_at"], lang)
            )
            body += (
                f'<div class="ex-answer"><div class="ex-meta">{_e(said)}{late}</div>'
                f'<div class="ex-text">{_text(r["answer"])}</div></div>'
            )
        number = _e(t("explanations.request_no", lang, id=r["id"]))
        cards.append(
            f'<div class="ex-item" style="border-left-color:{ink}"><div class="ex-head">{" · ".join(what)}'
            f"{pill(r['state'], lang)}<span>{number}</span></div>{body}</div>"
        )
    return f'<div class="ex-list">{"".join(cards)}</div>' if cards else ""


def counts_text(counts: dict[str, int], lang: str) -> str:
    """``2 đang chờ trả lời (trong đó 1 quá hạn), 3 đã trả lời``; a plain word when there is none."""
    if not counts.get("total"):
        return t("explanations.counts_none", lang)
    return t(
        "explanations.counts", lang, waiting=counts["waiting"], overdue=counts["overdue"], answered=counts["answered"]
    )


def counts_html(counts: dict[str, int], lang: str) -> str:
    """``counts_text`` as a line of the overview."""
    return f'<div class="ov-sub">{_e(counts_text(counts, lang))}</div>'


def departments_html(by_department: pl.DataFrame, names: pl.DataFrame, lang: str) -> str:
    """Departments asked, each with its requests awaiting, overdue and answered; each opens its page."""
    if by_department.is_empty():
        return ""
    named = {r["code"]: localized(r, "name", lang) for r in names.iter_rows(named=True)}
    head = "".join(
        f"<th>{_e(x)}</th>"
        for x in (
            t("ui.department", lang),
            t("explanations.col_open", lang),
            t("explanations.col_overdue", lang),
            t("explanations.col_answered", lang),
        )
    )
    body = []
    for r in by_department.iter_rows(named=True):
        overdue = r["overdue"]
        style = f' style="color:{_TINT["overdue"][1]};font-weight:600"' if overdue else ""
        body.append(
            f'<tr><td><a href="{_e(href("department", lang, code=r["department"]))}" target="_self">'
            f"{_e(named.get(r['department'], r['department']))}</a></td>"
            f"<td>{r['waiting']}</td><td{style}>{overdue}</td><td>{r['answered']}</td></tr>"
        )
    return f'<table class="ex-dept"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def slide_text(requests: pl.DataFrame, period: str | None, lang: str) -> str:
    """The slide's one line on the latest request for its period: the answer's start, or where it stands; ``""``
    when none was asked."""
    mine = requests.filter(pl.col("period") == (period or "")) if requests.height else requests
    if mine.is_empty():
        return ""
    r = mine.sort("asked_at", "id").row(-1, named=True)
    when = figures.period(r["period"], lang)
    if r["answer"] is not None:
        answer = " ".join(str(r["answer"]).split())
        if len(answer) > SLIDE_ANSWER_CHARS:
            answer = answer[: SLIDE_ANSWER_CHARS - 1].rstrip() + "…"
        return t("explanations.slide_answer", lang, period=when, answer=answer)
    return t(
        "explanations.slide_waiting",
        lang,
        period=when,
        state=state_words(r["state"], lang).lower(),
        due=figures.date(r["due_date"], lang),
    )


def period_options(series: pl.DataFrame, row: dict[str, Any]) -> list[str]:
    """The periods a leader may ask about, newest first: the indicator's periods with a value, and the period
    overdue without one (a late indicator is asked why)."""
    periods = list(reversed(series.get_column("period").to_list())) if series.height else []
    due = row.get("due_period")
    if due and due not in periods and row.get("status") in ("late", "no_data") and calendar.parse(due) is not None:
        periods.insert(0, due)
    return periods
