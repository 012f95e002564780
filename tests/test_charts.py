"""Chart builders, through ``chart.to_dict()``: marks, encodings, titles, targets, locales, empty frames."""

from __future__ import annotations

import json
import math
from datetime import date

import polars as pl
import pytest
import vl_convert

from dashboard import charts, theme
from dashboard.charts import ChartText, chart_text, status_bands
from rules import timeliness

MONTHS = ["2025-01", "2025-02", "2025-03", "2025-11", "2025-12", "2026-01"]
LABELS = ["Tháng 1/2025", "Tháng 2/2025", "Tháng 3/2025", "Tháng 11/2025", "Tháng 12/2025", "Tháng 1/2026"]


def _text(**kw) -> ChartText:
    base = dict(unit="%", period="Tháng 1/2026", source="Sở Nông nghiệp và Môi trường", as_of=date(2026, 2, 14))
    base.update(kw)
    return chart_text("Tỷ lệ hộ nghèo", "vi", **base)


def _history(target: bool = True) -> pl.DataFrame:
    in_order = pl.DataFrame(
        {
            "period": MONTHS,
            "period_label": LABELS,
            "value": [4.1, 4.3, float("nan"), 5.0, 5.6, 6.2],
            "target": [4.0, 4.0, 4.0, 4.0, 4.0, 5.0] if target else [None] * 6,
        }
    )
    return in_order.reverse()  # out of order on purpose: builders sort by the canonical period


def _units(spec: dict) -> list[dict]:
    """Every unit (single-mark) spec inside a spec, in order."""
    found = []
    if "mark" in spec:
        found.append(spec)
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            found += _units(child)
    if "spec" in spec:
        found += _units(spec["spec"])
    return found


