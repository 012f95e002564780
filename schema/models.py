"""Pydantic models for the catalogue and the reference data (CONTRACT §1 and §2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rules import plan

Group = Literal["input", "process", "output", "outcome", "composite"]
Frequency = Literal["weekly", "monthly", "quarterly", "half_yearly", "annual"]
ValueType = Literal["flow", "ytd", "stock", "rate"]
Level = Literal["province", "commune"]
Aggregation = Literal["sum", "mean", "none"]
Direction = Literal["up", "down", "target"]
Stage = Literal["identified", "proposed", "standardized", "verified", "published", "operating"]

GROUPS: tuple[str, ...] = Group.__args__
STAGES: tuple[str, ...] = Stage.__args__

# CONTRACT §1's fields in its order, plus the per-indicator warning thresholds and the unit and source in English
# (where they differ): the catalogue's export, its download on /catalogue and the indicators table all follow this
# one list.
CONTRACT_FIELDS: tuple[str, ...] = (
    "code",
    "name_vi",
    "name_en",
    "group",
    "field",
    "owner",
    "source",
    "unit",
    "frequency",
    "value_type",
    "level",
    "aggregation",
    "direction",
    "valid_min",
    "valid_max",
    "targets",
    "deadline_days",
    "definition_vi",
    "definition_en",
    "method",
    "central_code",
    "stage",
    "components",
    "thresholds",
    "unit_en",
    "source_en",
)
NESTED_FIELDS: tuple[str, ...] = ("targets", "components", "thresholds")  # tables of their own in the store
COLUMN_FIELDS: tuple[str, ...] = tuple(f for f in CONTRACT_FIELDS if f not in NESTED_FIELDS)  # indicators' columns


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Department(_Strict):
    code: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)

    @field_validator("code")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class Locality(_Strict):
    code: str = Field(pattern=r"^\d{5}$")
    name: str = Field(min_length=1)
    kind: Literal["phuong", "xa"]


class Component(_Strict):
    code: str = Field(min_length=1)
    weight: float

    @field_validator("code")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class Thresholds(_Strict):
    """Status thresholds in percent of target: on track at or above, at risk at or above."""

    on_track: float = plan.ON_TRACK_PCT
    at_risk: float = plan.AT_RISK_PCT


class Indicator(_Strict):
    code: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    group: Group
    field: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    source: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    # English unit and source, where they differ from the Vietnamese ones (the English pages and exports use them)
    unit_en: str | None = None
    source_en: str | None = None
    frequency: Frequency
    value_type: ValueType
    level: Level
    aggregation: Aggregation
    direction: Direction
    valid_min: float | None = None
    valid_max: float | None = None
    targets: dict[int, float] = Field(default_factory=dict)
    deadline_days: int = Field(ge=0, le=366)
    definition_vi: str = ""
    definition_en: str = ""
    method: str = ""
    central_code: str | None = None
    stage: Stage
    components: list[Component] = Field(default_factory=list)
    thresholds: Thresholds = Field(default_factory=Thresholds)

    @field_validator("code", "owner")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()

    @field_validator("targets", mode="before")
    @classmethod
    def _no_targets(cls, v: object) -> object:
        return {} if v is None else v

    @field_validator("components", mode="before")
    @classmethod
    def _no_components(cls, v: object) -> object:
        return [] if v is None else v

    @field_validator("central_code", "unit_en", "source_en", mode="before")
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if v is None or (isinstance(v, str) and not v.strip()) else v

    @property
    def allows_province_value(self) -> bool:
        """Province-level indicators, and commune ones whose province value is submitted too."""
        return self.level == "province" or self.aggregation == "none"
