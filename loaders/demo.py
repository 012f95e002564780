"""The demo province: seeded, realistic submissions from January 2022 up to the latest period due.

Everything the demo loads goes through ``ingest_frame`` like a department's real file, with
``submitted_by = 'demo'`` and one ``demo_load`` row in the audit log, so the dashboard can label
it as demo data. Series are anchored on the 2025 figures of DOMAIN.md where one is known and on
the catalogue's yearly targets otherwise (flows and ytd: the yearly total; rates and stocks: the
yearly level), with growth, monthly seasonality and noise, always inside the valid range.

The story the data tells (all chosen by the seed, the same seed and day give the same batches):

* a few indicators have no data at all (catalogue gaps: not yet operating);
* a few stop short of the latest due period (late or missing submissions);
* about a fifth are off track and a fifth at risk in their latest year, the rest on track,
  measured as percent of target (``pct_of_target``), flows and ytd pro rata to the share of
  the year's periods reported; one or two rates worsen over their last periods;
* about 15 % of the files come in after their due date; a handful of estimates ("Ước thực
  hiện") are later revised by the official figure ("Số chính thức"); three files are wrong
  (a value out of range, a wrong period, a province total row where only communes are allowed)
  and are rejected before the corrected file is sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import numpy as np
import polars as pl

import settings
from db import audit
from loaders.reading import VI_HEADERS
from rules import calendar as periods
from rules import province
from rules.calendar import Period
from schema.catalogue import Catalogue, load_catalogue
from schema.models import Indicator

DEMO_USER = "demo"
FIRST_YEAR = 2022
ESTIMATE_NOTE = "Ước thực hiện"
OFFICIAL_NOTE = "Số chính thức"
REVISION_REASON = "Số chính thức thay số ước thực hiện"  # the reason a demo revision gives
WEEKLY_BUNDLE = "tuan"  # file-name mark of a month's workbook of weekly figures

BatchKind = Literal["regular", "revision", "rejected"]
Status = Literal["on_track", "at_risk", "off_track"]

FRAME_SCHEMA = {
    "indicator_code": pl.String,
    "period": pl.String,
    "locality_code": pl.String,
    "value": pl.Float64,
    "note": pl.String,
}

_PER_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "annual": 1}

# DOMAIN.md's reported figures (yearly total for flows, level for rates), matched on the English
# name. A few levels with no published figure (marked "demo") are plausible orders of magnitude.
_ANCHORS: list[tuple[str, dict[int, float]]] = [
    (r"grdp growth", {2025: 10.27}),
    (r"grdp per capita", {2025: 5852.0}),
    (r"industrial production index", {2025: 15.93}),
    (r"retail sales", {2025: 146_000.0}),  # 106,400 tỷ đồng in nine months
    (r"\bexports\b", {2025: 94_000.0}),  # exports + imports about 182 tỷ USD
    (r"\bimports\b", {2025: 88_000.0}),
    (r"foreign direct investment", {2025: 5_300.0}),
    (r"newly established enterprises|new enterprises", {2025: 6_500.0}),
    (r"state budget revenue", {2025: 72_500.0}),
    (r"tourist visits|\btourists\b", {2025: 6_300_000.0}),
    (r"urbani[sz]ation", {2025: 43.5}),
    (r"new[- ]rural", {2025: 77.3}),
    (r"solid waste", {2025: 95.8}),
    (r"settled on time", {2025: 99.6}),
    (r"filed online", {2025: 87.0}),
    (r"paid online", {2025: 86.15}),
    (r"decision 766", {2025: 92.8}),
    (r"\(pci\)", {2022: 69.08, 2024: 71.24}),
    (r"\(papi\)", {2023: 45.70}),
    (r"par index", {2024: 88.9}),
    (r"\(sipas\)", {2024: 84.2}),
    (r"\(dti\)", {2024: 0.80}),
    (r"average population", {2025: 3_620_000.0}),
    (r"dossiers received", {2025: 1_600_000.0}),  # demo
    (r"construction permits", {2025: 6_000.0}),  # demo
    (r"public investment capital plan", {2025: 32_000.0}),  # demo
    (r"recommended for recovery", {2025: 450.0}),  # demo
]

# Monthly seasonality of flows (relative weights, January first).
_SEASONS = {
    # Tết holiday in January or February: factories and shops slow down.
    "production": [0.86, 0.78, 1.0, 1.0, 1.02, 1.03, 1.03, 1.05, 1.05, 1.06, 1.06, 1.06],
    # Festival season in spring (Tết, pagodas, Quan họ festivals).
    "tourism": [1.9, 1.7, 1.3, 0.9, 0.8, 0.75, 0.75, 0.7, 0.7, 0.75, 0.8, 0.95],
    # Budget collection and spending peak at the year's close.
    "budget": [0.85, 0.6, 0.8, 0.9, 0.9, 1.0, 0.9, 0.95, 1.0, 1.05, 1.15, 1.9],
    "disbursement": [0.3, 0.4, 0.6, 0.7, 0.8, 1.0, 0.9, 1.0, 1.1, 1.2, 1.4, 2.6],
    "default": [0.92, 0.82, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.03, 1.05, 1.18],
}
_SEASON_KEYWORDS = [
    (r"touris", "tourism"),
    (r"disburse", "disbursement"),
    (r"budget|revenue|social investment|ddi|domestic direct", "budget"),
    (r"retail|export|import|enterprise|production|fdi|foreign direct", "production"),
]
_LUMPY = re.compile(r"fdi|foreign direct|investment|land|housing|recovery")
_CONCENTRATED = re.compile(r"fdi|industrial|enterprise|permit|export|dossier|land")
# Wards with the big industrial parks: much larger values than their neighbours.
_INDUSTRIAL_WARDS = {"Kinh Bắc", "Từ Sơn", "Bắc Giang", "Việt Yên", "Quế Võ", "Nếnh", "Thuận Thành", "Phương Liễu"}
_MEASURE_UNITS = {"ha", "km", "km2", "m2", "tấn"}
# Percent of target in past years, by value type: totals swing more than levels.
_HISTORY = {"flow": (0.97, 1.07), "ytd": (0.97, 1.07), "stock": (0.99, 1.02), "rate": (0.985, 1.03)}


@dataclass(frozen=True)
class DemoBatch:
    """One file a department sends: its rows, when, and why it is in the demo."""

    department: str
    file_name: str
    submitted_at: dt.datetime
    frame: pl.DataFrame
    kind: BatchKind = "regular"

    @property
    def file_hash(self) -> str:
        digest = hashlib.sha256(self.file_name.encode())
        digest.update(self.frame.write_csv().encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class DemoPlan:
    """The roles the seed gave the indicators."""

    gaps: tuple[str, ...]
    late: dict[str, int]  # code -> recent periods left out
    worsening: tuple[str, ...]
    statuses: dict[str, Status]  # intended status in the status year, for indicators with a target
    status_year: dict[str, int]  # the year of each indicator's latest reported period
    latest: dict[str, str]  # code -> latest reported period (canonical)


@dataclass(frozen=True)
class DemoSummary:
    submissions: int
    accepted: int
    unchanged: int
    rejected: int
    revisions: int
    observations: int
    seconds: float
    rejected_files: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------------------------


def _rng(seed: int, *keys: str) -> np.random.Generator:
    """An independent generator per (seed, key): adding an indicator does not reshuffle others."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode()) for k in keys)])


