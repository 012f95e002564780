"""Named queries: stated columns, the right rows, bound values, allow-listed sorts, builders as tables."""

from datetime import date, datetime

import polars as pl
import pytest

from db import queries as q
from rules import province
from tests.fixtures_db import Obs, Rejected, build, indicator, monthly

HOSTILE = "x' OR '1'='1'; DROP TABLE observations; --"


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    file = tmp_path_factory.mktemp("queries") / "q.duckdb"
    return build(
        file,
        [
            indicator("GRDP", group="outcome", field="economy", owner="STC", unit="%"),
            indicator("POOR", group="outcome", field="social", owner="SYT", level="commune", aggregation="sum"),
            indicator("BEDS", group="input", field="health", owner="SYT", level="commune", aggregation="mean"),
            indicator("IDX", group="composite", owner="VPUBND", source="Tính toán"),
        ],
        monthly("GRDP", 2025, [8.0, 8.5, 9.0])
        + [
            Obs("GRDP", "2025-02", 8.7, at=datetime(2025, 4, 1, 10), note="ước tính 'sơ bộ'"),  # a revision
            Obs("POOR", "2025-03", 10, "07210"),
            Obs("POOR", "2025-03", 30, "09187"),
            Obs("BEDS", "2025-03", 4, "07210"),
            Obs("BEDS", "2025-03", 6, "07537"),
            Obs("BEDS", "2025-02", 5, ""),
        ],
        targets={"GRDP": {2024: 7.0, 2025: 10.0}},
        components={"IDX": [("GRDP", 0.5), ("BEDS", 0.5)]},
        rejected=[
            Rejected(
                "SYT",
                datetime(2025, 4, 2, 8),
                [
                    {
                        "row": 3,
                        "column": "value",
                        "value": "1.234",
                        "message_vi": "Số mơ hồ",
                        "message_en": "Ambiguous",
                    },
                    {"row": 2, "column": "period", "value": 2030, "message_vi": "Kỳ tương lai", "message_en": "Future"},
                ],
                file_name="o'brien.csv",
            )
        ],
        localities=[("07210", "Bắc Giang", "phuong"), ("09187", "Kinh Bắc", "phuong"), ("07537", "Xã O'Lành", "xa")],
    )


def test_catalogue(path):
    cat = q.catalogue(path)
    assert cat.columns[:6] == ["code", "name_vi", "name_en", "group", "field", "owner"]
    assert {"owner_name_vi", "owner_name_en", "targets", "components", "on_track_pct", "at_risk_pct"} <= set(
        cat.columns
    )
    assert cat["code"].to_list() == ["GRDP", "POOR", "BEDS", "IDX"]  # catalogue order
    grdp = cat.row(0, named=True)
    assert grdp["owner_name_vi"] == "Sở Tài chính"
    assert grdp["targets"] == [{"year": 2024, "value": 7.0}, {"year": 2025, "value": 10.0}]
    assert grdp["components"] == []
    assert cat.row(3, named=True)["components"] == [{"code": "BEDS", "weight": 0.5}, {"code": "GRDP", "weight": 0.5}]
    assert q.catalogue(path, ["grdp", " idx "])["code"].to_list() == ["GRDP", "IDX"]
    assert q.catalogue(path, [HOSTILE]).is_empty()


def test_reference_tables(path):
    assert q.departments(path).columns == ["code", "name_vi", "name_en"]
    assert q.departments(path)["code"].to_list() == ["SCT", "STC", "SYT", "VPUBND"]
    loc = q.localities(path)
    assert loc.columns == ["code", "name", "kind"] and loc.height == 3
    assert q.targets(path, ["GRDP"]).rows() == [("GRDP", 2024, 7.0), ("GRDP", 2025, 10.0)]
    assert q.components(path).columns == ["composite_code", "component_code", "weight"]


SERIES_COLUMNS = [
    "indicator_code",
    "period",
    "period_start",
    "period_end",
    "value",
    "computed",
    "n_localities",
    "submitted_at",
]


