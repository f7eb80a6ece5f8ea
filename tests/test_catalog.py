"""The catalog loads, holds the required ids, and a bad entry names file, entry and field."""

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
    ("body", "entry", "field"),
    [
        (
            "  x_growth:\n    name: 测试\n    units: ['%']\n    form: speed\n    reference: r\n",
            "x_growth",
            "form",
        ),
        ("  x_growth:\n    name: 测试\n    units: ['%']\n    form: growth\n", "x_growth", "reference"),
        (
            _OK + "    colour: red\n",
            "x_growth",
            "colour",
        ),
        (
            _OK + "    topics: [无此主题]\n",
            "x_growth",
            "topics",
        ),
    ],
)
def test_a_bad_entry_fails_naming_file_entry_and_field(
    tmp_path: Path, body: str, entry: str, field: str
) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text("version: 1\ntopics: {数字经济: [数字经济]}\nindicators:\n" + body, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    assert (err.value.file, err.value.entry, err.value.field) == (str(path), entry, field)
    assert str(path) in str(err.value) and entry in str(err.value)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text("version: 1\nindicators:\n  a: [\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="line"):
        load_catalog(path)
