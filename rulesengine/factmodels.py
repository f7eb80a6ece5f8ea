"""The facts the rule engine joins, as models: one per fact ``type``, and what a rule may say
about each field (``field_specs``).

Why a module of its own: the rule pack (rulesengine.rulebook) checks every rule against these
models when it loads, and must load without the extractor; rulesengine.facts builds facts
from extracted plans and imports both.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rulesengine.model import Basis, Comparator, Direction, Kind, Level, Scale

__all__ = [
    "ACROSS_FACT_TYPES",
    "FACT_MODELS",
    "ChainFact",
    "FieldSpec",
    "FormName",
    "PeerFact",
    "Role",
    "ShareFact",
    "field_specs",
]


class Role(StrEnum):
    """Which side of the check a plan is on: the plan under review, or one above it."""

    county = "county"
    parent = "parent"


FormName = Literal["growth", "share", "level", "count", "reduction", "other"]


class _Fact(BaseModel):
    """Fields every fact has: where it comes from and which plan and region it belongs to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: str = Field(min_length=1, json_schema_extra={"internal": True})
    plan: str = Field(min_length=1)
    role: Role
    level: Level
    region: str = Field(min_length=1)
    region_code: str = Field(pattern=r"^\d{6}$")
    plan_start: int
    plan_end: int
    plan_period: str


class PlanFact(_Fact):
    type: Literal["plan"] = "plan"


class TargetFact(_Fact):
    type: Literal["target"] = "target"
    indicator: str = Field(min_length=1, json_schema_extra={"domain": "indicator"})
    indicator_name: str = Field(min_length=1)
    catalogued: bool
    form: FormName
    scale: Scale
    concept: str = Field(min_length=1, json_schema_extra={"domain": "concept"})
    direction: Direction
    headline: bool
    value: float
    value_max: float | None = None
    unit: str
    comparator: Comparator
    kind: Kind
    basis: Basis
    tier: str  # 国家级 national, 省级 provincial …, or "" (rules/phrasing.yaml tiers)
    year: int
    period: str = Field(min_length=1)
    period_start: int
    period_end: int


class TargetTopicFact(_Fact):
    type: Literal["target_topic"] = "target_topic"
    topic: str = Field(min_length=1, json_schema_extra={"domain": "topic"})
    indicator: str = Field(min_length=1, json_schema_extra={"domain": "indicator"})
    indicator_name: str = Field(min_length=1)
    value: float
    unit: str
    comparator: Comparator
    kind: Kind
    basis: Basis
    year: int
    period: str = Field(min_length=1)
    headline: bool


class ScopeFact(_Fact):
    """A parent indicator inside the checked plan's scope (rulesengine.scope), one per indicator:
    gap rules ask for it, so a topical plan is not blamed for what it never meant to cover."""

    type: Literal["scope"] = "scope"
    indicator: str = Field(min_length=1, json_schema_extra={"domain": "indicator"})
    reason: Literal["topic", "main_goals", "comprehensive", "mentioned"]
    industry: bool  # the checked plan is the industry department's (经信/工信 work plan)


class RelativeFact(_Fact):
    """A commitment with no number, relative to the plan above or to economic growth."""

    type: Literal["relative"] = "relative"
    indicator: str = Field(json_schema_extra={"domain": "indicator"})
    relation: Literal["upper", "economy", "national"]
    binding: bool


class TopicFact(_Fact):
    type: Literal["topic"] = "topic"
    topic: str = Field(min_length=1, json_schema_extra={"domain": "topic"})
    keyword: str = Field(min_length=1)


class MentionFact(_Fact):
    """The plan names a catalog indicator by its own words (rulesengine.extract.mentions), with or
    without a number: what "mentions this indicator" means in a rule, narrower than a topic."""

    type: Literal["mention"] = "mention"
    indicator: str = Field(json_schema_extra={"domain": "indicator"})
    keyword: str = Field(min_length=1)


class _AcrossTarget(_Fact):
    """What the batch-wide facts repeat of the target they are about (rulesengine.across), so a
    rule filters them as it filters targets: same names, same meanings."""

    indicator: str = Field(min_length=1, json_schema_extra={"domain": "indicator"})
    indicator_name: str = Field(min_length=1)
    catalogued: bool
    form: FormName
    scale: Scale
    direction: Direction
    value: float
    unit: str
    comparator: Comparator
    kind: Kind
    basis: Basis
    tier: str
    period: str = Field(min_length=1)


