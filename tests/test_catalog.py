"""The catalog loads, holds the required ids, and a bad entry names file, line, entry and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rulesengine.catalog import CatalogError, default_catalog, load_catalog

GOLD_README = Path(__file__).resolve().parent / "gold" / "README.md"


def test_the_catalog_holds_every_required_indicator_id() -> None:
    catalog_part = GOLD_README.read_text(encoding="utf-8").split("required indicator catalog")[1]
    required = set(re.findall(r"^\| ([a-z0-9_]+) \|", catalog_part, re.M)) - {"id"}
    assert len(required) >= 40
    assert required <= set(default_catalog().indicators)


def test_entries_measuring_one_thing_share_a_concept() -> None:
    cat = default_catalog()
    assert {i.id for i in cat.same_concept("digital_core_va_growth")} == {
        "digital_core_va_growth",
        "digital_core_va",
        "digital_core_va_share_gdp",
    }
    assert "labor_productivity" in cat.headline_ids()


_OK = "  x_growth:\n    name: 测试\n    units: ['%']\n    form: growth\n    reference: r\n"


@pytest.mark.parametrize(
    ("body", "field", "line"),
    [
        (
            "  x_growth:\n    name: 测试\n    units: ['%']\n    form: speed\n    reference: r\n",
            "indicators.x_growth.form",
            7,
        ),
        # a missing field: the line of the entry that lacks it
        (
            "  x_growth:\n    name: 测试\n    units: ['%']\n    form: growth\n",
            "indicators.x_growth.reference",
            4,
        ),
        (_OK + "    colour: red\n", "indicators.x_growth.colour", 9),
        (_OK + "    topics: [无此主题]\n", "indicators.x_growth.topics[0]", 9),
    ],
)
def test_a_bad_entry_fails_naming_file_line_entry_and_field(
    tmp_path: Path, body: str, field: str, line: int
) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text("version: 1\ntopics: {数字经济: [数字经济]}\nindicators:\n" + body, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    assert (err.value.file, err.value.line, err.value.entry, err.value.field) == (
        str(path),
        line,
        "x_growth",
        field,
    )
    assert str(err.value).startswith(f"{path} {err.value.place} 指标/entry x_growth 字段/field {field}: ")


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text("version: 1\nindicators:\n  a: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"第4行第\d+列/line 4 column \d+: YAML 语法错误") as err:
        load_catalog(path)
    assert err.value.line == 4 and err.value.field is None
