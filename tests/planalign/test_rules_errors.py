"""What an analyst sees when a rule or a spec is wrong: one message, in Chinese and English, with
file, line (and column), the field, and the word they probably meant — never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rulesengine.ruledata import ENV_VAR, rules_data

PLANALIGN = Path(sys.executable).with_name("planalign")
SPECS = rules_data().specs


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    data = rules_data()
    root = tmp_path / "rules"
    shutil.copytree(data.root, root, ignore=shutil.ignore_patterns("__pycache__", "specs"))
    shutil.copytree(data.specs, root / "specs", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def planalign(*args: str, pack: Path | None = None) -> tuple[int, str]:
    env = {**os.environ, "COLUMNS": "2000", **({ENV_VAR: str(pack)} if pack else {})}
    done = subprocess.run([str(PLANALIGN), *args], env=env, capture_output=True, text=True, timeout=600)
    said = " ".join((done.stdout + done.stderr).split())
    assert "Traceback" not in said, said
    return done.returncode, said


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_misspelt_key_names_file_line_column_and_the_key_meant(pack: Path) -> None:
    replace(pack / "pack" / "headline_gap.yaml", "severity:", "severty:")
    code, said = planalign("rules", "list", pack=pack)
    line = 1 + (pack / "pack" / "headline_gap.yaml").read_text(encoding="utf-8").splitlines().index(
        next(
            r
            for r in (pack / "pack" / "headline_gap.yaml").read_text(encoding="utf-8").splitlines()
            if r.startswith("severty")
        )
    )
    assert code == 2 and said.count("headline_gap.yaml") == 1
    assert f"headline_gap.yaml 第{line}行第1列/line {line} column 1" in said
    assert "字段/field severty" in said and "是不是 severity" in said and "did you mean 'severity'" in said


def test_a_misspelt_fact_field_in_a_condition_says_which_field_was_meant(pack: Path) -> None:
    replace(pack / "pack" / "amplified_target.yaml", "basis: $parent.basis", "basiss: $parent.basis")
    code, said = planalign("rules", "list", pack=pack)
    assert code == 2 and "amplified_target.yaml" in said and "when.county.basiss" in said
    assert "是不是 basis" in said


def test_a_broken_rule_is_said_once_before_any_spec_runs(pack: Path) -> None:
    replace(pack / "pack" / "amplified_target.yaml", "category: conflict", "category: conflit")
    code, said = planalign("rules", "test", pack=pack)
    assert code == 2 and said.count("conflit") == 2  # once in Chinese, once in English
    assert "是不是 conflict" in said and "PASS" not in said and "FAIL" not in said


def test_a_mistyped_gherkin_keyword_names_line_column_and_the_keyword_meant(tmp_path: Path) -> None:
    feature = tmp_path / "draft.feature"
    text = (SPECS / "amplified_target.feature").read_text(encoding="utf-8")
    feature.write_text(text.replace("    而且县级规划", "    而县级规划", 1), encoding="utf-8")
    line = next(
        i for i, row in enumerate(feature.read_text(encoding="utf-8").splitlines(), 1) if "而县级" in row
    )
    code, said = planalign("rules", "test", str(feature))
    assert code == 2 and f"draft.feature 第{line}行第5列/line {line} column 5" in said
    assert "是不是“而且”" in said and "did you mean '而且'" in said


def test_an_unknown_step_and_an_unknown_indicator_name_the_line_and_what_was_meant(tmp_path: Path) -> None:
    feature = tmp_path / "draft.feature"
    text = (SPECS / "amplified_target.feature").read_text(encoding="utf-8")
    first, outline = text.split("  场景大纲", 1)
    text = first + "  场景大纲" + outline.replace("    当运行对标检查", "    当运行检查", 1)
    text = text.replace("| manufacturing_investment_growth | 30 |", "| manufacturing_invest_growth | 30 |", 1)
    feature.write_text(text, encoding="utf-8")
    code, said = planalign("rules", "test", str(feature))
    assert code == 1
    assert (
        "指标 'manufacturing_invest_growth' 不在指标目录中(是不是 manufacturing_investment_growth?)" in said
    )
    assert "draft.feature 第12行/line 12(表格第2行)" in said  # the first scenario's table
    assert "步骤“运行检查”不是步骤库中的句子" in said and "是不是“运行对标检查”" in said
    assert "ValueError" not in said and "StepDefinitionNotFoundError" not in said
    assert said.count("(同上 / as above)") >= 1  # the same error in two outline rows: said once
