"""Check every row of a submission as columns against the catalogue in the database (CONTRACT §3).

All rows are checked at once with polars expressions and joins; the few
distinct period texts and dates are mapped through ``rules.calendar`` once
each. Every problem is reported (row, column as written, value as found,
message in Vietnamese and English), sorted by row. Per cell only the first
problem is reported: an unknown indicator is not also "owned by another
department". Checks that need the indicator (frequency, unit, range, level)
are skipped for rows whose indicator is unknown or missing.

Rules where the contract is silent:

* a period is in the future when it starts after today: the running month,
  quarter or week may be submitted (estimates), next month may not;
* ``1.234`` and ``1,234`` are ambiguous only when the part before the
  separator could be a thousands group (1 to 3 digits, not starting with 0):
  ``0.125`` is a plain number, ``1234,567`` a Vietnamese decimal;
* ``1,234,567`` and ``1,234.5`` (English grouping) are refused: the contract
  accepts plain numbers and the Vietnamese form only;
* a locality code of 1 to 5 digits (``7210``, or ``7210.0`` from a tool that
  made it a float) is padded to five digits; anything else must match a code;
* ``valid_min`` and ``valid_max`` are inclusive.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb
import polars as pl

from loaders import limits
from loaders.errors import RowError, en_date, vi_count, vi_date
from loaders.reading import DATE, NUM, SubmissionFrame
from rules import calendar as periods
from rules import province

FREQ_VI = {"weekly": "tuần", "monthly": "tháng", "quarterly": "quý", "half_yearly": "6 tháng", "annual": "năm"}
FREQ_EN = {
    "weekly": "weekly",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "half_yearly": "half-yearly",
    "annual": "annual",
}
FREQ_EXAMPLE = {
    "weekly": "2025-W36",
    "monthly": "2025-09",
    "quarterly": "2025-Q3",
    "half_yearly": "2025-H1",
    "annual": "2025",
}

# Digits are ASCII 0-9 only, in values and periods alike: a full-width or Arabic-Indic digit is refused with
# its own message (a Unicode-aware \d would let it through a pattern and into a cast).
_PLAIN = r"^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
_VIETNAMESE = r"^[+-]?([0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?|[0-9]+,[0-9]+)$"
_AMBIGUOUS = r"^[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}$"
_NOT_FINITE = r"(?i)^[+-]?(nan|inf|infinity)$"
_OTHER_DIGIT = r"[\d&&[^0-9]]"  # a decimal digit of another script: １, ١, ๑ ...
_OTHER_DIGIT_PY = re.compile(r"(?![0-9])\d")
_CONTROL_IN_NOTE = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # tab and newline are a note's own
_LOCALITY_NUMBER = r"^[0-9]{1,5}(\.0+)?$"
_KEY = ["_code", "_period", "_loc"]

_IND_SCHEMA = {
    "_code": pl.Utf8,
    "ind_name_vi": pl.Utf8,
    "ind_name_en": pl.Utf8,
    "ind_owner": pl.Utf8,
    "ind_owner_vi": pl.Utf8,
    "ind_owner_en": pl.Utf8,
    "ind_frequency": pl.Utf8,
    "ind_level": pl.Utf8,
    "ind_aggregation": pl.Utf8,
    "ind_unit": pl.Utf8,
    "ind_min": pl.Float64,
    "ind_max": pl.Float64,
}
_FREQ = pl.Enum(list(periods.FREQUENCIES))


@dataclass
class Reference:
    """What validation needs from the catalogue in the database."""

    indicators: pl.DataFrame  # columns of _IND_SCHEMA, one row per indicator
    localities: pl.Series  # five-digit codes


def load_reference(con: duckdb.DuckDBPyConnection) -> Reference:
    """The catalogue as the database holds it now."""
    rows = con.execute(
        "SELECT i.code, i.name_vi, i.name_en, i.owner, d.name_vi, d.name_en, i.frequency, i.level, i.aggregation, "
        "i.unit, i.valid_min, i.valid_max FROM indicators i LEFT JOIN departments d ON d.code = i.owner "
        "ORDER BY i.position"
    ).fetchall()
    indicators = pl.DataFrame(rows, schema=_IND_SCHEMA, orient="row")
    localities = pl.Series("code", [r[0] for r in con.execute("SELECT code FROM localities").fetchall()], pl.Utf8)
    return Reference(indicators, localities)


@dataclass
class Validated:
    """A checked submission: the rows to store (when there is no error) and every problem."""

    rows: int
    clean: pl.DataFrame | None  # indicator_code, period, period_start, period_end, locality_code, value, note
    errors: list[RowError]


# -- the few distinct codes, localities and periods, mapped once each ------------------------


def _parse_period(text: str) -> periods.Period | None:
    found = periods.parse(text.upper())
    return found if found is not None else periods.parse_any(text)


def _last_year(today: dt.date) -> int:
    """The latest year a period may fall in: next year's first period is refused as in the future, with its name."""
    return today.year + 1


