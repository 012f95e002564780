"""Load and check the catalogue and the reference data; refuse a broken file whole."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from schema.models import GROUPS, Department, Indicator, Locality


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalogue or reference file."""

    file: str
    code: str
    field: str
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.file} [{self.code}] {self.field}: {self.message_vi} / {self.message_en}"


class CatalogueError(Exception):
    """A catalogue or reference file with problems; every problem is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Catalogue:
    indicators: list[Indicator]
    departments: list[Department]
    localities: list[Locality]
    by_code: dict[str, Indicator] = field(init=False)

    def __post_init__(self) -> None:
        self.by_code = {i.code: i for i in self.indicators}


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CatalogueError([Problem(path.name, "", "", "Không tìm thấy tệp.", "File not found.")]) from None
    except UnicodeDecodeError:
        raise CatalogueError([Problem(path.name, "", "", "Tệp không phải UTF-8.", "The file is not UTF-8.")]) from None


# pydantic's error types, said in words (its own English never reaches a user); {x}: the error's context.
_PYDANTIC_WORDS: dict[str, tuple[str, str]] = {
    "missing": ("thiếu thuộc tính bắt buộc này", "this required attribute is missing"),
    "extra_forbidden": ("thuộc tính này không có trong danh mục chuẩn", "this attribute is not a catalogue attribute"),
    "literal_error": ("phải là một trong: {expected}", "must be one of: {expected}"),
    "enum": ("phải là một trong: {expected}", "must be one of: {expected}"),
    "string_too_short": ("không được để trống", "cannot be empty"),
    "string_type": ("phải là chữ", "must be text"),
    "string_pattern_mismatch": (
        "chỉ gồm chữ cái không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang",
        "only unaccented letters, digits, dot, underscore and hyphen",
    ),
    "float_parsing": ("phải là một số", "must be a number"),
    "float_type": ("phải là một số", "must be a number"),
    "finite_number": ("phải là một số hữu hạn", "must be a finite number"),
    "int_parsing": ("phải là một số nguyên", "must be a whole number"),
    "int_type": ("phải là một số nguyên", "must be a whole number"),
    "int_from_float": ("phải là một số nguyên", "must be a whole number"),
    "greater_than_equal": ("phải từ {ge} trở lên", "must be {ge} or more"),
    "less_than_equal": ("phải từ {le} trở xuống", "must be {le} or less"),
    "dict_type": ("phải là một bảng năm → giá trị", "must be a mapping (year → value)"),
    "list_type": ("phải là một danh sách", "must be a list"),
    "model_type": ("phải là một bảng thuộc tính", "must be a mapping of attributes"),
    "model_attributes_type": ("phải là một bảng thuộc tính", "must be a mapping of attributes"),
}
_PYDANTIC_OTHER = ("giá trị không hợp lệ", "invalid value")


def _shown_value(value: object) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _pydantic_problems(file: str, code: str, exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"] if p != "[key]") or "-"
        context = {k: str(v).replace("'", "") for k, v in (err.get("ctx") or {}).items()}
        if "expected" in context:  # pydantic writes "'a', 'b' or 'c'": a plain list in either language
            context["expected"] = context["expected"].replace(" or ", ", ")
        vi, en = _PYDANTIC_WORDS.get(err["type"], _PYDANTIC_OTHER)
        vi, en = vi.format_map(_Blank(context)), en.format_map(_Blank(context))
        got = err.get("input")
        if err["type"] not in ("missing", "extra_forbidden") and not isinstance(got, dict | list):
            vi, en = f"{vi} (giá trị: {_shown_value(got)})", f"{en} (value: {_shown_value(got)})"
        out.append(Problem(file, code, where, f"{vi[0].upper()}{vi[1:]}.", f"{en[0].upper()}{en[1:]}."))
    return out


class _Blank(dict):
    """format_map that leaves an unknown {placeholder} empty instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


def _records_from_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_read_text(path))))