def _mark(unit: dict) -> str:
    mark = unit["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def _named(spec: dict, name: str) -> list[dict]:
    return [u for u in _units(spec) if u.get("name") == name]


def _values(spec: dict, unit: dict) -> list[dict]:
    data = unit.get("data") or spec.get("data")
    if "values" in data:
        return data["values"]
    return spec["datasets"][data["name"]]


def _subtitle(spec: dict) -> str:
    sub = spec["title"].get("subtitle", [])
    return "\n".join(sub if isinstance(sub, list) else [sub])


def _compiles(spec: dict) -> None:
    """Vega-Lite accepts it (catches what the JSON schema cannot: bad expressions, scales)."""
    vega = vl_convert.vegalite_to_vega(spec)
    assert vega["marks"] or vega.get("data")


# --- labels ------------------------------------------------------------------------------------------


def test_chart_text_composes_the_subtitle():
    text = _text(demo=True)
    assert text.title == "Tỷ lệ hộ nghèo"
    assert text.subtitle[0] == "Đơn vị: %  ·  Kỳ: Tháng 1/2026"
    assert text.subtitle[1] == "Nguồn: Sở Nông nghiệp và Môi trường  ·  Số liệu tính đến 14/02/2026"
    assert text.subtitle[2] == "Dữ liệu minh hoạ (demo)"
    en = chart_text("Poverty rate", "en", unit="%", source="DAE", as_of=date(2026, 2, 14))
    assert en.subtitle == ("Unit: %", "Source: DAE  ·  Data as of 14 Feb 2026")
    assert chart_text("X", "vi").subtitle == ()


def test_chart_words_resolve_from_names_then_catalogue():
    text = ChartText(lang="en", names={"target": "Plan 2026"})
    assert text.name("target") == "Plan 2026"
    assert text.name("status.on_track") == "On track"
    assert text.name("ytd") == "Year to date"
    assert text.name("commune") == "Commune or ward"
    # every word the builders ask for is in the catalogue
    words = [
        "period", "value", "target", "status", "target_value", "ytd", "plan_ytd", "annual_target", "pct_of_target",
        "rank", "commune", "mean", "total", "group", "count", "components", "contribution", "max_contribution",
        "score", "department", "received", "indicator", "empty",
    ]  # fmt: skip
    templates = {"target_value", "mean", "total", "pct_of_target"}
    vi = ChartText(lang="vi")
    plain = [w for w in words if w not in templates]
    assert [w for w in plain if vi.name(w) == w or "{" in vi.name(w)] == []
    assert [w for w in templates if "1" not in vi.name(w, value="1", pct="1")] == []


def test_plain_dict_labels_are_accepted():
    spec = charts.history_chart(_history(), {"title": "Tỷ lệ", "subtitle": "Đơn vị: %", "lang": "en"}).to_dict()
    assert spec["title"]["text"] == "Tỷ lệ"
    assert _subtitle(spec) == "Đơn vị: %"
    assert spec["config"]["locale"]["number"]["decimal"] == "."


# --- history -----------------------------------------------------------------------------------------


def test_history_with_target():
    spec = charts.history_chart(_history(), _text()).to_dict()
    marks = [_mark(u) for u in _units(spec)]
    assert {"rect", "line", "rule", "text"} <= set(marks)
    assert spec["title"]["text"] == "Tỷ lệ hộ nghèo"
    sub = _subtitle(spec)
    for part in ("Đơn vị: %", "Tháng 1/2026", "Nguồn: Sở Nông nghiệp và Môi trường", "14/02/2026"):
        assert part in sub
    assert spec["width"] == "container"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["font"].startswith(theme.FONT)

    (values,) = _named(spec, "values")
    enc = values["encoding"]
    assert enc["x"]["field"] == "period_label" and enc["x"]["sort"] == LABELS  # time order
    assert enc["y"]["field"] == "value"
    rows = _values(spec, values)
    assert [r["period"] for r in rows] == MONTHS
    assert rows[2]["value"] is None  # NaN became null
    assert rows[-1]["value_text"] == "6,2 %"

    (target,) = _named(spec, "target")
    assert _mark(target) == "rule"
    assert target["encoding"]["y"]["field"] == "target"
    (label,) = _named(spec, "target_label")
    assert [r["label"] for r in _values(spec, label)] == ["Chỉ tiêu: 4,0 %", "Chỉ tiêu: 5,0 %"]  # one per step
    (last,) = _named(spec, "last_value")
    assert _values(spec, last)[0]["value_text"] == "6,2 %"
    json.dumps(spec, allow_nan=False)  # valid JSON for the browser
    _compiles(spec)


def test_history_without_target_has_no_rule_nor_bands():
    spec = charts.history_chart(_history(target=False), _text()).to_dict()
    marks = [_mark(u) for u in _units(spec)]
    assert "rule" not in marks
    assert "rect" not in marks
    assert _named(spec, "target") == [] and _named(spec, "bands") == []
    assert "line" in marks
    _compiles(spec)


def test_history_bands_follow_the_direction():
    up = charts.history_chart(_history(), _text(), direction="up").to_dict()
    down = charts.history_chart(_history(), _text(), direction="down").to_dict()

    def band(spec, status_label):
        (bands,) = _named(spec, "bands")
        rows = [r for r in _values(spec, bands) if r["period_label"] == "Tháng 1/2026" and r["band"] == status_label]
        assert len(rows) == 1
        return rows[0]

    on = "Đạt/vượt kế hoạch"
    assert band(up, on)["lo"] == pytest.approx(5.0)  # target 5 on Tháng 1/2026: on track above
    assert band(down, on)["hi"] == pytest.approx(5.0)  # lower is better: on track below
    assert band(up, "Có nguy cơ")["lo"] == pytest.approx(4.5)
    assert band(down, "Có nguy cơ")["hi"] == pytest.approx(5.0 / 0.9)


def test_history_bars_and_english_locale():
    text = chart_text("Traffic accidents", "en", unit="cases")
    spec = charts.history_chart(_history(), text, mark="bar").to_dict()
    (values,) = _named(spec, "values")
    assert _mark(values) == "bar"
    assert spec["config"]["locale"]["number"] == {
        "decimal": ".",
        "thousands": ",",
        "grouping": [3],
        "currency": ["", " VND"],
    }
    assert _values(spec, values)[-1]["value_text"] == "6.2 cases"
    y_scale = values["encoding"]["y"]["scale"]
    assert y_scale["domain"][0] == 0  # bars start at zero
    _compiles(spec)


def test_slide_chart_is_the_big_screen_history():
    spec = charts.slide_chart(_history(), _text()).to_dict()
    assert spec["config"]["title"]["fontSize"] == theme.SIZES["big_screen"]["title"]
    assert spec["config"]["axis"]["labelFontSize"] == theme.SIZES["big_screen"]["axis_label"]
    assert spec["height"] == theme.SIZES["big_screen"]["height"]
    assert _named(spec, "target")
    normal = charts.history_chart(_history(), _text()).to_dict()
    assert normal["config"]["title"]["fontSize"] == theme.SIZES["screen"]["title"]
    _compiles(spec)


@pytest.mark.parametrize(
    ("direction", "target", "expected"),
    [
        ("up", 100, [("off_track", -math.inf, 90), ("at_risk", 90, 100), ("on_track", 100, math.inf)]),
        ("down", 9, [("on_track", -math.inf, 9), ("at_risk", 9, 10), ("off_track", 10, math.inf)]),
        (
            "target",
            50,
            [("off_track", -math.inf, 45), ("at_risk", 45, 50), ("at_risk", 50, 55), ("off_track", 55, math.inf)],
        ),
        ("up", None, []),
        ("down", 0, [("on_track", -math.inf, 0), ("off_track", 0, math.inf)]),
        ("up", -2, [("off_track", -math.inf, -2), ("on_track", -2, math.inf)]),
    ],
)
def test_status_bands(direction, target, expected):
    got = status_bands(target, direction, 100, 90)
    assert [s for s, _, _ in got] == [s for s, _, _ in expected]
    for (_, lo, hi), (_, elo, ehi) in zip(got, expected, strict=True):
        assert lo == pytest.approx(elo) and hi == pytest.approx(ehi)


def test_status_bands_target_direction_with_a_tolerance():
    got = dict((s, (lo, hi)) for s, lo, hi in status_bands(50, "target", 95, 90) if s == "on_track")
    assert got["on_track"] == (pytest.approx(47.5), pytest.approx(52.5))


# --- year to date ---------------------------------------------------------------------------------------


def _ytd() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "period": ["2025-03", "2025-01", "2025-02"],
            "period_label": ["Tháng 3/2025", "Tháng 1/2025", "Tháng 2/2025"],
            "ytd": [15000.0, 5000.0, 10100.0],
            "plan_ytd": [14208.5, 4736.2, 9472.3],
        }
    )