def pct_of_target(direction: str, value: float, target: float) -> float:
    """Achievement in percent of target: higher is better whatever the direction."""
    if direction == "up":
        return 100.0 * value / target
    if direction == "down":
        return float("inf") if value <= 0 else 100.0 * target / value
    return 100.0 * (1.0 - abs(value - target) / abs(target))


def classify(ind: Indicator, pct: float) -> Status:
    """The status of a percent-of-target under the indicator's thresholds."""
    if pct >= ind.thresholds.on_track:
        return "on_track"
    return "at_risk" if pct >= ind.thresholds.at_risk else "off_track"


def _value_for_pct(direction: str, target: float, pct: float, side: float = -1.0) -> float:
    """The inverse of pct_of_target (pct as a fraction); ``side`` picks below or above for 'target'."""
    if direction == "up":
        return target * pct
    if direction == "down":
        return target / pct
    return target * (1.0 + side * max(1.0 - pct, 0.0))


def _periods_in_year(frequency: str, year: int) -> int:
    return periods.weeks_in(year) if frequency == "weekly" else _PER_YEAR[frequency]


def _is_percent(ind: Indicator) -> bool:
    return ind.unit.strip() == "%"


def _is_count(ind: Indicator) -> bool:
    unit = ind.unit.lower()
    if any(tok in unit for tok in ("%", "‰", "đồng", "usd", "điểm", "/")):
        return False
    return unit.strip() not in _MEASURE_UNITS


def _decimals(ind: Indicator, level: float) -> int:
    if _is_count(ind):
        return 0
    if _is_percent(ind):
        return 2
    magnitude = abs(level)
    if magnitude >= 1000:
        return 1
    return 2 if magnitude >= 1.5 else 4


def _bounds(ind: Indicator) -> tuple[float, float]:
    lo = -np.inf if ind.valid_min is None else float(ind.valid_min)
    hi = np.inf if ind.valid_max is None else float(ind.valid_max)
    if _is_percent(ind) and ind.value_type in ("rate", "ytd"):
        # A share stays within 0-100; a growth rate in % may be negative if the catalogue says so.
        lo, hi = (0.0 if ind.valid_min is None else lo), min(hi, 100.0)
    return lo, hi


def _measure_max(ind: Indicator, hi: float) -> float:
    """The largest plausible yearly measure: a flow's yearly total holds a year of periods."""
    if ind.value_type != "flow":
        return hi
    return hi * (52 if ind.frequency == "weekly" else _PER_YEAR[ind.frequency])


def _twins(catalogue: Catalogue) -> dict[str, str]:
    """ytd indicators that cumulate a flow of the catalogue (same owner, frequency, level, targets)."""
    flows = [i for i in _data_indicators(catalogue) if i.value_type == "flow"]
    out: dict[str, str] = {}
    for ind in _data_indicators(catalogue):
        if ind.value_type != "ytd":
            continue
        for flow in flows:
            same = (flow.owner, flow.frequency, flow.level, flow.aggregation, flow.unit, flow.targets)
            if same == (ind.owner, ind.frequency, ind.level, ind.aggregation, ind.unit, ind.targets) and ind.targets:
                out[ind.code] = flow.code
                break
    return out


def _is_quantity(ind: Indicator) -> bool:
    """Flows and ytd are split over the year's periods; stocks and rates are levels."""
    return ind.value_type in ("flow", "ytd")


def _season(ind: Indicator) -> np.ndarray:
    name = ind.name_en.lower()
    for pattern, key in _SEASON_KEYWORDS:
        if re.search(pattern, name):
            return np.asarray(_SEASONS[key])
    return np.asarray(_SEASONS["default"])


def _anchors(ind: Indicator) -> dict[int, float]:
    """DOMAIN.md's figures for this indicator, scaled to the catalogue's unit (powers of 1000)."""
    name = ind.name_en.lower()
    for pattern, figures in _ANCHORS:
        if not re.search(pattern, name):
            continue
        lo, hi = _bounds(ind)
        out: dict[int, float] = {}
        for year, figure in figures.items():
            reference = ind.targets.get(year) or next(iter(ind.targets.values()), None)
            candidates = [figure * 1000.0**k for k in range(-3, 4)]
            if reference:
                best = min(candidates, key=lambda c, r=reference: abs(np.log(abs(c) / abs(r))))
                if not 0.5 <= best / reference <= 2.0:
                    continue
            else:
                best = figure
            if lo <= best <= _measure_max(ind, hi):
                out[year] = best
        return out
    return {}


# ---------------------------------------------------------------------------------------------
# The plan: which indicator plays which role
# ---------------------------------------------------------------------------------------------


def _data_indicators(catalogue: Catalogue) -> list[Indicator]:
    """Everything but the composites computed from components (the dashboard computes those)."""
    return [ind for ind in catalogue.indicators if not ind.components]


