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


def _pydantic_problems(file: str, code: str, exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "-"
        got = err.get("input")
        shown = "" if isinstance(got, dict) else f" (giá trị/value: {got!r})"
        out.append(Problem(file, code, where, f"Không hợp lệ: {err['msg']}{shown}", f"Invalid: {err['msg']}{shown}"))
    return out


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


def parse_indicators(text: str, file: str) -> tuple[list[Indicator], list[Problem]]:
    """Indicators from catalogue YAML text, with every per-indicator problem."""
    try:
        records = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [], [Problem(file, "", "", f"YAML không đọc được: {exc}", f"Unreadable YAML: {exc}")]
    if not isinstance(records, list):
        return [], [
            Problem(
                file, "", "", "Danh mục phải là một danh sách chỉ số.", "The catalogue must be a list of indicators."
            )
        ]
    indicators: list[Indicator] = []
    problems: list[Problem] = []
    for n, rec in enumerate(records, start=1):
        code = str(rec.get("code", f"#{n}")) if isinstance(rec, dict) else f"#{n}"
        if not isinstance(rec, dict):
            problems.append(Problem(file, code, "", "Mục không phải là bảng thuộc tính.", "Entry is not a mapping."))
            continue
        try:
            indicators.append(Indicator(**rec))
        except (ValidationError, TypeError) as exc:
            if isinstance(exc, ValidationError):
                problems += _pydantic_problems(file, code.upper(), exc)
            else:
                problems.append(Problem(file, code.upper(), "", str(exc), str(exc)))
    return indicators, problems


def check_catalogue(indicators: list[Indicator], department_codes: set[str], file: str) -> list[Problem]:
    """The rules beyond types: uniqueness, owners, composites, ranges, frequency, groups."""
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
        problems += _component_problems(ind, by_code, file)
    present = {i.group for i in indicators}
    for group in GROUPS:
        if group not in present:
            add("", "group", f"Thiếu nhóm '{group}'.", f"Group '{group}' has no indicator.")
    return problems


def _component_problems(ind: Indicator, by_code: dict[str, Indicator], file: str) -> list[Problem]:
    if not ind.components:
        return []
    out: list[Problem] = []
    for comp in ind.components:
        if comp.code not in by_code:
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


def load_catalogue(catalogue_path: Path, departments_path: Path, localities_path: Path) -> Catalogue:
    """Read and check everything; raise CatalogueError listing every problem."""
    departments = load_departments(departments_path)
    localities = load_localities(localities_path)
    indicators, problems = parse_indicators(_read_text(catalogue_path), catalogue_path.name)
    problems += check_catalogue(indicators, {d.code for d in departments}, catalogue_path.name)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(indicators, departments, localities)
