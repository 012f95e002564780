"""An .xlsx template for one department: its indicators, ready to fill and submit (CONTRACT §4).

Rows: one per indicator the department owns, in catalogue order, with the
latest period already due prefilled. A commune-level indicator gets one row
per commune or ward; when its province value is submitted too (aggregation
``none``) it also gets a province row (locality empty) first. Codes, periods
and locality codes are written as text cells in text-formatted columns, so
Excel keeps ``2025-09`` and ``07210`` as they are. The reader columns
(name, unit, frequency, level, locality name) are ignored by the loader.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import db
import settings
from loaders.errors import UsageError
from loaders.reading import VI_HEADERS
from rules import calendar as periods

FREQUENCY_LABEL = {
    "weekly": "Hằng tuần (weekly)",
    "monthly": "Hằng tháng (monthly)",
    "quarterly": "Hằng quý (quarterly)",
    "half_yearly": "6 tháng (half-yearly)",
    "annual": "Hằng năm (annual)",
}
LEVEL_LABEL = {"province": "Tỉnh (province)", "commune": "Xã, phường (commune)"}
PROVINCE_NAME = "Toàn tỉnh (province)"

# (header, width, key or None for a reader column, text column?)
COLUMNS: list[tuple[str, int, str | None, bool]] = [
    (VI_HEADERS["indicator_code"], 14, "indicator_code", True),
    ("Tên chỉ số", 48, None, False),
    ("Đơn vị", 12, None, False),
    ("Tần suất", 20, None, False),
    ("Cấp", 20, None, False),
    (VI_HEADERS["period"], 13, "period", True),
    (VI_HEADERS["locality_code"], 12, "locality_code", True),
    ("Tên địa bàn", 22, None, False),
    (VI_HEADERS["value"], 14, "value", False),
    (VI_HEADERS["note"], 30, "note", True),
]

GUIDE: list[tuple[str, str]] = [
    ("Cách điền", "How to fill in"),
    (
        "Điền số liệu vào cột 'Giá trị' (và 'Ghi chú' nếu cần). Không sửa 'Mã chỉ số', 'Kỳ báo cáo', 'Mã địa bàn' "
        "trừ khi nộp cho kỳ khác.",
        "Write the figures in the 'Giá trị' (value) column, and a note in 'Ghi chú' if needed. Do not change the "
        "indicator code, period or locality code unless you submit another period.",
    ),
    (
        "Xóa những dòng chưa có số liệu: ô 'Giá trị' để trống sẽ bị từ chối.",
        "Delete the rows you have no figure for: an empty value is rejected.",
    ),
    (
        "Các cột 'Tên chỉ số', 'Đơn vị', 'Tần suất', 'Cấp', 'Tên địa bàn' chỉ để đọc; hệ thống bỏ qua chúng.",
        "The name, unit, frequency, level and locality-name columns are for the reader; the loader ignores them.",
    ),
    ("Quy tắc", "Rules"),
    (
        "Kỳ báo cáo: 2025 (năm), 2025-H1 (6 tháng), 2025-Q3 (quý), 2025-09 (tháng), 2025-W36 (tuần ISO); cũng nhận "
        "'Năm 2025', '6 tháng đầu năm 2025', 'Quý III/2025', 'Tháng 9/2025' và ô ngày tháng (kỳ chứa ngày đó). Kỳ phải "
        "đúng tần suất của chỉ số và không được ở tương lai (kỳ chưa bắt đầu).",
        "Period: 2025 (year), 2025-H1 (half), 2025-Q3 (quarter), 2025-09 (month), 2025-W36 (ISO week); also "
        "'Năm 2025', '6 tháng đầu năm 2025', 'Quý III/2025', 'Tháng 9/2025' and a date cell (the period holding it). "
        "It must match the indicator's frequency and must not be in the future (not started yet).",
    ),
    (
        "Giá trị: ô số; hoặc chữ dạng số thuần (1234.5) hay kiểu Việt Nam (1.234,5 ; 12,5); dấu % ở cuối chỉ khi đơn vị "
        "là %. '1.234' hoặc '1,234' bị từ chối vì không rõ nghĩa: hãy ghi 1234. Giá trị phải nằm trong khoảng hợp lệ "
        "của chỉ số.",
        "Value: a number cell; or text as a plain number (1234.5) or in Vietnamese form (1.234,5 ; 12,5); a trailing "
        "% only where the unit is %. '1.234' or '1,234' is ambiguous and refused: write 1234. The value must lie in "
        "the indicator's valid range.",
    ),
    (
        "Mã địa bàn: mã 5 chữ số của xã, phường (ví dụ 07210); để trống là toàn tỉnh, chỉ khi chỉ số cho phép.",
        "Locality code: the five-digit code of the commune or ward (e.g. 07210); empty means the whole province, "
        "only where the indicator allows it.",
    ),
    (
        "Chỉ nộp chỉ số do đơn vị mình quản lý. Tệp được nhận toàn bộ hoặc bị từ chối toàn bộ; báo cáo lỗi ghi rõ "
        "dòng, cột và lý do. Nộp lại cùng một tệp không thay đổi gì; số liệu mới cho kỳ đã có là bản sửa đổi, số cũ "
        "vẫn được lưu trong lịch sử.",
        "Submit only the indicators your department owns. A file is accepted whole or rejected whole; the report "
        "names the row, column and reason of every problem. Sending the same file again changes nothing; a new "
        "value for a period already filled is a revision, and the old value stays in the history.",
    ),
    ("Nộp tệp", "Submitting"),
    (
        "python -m loaders submit TỆP.xlsx --department MÃ_SỞ  (hoặc trang /submit của bảng điều khiển)",
        "python -m loaders submit FILE.xlsx --department CODE  (or the dashboard's /submit page)",
    ),
]


def template_rows(
    department: str, db_path: str | os.PathLike | None = None, today: dt.date | None = None
) -> tuple[str, list[dict]]:
    """The department's name and the template's rows (a dict per row, keyed by header)."""
    today = today or settings.today()
    code = (department or "").strip().upper()
    with db.read(db_path) as con:
        found = con.execute("SELECT name_vi, name_en FROM departments WHERE code = ?", [code]).fetchone()
        if found is None:
            codes = ", ".join(r[0] for r in con.execute("SELECT code FROM departments ORDER BY code").fetchall())
            raise UsageError(
                f"Không có sở/ngành mã '{department}'. Các mã hợp lệ: {codes}.",
                f"No department with code '{department}'. Valid codes: {codes}.",
            )
        indicators = con.execute(
            "SELECT code, name_vi, unit, frequency, level, aggregation, deadline_days FROM indicators "
            "WHERE owner = ? ORDER BY position",
            [code],
        ).fetchall()
        localities = con.execute("SELECT code, name FROM localities ORDER BY code").fetchall()
    rows: list[dict] = []
    for ind_code, name, unit, frequency, level, aggregation, deadline in indicators:
        period = str(periods.latest_due(frequency, deadline, today))
        base = {
            VI_HEADERS["indicator_code"]: ind_code,
            "Tên chỉ số": name,
            "Đơn vị": unit,
            "Tần suất": FREQUENCY_LABEL.get(frequency, frequency),
            "Cấp": LEVEL_LABEL.get(level, level),
            VI_HEADERS["period"]: period,
        }
        places: list[tuple[str, str]] = []
        if level == "province" or aggregation == "none":
            places.append(("", PROVINCE_NAME))
        if level == "commune":
            places += localities
        for loc_code, loc_name in places:
            rows.append(base | {VI_HEADERS["locality_code"]: loc_code, "Tên địa bàn": loc_name})
    return f"{found[0]} ({code})", rows


def write_template(
    department: str,
    out_path: str | os.PathLike,
    db_path: str | os.PathLike | None = None,
    today: dt.date | None = None,
) -> int:
    """Write the department's .xlsx template; returns the number of rows to fill."""
    import xlsxwriter  # only this command needs it

    today = today or settings.today()
    title, rows = template_rows(department, db_path, today)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(out_path))
    try:
        head = book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "border": 1})
        head_fill = book.add_format({"bold": True, "bg_color": "#FFE699", "border": 1})
        text = book.add_format({"num_format": "@"})
        reader = book.add_format({"font_color": "#595959", "bg_color": "#F2F2F2"})
        reader_text = book.add_format({"font_color": "#595959", "bg_color": "#F2F2F2", "num_format": "@"})
        fill = book.add_format({"bg_color": "#FFF2CC"})
        fill_text = book.add_format({"bg_color": "#FFF2CC", "num_format": "@"})
        sheet = book.add_worksheet("Số liệu")
        for col, (header, width, key, is_text) in enumerate(COLUMNS):
            to_fill = key in ("value", "note")
            column_format = (fill_text if is_text else fill) if to_fill else (text if is_text else reader)
            if key is None:
                column_format = reader_text if is_text else reader
            sheet.set_column(col, col, width, column_format)
            sheet.write_string(0, col, header, head_fill if to_fill else head)
        for r, row in enumerate(rows, start=1):
            for col, (header, *_) in enumerate(COLUMNS):
                value = row.get(header)
                if value in (None, ""):
                    continue
                sheet.write_string(r, col, str(value))  # text cells: '2025-09' and '07210' stay as written
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)

        guide = book.add_worksheet("Hướng dẫn")
        bold = book.add_format({"bold": True, "font_size": 12})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        guide.set_column(0, 1, 80, wrap)
        guide.write_string(0, 0, f"Mẫu nộp số liệu: {title}", bold)
        guide.write_string(0, 1, f"Submission template: {title}", bold)
        guide.write_string(1, 0, f"Lập ngày {today:%d/%m/%Y}; kỳ điền sẵn là kỳ gần nhất đã đến hạn nộp.")
        guide.write_string(1, 1, f"Made on {today.isoformat()}; the prefilled period is the latest one already due.")
        for r, (vi, en) in enumerate(GUIDE, start=3):
            section = len(vi) < 20
            guide.write_string(r, 0, vi, bold if section else wrap)
            guide.write_string(r, 1, en, bold if section else wrap)
    finally:
        book.close()
    return len(rows)
