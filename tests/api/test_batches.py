"""Batch jobs through the API: a province's plans uploaded at once, read, checked against their
parents and compared across counties in the background, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from api.db import BatchItem, utcnow
from tests.api.conftest import Api, MakeApi, assert_problem
from tools.synth import generate, write

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plans"
PROVINCE = sorted(EXAMPLES.glob("zhejiang-*"))  # both 浙江 plans with their .meta.yaml


def zip_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def synth_counties(tmp_path: Path, n: int, seed: int = 11) -> dict[str, bytes]:
    """``n`` synthetic 浙江 county plans with their .meta.yaml, as an upload's members."""
    folder = tmp_path / f"synth-{seed}"
    folder.mkdir()
    write(generate(n, seed), folder)
    return {
        f"县级/{p.name}": p.read_bytes()
        for p in sorted(folder.iterdir())
        if not p.name.endswith(".gold.yaml")
    }


def province_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in PROVINCE}


def wait_done(api: Api, job_id: int, seconds: float = 180) -> dict[str, Any]:
    """Poll the job until it is done or failed (a bound on a hang, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.client.get(f"/batches/{job_id}", headers=api.auth("reviewer")).json()
        if job["stage"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"batch {job_id} did not finish: {job}")


def items_of(api: Api, job_id: int) -> list[dict[str, Any]]:
    page = api.client.get(f"/batches/{job_id}/items?limit=500", headers=api.auth("reviewer")).json()
    items: list[dict[str, Any]] = page["items"]
    return items


def post_batch(api: Api, files: list[tuple[str, bytes]], **form: Any) -> Any:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return api.client.post("/batches", files=parts, data=form, headers=api.auth("submitter"))


def test_a_zip_of_counties_with_their_province_is_read_checked_and_compared(
    make_api: MakeApi, database_url: str, tmp_path: Path
) -> None:
    api = make_api(database_url, engine_workers=0)
    counties = synth_counties(tmp_path, 6)
    extra = {"说明.pdf.lnk": b"x", "__MACOSX/._a.txt": b"x"}
    answer = post_batch(api, [("浙江各县.zip", zip_of({**counties, **province_files(), **extra}))])
    assert answer.status_code == 202, answer.text
    assert answer.json()["total"] == 8
    # what was left out is said, and kept with the job
    assert [s["name"] for s in answer.json()["skipped"]] == ["说明.pdf.lnk"]

    job = wait_done(api, answer.json()["id"])
    assert job["counts"]["checked"] == 6 and job["counts"]["parent"] == 2 and job["counts"]["failed"] == 0
    assert job["skipped"] == answer.json()["skipped"]
    items = items_of(api, job["id"])
    for item in items:
        assert item["meta_source"] == "meta"
        if item["role"] != "county":
            assert item["plan_id"].startswith("zhejiang-")
            continue
        # each county's result is a normal stored check, against the province plans that cover it
        check = api.client.get(f"/checks/{item['check_id']}", headers=api.auth("reviewer")).json()
        parents = {p["plan_id"] for p in check["parents"]}
        assert parents and parents <= {"zhejiang-2023", "zhejiang-2021-2025"}
        assert check["plan_id"] == item["plan_id"] and check["is_latest"]
        if item["meta"]["period"] == "2023":
            assert parents == {"zhejiang-2023", "zhejiang-2021-2025"}
    findings = api.client.get(f"/batches/{job['id']}/findings", headers=api.auth("reviewer"))
    assert findings.status_code == 200


def test_metadata_comes_from_the_mapping_table_the_meta_file_or_the_heading(make_api: MakeApi) -> None:
    api = make_api(engine_workers=0)
    cixi = (EXAMPLES / "cixi-2023-jingxin-gongzuo-silu.txt").read_text(encoding="utf-8")
    body = cixi.split("\n", 1)[1]
    table = "文件,行政区,规划期,编号\n甲.txt,慈溪市,2023,cixi-by-table\n".encode("gb18030")  # Excel's GBK CSV
    files = [
        *province_files().items(),
        ("清单.csv", table),
        ("甲.txt", body.encode("utf-8")),
        ("乙.txt", ("余姚市经济和信息化局2023年工作要点\n" + body).encode("utf-8")),
        ("丙.txt", body.encode("utf-8")),
    ]
    answer = post_batch(api, files)
    assert answer.status_code == 202, answer.text
    job = wait_done(api, answer.json()["id"])
    by_name = {i["file_name"]: i for i in items_of(api, job["id"])}
    assert by_name["甲.txt"]["meta_source"] == "mapping" and by_name["甲.txt"]["plan_id"] == "cixi-by-table"
    assert by_name["甲.txt"]["stage"] == "checked"
    assert by_name["乙.txt"]["meta_source"] == "heading"
    assert by_name["乙.txt"]["meta"]["region"] == "余姚市" and by_name["乙.txt"]["stage"] == "checked"
    failed = by_name["丙.txt"]
    assert failed["stage"] == "failed"
    assert "丙.txt" in failed["error"] and "行政区" in failed["error"] and "region" in failed["error"]


def test_a_plan_with_no_parent_in_the_batch_fails_by_name_unless_the_region_check_is_waived(
    make_api: MakeApi, tmp_path: Path
) -> None:
    api = make_api(engine_workers=0)
    hubei = EXAMPLES / "hubei-2024-jingxin-gongzuo-yaodian.txt"
    files = [*province_files().items(), (hubei.name, hubei.read_bytes())]
    files.append((hubei.with_suffix(".meta.yaml").name, hubei.with_suffix(".meta.yaml").read_bytes()))
    job = wait_done(api, post_batch(api, files).json()["id"])
    hubei_item = next(i for i in items_of(api, job["id"]) if i["file_name"] == hubei.name)
    assert hubei_item["stage"] == "failed" and "上级" in hubei_item["error"]

    # the same documents, checked against the stored 浙江 plans with the region check waived
    again = post_batch(api, files[2:], parent_ids=["zhejiang-2021-2025"], allow=["region"])
    assert again.status_code == 202, again.text
    job = wait_done(api, again.json()["id"])
    item = items_of(api, job["id"])[0]
    assert item["stage"] == "checked", item
    check = api.client.get(f"/checks/{item['check_id']}", headers=api.auth("reviewer")).json()
    assert [p["plan_id"] for p in check["parents"]] == ["zhejiang-2021-2025"]


def test_a_job_left_by_a_stopped_server_is_finished_by_the_next(make_api: MakeApi, tmp_path: Path) -> None:
    first = make_api(engine_workers=0, job_runner=False)  # takes the upload, does no work
    counties = synth_counties(tmp_path, 3)
    job_id = post_batch(first, [("z.zip", zip_of({**counties, **province_files()}))]).json()["id"]
    with first.session() as session:  # one item was being read by a process that then died
        item = session.exec(select(BatchItem).where(BatchItem.job_id == job_id)).first()
        assert item is not None
        item.claimed_by, item.claimed_at, item.attempts = "gone:1:dead", utcnow() - timedelta(minutes=5), 1
        session.add(item)
        session.commit()
        position = item.position
    assert first.client.get(f"/batches/{job_id}", headers=first.auth("reviewer")).json()["stage"] == "reading"

    second = make_api(engine_workers=0, job_lease_seconds=30)  # same SQLite file, a runner this time
    job = wait_done(second, job_id)
    assert job["counts"]["checked"] == 3 and job["counts"]["failed"] == 0
    retried = next(i for i in items_of(second, job_id) if i["position"] == position)
    assert retried["stage"] == "checked" and retried["attempts"] == 1  # read once more, then checked


def test_bad_uploads_are_refused_whole_naming_the_file(make_api: MakeApi) -> None:
    api = make_api(engine_workers=0, job_runner=False)
    body = assert_problem(post_batch(api, [("坏.zip", b"PK\x03\x04 not a zip")]), 422, "bad_bundle", "files")
    assert "坏.zip" in body["message_zh"] + body["detail"] or body.get("file") == "坏.zip"
    assert_problem(post_batch(api, [("说明.docx.txt.exe", b"MZ")]), 422, "empty_batch", "files")
    bomb = zip_of({"a.txt": b"\x00" * (4 * 1024 * 1024)})
    body = assert_problem(post_batch(api, [("bomb.zip", bomb)]), 422, "bad_bundle")
    assert "压缩" in body["message_zh"]
    dup = "文件,行政区,规划期\na.txt,慈溪市,2023\na.txt,余姚市,2023\n".encode()
    body = assert_problem(post_batch(api, [("清单.csv", dup), ("a.txt", "正文".encode())]), 422, "bad_bundle")
    assert body["line"] == 3
    assert_problem(post_batch(api, [("a.txt", b"x")], parent_ids=["no-such-plan"]), 404, field="parent_ids")
    assert_problem(post_batch(api, [("a.txt", b"x")], allow=["everything"]), 422, "unknown_override")
    refused = api.client.post("/batches", files=[("files", ("a.txt", b"x"))])
    assert refused.status_code == 401
    with api.session() as session:
        assert session.exec(select(BatchItem)).first() is None  # nothing half-written


@pytest.mark.parametrize("limit", [1024])
def test_a_batch_over_its_size_limit_is_refused_before_it_is_read(make_api: MakeApi, limit: int) -> None:
    api = make_api(engine_workers=0, job_runner=False, max_batch_bytes=limit)
    assert_problem(post_batch(api, [("big.txt", b"x" * (limit * 4))]), 413, "too_large")


PROVINCE_TEXT = (
    "浙江省2023年经济和信息化工作要点\n2023年主要目标:全省新增规上工业企业100家,规上工业增加值增长6%。\n"
)


def county_text(region: str, firms: int) -> str:
    head = f"{region}2023年经济和信息化工作要点\n"
    return head + f"2023年主要目标:新增规上工业企业{firms}家,规上工业增加值增长6.5%。\n"


def decomposition_batch(api: Api, firms: dict[str, int], prefix: str) -> dict[str, Any]:
    """A constructed province and its counties, described by a mapping table (ids made unique)."""
    rows = [f"{prefix}-zj.txt,浙江省,2023,{prefix}-zj"]
    files = [(f"{prefix}-zj.txt", PROVINCE_TEXT.encode())]
    for i, (region, n) in enumerate(firms.items()):
        rows.append(f"{prefix}-{i}.txt,{region},2023,{prefix}-{i}")
        files.append((f"{prefix}-{i}.txt", county_text(region, n).encode()))
    table = ("文件,行政区,规划期,编号\n" + "\n".join(rows) + "\n").encode()
    answer = post_batch(api, [("清单.csv", table), *files])
    assert answer.status_code == 202, answer.text
    job = wait_done(api, answer.json()["id"])
    assert job["counts"]["checked"] == len(firms) and job["error"] is None, job
    return job


def test_counties_whose_targets_sum_short_of_the_province_total_are_a_finding_of_the_job(
    make_api: MakeApi,
) -> None:
    api = make_api(engine_workers=0)
    short = decomposition_batch(api, {"慈溪市": 20, "余姚市": 30, "海曙区": 10}, "short")
    findings = api.client.get(f"/batches/{short['id']}/findings", headers=api.auth("reviewer")).json()
    shortfall = [f for f in findings if f["rule_id"] == "decomposition_shortfall"]
    assert len(shortfall) == 1, findings
    finding = shortfall[0]
    assert finding["indicator"] == "new_above_scale_enterprises"
    assert "合计60" in finding["message"] and finding["status"] == "open"
    quoted = {f["region"]: f["quote"] for f in finding["facts"]}
    assert quoted["浙江省"] == "新增规上工业企业100家" and quoted["余姚市"] == "新增规上工业企业30家"
    report = api.client.get(f"/batches/{short['id']}/report.docx", headers=api.auth("reviewer"))
    assert report.status_code == 200 and report.content[:2] == b"PK"
    from docx import Document

    text = "\n".join(
        c.text for t in Document(io.BytesIO(report.content)).tables for r in t.rows for c in r.cells
    )
    assert "新增规上工业企业100家" in text and "新增规上工业企业30家" in text

    enough = decomposition_batch(api, {"慈溪市": 40, "余姚市": 30, "海曙区": 30}, "enough")
    findings = api.client.get(f"/batches/{enough['id']}/findings", headers=api.auth("reviewer")).json()
    assert not [f for f in findings if f["rule_id"].startswith("decomposition")], findings


def test_with_the_region_check_waived_a_county_of_another_province_takes_the_batchs_province_plans(
    make_api: MakeApi,
) -> None:
    api = make_api(engine_workers=0)
    body = county_text("江岸区", 5)
    table = "文件,行政区,规划期,编号\n江岸.txt,武汉市江岸区,2023,jiangan-2023\n".encode()
    files = [*province_files().items(), ("清单.csv", table), ("江岸.txt", body.encode())]
    refused = wait_done(api, post_batch(api, files).json()["id"])
    assert refused["counts"]["failed"] == 3 and refused["counts"]["checked"] == 0  # nobody above anybody

    waived = wait_done(api, post_batch(api, files, allow=["region"]).json()["id"])
    item = next(i for i in items_of(api, waived["id"]) if i["file_name"] == "江岸.txt")
    assert item["stage"] == "checked", item
    check = api.client.get(f"/checks/{item['check_id']}", headers=api.auth("reviewer")).json()
    assert {p["plan_id"] for p in check["parents"]} == {"zhejiang-2023", "zhejiang-2021-2025"}


def test_the_report_follows_a_review_made_after_the_job(make_api: MakeApi, tmp_path: Path) -> None:
    api = make_api(engine_workers=0)
    job = wait_done(
        api,
        post_batch(api, [("z.zip", zip_of({**synth_counties(tmp_path, 3), **province_files()}))]).json()[
            "id"
        ],
    )
    before = api.client.get(f"/batches/{job['id']}/report.md", headers=api.auth("reviewer")).text
    item = next(i for i in items_of(api, job["id"]) if i["role"] == "county")
    finding = api.client.get(
        f"/checks/{item['check_id']}/findings?severity=warning", headers=api.auth("reviewer")
    ).json()["items"][0]
    reviewed = api.client.patch(
        f"/findings/{finding['id']}",
        json={"status": "dismissed", "comment": "县级已另文明确"},
        headers={**api.auth("reviewer"), "If-Match": f'"{finding["version"]}"'},
    )
    assert reviewed.status_code == 200, reviewed.text
    after = api.client.get(f"/batches/{job['id']}/report.md", headers=api.auth("reviewer")).text
    assert before.count("已驳回") + 1 <= after.count("已驳回")


def test_a_finding_across_counties_is_reviewed_like_a_checks_finding(make_api: MakeApi) -> None:
    api = make_api(engine_workers=0)
    job = decomposition_batch(api, {"慈溪市": 20, "余姚市": 30, "海曙区": 10}, "review")
    finding = next(
        f
        for f in api.client.get(f"/batches/{job['id']}/findings", headers=api.auth("reviewer")).json()
        if f["rule_id"] == "decomposition_shortfall"
    )
    url = f"/batches/{job['id']}/findings/{finding['id']}"
    assert_problem(
        api.client.patch(url, json={"status": "dismissed", "version": 1}, headers=api.auth("reviewer")),
        422,
        "reason_required",
        "comment",
    )
    assert_problem(api.client.patch(url, json={"status": "confirmed"}, headers=api.auth("reviewer")), 428)
    done = api.client.patch(
        url,
        json={"status": "confirmed", "comment": "已要求各县补足"},
        headers={**api.auth("reviewer"), "If-Match": '"1"'},
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["version"], done.json()["reviewed_by"]) == (
        "confirmed",
        2,
        "张三",
    )
    assert done.headers["etag"] == '"2"'
    stale = api.client.patch(
        url, json={"status": "dismissed", "comment": "x", "version": 1}, headers=api.auth("admin")
    )
    assert_problem(stale, 409, "version_conflict", "version")
    elsewhere = f"/batches/{job['id'] + 1}/findings/{finding['id']}"
    assert_problem(
        api.client.patch(elsewhere, json={"status": "confirmed", "version": 2}, headers=api.auth("reviewer")),
        404,
    )
    report = api.client.get(f"/batches/{job['id']}/report.md", headers=api.auth("reviewer")).text
    cross = report.split("## 二、跨县发现", 1)[1].split("## 三、", 1)[0]
    assert "已确认" in cross and "张三" in cross, cross
    audit = api.client.get("/audit?limit=200", headers=api.auth("admin")).json()["items"]
    assert any(e["subject"] == "batch_finding" and e["to_status"] == "confirmed" for e in audit)


def test_a_running_job_is_cancelled_by_its_submitter_and_no_runner_takes_it_up_again(
    make_api: MakeApi, tmp_path: Path
) -> None:
    first = make_api(engine_workers=0, job_runner=False)
    payload = zip_of({**synth_counties(tmp_path, 3), **province_files()})
    job_id = post_batch(first, [("z.zip", payload)]).json()["id"]
    refused = first.client.post(f"/batches/{job_id}/cancel", headers=first.auth("reviewer"))  # not theirs
    assert_problem(refused, 403, "forbidden")
    cancelled = first.client.post(f"/batches/{job_id}/cancel", headers=first.auth("submitter"))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["stage"] == "cancelled" and cancelled.json()["counts"]["cancelled"] == 5
    assert_problem(
        first.client.post(f"/batches/{job_id}/cancel", headers=first.auth("admin")), 409, "batch_finished"
    )

    second = make_api(engine_workers=0)  # a runner on the same database, and a job after it
    other = wait_done(second, post_batch(second, [("z.zip", payload)]).json()["id"])
    assert other["counts"]["checked"] == 3
    job = second.client.get(f"/batches/{job_id}", headers=second.auth("reviewer")).json()
    assert job["stage"] == "cancelled" and job["counts"]["cancelled"] == 5 and job["counts"]["checked"] == 0


def test_one_plan_id_for_two_documents_is_refused_and_an_id_of_another_region_fails_its_file(
    make_api: MakeApi,
) -> None:
    api = make_api(engine_workers=0)
    table = "文件,行政区,规划期,编号\na.txt,慈溪市,2023,same\nb.txt,余姚市,2023,same\n".encode()
    body = assert_problem(
        post_batch(api, [("清单.csv", table), ("a.txt", b"x"), ("b.txt", b"y")]), 422, "duplicate_plan_id"
    )
    assert "a.txt" in body["message_zh"] and "b.txt" in body["message_zh"]

    files = [*province_files().items()]
    job = wait_done(api, post_batch(api, files).json()["id"])  # stores zhejiang-2023 and -2021-2025
    assert job["counts"]["failed"] == 2  # neither is above the other: nothing to check
    table = "文件,行政区,规划期,编号\n慈溪.txt,慈溪市,2023,zhejiang-2023\n".encode()
    county = ("慈溪.txt", county_text("慈溪市", 5).encode())
    again = wait_done(
        api, post_batch(api, [("清单.csv", table), county], parent_ids=["zhejiang-2021-2025"]).json()["id"]
    )
    item = next(i for i in items_of(api, again["id"]) if i["file_name"] == "慈溪.txt")
    assert item["stage"] == "failed" and "zhejiang-2023" in item["error"] and "浙江省" in item["error"]
    plan = api.client.get("/plans/zhejiang-2023", headers=api.auth("reviewer")).json()
    assert plan["current_revision"] == 1  # the province's plan was not overwritten


def test_with_the_period_check_waived_a_later_county_takes_the_provinces_earlier_plan(
    make_api: MakeApi,
) -> None:
    api = make_api(engine_workers=0)
    table = "文件,行政区,规划期,编号\n慈溪.txt,慈溪市,2026,cixi-2026\n".encode()
    province = EXAMPLES / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"
    files = [
        (province.name, province.read_bytes()),
        (province.with_suffix(".meta.yaml").name, province.with_suffix(".meta.yaml").read_bytes()),
        ("清单.csv", table),
        ("慈溪.txt", county_text("慈溪市", 5).replace("2023", "2026").encode()),
    ]
    refused = wait_done(api, post_batch(api, files).json()["id"])
    assert refused["counts"]["checked"] == 0
    waived = wait_done(api, post_batch(api, files, allow=["period"]).json()["id"])
    assert waived["counts"]["checked"] == 1 and waived["counts"]["parent"] == 1, waived


def test_metadata_that_does_not_describe_a_plan_fails_its_file_naming_the_field(make_api: MakeApi) -> None:
    api = make_api(engine_workers=0)
    table = "文件,行政区,规划期,编号\n慈溪.txt,慈溪市,2023,Bad Id!\n".encode()
    job = wait_done(
        api,
        post_batch(api, [("清单.csv", table), ("慈溪.txt", county_text("慈溪市", 5).encode())]).json()["id"],
    )
    item = items_of(api, job["id"])[0]
    assert item["stage"] == "failed"
    assert (
        "慈溪.txt" in item["error"]
        and "id" in item["error"]
        and "清单" in item["error"]
        and " / " in item["error"]
    )
