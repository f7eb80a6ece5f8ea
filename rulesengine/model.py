"""The domain vocabulary of planalign: regions, plans, targets, catalog entries and findings.

Every type is a frozen pydantic v2 model so that a value handed from extraction to the engine
and on to storage cannot change on the way. This module depends on nothing else in the
project: everything else depends on it.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "NATIONAL_CODE",
    "Basis",
    "Category",
    "Comparator",
    "Direction",
    "Finding",
    "FindingFact",
    "Form",
    "FrozenFact",
    "Indicator",
    "IndicatorMention",
    "Kind",
    "Level",
    "Period",
    "Plan",
    "PlanWarning",
    "Region",
    "RelativeMention",
    "Scale",
    "Severity",
    "Span",
    "Target",
    "TopicMention",
]


class FrozenFact(dict[str, Any]):
    """A fact for the engine that cannot change: a ``dict`` (so JSON, ``**`` and pickling work)
    whose mutating methods raise.

    Why: a plan's facts are built once and shared by every check it takes part in (a parent's
    ~290 facts by all 3,000 checks of a batch; see rulesengine.check), so a change made by one
    caller would leak into every later check.
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError("FrozenFact cannot be changed; copy it with dict(fact)")

    __setitem__ = __delitem__ = __ior__ = _refuse  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[dict[str, Any]], tuple[dict[str, Any]]]:
        """Pickled, a fact arrives as a plain dict: a copy in another process is shared with no one."""
        return dict, (dict(self),)

    def __copy__(self) -> FrozenFact:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> FrozenFact:
        return self


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class Level(StrEnum):
    """A tier of government: 全国 above the provinces, then prefecture (city) and county-level
    units (区, 县, 县级市, 旗, and development zones under their host region)."""

    national = "national"
    province = "province"
    city = "city"
    county = "county"


class Comparator(StrEnum):
    gte = "gte"
    approx = "approx"
    lte = "lte"
    eq = "eq"


class Kind(StrEnum):
    baseline = "baseline"
    stretch = "stretch"


class Basis(StrEnum):
    """How a value counts: for one year, summed over the plan period, or a rate held on
    average each year of a span (年均增长15%, 2023-2026: it applies to each of those years)."""

    annual = "annual"
    cumulative = "cumulative"
    average = "average"


class Form(StrEnum):
    growth = "growth"
    share = "share"
    level = "level"
    count = "count"  # type: ignore[assignment]
    reduction = "reduction"


class Direction(StrEnum):
    """Which way is ambitious: higher; lower (less is better); or a ceiling, a bound a plan
    promises not to exceed (居民消费价格涨幅3%左右, 失业率5.5%以内) rather than a goal to beat."""

    higher = "higher"
    lower = "lower"  # type: ignore[assignment]
    ceiling = "ceiling"


class Scale(StrEnum):
    """Whether a level compares across levels of government: intensive (亩均, 人均, 强度, 占比,
    rates) does; extensive (a total: 亿元, 家) grows with the region and does not."""

    intensive = "intensive"
    extensive = "extensive"


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


class Category(StrEnum):
    gap = "gap"
    weaker = "weaker"
    conflict = "conflict"
    mismatch = "mismatch"
    aligned = "aligned"


RegionCode = Annotated[str, Field(pattern=r"^\d{6}$")]
NATIONAL_CODE = "000000"
"""全国: the root of the hierarchy, above every province (GB/T 2260 has no code for it)."""


class Region(_Frozen):
    """A GB/T 2260 division. The parent code is what links a county to the plans above it."""

    name: str = Field(min_length=1)
    code: RegionCode
    level: Level
    parent_code: RegionCode | None = None

    @model_validator(mode="after")
    def _parent_differs(self) -> Self:
        if self.parent_code == self.code:
            raise ValueError("parent_code: a region cannot be its own parent")
        if self.level is Level.national and self.parent_code is not None:
            raise ValueError("parent_code: 全国 has no parent region")
        if self.level is Level.province and self.parent_code not in (None, NATIONAL_CODE):
            raise ValueError("parent_code: a province's only parent is 全国 (000000)")
        return self


_INDICATOR_ID = re.compile(r"[a-z0-9_]+")
"""A catalog id. Compiled once: ``re.fullmatch(pattern, …)`` looks the pattern up in ``re``'s
cache, which the extractor's many patterns evict, so every stored target paid a recompile."""
_PERIOD_RE = re.compile(r"^(\d{4})(?:\s*[-–—至]\s*(\d{4}))?(?:/(Q[1-4]|H[12]))?$")


