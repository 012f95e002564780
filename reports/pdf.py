"""The report as PDF, typeset by Typst (the ``typst`` package from PyPI carries its compiler) from ``report.typ``.

The template reads every word from a JSON file written here, so outside text (names, notes, answers) is set as
text and never read as markup. Fonts: Liberation Serif 2 (metric-compatible with Times New Roman, every
Vietnamese letter), shipped in ``static/fonts/liberation`` and embedded in the PDF; system fonts are ignored, so
the file is the same on every machine.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import typst

import settings
from reports.content import Report
from reports.style import STATUS_TINT

TEMPLATE = Path(__file__).with_name("report.typ")
FONTS = settings.FONT_DIR / "liberation"


def data(report: Report, charts: dict[str, str]) -> dict:
    """What the template reads: the report's texts, each chart as a file name (``charts``: code -> file)."""
    keys = []
    for n, item in enumerate(report.keys, start=1):
        keys.append(
            {
                "heading": report.t("report.key_heading", n=n, name=item.name),
                "facts_line": report.t("report.key_facts", code=item.code, owner=item.owner, status=item.status),
                "sentence": item.sentence,
                "facts": "; ".join(f"{label}: {text}" for label, text in item.facts) + ".",
                "chart": charts.get(item.code, ""),
                "explanations": [f"{e.asked} {e.answer}" for e in item.explanations],
            }
        )
    groups = [
        {
            "heading": g.heading,
            "sentences": g.sentences,
            "lines": [{**asdict(line), "tint": STATUS_TINT.get(line.status_code, "#EEF0F3")} for line in g.lines],
        }
        for g in report.groups
    ]
    headers = [
        report.headers[k]
        for k in ("no", "indicator", "period", "value", "pct_of_plan", "vs_last_year", "status", "owner")
    ]
    return {
        "lang": report.lang,
        "org": list(report.org),
        "nation": report.nation,
        "motto": report.motto,
        "number": report.number,
        "place_date": report.place_date,
        "kind": report.kind,
        "subject": report.subject,
        "demo_note": report.demo_note,
        "intro": report.intro,
        "h_general": report.t("report.h_general"),
        "h_groups": report.t("report.h_groups"),
        "h_keys": report.t("report.h_keys"),
        "h_explanations": report.t("report.h_explanations"),
        "headline": list(report.headline),
        "group_lines": list(report.group_lines),
        "explanations_summary": report.explanations_summary,
        "groups": groups,
        "headers": headers,
        "table_note": report.table_note,
        "keys_note": report.keys_note,
        "keys": keys,
        "explanations": [{"head": e.head, "asked": e.asked, "answer": e.answer} for e in report.explanations],
        "closing": report.closing,
        "recipients_title": report.t("report.recipients"),
        "recipients": list(report.recipients),
        "signature": list(report.signature),
        "footer": report.footer,
    }


def write(report: Report) -> bytes:
    """The report as a PDF file's bytes."""
    with tempfile.TemporaryDirectory(prefix="report_") as folder:
        root = Path(folder)
        charts = {}
        for n, item in enumerate(report.keys):
            if item.chart:
                name = f"chart_{n}.png"
                (root / name).write_bytes(item.chart)
                charts[item.code] = name
        (root / "data.json").write_text(json.dumps(data(report, charts), ensure_ascii=False), encoding="utf-8")
        shutil.copyfile(TEMPLATE, root / "report.typ")
        return typst.compile(
            str(root / "report.typ"), root=str(root), font_paths=[str(FONTS)], ignore_system_fonts=True
        )