class ShareFact(_AcrossTarget):
    """A parent plan's target against the same indicator's targets of the regions one level
    below it in the batch (指标分解): the parent's plan fields, role parent.

    ``children_*`` count regions, not plans: a region with two plans sets one share (its largest
    baseline target, else its largest stretch target). ``children_total`` is how many regions of
    ``child_level`` lie under the parent's region in GB/T 2260 (development zones not counted),
    so a rule can tell a whole province's batch from a partial one. ``per_region``: the parent's
    sentence asks the number of each child region (每个县…), so it is not a total to be shared.
    """

    type: Literal["share"] = "share"
    child_level: Literal["city", "county"]
    children_sum: float
    children_with_share: int
    children_in_batch: int
    children_total: int
    per_region: bool


class PeerFact(_AcrossTarget):
    """A county's target among the same targets of the other counties of its province in the
    batch (same indicator, period, unit, basis, kind; one value per county): the county plan's
    fields, role county. ``rank`` 1 is the lowest value; ``n`` counts the county itself."""

    type: Literal["peer"] = "peer"
    province: str = Field(min_length=1)
    median: float
    q1: float
    q3: float
    iqr: float
    n: int
    rank: int


class ChainFact(_AcrossTarget):
    """A county's target with its city's and its province's of the same indicator, period, unit,
    basis and kind, both positive (层层加码 across the layers): the county plan's fields, role
    county. ``rank`` 1 is the largest ``ratio`` (county ÷ province) of the batch's chains."""

    type: Literal["chain"] = "chain"
    city: str = Field(min_length=1)
    city_value: float
    province: str = Field(min_length=1)
    province_value: float
    city_ratio: float  # city ÷ province
    county_ratio: float  # county ÷ city
    ratio: float  # county ÷ province
    rank: int
    ranked: int  # chains in the batch


FACT_MODELS: dict[str, type[_Fact]] = {
    "plan": PlanFact,
    "target": TargetFact,
    "target_topic": TargetTopicFact,
    "topic": TopicFact,
    "scope": ScopeFact,
    "relative": RelativeFact,
    "mention": MentionFact,
    "share": ShareFact,
    "peer": PeerFact,
    "chain": ChainFact,
}

ACROSS_FACT_TYPES: frozenset[str] = frozenset({"share", "peer", "chain"})
"""Fact types a batch computes over many plans (rulesengine.across): only rules of ``scope:
across`` may name them, and those rules name nothing else."""


@dataclass(frozen=True)
class FieldSpec:
    """What a rule may say about one fact field: its scalar type, allowed values, domain."""

    name: str
    scalar: type  # str, float, int or bool
    values: frozenset[str] | None  # a closed set (enums, literals), else None
    optional: bool  # may be absent from a fact: a rule needs an $ex guard to use it
    domain: str | None  # "indicator" | "concept" | "topic": checked against the catalog


def _scalar_of(annotation: Any) -> tuple[type, frozenset[str] | None, bool]:
    optional = False
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        optional = type(None) in args
        annotation = next(a for a in args if a is not type(None))
        args = typing.get_args(annotation)
    if typing.get_origin(annotation) is Literal:
        return str, frozenset(str(a) for a in args), optional
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return str, frozenset(m.value for m in annotation), optional
    if annotation in (str, float, int, bool):
        return annotation, None, optional
    raise TypeError(f"fact field type {annotation!r} is not a scalar")


def field_specs() -> dict[str, dict[str, FieldSpec]]:
    """Fact type → field name → spec, read off the models so rules and facts cannot drift."""
    out: dict[str, dict[str, FieldSpec]] = {}
    for type_name, model in FACT_MODELS.items():
        specs: dict[str, FieldSpec] = {}
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("internal"):
                continue
            scalar, values, optional = _scalar_of(info.annotation)
            domain = extra.get("domain")
            specs[name] = FieldSpec(name, scalar, values, optional, str(domain) if domain else None)
        out[type_name] = specs
    return out
