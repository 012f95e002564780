"""`export evaluation` agrees, for every indicator of the demo, with figures recomputed here from `export
observations` and `export catalogue` alone.

The recomputation below is a second, deliberately plain reading of the rules as the README states them (loops
over dictionaries, the calendar done by hand with ``datetime``); it shares no code with ``rules/``.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

import settings

TODAY = date(2026, 11, 26)  # conftest.DEMO_TODAY
PER_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "annual": 1}


# --------------------------------------------------------------------------- the calendar, by hand


def parse(text: str) -> tuple[int, str, int]:
    """(year, frequency, index) of a canonical period."""
    year = int(text[:4])
    if len(text) == 4:
        return year, "annual", 1
    tail = text[5:]
    if tail[0] == "H":
        return year, "half_yearly", int(tail[1])
    if tail[0] == "Q":
        return year, "quarterly", int(tail[1])
    if tail[0] == "W":
        return year, "weekly", int(tail[1:])
    return year, "monthly", int(tail)


def text_of(year: int, frequency: str, index: int) -> str:
    return {
        "annual": f"{year}",
        "half_yearly": f"{year}-H{index}",
        "quarterly": f"{year}-Q{index}",
        "monthly": f"{year}-{index:02d}",
        "weekly": f"{year}-W{index:02d}",
    }[frequency]


def weeks(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


def bounds(text: str) -> tuple[date, date]:
    year, frequency, index = parse(text)
    if frequency == "weekly":
        return date.fromisocalendar(year, index, 1), date.fromisocalendar(year, index, 7)
    months = 12 // PER_YEAR[frequency]
    start = date(year, (index - 1) * months + 1, 1)
    after = date(year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, 1)
    return start, after - timedelta(days=1)


def shift(text: str, steps: int) -> str:
    year, frequency, index = parse(text)
    if frequency == "weekly":
        iso = (bounds(text)[0] + timedelta(weeks=steps)).isocalendar()
        return text_of(iso[0], "weekly", iso[1])
    flat = year * PER_YEAR[frequency] + index - 1 + steps
    return text_of(flat // PER_YEAR[frequency], frequency, flat % PER_YEAR[frequency] + 1)


def last_year(text: str) -> str:
    year, frequency, index = parse(text)
    if frequency == "weekly":
        return text_of(year - 1, "weekly", min(index, weeks(year - 1)))
    return text_of(year - 1, frequency, index)


def share(text: str) -> float:
    year, frequency, index = parse(text)
    return index / (weeks(year) if frequency == "weekly" else PER_YEAR[frequency])


def containing(day: date, frequency: str) -> str:
    if frequency == "weekly":
        iso = day.isocalendar()
        return text_of(iso[0], "weekly", iso[1])
    if frequency == "annual":
        return str(day.year)
    months = 12 // PER_YEAR[frequency]
    return text_of(day.year, frequency, (day.month - 1) // months + 1)


def latest_overdue(frequency: str, deadline: int) -> str:
    """The latest period whose due date (end + deadline) is before TODAY."""
    period = containing(TODAY, frequency)
    while bounds(period)[1] + timedelta(days=deadline) >= TODAY:
        period = shift(period, -1)
    return period


# --------------------------------------------------------------------------- the rules, by hand


def pct(basis: float, reference: float | None, direction: str) -> float | None:
    if reference is None:
        return None
    if direction == "up":
        return basis / reference * 100 if reference > 0 else None
    if direction == "down":
        return reference / basis * 100 if basis > 0 else None
    return max(0.0, 100 - abs(basis - reference) / abs(reference) * 100) if reference != 0 else None


def met(basis: float, reference: float, direction: str) -> bool:
    return (
        basis >= reference if direction == "up" else basis <= reference if direction == "down" else basis == reference
    )


def province_values(catalogue: dict, observations: list[dict]) -> dict[str, dict[str, float]]:
    """Submitted province rows; else the communes' sum or plain mean (aggregation sum / mean)."""
    province: dict[str, dict[str, float]] = defaultdict(dict)
    communes: dict[tuple[str, str], list[float]] = defaultdict(list)
    for o in observations:
        if o["locality_code"] == "":
            province[o["indicator_code"]][o["period"]] = float(o["value"])
        else:
            communes[o["indicator_code"], o["period"]].append(float(o["value"]))
    for (code, period), values in communes.items():
        how = catalogue[code]["aggregation"]
        if period not in province[code] and how in ("sum", "mean"):
            province[code][period] = sum(values) if how == "sum" else sum(values) / len(values)
    return province


