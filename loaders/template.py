"""An .xlsx template for one department: what it has to report next, ready to fill and submit (CONTRACT §4).

What each row offers (``offered_period``), per indicator and locality (a key):

| the key's latest reported period | offered |
| --- | --- |
| none | the latest period already due (its due date has come: ``calendar.latest_due``) |
| ``L`` | the period after ``L`` (``calendar.shift``), once it has begun; none while it has not |

So a template filled as downloaded brings only new values: a period that already has a value for
that key is never offered, unless asked for (``--period`` on the command line, the period
chosen on the page: then every key of that frequency is listed for that period, and a value
filled for a key that has one is a revision, which the page confirms with a reason). The rows
of one indicator may differ in period (a commune that is a month behind is offered its missing
month). An indicator with nothing open (reported up to the running period) is left out and
named in the guide.

Rows: one per key, indicators in catalogue order, the province row first where the indicator
takes a province value (``rules.province.takes_province_value``), then its communes by code.
Beside each row: the due date (``calendar.due_date``) and, for reference, the key's latest
value reported at or before the offered period. Codes, periods and locality codes are text
cells in text-formatted columns, so Excel keeps ``2025-09`` and ``07210`` as they are. The
reader columns are ignored by the loader.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import db
import settings
from db import queries
from loaders.errors import UsageError, en_date, vi_date
from loaders.reading import VI_HEADERS
from rules import calendar as periods
from rules.calendar import Period
from rules.province import takes_province_value

FREQUENCY_LABEL = {
    "weekly": "Hằng tuần (weekly)",
    "monthly": "Hằng tháng (monthly)",
    "quarterly": "Hằng quý (quarterly)",
    "half_yearly": "6 tháng (half-yearly)",
    "annual": "Hằng năm (annual)",
}
FREQUENCY_VI = {"weekly": "tuần", "monthly": "tháng", "quarterly": "quý", "half_yearly": "6 tháng", "annual": "năm"}
FREQUENCY_EN = {
    "weekly": "weekly",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "half_yearly": "half-yearly",
    "annual": "annual",
}
LEVEL_LABEL = {"province": "Tỉnh (province)", "commune": "Xã, phường (commune)"}
PROVINCE_NAME = "Toàn tỉnh (province)"
DUE_HEADER = "Hạn nộp"
LAST_PERIOD_HEADER = "Kỳ đã nộp gần nhất"
LAST_VALUE_HEADER = "Số đã nộp gần nhất"
# Periods offered on the page's chooser, newest first: about a year back (two for quarters, five years).
CHOICES = {"weekly": 12, "monthly": 12, "quarterly": 8, "half_yearly": 4, "annual": 5}

# (header, width, key or None for a reader column, text column?)
COLUMNS: list[tuple[str, int, str | None, bool]] = [
    (VI_HEADERS["indicator_code"], 14, "indicator_code", True),
    ("Tên chỉ số", 48, None, False),
    ("Đơn vị", 12, None, False),
    ("Tần suất", 20, None, False),
    ("Cấp", 20, None, False),
    (VI_HEADERS["period"], 13, "period", True),
    (DUE_HEADER, 12, None, True),
    (VI_HEADERS["locality_code"], 12, "locality_code", True),
    ("Tên địa bàn", 22, None, False),
    (LAST_PERIOD_HEADER, 18, None, True),
    (LAST_VALUE_HEADER, 18, None, False),
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
        "Các cột 'Tên chỉ số', 'Đơn vị', 'Tần suất', 'Cấp', 'Hạn nộp', 'Tên địa bàn', 'Kỳ đã nộp gần nhất' và 'Số đã "
        "nộp gần nhất' chỉ để đọc; hệ thống bỏ qua chúng.",
        "The name, unit, frequency, level, due date, locality-name and last-reported columns are for the reader; "
        "the loader ignores them.",
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
        "dòng, cột và lý do. Nộp lại cùng một tệp không thay đổi gì; số liệu mới cho kỳ đã có là bản sửa đổi số liệu "
        "đã công bố: trang nộp số liệu liệt kê từng giá trị cũ và mới, hỏi lý do và chỉ ghi khi được xác nhận; số cũ "
        "vẫn được lưu trong lịch sử.",
        "Submit only the indicators your department owns. A file is accepted whole or rejected whole; the report "
        "names the row, column and reason of every problem. Sending the same file again changes nothing; a new "
        "value for a period already filled revises a published value: the upload page lists each old and new value, "
        "asks for the reason and writes only once confirmed; the old value stays in the history.",
    ),
    ("Nộp tệp", "Submitting"),
    (
        "python -m loaders submit TỆP.xlsx --department MÃ_SỞ  (hoặc trang /submit của bảng điều khiển; thêm --check "
        "để chỉ kiểm tra)",
        "python -m loaders submit FILE.xlsx --department CODE  (or the dashboard's /submit page; add --check to "
        "check only)",
    ),
]


def offered_period(frequency: str, deadline_days: int, last: Period | None, today: dt.date) -> Period | None:
    """The period a key is offered on ``today``: the one after its latest reported period, once that has begun;
    for a key never reported, the latest period already due. None when nothing is open yet."""
    if last is None:
        return periods.latest_due(frequency, int(deadline_days or 0), today)
    following = periods.shift(last, 1)
    return following if following.start <= today else None


def period_choices(frequency: str, today: dt.date) -> list[Period]:
    """The periods the page offers to choose for a frequency, newest first: the running one and those before."""
    latest = periods.containing(today, frequency)
    return [periods.shift(latest, -step) for step in range(CHOICES[frequency])]


def parse_periods(texts: Iterable[str], today: dt.date) -> dict[str, Period]:
    """``--period`` values as one period per frequency; UsageError for an unreadable, future or repeated one."""
    chosen: dict[str, Period] = {}
    for text in texts:
        period = periods.parse_any(str(text))
        if period is None:
            raise UsageError(
                f"Không đọc được kỳ '{text}'. Dùng 2025, 2025-H1, 2025-Q3, 2025-09, 2025-W36 hoặc Tháng 9/2025, "
                "Quý III/2025.",
                f"Cannot read the period '{text}'. Use 2025, 2025-H1, 2025-Q3, 2025-09, 2025-W36 or Tháng 9/2025, "
                "Quý III/2025.",
            )
        if period.start > today:
            raise UsageError(
                f"Kỳ {periods.label(period)} chưa bắt đầu (hôm nay là {vi_date(today)}): chưa thể nộp số liệu.",
                f"The period {periods.label(period, 'en')} has not begun (today is {en_date(today)}): nothing can "
                "be submitted for it yet.",
            )
        if period.frequency in chosen:
            raise UsageError(
                f"Hai kỳ {FREQUENCY_VI[period.frequency]} ({chosen[period.frequency]} và {period}): chọn một kỳ cho "
                "mỗi tần suất.",
                f"Two {FREQUENCY_EN[period.frequency]} periods ({chosen[period.frequency]} and {period}): choose one "
                "period per frequency.",
            )
        chosen[period.frequency] = period
    return chosen


@dataclass(frozen=True)
class Row:
    """One row of the template: a key, the period offered for it, its due date, and the reference beside it."""

    indicator_code: str
    name_vi: str
    name_en: str
    unit: str
    frequency: str
    level: str
    period: Period
    due: dt.date
    locality_code: str  # '' for the province
    locality_name: str
    last_period: Period | None  # the latest reported period at or before ``period``
    last_value: float | None


@dataclass(frozen=True)
class UpToDate:
    """An indicator left out of the template: every key is reported up to the running period."""

    indicator_code: str
    name_vi: str
    name_en: str
    frequency: str
    unit: str
    last_period: Period
    province_value: float | None = None  # the province's value for ``last_period``, where it has one
    localities: int = 0  # communes and wards with a value for ``last_period``


@dataclass
class Template:
    """What a department's template holds: its rows, and the indicators left out because nothing is open."""

    department: str
    name_vi: str
    name_en: str
    today: dt.date
    chosen: dict[str, Period] = field(default_factory=dict)  # frequency -> period asked for
    rows: list[Row] = field(default_factory=list)
    up_to_date: list[UpToDate] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.name_vi} ({self.department})"