def _rank(status: Status) -> int:
    return {"on_track": 0, "at_risk": 1, "off_track": 2}[status]


def _worst_plausible(ind: Indicator, year: int) -> Status:
    """How badly an indicator can plausibly do in its status year."""
    target = ind.targets[year]
    lo, hi = _bounds(ind)
    worst: Status = "off_track"
    targets = [abs(v) for v in ind.targets.values() if v]
    slow = not _is_quantity(ind) and len(targets) > 1 and max(targets) < 1.03 * min(targets)  # forest cover
    near_ceiling = ind.direction == "up" and np.isfinite(hi) and target >= 0.9 * hi
    if ind.group == "composite" or near_ceiling or slow:
        worst = "at_risk"
    previous = _anchors(ind).get(year - 1)
    if previous is not None:
        step = target / ind.targets[year - 1] if ind.targets.get(year - 1) else 1.0
        momentum = classify(ind, pct_of_target(ind.direction, previous * step, target))
        worst = min(worst, momentum, key=_rank)
    return worst


def plan(catalogue: Catalogue, today: dt.date, seed: int = 2025) -> DemoPlan:
    """Pick gaps, late indicators, worsening trends and the target status of each indicator."""
    rng = _rng(seed, "plan")
    candidates = sorted(_data_indicators(catalogue), key=lambda i: i.code)
    twins = _twins(catalogue)
    paired = set(twins) | set(twins.values())

    def pick(pool: list[Indicator], n: int, distinct_owner: bool = True) -> list[Indicator]:
        chosen: list[Indicator] = []
        for idx in rng.permutation(len(pool)):
            ind = pool[idx]
            if distinct_owner and any(c.owner == ind.owner for c in chosen):
                continue
            chosen.append(ind)
            if len(chosen) == n:
                break
        return chosen

    early = [i for i in candidates if i.stage in ("identified", "proposed")]
    early = [i for i in early if i.code not in paired]
    gaps = pick(early if len(early) >= 3 else [i for i in candidates if i.code not in paired], 3, False)
    gap_codes = {g.code for g in gaps}

    running = [
        i
        for i in candidates
        if i.code not in gap_codes
        and i.code not in paired
        and i.frequency in ("weekly", "monthly", "quarterly")
        and i.stage in ("operating", "published")
    ]
    worsening: list[Indicator] = []
    for freq in ("weekly", "monthly"):
        pool = [
            i
            for i in running
            if i.frequency == freq
            and i.value_type == "rate"
            and i.direction == "up"
            and i.targets
            and (i.valid_min or 0.0) >= 0.0  # not a growth rate: its noise would hide the slide
        ]
        worsening += pick(pool, 1)
    worse_codes = {w.code for w in worsening}
    late_pool = [i for i in running if i.code not in worse_codes]
    late = {i.code: {"weekly": 3, "monthly": 2, "quarterly": 1}[i.frequency] for i in pick(late_pool, 3)}

    latest: dict[str, str] = {}
    status_year: dict[str, int] = {}
    for ind in candidates:
        if ind.code in gap_codes:
            continue
        last = periods.shift(periods.latest_due(ind.frequency, ind.deadline_days, today), -late.get(ind.code, 0))
        latest[ind.code] = str(last)
        status_year[ind.code] = last.year

    # Natural statuses where DOMAIN.md gives the figure of the status year; the rest by lot.
    statuses: dict[str, Status] = {}
    open_codes: list[Indicator] = []
    for ind in candidates:
        year = status_year.get(ind.code)
        if year is None or not ind.targets.get(year) or ind.code in twins:
            continue
        anchor = _anchors(ind).get(year)
        if anchor is not None:
            statuses[ind.code] = classify(ind, pct_of_target(ind.direction, anchor, ind.targets[year]))
        else:
            open_codes.append(ind)
    total = len(statuses) + len(open_codes)
    want = {"off_track": round(0.2 * total), "at_risk": round(0.2 * total)}
    for status in statuses.values():
        if status in want:
            want[status] = max(want[status] - 1, 0)
    # 'target' direction with a 100 % on-track threshold is only on track when exactly on target.
    forced = [i for i in open_codes if i.direction == "target" and i.thresholds.on_track >= 100]
    for ind in forced:
        statuses[ind.code] = "at_risk"
        want["at_risk"] = max(want["at_risk"] - 1, 0)
    free = [free_ind for free_ind in open_codes if free_ind.code not in statuses]
    # Slipping is dealt out to indicators where it is plausible: not a published score that
    # moves a point a year, not a rate pinned near its ceiling, not a series whose last reported
    # figure already beats this year's target.
    worst = {ind.code: _worst_plausible(ind, status_year[ind.code]) for ind in free}
    for status in ("off_track", "at_risk"):
        pool = [i for i in free if i.code not in statuses and _rank(worst[i.code]) >= _rank(status)]
        for idx in rng.permutation(len(pool))[: want[status]]:
            statuses[pool[idx].code] = status
    for ind in free:
        statuses.setdefault(ind.code, "on_track")
    for ytd, flow in twins.items():
        if flow in statuses:
            statuses[ytd] = statuses[flow]
    return DemoPlan(
        gaps=tuple(sorted(gap_codes)),
        late=late,
        worsening=tuple(sorted(worse_codes)),
        statuses=statuses,
        status_year=status_year,
        latest=latest,
    )


# ---------------------------------------------------------------------------------------------
# Series for one indicator
# ---------------------------------------------------------------------------------------------


def _pct_band(ind: Indicator, status: Status) -> tuple[float, float]:
    """The achievement band (fractions) a status means, with margins away from the thresholds."""
    on, at = ind.thresholds.on_track / 100.0, ind.thresholds.at_risk / 100.0
    if status == "on_track":
        # Totals are rounded per period, levels are nudged after rounding: a hair above the line.
        return on + (0.005 if _is_quantity(ind) else 0.0005), np.inf
    if status == "at_risk":
        return at + 0.25 * (on - at), on - 0.1 * (on - at)
    return 0.0, at - 0.25 * (on - at)


