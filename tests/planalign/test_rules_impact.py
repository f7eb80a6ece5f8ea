"""`planalign rules impact`: what a draft rule would add and remove on real plan pairs, with the
quotes, before it is published — against the committed pack or another folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from planalign.cli import app
from rulesengine.ruledata import rules_data

ROOT = Path(__file__).resolve().parents[2]
PACK_DIR = rules_data().pack
runner = CliRunner()

LOOSER = """\
id: amplified_loosely
version: 1
title: 县级增速目标高于上级同期目标一半以上
severity: info
category: conflict
reference: 试验:层层加码的较宽阈值。
specs: [amplified_target.feature]
subject: county
message: >-
  {county.region}{indicator_name}基准目标{county.value_text}，比{parent.region}{parent.value_text}高出一半以上。
when:
  parent: {type: target, role: parent, form: growth, direction: higher, kind: baseline, value: {gt: 0}}
  county: {type: target, role: county, kind: baseline, indicator: $parent.indicator,
           period: $parent.period, unit: $parent.unit, basis: $parent.basis,
           value: {gt: {mul: [$parent.value, 1.5]}}}
"""


def _impact(pack: Path, *extra: str) -> str:
    args = ["rules", "impact", "--pack", str(pack), "--base-pack", str(PACK_DIR)]
    args += ["--keys", str(ROOT / "tests" / "real" / "pairs_blind"), *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_a_new_rule_shows_each_finding_it_adds_with_both_quotes(tmp_path: Path) -> None:
    draft = tmp_path / "pack"
    shutil.copytree(PACK_DIR, draft)
    (draft / "amplified_loosely.yaml").write_text(LOOSER, encoding="utf-8")
    said = _impact(draft)
    assert "amplified_loosely v1" in said and "移除 0 条" in said
    assert "+ 新增 112_shicheng_gzbg_2024-vs-56_jiangxi_gzbg_2024" in said
    assert "县级:石城县 2024 7%以上「固定资产投资增长7%以上」" in said
    assert "上级:江西省 2024 3%左右「固定资产投资增长3%左右」" in said


def test_removing_a_rule_lists_what_reviewers_would_no_longer_see(tmp_path: Path) -> None:
    draft = tmp_path / "pack"
    shutil.copytree(PACK_DIR, draft)
    (draft / "amplified_target.yaml").unlink()
    said = _impact(draft)
    assert "新增 0 条、移除 1 条" in said and "- 移除 112_shicheng" in said


def test_the_same_pack_changes_nothing_and_a_broken_draft_is_one_error(tmp_path: Path) -> None:
    assert "新增 0 条、移除 0 条、改变 0 条" in _impact(PACK_DIR)
    draft = tmp_path / "pack"
    shutil.copytree(PACK_DIR, draft)
    (draft / "broken.yaml").write_text("id: broken\nversion: one\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "impact", "--pack", str(draft), "--base-pack", str(PACK_DIR)])
    said = "".join(result.output.split())
    assert result.exit_code == 2 and "broken.yaml第1行第1列/line1column1" in said and "Traceback" not in said