def build(
    department: str,
    db_path: str | os.PathLike | None = None,
    today: dt.date | None = None,
    chosen: Mapping[str, Period] | None = None,
) -> Template:
    """The department's template on ``today``: each key's due period, or the periods ``chosen`` by frequency.

    UsageError for an unknown department, or a chosen frequency none of its indicators has.
    """
    today = today or settings.today()
    code = (department or "").strip().upper()
    chosen = dict(chosen or {})
    with db.read(db_path) as con:
        found = con.execute("SELECT name_vi, name_en FROM departments WHERE code = ?", [code]).fetchone()
        if found is None:
            codes = ", ".join(r[0] for r in con.execute("SELECT code FROM departments ORDER BY code").fetchall())
            raise UsageError(
                f"Không có sở/ngành mã '{department}'. Các mã hợp lệ: {codes}.",
                f"No department with code '{department}'. Valid codes: {codes}.",
            )
        indicators = con.execute(
            "SELECT code, name_vi, name_en, unit, frequency, level, aggregation, deadline_days FROM indicators "
            "WHERE owner = ? ORDER BY position",
            [code],
        ).fetchall()
        localities = con.execute("SELECT code, name FROM localities ORDER BY code").fetchall()
    owned = {row[4] for row in indicators}
    for frequency, period in chosen.items():
        if frequency not in owned:
            raise UsageError(
                f"{found[0]} không có chỉ số nào báo cáo theo {FREQUENCY_VI[frequency]} (kỳ {period}).",
                f"{found[1]} has no {FREQUENCY_EN[frequency]} indicator (period {period}).",
            )
    until = {f: p.start for f, p in chosen.items()} if chosen else None
    reported = {
        (r["indicator_code"], r["locality_code"]): (periods.parse(r["period"]), r["value"])
        for r in queries.last_reported(db_path, code, until).iter_rows(named=True)
    }
    template = Template(code, found[0], found[1], today, chosen)
    for ind_code, name_vi, name_en, unit, frequency, level, aggregation, deadline in indicators:
        if chosen and frequency not in chosen:
            continue
        places: list[tuple[str, str]] = []
        if takes_province_value(level, aggregation):
            places.append(("", PROVINCE_NAME))
        if level == "commune":
            places += localities
        latest: Period | None = None
        offered_any = False
        for loc_code, loc_name in places:
            last, value = reported.get((ind_code, loc_code), (None, None))
            if last is not None and (latest is None or last > latest):
                latest = last
            period = chosen.get(frequency) or offered_period(frequency, deadline, last, today)
            if period is None:
                continue
            offered_any = True
            due = periods.due_date(period, int(deadline or 0))
            template.rows.append(
                Row(ind_code, name_vi, name_en, unit, frequency, level, period, due, loc_code, loc_name, last, value)
            )
        if not offered_any and latest is not None:
            last_of = {loc: reported.get((ind_code, loc), (None, None)) for loc, _ in places}
            province = last_of.get("", (None, None))
            communes = sum(1 for loc, (p, _) in last_of.items() if loc and p == latest)
            value = province[1] if province[0] == latest else None
            template.up_to_date.append(UpToDate(ind_code, name_vi, name_en, frequency, unit, latest, value, communes))
    return template