def add_composites(catalogue: dict, values: dict[str, dict[str, float]]) -> None:
    """Computed composites: weighted 0-100 scores of their components (README: computed composites)."""
    pending = [c for c, i in catalogue.items() if i["components"]]
    history = {c: (min(v.values()), max(v.values())) for c, v in values.items() if v}
    while pending:
        code = next(c for c in pending if not any(p["code"] in pending for p in catalogue[c]["components"]))
        pending.remove(code)
        frequency = catalogue[code]["frequency"]
        parts = catalogue[code]["components"]
        total = sum(p["weight"] for p in parts)
        by_period: dict[str, dict[str, float]] = defaultdict(dict)
        for part in parts:
            own = values.get(part["code"], {})
            for period in sorted(own, key=lambda p: bounds(p)[1]):  # the latest one ending in the period wins
                by_period[containing(bounds(period)[1], frequency)][part["code"]] = period
        for period, chosen in by_period.items():
            if len(chosen) < len(parts) or period in values.get(code, {}):
                continue
            value: float | None = 0.0
            for part in parts:
                meta = catalogue[part["code"]]
                x, own_period = values[part["code"]][chosen[part["code"]]], chosen[part["code"]]
                target = meta["targets"].get(str(parse(own_period)[0]))
                lo = meta["valid_min"] if meta["valid_min"] is not None else history[part["code"]][0]
                hi = meta["valid_max"] if meta["valid_max"] is not None else history[part["code"]][1]
                if meta["components"]:
                    lo = 0.0 if meta["valid_min"] is None else lo
                    hi = 100.0 if meta["valid_max"] is None else hi
                score = None
                if target is not None and meta["direction"] in ("up", "down"):
                    y, f, _ = parse(own_period)
                    per = weeks(y) if f == "weekly" else PER_YEAR[f]
                    plan = {"flow": target / per, "ytd": target * share(own_period)}.get(meta["value_type"], target)
                    score = pct(x, plan, meta["direction"])
                if score is None:
                    scaled = (x - lo) / (hi - lo) * 100 if hi > lo else 50.0
                    if meta["direction"] == "down":
                        score = 100 - min(max(scaled, 0), 100)
                    elif meta["direction"] == "target":
                        if target is None:  # closest to target, without a target: no score, no composite
                            value = None
                            break
                        score = 100 - abs(x - target) / (hi - lo) * 100 if hi > lo else 50.0
                    else:
                        score = scaled
                value += min(max(score, 0.0), 100.0) * part["weight"] / total
            if value is not None:
                values.setdefault(code, {})[period] = value
        history[code] = (min(values[code].values()), max(values[code].values())) if values.get(code) else (0, 0)


