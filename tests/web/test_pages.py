"""The reviewer pages without a browser (TestClient): sign-in, forms, escaping, exports, roles.

These run in a second or two and pin what the browser tests would only show slowly: every
route refuses without a session, every form refuses without its CSRF token, upload errors are
plain Chinese in the form and leave nothing stored, a plan's markup stays text in pages and
exports, and a review through a page leaves the same audit entry as one through the API.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.auth import Role
from api.web.present import excerpt, pick_scenarios, scenario_blocks, segments
from api.web.session import COOKIE_NAME
from api.web.views import TEMPLATES_DIR
from rulesengine.report.cells import display_width, md
from rulesengine.ruledata import rules_data
from tests.web.conftest import Browsing, WebApp, sign_in

PROVINCE = "2024年全省规上工业增加值增长6%,制造业投资增长12%。"
COUNTY = "2024年,全市规上工业增加值增长7%,制造业投资增长10%。"
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _pair(b: Browsing, county_text: str = COUNTY, county_title: str = "昆山2024") -> int:
    """江苏 2024 and 昆山 2024 uploaded through the form, checked; returns the check id."""
    b.upload("js.txt", PROVINCE, region="320000", period="2024", id="js-2024", title="江苏2024")
    b.upload("ks.txt", county_text, region="320583", period="2024", id="ks-2024", title=county_title)
    response = b.client.post("/web/plans/ks-2024/checks", data={"csrf": b.csrf}, follow_redirects=False)
    assert response.status_code == 303, response.text
    found = re.search(r"/web/checks/(\d+)$", response.headers["location"])
    assert found is not None
    return int(found.group(1))


def _finding_id(b: Browsing, check_id: int, indicator: str, rule: str = "weaker_than_parent") -> int:
    page = b.client.get(f"/web/checks/{check_id}").text
    found = re.search(rf'data-finding="(\d+)" data-indicator="{indicator}" data-rule="{rule}"', page)
    assert found is not None, page
    return int(found.group(1))


def _plan_count(web: WebApp) -> int:
    from sqlmodel import func, select

    from api.db import PlanRow

    with web.session() as session:
        return int(session.exec(select(func.count()).select_from(PlanRow)).one())


# -- sign-in -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/web/plans", "/web/plans/x", "/web/checks/1", "/web/checks/1/coverage", "/web/findings/1",
     "/web/checks/1/export.xlsx", "/web/regions?q=慈溪"],
)  # fmt: skip
def test_pages_without_a_session_redirect_to_sign_in(web_app: WebApp, path: str) -> None:
    with TestClient(web_app.app) as client:
        response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/web/login?next=%2Fweb%2F")
    assert COOKIE_NAME not in response.headers.get("set-cookie", "")


def test_htmx_requests_without_a_session_are_told_where_to_go(web_app: WebApp) -> None:
    with TestClient(web_app.app) as client:
        response = client.get("/web/regions?q=慈", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/web/login?next=")


def test_a_post_without_a_session_returns_to_the_form_page(web_app: WebApp) -> None:
    with TestClient(web_app.app) as client:
        response = client.post(
            "/web/findings/3/review",
            data={"status": "confirmed"},
            headers={"Referer": "http://testserver/web/findings/3"},
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert response.headers["location"] == "/web/login?next=%2Fweb%2Ffindings%2F3"


def test_root_leads_to_the_pages(web_app: WebApp) -> None:
    with TestClient(web_app.app) as client:
        assert client.get("/", follow_redirects=False).headers["location"] == "/web/plans"


def test_sign_in_refuses_bad_tokens_and_foreign_next(web_app: WebApp) -> None:
    with TestClient(web_app.app) as client:
        bad = client.post("/web/login", data={"token": "pa_nope"}, follow_redirects=False)
        assert bad.status_code == 401 and "令牌无效或已吊销" in bad.text
        assert COOKIE_NAME not in bad.headers.get("set-cookie", "")
        good = client.post(
            "/web/login",
            data={"token": web_app.tokens[Role.reviewer], "next": "https://evil.example/"},
            follow_redirects=False,
        )
        assert good.headers["location"] == "/web/plans"
        cookie = good.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert web_app.tokens[Role.reviewer] not in cookie  # the cookie is not the token


def test_a_forged_cookie_or_a_revoked_token_ends_the_session(browsing: Browsing) -> None:
    client, web = browsing.client, browsing.web
    good = client.cookies[COOKIE_NAME]
    payload, _mac = good.split(".")
    client.cookies.set(COOKIE_NAME, f"{payload}.AAAA")
    assert client.get("/web/plans", follow_redirects=False).status_code == 303
    client.cookies.set(COOKIE_NAME, good)
    assert client.get("/web/plans", follow_redirects=False).status_code == 200
    admin = {"Authorization": f"Bearer {web.tokens[Role.admin]}"}
    me = client.get("/me", headers={"Authorization": f"Bearer {web.tokens[Role.reviewer]}"}).json()
    assert client.delete(f"/tokens/{me['token_id']}", headers=admin).status_code == 200
    assert client.get("/web/plans", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_form_token(browsing: Browsing) -> None:
    refused = browsing.client.post("/web/logout", data={"csrf": "x"}, follow_redirects=False)
    assert refused.status_code == 403 and "表单已过期" in refused.text
    done = browsing.client.post("/web/logout", data={"csrf": browsing.csrf}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/web/login"


# -- uploads -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields", "status", "field", "words"),
    [
        (b"", {"region": "330282", "period": "2023"}, 422, "file", "文件是空的"),
        ("工业增长6%。", {"region": "火星市", "period": "2023"}, 422, "region", "未找到行政区“火星市”"),
        ("工业增长6%。", {"region": "", "period": "2023"}, 422, "region", "请从列表中选择规划所属地区"),
        ("工业增长6%。", {"region": "朝阳", "period": "2023"}, 422, "region", "有4个匹配"),
        ("工业增长6%。", {"region": "330282", "period": "明年"}, 422, "period", "规划期"),
        (
            "工业增长6%。",
            {"region": "330282", "period": "2023", "id": "慈溪 2023"},
            422,
            "id",
            "编号只能包含",
        ),
        (b"\x00\x01\x02binary", {"region": "330282", "period": "2023"}, 422, "file", ""),
    ],
    ids=["empty-file", "unknown-region", "no-region", "ambiguous-region", "bad-period", "bad-id", "binary"],
)
def test_upload_errors_are_shown_in_the_form(
    browsing: Browsing, body: str | bytes, fields: dict[str, str], status: int, field: str, words: str
) -> None:
    response = browsing.upload("plan.txt", body, expect=status, **fields)
    html = response.text
    assert 'id="upload-error"' in html and "上传失败" in html
    invalid = re.search(r'<div class="field invalid">(.*?)<p class="field-error">(.*?)</p>', html, re.S)
    assert invalid is not None and words in invalid.group(2)
    assert f'name="{field}"' in invalid.group(1)  # the message sits at the field it is about
    for leak in ("Traceback", "message_en", "urn:planalign", 'File "'):
        assert leak not in html
    assert re.search(r"[\u4e00-\u9fff]", invalid.group(2))  # said in Chinese
    assert _plan_count(browsing.web) == 0


def test_an_upload_over_the_limit_gets_a_page_in_words_and_stores_nothing(browsing: Browsing) -> None:
    limit = browsing.web.app.state.settings.max_upload_bytes
    response = browsing.upload(
        "big.txt", b"x" * (limit + 200_000), expect=413, region="330282", period="2023"
    )
    assert response.headers["content-type"].startswith("text/html")
    assert "文件过大" in response.text and "未保存任何内容" in response.text
    assert "problem+json" not in response.text and "message_zh" not in response.text
    assert _plan_count(browsing.web) == 0
    assert browsing.client.get("/web/plans").status_code == 200  # still serving, still signed in


def test_the_api_still_answers_an_over_limit_upload_with_a_problem(browsing: Browsing) -> None:
    limit = browsing.web.app.state.settings.max_upload_bytes
    response = browsing.client.post(
        "/plans", files={"file": ("big.txt", b"x" * (limit + 200_000), "text/plain")}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_a_taken_id_is_refused_in_words(browsing: Browsing) -> None:
    browsing.upload("a.txt", PROVINCE, region="320000", period="2024", id="js-2024")
    again = browsing.upload("b.txt", PROVINCE, region="320000", period="2024", id="js-2024", expect=409)
    assert "规划 js-2024 已存在:请换一个编号" in again.text
    assert "POST /plans" not in again.text
    assert _plan_count(browsing.web) == 1


def test_upload_without_the_form_token_stores_nothing(browsing: Browsing) -> None:
    response = browsing.client.post(
        "/web/plans",
        data={"region": "320000", "period": "2024", "csrf": "stale"},
        files={"file": ("a.txt", PROVINCE.encode(), "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 403 and "表单已过期" in response.text
    assert _plan_count(browsing.web) == 0


def test_a_check_without_parents_is_explained_on_the_plan_page(browsing: Browsing) -> None:
    browsing.upload("ks.txt", COUNTY, region="320583", period="2024", id="ks-2024")
    response = browsing.client.post("/web/plans/ks-2024/checks", data={"csrf": browsing.csrf})
    assert response.status_code == 422
    assert "没有找到可对照的上级规划" in response.text and "parent_ids" not in response.text


def test_region_filter_returns_the_matching_options(browsing: Browsing) -> None:
    html = browsing.client.get("/web/regions", params={"q": "慈溪", "region": "330282"}).text
    assert re.findall(r'<option value="(\d+)"', html) == ["330282"]
    assert 'value="330282" selected' in html


# -- escaping ------------------------------------------------------------------------------


def test_document_text_is_escaped_in_pages_and_exports(browsing: Browsing) -> None:
    check_id = _pair(
        browsing, county_text=COUNTY.replace("。", PAYLOAD + "。"), county_title="=1+1" + PAYLOAD
    )
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
    finding_id = _finding_id(browsing, check_id, "manufacturing_investment_growth")
    for path in ("/web/plans", "/web/plans/ks-2024", f"/web/checks/{check_id}", f"/web/findings/{finding_id}",
                 f"/web/checks/{check_id}/coverage"):  # fmt: skip
        html = browsing.client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert escaped in html, path
    finding = browsing.client.get(f"/web/findings/{finding_id}")
    assert finding.headers["content-security-policy"].startswith("default-src 'self'")
    assert '<mark title="制造业投资增长">制造业投资增长10%</mark>' in finding.text

    text = browsing.client.get(f"/web/checks/{check_id}/export.md").text
    assert "<script>" not in text and "\\<script\\>" in text

    book = openpyxl.load_workbook(
        io.BytesIO(browsing.client.get(f"/web/checks/{check_id}/export.xlsx").content)
    )
    title = next(row[1] for row in book["检查信息"].iter_rows(min_row=2) if row[0].value == "规划")
    assert title.data_type == "s" and str(title.value).startswith("昆山市 2024《=1+1<script>")

    table = browsing.client.get(f"/web/checks/{check_id}/export.csv")
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.text.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["问题编号", "严重性", "类别"] and len(rows) > 1
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert browsing.client.get(f"/web/checks/{check_id}/export.exe").status_code == 404
    word = browsing.client.get(f"/web/checks/{check_id}/export.docx")
    assert word.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessing"
    )
    from docx import Document

    title = Document(io.BytesIO(word.content)).paragraphs[0].text
    assert title.startswith("昆山市 2024《=1+1<script>")  # the document's words as text, never markup


def test_templates_never_mark_text_safe() -> None:
    for path in Path(TEMPLATES_DIR).glob("*.html"):
        source = path.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", ""), path.name
        assert "autoescape false" not in source and "Markup" not in source, path.name


# -- reviewing -----------------------------------------------------------------------------


def test_review_through_the_page_is_the_api_review(browsing: Browsing) -> None:
    check_id = _pair(browsing)
    fid = _finding_id(browsing, check_id, "manufacturing_investment_growth")
    client = browsing.client
    no_reason = client.post(
        f"/web/findings/{fid}/review", data={"csrf": browsing.csrf, "status": "dismissed", "version": "1"}
    )
    assert no_reason.status_code == 422 and "驳回需要在“意见”中说明理由" in no_reason.text
    saved = client.post(
        f"/web/findings/{fid}/review",
        data={"csrf": browsing.csrf, "status": "dismissed", "comment": "以力争目标为准", "version": "1"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/web/findings/{fid}?saved=1"
    stale = client.post(
        f"/web/findings/{fid}/review",
        data={"csrf": browsing.csrf, "status": "confirmed", "comment": "确认", "version": "1"},
    )
    assert stale.status_code == 409 and "已被 张三 改为“已驳回”" in stale.text
    assert "确认" in stale.text  # the draft is kept
    # A version nobody reached (a mistyped or forged one) is not blamed on a person.
    ahead = client.post(
        f"/web/findings/{fid}/review",
        data={"csrf": browsing.csrf, "status": "confirmed", "comment": "确认", "version": "7"},
    )
    assert ahead.status_code == 409 and "当前为版本 2" in ahead.text and "已被" not in ahead.text

    bearer = {"Authorization": f"Bearer {browsing.web.tokens[Role.reviewer]}"}
    api = client.get(f"/findings/{fid}", headers=bearer).json()
    assert (api["status"], api["comment"], api["version"]) == ("dismissed", "以力争目标为准", 2)
    audit = client.get(f"/findings/{fid}/audit", headers=bearer).json()
    assert [(a["action"], a["actor"], a["from_status"], a["to_status"]) for a in audit] == [
        ("review", "张三", "open", "dismissed")
    ]
    page = client.get(f"/web/checks/{check_id}").text
    assert re.search(r'data-status="dismissed"><span>已驳回</span> <b>1</b>', page)


def test_a_submitter_sees_no_review_form_and_cannot_review(browsing: Browsing) -> None:
    check_id = _pair(browsing)
    fid = _finding_id(browsing, check_id, "manufacturing_investment_growth")
    with TestClient(browsing.web.app) as other:
        csrf = sign_in(other, browsing.web.tokens[Role.submitter])
        page = other.get(f"/web/findings/{fid}").text
        assert 'id="review-form"' not in page and "不能审核" in page
        refused = other.post(
            f"/web/findings/{fid}/review", data={"csrf": csrf, "status": "confirmed", "version": "1"}
        )
        assert refused.status_code == 403 and "权限不足" in refused.text


def test_an_older_check_is_read_only(browsing: Browsing) -> None:
    first = _pair(browsing)
    fid = _finding_id(browsing, first, "manufacturing_investment_growth")
    browsing.client.post("/web/plans/ks-2024/checks", data={"csrf": browsing.csrf})
    page = browsing.client.get(f"/web/findings/{fid}").text
    assert 'id="review-form"' not in page and "较早的检查" in page


def test_missing_things_are_pages_in_chinese(browsing: Browsing) -> None:
    for path, words in (
        ("/web/checks/999", "没有找到检查 999"),
        ("/web/findings/999", "没有找到问题 999"),
        ("/web/plans/nope", "没有找到规划 nope"),
        ("/web/plans?offset=-1", "请求参数无效"),
        (f"/web/checks/{10**20}", "请求参数无效"),
        (f"/web/findings/{10**20}", "请求参数无效"),
    ):
        response = browsing.client.get(path)
        assert response.headers["content-type"].startswith("text/html"), path
        assert words in response.text, path


def test_filters_narrow_the_list(browsing: Browsing) -> None:
    check_id = _pair(browsing)
    everything = browsing.client.get(f"/web/checks/{check_id}").text
    info = browsing.client.get(f"/web/checks/{check_id}", params={"severity": "info"}).text
    assert 'sev-warning">警告</span></td>' in everything
    assert 'sev-warning">警告</span></td>' not in info
    odd = browsing.client.get(f"/web/checks/{check_id}", params={"severity": "nonsense", "status": ""})
    assert odd.status_code == 200  # an unknown filter value shows everything rather than failing


# -- helpers -------------------------------------------------------------------------------


def test_segments_keep_text_and_drop_bad_spans() -> None:
    parts = segments("甲乙丙丁戊", [(1, 3, "x"), (2, 4, "overlap"), (4, 9, "beyond")])
    assert "".join(p.text for p in parts) == "甲乙丙丁戊"
    assert [(p.text, p.mark) for p in parts] == [("甲", False), ("乙丙", True), ("丁戊", False)]


def test_excerpt_is_the_paragraph_around_the_quote() -> None:
    text = "第一段。\n第二段有制造业投资增长10%的目标。\n第三段。"
    start = text.index("制造业")
    got = excerpt(text, [(start, start + 9, "")])
    assert "".join(s.text for s in got.segments) == "第二段有制造业投资增长10%的目标。"
    long = "甲" * 1000 + "目标" + "乙" * 1000
    cut = excerpt(long, [(1000, 1002, "")])
    assert cut.segments[0].text == "…" and cut.segments[-1].text == "…"


def test_scenarios_most_like_the_finding_come_first() -> None:
    feature = rules_data().specs / "weaker_than_parent.feature"
    blocks = scenario_blocks(feature.name, feature.read_text(encoding="utf-8"))
    assert (
        blocks[0].text.startswith("场景: ") and "| manufacturing_investment_growth | 12 |" in blocks[0].text
    )
    best = pick_scenarios(
        blocks,
        rule_id="weaker_than_parent",
        indicator="industrial_va_growth",
        message="……仅有力争目标6%,仍低于……",
        primary_feature=feature.name,
    )
    assert best[0].name == "县级只有力争目标且低于上级基准目标"


def test_markdown_and_width_helpers() -> None:
    assert md("<b>[x](y)</b> 5.5%") == "\\<b\\>\\[x\\](y)\\</b\\> 5.5%"
    assert md("1. 列表") == "1\\. 列表"
    assert display_width("慈溪ab") == 6