def _year_flag(year: int, today: dt.date) -> str | None:
    """'old' before limits.MIN_YEAR, 'late' after next year: no dates are computed for either (year 0, 9999)."""
    if year < limits.MIN_YEAR:
        return "old"
    if year > _last_year(today):
        return "late"
    return None


def _dense_id(expr: pl.Expr) -> pl.Expr:
    """The same small integer for equal values (keys of the duplicate check)."""
    return expr.rank("dense").cast(pl.UInt64)


def _code_table(raw: pl.Series, ref: Reference, department: str) -> pl.DataFrame:
    table = pl.DataFrame({"_raw": raw}).with_columns(pl.col("_raw").str.strip_chars().str.to_uppercase().alias("_code"))
    table = table.join(ref.indicators, on="_code", how="left", maintain_order="left").select(
        "_raw",
        "_code",
        pl.col("ind_owner").is_not_null().alias("known"),
        (pl.col("ind_owner") == department).fill_null(False).alias("owned"),
        pl.col("ind_frequency").cast(_FREQ),
        (~province.takes_province_value(pl.col("ind_level"), pl.col("ind_aggregation"))).alias("needs_loc"),
        (pl.col("ind_level") == "province").alias("province_only"),
        (pl.col("ind_unit") == "%").alias("unit_pct"),
        "ind_min",
        "ind_max",
        _dense_id(pl.col("_code")).alias("_code_id"),
    )
    return table


def _locality_table(raw: pl.Series, ref: Reference) -> pl.DataFrame:
    loc = pl.col("_raw").str.strip_chars()
    return (
        pl.DataFrame({"_raw": raw})
        .with_columns(
            pl.when(loc.str.contains(_LOCALITY_NUMBER))
            .then(loc.str.replace(r"\.0+$", "").str.zfill(5))
            .otherwise(loc)
            .alias("_loc")
        )
        .with_columns(
            pl.col("_loc").is_in(ref.localities.implode()).alias("_loc_known"),
            _dense_id(pl.col("_loc")).alias("_loc_id"),
        )
    )


_PERIOD_BATCH = 50_000


def _period_table(raw: pl.Series, today: dt.date) -> pl.DataFrame:
    """Each distinct period text: canonical form, frequency, bounds, and why it is refused before any check ran.

    ``p_flag``: 'digits' (a digit of another script), 'old' or 'late' (a year out of the window). The texts are
    parsed in batches, so a file of two million distinct texts never holds them all as Python objects.
    """
    schema = {
        "_raw": pl.Utf8,
        "p_canon": pl.Utf8,
        "p_freq": _FREQ,
        "p_start": pl.Date,
        "p_end": pl.Date,
        "p_flag": pl.Utf8,
    }
    frames = [
        pl.DataFrame(_parse_periods(raw.slice(at, _PERIOD_BATCH).to_list(), today), schema=schema)
        for at in range(0, max(raw.len(), 1), _PERIOD_BATCH)
    ]
    table = pl.concat(frames) if len(frames) > 1 else frames[0]
    return table.with_columns(_dense_id(pl.col("p_canon")).alias("_period_id"))


def _parse_periods(texts: list[str], today: dt.date) -> dict[str, list]:
    out: dict[str, list] = {"_raw": [], "p_canon": [], "p_freq": [], "p_start": [], "p_end": [], "p_flag": []}
    for text in texts:
        found = flag = None
        if len(text) > limits.MAX_CELL_CHARS:
            pass  # refused by its length
        elif _OTHER_DIGIT_PY.search(text):
            flag = "digits"
        else:
            try:
                found = _parse_period(text.strip())
            except (ValueError, OverflowError):  # a week of year 0: the calendar ends before the parser does
                year = re.search(r"[0-9]{4}", text)
                flag = _year_flag(int(year.group()), today) if year else None
            else:
                flag = None if found is None else _year_flag(found.year, today)
        dated = found is not None and flag is None
        out["_raw"].append(text)
        out["p_canon"].append(None if found is None else str(found))
        out["p_freq"].append(None if found is None else found.frequency)
        out["p_start"].append(found.start if dated else None)
        out["p_end"].append(found.end if dated else None)
        out["p_flag"].append(flag)
    return out


def _date_table(pairs: pl.DataFrame) -> pl.DataFrame:
    out: dict[str, list] = {"_pdate": [], "ind_frequency": [], "d_canon": [], "d_start": [], "d_end": []}
    for day, frequency in pairs.iter_rows():
        found = periods.containing(day, frequency)
        out["_pdate"].append(day)
        out["ind_frequency"].append(frequency)
        out["d_canon"].append(str(found))
        out["d_start"].append(found.start)
        out["d_end"].append(found.end)
    schema = {"_pdate": pl.Date, "ind_frequency": _FREQ, "d_canon": pl.Utf8, "d_start": pl.Date, "d_end": pl.Date}
    return pl.DataFrame(out, schema=schema)


_HASHED = 100_000  # distinct values looked up through a hash map; past this, by their sorted rank


def _sorted(table: pl.DataFrame) -> pl.DataFrame:
    """A table of distinct values in the order _index's rank assumes (built sorted; kept so whatever it joined)."""
    return table.sort("_raw") if table.height > _HASHED and not table["_raw"].is_sorted() else table


