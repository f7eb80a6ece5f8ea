"""Plans: uploads in every accepted form, what is stored, what is refused, and atomicity."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from api.db import AuditEntry, PlanRevision, PlanRow, TargetRow
from tests.api.conftest import (
    CIXI_2023,
    COUNTY_TEXT,
    ZHEJIANG_2023,
    Api,
    MakeApi,
    assert_problem,
    post_text_plan,
    upload,
)


def test_upload_a_file_stores_text_targets_and_metadata(api: Api) -> None:
    plan = upload(api, CIXI_2023)
    assert plan["id"] == "cixi-2023" and plan["region_code"] == "330282"
    assert plan["region_path"] == "浙江省宁波市慈溪市" and plan["level"] == "county"
    assert plan["format"] == "txt" and plan["current_revision"] == 1 and plan["created_by"] == "李四"
    assert plan["targets"] and all(t["origin"] == "extracted" for t in plan["targets"])
    text = api.client.get(
        "/plans/cixi-2023", params={"include_text": True}, headers=api.auth("reviewer")
    ).json()["text"]
    assert text == CIXI_2023.read_text(encoding="utf-8")
    assert all(text[t["span_start"] : t["span_end"]] == t["quote"] for t in plan["targets"])
    # The 慈溪 page carries injected spam: ingestion's warnings come through.
    assert any(w["code"] == "injected_term" for w in plan["warnings"])


def test_upload_json_text_and_generated_id(api: Api) -> None:
    plan = post_text_plan(api, region="330282", period="2023", text=COUNTY_TEXT, title="慈溪")
    assert plan["id"] == "330282-2023" and plan["region_name"] == "慈溪市"
    again = post_text_plan(api, region="慈溪市", period="2023", text=COUNTY_TEXT + "。")
    assert again["id"] == "330282-2023-2"


def test_list_filters_and_pagination(api: Api) -> None:
    upload(api, ZHEJIANG_2023)
    upload(api, CIXI_2023)
    post_text_plan(api, id="hz", region="杭州", period="2021-2025", text=COUNTY_TEXT)

    def ids(**params: Any) -> list[str]:
        page = api.client.get("/plans", params=params, headers=api.auth("reviewer")).json()
        return [p["id"] for p in page["items"]]

    assert ids() == ["zhejiang-2023", "cixi-2023", "hz"]
    assert ids(region="浙江") == ["zhejiang-2023"]
    assert ids(within="宁波市") == ["cixi-2023"]
    assert ids(within="浙江省") == ["zhejiang-2023", "cixi-2023", "hz"]
    assert ids(level="county") == ["cixi-2023"]
    assert ids(period="2021-2025") == ["hz"]
    page = api.client.get("/plans", params={"limit": 2, "offset": 1}, headers=api.auth("reviewer")).json()
    assert page["total"] == 3 and [p["id"] for p in page["items"]] == ["cixi-2023", "hz"]
    assert_problem(
        api.client.get("/plans", params={"period": "明年"}, headers=api.auth("reviewer")),
        422,
        "invalid_period",
        "period",
    )


@pytest.mark.parametrize(
    ("form", "status", "code", "field"),
    [
        ({"region": "火星市"}, 422, "unknown_region", "region"),
        ({"region": "朝阳"}, 422, "ambiguous_region", "region"),
        ({"period": "2025-2021"}, 422, "invalid_period", "period"),
        ({"level": "village"}, 422, "validation_error", "level"),
        ({"id": "慈溪/2023"}, 422, "validation_error", "id"),
    ],
)
def test_bad_metadata_names_the_field(
    api: Api, form: dict[str, str], status: int, code: str, field: str
) -> None:
    data = {"region": "慈溪", "period": "2023", **form}
    response = api.client.post(
        "/plans",
        data=data,
        files={"file": ("a.txt", COUNTY_TEXT.encode(), "text/plain")},
        headers=api.auth("submitter"),
    )
    assert_problem(response, status, code, field)


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("empty.txt", b"", 422, "ingest_empty"),
        ("blob.txt", bytes(range(256)) * 8, 422, "ingest_binary"),
        ("plan.xls", b"\xd0\xcf\x11\xe0 old excel", 422, "ingest_unsupported_format"),
    ],
    ids=["empty", "binary", "xls"],
)
def test_unreadable_files_are_refused_with_the_reason(
    api: Api, name: str, content: bytes, status: int, code: str
) -> None:
    response = api.client.post(
        "/plans",
        data={"region": "慈溪", "period": "2023"},
        files={"file": (name, content)},
        headers=api.auth("submitter"),
    )
    body = assert_problem(response, status, code, "file")
    assert name in body["message_zh"]


def test_missing_file_is_422_naming_file(api: Api) -> None:
    response = api.client.post(
        "/plans", data={"region": "慈溪", "period": "2023"}, headers=api.auth("submitter")
    )
    body = assert_problem(response, 422, "validation_error", "file")
    assert "缺少" in body["message_zh"]


def test_too_large_is_413(make_api: MakeApi) -> None:
    api = make_api(max_upload_bytes=1000)
    big = ("目标" * 400).encode()  # 2,400 bytes: over the limit, under the request cap
    response = api.client.post(
        "/plans",
        data={"region": "慈溪", "period": "2023"},
        files={"file": ("big.txt", big)},
        headers=api.auth("submitter"),
    )
    assert_problem(response, 413, "too_large", "file")
    huge = b"x" * 200_000  # over the request cap: refused before the body is read
    response = api.client.post(
        "/plans",
        data={"region": "慈溪", "period": "2023"},
        files={"file": ("huge.txt", huge)},
        headers=api.auth("submitter"),
    )
    assert_problem(response, 413, "too_large")
    json_body = {"region": "慈溪", "period": "2023", "text": "目标" * 400}
    assert_problem(
        api.client.post("/plans/text", json=json_body, headers=api.auth("submitter")), 413, "too_large"
    )


def test_duplicate_id_is_409(api: Api) -> None:
    upload(api, CIXI_2023)
    with CIXI_2023.open("rb") as fh:
        response = api.client.post(
            "/plans",
            data={"id": "cixi-2023", "region": "慈溪", "period": "2023"},
            files={"file": ("c.txt", fh)},
            headers=api.auth("submitter"),
        )
    body = assert_problem(response, 409, "plan_exists", "id")
    assert "revisions" in body["message_en"]


def _row_counts(api: Api) -> dict[str, int]:
    with api.session() as session:
        return {
            table.__tablename__: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (PlanRow, PlanRevision, TargetRow, AuditEntry)
        }


def test_an_upload_that_fails_half_way_leaves_nothing(
    make_api: MakeApi, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = make_api(database_url, raise_server_exceptions=False)
    before = _row_counts(api)
    assert before == {"plan": 0, "plan_revision": 0, "target": 0, "audit_entry": 0}
    flushed: list[str] = []

    def on_flush(session: Session, _context: object) -> None:
        flushed.extend(type(obj).__name__ for obj in session.new)

    def broken_extraction(plan: object, catalog: object = None) -> object:
        raise RuntimeError(f"extractor crashed after {flushed} reached the database")

    sa.event.listen(Session, "after_flush", on_flush)
    monkeypatch.setattr("api.services.plans.PlanFacts.from_plan", broken_extraction)
    try:
        with CIXI_2023.open("rb") as fh:
            response = api.client.post(
                "/plans",
                data={"region": "慈溪", "period": "2023", "id": "cixi-2023"},
                files={"file": (CIXI_2023.name, fh)},
                headers=api.auth("submitter"),
            )
    finally:
        sa.event.remove(Session, "after_flush", on_flush)
    body = assert_problem(response, 500, "internal_error")
    assert "未保存" in body["message_zh"]
    assert {"PlanRow", "PlanRevision"} <= set(flushed)  # the rows were written, then undone
    assert _row_counts(api) == before
    assert api.client.get("/plans", headers=api.auth("reviewer")).json()["total"] == 0

    # The same upload works once extraction does, under the same id.
    monkeypatch.undo()
    assert upload(api, CIXI_2023)["id"] == "cixi-2023"


def test_revisions_re_extract_and_keep_history(api: Api) -> None:
    post_text_plan(api, id="cx", region="慈溪", period="2023", text=COUNTY_TEXT)
    revised = COUNTY_TEXT.replace("增长7%", "增长7.5%")
    response = api.client.post(
        "/plans/cx/revisions",
        data={"comment": "工业目标上调"},
        files={"file": ("cx-v2.txt", revised.encode())},
        headers=api.auth("submitter"),
    )
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["current_revision"] == 2 and plan["source_name"] == "cx-v2.txt"
    assert {t["indicator"]: t["value"] for t in plan["targets"]}["industrial_va_growth"] == 7.5
    revisions = api.client.get("/plans/cx/revisions", headers=api.auth("reviewer")).json()
    assert [(r["number"], r["is_current"], r["comment"]) for r in revisions] == [
        (1, False, None),
        (2, True, "工业目标上调"),
    ]
    same = api.client.post("/plans/cx/revisions/text", json={"text": revised}, headers=api.auth("submitter"))
    assert_problem(same, 409, "unchanged_revision")
    assert_problem(
        api.client.post("/plans/nope/revisions/text", json={"text": revised}, headers=api.auth("submitter")),
        404,
    )


def test_corrections_apply_on_top_and_survive_re_extraction(api: Api) -> None:
    plan = post_text_plan(api, id="cx", region="慈溪", period="2023", text=COUNTY_TEXT)
    industrial = next(t for t in plan["targets"] if t["indicator"] == "industrial_va_growth")
    fix = {
        "target_id": industrial["target_id"],
        "value": 7.2,
        "comparator": "gte",
        "comment": "原文表格为7.2%",
    }
    response = api.client.post("/plans/cx/corrections", json=fix, headers=api.auth("reviewer"))
    assert response.status_code == 201, response.text
    correction = response.json()
    assert correction["replaces_indicator"] == "industrial_va_growth" and correction["created_by"] == "张三"
    missed = {
        "indicator": "other:专精特新",
        "value": 30,
        "unit": "家",
        "quote": "高新技术产业投资增长20%",
        "comment": "漏提",
    }
    assert (
        api.client.post("/plans/cx/corrections", json=missed, headers=api.auth("reviewer")).status_code == 201
    )

    def targets() -> dict[str, dict[str, Any]]:
        detail = api.client.get("/plans/cx", headers=api.auth("reviewer")).json()
        assert len(detail["corrections"]) == 2
        assert any(
            t["indicator"] == "industrial_va_growth" and t["value"] == 7.0
            for t in detail["extracted_targets"]
        )
        return {t["indicator"]: t for t in detail["targets"]}

    now = targets()
    assert (now["industrial_va_growth"]["value"], now["industrial_va_growth"]["origin"]) == (7.2, "corrected")
    assert now["other:专精特新"]["origin"] == "added"

    # A revision is re-extracted; the corrections still apply, quotes re-located in the new text.
    revised = "前言。" + COUNTY_TEXT
    api.client.post("/plans/cx/revisions/text", json={"text": revised}, headers=api.auth("submitter"))
    after = targets()
    assert (
        after["industrial_va_growth"]["value"] == 7.2
        and after["industrial_va_growth"]["origin"] == "corrected"
    )
    added = after["other:专精特新"]
    assert revised[added["span_start"] : added["span_end"]] == added["quote"]

    withdrawn = api.client.delete(f"/plans/cx/corrections/{correction['id']}", headers=api.auth("reviewer"))
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_by"] == "张三"
    assert targets()["industrial_va_growth"]["origin"] == "extracted"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (
            {"indicator": "other:x", "value": 1, "quote": "不在原文中", "comment": "c"},
            "quote_not_in_text",
            "quote",
        ),
        ({"indicator": "other:x", "value": 1, "comment": "c"}, "incomplete_target", "quote"),
        (
            {"indicator": "Bad Id", "value": 1, "quote": "增长7%", "comment": "c"},
            "unknown_indicator",
            "indicator",
        ),
        (
            {"indicator": "other:x", "value": 1, "quote": "增长7%", "period": "明年", "comment": "c"},
            "invalid_target",
            "period",
        ),
        ({"target_id": 1, "value": 5, "value_max": 2, "comment": "c"}, "invalid_target", "value_max"),
        ({"target_id": 999, "value": 1, "comment": "c"}, "not_found", "target_id"),
        ({"target_id": 1, "value": 1}, "validation_error", "comment"),
    ],
)
def test_bad_corrections_name_the_field(api: Api, body: dict[str, Any], code: str, field: str) -> None:
    post_text_plan(api, id="cx", region="慈溪", period="2023", text=COUNTY_TEXT)
    response = api.client.post("/plans/cx/corrections", json=body, headers=api.auth("reviewer"))
    assert_problem(response, 404 if code == "not_found" else 422, code, field)