def _draw_pct(ind: Indicator, status: Status, rng: np.random.Generator) -> float:
    on, at = ind.thresholds.on_track / 100.0, ind.thresholds.at_risk / 100.0
    quantity = _is_quantity(ind)
    if status == "on_track":
        if ind.direction == "target":
            return 1.0
        return on + rng.uniform(0.01, 0.08 if quantity else 0.04)
    lo, hi = _pct_band(ind, status)
    if status == "off_track":
        lo = max(at - (1.2 if quantity else 0.6) * (on - at), 0.3)
    return rng.uniform(lo, hi)


def _year_levels(
    ind: Indicator,
    years: list[int],
    status: Status | None,
    status_year: int,
    rng: np.random.Generator,
) -> dict[int, float]:
    """The year's measure: total for flows, year-end value for ytd, level for rates and stocks."""
    lo, hi = _bounds(ind)
    quantity = _is_quantity(ind) or (ind.value_type == "stock" and not _is_percent(ind))
    anchors = _anchors(ind)
    side = rng.choice([-1.0, 1.0])
    levels: dict[int, float] = {}
    for year in years:
        target = ind.targets.get(year)
        if year in anchors:
            levels[year] = anchors[year]
        elif target:
            if ind.direction == "target":
                hist = rng.uniform(0.93, 1.0)
            elif status not in (None, "on_track") and year == status_year - 1:
                hist = rng.uniform(0.96, 1.0)  # already slipping the year before
            else:
                hist = rng.uniform(*_HISTORY[ind.value_type])
            levels[year] = _value_for_pct(ind.direction, target, hist, side)
    # Fill years with neither figure nor target: geometric for quantities, linear for rates.
    known = sorted(levels)
    if not known:
        if np.isfinite(lo) and np.isfinite(hi):
            base = lo + 0.7 * (hi - lo) if not quantity else hi * 0.05 * _PER_YEAR.get(ind.frequency, 52)
        else:
            base = 100.0
        levels[2025] = min(max(base, lo), hi)
        known = [2025]
    growth = 1.06
    slope = 0.01 * abs(levels[known[0]]) * (-1.0 if ind.direction == "down" else 1.0)
    slope = 0.0 if ind.direction == "target" else slope
    if len(known) >= 2:
        a, b = known[0], known[-1]
        if quantity and levels[a] > 0 and levels[b] > 0:
            growth = (levels[b] / levels[a]) ** (1.0 / (b - a))
        slope = (levels[b] - levels[a]) / (b - a)
    for year in years:
        if year in levels:
            continue
        before = [k for k in known if k < year]
        after = [k for k in known if k > year]
        if before and after:
            a, b = before[-1], after[0]
            w = (year - a) / (b - a)
            if quantity and levels[a] > 0 and levels[b] > 0:
                levels[year] = levels[a] * (levels[b] / levels[a]) ** w
            else:
                levels[year] = levels[a] + w * (levels[b] - levels[a])
        else:
            ref = before[-1] if before else after[0]
            if quantity:
                levels[year] = levels[ref] * growth ** (year - ref)
            else:
                levels[year] = levels[ref] + slope * (year - ref)
    # The status year: aim for the drawn status, but keep a good year's momentum.
    target = ind.targets.get(status_year)
    if status is not None and target and status_year not in anchors:
        aimed = _value_for_pct(ind.direction, target, _draw_pct(ind, status, rng), side)
        prev = levels.get(status_year - 1)
        if status == "on_track" and prev is not None and ind.direction in ("up", "down"):
            if quantity:
                step = target / ind.targets[status_year - 1] if ind.targets.get(status_year - 1) else growth
                momentum = prev * min(max(step, 0.95), 1.25)
            else:
                momentum = prev
            aimed = max(aimed, momentum) if ind.direction == "up" else min(aimed, momentum)
        levels[status_year] = aimed
    for year in years:
        if quantity and year == status_year:
            continue  # reported pro rata: a capped ytd (% of plan) must still be able to lead
        top = _measure_max(ind, hi)
        levels[year] = float(min(max(levels[year], lo if np.isfinite(lo) else levels[year]), top))
    return levels


def _month_of(p: Period) -> list[int]:
    if p.frequency == "weekly":
        return [dt.date.fromisocalendar(p.year, p.index, 4).month]
    if p.frequency == "annual":
        return list(range(1, 13))
    span = 12 // _PER_YEAR[p.frequency]
    return list(range((p.index - 1) * span + 1, p.index * span + 1))