def _index(column: str, table: pl.DataFrame) -> pl.Expr:
    """Each row's position in a table of distinct values (sorted): a hash lookup, not a string join.

    A column of a million distinct values (a file of garbage) would make the hash map weigh hundreds of MB: its
    rank among the sorted distinct values is the same position, found by a sort instead.
    """
    if table.height > _HASHED:
        return (pl.col(column).rank("dense") - 1).cast(pl.UInt32).alias(column)
    positions = pl.int_range(0, table.height, eager=True)
    return pl.col(column).replace_strict(table["_raw"], positions, return_dtype=pl.UInt32).alias(column)


def _gather(data: pl.DataFrame, column: str, index: pl.Series, table: pl.DataFrame, normal: str) -> pl.DataFrame:
    """Each row's entry of the table of distinct values.

    When every distinct value is already in normal form (the usual file), the
    normal text is the column itself and only the small fixed-width columns are gathered.
    """
    if table["_raw"].equals(table[normal], check_names=False, null_equal=True):
        return table.drop("_raw", normal)[index].with_columns(data[column].alias(normal))
    return table.drop("_raw")[index]


# -- normalising the columns ----------------------------------------------------------------


def _text(data: pl.DataFrame, key: str) -> pl.Expr:
    return pl.col(key) if key in data.columns else pl.lit(None, pl.Utf8).alias(key)


def _typed(data: pl.DataFrame, key: str, suffix: str, dtype: pl.DataType) -> pl.Expr:
    name = key + suffix
    return pl.col(name) if name in data.columns else pl.lit(None, dtype).alias(name)


def _normalised(data: pl.DataFrame) -> pl.DataFrame:
    """Every text cell in Unicode NFC (Windows-1258 and macOS write tone marks apart); a note's line ends as LF."""
    texts = [k for k in ("indicator_code", "period", "locality_code", "value", "note") if k in data.columns]
    # ASCII is NFC already: only a column holding other characters pays for the normalisation.
    wider = data.select((pl.col(k).str.len_bytes() != pl.col(k).str.len_chars()).any() for k in texts).row(0)
    out = [pl.col(k).str.normalize("NFC") for k, other in zip(texts, wider, strict=True) if other]
    if "note" in data.columns and data["note"].str.contains("\r", literal=True).any():
        note = pl.col("note").str.normalize("NFC") if wider[-1] else pl.col("note")
        out = [e for e in out if e.meta.output_name() != "note"]
        out.append(note.str.replace_all("\r\n", "\n", literal=True).str.replace_all("\r", "\n", literal=True))
    return data.with_columns(out) if out else data


def _prepare(data: pl.DataFrame, ref: Reference, department: str, today: dt.date) -> pl.DataFrame:
    """Normalised code, locality, period and value next to the cells as found, with the indicator's rules."""
    data = _normalised(data)
    work = data.with_columns(
        _text(data, "locality_code"),
        _text(data, "note"),
        _typed(data, "period", DATE, pl.Date),
        _typed(data, "value", NUM, pl.Float64),
        _typed(data, "value", DATE, pl.Date),
        pl.col("indicator_code").fill_null("").alias("_raw_code"),
        _text(data, "locality_code").fill_null("").alias("_raw_loc"),
        pl.col("period").fill_null("").alias("_raw_period"),
    )
    raw = ["_raw_code", "_raw_loc", "_raw_period"]
    # One pass each for the distinct values and for the lookups: polars runs the columns in parallel.
    distinct = work.select(pl.col(c).unique().sort().implode() for c in raw)  # sorted: see _index
    many = [distinct[c].list.len().item() > _HASHED for c in raw]
    # A column of many distinct values (a file of garbage) is not looked up through a table of them: codes and
    # localities are normalised row by row (their tables would be as long as the file); periods, parsed in
    # Python, still once per distinct text, are found by rank.
    codes = _code_table(work["_raw_code"] if many[0] else distinct["_raw_code"].explode(), ref, department)
    localities = _locality_table(work["_raw_loc"] if many[1] else distinct["_raw_loc"].explode(), ref)
    texts = _sorted(_period_table(distinct["_raw_period"].explode(), today))
    del distinct
    index = work.select(
        *[_index(c, t) for c, t, m in (("_raw_code", codes, many[0]), ("_raw_loc", localities, many[1])) if not m],
        _index("_raw_period", texts),
    )
    work = pl.concat(
        [
            work,
            codes.drop("_raw") if many[0] else _gather(work, "_raw_code", index["_raw_code"], codes, "_code"),
            localities.drop("_raw") if many[1] else _gather(work, "_raw_loc", index["_raw_loc"], localities, "_loc"),
            _gather(work, "_raw_period", index["_raw_period"], texts, "p_canon"),
        ],
        how="horizontal",
    ).with_columns(pl.col("period" + DATE).alias("_pdate"))
    if work["_pdate"].null_count() < work.height:
        year = pl.col("_pdate").dt.year()
        outside = (
            pl.when(year < limits.MIN_YEAR).then(pl.lit("old")).when(year > _last_year(today)).then(pl.lit("late"))
        )
        work = work.with_columns(outside.alias("d_flag"))
        dated = work.filter(
            pl.col("_pdate").is_not_null() & pl.col("ind_frequency").is_not_null() & pl.col("d_flag").is_null()
        )
        table = _date_table(dated.select("_pdate", pl.col("ind_frequency").cast(pl.Utf8)).unique())
        work = work.join(table, on=["_pdate", "ind_frequency"], how="left", maintain_order="left")
        on_date = pl.col("_pdate").is_not_null()
        work = work.with_columns(
            pl.when(on_date).then(pl.col("d_canon")).otherwise(pl.col("p_canon")).alias("_period"),
            pl.when(on_date).then(pl.col("d_start")).otherwise(pl.col("p_start")).alias("_start"),
            pl.when(on_date).then(pl.col("d_end")).otherwise(pl.col("p_end")).alias("_end"),
            pl.when(on_date).then(pl.col("d_flag")).otherwise(pl.col("p_flag")).alias("_pflag"),
            pl.lit(None, pl.UInt64).alias("_period_id"),  # dates: the duplicate check compares texts
        )
    else:
        work = work.with_columns(
            pl.col("p_canon").alias("_period"),
            pl.col("p_start").alias("_start"),
            pl.col("p_end").alias("_end"),
            pl.col("p_flag").alias("_pflag"),
        )
    return work.with_columns(_value_columns(work))


