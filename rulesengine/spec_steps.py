"""The step library behind specs/*.feature: plans as tables, passages or corpus files; a check;
assertions on findings. Steps are written once here so that an analyst adds a rule by writing
YAML and Gherkin only (see specs/README.md).

Why in the library, not in tests/: ``planalign rules test my.feature`` must run an analyst's
feature from an installed planalign, which has no tests/ folder. It is a pytest plugin: the spec
runner loads it with ``-p rulesengine.spec_steps`` and the test suite through
``tests/conftest.py``. Nothing else imports it (an import-linter contract keeps pytest out of
the rest of the library).

Steps (zh-CN keywords, no space after the keyword):

- ``假如上级规划 浙江省 2023 的目标:`` / ``假如县级规划 慈溪市 2023 的目标:`` + a table with
  columns 指标, 值, 单位, 比较, 类型, 期间 (optional 口径, 主要目标). 指标 is a catalog id, a catalog
  name (制造业投资增长) or ``other:名称``; 比较 以上/左右/以内/空; 类型 基准/力争; 口径 年度/累计;
  主要目标 是 puts the target in a 主要预期目标 sentence. Blank cells take defaults.
- ``假如上级规划 浙江省 2023 的原文:`` + a docstring: plan text that goes through extraction.
- ``而且县级规划还写道"……"``: a sentence added to that plan's text (topics are found in it).
- ``而且县级规划的标题为"……"``: the plan's title (its kind and scope are read from it).
- ``假如县级规划为语料 cixi-2023-jingxin-gongzuo-silu.txt``: a document with its .meta.yaml, found
  next to the feature file, in ``examples/plans`` beside its folder (a checkout's specs/), or in
  the folders of ``PLANALIGN_CORPUS``.
- ``当运行对标检查``
- Cross-county checks (rulesengine.across): ``假如省级规划 浙江省 2023 的目标:`` /
  ``而且市级规划 宁波市 2023 的目标:`` (a plan of the batch, with the table above), ``而且各县规划的目标:``
  or ``而且各县规划 2024 的目标:`` (a table with a 行政区 column: one plan per region, for the period
  given, else the first plan's), then ``当运行跨县对标检查``: every plan described is one batch.
  ``而且该发现引用的县级目标有 N 条`` counts the county-role quotes of the finding;
  ``那么应报告规则 R 且消息包含 "……"`` picks a finding by its words (a batch has several).
- ``那么应报告规则 R 严重性 S 指标 I`` / ``那么应报告规则 R 指标 I`` — and it becomes *the finding*
  for ``而且该发现的县级值为 10`` / ``上级值为 12`` / ``消息包含 "38%"`` / ``原文包含 "……"``.
- ``而且不应报告规则 R`` / ``而且不应报告规则 R 指标 I`` / ``而且不应报告指标 I 的缺口``
- ``而且规则 R 共报告 N 条``
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pytest_bdd import given, parsers, then, when

from rulesengine.across import AcrossResult, check_across
from rulesengine.catalog import default_catalog
from rulesengine.check import CheckResult, check_plan
from rulesengine.datafile import did_you_mean
from rulesengine.extract import extract_targets, extract_topics
from rulesengine.facts import PlanFacts
from rulesengine.labels import format_number
from rulesengine.model import Basis, Comparator, Finding, Kind, Period, Span, Target
from rulesengine.plans import load_plan, plan_from_text

__all__ = ["PlanDraft", "SpecContext", "corpus_file"]

T = TypeVar("T")

_COMPARATORS = {
    "": Comparator.eq, "确数": Comparator.eq, "eq": Comparator.eq,
    "以上": Comparator.gte, "不低于": Comparator.gte, "gte": Comparator.gte,
    "左右": Comparator.approx, "approx": Comparator.approx,
    "以内": Comparator.lte, "不超过": Comparator.lte, "lte": Comparator.lte,
}  # fmt: skip
_KINDS = {"": Kind.baseline, "基准": Kind.baseline, "baseline": Kind.baseline,
          "力争": Kind.stretch, "stretch": Kind.stretch}  # fmt: skip
_BASES = {"": Basis.annual, "年度": Basis.annual, "annual": Basis.annual,
          "累计": Basis.cumulative, "cumulative": Basis.cumulative}  # fmt: skip
_WORDS = {Comparator.gte: "以上", Comparator.approx: "左右", Comparator.lte: "以内", Comparator.eq: ""}


def _pick(table: dict[str, str], key: str, choices: Mapping[str, T], at: str) -> T:
    value = table.get(key, "").strip()
    if value not in choices:
        zh, en = did_you_mean(value, (k for k in choices if k))
        raise ValueError(
            f"{at} {key} 列:未知取值 {value!r}{zh}(可用:{'、'.join(k for k in choices if k)})"
            f" / column {key}: unknown value {value!r}{en}"
        )
    return choices[value]


def _indicator(text: str, at: str) -> tuple[str, str, str]:
    """(id, name as written in the plan text, default unit) for a 指标 cell."""
    catalog = default_catalog()
    text = text.strip()
    if text.startswith("other:"):
        return text, text.removeprefix("other:"), ""
    ind = catalog.get(text) or next((i for i in catalog if i.name == text), None)
    if ind is None:
        zh, en = did_you_mean(text, [*(i.id for i in catalog), *(i.name for i in catalog)])
        raise ValueError(
            f"{at} 指标 {text!r} 不在指标目录中{zh}(写目录 id、中文名或 other:名称)"
            f" / indicator {text!r} is not in the catalog{en}"
        )
    return ind.id, ind.name, ind.units[0]


@dataclass
class PlanDraft:
    """A plan being described by steps: table targets, extracted passages, extra sentences."""

    region: str
    period: str
    rows: list[dict[str, str]] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)
    corpus: Path | None = None
    title: str = ""
    file: str = ""  # the feature and the line of the step that wrote the table, for errors
    line: int = 0

    def build(self, plan_id: str) -> PlanFacts:
        if self.corpus is not None:
            base = _corpus(self.corpus)
            if not self.passages:
                return base
            text = base.plan.text + "\n" + "\n".join(self.passages)
            plan = base.plan.model_copy(update={"text": text, "sha256": ""})
            plan = type(plan).model_validate(plan.model_dump())
            return PlanFacts.from_stored(plan, base.targets, extract_topics(text))
        text, targets = "", []
        for i, row in enumerate(self.rows, start=2):
            at = f"{self.file} 第{self.line + i}行/line {self.line + i}(表格第{i}行)"
            ind_id, name, unit = _indicator(row.get("指标", ""), at)
            unit = row.get("单位", "").strip() or unit
            comparator = _pick(row, "比较", _COMPARATORS, at)
            value = float(row["值"])
            vmax = float(row["上限"]) if row.get("上限", "").strip() else None
            rng = f"-{format_number(vmax)}" if vmax is not None else ""
            quote = f"{name}{format_number(value)}{rng}{unit}{_WORDS[comparator]}"
            lead = "今年主要预期目标是:" if row.get("主要目标", "").strip() in ("是", "yes") else ""
            start = len(text) + len(lead)
            text += f"{lead}{quote}。"
            targets.append(
                Target(
                    indicator=ind_id,
                    value=value,
                    value_max=vmax,
                    unit=unit,
                    comparator=comparator,
                    kind=_pick(row, "类型", _KINDS, at),
                    basis=_pick(row, "口径", _BASES, at),
                    period=Period.model_validate(row.get("期间", "").strip() or self.period),
                    quote=quote,
                    span=Span(start=start, end=start + len(quote)),
                )
            )
        offset = len(text)
        passage = "\n".join(self.passages)
        text += passage
        plan = plan_from_text(text, region=self.region, period=self.period, plan_id=plan_id, title=self.title)
        for t in extract_targets(passage, plan.period):
            span = Span(start=t.span.start + offset, end=t.span.end + offset)
            targets.append(t.model_copy(update={"span": span}))
        return PlanFacts.from_stored(plan, targets, extract_topics(text))


STEP_SENTENCES = (
    "上级规划 浙江省 2023 的目标:",
    "县级规划 慈溪市 2023 的目标:",
    "上级规划 浙江省 2023 的原文:",
    "县级规划为语料 cixi-2023-jingxin-gongzuo-silu.txt",
    "县级规划还写道“……”",
    "县级规划的标题为“……”",
    "运行对标检查",
    "省级规划 浙江省 2023 的目标:",
    "市级规划 宁波市 2023 的目标:",
    "各县规划的目标:",
    "各县规划 2023 的目标:",
    "运行跨县对标检查",
    "该发现引用的县级目标有 N 条",
    "应报告规则 R 严重性 S 指标 I",
    "应报告规则 R 指标 I",
    "应报告规则 R 且消息包含 “……”",
    "不应报告规则 R 指标 I",
    "不应报告规则 R",
    "不应报告指标 I 的缺口",
    "规则 R 共报告 N 条",
    "该发现的县级值为 10",
    "该发现的上级值为 12",
    "该发现的消息包含 “……”",
    "该发现引用的原文包含 “……”",
)
"""One example of each sentence the steps accept (specs/README.md lists them): what an unknown
step is compared with to say which one was meant."""

CORPUS_VAR = "PLANALIGN_CORPUS"
"""Folders (separated like PATH) where specs also look for the documents their steps name: an
analyst's copy of the pack lives elsewhere than the project's examples/plans."""


def corpus_file(name: str, feature_dir: Path | None) -> Path:
    """A corpus document named in a step: next to the feature, else in ``examples/plans`` beside
    the feature's folder — where a checkout keeps it for specs/ — else in the ``PLANALIGN_CORPUS``
    folders, so a draft feature can bring its own documents and a copied pack's specs find the
    project's."""
    folders = [] if feature_dir is None else [feature_dir, feature_dir.parent / "examples" / "plans"]
    folders += [Path(f) for f in os.environ.get(CORPUS_VAR, "").split(os.pathsep) if f]
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    searched = "、".join(str(f) for f in folders) or "?"
    raise FileNotFoundError(
        f"找不到语料 {name}(查找了 {searched})/ corpus document {name} not found in {searched}"
    )