def _year_shares(ind: Indicator, year: int, season: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Each period's share of the year's total: seasonality times noise, summing to one."""
    n = _periods_in_year(ind.frequency, year)
    all_periods = [Period(year, ind.frequency, k) for k in range(1, n + 1)]
    months = [_month_of(p) for p in all_periods]
    if ind.frequency == "weekly":
        per_month = np.bincount([m[0] for m in months], minlength=13)[1:]
        weights = np.array([season[m[0] - 1] / per_month[m[0] - 1] for m in months])
    else:
        weights = np.array([season[np.array(m) - 1].sum() for m in months])
    weights = weights * np.exp(rng.normal(0.0, noise, n))
    return weights / weights.sum()


@dataclass
class _Series:
    ind: Indicator
    periods: list[Period]
    values: np.ndarray  # the province value of each period (submitted or aggregated)
    flows: np.ndarray | None  # per-period amounts behind a ytd or flow series
    decimals: int


def _series(
    ind: Indicator,
    periods_list: list[Period],
    status: Status | None,
    status_year: int,
    worsening: bool,
    rng: np.random.Generator,
) -> _Series:
    years = sorted({p.year for p in periods_list})
    levels = _year_levels(ind, sorted(set(years) | {status_year}), status, status_year, rng)
    lo, hi = _bounds(ind)
    target = ind.targets.get(status_year)
    in_status = np.array([p.year == status_year for p in periods_list])
    decimals = _decimals(ind, float(np.median(list(levels.values()))))

    if _is_quantity(ind):
        season = _season(ind)
        noise = (0.25 if _LUMPY.search(ind.name_en.lower()) else 0.06) * (1.3 if ind.frequency == "weekly" else 1.0)
        flows = np.empty(len(periods_list))
        for year in years:
            idx = np.array([i for i, p in enumerate(periods_list) if p.year == year])
            first = periods_list[idx[0]].index
            shares = _year_shares(ind, year, season, noise, rng)
            amount = levels[year] * shares[first - 1 : first - 1 + len(idx)]
            n = _periods_in_year(ind.frequency, year)
            if year == status_year and status is not None and target:
                # Pro rata: what has been reported so far against the same share of the target.
                band = _pct_band(ind, status)
                level = _clamp_to_band(ind, np.array([levels[year]]), target, *band)[0]
                amount = amount * (level * (len(idx) / n)) / max(amount.sum(), 1e-12)
            # Round the running total, not each period, so the year adds up to what was meant.
            running = np.round(np.cumsum(amount), decimals)
            flows[idx] = np.diff(running, prepend=0.0)
        if worsening:
            flows = _worsen(ind, flows)
        floor = max(lo, 0.0) if np.isfinite(lo) else 0.0
        flows = np.maximum(np.round(flows, decimals), floor)  # the cumulative rounding left float dust
        if ind.value_type == "ytd":
            values = np.empty_like(flows)
            for year in years:
                idx = np.array([i for i, p in enumerate(periods_list) if p.year == year])
                values[idx] = np.cumsum(flows[idx])
            over = values > hi
            if over.any():  # a capped ytd (a % of plan): stop at the cap, stay monotone
                values = np.minimum(values, hi)
                flows = _flows_from_ytd(values, periods_list)
            values = np.round(values, decimals)
        else:
            values = np.minimum(flows, hi)
            flows = values
        return _Series(ind, periods_list, values, flows, decimals)

    # Levels: piecewise linear through the middle of each year, plus AR(1) noise.
    mid = np.array(
        [p.year + ((p.start - dt.date(p.year, 1, 1)).days + (p.end - p.start).days / 2) / 365.25 for p in periods_list]
    )
    knots = sorted(levels)
    base = np.interp(mid, [y + 0.5 for y in knots], [levels[y] for y in knots])
    if ind.frequency == "annual":
        base = np.array([levels[p.year] for p in periods_list])
        sigma = np.zeros(len(periods_list))
    elif _is_percent(ind) and lo >= 0:
        room_up = np.maximum((hi - base) / 2.5, 0.02)
        room_down = np.maximum((base - lo) / 2.5, 0.02)
        sigma = np.minimum(np.minimum(0.012 * base + 0.1, room_up), room_down)
    elif lo < 0:  # growth rates swing more
        sigma = 0.04 * np.abs(base) + 0.2
    else:
        sigma = (0.01 if ind.value_type == "stock" else 0.02) * np.abs(base)
    shocks = rng.normal(0.0, 1.0, len(periods_list))
    ar = np.empty_like(shocks)
    acc = 0.0
    for i, s in enumerate(shocks):
        acc = 0.6 * acc + 0.8 * s
        ar[i] = acc
    values = base + sigma * ar
    values = np.clip(values, lo, hi)
    if status is not None and target and in_status.any():
        band_lo, band_hi = _pct_band(ind, status)
        values[in_status] = _clamp_to_band(ind, values[in_status], target, band_lo, band_hi)
    if worsening:
        values = _worsen(ind, values)
    values = np.round(np.clip(values, lo, hi), decimals)
    if status is not None and target and in_status.any() and not worsening:
        # Rounding must not push a value across a threshold (small counts, 2-decimal rates).
        band_lo, band_hi = _pct_band(ind, status)
        step = 10.0**-decimals
        kept = values[in_status]
        for _ in range(5):
            pct = np.array([pct_of_target(ind.direction, v, target) / 100.0 for v in kept])
            low, high = pct < band_lo, pct > band_hi
            if not (low.any() or high.any()):
                break
            better = 1.0 if ind.direction == "up" else -1.0 if ind.direction == "down" else -np.sign(kept - target)
            kept = np.round(kept + step * better * (low.astype(float) - high.astype(float)), decimals)
        values[in_status] = np.clip(kept, lo, hi)
    return _Series(ind, periods_list, values, None, decimals)


def _cumulated(ind: Indicator, flow: _Series) -> _Series:
    """The ytd twin of a flow: its running total since January."""
    years = np.array([p.year for p in flow.periods])
    values = flow.flows.copy()
    for year in np.unique(years):
        rows = years == year
        values[rows] = np.cumsum(flow.flows[rows])
    return _Series(ind, flow.periods, np.round(values, flow.decimals), flow.flows, flow.decimals)


def _clamp_to_band(ind: Indicator, values: np.ndarray, target: float, band_lo: float, band_hi: float) -> np.ndarray:
    if ind.direction == "up":
        return np.clip(values, target * band_lo, target * band_hi if np.isfinite(band_hi) else np.inf)
    if ind.direction == "down":
        upper = target / band_lo if band_lo > 0 else np.inf
        lower = target / band_hi if np.isfinite(band_hi) else 0.0
        return np.clip(values, lower, upper)
    dev = values - target
    side = np.where(dev >= 0, 1.0, -1.0)
    dist = np.clip(np.abs(dev) / abs(target), max(1.0 - band_hi, 0.0), 1.0 - band_lo)
    return target + side * dist * abs(target)


def _worsen(ind: Indicator, values: np.ndarray, span: int = 8, depth: float = 0.06) -> np.ndarray:
    """A recent slide in the wrong direction over the last ``span`` periods."""
    out = values.astype(float).copy()
    n = min(span, len(out) // 2)
    if n < 2:
        return out
    ramp = np.linspace(1.0 / n, 1.0, n)
    reference = out[-2 * n : -n].mean()  # the level the slide starts from
    if ind.direction == "down":
        out[-n:] = np.maximum(out[-n:], reference) * (1.0 + depth * ramp)
    else:
        out[-n:] = np.minimum(out[-n:], reference) * (1.0 - depth * ramp)
    return out


def _flows_from_ytd(values: np.ndarray, periods_list: list[Period]) -> np.ndarray:
    flows = values.copy()
    for i in range(1, len(values)):
        if periods_list[i].year == periods_list[i - 1].year:
            flows[i] = values[i] - values[i - 1]
    return flows


# ---------------------------------------------------------------------------------------------
# Commune values
# ---------------------------------------------------------------------------------------------


def round_to_totals(x: np.ndarray, totals: np.ndarray, decimals: int) -> np.ndarray:
    """Round each row to ``decimals`` so that it sums exactly to its total (largest remainder)."""
    scale = 10.0**decimals
    units = x * scale
    base = np.floor(units + 1e-9)
    rem = units - base
    need = np.rint(totals * scale) - base.sum(axis=1)
    order = np.argsort(-rem, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(x.shape[1]), x.shape).copy(), axis=1)
    base = base + (ranks < need[:, None])
    return base / scale


def _base_weights(catalogue: Catalogue, seed: int) -> np.ndarray:
    """Population-like weights: wards bigger than communes, industrial wards biggest."""
    rng = _rng(seed, "localities")
    kinds = np.array([loc.kind for loc in catalogue.localities])
    weights = np.exp(rng.normal(0.0, 0.35, len(kinds))) * np.where(kinds == "phuong", 1.8, 1.0)
    industrial = np.array([loc.name in _INDUSTRIAL_WARDS for loc in catalogue.localities])
    return weights * np.where(industrial, 2.5, 1.0)


def _commune_matrix(s: _Series, base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Values per (period, commune) whose sum (or mean) is the province series."""
    ind = s.ind
    n_loc = len(base)
    n_per = len(s.periods)
    alpha = 1.5 if _CONCENTRATED.search(ind.name_en.lower()) else 1.0
    weights = base**alpha * np.exp(rng.normal(0.0, 0.2, n_loc))
    lo, hi = _bounds(ind)
    if _is_quantity(ind) or ind.aggregation == "sum" or (ind.value_type == "stock" and not _is_percent(ind)):
        jitter = 0.08 if _is_quantity(ind) else 0.01
        shares = weights[None, :] * np.exp(rng.normal(0.0, jitter, (n_per, n_loc)))
        shares /= shares.sum(axis=1, keepdims=True)
        totals = s.flows if s.flows is not None else s.values
        matrix = round_to_totals(totals[:, None] * shares, totals, s.decimals)
        if ind.value_type == "ytd":
            years = np.array([p.year for p in s.periods])
            for year in np.unique(years):
                rows = years == year
                matrix[rows] = np.round(np.cumsum(matrix[rows], axis=0), s.decimals)
        return matrix
    # Rates: spread around the province value, centred so the mean is exact, inside the range.
    z = rng.normal(0.0, 1.0, n_loc)[None, :] + rng.normal(0.0, 0.3, (n_per, n_loc))
    z -= z.mean(axis=1, keepdims=True)
    p = s.values[:, None]
    spread = 0.06 * np.abs(p)
    if np.isfinite(hi):
        spread = np.minimum(spread, (hi - p) / np.maximum(z.max(axis=1, keepdims=True), 1e-9))
    if np.isfinite(lo):
        spread = np.minimum(spread, (p - lo) / np.maximum(-z.min(axis=1, keepdims=True), 1e-9))
    values = p + np.maximum(spread, 0.0) * z
    return round_to_totals(values, s.values * n_loc, s.decimals)


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------


def _rows(s: _Series, catalogue: Catalogue, base: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    ind = s.ind
    period_text = np.array([str(p) for p in s.periods])
    parts: list[pl.DataFrame] = []
    if ind.level == "commune":
        codes = np.array([loc.code for loc in catalogue.localities])
        matrix = _commune_matrix(s, base, rng)
        parts.append(
            pl.DataFrame(
                {
                    "period": np.repeat(period_text, len(codes)),
                    "locality_code": np.tile(codes, len(period_text)),
                    "value": matrix.reshape(-1),
                }
            )
        )
        if ind.aggregation == "none":
            province = matrix.sum(axis=1) if _is_quantity(ind) or not _is_percent(ind) else s.values
            province = np.round(province, s.decimals)
            parts.append(pl.DataFrame({"period": period_text, "locality_code": "", "value": province}))
    else:
        parts.append(pl.DataFrame({"period": period_text, "locality_code": "", "value": s.values}))
    return pl.concat(parts).with_columns(
        indicator_code=pl.lit(ind.code),
        department=pl.lit(ind.owner),
        value=pl.col("value").cast(pl.Float64),
        note=pl.lit(None, dtype=pl.String),
    )


def _submitted_at(period: Period, deadline: int, today: dt.date, rng: np.random.Generator) -> dt.datetime:
    """Most files on time (a few days before the due date), about 15 % late by days to weeks."""
    due = periods.due_date(period, deadline)
    earliest = period.end + dt.timedelta(days=1)
    if rng.random() < 0.15:
        late_max = 6 if period.frequency == "weekly" else 21
        day = due + dt.timedelta(days=int(rng.integers(1, late_max + 1)))
    else:
        day = due - dt.timedelta(days=int(rng.integers(0, 5)))
    day = min(max(day, earliest), today)
    if day < earliest:  # due today or in the past, never before the period ends
        day = earliest
    minutes = int(rng.integers(7 * 60 + 30, 17 * 60 + 30))
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))


