"""A draft rule tried on the stored plans before it is published: the findings it would add and
remove, with quotes, for admins only; the draft never becomes the installed pack."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.auth import Role
from rulesengine.rulebook import default_rulebook
from rulesengine.ruledata import rules_data
from tests.api.conftest import Api, assert_problem, small_pair
from tests.web.conftest import make_web_app, sign_in

SPECS = rules_data().specs
DRAFT = """\
id: amplified_slightly
version: 1
title: 县级增速目标高于上级同期目标一成以上
severity: info
category: conflict
reference: 试验:层层加码的较低阈值。
specs: [amplified_slightly.feature]
subject: county
message: >-
  {county.region}{indicator_name}基准目标{county.value_text}，比{parent.region}{parent.value_text}高出一成以上。
when:
  parent: {type: target, role: parent, form: growth, direction: higher, kind: baseline, value: {gt: 0}}
  county: {type: target, role: county, kind: baseline, indicator: $parent.indicator,
           period: $parent.period, unit: $parent.unit, basis: $parent.basis,
           value: {gt: {mul: [$parent.value, 1.1]}}}
"""


def _feature() -> str:
    text = (SPECS / "amplified_target.feature").read_text(encoding="utf-8")
    return text.replace("amplified_target", "amplified_slightly")


def _files(rule: str = DRAFT) -> list[tuple[str, tuple[str, bytes]]]:
    return [
        ("file", ("amplified_slightly.yaml", rule.encode())),
        ("specs", ("amplified_slightly.feature", _feature().encode())),
    ]


def _checked_pair(api: Api) -> None:
    small_pair(api)
    response = api.client.post("/plans/cx-2023/checks", headers=api.auth("submitter"))
    assert response.status_code == 201, response.text


def test_an_admin_sees_the_findings_a_draft_would_add_with_both_quotes(api: Api) -> None:
    _checked_pair(api)
    before = default_rulebook().version
    response = api.client.post("/rules/impact", files=_files(), headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    assert report["check"]["valid"] and report["plans"] == 1
    added = [c for c in report["changes"] if c["kind"] == "added"]
    assert [c["finding"]["rule_id"] for c in added] == ["amplified_slightly"]
    finding = added[0]["finding"]
    assert finding["indicator"] == "industrial_va_growth" and "7%" in finding["message"]
    quotes = {f["role"]: f["quote"] for f in finding["facts"]}
    assert "7%" in quotes["county"] and "6%以上" in quotes["parent"]
    assert report["draft_version"] != report["baseline_version"] == before
    assert default_rulebook().version == before and "amplified_slightly" not in default_rulebook().ids


def test_a_broken_draft_reports_its_error_and_changes_nothing(api: Api) -> None:
    _checked_pair(api)
    broken = DRAFT.replace("category: conflict", "category: conflit")
    report = api.client.post("/rules/impact", files=_files(broken), headers=api.auth("admin")).json()
    assert not report["check"]["valid"] and report["changes"] == []
    error = report["check"]["errors"][0]
    assert error["field"] == "category" and "conflict" in error["message_zh"]


def test_only_an_admin_may_try_a_draft(api: Api) -> None:
    response = api.client.post("/rules/impact", files=_files(), headers=api.auth("reviewer"))
    assert_problem(response, 403)


def test_the_admin_page_lists_the_draft_findings_and_reviewers_cannot_open_it(tmp_path: Any) -> None:
    web = make_web_app(tmp_path / "web.db")
    with TestClient(web.app) as client:
        csrf = sign_in(client, web.tokens[Role.admin])
        for text, name in (
            ("2023年全省规上工业增加值增长6%以上。", "zj"),
            ("2023年,全市规上工业增加值增长7%。", "cx"),
        ):
            region = "浙江省" if name == "zj" else "慈溪市"
            posted = client.post(
                "/web/plans",
                data={"csrf": csrf, "region": region, "period": "2023", "id": f"{name}-2023"},
                files={"file": (f"{name}.txt", text.encode(), "text/plain")},
                follow_redirects=False,
            )
            assert posted.status_code == 303, posted.text[:500]
        checked = client.post("/web/plans/cx-2023/checks", data={"csrf": csrf}, follow_redirects=False)
        assert checked.status_code == 303, checked.text[:500]
        assert "规则草稿" in client.get("/web/plans").text
        page = client.post("/web/rules/impact", data={"csrf": csrf}, files=_files(), follow_redirects=False)
        assert page.status_code == 200, page.text[:2000]
        assert "新增 1 条" in page.text and "amplified_slightly" in page.text
        assert "慈溪市「" in page.text and "浙江省「" in page.text
    with TestClient(web.app) as client:
        sign_in(client, web.tokens[Role.reviewer])
        assert client.get("/web/rules/impact").status_code == 403
        assert "规则草稿" not in client.get("/web/plans").text