def test_ytd_vs_plan():
    text = chart_text("Thu ngân sách nhà nước", "vi", unit="tỷ đồng", period="Quý I/2025", source="Sở Tài chính")
    spec = charts.ytd_vs_plan_chart(_ytd(), text, annual_target=56834).to_dict()
    assert [_mark(u) for u in _units(spec)] == ["bar", "line", "rule", "text"]
    (bars,) = _named(spec, "ytd")
    assert bars["encoding"]["x"]["sort"] == ["Tháng 1/2025", "Tháng 2/2025", "Tháng 3/2025"]
    assert bars["encoding"]["color"]["scale"]["domain"] == ["Lũy kế thực hiện", "Kế hoạch lũy kế", "Chỉ tiêu năm"]
    (last,) = _named(spec, "last_value")
    assert _values(spec, last)[0]["label"] == "15.000 tỷ đồng (đạt 26,4 % chỉ tiêu năm)"
    assert "Sở Tài chính" in _subtitle(spec)
    _compiles(spec)


def test_ytd_without_plan_nor_target():
    spec = charts.ytd_vs_plan_chart(_ytd().drop("plan_ytd"), _text()).to_dict()
    marks = [_mark(u) for u in _units(spec)]
    assert marks == ["bar", "text"]
    _compiles(spec)


# --- communes --------------------------------------------------------------------------------------------


