"""The cross-county check (rulesengine.across) on real documents and synthetic 浙江 counties:
findings quote their documents verbatim, the facts add up, the answer does not depend on the
order of the plans, the real engine agrees with the reference evaluator, and the pack keeps
single-plan and cross-county rules apart."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from rulesengine.across import AcrossError, AcrossResult, check_across
from rulesengine.check import INT_FIELDS, check_plan
from rulesengine.facts import PlanFacts
from rulesengine.labels import format_number
from rulesengine.plans import load_plan, plan_from_text
from rulesengine.rulebook import RulebookError, default_rulebook, load_rulebook
from rulesengine.ruledata import rules_data
from tools.reference import ReferenceEngine
from tools.synth import generate

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "examples" / "plans"
ACROSS_RULES = {"decomposition_shortfall", "decomposition_unassigned", "cascade_amplified", "peer_outlier"}


@pytest.fixture(scope="module")
def plans() -> list[PlanFacts]:
    """浙江 2023 and 2021-2025, 慈溪 2023 and 30 synthetic 浙江 counties."""
    real = [
        PlanFacts.from_plan(load_plan(PLANS / name))
        for name in (
            "zhejiang-2023-jingxin-gongzuo-yaodian.txt",
            "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt",
            "cixi-2023-jingxin-gongzuo-silu.txt",
        )
    ]
    synthetic = [
        PlanFacts.from_plan(
            plan_from_text(s.text, region=s.region, period=s.period, plan_id=s.id, level=s.level)
        )
        for s in generate(30, 3)
    ]
    return real + synthetic


@pytest.fixture(scope="module")
def result(plans: list[PlanFacts]) -> AcrossResult:
    return check_across(plans)


def test_every_quote_is_in_its_document_at_its_span(result: AcrossResult, plans: list[PlanFacts]) -> None:
    texts = {pf.plan.id: pf.plan.text for pf in plans}
    assert {f.rule_id for f in result.findings} >= {"decomposition_shortfall", "decomposition_unassigned"}
    for finding in result.findings:
        assert finding.rule_id in ACROSS_RULES
        assert finding.facts, finding.message
        for fact in finding.facts:
            assert fact.start is not None and fact.end is not None
            assert texts[fact.plan_id][fact.start : fact.end] == fact.quote


def test_a_decomposition_quotes_the_parent_and_every_county_that_took_a_share(result: AcrossResult) -> None:
    shortfalls = result.by_rule("decomposition_shortfall")
    assert shortfalls
    for finding in shortfalls:
        parents = [x for x in finding.facts if x.role == "parent"]
        counties = [x for x in finding.facts if x.role == "county"]
        assert len(parents) == 1 and parents[0].region == "浙江省"
        share = next(
            s
            for s in result.shares
            if s.plan == parents[0].plan_id
            and s.indicator == finding.indicator
            and s.value == parents[0].value
            and str(s.period) == parents[0].period
        )
        assert len(counties) == share.children_with_share > 0
        assert len({x.region for x in counties}) == len(counties)  # one share per county
        assert sum(x.value or 0 for x in counties) == pytest.approx(share.children_sum)
        assert share.children_sum < share.value
        assert f"合计{format_number(share.children_sum)}" in finding.message
        # 30 synthetic counties and 慈溪 of 浙江's 90: a partial batch, said as such
        assert share.children_total == 90 and share.children_in_batch < 90
        assert finding.severity.value == "info" and "其余下级不在本批中" in finding.message


def test_the_counties_of_the_batch_are_the_provinces_children(result: AcrossResult, plans) -> None:
    counties = {pf.plan.region.code for pf in plans if pf.plan.region.level.value == "county"}
    for share in result.shares:
        assert share.child_level == "county"  # no city plan in this batch
        assert share.children_in_batch <= len(counties)


def test_the_answer_does_not_depend_on_the_order_of_the_plans(result: AcrossResult, plans) -> None:
    again = check_across(list(reversed(plans)))
    assert [f.fingerprint for f in again.findings] == [f.fingerprint for f in result.findings]
    assert [f.message for f in again.findings] == [f.message for f in result.findings]


def test_the_reference_evaluator_gives_the_same_findings(result: AcrossResult, plans) -> None:
    book = default_rulebook()
    reference = ReferenceEngine(book.engine_rules(), int_fields=INT_FIELDS)
    assert check_across(plans, engine=reference).findings == result.findings


def test_a_single_plan_check_never_reports_a_cross_county_rule(plans: list[PlanFacts]) -> None:
    zhejiang, zhejiang_span, cixi = plans[:3]
    single = check_plan(cixi, [zhejiang, zhejiang_span])
    assert single.findings and not {f.rule_id for f in single.findings} & ACROSS_RULES


def test_two_plans_with_one_id_are_refused_in_both_languages(plans: list[PlanFacts]) -> None:
    with pytest.raises(AcrossError, match=r"规划编号重复.*duplicate plan id"):
        check_across([plans[0], plans[0]])


def test_a_batch_of_one_plan_has_nothing_to_say(plans: list[PlanFacts]) -> None:
    alone = check_across(plans[:1])
    assert alone.findings == () and alone.peers == () and alone.chains == ()


# --------------------------------------------------------------------------------------------
# The pack keeps the two kinds of rule apart, and says where when a rule mixes them.


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(rules_data().pack, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "mutate", "field", "words"),
    [
        ("peer_outlier.yaml", lambda d: d.update(scope="batch"), "scope", "unknown value 'batch'"),
        ("peer_outlier.yaml", lambda d: d.pop("scope"), "when.peer.type", "scope: across"),
        (
            "count_exceeds_parent.yaml",
            lambda d: d.update(scope="across"),
            "when.parent.type",
            "may only use the batch's facts",
        ),
        (
            "peer_outlier.yaml",
            lambda d: d["when"]["peer"].update(rank={"lt": "$peer.province"}),
            "when.peer.rank.lt",
            "type mismatch",
        ),
    ],
)
def test_a_rule_that_mixes_scopes_is_refused_with_file_line_and_field(
    pack: Path, file: str, mutate: Any, field: str, words: str
) -> None:
    _edit(pack / file, mutate)
    with pytest.raises(RulebookError) as info:
        load_rulebook(pack, specs_dir=None)
    err = info.value
    assert err.file.endswith(file) and err.field == field
    assert words in str(err) and "line" in str(err)