def _value_columns(work: pl.DataFrame) -> list[pl.Expr]:
    """The number a value cell holds: typed, plain text, or Vietnamese text (with % where allowed)."""
    raw = pl.col("value")
    typed = pl.col("value" + NUM)
    # The usual file: every text value already a plain, unambiguous number; two regexes and a cast.
    plain_as_is = raw.str.contains(_PLAIN) & ~raw.str.contains(_AMBIGUOUS)
    if work.select((plain_as_is | typed.is_not_null()).all()).item():
        number = pl.when(typed.is_not_null()).then(typed).otherwise(raw.cast(pl.Float64, strict=False))
        return [pl.lit(False).alias("_pct"), raw.alias("_vbody"), number.alias("_value")]
    text = raw.str.strip_chars()
    percent = text.str.ends_with("%")
    body = pl.when(percent).then(text.str.strip_suffix("%").str.strip_chars_end()).otherwise(text)
    number = (
        pl.when(typed.is_not_null())
        .then(typed)
        .when(body.str.contains(_AMBIGUOUS))
        .then(None)
        .when(body.str.contains(_PLAIN))
        .then(body.cast(pl.Float64, strict=False))
        .when(body.str.contains(_VIETNAMESE))
        .then(
            body.str.replace_all(".", "", literal=True)
            .str.replace(",", ".", literal=True)
            .cast(pl.Float64, strict=False)
        )
        .otherwise(None)
    )
    return [percent.fill_null(False).alias("_pct"), body.alias("_vbody"), number.alias("_value")]


# -- the checks -----------------------------------------------------------------------------


def _empty(col: str) -> pl.Expr:
    return pl.col(col).is_null() | (pl.col(col).str.strip_chars() == "")


def _shown(expr: pl.Expr) -> pl.Expr:
    """A number as people write it: 12.5, 100 (not 100.0)."""
    integral = expr.is_finite() & (expr == expr.round(0)) & (expr.abs() < 1e15)
    return pl.when(integral).then(expr.cast(pl.Int64, strict=False).cast(pl.Utf8)).otherwise(expr.cast(pl.Utf8))


def _quoted(expr: pl.Expr) -> pl.Expr:
    """A cell as a report quotes it (limits.shown on a column): cut, then control characters made visible."""
    length = expr.str.len_chars()
    cut = (
        pl.when(length > limits.SHOWN_CHARS)
        .then(pl.format("{}… (+{})", expr.str.slice(0, limits.SHOWN_CHARS), length - limits.SHOWN_CHARS))
        .otherwise(expr)
    )
    return cut.str.replace_many(limits.CONTROL_CHARS, limits.CONTROL_MARKS)


def _limit(key: str) -> int:
    return limits.MAX_NOTE_CHARS if key == "note" else limits.MAX_CELL_CHARS


def _too_long(key: str) -> pl.Expr:
    return pl.col(key).str.len_chars() > _limit(key)


