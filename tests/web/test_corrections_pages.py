"""Corrections and the learning catalog through the pages (TestClient), and the new user's list
of things to fix in the pages and the service (issue 15).

Each form posts to the same service the API calls, so these pin what a reviewer sees: the
words of a refusal next to its field, nothing half-written, and every change in the audit.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from api.auth import Role
from api.db import AuditEntry, FindingRow, TargetCorrection
from api.main import create_app
from api.settings import Settings, sqlite_url
from api.web.present import scenario_blocks, scenario_sentence
from rulesengine.labels import SEVERITY_ZH, indicator_name, local_time, time_zone
from rulesengine.rulebook import default_rulebook
from tests.web.conftest import Browsing, WebApp, sign_in

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


def _plans(b: Browsing) -> None:
    b.upload("zj.txt", PROVINCE, region="330000", period="2024", id="zj-2024", title="浙江2024")
    b.upload("cx.txt", COUNTY, region="330282", period="2024", id="cx-2024", title="慈溪2024")


def _target_id(page: str, quote: str) -> int:
    row = re.search(
        rf'<tr data-indicator="[^"]+" data-origin="\w+" data-quote="{re.escape(quote)}"'
        r'.*?name="target_id" value="(\d+)"',
        page,
        re.S,
    )
    assert row is not None, page
    return int(row.group(1))


def _post(b: Browsing, url: str, **data: str) -> object:
    return b.client.post(url, data={"csrf": b.csrf, **data}, follow_redirects=False)


def _corrections(web: WebApp) -> list[TargetCorrection]:
    with web.session() as session:
        return list(session.exec(select(TargetCorrection)).all())


def test_the_plan_page_rejects_adds_and_withdraws_targets_through_the_service(browsing: Browsing) -> None:
    _plans(browsing)
    page = browsing.client.get("/web/plans/cx-2024").text
    assert 'id="add-from-selection"' in page and "corrections.js" in page
    past = _target_id(page, PAST)

    no_reason = _post(browsing, "/web/plans/cx-2024/corrections", action="reject", target_id=str(past))
    assert no_reason.status_code == 422 and "请写明理由" in no_reason.text
    assert _corrections(browsing.web) == []

    rejected = _post(
        browsing,
        "/web/plans/cx-2024/corrections",
        action="reject",
        target_id=str(past),
        comment="上半年完成情况",
    )
    assert rejected.status_code == 303 and rejected.headers["location"].endswith("?saved=reject#targets")
    page = browsing.client.get(rejected.headers["location"]).text
    assert "已标记为“不是目标”" in page
    assert f'<mark title="规上工业增加值增长" class="rejected">{PAST}</mark>' in page

    # The selection's proposal fills the add form; the reviewer saves what was proposed.
    proposed = browsing.client.get(
        "/web/plans/cx-2024", params={"quote": MISSED, "start": COUNTY.index(MISSED)}
    ).text
    assert "已按选中的文字预填" in proposed
    assert 'name="indicator" value="技术改造投资增长"' in proposed and 'name="value" value="10"' in proposed
    assert 'name="wording" value="技改投入"' in proposed
    assert f'name="span_start" value="{COUNTY.index(MISSED)}"' in proposed
    added = _post(
        browsing,
        "/web/plans/cx-2024/corrections",
        action="add",
        indicator="技术改造投资增长",
        value="10",
        unit="%",
        comparator="gte",
        kind="baseline",
        basis="annual",
        period="2024",
        quote=MISSED,
        span_start=str(COUNTY.index(MISSED)),
        wording="技改投入",
        comment="漏提",
    )
    assert added.status_code == 303
    stored = {c.action: c for c in _corrections(browsing.web)}
    assert (
        stored["add"].indicator == "tech_renovation_investment_growth" and stored["add"].created_by == "张三"
    )
    assert stored["reject"].replaces_quote == PAST and stored["reject"].comment == "上半年完成情况"
    page = browsing.client.get("/web/plans/cx-2024").text
    assert f'<mark title="技术改造投资增长" class="added">{MISSED}</mark>' in page

    withdrawn = _post(
        browsing, f"/web/plans/cx-2024/corrections/{stored['reject'].id}/withdraw", comment="看错了"
    )
    assert withdrawn.status_code == 303
    page = browsing.client.get("/web/plans/cx-2024").text
    assert f'<mark title="规上工业增加值增长" class="extracted">{PAST}</mark>' in page
    with browsing.web.session() as session:
        actions = [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.plan_id == "cx-2024"))]
    assert actions.count("correction_added") == 2 and "correction_withdrawn" in actions
    assert "suggestion_created" in actions


def test_a_refused_add_comes_back_in_its_form_naming_the_field_and_stores_nothing(browsing: Browsing) -> None:
    _plans(browsing)
    bad_value = _post(
        browsing, "/web/plans/cx-2024/corrections", action="add", indicator="技术改造投资增长",
        value="两位数",
        quote=MISSED, comment="漏提",
    )  # fmt: skip
    assert bad_value.status_code == 422 and "目标值应为数字" in bad_value.text
    assert 'value="两位数"' in bad_value.text  # what was typed stays
    not_in_text = _post(
        browsing, "/web/plans/cx-2024/corrections", action="add", indicator="技术改造投资增长", value="10",
        quote="不在原文中的话", comment="漏提",
    )  # fmt: skip
    assert not_in_text.status_code == 422 and "引文在规划当前版本中找不到" in not_in_text.text
    ambiguous = _post(
        browsing, "/web/plans/cx-2024/corrections", action="add", indicator="工业增加值", value="7",
        quote="规上工业增加值增长7%", comment="c",
    )  # fmt: skip
    assert ambiguous.status_code == 422 and "可指多个指标" in ambiguous.text
    assert _corrections(browsing.web) == []
    with browsing.web.session() as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "correction_added")).first() is None


def test_a_submitter_has_no_correction_tools_and_is_refused(web_app: WebApp) -> None:
    with TestClient(web_app.app) as client:
        csrf = sign_in(client, web_app.tokens[Role.submitter])
        b = Browsing(client, csrf, web_app)
        _plans(b)
        page = client.get("/web/plans/cx-2024").text
        assert "补充遗漏的目标" not in page and "不是目标</summary>" not in page
        refused = client.post(
            "/web/plans/cx-2024/corrections",
            data={
                "csrf": csrf,
                "action": "add",
                "indicator": "x",
                "value": "1",
                "quote": MISSED,
                "comment": "c",
            },
        )
        assert refused.status_code == 403 and "权限不足" in refused.text
    assert _corrections(web_app) == []


def test_a_revision_through_the_page_keeps_corrections_whose_quote_occurs_and_lists_the_lost(
    browsing: Browsing,
) -> None:
    _plans(browsing)
    page = browsing.client.get("/web/plans/cx-2024").text
    _post(
        browsing,
        "/web/plans/cx-2024/corrections",
        action="reject",
        target_id=str(_target_id(page, PAST)),
        comment="往年",
    )
    _post(browsing, "/web/plans/cx-2024/corrections", action="add", indicator="技术改造投资增长", value="10",
          unit="%", comparator="gte", quote=MISSED, comment="漏提")  # fmt: skip
    revised = COUNTY.replace(MISSED, "技改投入增长15%")
    response = browsing.client.post(
        "/web/plans/cx-2024/revisions",
        data={"csrf": browsing.csrf, "comment": "改写技改目标"},
        files={"file": ("cx-v2.txt", revised.encode(), "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("?saved=revision")
    page = browsing.client.get("/web/plans/cx-2024").text
    assert 'id="lost-corrections"' in page and f"人工补充「{MISSED}」" in page
    assert 'data-state="lost"' in page and 'data-state="applied"' in page
    assert "第 2 版" in page


def test_the_catalog_page_lists_suggestions_and_only_an_admin_accepts_them(web_app: WebApp) -> None:
    with TestClient(web_app.app) as client:
        b = Browsing(client, sign_in(client, web_app.tokens[Role.reviewer]), web_app)
        _plans(b)
        _post(b, "/web/plans/cx-2024/corrections", action="add", indicator="技术改造投资增长", value="10",
              unit="%", comparator="gte", quote=MISSED, wording="技改投入", comment="漏提")  # fmt: skip
        page = client.get("/web/catalog").text
        assert 'data-wording="技改投入"' in page and "作为“技术改造投资增长”的同义写法" in page
        assert f"「{MISSED}」" in page and "采纳或不采纳由管理员处理" in page
        suggestion = int(re.search(r'data-suggestion="(\d+)"', page).group(1))  # type: ignore[union-attr]
        refused = _post(b, f"/web/catalog/suggestions/{suggestion}/accept")
        assert refused.status_code == 403

    with TestClient(web_app.app) as client:
        admin = Browsing(client, sign_in(client, web_app.tokens[Role.admin]), web_app)
        no_reason = _post(admin, f"/web/catalog/suggestions/{suggestion}/decline")
        assert no_reason.status_code == 422 and "不采纳需要写明理由" in no_reason.text
        accepted = _post(admin, f"/web/catalog/suggestions/{suggestion}/accept", comment="通用写法")
        assert accepted.status_code == 303
        page = client.get("/web/catalog").text
        assert 'data-version="1"' in page and "同义词:“技改投入” → 技术改造投资增长" in page
        patch = client.get("/web/catalog/overlay.yaml")
        assert patch.status_code == 200 and "技改投入" in patch.text and "base_version" in patch.text
        admin.upload("nh.txt", "2024年,全县技改投入增长15%。", region="330226", period="2024", id="nh-2024")
        page = client.get("/web/plans/nh-2024").text
        assert '<mark title="技术改造投资增长" class="extracted">技改投入增长15%</mark>' in page
        assert "+overlay.1" in page


def test_a_check_says_which_corrections_it_read_and_what_changed_since_the_last(browsing: Browsing) -> None:
    _plans(browsing)
    first = _post(browsing, "/web/plans/cx-2024/checks")
    page = browsing.client.get("/web/plans/cx-2024").text
    _post(
        browsing,
        "/web/plans/cx-2024/corrections",
        action="reject",
        target_id=str(_target_id(page, PAST)),
        comment="往年",
    )
    second = _post(browsing, "/web/plans/cx-2024/checks")
    check = browsing.client.get(second.headers["location"]).text  # type: ignore[attr-defined]
    assert "按 " in check and "1 条人工更正</a>后的目标检查" in check
    previous = re.search(r"/web/checks/(\d+)$", first.headers["location"]).group(1)  # type: ignore[attr-defined,union-attr]
    assert f'与上次检查 <a href="/web/checks/{previous}">#{previous}</a> 相比' in check
    assert re.search(r'data-changes="resolved">1<', check)
    assert "不再出现:规上工业增加值增长" in check


def test_times_are_in_beijing_time_labelled_or_the_configured_zone(
    browsing: Browsing, tmp_path: Path
) -> None:
    _plans(browsing)
    page = browsing.client.get("/web/plans").text
    assert "(北京时间)" in page
    at = datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    assert local_time(at) == "2026-12-06 20:30(北京时间)"
    assert local_time(at, time_zone("Asia/Tokyo")) == "2026-12-06 21:30(Asia/Tokyo,UTC+09:00)"
    with pytest.raises(ValueError, match="Mars/Olympus"):
        Settings(database_url=sqlite_url(tmp_path / "x.db"), timezone="Mars/Olympus")
    tokyo = create_app(Settings(database_url=sqlite_url(tmp_path / "tokyo.db"), timezone="Asia/Tokyo"))
    assert Settings.from_env({"PLANALIGN_TIMEZONE": "Asia/Tokyo"}).timezone == "Asia/Tokyo"
    assert tokyo.state.settings.zone is not None


def test_a_dismissed_finding_is_grey_in_coverage_and_the_workbook_names_only_real_reviewers(
    browsing: Browsing,
) -> None:
    _plans(browsing)
    check = _post(browsing, "/web/plans/cx-2024/checks").headers["location"]  # type: ignore[attr-defined]
    page = browsing.client.get(check).text
    fid = int(
        re.search(
            r'data-finding="(\d+)" data-indicator="tech_renovation_investment_growth"'
            r' data-rule="headline_gap"',
            page,
        ).group(1)
    )  # type: ignore[union-attr]
    before = browsing.client.get(f"{check}/coverage").text
    assert re.search(
        r'tr data-indicator="tech_renovation_investment_growth".*?data-state="missing"', before, re.S
    )
    assert ">tech_renovation_investment_growth<" not in before  # no English ids under the names
    _post(browsing, f"/web/findings/{fid}/review", status="dismissed", comment="另有专项规划", version="1")
    after = browsing.client.get(f"{check}/coverage").text
    row = re.search(r'tr data-indicator="tech_renovation_investment_growth".*?</tr>', after, re.S).group(0)  # type: ignore[union-attr]
    assert 'data-state="dismissed"' in row and "已驳回" in row and "state-missing" not in row

    book = openpyxl.load_workbook(io.BytesIO(browsing.client.get(f"{check}/export.xlsx").content))
    sheet = book["问题清单"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)]
    assert "更新时间" not in header and "审核时间" in header
    for r in rows:
        if r["审核状态"] == "已驳回":
            assert r["审核人"] == "张三" and str(r["审核时间"]).endswith("(北京时间)")
        else:
            assert r["审核人"] in (None, "") and r["审核时间"] in (None, "")  # not whoever ran the check


def test_a_carried_dismissal_says_the_county_value_has_changed_since(browsing: Browsing) -> None:
    province = "2024年全省制造业投资增长12%。"
    county = "2024年,全市制造业投资增长10%。"
    browsing.upload("js.txt", province, region="320000", period="2024", id="js-2024")
    browsing.upload("ks.txt", county, region="320583", period="2024", id="ks-2024")
    check = _post(browsing, "/web/plans/ks-2024/checks").headers["location"]  # type: ignore[attr-defined]
    page = browsing.client.get(check).text
    fid = re.search(
        r'data-finding="(\d+)" data-indicator="manufacturing_investment_growth"'
        r' data-rule="weaker_than_parent"',
        page,
    ).group(1)  # type: ignore[union-attr]
    _post(browsing, f"/web/findings/{fid}/review", status="dismissed", comment="以力争目标为准", version="1")
    browsing.client.post(
        "/web/plans/ks-2024/revisions",
        data={"csrf": browsing.csrf},
        files={"file": ("ks2.txt", county.replace("10%", "11%").encode(), "text/plain")},
    )
    second = _post(browsing, "/web/plans/ks-2024/checks").headers["location"]  # type: ignore[attr-defined]
    page = browsing.client.get(second).text
    carried = re.search(
        r'data-finding="(\d+)" data-indicator="manufacturing_investment_growth"'
        r' data-rule="weaker_than_parent"',
        page,
    ).group(1)  # type: ignore[union-attr]
    finding = browsing.client.get(f"/web/findings/{carried}").text
    assert 'id="values-moved"' in finding and "10%" in finding and "→ 11%" in finding
    assert "审核人 张三" in finding
    with browsing.web.session() as session:
        row = session.get(FindingRow, int(carried))
        assert row is not None and row.status == "dismissed" and row.reviewed_by == "张三"
        assert (
            row.updated_by == "张三"
        )  # the check runner here is the reviewer too; the column says who decided
        note = session.exec(select(AuditEntry).where(AuditEntry.action == "carried_over")).one().comment
    assert note is not None and "10%" in note and "11%" in note


def test_the_region_list_names_the_whole_of_municipalities_and_sars(browsing: Browsing) -> None:
    page = browsing.client.get("/web/regions", params={"q": ""}).text
    assert "北京市(全市)" in page and "上海市(全市)" in page
    assert "香港特别行政区(全区)" in page and "浙江省(全省)" in page
    assert "北京市(全省)" not in page


def test_the_finding_page_reads_the_scenario_as_a_sentence_with_the_gherkin_one_click_away(
    browsing: Browsing,
) -> None:
    browsing.upload("js.txt", "2024年全省制造业投资增长12%。", region="320000", period="2024", id="js-2024")
    browsing.upload("ks.txt", "2024年,全市制造业投资增长10%。", region="320583", period="2024", id="ks-2024")
    check = _post(browsing, "/web/plans/ks-2024/checks").headers["location"]  # type: ignore[attr-defined]
    fid = re.search(
        r'data-finding="(\d+)" data-indicator="manufacturing_investment_growth"',
        browsing.client.get(check).text,
    ).group(1)  # type: ignore[union-attr]
    page = browsing.client.get(f"/web/findings/{fid}").text
    sentence = re.search(r'<p class="sentence" id="scenario-sentence">(.*?)</p>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "应报告规则“县级目标低于上级同期同口径目标”" in sentence and "严重性为警告" in sentence
    assert "的目标：" in sentence and "(基准、2023)" in sentence  # the spec's table, as targets
    assert not re.search(r"[a-z]+_[a-z_]+", sentence) and "| 指标" not in sentence
    assert '<details id="scenario-raw"><summary>查看规格原文</summary>' in page
    assert "| 指标" in page  # the raw text is still there, folded
    assert "<h1>制造业投资增长</h1>" in page


def test_every_scenario_of_the_pack_reads_without_ids_or_table_bars() -> None:
    book = default_rulebook()
    titles = {r.id: r.title for r in book.rules}
    assert book.specs_source
    for path in sorted(Path(book.specs_source).glob("*.feature")):
        for scenario in scenario_blocks(path.name, path.read_text(encoding="utf-8")):
            sentence = scenario_sentence(
                scenario, rule_titles=titles, name=indicator_name, severity=SEVERITY_ZH
            )
            assert sentence.endswith("。") and "|" not in sentence, (path.name, scenario.name, sentence)
            assert not re.search(r"规则 [a-z_]+", sentence), (path.name, scenario.name, sentence)


def test_docs_are_served_from_vendored_files_without_a_cdn(web_app: WebApp) -> None:
    with TestClient(web_app.app) as client:
        docs = client.get("/docs")
        assert docs.status_code == 200
        assert "cdn.jsdelivr.net" not in docs.text and "unpkg" not in docs.text
        assert "/web/static/swagger-ui/swagger-ui-bundle.js" in docs.text
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            response = client.get(f"/web/static/swagger-ui/{asset}")
            assert response.status_code == 200 and len(response.content) > 100_000
        assert client.get("/redoc").status_code == 404  # it would load from a CDN: not offered