def _cells(row: Row) -> dict[str, object]:
    return {
        VI_HEADERS["indicator_code"]: row.indicator_code,
        "Tên chỉ số": row.name_vi,
        "Đơn vị": row.unit,
        "Tần suất": FREQUENCY_LABEL.get(row.frequency, row.frequency),
        "Cấp": LEVEL_LABEL.get(row.level, row.level),
        VI_HEADERS["period"]: str(row.period),
        DUE_HEADER: vi_date(row.due),
        VI_HEADERS["locality_code"]: row.locality_code,
        "Tên địa bàn": row.locality_name,
        LAST_PERIOD_HEADER: periods.label(row.last_period) if row.last_period is not None else None,
        LAST_VALUE_HEADER: row.last_value,
    }


def template_rows(
    department: str,
    db_path: str | os.PathLike | None = None,
    today: dt.date | None = None,
    chosen: Mapping[str, Period] | None = None,
) -> tuple[str, list[dict]]:
    """The department's name and the template's rows (a dict per row, keyed by header)."""
    template = build(department, db_path, today, chosen)
    return template.title, [_cells(row) for row in template.rows]


def _guide_lines(template: Template) -> list[tuple[str, str]]:
    """The guide's first lines: the day, what the periods are, what was chosen and what was left out."""
    today = template.today
    lines = []
    if template.chosen:
        asked_vi = ", ".join(periods.label(p) for p in template.chosen.values())
        asked_en = ", ".join(periods.label(p, "en") for p in template.chosen.values())
        lines.append(
            (
                f"Lập ngày {vi_date(today)} cho kỳ {asked_vi}. Dòng nào đã có số liệu của kỳ này (xem 'Kỳ đã nộp gần "
                "nhất'): giá trị điền vào sẽ sửa số liệu đã công bố.",
                f"Made on {en_date(today)} for {asked_en}. Where a row already has a value for that period (see "
                "'Kỳ đã nộp gần nhất'), the value you fill in revises a published figure.",
            )
        )
    else:
        lines.append(
            (
                f"Lập ngày {vi_date(today)}. Mỗi dòng là kỳ tiếp theo chưa nộp của chỉ số và địa bàn đó (chưa nộp kỳ "
                "nào: kỳ gần nhất đã đến hạn), kèm hạn nộp và số đã nộp gần nhất để đối chiếu.",
                f"Made on {en_date(today)}. Each row is the next period not yet reported for that indicator and "
                "locality (never reported: the latest period already due), with its due date and the last value "
                "reported, for reference.",
            )
        )
    if template.up_to_date:
        vi = "; ".join(f"{u.indicator_code} (đã nộp đến {periods.label(u.last_period)})" for u in template.up_to_date)
        en = "; ".join(
            f"{u.indicator_code} (reported up to {periods.label(u.last_period, 'en')})" for u in template.up_to_date
        )
        lines.append(
            (
                f"Không có trong mẫu vì đã nộp đủ đến kỳ đang diễn ra: {vi}.",
                f"Left out, reported up to the running period: {en}.",
            )
        )
    return lines


