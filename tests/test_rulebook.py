"""The rule pack loader: a bad rule file fails at load with its file, rule and field named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from gherkin.parser import Parser

from rulesengine.rulebook import RulebookError, load_rulebook
from rulesengine.ruledata import rules_data

PACK_DIR, SPECS_DIR = rules_data().pack, rules_data().specs


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the repository's pack that a test may break."""
    target = tmp_path / "pack"
    shutil.copytree(PACK_DIR, target, ignore=shutil.ignore_patterns("*.md"))
    return target


def edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def load_error(pack: Path, specs: Path | None = SPECS_DIR) -> RulebookError:
    with pytest.raises(RulebookError) as info:
        load_rulebook(pack, specs_dir=specs)
    return info.value


def test_the_repository_pack_holds_one_rule_per_rule_file_each_with_its_scenarios() -> None:
    book = load_rulebook()
    files = {p.stem for p in PACK_DIR.rglob("*.yaml") if not p.name.startswith("_")}
    assert set(book.ids) == files and len(book.ids) == len(files)
    assert re.fullmatch(r"\d+\+[0-9a-f]{12}", book.version)
    assert all(rule.scenarios for rule in book.rules)


def _scenario_texts(feature: Path) -> list[str]:
    """Each scenario's step texts, once per 例子 row with the placeholders filled in."""
    doc: Any = Parser().parse(feature.read_text(encoding="utf-8"))
    out: list[str] = []
    for child in doc["feature"]["children"]:
        sc = child.get("scenario")
        if sc is None:
            continue
        text = "\n".join(step["text"] for step in sc["steps"])
        rows = [
            dict(
                zip(
                    [c["value"] for c in ex["tableHeader"]["cells"]],
                    [c["value"] for c in r["cells"]],
                    strict=True,
                )
            )
            for ex in sc.get("examples", [])
            for r in ex["tableBody"]
        ]
        for row in rows or [{}]:
            out.append(re.sub(r"<([^<>]+)>", lambda m, row=row: row.get(m.group(1), m.group(0)), text))
    return out


def test_every_rule_has_a_scenario_that_fires_it_and_one_where_it_stays_silent() -> None:
    texts = [t for f in sorted(SPECS_DIR.glob("*.feature")) for t in _scenario_texts(f)]
    for rule in load_rulebook().ids:
        fires = [t for t in texts if re.search(rf"(?<!不)应报告规则 {rule}\b", t)]
        silent = [t for t in texts if re.search(rf"不应报告规则 {rule}\b", t)]
        assert fires, f"no scenario fires {rule}"
        assert silent, f"no scenario shows {rule} silent"


