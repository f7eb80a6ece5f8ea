"""Issue 12's "what goes wrong", each on the real texts where it happened (tests/real)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rulesengine.check import CheckResult, ParentError, check_plan
from rulesengine.facts import PlanFacts
from rulesengine.plans import load_plan, plan_from_text
from rulesengine.regions import default_index

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "real"
PLANS = ROOT / "examples" / "plans"


def real(name: str, region: str, period: str, level: str | None = None, title: str = "") -> PlanFacts:
    """A real excerpt as the pair scorer hands it over: the body after `---`, the file's stem as
    its id and (lacking a better one) its title."""
    path = next(p for d in (REAL / "texts", REAL / "untuned" / "texts") if (p := d / name).exists())
    lines = path.read_text(encoding="utf-8").split("\n")
    body = "\n".join(lines[lines.index("---") + 1 :])
    plan = plan_from_text(
        body,
        region=region,
        period=period,
        plan_id=path.stem[:60],
        level=level,
        title=title or path.stem,
        source_name=path.name,
    )
    return PlanFacts.from_plan(plan)


def quotes(result: CheckResult, role: str) -> list[str]:
    return [x.quote for f in result.findings for x in f.facts if x.role == role]


def test_a_provinces_review_of_last_year_is_not_compared_as_its_targets() -> None:
    city = real("25_anhui_city_gzbg_2025.txt", "合肥市", "2025", "city")
    province = real("24_anhui_gzbg_2025_yaodian.txt", "安徽省", "2025")
    result = check_plan(city, [province])
    parent_quotes = " ".join(quotes(result, "parent"))
    assert "增长9%" not in parent_quotes and "13.3%" not in parent_quotes
    assert not [f for f in result.findings if f.category.value == "weaker"]


def test_a_topical_plan_is_blamed_only_inside_its_topic_and_its_average_rate_is_compared() -> None:
    haining = real("14_haining_zhizaoye_touzi_2023.txt", "海宁市", "2023", "county")
    zhejiang = PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"))
    result = check_plan(haining, [zhejiang])
    assert result.scope is not None and result.scope.kind.value == "topical"
    assert "投资" in result.scope.describe()
    gaps = {f.indicator for f in result.findings if f.category.value == "gap"}
    assert not gaps & {"industrial_va_growth", "digital_core_va_growth", "tax_per_mu", "labor_productivity"}
    aligned = [
        f for f in result.by_rule("aligned_with_parent") if f.indicator == "manufacturing_investment_growth"
    ]
    assert aligned and any("每年平均增速保持在15%以上" in x.quote for x in aligned[0].facts)


def test_the_indicators_most_plans_share_are_compared() -> None:
    city = real("54_hefei_gzbg_2025.txt", "合肥市", "2025", "city")
    province = real("24_anhui_gzbg_2025_yaodian.txt", "安徽省", "2025")
    compared = {
        f.indicator
        for f in check_plan(city, [province]).findings
        if f.category.value in ("aligned", "weaker")
    }
    assert len(compared) >= 3, compared
    assert any("gdp" in i or "生产总值" in i for i in compared), compared


def _one(text: str, region: str, pid: str) -> PlanFacts:
    return PlanFacts.from_plan(plan_from_text(text, region=region, period="2023", plan_id=pid))


def test_an_intensive_level_below_the_parents_is_weaker_and_a_looser_ceiling_too() -> None:
    zj = PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"))  # 37 and 30
    county = _one(
        "主要预期目标是：规上工业亩均税收达33万元/亩，规上制造业全员劳动生产率达28万元/人。", "慈溪市", "cx"
    )
    weaker = {f.indicator for f in check_plan(county, [zj]).by_rule("weaker_than_parent")}
    assert {"tax_per_mu", "labor_productivity"} <= weaker
    province = _one("主要预期目标是：居民消费价格涨幅3%左右。", "浙江省", "zj2")
    loose = _one("主要预期目标是：居民消费价格涨幅3.5%左右。", "慈溪市", "cx2")
    tight = _one("主要预期目标是：居民消费价格涨幅控制在3%以内。", "慈溪市", "cx3")
    assert [f.indicator for f in check_plan(loose, [province]).by_rule("weaker_than_parent")] == [
        "cpi_ceiling"
    ]
    assert [f.indicator for f in check_plan(tight, [province]).by_rule("aligned_with_parent")] == [
        "cpi_ceiling"
    ]


def test_a_county_total_is_never_weaker_than_the_provinces_total() -> None:
    zj = _one("主要预期目标是：实现规上工业增加值2.5万亿元。", "浙江省", "zj")
    county = _one("主要预期目标是：实现规上工业增加值2000亿元。", "慈溪市", "cx")
    assert not check_plan(county, [zj]).by_rule("weaker_than_parent")


def test_two_tiers_are_two_indicators_and_the_parents_own_values_stay_out_of_a_county_check() -> None:
    # 浙江: 新增培育省级企业技术中心100家左右、国家企业技术中心3家以上
    cixi = PlanFacts.from_plan(load_plan(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt"))
    zj = PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"))
    assert not check_plan(cixi, [zj]).by_rule("inconsistent_values")
    # 湖南, checked against the national plan: 新增国家级专精特新“小巨人”企业200家、省级500家
    hunan = real("11_hunan_gongxin_2023.txt", "湖南省", "2023")
    nation = real("07_national_miit_2023_zhongxinwang.txt", "全国", "2023")
    assert not check_plan(hunan, [nation]).by_rule("inconsistent_values")


def test_a_parent_for_another_province_or_year_is_refused_unless_waived_and_the_waiver_is_recorded() -> None:
    cixi = PlanFacts.from_plan(load_plan(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt"))
    hubei = PlanFacts.from_plan(load_plan(PLANS / "hubei-2024-jingxin-gongzuo-yaodian.txt"))
    zj = PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"))
    xinchang = real("09_xinchang_zhongdianrenwu_2023.txt", "新昌县", "2023", "county")
    with pytest.raises(ParentError, match="湖北省不在新昌县之上"):
        check_plan(xinchang, [hubei])
    with pytest.raises(ParentError, match="湖北省不在慈溪市之上"):
        check_plan(cixi, [hubei])
    with pytest.raises(ParentError, match="慈溪市不在浙江省之上"):
        check_plan(zj, [cixi])
    assert check_plan(cixi, [hubei], allow=("region", "period")).overrides == ("period", "region")


def test_the_cli_refuses_a_wrong_parent_in_one_line_with_exit_2() -> None:
    cli = Path(sys.executable).parent / "planalign"
    r = subprocess.run(
        [
            str(cli),
            "check",
            str(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt"),
            "--against",
            str(PLANS / "hubei-2024-jingxin-gongzuo-yaodian.txt"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "不在慈溪市之上" in r.stderr.replace("\n", "")


def test_a_title_comes_from_the_documents_heading_never_composed() -> None:
    plan = load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt")
    untitled = plan_from_text(plan.text, region="浙江省", period="2023", source_name="zj.txt")
    assert untitled.title == "2023年全省经信工作要点"
    plain = plan_from_text("全县规上工业增加值增长6%。", region="慈溪市", period="2023", source_name="cx.txt")
    assert plain.title == "cx"  # no heading: the file name, never 《慈溪市2023年规划》


def test_the_national_plan_and_a_development_zone_have_their_place_in_the_hierarchy() -> None:
    hunan = real("11_hunan_gongxin_2023.txt", "湖南省", "2023")
    nation = real("07_national_miit_2023_zhongxinwang.txt", "全国", "2023")
    check_plan(hunan, [nation])  # no error: 全国 is above every province
    zone = default_index().resolve("金华经济技术开发区")
    assert [r.name for r in default_index().ancestors(zone)][:2] == ["金华市", "浙江省"]
    kaifaqu = real("27_jinhua_kaifaqu_2024.txt", "金华经济技术开发区", "2024", "county")
    zhejiang_2024 = real("10_zhejiang_jingxin_huiyi_2024.txt", "浙江省", "2024")
    assert check_plan(kaifaqu, [zhejiang_2024]).plan_id == kaifaqu.plan.id  # runs: a zone has its parents


def test_cixi_against_zhejiang_still_gives_its_findings_and_none_of_its_false_alarms() -> None:
    cixi = PlanFacts.from_plan(load_plan(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt"))
    zj = PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"))
    result = check_plan(cixi, [zj])
    got = {(f.category.value, f.indicator) for f in result.findings}
    assert {
        ("weaker", "manufacturing_investment_growth"),
        ("gap", "labor_productivity"),
        ("gap", "tech_renovation_investment_growth"),
        ("aligned", "industrial_va_growth"),
        ("mismatch", "tax_per_mu"),
        ("mismatch", "digital_core_va_growth"),
    } <= got
    gaps = {i for c, i in got if c == "gap"}
    assert not gaps & {
        "new_specialized_smes",
        "new_little_giants",
        "new_single_champions",
        "future_factories",
    }


def test_a_main_goal_set_by_two_parents_is_one_gap_naming_both() -> None:
    cixi = PlanFacts.from_plan(load_plan(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt"))
    zj = PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"))
    zj5 = PlanFacts.from_plan(load_plan(PLANS / "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt"))
    alone = check_plan(cixi, [zj])
    both = check_plan(cixi, [zj, zj5])
    gaps = [f for f in both.findings if f.category.value == "gap" and f.indicator == "labor_productivity"]
    assert len(gaps) == 1
    assert {x.plan_id for x in gaps[0].facts if x.role == "parent"} == {zj.plan.id, zj5.plan.id}
    assert "共同富裕示范区实施方案" in gaps[0].message
    # the nearest parent's fingerprint: a reviewer's decision survives adding the second parent
    (before,) = [
        f for f in alone.findings if f.category.value == "gap" and f.indicator == "labor_productivity"
    ]
    assert gaps[0].fingerprint == before.fingerprint


def test_an_indicator_outside_the_catalog_is_compared_by_its_name_and_the_finding_says_so() -> None:
    zj = _one("主要预期目标是：全省旅游总收入增长6%。", "浙江省", "zj")
    county = _one("主要预期目标是：全县旅游总收入增长4%。", "慈溪市", "cx")
    (weaker,) = check_plan(county, [zj]).by_rule("weaker_than_parent")
    assert weaker.indicator.startswith("other:") and "旅游总收入" in weaker.indicator
    assert "按同一名称匹配" in weaker.message


def test_a_county_list_cut_off_by_the_excerpt_asserts_no_gap_for_what_may_follow() -> None:
    shicheng = real("112_shicheng_gzbg_2024.txt", "石城县", "2024", "county")
    jiangxi = real("56_jiangxi_gzbg_2024.txt", "江西省", "2024")
    result = check_plan(shicheng, [jiangxi])
    assert result.scope is not None and result.scope.cut_off
    assert not [f for f in result.findings if f.category.value == "gap"]
    assert [f for f in result.findings if f.category.value == "aligned"]  # what it does set still compares


def test_an_unnamed_county_filed_under_its_province_may_have_that_provinces_city_as_parent() -> None:
    county = real("42_shenyang_district_gzbg_2023.txt", "辽宁省", "2023", "county")  # 沈阳市某区
    city = _one("主要预期目标是：地区生产总值增长6%左右。", "沈阳市", "sy")
    check_plan(county, [city])  # no ParentError: the stand-in province contains 沈阳市
    province_plan = _one("主要预期目标是：地区生产总值增长5%左右。", "辽宁省", "ln")
    with pytest.raises(ParentError):
        check_plan(province_plan, [city])  # a province's plan is never below its city's