class Period(_Frozen):
    """A plan year or span (2023, 2021-2025), optionally narrowed to a quarter or half.

    Accepts the string forms people write ("2023", "2021-2025", "2023/Q1") as well as the
    structured form, so YAML, JSON and CLI flags can all say it the short way.
    """

    start: int = Field(ge=1949, le=2100)
    end: int = Field(ge=1949, le=2100)
    sub: str | None = Field(default=None, pattern=r"^(Q[1-4]|H[12])$")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, int):
            return {"start": data, "end": data}
        if isinstance(data, str):
            m = _PERIOD_RE.match(data.strip())
            if not m:
                raise ValueError(f"period: {data!r} is not a year or span like 2023 or 2021-2025")
            start = int(m.group(1))
            end = int(m.group(2) or start)
            return {"start": start, "end": end, "sub": m.group(3)}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"period: end {self.end} is before start {self.start}")
        if self.sub is not None and self.start != self.end:
            raise ValueError("period: a quarter or half belongs to a single year")
        return self

    @property
    def is_span(self) -> bool:
        return self.end != self.start

    def covers(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        text = str(self.start) if not self.is_span else f"{self.start}-{self.end}"
        return f"{text}/{self.sub}" if self.sub else text


class PlanWarning(_Frozen):
    """Something odd about a document that a reviewer should know but that is not fatal."""

    code: str
    message_zh: str
    message_en: str
    start: int | None = None
    end: int | None = None


class Plan(_Frozen):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    title: str = ""
    issuer: str = ""
    region: Region
    level: Level
    period: Period
    source_name: str = ""
    text: str
    sha256: str = Field(default="", pattern=r"^([0-9a-f]{64})?$")
    warnings: tuple[PlanWarning, ...] = ()
    # What the plan covers, when metadata says so (else read from its title: rulesengine.scope):
    # comprehensive | topical, and for a topical plan its domains (ids or names of rules/scopes.yaml).
    kind: str = Field(default="", pattern=r"^(comprehensive|topical)?$")
    scope: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _hash(self) -> Self:
        digest = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        if not self.sha256:
            object.__setattr__(self, "sha256", digest)
        elif self.sha256 != digest:
            raise ValueError("sha256: does not match the plan text")
        return self


class Span(_Frozen):
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise ValueError(f"span: end {self.end} must be after start {self.start}")
        return self


class Target(_Frozen):
    """One quantified commitment of a plan, with the exact words it came from."""

    indicator: str = Field(min_length=1)
    value: float
    unit: str = ""
    comparator: Comparator = Comparator.eq
    value_max: float | None = None
    kind: Kind = Kind.baseline
    basis: Basis = Basis.annual
    period: Period
    quote: str = Field(min_length=1)
    span: Span
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)

    @field_validator("indicator")
    @classmethod
    def _indicator_form(cls, v: str) -> str:
        if v.startswith("other:"):
            if len(v) <= len("other:"):
                raise ValueError("indicator: 'other:' needs a short name after it")
        elif not _INDICATOR_ID.fullmatch(v):
            raise ValueError(f"indicator: {v!r} is neither a catalog id nor other:<name>")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.value_max is not None and self.value_max < self.value:
            raise ValueError(f"value_max: {self.value_max} is below value {self.value}")
        if len(self.quote) != self.span.end - self.span.start:
            raise ValueError("span: its length differs from the quote's")
        return self

    def quote_matches(self, text: str) -> bool:
        return text[self.span.start : self.span.end] == self.quote


class _Quoted(_Frozen):
    """A sentence a plan wrote without a target in it, quoted with its span: the evidence a
    finding shows for a mention or a commitment."""

    quote: str = Field(min_length=1)
    span: Span

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len(self.quote) != self.span.end - self.span.start:
            raise ValueError("span: its length differs from the quote's")
        return self


class IndicatorMention(_Quoted):
    """A plan names an indicator by one of its own catalog words (its name or a synonym), with or
    without a number: "mentions this indicator", narrower than a topic (创新 is in 创新中心)."""

    indicator: str = Field(min_length=1)
    keyword: str = Field(min_length=1)


class TopicMention(_Quoted):
    """A plan speaks of a topic (专精特新, 未来工厂 …), with or without a number: the quote shows it."""

    topic: str = Field(min_length=1)
    keyword: str = Field(min_length=1)


class RelativeMention(_Quoted):
    """A commitment with no number of its own, stated relative to the plan above ("增速不低于全省
    平均水平", "完成上级下达的约束性指标任务") or to economic growth ("与经济增长同步")."""

    indicator: str = ""  # the catalog id the clause names, or "" for the binding indicators
    relation: Literal["upper", "economy", "national"]
    binding: bool = False  # about the binding (约束性) indicators as a group

    @model_validator(mode="after")
    def _names_something(self) -> Self:
        if not self.indicator and not self.binding:
            raise ValueError("indicator: a relative commitment names an indicator or the binding ones")
        return self


class Indicator(_Frozen):
    """A catalog entry: how plans name an indicator and how its values compare."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    synonyms: tuple[str, ...] = ()
    units: tuple[str, ...] = Field(min_length=1)
    form: Form
    direction: Direction = Direction.higher
    scale: Scale | None = None
    topics: tuple[str, ...] = ()
    concept: str | None = None
    basis: Basis | None = None
    excludes: tuple[str, ...] = ()
    headline: bool = False
    reference: str = Field(min_length=1)

    @model_validator(mode="after")
    def _scale_known(self) -> Self:
        """Rates and shares are intensive and counts extensive by nature; a level must say."""
        if self.scale is None:
            if self.form is Form.level:
                raise ValueError("scale: a level must say intensive (亩均, 人均) or extensive (a total)")
            scale = Scale.extensive if self.form is Form.count else Scale.intensive
            object.__setattr__(self, "scale", scale)
        return self


class FindingFact(_Frozen):
    """A target a finding rests on, as the reviewer sees it: who said it, and where."""

    role: str
    plan_id: str
    region: str
    indicator: str
    value: float | None = None
    unit: str = ""
    comparator: Comparator | None = None
    kind: Kind | None = None
    period: str = ""
    quote: str = ""
    start: int | None = None
    end: int | None = None


class Finding(_Frozen):
    rule_id: str
    rule_version: int
    severity: Severity
    category: Category
    indicator: str
    message: str
    facts: tuple[FindingFact, ...] = ()
    fingerprint: str
