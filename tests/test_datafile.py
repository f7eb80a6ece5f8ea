"""Every kind of rules data, broken in a copy, is refused naming its file, line and field (zh and en).

One loader (rulesengine/datafile.py) reads them all, so one test per kind checks that the error
points at the line the analyst has to fix — not just the file — and names the field by its path.
"""

from __future__ import annotations

import pickle
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from rulesengine.catalog import CatalogError, load_catalog
from rulesengine.datafile import DataFileError, read_yaml
from rulesengine.extract.phrasing import PhrasingError, load_phrasing
from rulesengine.ingest.spam import load_spam_rules
from rulesengine.regions import load_region_data
from rulesengine.rulebook import RulebookError, load_rulebook
from rulesengine.ruledata import rules_data
from rulesengine.scope import load_scope_data
from rulesengine.specfile import SpecError, read_feature

DATA = rules_data()


def broken_copy(source: Path, target: Path, line_pattern: str, replace: Callable[[str], str]) -> int:
    """Copy ``source`` to ``target`` with the first line matching ``line_pattern`` replaced;
    returns that line's number (1-based)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if re.search(line_pattern, line))
    lines[number] = replace(lines[number])
    target.write_text("".join(lines), encoding="utf-8")
    return number + 1


def test_a_bad_value_in_the_catalog_names_file_line_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    line = broken_copy(DATA.indicators, path, r"^    form: growth", lambda s: s.replace("growth", "speed"))
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    assert (err.value.file, err.value.line) == (str(path), line)
    assert err.value.field == f"indicators.{err.value.entry}.form"
    assert f" {err.value.place} 指标/entry {err.value.entry} 字段/field indicators." in str(err.value)
    assert "取值不在可选范围内 / Input should be" in str(err.value)


def test_a_word_list_in_the_phrasing_that_is_not_a_list_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "phrasing.yaml"
    line = broken_copy(DATA.phrasing, path, r"^past_cues:", lambda s: "past_cues: 去年\n")
    with pytest.raises(PhrasingError) as err:
        load_phrasing(path)
    assert (err.value.line, err.value.field) == (line, "past_cues")
    assert str(err.value) == (
        f"{path} {err.value.place} 字段/field past_cues: 应为词语列表 / must be a list of non-empty words"
    )


def test_a_bad_regular_expression_deep_in_the_phrasing_names_its_path(tmp_path: Path) -> None:
    path = tmp_path / "phrasing.yaml"
    line = broken_copy(
        DATA.phrasing, path, r"^    - \{pattern: .*rank: 2\}", lambda s: '    - {pattern: "[(", rank: 2}\n'
    )
    with pytest.raises(PhrasingError) as err:
        load_phrasing(path)
    assert err.value.line == line
    assert re.fullmatch(r"sections\.markers\[\d+\]\.pattern", err.value.field or "")
    assert "正则表达式有误" in err.value.problem_zh and "bad regular expression" in err.value.problem_en


def test_a_missing_section_of_the_phrasing_points_at_the_mapping_that_lacks_it(tmp_path: Path) -> None:
    path = tmp_path / "phrasing.yaml"
    line = broken_copy(DATA.phrasing, path, r"^  max_heading:", lambda s: "  max_headings: 40\n")
    with pytest.raises(PhrasingError) as err:
        load_phrasing(path)
    sections_line = 1 + DATA.phrasing.read_text(encoding="utf-8").splitlines().index("sections:")
    assert (err.value.field, err.value.line) == ("sections.max_heading", sections_line)
    assert sections_line < line


@pytest.fixture
def pack_copy(tmp_path: Path) -> tuple[Path, Path]:
    pack, specs = tmp_path / "pack", tmp_path / "specs"
    shutil.copytree(DATA.pack, pack)
    shutil.copytree(DATA.specs, specs)
    return pack, specs


def test_a_bad_rule_names_file_line_rule_and_field(pack_copy: tuple[Path, Path]) -> None:
    pack, specs = pack_copy
    rule = pack / "count_exceeds_parent.yaml"
    line = broken_copy(rule, rule, r"^severity:", lambda s: "severity: fatal\n")
    with pytest.raises(RulebookError) as err:
        load_rulebook(pack, specs_dir=specs)
    assert (err.value.file, err.value.line, err.value.rule_id, err.value.field) == (
        str(rule),
        line,
        "count_exceeds_parent",
        "severity",
    )
    assert f"{err.value.place} 规则/rule count_exceeds_parent 字段/field severity: 未知取值" in str(err.value)


def test_the_error_crosses_processes_whole(pack_copy: tuple[Path, Path]) -> None:
    pack, specs = pack_copy
    rule = pack / "count_exceeds_parent.yaml"
    broken_copy(rule, rule, r"^severity:", lambda s: "severity: fatal\n")
    with pytest.raises(RulebookError) as err:
        load_rulebook(pack, specs_dir=specs)
    copy = pickle.loads(pickle.dumps(err.value))
    assert type(copy) is RulebookError and str(copy) == str(err.value)
    assert (copy.file, copy.line, copy.rule_id, copy.field) == (
        err.value.file,
        err.value.line,
        "count_exceeds_parent",
        "severity",
    )


def test_a_bad_pack_settings_file_names_its_line(pack_copy: tuple[Path, Path]) -> None:
    pack, specs = pack_copy
    settings = pack / "_pack.yaml"
    line = broken_copy(settings, settings, r"^version:", lambda s: "version: one\n")
    with pytest.raises(RulebookError) as err:
        load_rulebook(pack, specs_dir=specs)
    assert (err.value.line, err.value.field, err.value.rule_id) == (line, "version", None)


def test_a_spec_that_does_not_parse_stops_the_pack_naming_the_feature_and_line(
    pack_copy: tuple[Path, Path],
) -> None:
    pack, specs = pack_copy
    feature = specs / "count_exceeds_parent.feature"
    line = broken_copy(feature, feature, r"^\s+当运行对标检查", lambda s: "    运行对标检查\n")
    with pytest.raises(RulebookError) as err:
        load_rulebook(pack, specs_dir=specs)
    assert (err.value.file, err.value.line) == (str(feature), line)
    assert "“运行对标检查” 不是步骤" in err.value.problem_zh
    with pytest.raises(SpecError):
        read_feature(feature)


def test_a_bad_zone_in_the_regions_names_its_line_and_path(tmp_path: Path) -> None:
    path = tmp_path / "regions.yaml"
    line = broken_copy(
        DATA.regions, path, r"code: \"\d{6}\"\}", lambda s: re.sub(r"\d{6}", "33xx", s, count=1)
    )
    with pytest.raises(DataFileError) as err:
        load_region_data(path)
    assert err.value.line == line
    assert re.fullmatch(r"(zones\[\d+\]|national)\.code", err.value.field or "")
    assert "格式不对 / String should match pattern" in str(err.value)


def test_a_bad_domain_in_the_scopes_names_its_line_and_path(tmp_path: Path) -> None:
    path = tmp_path / "scopes.yaml"
    line = broken_copy(
        DATA.scopes, path, r"\{id: investment,", lambda s: s.replace("investment", "Invest-ment")
    )
    with pytest.raises(DataFileError) as err:
        load_scope_data(path)
    assert (err.value.line, err.value.field) == (line, "domains[2].id")


def test_a_bad_pattern_in_the_spam_terms_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "spam_terms.yaml"
    line = broken_copy(DATA.spam_terms, path, r"^  - pattern:", lambda s: '  - pattern: "(?:网上"\n')
    with pytest.raises(DataFileError) as err:
        load_spam_rules(path)
    assert (err.value.line, err.value.field) == (line, "patterns[0]")


def test_broken_yaml_names_the_line_where_parsing_stopped(tmp_path: Path) -> None:
    path = tmp_path / "scopes.yaml"
    line = broken_copy(DATA.scopes, path, r"^industry_plan:", lambda s: "industry_plan: [经信, 工信\n")
    with pytest.raises(DataFileError) as err:
        load_scope_data(path)
    assert err.value.field is None and err.value.line is not None and err.value.line >= line
    assert "YAML 语法错误" in str(err.value) and "YAML syntax error" in str(err.value)


def test_a_missing_file_is_named_without_a_line(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as err:
        read_yaml(tmp_path / "nope.yaml")
    assert err.value.line is None and str(err.value).startswith(f"{tmp_path / 'nope.yaml'}: 无法读取")