@cache
def _corpus(path: Path) -> PlanFacts:
    return PlanFacts.from_plan(load_plan(path))


@dataclass
class SpecContext:
    feature_dir: Path | None = None
    feature_file: str = ""
    step_line: int = 0
    county: PlanDraft | None = None
    parents: list[PlanDraft] = field(default_factory=list)
    batch: list[PlanDraft] = field(default_factory=list)  # every plan described, in order
    last: PlanDraft | None = None
    result: CheckResult | AcrossResult | None = None
    finding: Finding | None = None

    def add(self, side: str, draft: PlanDraft) -> None:
        if side == "县级":
            self.county = draft
        elif side != "各县":  # a row of a table of counties is one of the batch only
            self.parents.append(draft)
        self.batch.append(draft)
        self.last = draft

    def findings(self) -> tuple[Finding, ...]:
        assert self.result is not None, "先写“当运行对标检查”或“当运行跨县对标检查” / run the check first"
        return self.result.findings

    def listing(self) -> str:
        return (
            "\n".join(f"  {f.rule_id} {f.severity.value} {f.indicator}: {f.message}" for f in self.findings())
            or "  (无发现 / none)"
        )


@pytest.fixture
def spec() -> SpecContext:
    return SpecContext()


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    """Tell the scenario's context which folder its feature is in (corpus documents are found
    from there)."""
    request.getfixturevalue("spec").feature_dir = Path(feature.filename).resolve().parent
    request.getfixturevalue("spec").feature_file = str(feature.filename)


