"""The round trip the README shows, through the HTTP API, on SQLite and on PostgreSQL, with the
real check: tokens, upload 浙江 2023 and 慈溪 2023, check, list findings, dismiss one with a
reason, upload a revised 慈溪 plan, re-check, and see the dismissal carried over.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import Role, issue_token
from api.main import create_app
from api.settings import Settings, sqlite_url
from rulesengine.engine_pool import EnginePool
from tests.api.conftest import CIXI_2023, ZHEJIANG_2023, MakeApi, meta_of

# The revision reworded one sentence (制造业投资 10% → 11%, still below 浙江's 12%) and adds
# the 技术改造投资 target the first version lacked.
REVISED_CIXI = (
    CIXI_2023.read_text(encoding="utf-8")
    .replace("制造业投资增长10%、力争38%", "制造业投资增长11%、力争38%")
    .replace("规上企业亩均增加值增长5.5%以上。", "规上企业亩均增加值增长5.5%以上,技术改造投资增长10%以上。")
)


def test_round_trip(make_api: MakeApi, database_url: str) -> None:
    api = make_api(database_url)
    client = api.client
    admin = api.auth(Role.admin)

    # An admin creates the people's tokens; each is shown once.
    def token(name: str, role: str) -> dict[str, str]:
        created = client.post("/tokens", json={"name": name, "role": role}, headers=admin)
        assert created.status_code == 201, created.text
        return {"Authorization": f"Bearer {created.json()['token']}"}

    submitter, reviewer = token("李四", "submitter"), token("张三", "reviewer")

    # Upload the province's and the county's plans.
    for path in (ZHEJIANG_2023, CIXI_2023):
        with path.open("rb") as fh:
            response = client.post(
                "/plans", data=meta_of(path), files={"file": (path.name, fh)}, headers=submitter
            )
        assert response.status_code == 201, response.text

    # Check 慈溪: its parent is found by region and period.
    first = client.post("/plans/cixi-2023/checks", headers=submitter)
    assert first.status_code == 201, first.text
    check = first.json()
    assert [p["plan_id"] for p in check["parents"]] == ["zhejiang-2023"]
    assert check["rule_pack_version"] and check["catalog_version"]

    page = client.get(f"/checks/{check['id']}/findings", params={"category": "weaker"}, headers=reviewer)
    weaker = next(f for f in page.json()["items"] if f["indicator"] == "manufacturing_investment_growth")
    assert weaker["status"] == "open" and any(fact["role"] == "parent" for fact in weaker["facts"])
    gaps = client.get(
        f"/checks/{check['id']}/findings",
        params={"indicator": "tech_renovation_investment_growth"},
        headers=reviewer,
    ).json()["items"]
    assert [g["category"] for g in gaps] == ["gap"]

    # The reviewer dismisses the weaker target, with a reason.
    reason = "力争目标38%已高于省定12%,以力争目标为准"
    dismissed = client.patch(
        f"/findings/{weaker['id']}",
        json={"status": "dismissed", "comment": reason},
        headers={**reviewer, "If-Match": f'"{weaker["version"]}"'},
    )
    assert dismissed.status_code == 200, dismissed.text

    # 慈溪 revises its plan; the check runs again.
    revised = client.post(
        "/plans/cixi-2023/revisions",
        data={"comment": "制造业投资目标上调,补技改投资目标"},
        files={"file": ("cixi-2023-v2.txt", REVISED_CIXI.encode("utf-8"))},
        headers=submitter,
    )
    assert revised.status_code == 201, revised.text
    second = client.post("/plans/cixi-2023/checks", headers=submitter).json()
    assert second["previous_check_id"] == check["id"] and second["plan_revision"] == 2

    findings: list[dict[str, Any]] = client.get(
        f"/checks/{second['id']}/findings", params={"limit": 200}, headers=reviewer
    ).json()["items"]
    by_key = {(f["rule_id"], f["indicator"]): f for f in findings}
    carried = by_key[("weaker_than_parent", "manufacturing_investment_growth")]
    assert carried["status"] == "dismissed" and carried["comment"] == reason
    assert carried["carried_from_id"] == weaker["id"]
    assert by_key[("headline_gap", "tech_renovation_investment_growth")]["status"] == "resolved"

    # The audit trail tells the story of the finding across both checks.
    trail = client.get(f"/findings/{carried['id']}/audit", headers=reviewer).json()
    assert [(e["action"], e["actor"], e["to_status"]) for e in trail] == [
        ("review", "张三", "dismissed"),
        ("carried_over", "李四", "dismissed"),
    ]


def test_checks_run_in_an_engine_pool_when_configured(tmp_path: Path) -> None:
    """PLANALIGN_ENGINE_WORKERS=1: the same findings, computed in a worker process."""
    settings = Settings(database_url=sqlite_url(tmp_path / "pool.db"), engine_workers=1)
    app = create_app(settings)
    with TestClient(app) as client, Session(app.state.engine) as session:
        _, token = issue_token(session, name="王五", role=Role.admin, created_by="test")
        session.commit()
        auth = {"Authorization": f"Bearer {token}"}
        for path in (ZHEJIANG_2023, CIXI_2023):
            with path.open("rb") as fh:
                response = client.post(
                    "/plans", data=meta_of(path), files={"file": (path.name, fh)}, headers=auth
                )
            assert response.status_code == 201, response.text
        check = client.post("/plans/cixi-2023/checks", headers=auth)
        assert check.status_code == 201, check.text
        assert isinstance(app.state.checker.engine, EnginePool)  # the pool, not the in-process engine
        found = client.get(f"/checks/{check.json()['id']}/findings", headers=auth).json()
        assert any(f["rule_id"] == "weaker_than_parent" for f in found["items"])