def _communes() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "locality_code": ["07210", "09187", "09367", "07612"],
            "name": ["Bắc Giang", "Kinh Bắc", "Từ Sơn", "Phượng Sơn"],
            "value": [3.2, 5.5, None, 1.25],
        }
    )


def test_commune_bars_ranked_with_reference():
    spec = charts.commune_bars(_communes(), _text(), reference=3.3, highlight=["09187"]).to_dict()
    (bars,) = _named(spec, "bars")
    assert _mark(bars) == "bar"
    assert bars["encoding"]["y"]["sort"] == ["Kinh Bắc", "Bắc Giang", "Phượng Sơn"]  # best first, null left out
    rows = _values(spec, bars)
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert [r["fill"] for r in rows] == [theme.ACCENT, theme.PRIMARY, theme.PRIMARY]
    assert [r["value_text"] for r in rows] == ["5,5", "3,2", "1,3"]  # one number of decimals, half up
    (ref,) = _named(spec, "reference")
    assert _mark(ref) == "rule"
    (ref_label,) = _named(spec, "reference_label")
    assert _values(spec, ref_label)[0]["label"] == "Bình quân toàn tỉnh: 3,3 %"
    assert spec["height"] >= 3 * 15
    _compiles(spec)


def test_commune_bars_lower_is_better_total_and_status():
    df = _communes().with_columns(pl.Series("status", ["on_track", "off_track", None, "at_risk"]))
    spec = charts.commune_bars(df, _text(), direction="down", reference=10, reference_kind="total").to_dict()
    (bars,) = _named(spec, "bars")
    assert bars["encoding"]["y"]["sort"] == ["Phượng Sơn", "Bắc Giang", "Kinh Bắc"]
    assert bars["encoding"]["color"]["scale"]["domain"] == ["Đạt/vượt kế hoạch", "Có nguy cơ", "Không đạt"]
    (ref_label,) = _named(spec, "reference_label")
    assert _values(spec, ref_label)[0]["label"].startswith("Toàn tỉnh: ")
    no_ref = charts.commune_bars(_communes(), _text()).to_dict()
    assert _named(no_ref, "reference") == []
    _compiles(spec)


def test_commune_names_that_repeat_get_their_code():
    df = pl.DataFrame({"locality_code": ["1", "2"], "name": ["Tân An", "Tân An"], "value": [1.0, 2.0]})
    spec = charts.commune_bars(df, _text()).to_dict()
    (bars,) = _named(spec, "bars")
    assert bars["encoding"]["y"]["sort"] == ["Tân An (2)", "Tân An (1)"]


def test_commune_bars_past_the_cap_draw_the_best_and_worst_and_say_so():
    n = 3_465  # a national database: every commune of 35 provinces
    df = pl.DataFrame(
        {
            "locality_code": [f"{i:05d}" for i in range(n)],
            "name": [f"Xã {i}" for i in range(n)],
            "value": [float(i) for i in range(n)],
        }
    )
    spec = charts.commune_bars(df, _text(), highlight=["01000"], most=120).to_dict()
    (bars,) = _named(spec, "bars")
    rows = _values(spec, bars)
    ranks = [r["rank"] for r in rows]
    assert len(rows) == 121  # 60 best, 60 worst, and the highlighted commune in between
    assert ranks[:60] == list(range(1, 61)) and ranks[-60:] == list(range(n - 59, n + 1))
    assert 2_465 in ranks  # value 1000 ranks 3465 - 1000 in a higher-is-better list
    assert spec["title"]["subtitle"][-1] == "60 xã, phường đầu và 60 cuối trong số 3.465"
    small = charts.commune_bars(df.head(99), _text(), most=120).to_dict()
    (bars,) = _named(small, "bars")
    assert len(_values(small, bars)) == 99 and "trong số" not in " ".join(small["title"].get("subtitle", []))


# --- sparklines ----------------------------------------------------------------------------------------------


