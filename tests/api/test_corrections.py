"""Reviewers correct what extraction got wrong, checks read the corrections, revisions keep
them while their quotes occur, and the catalog learns from them (issue 15).

The plans are short texts written the way real 要点 are: a county's half-year review quotes a
past statistic (今年以来 … 增长8.5%) that the extractor takes for a target, and its goals
say 技改投入实现两位数增长, which it misses (no number, and 技改投入 is not a catalog term).
The real rule pack runs, so the findings asserted are the ones a reviewer would see.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.auth import Role
from rulesengine.catalog import load_catalog
from rulesengine.ruledata import rules_data
from tests.api.conftest import Api, MakeApi, assert_problem, post_text_plan

PROVINCE = "2024年全省规上工业增加值增长6%以上,技术改造投资增长12%,制造业投资增长10%。"
COUNTY = (
    "慈溪市2024年经信工作要点\n"
    "一、上半年工作情况\n"
    "今年以来,全市规上工业增加值增长8.5%,工业投资保持较快增长。\n"
    "二、全年主要目标\n"
    "2024年,全市规上工业增加值增长7%,制造业投资增长12%,技改投入实现两位数增长。\n"
)
PAST = "规上工业增加值增长8.5%"
MISSED = "技改投入实现两位数增长"


def plans(api: Api) -> dict[str, Any]:
    post_text_plan(api, id="zj-2024", region="浙江省", period="2024", text=PROVINCE)
    return post_text_plan(api, id="cx-2024", region="慈溪市", period="2024", text=COUNTY)


def detail(api: Api, plan_id: str = "cx-2024") -> dict[str, Any]:
    response = api.client.get(f"/plans/{plan_id}", headers=api.auth(Role.reviewer))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def correct(api: Api, body: dict[str, Any], plan_id: str = "cx-2024", role: Role = Role.reviewer) -> Any:
    return api.client.post(f"/plans/{plan_id}/corrections", json=body, headers=api.auth(role))


def check(api: Api, plan_id: str = "cx-2024") -> tuple[dict[str, Any], dict[tuple[str, str], dict[str, Any]]]:
    response = api.client.post(f"/plans/{plan_id}/checks", headers=api.auth(Role.submitter))
    assert response.status_code == 201, response.text
    run = response.json()
    items = api.client.get(f"/checks/{run['id']}/findings?limit=500", headers=api.auth(Role.reviewer)).json()[
        "items"
    ]
    return run, {(f["rule_id"], f["indicator"]): f for f in items}


def reject_past_statistic(api: Api, county: dict[str, Any]) -> dict[str, Any]:
    past = next(t for t in county["targets"] if t["quote"] == PAST)
    response = correct(
        api, {"action": "reject", "target_id": past["target_id"], "comment": "上半年完成情况,不是目标"}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def add_missed_target(api: Api, plan_id: str = "cx-2024", text: str = COUNTY) -> dict[str, Any]:
    """As the plan page does it: propose from the selection, then save what was proposed."""
    proposal = api.client.get(
        f"/plans/{plan_id}/proposal",
        params={"quote": MISSED, "span_start": text.index(MISSED)},
        headers=api.auth(Role.reviewer),
    ).json()
    body = {
        k: proposal[k] for k in ("quote", "span_start", "indicator", "value", "unit", "comparator", "wording")
    }
    response = correct(api, {**body, "comment": "漏提:两位数增长即10%以上"}, plan_id)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_selection_proposes_the_indicator_value_and_wording_it_says(api: Api) -> None:
    plans(api)
    proposal = api.client.get(
        "/plans/cx-2024/proposal", params={"quote": MISSED}, headers=api.auth(Role.reviewer)
    ).json()
    assert proposal["indicator"] == "tech_renovation_investment_growth"
    assert (proposal["value"], proposal["unit"], proposal["comparator"]) == (10.0, "%", "gte")
    assert proposal["wording"] == "技改投入"
    stretch = api.client.get(
        "/plans/cx-2024/proposal",
        params={"quote": "制造业投资力争增长15%左右"},
        headers=api.auth(Role.reviewer),
    ).json()
    assert (stretch["indicator"], stretch["value"], stretch["kind"], stretch["comparator"]) == (
        "manufacturing_investment_growth",
        15.0,
        "stretch",
        "approx",
    )


def test_a_past_statistic_marked_not_a_target_leaves_the_check_and_its_conflict_is_resolved(api: Api) -> None:
    county = plans(api)
    first, found = check(api)
    assert ("inconsistent_values", "industrial_va_growth") in found  # 8.5% against 7%
    rejection = reject_past_statistic(api, county)
    assert rejection["action"] == "reject" and rejection["replaces_quote"] == PAST

    now = detail(api)
    assert PAST not in [t["quote"] for t in now["targets"]]
    assert [(t["quote"], t["origin"]) for t in now["rejected_targets"]] == [(PAST, "rejected")]
    assert PAST in [t["quote"] for t in now["extracted_targets"]]  # what extraction said stays visible

    second, found = check(api)
    assert found[("inconsistent_values", "industrial_va_growth")]["status"] == "resolved"
    assert second["previous_check_id"] == first["id"]
    trail = api.client.get(
        "/audit", params={"check_id": second["id"], "action": "check_run"}, headers=api.auth(Role.admin)
    ).json()["items"]
    assert f"#{rejection['id']}" in trail[0]["comment"]  # the check says it read the correction


def test_a_missed_target_added_from_a_selection_is_checked_and_creates_its_finding(api: Api) -> None:
    plans(api)
    _, before = check(api)
    assert ("headline_gap", "tech_renovation_investment_growth") in before
    assert ("weaker_than_parent", "tech_renovation_investment_growth") not in before
    added = add_missed_target(api)
    assert (added["action"], added["indicator"], added["span_start"]) == (
        "add",
        "tech_renovation_investment_growth",
        COUNTY.index(MISSED),
    )
    _, after = check(api)
    weaker = after[("weaker_than_parent", "tech_renovation_investment_growth")]
    assert weaker["status"] == "open" and "10%以上" in weaker["message"] and "12%" in weaker["message"]
    assert MISSED in [f["quote"] for f in weaker["facts"]]
    assert after[("headline_gap", "tech_renovation_investment_growth")]["status"] == "resolved"


def test_corrections_follow_their_quotes_into_a_revision_and_are_lost_when_the_quote_is_gone(
    api: Api,
) -> None:
    county = plans(api)
    rejection, addition = reject_past_statistic(api, county), add_missed_target(api)
    moved = COUNTY.replace("一、上半年", "(修订稿,经局务会讨论)\n一、上半年").replace("增长12%", "增长13%")
    revised = api.client.post(
        "/plans/cx-2024/revisions/text",
        json={"text": moved, "comment": "修订"},
        headers=api.auth(Role.submitter),
    ).json()
    assert {c["id"]: c["state"] for c in revised["corrections"]} == {
        rejection["id"]: "applied",
        addition["id"]: "applied",
    }
    added = next(t for t in revised["targets"] if t["origin"] == "added")
    assert (
        moved[added["span_start"] : added["span_end"]] == MISSED
        and added["span_start"] > addition["span_start"]
    )
    assert [t["quote"] for t in revised["rejected_targets"]] == [PAST]

    rewritten = moved.replace(MISSED, "技改投入增长15%")
    third = api.client.post(
        "/plans/cx-2024/revisions/text", json={"text": rewritten}, headers=api.auth(Role.submitter)
    ).json()
    assert {c["id"]: c["state"] for c in third["corrections"]} == {
        rejection["id"]: "applied",
        addition["id"]: "lost",
    }
    assert MISSED not in [t["quote"] for t in third["targets"]]
    trail = api.client.get("/audit", params={"plan_id": "cx-2024"}, headers=api.auth(Role.admin)).json()[
        "items"
    ]
    said = [(e["action"], e["subject_id"]) for e in trail if e["action"].startswith("correction_")]
    assert ("correction_lost", str(addition["id"])) in said
    assert said.count(("correction_carried", str(rejection["id"]))) == 2


def test_a_later_correction_of_the_same_target_supersedes_the_earlier(api: Api) -> None:
    county = plans(api)
    target = next(t for t in county["targets"] if t["indicator"] == "manufacturing_investment_growth")
    first = correct(api, {"target_id": target["target_id"], "value": 11, "comment": "表格为11%"}).json()
    second = correct(api, {"target_id": target["target_id"], "value": 12.5, "comment": "复核为12.5%"}).json()
    now = detail(api)
    states = {c["id"]: c["state"] for c in now["corrections"]}
    assert states == {first["id"]: "superseded", second["id"]: "applied"}
    values = [t["value"] for t in now["targets"] if t["indicator"] == "manufacturing_investment_growth"]
    assert values == [12.5]


def test_a_correction_naming_an_indicator_for_unknown_words_becomes_a_counted_suggestion(api: Api) -> None:
    plans(api)
    add_missed_target(api)
    other = "2024年,全县工业增加值增长6%,技改投入实现两位数增长。"
    post_text_plan(api, id="yy-2024", region="余姚市", period="2024", text=other)
    add_missed_target(api, "yy-2024", other)
    # A correction whose words the catalog already knows teaches nothing.
    known = "2024年,全县技术改造投资增长12%。"
    county = post_text_plan(api, id="hn-2024", region="海宁市", period="2024", text=known)
    target = county["targets"][0]
    assert (
        correct(
            api, {"target_id": target["target_id"], "value": 13, "comment": "复核"}, "hn-2024"
        ).status_code
        == 201
    )

    suggestions = api.client.get("/catalog/suggestions", headers=api.auth(Role.reviewer)).json()
    assert [(s["kind"], s["wording"], s["indicator"], s["count"]) for s in suggestions] == [
        ("synonym", "技改投入", "tech_renovation_investment_growth", 2)
    ]
    assert {q["plan_id"] for q in suggestions[0]["quotes"]} == {"cx-2024", "yy-2024"}
    assert suggestions[0]["indicator_name"] == "技术改造投资增长"


def test_an_accepted_suggestion_is_a_versioned_audited_overlay_used_by_new_extractions_and_checks(
    make_api: MakeApi, database_url: str
) -> None:
    api = make_api(database_url)
    plans(api)
    add_missed_target(api)
    before = post_text_plan(
        api, id="xs-2024", region="象山县", period="2024", text="2024年,全县技改投入增长15%。"
    )
    assert [t["indicator"] for t in before["targets"]] == ["other:技改投入增长"]
    suggestion = api.client.get("/catalog/suggestions", headers=api.auth(Role.admin)).json()[0]

    refused = api.client.post(
        f"/catalog/suggestions/{suggestion['id']}/accept", json={}, headers=api.auth(Role.reviewer)
    )
    assert_problem(refused, 403, "forbidden")
    accepted = api.client.post(
        f"/catalog/suggestions/{suggestion['id']}/accept",
        json={"comment": "各县通用写法"},
        headers=api.auth(Role.admin),
    )
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["overlay_version"], accepted.json()["decided_by"]) == (
        "accepted",
        1,
        "王五",
    )
    again = api.client.post(
        f"/catalog/suggestions/{suggestion['id']}/accept", json={}, headers=api.auth(Role.admin)
    )
    assert_problem(again, 409, "suggestion_decided", "suggestion_id")

    overlay = api.client.get("/catalog/overlay", headers=api.auth(Role.reviewer)).json()
    assert overlay["overlay_version"] == 1 and overlay["catalog_version"].endswith("+overlay.1")
    assert [(e["version"], e["kind"], e["wording"], e["created_by"]) for e in overlay["entries"]] == [
        (1, "synonym", "技改投入", "王五")
    ]
    after = post_text_plan(
        api, id="nh-2024", region="宁海县", period="2024", text="2024年,全县技改投入增长15%。"
    )
    assert [(t["indicator"], t["value"]) for t in after["targets"]] == [
        ("tech_renovation_investment_growth", 15.0)
    ]
    assert after["catalog_version"] == overlay["catalog_version"]
    run, _ = check(api, "nh-2024")
    assert run["catalog_version"] == overlay["catalog_version"]
    trail = api.client.get(
        "/audit", params={"action": "suggestion_accepted"}, headers=api.auth(Role.admin)
    ).json()
    assert trail["items"][0]["actor"] == "王五" and "各县通用写法" in trail["items"][0]["comment"]


def test_the_overlay_patch_merged_into_indicators_yaml_loads_and_reads_the_new_wording(
    api: Api, tmp_path: Path
) -> None:
    plans(api)
    add_missed_target(api)
    other = "2024年,全县设备焕新投入增长9%。"
    county = post_text_plan(api, id="nh-2024", region="宁海县", period="2024", text=other)
    target = county["targets"][0]
    assert target["indicator"] == "other:设备焕新投入增长"
    named = correct(
        api,
        {
            "target_id": target["target_id"],
            "indicator": "设备焕新投资增长",
            "wording": "设备焕新投入",
            "comment": "新指标",
        },
        "nh-2024",
    )
    assert named.status_code == 201 and named.json()["indicator"] == "other:设备焕新投资增长"
    by_kind = {
        s["kind"]: s for s in api.client.get("/catalog/suggestions", headers=api.auth(Role.admin)).json()
    }
    new = by_kind["indicator"]
    assert (new["wording"], new["indicator"], new["unit"]) == ("设备焕新投入", "设备焕新投资增长", "%")
    no_id = api.client.post(f"/catalog/suggestions/{new['id']}/accept", json={}, headers=api.auth(Role.admin))
    assert_problem(no_id, 422, "id_required", "id")
    clash = {"id": "tech_renovation_investment_growth"}
    assert_problem(
        api.client.post(f"/catalog/suggestions/{new['id']}/accept", json=clash, headers=api.auth(Role.admin)),
        409,
        "indicator_exists",
        "id",
    )
    for suggestion, body in ((by_kind["synonym"], {}), (new, {"id": "equipment_renewal_investment_growth"})):
        response = api.client.post(
            f"/catalog/suggestions/{suggestion['id']}/accept", json=body, headers=api.auth(Role.admin)
        )
        assert response.status_code == 200, response.text

    patch = api.client.get("/catalog/overlay.yaml", headers=api.auth(Role.reviewer))
    assert patch.headers["content-type"].startswith("application/yaml")
    data = yaml.safe_load(patch.text)
    assert data["overlay_version"] == 2 and data["add_synonyms"] == {
        "tech_renovation_investment_growth": ["技改投入"]
    }
    # Merge it the way an analyst would, and the file's own loader reads the new wordings.
    base = yaml.safe_load(rules_data().indicators.read_text(encoding="utf-8"))
    for ind_id, words in data["add_synonyms"].items():
        base["indicators"][ind_id]["synonyms"] += words
    base["indicators"].update(data["add_indicators"])
    merged = tmp_path / "indicators.yaml"
    merged.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    catalog = load_catalog(merged)
    assert [i.id for i in catalog.by_term("技改投入")] == ["tech_renovation_investment_growth"]
    assert catalog.get("equipment_renewal_investment_growth") is not None
    assert [i.id for i in catalog.by_term("设备焕新投入")] == ["equipment_renewal_investment_growth"]

    later = post_text_plan(
        api, id="xs-2024", region="象山县", period="2024", text="2024年,全县设备焕新投入增长11%。"
    )
    assert [t["indicator"] for t in later["targets"]] == ["equipment_renewal_investment_growth"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"action": "reject", "comment": "不是目标"}, 422, "target_required", "target_id"),
        ({"action": "add", "target_id": 1, "comment": "c"}, 422, "target_not_expected", "target_id"),
        ({"action": "reject", "target_id": 1}, 422, "validation_error", "comment"),
        (
            {"indicator": "工业增加值", "value": 7, "quote": "增长7%", "comment": "c"},
            422,
            "ambiguous_indicator",
            "indicator",
        ),
        (
            {
                "indicator": "industrial_va_growth",
                "value": 7,
                "quote": "增长7%",
                "span_start": -1,
                "comment": "c",
            },
            422,
            "validation_error",
            "span_start",
        ),
        ({"action": "undo", "target_id": 1, "comment": "c"}, 422, "validation_error", "action"),
    ],
)
def test_bad_corrections_are_refused_in_both_languages_naming_the_field_and_store_nothing(
    api: Api, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    plans(api)
    assert_problem(correct(api, body), status, code, field)
    assert detail(api)["corrections"] == []
    assert api.client.get("/catalog/suggestions", headers=api.auth(Role.admin)).json() == []


def test_declining_a_suggestion_needs_a_reason_and_is_audited(api: Api) -> None:
    plans(api)
    add_missed_target(api)
    suggestion = api.client.get("/catalog/suggestions", headers=api.auth(Role.admin)).json()[0]
    url = f"/catalog/suggestions/{suggestion['id']}/decline"
    assert_problem(
        api.client.post(url, json={}, headers=api.auth(Role.admin)), 422, "validation_error", "comment"
    )
    declined = api.client.post(url, json={"comment": "口语写法,不入目录"}, headers=api.auth(Role.admin))
    assert declined.json()["status"] == "declined"
    assert api.client.get("/catalog/overlay", headers=api.auth(Role.admin)).json()["overlay_version"] == 0
    assert api.client.get("/catalog/suggestions?status=open", headers=api.auth(Role.admin)).json() == []


def test_every_sentence_of_a_real_plan_is_proposed_and_saved_or_refused_in_words_never_a_500(
    make_api: MakeApi,
) -> None:
    """Whatever a reviewer selects in a real plan — headings, tables, half sentences — the
    proposal answers, and saving what it proposes is stored or refused naming a field."""
    api = make_api(raise_server_exceptions=False, write_rate_per_minute=0)
    text = (
        Path(__file__).resolve().parents[2] / "examples" / "plans" / "cixi-2023-jingxin-gongzuo-silu.txt"
    ).read_text(encoding="utf-8")
    post_text_plan(api, id="cx-2023", region="慈溪市", period="2023", text=text)
    sentences = [s for s in re.split(r"[。;;\n]", text) if s.strip()][:80]
    statuses: list[int] = []
    for sentence in sentences:
        proposal = api.client.get(
            "/plans/cx-2023/proposal", params={"quote": sentence[:2000]}, headers=api.auth(Role.reviewer)
        )
        assert proposal.status_code == 200, (sentence, proposal.text)
        body = {
            k: v
            for k, v in proposal.json().items()
            if k in ("quote", "indicator", "value", "unit", "comparator", "kind", "basis", "wording")
            and v not in (None, "")
        }
        body.setdefault("indicator", "其他指标")
        body.setdefault("value", 1)
        saved = correct(api, {**body, "comment": "补充"}, "cx-2023")
        statuses.append(saved.status_code)
        if saved.status_code != 201:
            assert_problem(saved, saved.status_code)
            assert saved.status_code == 422 and saved.json()["field"], saved.text
    assert 500 not in statuses and statuses.count(201) >= len(sentences) // 2
