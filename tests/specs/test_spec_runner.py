"""`planalign rules test x.feature` underneath: one feature, one verdict per scenario, in words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rulesengine.ruledata import rules_data
from rulesengine.spec_runner import SpecRunError, run_feature

SPECS = rules_data().specs

DRAFT = """\
# language: zh-CN
功能: 草稿
  场景: 期望错误的规则
    假如上级规划 浙江省 2023 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 12 | %    |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 15 | %    |      | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 weaker_than_parent 指标 manufacturing_investment_growth

  场景大纲: 达到上级 <县级值>%
    假如上级规划 浙江省 2023 的目标:
      | 指标                            | 值 | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | 12 | %    |      | 基准 | 2023 |
    而且县级规划 慈溪市 2023 的目标:
      | 指标                            | 值       | 单位 | 比较 | 类型 | 期间 |
      | manufacturing_investment_growth | <县级值> | %    |      | 基准 | 2023 |
    当运行对标检查
    那么应报告规则 aligned_with_parent 指标 manufacturing_investment_growth

    例子:
      | 县级值 |
      | 12     |
      | 11     |
"""


def test_a_draft_feature_reports_each_scenario_with_the_reason_it_failed(tmp_path: Path) -> None:
    draft = tmp_path / "draft.feature"
    draft.write_text(DRAFT, encoding="utf-8")
    results = run_feature(draft)
    assert [(r.name, r.passed) for r in results] == [
        ("期望错误的规则", False),
        ("达到上级 12%", True),
        ("达到上级 11%", False),
    ]
    assert "未报告 weaker_than_parent" in results[0].message
    assert "aligned_with_parent" in results[0].message  # what was reported instead


def test_a_feature_of_the_pack_passes_and_other_features_are_not_run() -> None:
    results = run_feature(SPECS / "count_exceeds_parent.feature")
    assert len(results) == 4 and all(r.passed for r in results)


def test_a_missing_feature_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SpecRunError, match="no such feature file"):
        run_feature(tmp_path / "nope.feature")


CORPUS_DRAFT = """\
# language: zh-CN
功能: 自带语料的草稿
  场景: 语料放在规格文件旁边
    假如县级规划为语料 cixi-2023-jingxin-gongzuo-silu.txt
    而且上级规划为语料 zhejiang-2023-jingxin-gongzuo-yaodian.txt
    当运行对标检查
    那么应报告规则 weaker_than_parent 严重性 warning 指标 manufacturing_investment_growth

  场景: 语料不存在
    假如县级规划为语料 nowhere.txt
    当运行对标检查
    那么不应报告规则 weaker_than_parent
"""


def test_a_draft_finds_corpus_documents_next_to_it_and_names_a_missing_one(tmp_path: Path) -> None:
    plans = SPECS.parent / "examples" / "plans"
    for name in ("cixi-2023-jingxin-gongzuo-silu", "zhejiang-2023-jingxin-gongzuo-yaodian"):
        for suffix in (".txt", ".meta.yaml"):
            shutil.copy(plans / (name + suffix), tmp_path / (name + suffix))
    draft = tmp_path / "corpus.feature"
    draft.write_text(CORPUS_DRAFT, encoding="utf-8")
    found, missing = run_feature(draft)
    assert found.passed, found.message
    assert not missing.passed and "找不到语料 nowhere.txt" in missing.message
    assert str(tmp_path) in missing.message  # where it looked