def _frame(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select(list(FRAME_SCHEMA)).cast(FRAME_SCHEMA).sort("indicator_code", "locality_code")


def _with_batch_keys(rows: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """One file per department and period; weeks older than a year go in one workbook a month.

    Ingesting a file costs tens of milliseconds whatever its size, and four years of weekly
    files would double the load time; the last twelve months keep their weekly files, so
    recent timeliness is exact.
    """
    cutoff = today - dt.timedelta(days=365)
    keys = {}
    for text in rows["period"].unique():
        period = periods.parse(text)
        if period.frequency == "weekly" and period.end < cutoff:
            thursday = period.start + dt.timedelta(days=3)
            keys[text] = f"{thursday.year}-{thursday.month:02d}_{WEEKLY_BUNDLE}"
        else:
            keys[text] = text
    return rows.with_columns(batch=pl.col("period").replace_strict(keys, return_dtype=pl.String))


def generate(catalogue: Catalogue, today: dt.date, seed: int = 2025) -> list[DemoBatch]:
    """Every demo submission, in the order they are sent."""
    roles = plan(catalogue, today, seed)
    base = _base_weights(catalogue, seed)
    twins = _twins(catalogue)
    made: dict[str, _Series] = {}
    frames: list[pl.DataFrame] = []
    # Flows first, so that a ytd twin cumulates exactly the flow the same department reports.
    for ind in sorted(_data_indicators(catalogue), key=lambda i: i.code in twins):
        if ind.code in roles.gaps:
            continue
        rng = _rng(seed, "series", ind.code)
        twin = made.get(twins.get(ind.code, ""))
        if twin is not None:
            s = _cumulated(ind, twin)
        else:
            last = periods.parse(roles.latest[ind.code])
            s = _series(
                ind,
                periods.between(Period(FIRST_YEAR, ind.frequency, 1), last),
                roles.statuses.get(ind.code),
                roles.status_year[ind.code],
                ind.code in roles.worsening,
                rng,
            )
        made[ind.code] = s
        frames.append(_rows(s, catalogue, base, rng))
    rows = _with_batch_keys(pl.concat(frames), today)
    deadlines = {ind.code: ind.deadline_days for ind in catalogue.indicators}

    regular: dict[tuple[str, str], DemoBatch] = {}
    for (department, key), part in sorted(
        rows.partition_by("department", "batch", as_dict=True).items(), key=lambda kv: kv[0]
    ):
        last = max((periods.parse(p) for p in part["period"].unique()), key=lambda p: p.start)
        deadline = min(deadlines[c] for c in part["indicator_code"].unique())
        rng = _rng(seed, "sent", department, key)
        regular[(department, key)] = DemoBatch(
            department=department,
            file_name=f"{department}_{key}.xlsx",
            submitted_at=_submitted_at(last, deadline, today, rng),
            frame=_frame(part),
        )
    revisions = _revisions(catalogue, regular, today, seed)  # rewrites the first files as estimates
    rejections = _rejections(catalogue, regular, today, seed)
    batches = [*regular.values(), *revisions, *rejections]
    order = {"rejected": 0, "regular": 1, "revision": 2}
    return sorted(batches, key=lambda b: (b.submitted_at, order[b.kind], b.file_name))


def _revisions(
    catalogue: Catalogue, regular: dict[tuple[str, str], DemoBatch], today: dt.date, seed: int
) -> list[DemoBatch]:
    """Estimates later replaced by official figures: the first file is rewritten to hold estimates."""
    rng = _rng(seed, "revisions")
    by_code = catalogue.by_code
    candidates = []
    for key, batch in regular.items():
        period = periods.parse(key[1])
        if (
            period is None
            or period.frequency not in ("monthly", "quarterly")
            or period.end > today - dt.timedelta(days=120)
        ):
            continue
        codes = [
            c
            for c in batch.frame["indicator_code"].unique().sort()
            if by_code[c].level == "province" and by_code[c].value_type in ("flow", "ytd", "rate")
        ]
        if codes and period.year >= FIRST_YEAR + 1:
            candidates.append((key, codes))
    out: list[DemoBatch] = []
    used_departments: set[str] = set()
    for idx in rng.permutation(len(candidates)):
        (department, period_text), codes = candidates[idx]
        if department in used_departments:
            continue
        used_departments.add(department)
        chosen = [codes[i] for i in sorted(rng.choice(len(codes), size=min(3, len(codes)), replace=False))]
        original = regular[(department, period_text)]
        official = original.frame.filter(pl.col("indicator_code").is_in(chosen))
        factors = []
        for code in official["indicator_code"]:
            ind = by_code[code]
            lo, hi = _bounds(ind)
            factors.append((ind, lo, hi, rng.uniform(0.005, 0.03) * rng.choice([-1.0, 1.0])))
        estimates = []
        for (ind, lo, hi, eps), value in zip(factors, official["value"], strict=True):
            decimals = _decimals(ind, value)
            guess = round(min(max(value * (1 + eps), lo), hi), decimals)
            if guess == value:
                guess = round(min(max(value * (1 - eps), lo), hi), decimals)
            if guess == value:  # a small count: an estimate one unit off
                step = 10.0**-decimals
                guess = round(value + step if value + step <= hi else value - step, decimals)
            estimates.append(guess)
        estimated = official.with_columns(value=pl.Series(estimates, dtype=pl.Float64), note=pl.lit(ESTIMATE_NOTE))
        rest = original.frame.filter(~pl.col("indicator_code").is_in(chosen))
        regular[(department, period_text)] = DemoBatch(
            department, original.file_name, original.submitted_at, _frame(pl.concat([rest, estimated]))
        )
        day = min(original.submitted_at.date() + dt.timedelta(days=int(rng.integers(15, 41))), today)
        minutes = int(rng.integers(8 * 60, 16 * 60 + 30))
        when = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
        out.append(
            DemoBatch(
                department,
                f"{department}_{period_text}_so-chinh-thuc.xlsx",
                when,
                _frame(official.with_columns(note=pl.lit(OFFICIAL_NOTE))),
                "revision",
            )
        )
        if len(out) == 5:
            break
    return out


def _rejections(
    catalogue: Catalogue, regular: dict[tuple[str, str], DemoBatch], today: dt.date, seed: int
) -> list[DemoBatch]:
    """Three wrong files, each sent a few hours before its corrected version."""
    rng = _rng(seed, "rejections")
    by_code = catalogue.by_code
    recent = today - dt.timedelta(days=400)
    keys = sorted(k for k in regular if regular[k].submitted_at.date() >= recent)

    def choose(test) -> tuple[str, str] | None:
        pool = [k for k in keys if test(k, regular[k].frame)]
        return pool[int(rng.integers(len(pool)))] if pool else None

    def earlier(batch: DemoBatch) -> dt.datetime:
        """The wrong file goes out a little before the right one, during office hours."""
        period = periods.parse(batch.frame["period"][0])
        first_chance = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(7, 30))
        back = dt.timedelta(days=int(rng.integers(0, 3)), minutes=int(rng.integers(20, 180)))
        return max(batch.submitted_at - back, min(first_chance, batch.submitted_at - dt.timedelta(minutes=10)))

    out: list[DemoBatch] = []
    # 1. A decimal point lost: 99.6 typed as 996 in a percent column.
    key = choose(
        lambda k, f: any(by_code[c].valid_max is not None and by_code[c].valid_max <= 100 for c in f["indicator_code"])
    )
    if key:
        batch = regular[key]
        codes = [c for c in batch.frame["indicator_code"].unique().sort() if (by_code[c].valid_max or 1e18) <= 100]
        code = codes[int(rng.integers(len(codes)))]
        ind = by_code[code]
        frame = batch.frame.with_row_index("_i")
        row = frame.filter(pl.col("indicator_code") == code)["_i"][0]
        bad = frame.with_columns(
            value=pl.when(pl.col("_i") == row)
            .then(pl.max_horizontal(pl.col("value") * 10, pl.lit(float(ind.valid_max) * 10 + 1)))
            .otherwise(pl.col("value"))
        ).drop("_i")
        out.append(DemoBatch(batch.department, batch.file_name, earlier(batch), bad, "rejected"))
    # 2. The quarter written instead of the month (a quarter-end month's file).
    key = choose(lambda k, f: k[1][5:] in ("03", "06", "09", "12") and len(k[1]) == 7)
    if key:
        batch = regular[key]
        month = int(key[1][5:])
        quarter = f"{key[1][:4]}-Q{(month - 1) // 3 + 1}"
        bad = batch.frame.with_columns(period=pl.lit(quarter))
        out.append(DemoBatch(batch.department, batch.file_name, earlier(batch), bad, "rejected"))
    # 3. A "Toàn tỉnh" total row added to an indicator that only takes commune values.
    key = choose(
        lambda k, f: (
            any(
                not province.takes_province_value(by_code[c].level, by_code[c].aggregation)
                for c in f["indicator_code"].unique()
            )
            and k[0] not in {b.department for b in out}
        )
    )
    if key:
        batch = regular[key]
        codes = [
            c
            for c in batch.frame["indicator_code"].unique().sort()
            if not province.takes_province_value(by_code[c].level, by_code[c].aggregation)
        ]
        code = codes[0]
        part = batch.frame.filter(pl.col("indicator_code") == code)
        agg = province.from_communes(part["value"].to_list(), by_code[code].aggregation)
        total = pl.DataFrame(
            {
                "indicator_code": [code],
                "period": [part["period"][0]],
                "locality_code": [""],
                "value": [round(float(agg), 4)],
                "note": ["Toàn tỉnh"],
            },
            schema=FRAME_SCHEMA,
        )
        out.append(
            DemoBatch(batch.department, batch.file_name, earlier(batch), pl.concat([batch.frame, total]), "rejected")
        )
    return out


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def final_values(batches: list[DemoBatch]) -> pl.DataFrame:
    """What the store should hold after the batches: the last accepted value of every key."""
    frames = [
        b.frame.with_columns(submitted_at=pl.lit(b.submitted_at), _n=pl.lit(n))
        for n, b in enumerate(batches)
        if b.kind != "rejected"
    ]
    return (
        pl.concat(frames)
        .sort("_n")
        .unique(["indicator_code", "period", "locality_code"], keep="last", maintain_order=True)
        .drop("_n")
    )


def load_demo(
    con: duckdb.DuckDBPyConnection,
    catalogue: Catalogue | None = None,
    today: dt.date | None = None,
    seed: int = 2025,
) -> DemoSummary:
    """Generate the demo submissions and send each through ingest_frame, like a department's file.

    Each file is its own transaction, as it would be in real life. Without a catalogue the
    files under data/ are read; without a day, today.
    """
    from loaders.ingest import ingest_frame

    if catalogue is None:
        catalogue = load_catalogue(settings.CATALOGUE_FILE, settings.DEPARTMENTS_FILE, settings.LOCALITIES_FILE)
    today = today or settings.today()
    started = time.perf_counter()
    batches = generate(catalogue, today, seed)
    counts: dict[str, int] = defaultdict(int)
    revisions = 0
    rejected_files: list[str] = []
    for batch in batches:
        result = ingest_frame(
            con,
            batch.frame.rename(VI_HEADERS, strict=False),  # the template's headers, as a department's file has them
            batch.department,
            file_name=batch.file_name,
            file_hash=batch.file_hash,
            submitted_at=batch.submitted_at,
            submitted_by=DEMO_USER,
            today=batch.submitted_at.date(),
            reason=REVISION_REASON if batch.kind == "revision" else None,
        )
        counts[result.status] += 1
        if result.status == "rejected":
            rejected_files.append(batch.file_name)
        elif batch.kind == "revision" and result.revised_rows:
            revisions += 1
    summary = _finish(con, today, seed, batches, counts, revisions, rejected_files, started)
    return summary


def _finish(
    con: duckdb.DuckDBPyConnection,
    today: dt.date,
    seed: int,
    batches: list[DemoBatch],
    counts: dict[str, int],
    revisions: int,
    rejected_files: list[str],
    started: float,
) -> DemoSummary:
    observations = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    summary = DemoSummary(
        submissions=len(batches),
        accepted=counts["accepted"],
        unchanged=counts["unchanged"],
        rejected=counts["rejected"],
        revisions=revisions,
        observations=int(observations),
        seconds=round(time.perf_counter() - started, 2),
        rejected_files=rejected_files,
    )
    detail = {
        "demo": True,
        "seed": seed,
        "today": today.isoformat(),
        "submissions": summary.submissions,
        "accepted": summary.accepted,
        "unchanged": summary.unchanged,
        "rejected": summary.rejected,
        "revisions": summary.revisions,
        "observations": summary.observations,
    }
    audit.record(con, DEMO_USER, "demo_load", "observations", detail)
    return summary