def test_province_series(path):
    ps = q.province_series(path)
    assert ps.columns == SERIES_COLUMNS
    got = {(r["indicator_code"], r["period"]): (r["value"], r["computed"]) for r in ps.to_dicts()}
    assert got == {
        ("GRDP", "2025-01"): (8.0, False),
        ("GRDP", "2025-02"): (8.7, False),  # the current value after the revision
        ("GRDP", "2025-03"): (9.0, False),
        ("POOR", "2025-03"): (40.0, True),  # sum of the communes
        ("BEDS", "2025-02"): (5.0, False),  # submitted province row
        ("BEDS", "2025-03"): (5.0, True),  # mean of the communes
    }
    assert ps.filter(pl.col("computed"))["period_start"].null_count() == 0
    assert q.province_series(path, ["poor"]).height == 1
    assert q.province_series(path, since=date(2025, 3, 1), until=date(2025, 3, 1)).height == 3
    assert q.province_series(path, [HOSTILE]).columns == SERIES_COLUMNS


@pytest.mark.parametrize(
    ("kwargs", "in_sql", "params"),
    [
        ({}, [], {}),
        ({"codes": ["A", "B"]}, ["list_contains($codes, o.indicator_code)"], {"codes": ["A", "B"]}),
        ({"since": date(2025, 1, 1)}, ["o.period_start >= $since"], {"since": date(2025, 1, 1)}),
        ({"until": date(2025, 1, 1)}, ["o.period_start <= $until"], {"until": date(2025, 1, 1)}),
    ],
)
def test_province_series_builder(kwargs, in_sql, params):
    sql, got = province.series_sql(**kwargs)
    assert got == params
    for fragment in in_sql:
        assert fragment in sql
    for absent in ("$codes", "$since", "$until"):
        if absent[1:] not in params:
            assert absent not in sql


def test_commune_values(path):
    cv = q.commune_values(path, "poor", "2025-03")
    assert cv.columns == [
        "locality_code",
        "locality_name",
        "kind",
        "value",
        "note",
        "submitted_at",
        "submission_id",
        "rank",
        "share_pct",
    ]
    assert cv.select("locality_code", "value", "rank", "share_pct").rows() == [
        ("09187", 30.0, 1, 75.0),
        ("07210", 10.0, 2, 25.0),
        ("07537", None, None, None),  # every commune is listed, even without a value
    ]
    assert q.commune_values(path, HOSTILE, HOSTILE)["value"].null_count() == 3


def test_locality_series(path):
    s = q.locality_series(path, "BEDS", "07537")
    assert s.columns == ["period", "period_start", "period_end", "value", "note", "submitted_at"]
    assert s.rows()[0][:4] == ("2025-03", date(2025, 3, 1), date(2025, 3, 31), 6.0)


def test_history_with_revisions(path):
    h = q.history(path, "GRDP", "")
    assert h.columns == [
        "indicator_code",
        "period",
        "period_start",
        "locality_code",
        "value",
        "note",
        "department",
        "submission_id",
        "submitted_at",
        "file_name",
        "submitted_by",
        "reason",
        "version",
        "versions",
        "previous_value",
        "is_current",
    ]
    feb = h.filter(pl.col("period") == "2025-02").select("version", "versions", "value", "previous_value", "is_current")
    assert feb.rows() == [(1, 2, 8.5, None, False), (2, 2, 8.7, 8.5, True)]
    revised = q.history(path, "GRDP", revisions_only=True)
    assert revised["period"].unique().to_list() == ["2025-02"]
    assert q.history(path, "POOR")["locality_code"].sort().to_list() == ["07210", "09187"]
    assert q.history(path, HOSTILE).is_empty()


def test_history_reads_a_file_written_before_reasons_were_kept(path, tmp_path):
    """observation_history.reason arrives with a file's next write: until then every reason reads as empty."""
    import shutil

    import duckdb

    old = tmp_path / "old.duckdb"
    shutil.copyfile(path, old)
    con = duckdb.connect(str(old))
    con.execute("ALTER TABLE observation_history DROP COLUMN reason")
    con.close()
    assert not q.has_column(old, "observation_history", "reason") and q.has_column(
        path, "observation_history", "reason"
    )
    h = q.history(old, "GRDP", "", True)
    assert h["reason"].to_list() == [None, None] and h["value"].to_list() == [8.5, 8.7]


