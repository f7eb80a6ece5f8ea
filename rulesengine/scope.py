"""What a plan covers: comprehensive or topical, and the policy domains it speaks of.

A gap — the parent sets a main goal, the county none — only means something inside what the
county plan is for. A topical plan (海宁《制造业投资倍增行动专项工作实施方案》) answers for its topic
only; a comprehensive plan that lists its own main goals answers for all of the parent's; a
text that lists none (a partial excerpt, a news account of one section) answers for the domains
it speaks of. The kind comes from metadata when given, else from the title (the heading line,
or the plan a news account names), and the inference is shown with the check.
Data: rules/scopes.yaml (kinds, domains and their words).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rulesengine.datafile import load_model
from rulesengine.model import Plan
from rulesengine.ruledata import rules_data
from rulesengine.titles import named_plan

__all__ = ["PlanKind", "PlanScope", "ScopeData", "load_scope_data", "read_scope", "scope_reason"]


class PlanKind(StrEnum):
    comprehensive = "comprehensive"
    topical = "topical"


class _Domain(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z_]+$")
    name: str = Field(min_length=1)
    words: tuple[str, ...] = Field(min_length=1)


class _Kinds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    topical: tuple[str, ...]
    comprehensive: tuple[str, ...]


# (id of the data, text) → domains: the same indicator names are asked about in every check.
# Keyed by identity because the data is loaded once per process (default_scope_data) and kept.
_DOMAINS: dict[tuple[int, str], tuple[ScopeData, frozenset[str]]] = {}


class ScopeData(BaseModel):
    """rules/scopes.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    reference: str = Field(min_length=1)
    kinds: _Kinds
    main_goal_cues: tuple[str, ...]
    industry_plan: tuple[str, ...]
    named_plan_verbs: tuple[str, ...]
    domains: tuple[_Domain, ...] = Field(min_length=1)

    def domains_in(self, text: str) -> frozenset[str]:
        """The ids of the domains whose words occur in ``text``."""
        key = (id(self), text)
        hit = _DOMAINS.get(key)
        if hit is not None and hit[0] is self:
            return hit[1]
        if len(_DOMAINS) > 8192:
            _DOMAINS.clear()
        found = frozenset(d.id for d in self.domains if any(w in text for w in d.words))
        _DOMAINS[key] = (self, found)  # holds the data: its id cannot be reused while cached
        return found

    def domain_names(self, ids: Iterable[str]) -> list[str]:
        wanted = set(ids)
        return [d.name for d in self.domains if d.id in wanted]

    def resolve_domain(self, written: str) -> str | None:
        """A domain written in metadata by id or Chinese name."""
        for d in self.domains:
            if written in (d.id, d.name):
                return d.id
        return None


def load_scope_data(path: Path | None = None) -> ScopeData:
    """The scope data (default: the rules data's scopes.yaml), or a DataFileError naming the
    file, the line and the field."""
    return load_model(path if path is not None else rules_data().scopes, ScopeData)


@cache
def default_scope_data() -> ScopeData:
    return load_scope_data()


class PlanScope(BaseModel):
    """The scope of the plan under check, with where it came from (shown with the check)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: PlanKind
    topics: tuple[str, ...] = ()  # domain ids a topical plan is about
    mentioned: tuple[str, ...] = ()  # domain ids the text speaks of
    main_goals: bool = False  # the plan lists its own main goals (主要预期目标), intact
    cut_off: bool = False  # its main-goal list runs into the end of the excerpt: the rest is unknown
    industry: bool = False  # the industry department's plan (经信/工信)
    title: str = ""  # the title the kind was read from
    source: str = "default"  # metadata | title | named plan | default

    def describe(self, data: ScopeData | None = None) -> str:
        """One line for a reviewer: 专项规划（投资；据标题《…》推断）."""
        data = data or default_scope_data()
        kind = "专项规划" if self.kind is PlanKind.topical else "综合性规划"
        topics = "、".join(data.domain_names(self.topics))
        how = {
            "metadata": "据元数据",
            "title": f"据标题《{self.title}》推断",
            "named plan": f"据文中所述《{self.title}》推断",
            "default": "未见标题，按综合性规划处理",
        }[self.source]
        return f"{kind}（{topics + '；' if topics else ''}{how}）"


def _main_goals(text: str, cues: Sequence[str]) -> tuple[bool, bool]:
    """(the plan lists its main goals, the list is cut off by the end of the excerpt)."""
    at = min((i for c in cues if (i := text.find(c)) >= 0), default=-1)
    if at < 0:
        return False, False
    tail = text[at:].rstrip()
    cut = "\n" not in tail and not tail.endswith(("。", "”", "！", "；", ")", "）"))
    return True, cut


def read_scope(plan: Plan, cues: Sequence[str] = (), data: ScopeData | None = None) -> PlanScope:
    """The scope of a plan: metadata first (``plan.kind``/``plan.scope``), else the title."""
    data = data or default_scope_data()
    text = plan.text
    mentioned = tuple(sorted(data.domains_in(text)))
    listed, cut = _main_goals(text, (*cues, *data.main_goal_cues))
    main_goals = listed and not cut
    named = named_plan(text, data.named_plan_verbs) or ""
    industry = any(w in f"{plan.title}{plan.issuer}{named}" for w in data.industry_plan)
    base = PlanScope(
        kind=PlanKind.comprehensive,
        mentioned=mentioned,
        main_goals=main_goals,
        cut_off=listed and cut,
        industry=industry,
        title=plan.title,
    )
    if plan.kind:
        topics = tuple(sorted({d for s in plan.scope if (d := data.resolve_domain(s))}))
        return base.model_copy(update={"kind": PlanKind(plan.kind), "topics": topics, "source": "metadata"})
    for title, source in ((plan.title, "title"), (named, "named plan")):
        if not title:
            continue
        topics = tuple(sorted(data.domains_in(title)))
        if topics and any(w in title for w in data.kinds.topical):
            return base.model_copy(
                update={"kind": PlanKind.topical, "topics": topics, "title": title, "source": source}
            )
        if any(w in title for w in data.kinds.comprehensive):
            return base.model_copy(update={"title": title, "source": source})
    return base


ScopeReason = Literal["topic", "main_goals", "comprehensive", "mentioned"]


def scope_reason(scope: PlanScope, indicator_text: str, data: ScopeData | None = None) -> ScopeReason | None:
    """Why an indicator (its names run together) is inside the plan's scope, or None if not."""
    data = data or default_scope_data()
    domains = data.domains_in(indicator_text)
    if scope.cut_off:
        return None  # the county's own list is cut off: what it sets after the cut is unknown
    if scope.kind is PlanKind.topical:
        return "topic" if domains & set(scope.topics) else None
    if scope.main_goals:
        return "main_goals"
    if not domains:
        return "comprehensive"
    return "mentioned" if domains & set(scope.mentioned) else None