def load_departments(path: Path) -> list[Department]:
    problems: list[Problem] = []
    out: list[Department] = []
    for n, rec in enumerate(_records_from_csv(path), start=2):
        try:
            out.append(Department(**rec))
        except ValidationError as exc:
            problems += _pydantic_problems(path.name, f"row {n}", exc)
    problems += _duplicates(path.name, [d.code for d in out])
    if problems:
        raise CatalogueError(problems)
    return out


def load_localities(path: Path) -> list[Locality]:
    problems: list[Problem] = []
    out: list[Locality] = []
    for n, rec in enumerate(_records_from_csv(path), start=2):
        try:
            out.append(Locality(**rec))
        except ValidationError as exc:
            problems += _pydantic_problems(path.name, f"row {n}", exc)
    problems += _duplicates(path.name, [loc.code for loc in out])
    if problems:
        raise CatalogueError(problems)
    return out


def _duplicates(file: str, codes: list[str]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for code in codes:
        if code in seen:
            out.append(Problem(file, code, "code", "Mã bị trùng.", "Duplicate code."))
        seen.add(code)
    return out


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader that refuses a key written twice in one mapping (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise _DuplicateKey(key, seen[key], key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if isinstance(key, str | int | float | bool):
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: object, first: int, line: int, column: int) -> None:
        super().__init__(key)
        self.key, self.first, self.line, self.column = key, first, line, column


# What PyYAML's problem means, in words; the first that matches its English text.
_YAML_HINTS = (
    (
        "mapping values are not allowed",
        (
            "có dấu hai chấm ở chỗ không được phép (một giá trị chứa dấu hai chấm cần đặt trong dấu nháy, "
            "hoặc dòng bị thụt đầu dòng sai)",
            "a colon where none is allowed (a value that holds a colon needs quotes, or the line is indented wrongly)",
        ),
    ),
    ("could not find expected ':'", ("thiếu dấu hai chấm sau tên thuộc tính", "a colon is missing after an attribute")),
    (
        "cannot start any token",
        (
            "có ký tự Tab hoặc ký tự không được phép; YAML chỉ thụt đầu dòng bằng dấu cách",
            "a tab or a character that is not allowed; YAML indents with spaces only",
        ),
    ),
    (
        "expected <block end>",
        ("thụt đầu dòng không khớp với các dòng trên", "the indentation does not match the lines above"),
    ),
    ("expected ',' or ']'", ("dấu ngoặc vuông [ chưa được đóng", "a square bracket [ is not closed")),
    ("expected ',' or '}'", ("dấu ngoặc nhọn { chưa được đóng", "a curly bracket { is not closed")),
    ("unexpected end of stream", ("dấu nháy chưa được đóng", "a quote is not closed")),
    ("found undefined alias", ("dùng một bí danh (*) chưa được định nghĩa", "an alias (*) that is not defined")),
)


def _yaml_problem(file: str, exc: yaml.YAMLError) -> Problem:
    """One problem for a file YAML cannot read: where (line, column) and what, in words."""
    if isinstance(exc, yaml.reader.ReaderError):
        return Problem(
            file,
            "",
            "",
            f"Tệp chứa ký tự không được phép (mã {exc.character!r}) ở vị trí {exc.position}; lưu lại tệp dạng văn "
            "bản UTF-8.",
            f"The file holds a character that is not allowed (code {exc.character!r}) at position {exc.position}; "
            "save it again as UTF-8 text.",
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where_vi = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark is not None else ""
    where_en = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    text = f"{getattr(exc, 'problem', '') or ''} {getattr(exc, 'context', '') or ''}"
    vi, en = next((words for key, words in _YAML_HINTS if key in text), ("cú pháp không hợp lệ", "invalid syntax"))
    opened = getattr(exc, "context_mark", None)
    if opened is not None and mark is not None and opened.line != mark.line and "not closed" in en:
        vi += f" (mở ở dòng {opened.line + 1}, cột {opened.column + 1})"
        en += f" (opened at line {opened.line + 1}, column {opened.column + 1})"
    return Problem(
        file,
        "",
        "",
        f"Tệp YAML sai cú pháp{where_vi}: {vi}. Chưa kiểm tra được gì khác cho đến khi sửa lỗi này.",
        f"YAML syntax error{where_en}: {en}. Nothing else can be checked until this is fixed.",
    )


@dataclass
class Parsed:
    """A catalogue file read as far as it goes: the valid indicators, every problem, and what the file names.

    ``codes`` and ``groups`` hold what every entry names, valid or not, so that later checks (a missing group, a
    missing component, an indicator removed although it has data) do not report what is only the echo of a
    problem already listed. ``codes`` is None when the file could not be read as a list at all.
    """

    indicators: list[Indicator]
    problems: list[Problem]
    codes: set[str] | None
    groups: set[str]


def read_indicators(text: str, file: str) -> Parsed:
    """Indicators from catalogue YAML text, with every problem of each entry."""
    try:
        records = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except _DuplicateKey as dup:
        problem = Problem(
            file,
            "",
            str(dup.key),
            f"Thuộc tính '{dup.key}' được viết hai lần trong một chỉ số (dòng {dup.first} và dòng {dup.line}); "
            "giữ lại một.",
            f"The attribute '{dup.key}' is written twice in one indicator (lines {dup.first} and {dup.line}); "
            "keep one.",
        )
        return Parsed([], [problem], None, set())
    except yaml.YAMLError as exc:
        return Parsed([], [_yaml_problem(file, exc)], None, set())
    if not isinstance(records, list):
        problem = Problem(
            file, "", "", "Danh mục phải là một danh sách chỉ số.", "The catalogue must be a list of indicators."
        )
        return Parsed([], [problem], None, set())
    indicators: list[Indicator] = []
    problems: list[Problem] = []
    codes: set[str] = set()
    groups: set[str] = set()
    for n, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            problems.append(
                Problem(
                    file, f"#{n}", "", f"Mục thứ {n} không phải là bảng thuộc tính.", f"Entry {n} is not a mapping."
                )
            )
            continue
        code = str(rec.get("code") or f"#{n}").strip().upper()
        codes.add(code)
        groups.add(str(rec.get("group", "")).strip())
        try:
            indicators.append(Indicator(**rec))
        except ValidationError as exc:
            problems += _pydantic_problems(file, code, exc)
        except TypeError:  # a key that is not text (``1: x``)
            problems.append(Problem(file, code, "", "Tên thuộc tính phải là chữ.", "Attribute names must be text."))
    return Parsed(indicators, problems, codes, groups)


def parse_indicators(text: str, file: str) -> tuple[list[Indicator], list[Problem]]:
    """Indicators from catalogue YAML text, with every per-indicator problem."""
    parsed = read_indicators(text, file)
    return parsed.indicators, parsed.problems


def check_catalogue(
    indicators: list[Indicator],
    department_codes: set[str],
    file: str,
    named_codes: set[str] | None = None,
    named_groups: set[str] | None = None,
) -> list[Problem]:
    """The rules beyond types: uniqueness, owners, composites, ranges, frequency, groups.

    ``named_codes`` and ``named_groups``: what the file names including its invalid entries (already reported),
    so a component or a group is not reported missing only because its entry had another problem.
    """
    problems: list[Problem] = []

    def add(code: str, fld: str, vi: str, en: str) -> None:
        problems.append(Problem(file, code, fld, vi, en))

    problems += _duplicates(file, [i.code for i in indicators])
    by_code = {i.code: i for i in indicators}
    for ind in indicators:
        if ind.owner not in department_codes:
            add(
                ind.code,
                "owner",
                f"Sở/ngành '{ind.owner}' không có trong danh sách.",
                f"Unknown department '{ind.owner}'.",
            )
        lo, hi = ind.valid_min, ind.valid_max
        if lo is not None and hi is not None and not lo < hi:
            add(
                ind.code,
                "valid_min",
                f"valid_min ({lo:g}) phải nhỏ hơn valid_max ({hi:g}).",
                f"valid_min ({lo:g}) must be below valid_max ({hi:g}).",
            )
        for year, target in ind.targets.items():
            if (lo is not None and target < lo) or (hi is not None and target > hi):
                add(
                    ind.code,
                    f"targets.{year}",
                    f"Chỉ tiêu {target:g} nằm ngoài khoảng hợp lệ.",
                    f"Target {target:g} is outside the valid range.",
                )
        if ind.value_type == "ytd" and ind.frequency == "annual":
            add(
                ind.code,
                "value_type",
                "Lũy kế (ytd) chỉ dùng cho tần suất dưới một năm.",
                "ytd is only for sub-annual frequencies.",
            )
        if ind.thresholds.at_risk >= ind.thresholds.on_track:
            add(
                ind.code,
                "thresholds",
                "Ngưỡng 'có nguy cơ' phải thấp hơn ngưỡng 'đạt'.",
                "The at-risk threshold must be below on-track.",
            )
        if ind.components and ind.group != "composite":
            add(
                ind.code,
                "components",
                "Chỉ chỉ số tổng hợp mới có thành phần.",
                "Only composite indicators have components.",
            )
        problems += _component_problems(ind, by_code, file, named_codes or set())
    present = {i.group for i in indicators} | (named_groups or set())
    for group in GROUPS:
        if group not in present:
            add("", "group", f"Thiếu nhóm '{group}'.", f"Group '{group}' has no indicator.")
    return problems


def _component_problems(ind: Indicator, by_code: dict[str, Indicator], file: str, named: set[str]) -> list[Problem]:
    if not ind.components:
        return []
    out: list[Problem] = []
    for comp in ind.components:
        if comp.code not in by_code and comp.code not in named:
            out.append(
                Problem(
                    file,
                    ind.code,
                    "components",
                    f"Thành phần '{comp.code}' không tồn tại.",
                    f"Component '{comp.code}' does not exist.",
                )
            )
        if comp.weight <= 0:
            out.append(
                Problem(
                    file,
                    ind.code,
                    "components",
                    f"Trọng số của '{comp.code}' phải dương.",
                    f"Weight of '{comp.code}' must be positive.",
                )
            )
    if _reaches(ind.code, ind, by_code, set()):
        out.append(
            Problem(
                file,
                ind.code,
                "components",
                "Chỉ số tổng hợp không được chứa chính nó.",
                "A composite cannot contain itself.",
            )
        )
    total = sum(c.weight for c in ind.components)
    if abs(total - 1.0) > 1e-6:
        out.append(
            Problem(
                file,
                ind.code,
                "components",
                f"Tổng trọng số là {total:g}, phải bằng 1.",
                f"Weights sum to {total:g}; they must sum to 1.",
            )
        )
    return out


def _reaches(target: str, ind: Indicator, by_code: dict[str, Indicator], seen: set[str]) -> bool:
    for comp in ind.components:
        if comp.code == target:
            return True
        child = by_code.get(comp.code)
        if child is not None and comp.code not in seen:
            seen.add(comp.code)
            if _reaches(target, child, by_code, seen):
                return True
    return False


def read_catalogue(
    catalogue_path: Path, departments_path: Path, localities_path: Path
) -> tuple[Catalogue | None, Parsed]:
    """Read and check everything, reporting every problem once: the catalogue (None when there are problems)."""
    departments = load_departments(departments_path)
    localities = load_localities(localities_path)
    try:
        parsed = read_indicators(_read_text(catalogue_path), catalogue_path.name)
    except CatalogueError as exc:  # not found, not UTF-8
        return None, Parsed([], exc.problems, None, set())
    if parsed.codes is not None:  # a file that is not even a list has nothing more to check
        parsed.problems += check_catalogue(
            parsed.indicators, {d.code for d in departments}, catalogue_path.name, parsed.codes, parsed.groups
        )
    if parsed.problems:
        return None, parsed
    return Catalogue(parsed.indicators, departments, localities), parsed


def load_catalogue(catalogue_path: Path, departments_path: Path, localities_path: Path) -> Catalogue:
    """Read and check everything; raise CatalogueError listing every problem."""
    catalogue, parsed = read_catalogue(catalogue_path, departments_path, localities_path)
    if catalogue is None:
        raise CatalogueError(parsed.problems)
    return catalogue
