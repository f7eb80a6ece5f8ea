"""Access: every request needs a token, writing needs the right role, tokens are stored hashed."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import select

from api.auth import Role
from api.db import ApiToken
from tests.api.conftest import Api, MakeApi, ScriptedChecker, assert_problem, small_pair


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/plans"),
        ("post", "/plans/text"),
        ("get", "/checks"),
        ("get", "/audit"),
        ("get", "/tokens"),
        ("patch", "/findings/1"),
    ],
)
def test_no_token_is_401_with_a_bearer_challenge(api: Api, method: str, path: str) -> None:
    response = api.client.request(method, path, json={})
    body = assert_problem(response, 401, "unauthorized", "Authorization")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "令牌" in body["message_zh"]


def test_unknown_and_revoked_tokens_are_401(api: Api) -> None:
    assert_problem(api.client.get("/plans", headers={"Authorization": "Bearer pa_nope"}), 401)
    assert_problem(api.client.get("/plans", headers={"Authorization": "Basic eDp5"}), 401)
    created = api.client.post(
        "/tokens", json={"name": "赵六", "role": "submitter"}, headers=api.auth("admin")
    )
    token, token_id = created.json()["token"], created.json()["id"]
    assert api.client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "赵六"
    assert api.client.delete(f"/tokens/{token_id}", headers=api.auth("admin")).status_code == 200
    assert_problem(api.client.get("/plans", headers={"Authorization": f"Bearer {token}"}), 401)


def test_health_needs_no_token(api: Api) -> None:
    assert api.client.get("/health").json()["status"] == "ok"


def test_any_token_reads(api: Api) -> None:
    for role in Role:
        assert api.client.get("/plans", headers=api.auth(role)).status_code == 200
        assert api.client.get("/me", headers=api.auth(role)).json()["role"] == role.value


def test_submitter_cannot_review_or_correct(make_api: MakeApi, scripted: ScriptedChecker) -> None:
    api = make_api(checker=scripted)
    _, county = small_pair(api)
    check = api.client.post("/plans/cx-2023/checks", headers=api.auth("submitter")).json()
    finding = api.client.get(f"/checks/{check['id']}/findings", headers=api.auth("submitter")).json()[
        "items"
    ][0]

    review = {"status": "confirmed", "comment": "确认", "version": finding["version"]}
    body = assert_problem(
        api.client.patch(f"/findings/{finding['id']}", json=review, headers=api.auth("submitter")),
        403,
        "forbidden",
        "Authorization",
    )
    assert body["required_role"] == "reviewer" and body["your_role"] == "submitter"
    correction = {"target_id": county["targets"][0]["target_id"], "value": 9, "comment": "原文为9%"}
    assert_problem(
        api.client.post("/plans/cx-2023/corrections", json=correction, headers=api.auth("submitter")),
        403,
    )
    # …and the reviewer can do both.
    assert (
        api.client.patch(f"/findings/{finding['id']}", json=review, headers=api.auth("reviewer")).status_code
        == 200
    )
    assert (
        api.client.post(
            "/plans/cx-2023/corrections", json=correction, headers=api.auth("reviewer")
        ).status_code
        == 201
    )


def test_reviewer_cannot_manage_tokens(api: Api) -> None:
    new = {"name": "赵六", "role": "reviewer"}
    assert_problem(api.client.post("/tokens", json=new, headers=api.auth("reviewer")), 403, "forbidden")
    assert_problem(api.client.get("/tokens", headers=api.auth("reviewer")), 403)
    assert_problem(api.client.delete("/tokens/1", headers=api.auth("reviewer")), 403)
    assert api.client.post("/tokens", json=new, headers=api.auth("admin")).status_code == 201


def test_only_admin_deletes_plans(make_api: MakeApi, scripted: ScriptedChecker) -> None:
    api = make_api(checker=scripted)
    small_pair(api)
    assert_problem(api.client.delete("/plans/zj-2023", headers=api.auth("reviewer")), 403)
    assert api.client.delete("/plans/zj-2023", headers=api.auth("admin")).status_code == 204
    assert_problem(api.client.get("/plans/zj-2023", headers=api.auth("admin")), 404, "not_found")


def test_token_is_shown_once_and_stored_as_its_sha256(api: Api) -> None:
    created = api.client.post("/tokens", json={"name": "张三", "role": "reviewer"}, headers=api.auth("admin"))
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("pa_") and len(token) > 40
    listed = api.client.get("/tokens", headers=api.auth("admin")).json()
    assert token not in str(listed) and all(
        "token" not in t and "token_hash" not in t for t in listed["items"]
    )
    with api.session() as session:
        rows = session.exec(select(ApiToken)).all()
        assert any(r.token_hash == hashlib.sha256(token.encode()).hexdigest() for r in rows)
        assert all(token not in (r.token_hash, r.name) for r in rows)
    audit = api.client.get("/audit", params={"action": "token_created"}, headers=api.auth("admin")).json()
    assert audit["total"] == 1 and audit["items"][0]["actor"] == "王五"


def test_reviews_record_the_reviewers_name(make_api: MakeApi, scripted: ScriptedChecker) -> None:
    api = make_api(checker=scripted)
    small_pair(api)
    check = api.client.post("/plans/cx-2023/checks", headers=api.auth("submitter")).json()
    finding = api.client.get(f"/checks/{check['id']}/findings", headers=api.auth("reviewer")).json()["items"][
        0
    ]
    done = api.client.patch(
        f"/findings/{finding['id']}",
        json={"status": "fixed", "comment": "已改"},
        headers={**api.auth("reviewer"), "If-Match": f'"{finding["version"]}"'},
    ).json()
    assert done["updated_by"] == "张三"
    trail = api.client.get(f"/findings/{finding['id']}/audit", headers=api.auth("reviewer")).json()
    assert [(e["actor"], e["action"], e["from_status"], e["to_status"]) for e in trail] == [
        ("张三", "review", "open", "fixed")
    ]