def test_an_unknown_indicator_id_is_named_with_file_rule_and_field(pack: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["when"]["parent"]["indicator"] = "no_such_indicator"

    edit(pack / "count_exceeds_parent.yaml", change)
    err = load_error(pack)
    assert err.file.endswith("count_exceeds_parent.yaml")
    assert err.rule_id == "count_exceeds_parent"
    assert err.field == "when.parent.indicator"
    assert "no_such_indicator" in str(err)


def test_an_unknown_fact_field_is_named_with_its_case(pack: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["cases"][1]["when"]["county"]["valu"] = {"lt": "$parent.value"}

    edit(pack / "weaker_than_parent.yaml", change)
    err = load_error(pack)
    assert (err.rule_id, err.field) == ("weaker_than_parent", "cases[1].when.county.valu")
    assert "unknown field" in str(err) and "weaker_than_parent.yaml" in str(err)


def test_an_unknown_key_in_a_rule_file_is_refused(pack: Path) -> None:
    edit(pack / "headline_gap.yaml", lambda d: d.update(severty="error"))
    err = load_error(pack)
    assert (err.rule_id, err.field) == ("headline_gap", "severty")


def test_a_duplicate_rule_id_names_both_files(pack: Path) -> None:
    (pack / "more").mkdir()
    shutil.copy(pack / "headline_gap.yaml", pack / "more" / "headline_gap.yaml")
    err = load_error(pack)
    assert err.rule_id == "headline_gap" and err.field == "id"
    assert "more/headline_gap.yaml" in err.file
    assert "duplicate rule id" in str(err)


def test_a_rule_that_no_scenario_mentions_is_refused(pack: Path) -> None:
    text = (pack / "count_exceeds_parent.yaml").read_text(encoding="utf-8")
    orphan = text.replace("id: count_exceeds_parent", "id: orphan_rule")
    (pack / "orphan_rule.yaml").write_text(orphan, encoding="utf-8")
    err = load_error(pack)
    assert err.file.endswith("orphan_rule.yaml")
    assert (err.rule_id, err.field) == ("orphan_rule", "specs")
    assert "no scenario mentions rule orphan_rule" in str(err)


def test_a_spec_file_that_does_not_exist_is_refused(pack: Path) -> None:
    edit(pack / "period_mismatch.yaml", lambda d: d.update(specs=["nowhere.feature"]))
    err = load_error(pack)
    assert (err.rule_id, err.field) == ("period_mismatch", "specs")


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d.update(severity="fatal"), "severity", "fatal"),
        (lambda d: d.update(category="odd"), "category", "odd"),
        (lambda d: d.update(version=0), "version", "positive integer"),
        (lambda d: d.update(message="{county.valu}"), "message", "{county.valu}"),
        (lambda d: d.update(message="{nobody.value}"), "message", "does not exist"),
        (
            lambda d: d["when"]["county"].update(value={"lt": "$nobody.value"}),
            "when.county.value.lt",
            "nobody",
        ),
        (lambda d: d["when"]["county"].update(value={"below": 3}), "when.county.value.below", "below"),
        (lambda d: d["when"]["parent"].update(form="counts"), "when.parent.form", "counts"),
        (lambda d: d["when"]["parent"].update(type="targets"), "when.parent.type", "targets"),
        (lambda d: d["when"]["county"].update(unit={"lt": 3}), "when.county.unit.lt", "numeric"),
        (lambda d: d["when"]["county"].update(year="$parent.unit"), "when.county.year", "type mismatch"),
        (lambda d: d.update(id="count_exceeds"), "id", "count_exceeds.yaml"),
        (lambda d: d.update(fingerprint=["parent.quote"]), "fingerprint", "parent.quote"),
    ],
)
def test_a_bad_value_is_named_with_file_rule_and_field(
    pack: Path, mutate: Any, field: str, words: str
) -> None:
    edit(pack / "count_exceeds_parent.yaml", mutate)
    err = load_error(pack, specs=None)
    assert err.file.endswith("count_exceeds_parent.yaml")
    assert err.field == field
    assert words in str(err)


def _mini_pack(tmp_path: Path, rule: str) -> tuple[Path, Path]:
    pack, specs = tmp_path / "pack", tmp_path / "specs"
    pack.mkdir()
    specs.mkdir()
    (pack / "_pack.yaml").write_text("version: 3\nheadline_cues: [主要预期目标]\n", encoding="utf-8")
    (pack / "demo_rule.yaml").write_text(rule, encoding="utf-8")
    (specs / "demo.feature").write_text(
        "# language: zh-CN\n功能: 演示\n  场景: 触发\n    那么应报告规则 demo_rule 指标 x\n",
        encoding="utf-8",
    )
    return pack, specs


DEMO = """\
id: demo_rule
version: 2
title: 演示
severity: warning
category: weaker
reference: 测试
specs: [demo.feature]
message: "{c.region}{indicator_name}{c.value_text}"
when:
  p: {type: target, role: parent, form: [growth, share], value_max: {exists: false}}
  c: {type: target, role: county, indicator: $p.indicator, kind: {not_in: [stretch]},
      value: {lt: {sub: [$p.value, 0.5]}}}
unless:
  other: {type: target, role: county, indicator: $p.indicator, value_max: {gte: $p.value}}
"""