def test_submissions_and_their_errors(path):
    subs = q.submissions(path)
    assert subs.columns == [
        "id",
        "department",
        "department_name_vi",
        "department_name_en",
        "file_name",
        "submitted_at",
        "submitted_by",
        "status",
        "rows",
        "new_rows",
        "revised_rows",
        "n_errors",
        "unreadable",
        "errors",
    ]
    assert subs["submitted_at"].is_sorted(descending=True)
    rejected = q.submissions(path, status="rejected")
    assert rejected.select("department", "file_name", "n_errors").rows() == [("SYT", "o'brien.csv", 2)]
    assert rejected["unreadable"].to_list() == [False]  # rows were read: rejected for its content
    assert set(q.submissions(path, department="syt")["department"].to_list()) == {"SYT"}
    assert q.submissions(path, department=HOSTILE).is_empty()
    assert q.submissions(path, limit=1).height == 1
    with pytest.raises(ValueError, match="unknown submission status"):
        q.submissions(path, status="accepted' OR 1=1 --")
    errors = q.submission_errors(path, rejected["id"].item())
    assert errors.columns == ["row", "column", "value", "message_vi", "message_en"]
    assert errors.select("row", "column", "value").rows() == [(2, "period", "2030"), (3, "value", "1.234")]
    accepted_id = q.submissions(path, status="accepted")["id"][0]
    assert q.submission_errors(path, accepted_id).is_empty()


def test_freshness(path):
    f = q.freshness(path)
    assert f.columns == ["latest_submitted_at", "accepted", "rejected", "latest_period_end"]
    row = f.row(0, named=True)
    assert row["latest_submitted_at"] == datetime(2025, 4, 1, 10)  # the rejected file (2 April) does not count
    assert (row["rejected"], row["latest_period_end"]) == (1, date(2025, 3, 31))


def test_first_submissions_and_coverage(path):
    first = q.first_submissions(path, ["GRDP"])
    assert first.columns == ["indicator_code", "period", "period_start", "first_submitted_at"]
    assert first.filter(pl.col("period") == "2025-02")["first_submitted_at"].item() == datetime(2025, 2, 28, 9)
    cov = q.coverage(path)
    assert cov.columns == ["indicator_code", "n_values", "first_period_start", "last_period_start"]
    assert dict(cov.select("indicator_code", "n_values").iter_rows()) == {"BEDS": 3, "GRDP": 3, "POOR": 2}


def test_explorer_filters_and_columns(path):
    everything = q.explorer(path, q.ExplorerFilters())
    assert everything.columns == list(q.EXPLORER_COLUMNS)
    # 8 current values, and the province values made from communes where none was submitted (rules.province):
    # POOR March, the sum of 10 and 30; BEDS March, the mean of 4 and 6 (BEDS February has its own province row)
    assert everything.height == 10
    assert q.explorer_count(path, q.ExplorerFilters()).item() == 10
    made = everything.filter(pl.col("computed")).sort("indicator_code")
    assert made.select("indicator_code", "period", "locality_code", "value", "n_localities").rows() == [
        ("BEDS", "2025-03", "", 5.0, 2),
        ("POOR", "2025-03", "", 40.0, 2),
    ]
    health = q.ExplorerFilters(fields=("health",), localities=("07537", ""))
    assert q.explorer(path, health).select("indicator_code", "period", "locality_code", "locality_name").rows() == [
        ("BEDS", "2025-02", "", None),
        ("BEDS", "2025-03", "", None),
        ("BEDS", "2025-03", "07537", "Xã O'Lành"),
    ]
    period = q.ExplorerFilters(departments=("syt",), period_from=date(2025, 3, 1), period_to=date(2025, 3, 31))
    assert q.explorer_count(path, period).item() == 6
    assert q.explorer_count(path, q.ExplorerFilters(groups=("outcome",), codes=("grdp",))).item() == 3
    assert q.explorer(path, q.ExplorerFilters(), limit=2).height == 2
    by_value = q.explorer(path, q.ExplorerFilters(), sort="value", descending=True)
    assert by_value["value"].to_list()[0] == 40.0