def test_sparkline_values():
    df = pl.DataFrame({"period": ["2025-03", "2025-01", "2025-02", "2025-04"], "value": [3.0, 1.0, None, 4.0]})
    assert charts.sparkline_values(df) == [1.0, 3.0, 4.0]
    assert charts.sparkline_values(df, n=2) == [3.0, 4.0]
    assert charts.sparkline_values(pl.DataFrame()) == []
    assert charts.sparkline_values(None) == []


def test_sparklines_per_indicator():
    df = pl.DataFrame(
        {
            "indicator_code": ["A", "A", "B", "A", "B"],
            "period": ["2025-02", "2025-01", "2025-01", "2025-03", "2025-02"],
            "value": [2.0, 1.0, 10.0, float("nan"), 20.0],
        }
    )
    out = {r["indicator_code"]: r["spark"] for r in charts.sparklines(df).to_dicts()}
    assert out == {"A": [1.0, 2.0], "B": [10.0, 20.0]}
    assert charts.sparklines(pl.DataFrame()).columns == ["indicator_code", "spark"]


# --- status by group ------------------------------------------------------------------------------------


def test_status_by_group():
    df = pl.DataFrame(
        {
            "group": ["output", "input", "input", "input", "output", "composite"],
            "status": ["on_track", "off_track", "on_track", "at_risk", "late", "no_data"],
            "count": [10, 1, 6, 2, 3, 0],
        }
    )
    spec = charts.status_by_group_chart(df, chart_text("Tổng quan", "vi", period="Quý III/2025")).to_dict()
    (bars,) = _named(spec, "bars")
    assert bars["encoding"]["y"]["sort"] == ["Đầu vào", "Kết quả thực hiện nhiệm vụ"]  # contract order, empty left out
    assert bars["encoding"]["color"]["scale"]["domain"] == [
        "Đạt/vượt kế hoạch",
        "Có nguy cơ",
        "Không đạt",
        "Chậm báo cáo",
    ]
    assert bars["encoding"]["color"]["scale"]["range"][0] == theme.STATUS_COLORS["on_track"]
    rows = [r for r in _values(spec, bars) if r["group"] == "input"]
    assert [(r["status"], r["x0"], r["x1"]) for r in rows] == [
        ("on_track", 0, 6),
        ("at_risk", 6, 8),
        ("off_track", 8, 9),
    ]
    assert _named(spec, "counts") and _mark(_named(spec, "counts")[0]) == "text"
    _compiles(spec)


# --- composite --------------------------------------------------------------------------------------------


def test_composite_contributions():
    df = pl.DataFrame(
        {
            "component": ["T", "P", "O"],
            "component_label": ["Công khai, minh bạch", "Tiến độ giải quyết", "Dịch vụ trực tuyến"],
            "contribution": [17.1, 19.62, 10.8],
            "max_contribution": [18.0, 20.0, 12.0],
        }
    )
    text = chart_text("Chỉ số phục vụ người dân và doanh nghiệp", "vi", unit="điểm", source="Văn phòng Chính phủ")
    spec = charts.composite_contributions_chart(df, text).to_dict()
    (contrib,) = _named(spec, "contribution")
    assert contrib["encoding"]["y"]["sort"] == ["Tiến độ giải quyết", "Công khai, minh bạch", "Dịch vụ trực tuyến"]
    assert _named(spec, "max")
    labels = [r["label"] for r in _values(spec, _named(spec, "labels")[0])]
    assert labels == ["19,6 / 20", "17,1 / 18", "10,8 / 12"]
    no_max = charts.composite_contributions_chart(df.drop("max_contribution"), text).to_dict()
    assert _named(no_max, "max") == []
    _compiles(spec)
    _compiles(no_max)


# --- timeliness ------------------------------------------------------------------------------------------


