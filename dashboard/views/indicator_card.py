"""The indicator's card: every attribute of CONTRACT §1, grouped, escaped, the owner and components linked."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard import figures, numbers
from dashboard.i18n import CODES, label, localized, t
from dashboard.links import href
from rules import plan

MISSING = numbers.MISSING


STAGES = CODES["stage"]


def targets_text(targets: Sequence[Mapping[str, Any]] | None, unit: str | None, lang: str) -> list[tuple[str, str]]:
    """Year -> target as text, oldest first."""
    items = sorted(targets or [], key=lambda x: x["year"])
    dec = numbers.decimals([item["value"] for item in items])
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
    on, risk = (numbers.fmt_percent(x, lang) for x in plan.thresholds(on_track, at_risk))
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


def _both(shown: str | None, vietnamese: str | None) -> str:
    """A text in the reader's language, the catalogue's Vietnamese after it when it differs (its official form)."""
    if shown and vietnamese and shown.strip() != vietnamese.strip():
        return f'{_esc(shown)} <span class="ic-muted">({_esc(vietnamese)})</span>'
    return _esc(shown or vietnamese)


def card_sections(row: Mapping[str, Any], lang: str) -> list[tuple[str, list[Field]]]:
    """The card's attributes, grouped under headings, values escaped; owner and components are links."""
    unit = figures.unit(row, lang)
    owner = _link(href("department", lang, code=row["owner"]), localized(row, "owner_name", lang, "owner")) + (
        f' <span class="ic-muted">({_esc(row["owner"])})</span>'
    )
    identity = [
        Field(t("ui.code", lang), f"<code>{_esc(row['code'])}</code>"),
        Field(t("ui.central_code", lang), _esc(row.get("central_code") or t("ui.none", lang))),
        Field(t("ui.group", lang), _esc(label("group", row["group"], lang))),
        Field(t("ui.field", lang), _esc(label("field", row["field"], lang))),
        Field(t("ui.owner", lang), owner),
        Field(t("ui.source", lang), _both(figures.source(row, lang), row.get("source"))),
    ]
    measure = [
        Field(t("ui.unit", lang), _both(unit, row.get("unit"))),
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
        _link(href("department", lang, code=row["owner"]), localized(row, "owner_name", lang, "owner")),
        _esc(label("frequency", row["frequency"], lang)),
        _esc(f"{t('ui.unit', lang)}: {figures.unit(row, lang)}"),
    ]
    return '<div class="ic-sub">' + " · ".join(parts) + "</div>"
