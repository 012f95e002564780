"""The catalogue into the database (CONTRACT §1): written whole, or refused whole with the old one kept."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import small_indicators, write_catalogue_files

import db
from loaders.catalogue_store import load_catalogue_into
from schema.catalogue import CatalogueError


def load(db_path, files):
    return load_catalogue_into(db_path, files.catalogue, files.departments, files.localities, loaded_by="tester")


def snapshot(db_path) -> dict:
    with db.read(db_path) as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("departments", "localities", "indicators", "targets", "components", "catalogue_loads")
        }


def test_catalogue_is_written_with_position_thresholds_targets_components_and_audit(tmp_path, catalogue_files):
    path = tmp_path / "x.duckdb"
    catalogue = load(path, catalogue_files)
    assert len(catalogue.indicators) == 9
    with db.read(path) as con:
        rows = con.execute("SELECT code, position, on_track_pct, at_risk_pct, owner FROM indicators ORDER BY position")
        indicators = rows.fetchall()
        assert [r[0] for r in indicators] == [i["code"] for i in small_indicators()]
        assert [r[1] for r in indicators] == list(range(1, 10))
        assert indicators[-1][2:4] == (95.0, 80.0)  # OFF_MIX sets its own thresholds
        assert indicators[0][2:4] == (100.0, 90.0)  # the defaults
        assert con.execute("SELECT * FROM targets").fetchall() == [("FIN_REV", 2025, 56834.0)]
        assert sorted(con.execute("SELECT * FROM components").fetchall()) == [
            ("OFF_MIX", "FIN_DISB", 0.5),
            ("OFF_MIX", "HEA_VACC", 0.5),
        ]
        assert con.execute("SELECT count(*) FROM departments").fetchone()[0] == 4
        assert con.execute("SELECT code FROM localities ORDER BY code").fetchall()[0] == ("07210",)
        load_row = con.execute(
            "SELECT file_name, indicators, loaded_by, length(file_hash) FROM catalogue_loads"
        ).fetchall()
        assert load_row == [("catalogue.yaml", 9, "tester", 64)]
        action, actor, detail = con.execute("SELECT action, actor, detail FROM audit_log").fetchone()
        assert (action, actor, json.loads(detail)["indicators"]) == ("catalogue_load", "tester", 9)


def test_codes_are_stored_upper_case(tmp_path):
    indicators = small_indicators()
    indicators[0]["code"] = "fin_rev"
    indicators[0]["owner"] = "fin"
    path = tmp_path / "x.duckdb"
    load(path, write_catalogue_files(tmp_path / "c", indicators))
    with db.read(path) as con:
        assert con.execute("SELECT owner FROM indicators WHERE code = 'FIN_REV'").fetchone() == ("FIN",)


def test_reloading_replaces_the_catalogue(tmp_path, catalogue_files):
    path = tmp_path / "x.duckdb"
    load(path, catalogue_files)
    fewer = [i for i in small_indicators() if i["code"] != "IND_ENT"]
    load(path, write_catalogue_files(tmp_path / "c2", fewer))
    with db.read(path) as con:
        codes = [r[0] for r in con.execute("SELECT code FROM indicators ORDER BY position").fetchall()]
        assert "IND_ENT" not in codes and len(codes) == 8
        assert con.execute("SELECT count(*) FROM catalogue_loads").fetchone()[0] == 2


def _broken(change) -> list[dict]:
    indicators = copy.deepcopy(small_indicators())
    change(indicators)
    return indicators


def _set(target, **fields):
    def change(indicators):
        for ind in indicators:
            if ind["code"] == target:
                ind.update(fields)

    return change


def _remove(code):
    def change(indicators):
        indicators[:] = [i for i in indicators if i["code"] != code]

    return change


BROKEN = {
    "duplicate code": (lambda inds: inds.append(dict(inds[0])), "FIN_REV", "code"),
    "duplicate code in another case": (lambda inds: inds.append(dict(inds[0], code="fin_rev")), "FIN_REV", "code"),
    "unknown owner": (_set("FIN_REV", owner="NOPE"), "FIN_REV", "owner"),
    "missing component": (
        _set("OFF_MIX", components=[{"code": "FIN_DISB", "weight": 0.5}, {"code": "GHOST", "weight": 0.5}]),
        "OFF_MIX",
        "components",
    ),
    "composite of itself": (
        _set("OFF_MIX", components=[{"code": "OFF_MIX", "weight": 0.5}, {"code": "FIN_DISB", "weight": 0.5}]),
        "OFF_MIX",
        "components",
    ),
    "weight not positive": (
        _set("OFF_MIX", components=[{"code": "FIN_DISB", "weight": 1.5}, {"code": "HEA_VACC", "weight": -0.5}]),
        "OFF_MIX",
        "components",
    ),
    "weights do not sum to 1": (
        _set("OFF_MIX", components=[{"code": "FIN_DISB", "weight": 0.5}, {"code": "HEA_VACC", "weight": 0.6}]),
        "OFF_MIX",
        "components",
    ),
    "components on a non-composite": (
        _set("FIN_REV", components=[{"code": "FIN_DISB", "weight": 1}]),
        "FIN_REV",
        "components",
    ),
    "valid_min not below valid_max": (_set("FIN_REV", valid_min=10, valid_max=10), "FIN_REV", "valid_min"),
    "target outside the valid range": (_set("FIN_REV", targets={2025: 20_000_000}), "FIN_REV", "targets.2025"),
    "ytd for an annual indicator": (_set("HEA_BEDS", value_type="ytd"), "HEA_BEDS", "value_type"),
    "a group without indicators": (_remove("FIN_DISB"), "", "group"),  # the only 'process' indicator
    "thresholds upside down": (_set("FIN_REV", thresholds={"on_track": 80, "at_risk": 90}), "FIN_REV", "thresholds"),
    "unknown frequency": (_set("FIN_REV", frequency="daily"), "FIN_REV", "frequency"),
    "unknown group": (_set("FIN_REV", group="misc"), "FIN_REV", "group"),
    "unknown stage": (_set("FIN_REV", stage="done"), "FIN_REV", "stage"),
    "unknown attribute": (_set("FIN_REV", colour="red"), "FIN_REV", "colour"),
    "missing attribute": (lambda inds: inds[0].pop("unit"), "FIN_REV", "unit"),
    "negative deadline": (_set("FIN_REV", deadline_days=-1), "FIN_REV", "deadline_days"),
    "bad code": (_set("FIN_REV", code="FIN REV"), "FIN REV", "code"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_catalogue_rule_refuses_the_file_and_the_database_keeps_its_catalogue(tmp_path, catalogue_files, name):
    change, code, field = BROKEN[name]
    path = tmp_path / "x.duckdb"
    load(path, catalogue_files)
    before = snapshot(path)
    broken = write_catalogue_files(tmp_path / "broken", _broken(change))
    with pytest.raises(CatalogueError) as caught:
        load(path, broken)
    problems = caught.value.problems
    assert any(p.code == code and p.field.split(".")[0] == field.split(".")[0] for p in problems), [
        str(p) for p in problems
    ]
    assert all(p.message_vi and p.message_en for p in problems)
    assert snapshot(path) == before


def test_every_problem_is_listed_at_once(tmp_path):
    indicators = small_indicators()
    indicators[0]["owner"] = "NOPE"
    indicators[2]["valid_min"] = 500
    with pytest.raises(CatalogueError) as caught:
        load(tmp_path / "x.duckdb", write_catalogue_files(tmp_path / "c", indicators))
    assert {(p.code, p.field) for p in caught.value.problems} >= {("FIN_REV", "owner"), ("FIN_GROWTH", "valid_min")}
    assert not (tmp_path / "x.duckdb").exists()  # checked before the database is even opened


@pytest.mark.parametrize(
    ("departments", "localities"),
    [
        ([("FIN", "Sở Tài chính", "Finance"), ("FIN", "Trùng", "Duplicate")], None),
        (None, [("7210", "Bắc Giang", "phuong")]),
        (None, [("07210", "Bắc Giang", "thon")]),
    ],
)
def test_broken_reference_data_is_refused(tmp_path, catalogue_files, departments, localities):
    path = tmp_path / "x.duckdb"
    load(path, catalogue_files)
    before = snapshot(path)
    broken = write_catalogue_files(tmp_path / "broken", None, departments, localities)
    with pytest.raises(CatalogueError):
        load(path, broken)
    assert snapshot(path) == before