def pytest_bdd_before_step(
    request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, step_func: Any
) -> None:
    """Remember which line of the feature is running: a table's errors name it."""
    request.getfixturevalue("spec").step_line = int(step.line_number)


_PLAN = r"(?P<side>上级|县级|省级|市级)规划 (?P<region>\S+) (?P<period>\d{4}(?:-\d{4})?(?:/[QH]\d)?) 的"


@given(parsers.re(_PLAN + r"目标[:：]?"))
def plan_from_table(
    spec: SpecContext, side: str, region: str, period: str, datatable: list[list[str]]
) -> None:
    header = [h.strip() for h in datatable[0]]
    rows = [dict(zip(header, r, strict=True)) for r in datatable[1:]]
    draft = PlanDraft(region, period, rows=rows, file=spec.feature_file, line=spec.step_line)
    for i, row in enumerate(rows, start=2):  # a misspelt indicator is said at once, where it is
        _indicator(
            row.get("指标", ""), f"{draft.file} 第{draft.line + i}行/line {draft.line + i}(表格第{i}行)"
        )
    spec.add(side, draft)


@given(parsers.re(_PLAN + r"原文[:：]?"))
def plan_from_passage(spec: SpecContext, side: str, region: str, period: str, docstring: str) -> None:
    spec.add(side, PlanDraft(region, period, passages=[docstring]))


