"""The one Gherkin reader: each scenario as written, what it says, and a parse error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.web.present import scenario_blocks
from rulesengine.specfile import SpecError, parse_feature, read_feature

FEATURE = """\
# language: zh-CN
功能: 读取
  背景:
    假如上级规划 浙江省 2023 的目标:
      | 指标 | 值 |
      | gdp_growth | 5 |

  场景: 第一个
    当运行对标检查
    那么应报告规则 weaker_than_parent 指标 gdp_growth

  # 下一个场景的说明
  @slow
  规则: 一组场景
    场景大纲: 大纲 <值>
      当运行对标检查
      那么不应报告规则 headline_gap

      例子:
        | 值 |
        | count_exceeds_parent |
"""


def test_each_scenario_is_its_own_lines_up_to_the_next_element_indentation_trimmed() -> None:
    first, outline = parse_feature(FEATURE, "demo.feature")
    assert (first.feature, first.name, first.line) == ("demo.feature", "第一个", 8)
    assert first.text == (
        "场景: 第一个\n  当运行对标检查\n  那么应报告规则 weaker_than_parent 指标 gdp_growth"
    )  # not the comment, tag or 规则 line that follow it
    assert outline.name == "大纲 <值>" and outline.text.endswith("| count_exceeds_parent |")
    assert outline.text.startswith("场景大纲: 大纲 <值>\n  当运行对标检查")


def test_what_a_scenario_says_includes_its_steps_and_example_cells_but_not_the_background() -> None:
    first, outline = parse_feature(FEATURE, "demo.feature")
    assert "那么应报告规则 weaker_than_parent 指标 gdp_growth".removeprefix("那么") in first.texts
    assert "gdp_growth" not in first.texts  # the background's table is not the scenario's
    assert "count_exceeds_parent" in outline.texts


def test_a_line_that_is_no_step_is_refused_with_its_line_in_chinese_and_english(tmp_path: Path) -> None:
    path = tmp_path / "bad.feature"
    path.write_text(FEATURE.replace("    那么应报告规则", "    应报告规则", 1), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        read_feature(path)
    assert (err.value.file, err.value.line) == (str(path), 10)
    assert str(err.value).startswith(
        f"{path} 第10行第5列/line 10 column 5: “应报告规则 weaker_than_parent 指标 gdp_growth” 不是步骤"
    )
    assert "not a step, table row or keyword" in err.value.problem_en


def test_the_reviewer_page_reads_specs_through_the_same_reader_and_skips_a_broken_one() -> None:
    assert scenario_blocks("demo.feature", FEATURE) == parse_feature(FEATURE, "demo.feature")
    assert scenario_blocks("bad.feature", "功能: x\n  场景: y\n    不是步骤\n") == []