def test_the_vocabulary_compiles_to_durable_rules_json(tmp_path: Path) -> None:
    pack, specs = _mini_pack(tmp_path, DEMO)
    book = load_rulebook(pack, specs_dir=specs)
    assert book.engine_rules() == {
        "demo_rule__main": {
            "all": [
                {"p": {"$and": [
                    {"type": "target"}, {"role": "parent"},
                    {"$or": [{"form": "growth"}, {"form": "share"}]},
                    {"$nex": {"value_max": 1}},
                ]}},
                {"c": {"$and": [
                    {"type": "target"}, {"role": "county"}, {"indicator": {"p": "indicator"}},
                    {"$neq": {"kind": "stretch"}},
                    {"$lt": {"value": {"$sub": {"$l": {"p": "value"}, "$r": 0.5}}}},
                ]}},
                {"other$not": {"$and": [
                    {"type": "target"}, {"$ex": {"value_max": 1}}, {"role": "county"},
                    {"indicator": {"p": "indicator"}}, {"$gte": {"value_max": {"p": "value"}}},
                ]}},
            ]
        }
    }  # fmt: skip
    assert book.pack_version == 3 and book.version.startswith("3+")
    assert book.headline_cues == ("主要预期目标",)


def test_the_pack_version_changes_when_a_rule_file_changes(tmp_path: Path) -> None:
    pack, specs = _mini_pack(tmp_path, DEMO)
    before = load_rulebook(pack, specs_dir=specs).version
    (pack / "demo_rule.yaml").write_text(DEMO.replace("title: 演示", "title: 演示二"), encoding="utf-8")
    assert load_rulebook(pack, specs_dir=specs).version != before


def test_the_engine_accepts_every_compiled_rule_of_the_pack() -> None:
    from rulesengine.check import INT_FIELDS
    from rulesengine.engine import compile_rules

    book = load_rulebook()
    compiled = compile_rules(book.engine_rules(), INT_FIELDS)
    assert {name.split("__")[0] for name in compiled if not name.startswith("__")} == set(book.ids)


def test_the_example_in_the_specs_readme_loads_and_fires(tmp_path: Path) -> None:
    from rulesengine.check import check_plan
    from rulesengine.facts import PlanFacts
    from rulesengine.plans import plan_from_text

    readme = (SPECS_DIR / "README.md").read_text(encoding="utf-8")
    rule = re.search(r"```yaml\n(.*?)```", readme, re.S)
    feature = re.search(r"```gherkin\n(.*?)```", readme, re.S)
    assert rule and feature
    pack, specs = tmp_path / "pack", tmp_path / "specs"
    shutil.copytree(PACK_DIR, pack)
    shutil.copytree(SPECS_DIR, specs)
    (pack / "software_weaker.yaml").write_text(rule.group(1), encoding="utf-8")
    (specs / "software_weaker.feature").write_text(feature.group(1), encoding="utf-8")
    book = load_rulebook(pack, specs_dir=specs)
    county = plan_from_text("软件和信息服务业营业收入增长10%以上。", region="慈溪市", period="2023")
    parent = plan_from_text("软件和信息服务业营业收入增长12%以上。", region="浙江省", period="2023")
    result = check_plan(PlanFacts.from_plan(county), [PlanFacts.from_plan(parent)], rulebook=book)
    (finding,) = result.by_rule("software_weaker")
    assert finding.message == "慈溪市软件和信息服务业营业收入增长目标10%以上低于浙江省的12%以上。"


def test_the_rule_pack_loads_without_the_extractor() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from rulesengine.rulebook import default_rulebook; default_rulebook(); "
        "loaded = [m for m in sys.modules"
        " if m.startswith('rulesengine.extract') or m == 'rulesengine.facts']; "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
