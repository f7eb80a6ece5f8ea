"""Reviews: status changes with optimistic locking, an append-only audit trail, and decisions
that follow a finding from one check to the next by fingerprint.

The check is scripted here (one finding per county target, fingerprinted by indicator) so
these tests pin the workflow, not the rule pack; the round-trip test runs the real check.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from api.db import AuditEntry
from tests.api.conftest import COUNTY_TEXT, Api, MakeApi, ScriptedChecker, assert_problem, small_pair


def run_check(api: Api, plan_id: str = "cx-2023", **body: Any) -> dict[str, Any]:
    response = api.client.post(f"/plans/{plan_id}/checks", json=body or None, headers=api.auth("submitter"))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def findings(api: Api, check_id: int, **params: Any) -> dict[str, Any]:
    response = api.client.get(f"/checks/{check_id}/findings", params=params, headers=api.auth("reviewer"))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def by_indicator(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["indicator"]: f for f in page["items"]}


def review(api: Api, finding: dict[str, Any], status: str, comment: str | None = None, **kw: Any):
    body = {"status": status, "comment": comment, "version": finding["version"], **kw}
    return api.client.patch(f"/findings/{finding['id']}", json=body, headers=api.auth("reviewer"))


@pytest.fixture
def checked(make_api: MakeApi, scripted: ScriptedChecker) -> tuple[Api, dict[str, Any]]:
    api = make_api(checker=scripted)
    small_pair(api)
    return api, run_check(api)


def test_check_records_parents_and_versions(
    checked: tuple[Api, dict[str, Any]], scripted: ScriptedChecker
) -> None:
    api, check = checked
    assert scripted.calls == [("cx-2023", ("zj-2023",))]
    assert scripted.on_event_loop == [False]  # the engine ran on a worker thread
    assert [p["plan_id"] for p in check["parents"]] == ["zj-2023"]
    assert check["rule_pack_version"] == "scripted-1" and check["catalog_version"] == "catalog-test"
    assert check["is_latest"] and check["previous_check_id"] is None
    assert check["counts_by_status"] == {"open": 3}
    detail = api.client.get(f"/checks/{check['id']}", headers=api.auth("reviewer")).json()
    assert detail["findings"]["total"] == 3 and detail["plan_revision"] == 1


def test_parents_can_be_named(checked: tuple[Api, dict[str, Any]], scripted: ScriptedChecker) -> None:
    api, _ = checked
    api.client.post(
        "/plans/text",
        json={"id": "nb-2023", "region": "宁波市", "period": "2023", "text": "全市规上工业增加值增长6.5%。"},
        headers=api.auth("submitter"),
    )
    auto = run_check(api)
    assert [p["plan_id"] for p in auto["parents"]] == ["nb-2023", "zj-2023"]  # nearest first
    named = run_check(api, parent_ids=["zj-2023"])
    assert [p["plan_id"] for p in named["parents"]] == ["zj-2023"]
    assert scripted.calls[-1] == ("cx-2023", ("zj-2023",))
    assert_problem(
        api.client.post(
            "/plans/cx-2023/checks", json={"parent_ids": ["cx-2023"]}, headers=api.auth("submitter")
        ),
        422,
        "self_parent",
        "parent_ids",
    )


def test_no_parent_plans_is_a_clear_422(make_api: MakeApi, scripted: ScriptedChecker) -> None:
    api = make_api(checker=scripted)
    api.client.post(
        "/plans/text",
        json={"id": "cx", "region": "慈溪", "period": "2023", "text": COUNTY_TEXT},
        headers=api.auth("submitter"),
    )
    body = assert_problem(
        api.client.post("/plans/cx/checks", headers=api.auth("submitter")), 422, "no_parents", "parent_ids"
    )
    assert "上级" in body["message_zh"]
    assert_problem(
        api.client.post("/plans/cx/checks", json={"parent_ids": ["nope"]}, headers=api.auth("submitter")),
        404,
        "not_found",
        "parent_ids",
    )


def test_findings_filter_and_paginate(checked: tuple[Api, dict[str, Any]]) -> None:
    api, check = checked
    page = findings(api, check["id"], limit=2, offset=0)
    assert page["total"] == 3 and len(page["items"]) == 2 and page["limit"] == 2
    rest = findings(api, check["id"], limit=2, offset=2)
    assert len(rest["items"]) == 1
    assert {f["id"] for f in page["items"]} | {f["id"] for f in rest["items"]} == {
        f["id"] for f in findings(api, check["id"])["items"]
    }
    errors = findings(api, check["id"], severity="error")
    assert errors["total"] == 2 and all(f["severity"] == "error" for f in errors["items"])
    assert findings(api, check["id"], category="weaker")["total"] == 1
    assert findings(api, check["id"], indicator="industrial_va_growth")["total"] == 1
    assert findings(api, check["id"], status=["open", "dismissed"])["total"] == 3
    assert findings(api, check["id"], status="dismissed")["total"] == 0
    assert_problem(
        api.client.get(
            f"/checks/{check['id']}/findings", params={"severity": "fatal"}, headers=api.auth("reviewer")
        ),
        422,
        "validation_error",
        "severity.0",
    )


def test_review_needs_a_version_and_a_reason_to_dismiss(checked: tuple[Api, dict[str, Any]]) -> None:
    api, check = checked
    finding = findings(api, check["id"])["items"][0]
    no_version = api.client.patch(
        f"/findings/{finding['id']}", json={"status": "confirmed"}, headers=api.auth("reviewer")
    )
    assert_problem(no_version, 428, "version_required", "version")
    assert_problem(review(api, finding, "dismissed"), 422, "reason_required", "comment")
    assert_problem(review(api, finding, "resolved", "x"), 422, "validation_error", "status")
    bad_etag = api.client.patch(
        f"/findings/{finding['id']}",
        json={"status": "confirmed"},
        headers={**api.auth("reviewer"), "If-Match": "abc"},
    )
    assert_problem(bad_etag, 400, "invalid_if_match", "If-Match")
    ok = api.client.patch(
        f"/findings/{finding['id']}",
        json={"status": "dismissed", "comment": "上级口径不同"},
        headers={**api.auth("reviewer"), "If-Match": f'W/"{finding["version"]}"'},
    )
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    assert ok.json()["status"] == "dismissed" and ok.json()["comment"] == "上级口径不同"


def test_a_stale_version_is_409_with_both_versions(checked: tuple[Api, dict[str, Any]]) -> None:
    api, check = checked
    finding = findings(api, check["id"])["items"][0]
    assert review(api, finding, "confirmed", "属实").status_code == 200
    stale = review(api, finding, "dismissed", "不适用")  # still version 1
    body = assert_problem(stale, 409, "version_conflict", "version")
    assert body["expected_version"] == 1 and body["current_version"] == 2
    assert body["current"]["status"] == "confirmed" and body["current"]["updated_by"] == "张三"
    current = api.client.get(f"/findings/{finding['id']}", headers=api.auth("reviewer"))
    assert current.json()["status"] == "confirmed" and current.headers["etag"] == '"2"'


def test_two_reviewers_at_once_one_wins_one_gets_409(
    make_api: MakeApi, scripted: ScriptedChecker, database_url: str
) -> None:
    api = make_api(database_url, checker=scripted)
    small_pair(api)
    check = run_check(api)
    finding = findings(api, check["id"])["items"][0]
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def reviewer(status: str, comment: str) -> None:
        barrier.wait()
        results[status] = review(api, finding, status, comment)

    threads = [
        threading.Thread(target=reviewer, args=("confirmed", "属实")),
        threading.Thread(target=reviewer, args=("dismissed", "口径不同")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409], {k: r.text for k, r in results.items()}
    winner = next(s for s, r in results.items() if r.status_code == 200)
    loser = next(r for r in results.values() if r.status_code == 409).json()
    assert loser["expected_version"] == 1 and loser["current_version"] == 2
    assert loser["current"]["status"] == winner

    current = api.client.get(f"/findings/{finding['id']}", headers=api.auth("reviewer")).json()
    assert current["status"] == winner and current["version"] == 2
    trail = api.client.get(f"/findings/{finding['id']}/audit", headers=api.auth("reviewer")).json()
    assert [
        (e["action"], e["from_status"], e["to_status"], e["finding_version"], e["actor"]) for e in trail
    ] == [("review", "open", winner, 2, "张三")]


def test_decisions_carry_over_by_fingerprint_and_vanished_findings_resolve(
    checked: tuple[Api, dict[str, Any]],
) -> None:
    api, first = checked
    f1 = by_indicator(findings(api, first["id"]))
    assert review(api, f1["industrial_va_growth"], "dismissed", "县里口径不同").status_code == 200
    assert review(api, f1["digital_core_va_growth"], "confirmed", "属实").status_code == 200

    # The revision drops the 数字经济 target and keeps the rest (reworded).
    revised = "2023年,全市规上工业增加值增长7.5%,高新技术产业投资增长20%。"
    response = api.client.post(
        "/plans/cx-2023/revisions/text",
        json={"text": revised, "comment": "删去数字经济目标"},
        headers=api.auth("submitter"),
    )
    assert response.status_code == 201, response.text
    second = run_check(api)
    assert second["previous_check_id"] == first["id"] and second["plan_revision"] == 2
    f2 = by_indicator(findings(api, second["id"]))
    assert f2["industrial_va_growth"]["status"] == "dismissed"
    assert f2["industrial_va_growth"]["comment"] == "县里口径不同"
    assert f2["industrial_va_growth"]["carried_from_id"] == f1["industrial_va_growth"]["id"]
    assert f2["digital_core_va_growth"]["status"] == "resolved"
    assert f2["other:高新技术产业投资增长"]["status"] == "open"
    assert second["counts_by_status"] == {"dismissed": 1, "resolved": 1, "open": 1}
    assert findings(api, second["id"], status="resolved")["total"] == 1

    trail = api.client.get(
        f"/findings/{f2['industrial_va_growth']['id']}/audit", headers=api.auth("reviewer")
    ).json()
    assert [(e["action"], e["check_id"], e["to_status"]) for e in trail] == [
        ("review", first["id"], "dismissed"),
        ("carried_over", second["id"], "dismissed"),
    ]
    assert "县里口径不同" in trail[1]["comment"]

    # The old check is history: it cannot be reviewed any more, and says where to go.
    stale = review(api, f1["other:高新技术产业投资增长"], "confirmed", "x")
    body = assert_problem(stale, 409, "check_superseded")
    assert body["latest_check_id"] == second["id"]
    assert body["latest_finding_id"] == f2["other:高新技术产业投资增长"]["id"]
    assert_problem(review(api, f2["digital_core_va_growth"], "confirmed", "x"), 409, "finding_resolved")

    # The target comes back: the resolved finding reopens.
    api.client.post(
        "/plans/cx-2023/revisions/text", json={"text": COUNTY_TEXT}, headers=api.auth("submitter")
    )
    third = by_indicator(findings(api, run_check(api)["id"]))
    assert third["digital_core_va_growth"]["status"] == "open"
    assert third["industrial_va_growth"]["status"] == "dismissed"
    actions = [
        e["action"]
        for e in api.client.get(
            "/audit", params={"plan_id": "cx-2023", "limit": 500}, headers=api.auth("reviewer")
        ).json()["items"]
    ]
    assert actions.count("reopened") == 1 and actions.count("resolved") == 1


def test_the_audit_trail_cannot_be_changed(
    make_api: MakeApi, scripted: ScriptedChecker, database_url: str
) -> None:
    api = make_api(database_url, checker=scripted)
    small_pair(api)
    check = run_check(api)
    finding = findings(api, check["id"])["items"][0]
    review(api, finding, "confirmed", "属实")
    for method in ("put", "patch", "delete"):
        assert api.client.request(method, "/audit", headers=api.auth("admin")).status_code == 405
    with api.session() as session:
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            session.execute(sa.update(AuditEntry).values(comment="rewritten"))
            session.commit()
        session.rollback()
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            session.execute(sa.delete(AuditEntry))
            session.commit()
        session.rollback()
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "review")).one().comment == "属实"


def test_a_named_parent_of_another_province_or_year_is_a_clear_422_unless_waived_and_recorded(
    make_api: MakeApi, scripted: ScriptedChecker
) -> None:
    from tests.api.conftest import PROVINCE_TEXT, post_text_plan

    api = make_api(checker=scripted)
    small_pair(api)
    post_text_plan(api, id="hb-2024", region="湖北省", period="2024", text=PROVINCE_TEXT)
    body = assert_problem(
        api.client.post(
            "/plans/cx-2023/checks", json={"parent_ids": ["hb-2024"]}, headers=api.auth("submitter")
        ),
        422,
        "invalid_parent",
        "parent_ids",
    )
    assert "湖北省不在慈溪市之上" in body["message_zh"]
    waived = run_check(api, parent_ids=["hb-2024"], allow=["region", "period"])
    assert [p["plan_id"] for p in waived["parents"]] == ["hb-2024"]
    with api.session() as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "check_run")).all()
        comments = [e.comment or "" for e in entries]
    assert any("region" in c and "period" in c for c in comments), comments


def test_a_check_may_say_what_the_plan_covers_and_the_audit_shows_the_scope_used(make_api: MakeApi) -> None:
    api = make_api()
    small_pair(api)
    run_check(api, kind="topical", scope=["投资"])
    with api.session() as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "check_run")).all()
        assert any("专项规划（投资；据元数据）" in (e.comment or "") for e in entries)
    assert_problem(
        api.client.post("/plans/cx-2023/checks", json={"scope": ["乱码"]}, headers=api.auth("submitter")),
        422,
        "unknown_domain",
        "scope",
    )