def expected(catalogue: dict, observations: list[dict]) -> dict[str, dict]:
    values = province_values(catalogue, observations)
    add_composites(catalogue, values)
    as_of = max(datetime.fromisoformat(o["submitted_at"]) for o in observations).date()
    out = {}
    for code, meta in catalogue.items():
        own = values.get(code, {})
        if not own:
            out[code] = {"period": None, "status": "no_data", "as_of": as_of}
            continue
        period = max(own, key=lambda p: bounds(p)[0])
        value, (year, _, _) = own[period], parse(period)
        flow = meta["value_type"] == "flow"
        ytd = (
            sum(v for p, v in own.items() if parse(p)[0] == year and bounds(p)[0] <= bounds(period)[0])
            if flow
            else value
        )
        target = meta["targets"].get(str(year))
        paced = meta["value_type"] in ("flow", "ytd")
        plan = None if target is None else target * share(period) if paced else target
        direction = meta["direction"]
        of_plan = None if plan is None else pct(ytd if flow else value, plan, direction)
        if target is None:
            status = "no_target"
        elif of_plan is None:
            status = "on_track" if met(ytd if flow else value, plan, direction) else "off_track"
        else:
            on = meta["thresholds"]["on_track"]
            risk = meta["thresholds"]["at_risk"]
            status = "on_track" if of_plan >= on - 1e-9 else "at_risk" if of_plan >= risk - 1e-9 else "off_track"
        if bounds(period)[0] < bounds(latest_overdue(meta["frequency"], meta["deadline_days"]))[0]:
            status = "late"  # nothing for the latest overdue period (a computed composite too)
        prev = shift(period, -1)
        if meta["value_type"] == "ytd" and parse(prev)[0] != year:
            prev = None
        before = own.get(prev) if prev else None
        change = (value - before) / abs(before) * 100 if before not in (None, 0) else None
        trend = None
        if before is not None:
            if direction == "target":
                prev_target = meta["targets"].get(str(parse(prev)[0]))
                prev_plan = None if prev_target is None else prev_target * share(prev) if paced else prev_target
                if of_plan is not None and prev_plan is not None:
                    prev_ytd = (
                        sum(
                            v
                            for p, v in own.items()
                            if parse(p)[0] == parse(prev)[0] and bounds(p)[0] <= bounds(prev)[0]
                        )
                        if flow
                        else before
                    )
                    earlier = pct(prev_ytd, prev_plan, direction)
                    move = None if earlier is None else of_plan - earlier
                else:
                    move = None
            else:
                diff = (value - before) if direction == "up" else (before - value)
                move = diff / abs(before) * 100 if before != 0 else math.copysign(math.inf, diff) if diff else 0.0
            if move is not None:
                trend = "stable" if abs(move) < 1 else "improving" if move > 0 else "worsening"
        out[code] = {
            "period": period,
            "value": value,
            "ytd": ytd if paced else None,
            "target": target,
            "plan_to_date": plan,
            "pct_of_target": None if target is None else pct(ytd if flow else value, target, direction),
            "pct_of_plan": of_plan,
            "prev_period": prev,
            "change_prev_pct": change,
            "trend": trend,
            "status": status,
            "as_of": as_of,
        }
    return out


# --------------------------------------------------------------------------- the exports


def _export(demo_db, tmp_path, what: str, fmt: str):
    out = tmp_path / f"{what}.{fmt}"
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "export", what, "--format", fmt, "--out", str(out), "--db", str(demo_db)],
        cwd=settings.ROOT,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "INDICATORS_TODAY": TODAY.isoformat()},
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def exported(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    catalogue = json.loads(_export(demo_db, folder, "catalogue", "json").read_text(encoding="utf-8"))
    with open(_export(demo_db, folder, "observations", "csv"), encoding="utf-8") as f:
        observations = list(csv.DictReader(f))
    evaluation = json.loads(_export(demo_db, folder, "evaluation", "json").read_text(encoding="utf-8"))
    return {c["code"]: c for c in catalogue}, observations, evaluation


def test_the_evaluation_has_the_contract_columns_and_one_row_per_indicator(exported, demo_db, tmp_path):
    catalogue, _, evaluation = exported
    assert [r["indicator_code"] for r in evaluation] == list(catalogue)
    with open(_export(demo_db, tmp_path, "evaluation", "csv"), encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == [
        "indicator_code", "group", "owner", "period", "value", "unit", "ytd", "target", "plan_to_date",
        "pct_of_target", "pct_of_plan", "prev_period", "change_prev_pct", "yoy_period", "change_yoy_pct", "trend",
        "status", "as_of",
    ]  # fmt: skip


def _same(got, want) -> bool:
    if want is None or got is None:
        return got is None and want is None
    if isinstance(want, float):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
    return str(got) == str(want)


def test_every_figure_agrees_with_a_recomputation_from_the_other_exports(exported):
    catalogue, observations, evaluation = exported
    want = expected(catalogue, observations)
    fields = (
        "period", "value", "ytd", "target", "plan_to_date", "pct_of_target", "pct_of_plan", "prev_period",
        "change_prev_pct", "trend", "status", "as_of",
    )  # fmt: skip
    wrong = []
    for row in evaluation:
        mine = want[row["indicator_code"]]
        for name in fields:
            if name in mine and not _same(row[name], mine[name]):
                wrong.append((row["indicator_code"], name, row[name], mine[name]))
    assert not wrong, wrong[:10]
    assert {r["status"] for r in evaluation} >= {"on_track", "off_track", "late"}  # the demo exercises them
