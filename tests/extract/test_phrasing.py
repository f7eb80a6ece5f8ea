"""The phrasing file (rules/phrasing.yaml) is data; a broken one is refused naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rulesengine.extract.phrasing import PhrasingError, load_phrasing
from rulesengine.ruledata import rules_data


def _write(tmp_path: Path, change: dict[str, object]) -> Path:
    data = yaml.safe_load(rules_data().phrasing.read_text(encoding="utf-8"))
    data.update(change)
    path = tmp_path / "phrasing.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_word_lists_are_matched_longest_first_and_each_word_once(tmp_path: Path) -> None:
    phrasing = load_phrasing(_write(tmp_path, {"stretch_cues": ["力争", "力争达到", "力争"]}))
    assert phrasing.stretch_cues == ("力争达到", "力争")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"past_cues": "去年"}, "past_cues"),
        ({"flow_cues": ["新增", 3]}, "flow_cues"),
        ({"form_cues": {"growth": [""]}}, "form_cues.growth"),
    ],
)
def test_a_field_that_is_not_a_list_of_words_is_named(
    tmp_path: Path, change: dict[str, object], field: str
) -> None:
    path = _write(tmp_path, change)
    with pytest.raises(
        PhrasingError,
        match=rf"{path} 第\d+行第\d+列/line \d+ column \d+ 字段/field {field}: 应为词语列表 / must be a list",
    ):
        load_phrasing(path)


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    data = yaml.safe_load(rules_data().phrasing.read_text(encoding="utf-8"))
    del data["future_cues"]
    path = tmp_path / "phrasing.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        PhrasingError, match="字段/field future_cues: 缺少字段 future_cues / missing field future_cues"
    ):
        load_phrasing(path)
