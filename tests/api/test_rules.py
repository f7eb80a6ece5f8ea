"""Rules endpoints: the installed pack with versions and specs; dry-run validation of a file."""

from __future__ import annotations

from typing import Any

from rulesengine.rulebook import default_rulebook
from rulesengine.ruledata import rules_data
from tests.api.conftest import Api, assert_problem

PACK_DIR = rules_data().pack


def test_list_rules_with_versions_and_specs(api: Api) -> None:
    pack = api.client.get("/rules", headers=api.auth("submitter")).json()
    book = default_rulebook()
    assert pack["version"] == book.version and pack["catalog_version"] == book.catalog.version
    assert [r["id"] for r in pack["rules"]] == list(book.ids)
    weaker = next(r for r in pack["rules"] if r["id"] == "weaker_than_parent")
    assert weaker["version"] >= 1 and "weaker_than_parent.feature" in weaker["specs"]
    assert weaker["scenarios"] and weaker["cases"]

    detail = api.client.get("/rules/weaker_than_parent", headers=api.auth("submitter")).json()
    assert detail["source"] == (PACK_DIR / "weaker_than_parent.yaml").read_text(encoding="utf-8")
    assert "weaker_than_parent" in detail["spec_texts"]["weaker_than_parent.feature"]
    assert_problem(api.client.get("/rules/nope", headers=api.auth("submitter")), 404, "not_found", "rule_id")


def _validate(api: Api, name: str, text: str, *specs: tuple[str, str]) -> dict[str, Any]:
    files = [("file", (name, text.encode()))] + [("specs", (n, t.encode())) for n, t in specs]
    response = api.client.post("/rules/validate", files=files, headers=api.auth("reviewer"))
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def test_validate_the_installed_rule_as_is(api: Api) -> None:
    text = (PACK_DIR / "weaker_than_parent.yaml").read_text(encoding="utf-8")
    report = _validate(api, "weaker_than_parent.yaml", text)
    assert report["valid"] and report["replaces_installed"] and report["errors"] == []
    assert report["rule_id"] == "weaker_than_parent"


def test_a_changed_rule_without_a_version_bump_warns(api: Api) -> None:
    text = (PACK_DIR / "weaker_than_parent.yaml").read_text(encoding="utf-8")
    report = _validate(
        api, "weaker_than_parent.yaml", text.replace("severity: warning", "severity: error", 1)
    )
    assert report["valid"] and [w["field"] for w in report["warnings"]] == ["version"]


def test_errors_name_file_rule_and_field_and_nothing_is_installed(api: Api) -> None:
    text = (PACK_DIR / "weaker_than_parent.yaml").read_text(encoding="utf-8")
    report = _validate(api, "weaker_than_parent.yaml", text.replace("category: weaker", "category: weakish"))
    assert not report["valid"]
    (error,) = report["errors"]
    assert (error["file"], error["rule_id"], error["field"]) == (
        "weaker_than_parent.yaml",
        "weaker_than_parent",
        "category",
    )
    assert "weakish" in error["message_en"] and error["message_zh"]
    assert (PACK_DIR / "weaker_than_parent.yaml").read_text(encoding="utf-8") == text
    syntax = _validate(api, "x_rule.yaml", "id: [unclosed")
    assert not syntax["valid"] and "YAML" in syntax["errors"][0]["message_en"]
    badname = _validate(api, "rule.txt", "id: x")
    assert not badname["valid"] and badname["errors"][0]["field"] == "file"


def test_a_new_rule_needs_a_spec_and_can_bring_one(api: Api) -> None:
    text = (PACK_DIR / "weaker_than_parent.yaml").read_text(encoding="utf-8")
    new = text.replace("id: weaker_than_parent", "id: weaker_copy").replace(
        "specs: [weaker_than_parent.feature, comparison_edges.feature]", "specs: [weaker_copy.feature]"
    )
    without = _validate(api, "weaker_copy.yaml", new)
    assert not without["valid"] and without["errors"][0]["field"] == "specs"
    feature = (
        "# language: zh-CN\n功能: 复制规则\n\n  场景: weaker_copy 触发\n    假如县级规划目标低于上级\n"
        "    那么报告 weaker_copy\n"
    )
    with_spec = _validate(api, "weaker_copy.yaml", new, ("weaker_copy.feature", feature))
    assert with_spec["valid"], with_spec["errors"]
    assert not with_spec["replaces_installed"]
    assert not (PACK_DIR / "weaker_copy.yaml").exists()
