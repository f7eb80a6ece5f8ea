"""Plans read from a document and the metadata file beside it (rulesengine.plans)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rulesengine.plans import PlanError, load_plan

CIXI = "规上工业增加值增长8%，规上工业企业研发费用增长10%。"


def test_a_plan_takes_its_region_and_period_from_the_metadata_beside_it(tmp_path: Path) -> None:
    (tmp_path / "cixi.txt").write_text(CIXI, encoding="utf-8")
    (tmp_path / "cixi.meta.yaml").write_text("region: 慈溪\nperiod: '2023'\n", encoding="utf-8")
    plan = load_plan(tmp_path / "cixi.txt")
    assert (plan.region.code, str(plan.period)) == ("330282", "2023")


def test_broken_metadata_yaml_names_the_file_and_the_line(tmp_path: Path) -> None:
    (tmp_path / "cixi.txt").write_text(CIXI, encoding="utf-8")
    meta = tmp_path / "cixi.meta.yaml"
    meta.write_text("region: 慈溪\n  period: a: b\nid: x\n", encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "cixi.txt")
    assert info.value.file == str(meta)
    assert "第2行" in str(info.value) and "line 2" in str(info.value)


def test_an_unknown_metadata_field_is_named(tmp_path: Path) -> None:
    (tmp_path / "cixi.txt").write_text(CIXI, encoding="utf-8")
    (tmp_path / "cixi.meta.yaml").write_text("region: 慈溪\nperiod: '2023'\nregoin: x\n", encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "cixi.txt")
    assert info.value.field == "regoin"