@pytest.mark.parametrize(
    "filters",
    [
        q.ExplorerFilters(groups=(HOSTILE,)),
        q.ExplorerFilters(fields=(HOSTILE,)),
        q.ExplorerFilters(departments=(HOSTILE,)),
        q.ExplorerFilters(codes=(HOSTILE,)),
        q.ExplorerFilters(localities=(HOSTILE,)),
    ],
)
def test_explorer_values_are_bound(path, filters):
    assert q.explorer(path, filters).is_empty()
    assert q.explorer_count(path, q.ExplorerFilters()).item() == 10  # the table is still there
    sql, params = q.explorer_sql(filters)
    assert HOSTILE not in sql and HOSTILE.upper() not in sql
    assert any(HOSTILE in str(v) or HOSTILE.upper() in str(v) for v in params.values())


def test_explorer_sort_comes_from_the_allow_list(path):
    with pytest.raises(ValueError, match="unknown sort"):
        q.explorer(path, q.ExplorerFilters(), sort="value; DROP TABLE observations")
    for sort in q.EXPLORER_SORTS:
        assert q.explorer(path, q.ExplorerFilters(), sort=sort, limit=1).height == 1


@pytest.mark.parametrize(
    ("filters", "clauses", "params"),
    [
        (q.ExplorerFilters(), [], {"limit": q.DEFAULT_ROW_CAP}),
        (
            q.ExplorerFilters(groups=("input", "input"), codes=("a",)),
            ['list_contains($groups, i."group")', "list_contains($codes, o.indicator_code)"],
            {"groups": ["input"], "codes": ["A"], "limit": q.DEFAULT_ROW_CAP},
        ),
        (
            q.ExplorerFilters(period_from=date(2025, 1, 1), period_to=date(2025, 6, 30)),
            ["o.period_start >= $period_from", "o.period_end <= $period_to"],
            {"period_from": date(2025, 1, 1), "period_to": date(2025, 6, 30), "limit": q.DEFAULT_ROW_CAP},
        ),
    ],
)
def test_explorer_builder(filters, clauses, params):
    sql, got = q.explorer_sql(filters)
    assert got == params
    for clause in clauses:
        assert clause in sql
    selection = sql.split("rows AS")[0]  # the filters apply to the observations, before the province rows
    assert ("WHERE" in selection) == bool(clauses)


def test_explorer_without_a_cap():
    sql, params = q.explorer_sql(q.ExplorerFilters(), limit=None)
    assert "LIMIT" not in sql and "limit" not in params


def _values(series: pl.DataFrame) -> dict[tuple[str, str], float]:
    return {(r["indicator_code"], r["period"]): r["value"] for r in series.iter_rows(named=True)}


def test_the_province_series_as_it_stood_at_a_moment(path):
    """Each key's latest version committed by then, to the second; communes' values folded as they stood."""
    before = _values(q.province_series(path, at=datetime(2025, 3, 31, 8, 59, 59)))
    assert before[("GRDP", "2025-01")] == 8.0 and before[("GRDP", "2025-02")] == 8.5
    assert ("GRDP", "2025-03") not in before and ("POOR", "2025-03") not in before
    assert before[("BEDS", "2025-02")] == 5 and ("BEDS", "2025-03") not in before
    then = _values(q.province_series(path, at=datetime(2025, 3, 31, 9, 0, 0)))
    assert then[("GRDP", "2025-03")] == 9.0 and then[("GRDP", "2025-02")] == 8.5  # revised only on 1 April
    assert then[("POOR", "2025-03")] == 40 and then[("BEDS", "2025-03")] == 5  # sum of 10 and 30; mean of 4 and 6
    after = _values(q.province_series(path, at=datetime(2025, 4, 1, 10, 0, 0)))
    assert after[("GRDP", "2025-02")] == 8.7
    assert after == _values(q.province_series(path))  # nothing later: the current values


def test_the_store_as_it_stood(path):
    store = q.load_store(path, at=datetime(2025, 3, 1))
    assert store.latest_submitted_at == datetime(2025, 2, 28, 9, 0)
    assert store.as_of == date(2025, 2, 28)
    assert set(store.first_submissions["period"]) == {"2025-01", "2025-02"}
    assert q.accepted_until(path, datetime(2025, 1, 1)) is None