def _too_long_check(key: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    limit = _limit(key)
    return (
        _too_long(key),
        pl.lit(f"Ô dài hơn {vi_count(limit)} ký tự, quá giới hạn cho cột này: hãy rút gọn."),
        pl.lit(f"The cell is longer than {limit:,} characters, the limit for this column: shorten it."),
    )


def _checks(department: str, today: dt.date) -> dict[str, list[tuple[pl.Expr, pl.Expr, pl.Expr]]]:
    """Per contract column, in priority order: (fails, message_vi, message_en)."""
    known = pl.col("known")
    code = pl.col("_code")
    frequency = pl.col("ind_frequency").cast(pl.Utf8)
    freq_vi = frequency.replace_strict(FREQ_VI, default="?")
    freq_en = frequency.replace_strict(FREQ_EN, default="?")
    example = frequency.replace_strict(FREQ_EXAMPLE, default="2025")
    period_frequency = pl.col("p_freq").cast(pl.Utf8)
    has_typed = pl.col("value" + NUM).is_not_null()
    text_value = _quoted(pl.col("value").fill_null(""))
    body = pl.col("_vbody")
    value = pl.col("_value")
    value_shown = _shown(value)
    lo, hi = pl.col("ind_min"), pl.col("ind_max")
    out_of_range = known & value.is_not_null() & ((value < lo) | (value > hi))
    range_text = pl.concat_str(
        pl.lit("["),
        pl.coalesce(_shown(lo), pl.lit("-∞")),
        pl.lit("; "),
        pl.coalesce(_shown(hi), pl.lit("+∞")),
        pl.lit("]"),
    )
    period_text = _quoted(pl.col("period").fill_null(""))
    period_named = pl.coalesce(pl.col("_period"), period_text)
    flag = pl.col("_pflag")
    first = limits.MIN_YEAR
    return {
        "indicator_code": [
            _too_long_check("indicator_code"),
            (code == "", pl.lit("Thiếu mã chỉ số."), pl.lit("The indicator code is missing.")),
            (
                ~known,
                pl.format("Mã chỉ số '{}' không có trong danh mục.", _quoted(code)),
                pl.format("Indicator code '{}' is not in the catalogue.", _quoted(code)),
            ),
            (
                ~pl.col("owned"),
                pl.format(
                    "Chỉ số {} ({}) do {} ({}) quản lý; chỉ đơn vị đó được nộp số liệu, không phải {}.",
                    code,
                    pl.col("ind_name_vi"),
                    pl.col("ind_owner_vi"),
                    pl.col("ind_owner"),
                    pl.lit(department),
                ),
                pl.format(
                    "Indicator {} ({}) is owned by {} ({}); only that department may submit it, not {}.",
                    code,
                    pl.col("ind_name_en"),
                    pl.col("ind_owner_en"),
                    pl.col("ind_owner"),
                    pl.lit(department),
                ),
            ),
        ],
        "locality_code": [
            _too_long_check("locality_code"),
            (
                (pl.col("_loc") != "") & ~pl.col("_loc_known"),
                pl.format(
                    "Mã địa bàn '{}' không có trong danh sách xã, phường (mã 5 chữ số, ví dụ 07210).",
                    _quoted(pl.col("_loc")),
                ),
                pl.format(
                    "Locality code '{}' is not a known commune or ward (five digits, e.g. 07210).",
                    _quoted(pl.col("_loc")),
                ),
            ),
            (
                known & (pl.col("_loc") == "") & pl.col("needs_loc"),
                pl.format(
                    "Chỉ số {} nộp theo từng xã, phường: cần mã địa bàn (số liệu toàn tỉnh được tính từ các xã).",
                    code,
                ),
                pl.format(
                    "Indicator {} is submitted per commune: a locality code is required "
                    "(the province value is computed from the communes).",
                    code,
                ),
            ),
            (
                known & (pl.col("_loc") != "") & pl.col("province_only"),
                pl.format("Chỉ số {} là chỉ số cấp tỉnh: để trống mã địa bàn.", code),
                pl.format("Indicator {} is a province-level indicator: leave the locality code empty.", code),
            ),
        ],
        "period": [
            (
                _empty("period") & pl.col("_pdate").is_null(),
                pl.lit("Thiếu kỳ báo cáo."),
                pl.lit("The period is missing."),
            ),
            _too_long_check("period"),
            (
                flag == "digits",
                pl.format(
                    "Kỳ báo cáo '{}' có chữ số không phải 0–9 (chữ số toàn độ hoặc của chữ viết khác): hãy gõ lại "
                    "bằng các chữ số 0–9.",
                    period_text,
                ),
                pl.format(
                    "The period '{}' has digits other than 0–9 (full-width or another script's): type it again with "
                    "the digits 0–9.",
                    period_text,
                ),
            ),
            (
                flag == "old",
                pl.format("Kỳ '{}' quá xa: chỉ nhận các kỳ từ năm {} trở đi.", period_text, pl.lit(first)),
                pl.format(
                    "The period '{}' is too far back: periods from {} on are accepted.", period_text, pl.lit(first)
                ),
            ),
            (
                pl.col("_pdate").is_null() & pl.col("p_canon").is_null(),
                pl.format(
                    "Không đọc được kỳ báo cáo '{}'. Dùng: 2025, 2025-H1, 2025-Q3, 2025-09, 2025-W36 hoặc "
                    "Năm 2025, 6 tháng đầu năm 2025, Quý III/2025, Tháng 9/2025, Tuần 36/2025.",
                    period_text,
                ),
                pl.format(
                    "Cannot read the period '{}'. Use 2025, 2025-H1, 2025-Q3, 2025-09, 2025-W36 or "
                    "Năm 2025, 6 tháng đầu năm 2025, Quý III/2025, Tháng 9/2025, Tuần 36/2025.",
                    period_text,
                ),
            ),
            (
                known & pl.col("_pdate").is_null() & (period_frequency != frequency),
                pl.format(
                    "Kỳ '{}' là kỳ {}, nhưng chỉ số {} báo cáo theo {} (ví dụ {}).",
                    period_text,
                    period_frequency.replace_strict(FREQ_VI, default="?"),
                    code,
                    freq_vi,
                    example,
                ),
                pl.format(
                    "Period '{}' is {}, but indicator {} is reported {} (e.g. {}).",
                    period_text,
                    period_frequency.replace_strict(FREQ_EN, default="?"),
                    code,
                    freq_en,
                    example,
                ),
            ),
            (
                (pl.col("_start") > today) | (flag == "late"),
                pl.format(
                    "Kỳ {} chưa bắt đầu (hôm nay là {}): không nhận số liệu cho kỳ tương lai.",
                    period_named,
                    pl.lit(vi_date(today)),
                ),
                pl.format(
                    "Period {} has not started yet (today is {}): values for future periods are not accepted.",
                    period_named,
                    pl.lit(en_date(today)),
                ),
            ),
        ],
        "value": [
            (
                _empty("value") & ~has_typed & pl.col("value" + DATE).is_null(),
                pl.lit("Thiếu giá trị."),
                pl.lit("The value is missing."),
            ),
            _too_long_check("value"),
            (
                pl.col("value" + DATE).is_not_null(),
                pl.lit("Ô giá trị là ngày tháng, không phải số."),
                pl.lit("The value cell holds a date, not a number."),
            ),
            (
                (has_typed & ~pl.col("value" + NUM).is_finite())
                | (~has_typed & body.str.contains(_NOT_FINITE))
                | (value.is_not_null() & ~value.is_finite()),
                pl.format("Giá trị '{}' không phải là một số hữu hạn (quá lớn hoặc không xác định).", text_value),
                pl.format("The value '{}' is not a finite number (too large, or undefined).", text_value),
            ),
            (
                ~has_typed & body.str.contains(_OTHER_DIGIT),
                pl.format(
                    "Giá trị '{}' có chữ số không phải 0–9 (chữ số toàn độ hoặc của chữ viết khác): hãy gõ lại bằng "
                    "các chữ số 0–9.",
                    text_value,
                ),
                pl.format(
                    "The value '{}' has digits other than 0–9 (full-width or another script's): type it again with "
                    "the digits 0–9.",
                    text_value,
                ),
            ),
            (
                ~has_typed & body.str.contains(_AMBIGUOUS),
                pl.format(
                    "Giá trị '{}' không rõ nghĩa: một nghìn hay một phẩy? Nếu là số nguyên, ghi {} (không có dấu "
                    "phân cách hàng nghìn); nếu là số thập phân, thêm một chữ số 0 ở cuối: {}; hoặc nhập ô dạng số.",
                    text_value,
                    body.str.replace(r"[.,]", ""),
                    body.str.replace(".", ",", literal=True) + pl.lit("0"),
                ),
                pl.format(
                    "The value '{}' is ambiguous: a thousand or a fraction? If it is a whole number, write {} (no "
                    "thousands separator); if it is a fraction, add a zero at the end: {}; or use a number cell.",
                    text_value,
                    body.str.replace(r"[.,]", ""),
                    body.str.replace(",", ".", literal=True) + pl.lit("0"),
                ),
            ),
            (
                value.is_null(),
                pl.format(
                    "Giá trị '{}' không phải là số. Ghi số thuần (1234.5) hoặc theo kiểu Việt Nam (1.234,5).",
                    text_value,
                ),
                pl.format(
                    "The value '{}' is not a number. Write a plain number (1234.5) or the Vietnamese form (1.234,5).",
                    text_value,
                ),
            ),
            (
                known & pl.col("_pct") & ~pl.col("unit_pct"),
                pl.format("Chỉ số {} có đơn vị '{}': không ghi dấu %.", code, pl.col("ind_unit")),
                pl.format("Indicator {} is measured in '{}': do not write a % sign.", code, pl.col("ind_unit")),
            ),
            (
                value.abs() > limits.MAX_ABS_VALUE,
                pl.format("Giá trị {} quá lớn: không chỉ số nào của tỉnh vượt 10^15 (một triệu tỷ).", text_value),
                pl.format("The value {} is too large: no indicator of the province exceeds 10^15.", text_value),
            ),
            (
                out_of_range.fill_null(False),
                pl.format(
                    "Giá trị {} nằm ngoài khoảng hợp lệ {} của chỉ số {}.",
                    value_shown,
                    range_text,
                    code,
                ),
                pl.format("The value {} is outside indicator {}'s valid range {}.", value_shown, code, range_text),
            ),
        ],
        "note": [
            _too_long_check("note"),
            (
                pl.col("note").str.contains(_CONTROL_IN_NOTE),
                pl.format(
                    "Ghi chú có ký tự điều khiển không in được ({}): hãy xoá chúng (thường do chép từ phần mềm khác).",
                    _quoted(pl.col("note").str.extract(f"({_CONTROL_IN_NOTE})")),
                ),
                pl.format(
                    "The note holds a control character that cannot be printed ({}): delete it (it usually comes "
                    "from copying out of another program).",
                    _quoted(pl.col("note").str.extract(f"({_CONTROL_IN_NOTE})")),
                ),
            ),
        ],
    }


def _row_fails(today: dt.date) -> pl.Expr:
    """Whether a row has any problem: the union of every check's condition, in cheap terms.

    Equivalent to any mask of ``_checks`` firing (a test holds them together), but
    without the text operations, so a good file is checked at the cost of a few
    boolean columns. The messages are then built for the failing rows only.
    """
    known = pl.col("known")
    loc = pl.col("_loc")
    value = pl.col("_value")
    lo, hi = pl.col("ind_min"), pl.col("ind_max")
    long = pl.any_horizontal([_too_long(k).fill_null(False) for k in ("indicator_code", "locality_code", "period",
                                                                      "value", "note")])  # fmt: skip
    code = ~pl.col("owned")
    locality = ((loc != "") & ~pl.col("_loc_known")) | (
        known & (((loc == "") & pl.col("needs_loc")) | ((loc != "") & pl.col("province_only")))
    )
    period = (
        (pl.col("_pdate").is_null() & pl.col("p_canon").is_null())
        | pl.col("_pflag").is_not_null()
        | (known & pl.col("_pdate").is_null() & (pl.col("p_freq") != pl.col("ind_frequency")))
        | (pl.col("_start") > today)
    )
    number = (
        value.is_null()
        | ~value.is_finite()
        | (value.abs() > limits.MAX_ABS_VALUE)
        | (known & pl.col("_pct") & ~pl.col("unit_pct"))
        | (known & ((value < lo) | (value > hi)))
    )
    note = pl.col("note").str.contains(_CONTROL_IN_NOTE)
    return pl.any_horizontal([e.fill_null(False) for e in (long, code, locality, period, number, note)])


def _fails(checks: list[tuple[pl.Expr, pl.Expr, pl.Expr]]) -> pl.Expr:
    return pl.any_horizontal([mask.fill_null(False) for mask, _, _ in checks])


def _first_message(checks: list[tuple[pl.Expr, pl.Expr, pl.Expr]], which: int) -> pl.Expr:
    chain = None
    for check in checks:
        mask, message = check[0].fill_null(False), check[which]
        chain = pl.when(mask).then(message) if chain is None else chain.when(mask).then(message)
    return chain.otherwise(None)


def _error_rows(
    failing: pl.DataFrame,
    frame: SubmissionFrame,
    checks: dict[str, list[tuple[pl.Expr, pl.Expr, pl.Expr]]],
) -> pl.DataFrame:
    """Messages are built for the failing rows only: a good file pays for the masks, not the text."""
    parts = []
    for order, (key, key_checks) in enumerate(checks.items()):
        part = failing.select(
            pl.col("row"),
            pl.lit(order).alias("order"),
            pl.lit(frame.header(key)).alias("column"),
            _quoted(pl.col(key)).alias("value"),
            _first_message(key_checks, 1).alias("message_vi"),
            _first_message(key_checks, 2).alias("message_en"),
        ).filter(pl.col("message_vi").is_not_null())
        parts.append(part)
    return pl.concat(parts)


_LISTED_ROWS = 10


def _conflicts(ok: pl.DataFrame, frame: SubmissionFrame) -> pl.DataFrame:
    """Rows with the same indicator, period and locality but different values: every one of them."""
    groups = (
        ok.group_by(_KEY)
        .agg(pl.col("_value").n_unique().alias("n"), pl.col("row").sort().alias("rows"))
        .filter(pl.col("n") > 1)
    )
    if groups.height == 0:
        return pl.DataFrame()
    # The first rows only: every row of the group gets its own message, so listing all n rows in each of
    # them made the report grow as n² (50,000 rows of one key in a 1 MB file: tens of GB).
    count = pl.col("rows").list.len()
    listed = groups.with_columns(
        (
            pl.col("rows").list.head(_LISTED_ROWS).cast(pl.List(pl.Utf8)).list.join(", ")
            + pl.when(count > _LISTED_ROWS).then(pl.format(" … (+{})", count - _LISTED_ROWS)).otherwise(pl.lit(""))
        ).alias("listed")
    )
    hits = ok.join(listed.select(*_KEY, "listed"), on=_KEY, how="inner")
    return hits.select(
        pl.col("row"),
        pl.lit(3).alias("order"),
        pl.lit(frame.header("value")).alias("column"),
        _quoted(pl.col("value")),
        pl.format(
            "Mâu thuẫn: các dòng {} cùng chỉ số {}, kỳ {} và địa bàn '{}' nhưng giá trị khác nhau.",
            pl.col("listed"),
            pl.col("_code"),
            pl.col("_period"),
            pl.col("_loc"),
        ).alias("message_vi"),
        pl.format(
            "Conflict: rows {} have the same indicator {}, period {} and locality '{}' but different values.",
            pl.col("listed"),
            pl.col("_code"),
            pl.col("_period"),
            pl.col("_loc"),
        ).alias("message_en"),
    )


def _unexplained(failing: pl.DataFrame, reported: pl.DataFrame) -> pl.DataFrame:
    """A row flagged without a message (the two views of the rules disagree: a test holds them together) is still
    reported, never silently dropped: a rejected file always says which rows."""
    missing = failing.join(reported.select("row"), on="row", how="anti")
    return missing.select(
        pl.col("row"),
        pl.lit(9).alias("order"),
        pl.lit(None, pl.Utf8).alias("column"),
        pl.lit(None, pl.Utf8).alias("value"),
        pl.lit("Dòng này có ô không hợp lệ; hãy kiểm tra lại từng ô.").alias("message_vi"),
        pl.lit("This row has an invalid cell; check each cell again.").alias("message_en"),
    )


def _key_is_repeated(ok: pl.DataFrame) -> bool:
    """Whether two rows share indicator, period and locality; on small integer ids when they exist."""
    if ok.height < 2:
        return False
    if ok["_period_id"].null_count() == 0:
        key = pl.col("_code_id") * (1 << 42) + pl.col("_period_id") * (1 << 21) + pl.col("_loc_id")
    else:
        key = pl.struct(_KEY)
    return ok.select(key.n_unique()).item() < ok.height


_RICH = ["ind_name_vi", "ind_name_en", "ind_owner", "ind_owner_vi", "ind_owner_en", "ind_unit"]


def _count_problems(rows: pl.DataFrame, checks: dict[str, list[tuple[pl.Expr, pl.Expr, pl.Expr]]]) -> int:
    """How many problems (one per failing cell) the rows hold, without building their messages."""
    per_row = pl.sum_horizontal([_fails(c).cast(pl.UInt32) for c in checks.values()])
    return int(rows.select(pl.max_horizontal(per_row, pl.lit(1, pl.UInt32)).sum()).item())


def _unlisted(more: int) -> RowError:
    limit = limits.MAX_PROBLEMS
    return RowError(
        None,
        None,
        None,
        f"… và {vi_count(more)} lỗi khác ở các dòng sau: chỉ liệt kê {vi_count(limit)} lỗi đầu. Hãy sửa các lỗi "
        "này (thường cùng một nguyên nhân) rồi nộp lại.",
        f"… and {more:,} more problems in the rows below: only the first {limit:,} are listed. Fix these (usually "
        "one cause) and submit again.",
    )


def validate(frame: SubmissionFrame, department: str, ref: Reference, today: dt.date) -> Validated:
    """Check every row; return the rows to store, or every problem sorted by row (the first MAX_PROBLEMS of them,
    then one line with the count of the rest: a report of millions of lines would take gigabytes)."""
    work = _prepare(frame.data, ref, department, today)
    checks = _checks(department, today)
    bad = work.select(_row_fails(today)).to_series()
    parts = []
    unlisted = 0
    if bad.any():
        failing = work.filter(bad)
        if failing.height > limits.MAX_PROBLEMS:  # every failing row has a problem: the first rows are enough
            unlisted = _count_problems(failing.slice(limits.MAX_PROBLEMS), checks)
            failing = failing.head(limits.MAX_PROBLEMS)
        failing = failing.join(ref.indicators.select("_code", *_RICH), on="_code", how="left")
        reported = _error_rows(failing, frame, checks)
        parts += [reported, _unexplained(failing, reported)]
        ok = work.filter(~bad)
    else:
        ok = work
    repeated = _key_is_repeated(ok)
    if repeated:
        conflicts = _conflicts(ok, frame)
        if conflicts.height:
            parts.append(conflicts)
    parts = [p for p in parts if p.height]
    if parts or frame.problems:
        errors = list(frame.problems)
        if parts:
            report = pl.concat(parts, how="vertical_relaxed").sort("row", "order", maintain_order=True)
            if report.height > limits.MAX_PROBLEMS:
                unlisted += report.height - limits.MAX_PROBLEMS
                report = report.head(limits.MAX_PROBLEMS)
            errors += [RowError(row, column, value, vi, en) for row, _, column, value, vi, en in report.iter_rows()]
        errors.sort(key=lambda e: -1 if e.row is None else e.row)  # stable: columns keep their order
        if unlisted:
            errors.append(_unlisted(unlisted))
        return Validated(frame.rows, None, errors)
    if repeated:
        ok = ok.unique(subset=_KEY, keep="first", maintain_order=True)
    clean = ok.select(
        pl.col("_code").alias("indicator_code"),
        pl.col("_period").alias("period"),
        pl.col("_start").alias("period_start"),
        pl.col("_end").alias("period_end"),
        pl.col("_loc").alias("locality_code"),
        pl.col("_value").alias("value"),
        pl.when(_empty("note")).then(None).otherwise(pl.col("note").str.strip_chars()).alias("note"),
    )
    return Validated(frame.rows, clean, [])
