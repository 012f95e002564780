"""Tables declared once (dashboard/tables.py): the grid's columns as wide as their widest cell."""

from __future__ import annotations

import polars as pl

from dashboard import tables


def test_a_column_is_as_wide_as_its_widest_cell_wherever_it_is():
    """The grid sizes columns from the first rows it draws: a long unit on row 40 was cut. Widths come from every
    row, measured in the grid's font, with the cell's padding."""
    units = ["%"] * 39 + ["giường bệnh/vạn dân"]
    frame = pl.DataFrame({"Đơn vị": units, "Giá trị": ["1,2"] * 40})
    widths = tables.content_widths(frame)
    needed = tables.text_width("giường bệnh/vạn dân") + tables.GRID_PADDING_PX
    assert needed - 1 <= widths["Đơn vị"] <= needed + 2
    # a short column is as wide as its header (and the header's menu icon)
    assert widths["Giá trị"] >= tables.text_width("Giá trị") + tables.GRID_PADDING_PX + tables.HEADER_EXTRA_PX - 1
    assert tables.content_widths(pl.DataFrame({"x": ["a" * 400]}))["x"] == 460  # long text stops at a limit


def test_fitted_keeps_the_widths_a_view_chose():
    frame = pl.DataFrame({"a": ["giường bệnh/vạn dân"], "b": ["x"], "c": ["y"]})
    config = tables.fitted({"a": {"alignment": "right"}, "b": {"width": 300}, "c": None}, frame)
    assert config["a"]["alignment"] == "right" and config["a"]["width"] > 100
    assert config["b"]["width"] == 300 and config["c"] is None


def test_a_built_table_configures_its_widths():
    table = tables.build(
        [{"unit": "bác sĩ/vạn dân", "value": 10.41}],
        [tables.Column("unit", "ui.unit"), tables.Column("value", "ui.value", "number")],
        "vi",
    )
    assert table.config["Đơn vị tính"]["width"] >= tables.text_width("bác sĩ/vạn dân") + tables.GRID_PADDING_PX - 1
    assert table.config["Giá trị"]["alignment"] == "right"