def test_timeliness_heatmap():
    df = pl.DataFrame(
        {
            "department": ["YT", "TC", "YT", "TC"],
            "department_label": ["Sở Y tế", "Sở Tài chính", "Sở Y tế", "Sở Tài chính"],
            "period": ["2025-02", "2025-01", "2025-01", "2025-02"],
            "period_label": ["Tháng 2/2025", "Tháng 1/2025", "Tháng 1/2025", "Tháng 2/2025"],
            "status": ["late", "on_time", "missing", "not_due"],
            "cell_text": ["3/4", None, "0/4", None],
        }
    )
    spec = charts.timeliness_heatmap(df, chart_text("Tính kịp thời", "vi")).to_dict()
    (cells,) = _named(spec, "cells")
    assert _mark(cells) == "rect"
    assert cells["encoding"]["x"]["sort"] == ["Tháng 1/2025", "Tháng 2/2025"]
    assert cells["encoding"]["y"]["sort"] == ["Sở Tài chính", "Sở Y tế"]
    scale = cells["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Đúng hạn", "Chậm hạn", "Chưa nộp", "Chưa đến hạn"]
    assert scale["range"][0] == theme.TIMELINESS_COLORS["on_time"]
    assert _named(spec, "cell_text")
    _compiles(spec)


# --- explorer -----------------------------------------------------------------------------------------------


def test_explorer_lines_by_period():
    df = pl.DataFrame(
        {
            "series": ["Từ Sơn", "Bắc Giang", "Từ Sơn", "Bắc Giang"],
            "period": ["2025-02", "2025-01", "2025-01", "2025-02"],
            "period_label": ["Tháng 2/2025", "Tháng 1/2025", "Tháng 1/2025", "Tháng 2/2025"],
            "value": [1.5, 2.0, 1.0, 2.5],
        }
    )
    spec = charts.explorer_chart(df, _text()).to_dict()
    (lines,) = _named(spec, "lines")
    assert _mark(lines) == "line"
    assert lines["encoding"]["color"]["field"] == "series"
    assert lines["encoding"]["color"]["sort"] == ["Bắc Giang", "Từ Sơn"]
    assert lines["encoding"]["x"]["sort"] == ["Tháng 1/2025", "Tháng 2/2025"]
    one = charts.explorer_chart(df.filter(pl.col("series") == "Từ Sơn"), _text()).to_dict()
    assert "field" not in _named(one, "lines")[0]["encoding"]["color"]  # one series: one colour, no legend
    few = charts.explorer_chart(df, _text(), max_series=1).to_dict()
    assert {r["series"] for r in _values(few, _named(few, "lines")[0])} == {"Bắc Giang"}
    _compiles(spec)


def test_explorer_bars_by_commune():
    df = pl.DataFrame({"name": ["Từ Sơn", "Bắc Giang"], "value": [1.0, 2.0]})
    spec = charts.explorer_chart(df, _text(), by="commune").to_dict()
    (bars,) = _named(spec, "bars")
    assert _mark(bars) == "bar"
    assert bars["encoding"]["y"]["sort"] == ["Bắc Giang", "Từ Sơn"]
    two = pl.concat([df.with_columns(pl.lit("A").alias("series")), df.with_columns(pl.lit("B").alias("series"))])
    grouped = charts.explorer_chart(two, _text(), by="commune").to_dict()
    assert _named(grouped, "bars")[0]["encoding"]["yOffset"]["field"] == "series"
    _compiles(spec)
    _compiles(grouped)


# --- empty frames -------------------------------------------------------------------------------------------

BUILDERS = [
    ("history", lambda df, t: charts.history_chart(df, t)),
    ("slide", lambda df, t: charts.slide_chart(df, t)),
    ("ytd", lambda df, t: charts.ytd_vs_plan_chart(df, t, annual_target=10)),
    ("communes", lambda df, t: charts.commune_bars(df, t, reference=1)),
    ("groups", lambda df, t: charts.status_by_group_chart(df, t)),
    ("composite", lambda df, t: charts.composite_contributions_chart(df, t)),
    ("timeliness", lambda df, t: charts.timeliness_heatmap(df, t)),
    ("explorer", lambda df, t: charts.explorer_chart(df, t)),
    ("explorer_commune", lambda df, t: charts.explorer_chart(df, t, by="commune")),
]