def write_template(
    department: str,
    out_path: str | os.PathLike,
    db_path: str | os.PathLike | None = None,
    today: dt.date | None = None,
    chosen: Mapping[str, Period] | None = None,
) -> int:
    """Write the department's .xlsx template; returns the number of rows to fill."""
    return write_workbook(build(department, db_path, today or settings.today(), chosen), out_path)


def write_workbook(template: Template, out_path: str | os.PathLike) -> int:
    """Write a built template as .xlsx; returns the number of rows to fill."""
    import xlsxwriter  # only this command needs it

    rows = [_cells(row) for row in template.rows]
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
                if value is None or value == "":
                    continue
                if isinstance(value, float | int):
                    sheet.write_number(r, col, value)  # the reference value: a number, shown in the reader's format
                else:
                    sheet.write_string(r, col, str(value))  # text cells: '2025-09' and '07210' stay as written
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)

        guide = book.add_worksheet("Hướng dẫn")
        bold = book.add_format({"bold": True, "font_size": 12})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        guide.set_column(0, 1, 80, wrap)
        guide.write_string(0, 0, f"Mẫu nộp số liệu: {template.title}", bold)
        guide.write_string(0, 1, f"Submission template: {template.name_en} ({template.department})", bold)
        lines = _guide_lines(template)
        for r, (vi, en) in enumerate(lines, start=1):
            guide.write_string(r, 0, vi, wrap)
            guide.write_string(r, 1, en, wrap)
        for r, (vi, en) in enumerate(GUIDE, start=len(lines) + 2):
            section = len(vi) < 20
            guide.write_string(r, 0, vi, bold if section else wrap)
            guide.write_string(r, 1, en, bold if section else wrap)
    finally:
        book.close()
    return len(rows)