@given(parsers.re(r"(?P<side>上级|县级|省级|市级)规划为语料 (?P<name>\S+)"))
def plan_from_corpus(spec: SpecContext, side: str, name: str) -> None:
    path = corpus_file(name, spec.feature_dir)
    plan = _corpus(path).plan
    spec.add(side, PlanDraft(plan.region.name, str(plan.period), corpus=path))


@given(parsers.re(r"(?P<side>上级|县级)规划还写道[:：]?\s*[\"“](?P<text>.+)[\"”]"))
def plan_also_says(spec: SpecContext, side: str, text: str) -> None:
    draft = spec.county if side == "县级" else (spec.parents[-1] if spec.parents else None)
    assert draft is not None, f"先描述{side}规划 / describe the {side} plan first"
    draft.passages.append(text)


@given(parsers.re(r"(?P<side>上级|县级)规划的标题为[:：]?\s*[\"“](?P<title>.+)[\"”]"))
def plan_title(spec: SpecContext, side: str, title: str) -> None:
    draft = spec.county if side == "县级" else (spec.parents[-1] if spec.parents else None)
    assert draft is not None, f"先描述{side}规划 / describe the {side} plan first"
    draft.title = title


@given(parsers.re(r"各(?:县|市)规划(?: (?P<period>\d{4}(?:-\d{4})?))? ?的目标[:：]?"))
def plans_by_region(spec: SpecContext, period: str | None, datatable: list[list[str]]) -> None:
    """A table of targets of several regions' plans, one plan per 行政区 (in the order first
    named), all for ``period`` — by default the period of the first plan described."""
    header = [h.strip() for h in datatable[0]]
    if "行政区" not in header:
        raise ValueError(
            f"{spec.feature_file} 第{spec.step_line}行/line {spec.step_line}:表格需要“行政区”列"
            " / the table needs a 行政区 column"
        )
    if period is None:
        if not spec.batch:
            raise ValueError(
                f"{spec.feature_file} 第{spec.step_line}行/line {spec.step_line}:请写明规划期"
                "(各县规划 2023 的目标)/ give the period, or describe a plan before"
            )
        period = spec.batch[0].period
    drafts: dict[str, PlanDraft] = {}
    for i, cells in enumerate(datatable[1:], start=2):
        row = dict(zip(header, cells, strict=True))
        region = row.pop("行政区").strip()
        at = f"{spec.feature_file} 第{spec.step_line + i}行/line {spec.step_line + i}(表格第{i}行)"
        _indicator(row.get("指标", ""), at)
        draft = drafts.get(region)
        if draft is None:
            draft = drafts[region] = PlanDraft(region, period, file=spec.feature_file, line=spec.step_line)
            spec.add("各县", draft)
        draft.rows.append(row)


@when("运行跨县对标检查")
def run_across(spec: SpecContext) -> None:
    assert spec.batch, "缺少规划 / no plan given"
    spec.result = check_across([d.build(f"plan-{i}") for i, d in enumerate(spec.batch, start=1)])


@when("运行对标检查")
def run_check(spec: SpecContext) -> None:
    assert spec.county is not None, "缺少县级规划 / no county plan given"
    county = spec.county.build("county")
    parents = [p.build(f"parent-{i}") for i, p in enumerate(spec.parents, start=1)]
    spec.result = check_plan(county, parents)