@pytest.mark.parametrize(("name", "build"), BUILDERS, ids=[b[0] for b in BUILDERS])
@pytest.mark.parametrize(
    "frame",
    [
        pl.DataFrame(),
        pl.DataFrame({"period": [], "value": []}),
        pl.DataFrame({"period": ["2025-01"], "value": [None], "target": [None], "name": ["X"], "count": [0]}),
    ],
    ids=["no columns", "no rows", "only nulls"],
)
def test_empty_frames_say_so(name, build, frame):
    spec = build(frame, _text()).to_dict()
    (empty,) = _named(spec, "empty")
    assert _values(spec, empty) == [{"message": "Chưa có số liệu để vẽ biểu đồ"}]
    assert spec["title"]["text"] == "Tỷ lệ hộ nghèo"  # still titled, so an exported empty chart says what it is
    assert "Nguồn: Sở Nông nghiệp và Môi trường" in _subtitle(spec)
    _compiles(spec)


def test_the_theme_is_registered_and_active():
    import altair as alt

    assert alt.theme.active == theme.THEME_NAME
    assert theme.THEME_NAME in alt.theme.names()
    assert set(theme.STATUS_COLORS) >= {"on_track", "at_risk", "off_track", "no_data", "late"}
    assert len(set(theme.STATUS_COLORS.values())) == len(theme.STATUS_COLORS)


# --- frames straight from the evaluation layer ---------------------------------------------------------------


def test_period_labels_are_written_when_missing():
    df = pl.DataFrame({"period": ["2025-Q3", "2025-Q2"], "value": [1.0, 2.0], "target": [None, None]})
    spec = charts.history_chart(df, chart_text("X", "vi")).to_dict()
    assert _named(spec, "values")[0]["encoding"]["x"]["sort"] == ["Quý II/2025", "Quý III/2025"]
    spec = charts.history_chart(df, chart_text("X", "en")).to_dict()
    assert _named(spec, "values")[0]["encoding"]["x"]["sort"] == ["Q2 2025", "Q3 2025"]


def test_status_counts_in_wide_form():
    wide = pl.DataFrame(
        {"group": ["input", "process"], "total": [3, 2], "on_track": [2, 0], "at_risk": [0, 0], "off_track": [1, 2]}
    )
    spec = charts.status_by_group_chart(wide, chart_text("Tổng quan", "vi")).to_dict()
    (bars,) = _named(spec, "bars")
    rows = sorted((r["group"], r["status"], r["count"]) for r in _values(spec, bars))
    assert rows == [("input", "off_track", 1), ("input", "on_track", 2), ("process", "off_track", 2)]


def test_timeliness_from_counts():
    counts = pl.DataFrame(
        {
            "department": ["TC", "TC", "YT", "YT"],
            "period": ["2025-01", "2025-02", "2025-01", "2025-02"],
            "expected": [4, 4, 2, 0],
            "received": [4, 3, 2, 0],
            "on_time": [4, 3, 1, 0],
        }
    )
    cells = timeliness.verdicts(counts)
    assert cells["status"].to_list() == ["on_time", "missing", "late", "not_due"]
    assert cells["cell_text"].to_list() == ["4/4", "3/4", "2/2", None]
    spec = charts.timeliness_heatmap(counts, chart_text("Tính kịp thời", "vi")).to_dict()
    (cells_layer,) = _named(spec, "cells")
    assert cells_layer["encoding"]["y"]["sort"] == ["TC", "YT"]  # codes when no names are given
    assert cells_layer["encoding"]["x"]["sort"] == ["Tháng 1/2025", "Tháng 2/2025"]


def test_composite_from_evaluation_columns():
    df = pl.DataFrame(
        {"component_code": ["A", "B"], "weight": [3.0, 1.0], "score": [80.0, 40.0], "contribution": [60.0, 10.0]}
    )
    spec = charts.composite_contributions_chart(df, chart_text("PCI", "vi")).to_dict()
    rows = _values(spec, _named(spec, "max")[0])
    assert [(r["component_label"], r["max_contribution"]) for r in rows] == [("A", 75.0), ("B", 25.0)]