def _matching(spec: SpecContext, rule: str, indicator: str | None, severity: str | None) -> list[Finding]:
    return [
        f
        for f in spec.findings()
        if f.rule_id == rule
        and (indicator is None or f.indicator == indicator)
        and (severity is None or f.severity.value == severity)
    ]


@then(parsers.parse("应报告规则 {rule:w} 严重性 {severity:w} 指标 {indicator:S}"))
def reported_with_severity(spec: SpecContext, rule: str, severity: str, indicator: str) -> None:
    found = _matching(spec, rule, indicator, severity)
    assert found, f"未报告 {rule} {severity} {indicator};实际发现:\n{spec.listing()}"
    spec.finding = found[0]


@then(parsers.re(r"应报告规则 (?P<rule>\w+) 且消息包含 [\"“](?P<text>.+)[\"”]"))
def reported_saying(spec: SpecContext, rule: str, text: str) -> None:
    found = [f for f in _matching(spec, rule, None, None) if text in f.message]
    assert found, f"未报告消息含 {text!r} 的 {rule};实际发现:\n{spec.listing()}"
    spec.finding = found[0]


@then(parsers.parse("应报告规则 {rule:w} 指标 {indicator:S}"))
def reported(spec: SpecContext, rule: str, indicator: str) -> None:
    found = _matching(spec, rule, indicator, None)
    assert found, f"未报告 {rule} {indicator};实际发现:\n{spec.listing()}"
    spec.finding = found[0]


@then(parsers.parse("不应报告规则 {rule:w} 指标 {indicator:S}"))
def not_reported_for(spec: SpecContext, rule: str, indicator: str) -> None:
    found = _matching(spec, rule, indicator, None)
    assert not found, f"不应报告 {rule} {indicator},但报告了:\n{spec.listing()}"


@then(parsers.parse("不应报告规则 {rule:w}"))
def not_reported(spec: SpecContext, rule: str) -> None:
    found = _matching(spec, rule, None, None)
    assert not found, f"不应报告 {rule},但报告了:\n{spec.listing()}"


@then(parsers.parse("不应报告指标 {indicator:S} 的缺口"))
def no_gap(spec: SpecContext, indicator: str) -> None:
    found = [f for f in spec.findings() if f.category.value == "gap" and f.indicator == indicator]
    assert not found, f"不应报告 {indicator} 缺口,但报告了:\n{spec.listing()}"


@then(parsers.parse("规则 {rule:w} 共报告 {count:d} 条"))
def reported_count(spec: SpecContext, rule: str, count: int) -> None:
    found = _matching(spec, rule, None, None)
    assert len(found) == count, f"{rule} 应报告 {count} 条,实际 {len(found)} 条:\n{spec.listing()}"


def _current(spec: SpecContext) -> Finding:
    assert spec.finding is not None, "先写“应报告规则 …” / assert a finding first"
    return spec.finding


@then(parsers.re(r"该发现的(?P<side>县级|上级)值为 (?P<value>[\d.]+)"))
def finding_value(spec: SpecContext, side: str, value: str) -> None:
    f = _current(spec)
    role = "county" if side == "县级" else "parent"
    values = [x.value for x in f.facts if x.role == role]
    assert float(value) in values, f"{f.rule_id} 的{side}值为 {values},不含 {value}:{f.message}"


@then(parsers.re(r"该发现引用的县级目标有 (?P<count>\d+) 条"))
def county_quotes(spec: SpecContext, count: str) -> None:
    f = _current(spec)
    quoted = [x for x in f.facts if x.role == "county"]
    assert len(quoted) == int(count), f"{f.rule_id} 引用县级目标 {len(quoted)} 条,应为 {count}:{f.message}"


@then(parsers.re(r"该发现的消息包含 [\"“](?P<text>.+)[\"”]"))
def message_contains(spec: SpecContext, text: str) -> None:
    f = _current(spec)
    assert text in f.message, f"消息不含 {text!r}:{f.message}"


@then(parsers.re(r"该发现引用的原文包含 [\"“](?P<text>.+)[\"”]"))
def quote_contains(spec: SpecContext, text: str) -> None:
    f = _current(spec)
    quotes = [x.quote for x in f.facts]
    assert any(text in q for q in quotes), f"引用原文 {quotes} 不含 {text!r}"
