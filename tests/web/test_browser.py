"""The reviewer's day in a real browser (Debian chromium through Playwright).

The main test is the issue's "must show": sign in, upload 浙江 2023 and 慈溪 2023 through the
form, run the check, open the 制造业投资 finding, dismiss it with a reason, see the counts
change, download the workbook and read it back. Screenshots of the check page, the finding and
the coverage view go to test-output/screenshots/ for a person to look at.

The other tests each bring their own plans (other provinces), so they do not depend on the
order they run in, on one server shared by the module.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
import yaml

from api.auth import Role
from rulesengine.rulebook import default_rulebook
from tests.web.conftest import (
    CIXI_2023,
    ZHEJIANG_2023,
    LiveServer,
    browser_sign_in,
    in_ci,
    screenshot,
)

try:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Dialog,
        FilePayload,
        Page,
        expect,
    )
except ImportError:  # pragma: no cover - depends on the machine
    message = "the playwright package is not installed: pip install playwright (never `playwright install`)"
    if in_ci():
        pytest.fail(message + " — CI=true, so the browser tests must not be skipped", pytrace=False)
    pytest.skip(message, allow_module_level=True)

pytestmark = pytest.mark.browser

REGION_CODES = {"浙江省": "330000", "慈溪市": "330282"}


def _upload_form(page: Page, path: Path, region_code: str) -> None:
    """Fill the upload form from an example plan's .meta.yaml and submit it."""
    meta = yaml.safe_load(path.with_name(path.stem + ".meta.yaml").read_text(encoding="utf-8"))
    page.set_input_files("#file", str(path))
    page.select_option("#region", region_code)
    page.fill("#period", str(meta["period"]))
    page.fill("#title", meta["title"])
    page.fill("#issuer", meta["issuer"])
    page.fill("#plan-id", meta["id"])
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/web/plans/{re.escape(meta['id'])}$"))
    expect(page.locator("#plan-title")).to_have_text(meta["title"])


def _file(name: str, data: bytes) -> FilePayload:
    """An in-memory file for the upload form's file input."""
    return {"name": name, "mimeType": "text/plain", "buffer": data}


def _count(page: Page, severity: str, which: str) -> int:
    return int(page.locator(f'.count-card[data-severity="{severity}"] [data-count="{which}"]').inner_text())


def _status_count(page: Page, status: str) -> int:
    return int(page.locator(f'.status-count[data-status="{status}"] b').inner_text())


def test_review_round_trip(live_server: LiveServer, context: BrowserContext, tmp_path: Path) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(message: ConsoleMessage) -> None:  # CSP violations and failed loads land here
        expected = "status of 422" in message.text  # the review refused on purpose below
        if message.type == "error" and not expected:
            errors.append(message.text)

    page.on("console", on_console)

    # A page without a session sends the reviewer to sign in, and back afterwards.
    page.goto(f"{live_server.url}/web/plans")
    expect(page).to_have_url(re.compile(r".*/web/login\?next=%2Fweb%2Fplans$"))
    browser_sign_in(page, live_server)
    expect(page.locator(".who")).to_contain_text("张三")

    # Upload the province's plan, then the county's (region found through the htmx filter).
    _upload_form(page, ZHEJIANG_2023, REGION_CODES["浙江省"])
    page.goto(f"{live_server.url}/web/plans")
    page.fill("input[name=q]", "慈溪")
    expect(page.locator("#region option")).to_have_count(2)  # the placeholder and 慈溪市
    _upload_form(page, CIXI_2023, REGION_CODES["慈溪市"])
    expect(page.locator("#plan-text mark").first).to_be_visible()
    screenshot(page, "plan")

    # Run the check from the county's page.
    page.click("#run-check")
    page.wait_for_url(re.compile(r".*/web/checks/\d+$"))
    check_url = page.url
    expect(page.locator("h1")).to_contain_text("慈溪市 2023")
    warnings_before, open_before = _count(page, "warning", "total"), _count(page, "warning", "open")
    assert warnings_before >= 1 and open_before == warnings_before
    assert _status_count(page, "dismissed") == 0
    expect(page.locator('section.group[data-category="weaker"]')).to_be_visible()

    # Filters swap the list in place (htmx) and keep the URL shareable.
    page.select_option("#filters select[name=severity]", "info")
    expect(page.locator("#findings tr[data-finding]").first).to_be_visible()
    expect(page.locator("#findings .badge.sev-warning")).to_have_count(0)
    assert "severity=info" in page.url
    page.goto(check_url)

    # Open the 制造业投资 finding of weaker_than_parent.
    row = page.locator('tr[data-indicator="manufacturing_investment_growth"][data-rule="weaker_than_parent"]')
    row.locator("a").click()
    page.wait_for_url(re.compile(r".*/web/findings/\d+$"))
    county = page.locator(".side-county .quote-card")
    parent = page.locator(".side-parent .quote-card")
    expect(county.locator("mark").first).to_have_text("制造业投资增长10%")
    expect(county.locator("mark").nth(1)).to_have_text("力争38%")
    expect(parent.locator("mark")).to_have_text("制造业投资增长12%")
    expect(page.locator("#rule")).to_contain_text("县级目标低于上级同期同口径目标")
    version = next(r.version for r in default_rulebook().rules if r.id == "weaker_than_parent")
    expect(page.locator("#rule")).to_contain_text(f"第 {version} 版")
    expect(page.locator("#scenario")).to_contain_text("县级基准增速低于省级基准增速")
    expect(page.locator("#finding-status")).to_have_text("待审核")

    # Dismissing without a reason is refused in words, in place; with one it is saved.
    page.check("input[name=status][value=dismissed]")
    page.click("#review-form button[type=submit]")
    expect(page.locator("#review-error")).to_contain_text("说明理由")
    reason = "力争目标38%已高于省定12%,以力争目标为准"
    page.check("input[name=status][value=dismissed]")
    page.fill("#comment", reason)
    page.click("#review-form button[type=submit]")
    expect(page.locator("#review-saved")).to_be_visible()
    expect(page.locator("#finding-status")).to_have_text("已驳回")
    expect(page.locator("#history")).to_contain_text(reason)
    expect(page.locator("#history")).to_contain_text("待审核 → 已驳回")
    screenshot(page, "finding")

    # The counts moved: one warning fewer to review, one dismissed.
    page.goto(check_url)
    assert _count(page, "warning", "total") == warnings_before
    assert _count(page, "warning", "open") == open_before - 1
    assert _status_count(page, "dismissed") == 1
    screenshot(page, "check")

    # Coverage: catalog indicators × plans, colored by what the check found.
    page.click("#coverage-link")
    page.wait_for_url(re.compile(r".*/coverage$"))

    def cell(indicator: str, column: int) -> str | None:
        return (
            page.locator(f'#coverage tr[data-indicator="{indicator}"] td')
            .nth(column)
            .get_attribute("data-state")
        )

    # The dismissed finding no longer colours its cells as a problem (issue 15): grey, 已驳回.
    assert cell("manufacturing_investment_growth", 0) == "dismissed"
    assert cell("manufacturing_investment_growth", 1) == "dismissed"
    assert cell("industrial_va_growth", 0) == "aligned"
    assert cell("tech_renovation_investment_growth", 0) == "missing"
    expect(
        page.locator('#coverage tr[data-indicator="manufacturing_investment_growth"] td').first
    ).to_contain_text("10%以上")
    screenshot(page, "coverage")

    # The workbook: the dismissed finding with both quotes and its status, and the coverage sheet.
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "check.xlsx"
    download.value.save_as(saved)
    workbook = openpyxl.load_workbook(saved)
    assert workbook.sheetnames[:2] == ["问题清单", "指标覆盖"]
    sheet = workbook["问题清单"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)]
    dismissed = next(
        r
        for r in rows
        if r["指标编号"] == "manufacturing_investment_growth" and r["规则"] == "weaker_than_parent"
    )
    assert dismissed["审核状态"] == "已驳回"
    assert dismissed["审核意见"] == reason
    assert "制造业投资增长10%" in dismissed["县级原文"]
    assert "制造业投资增长12%" in dismissed["上级原文"]
    coverage_rows = {r[1].value: r for r in workbook["指标覆盖"].iter_rows(min_row=2) if r[1].value}
    assert "〔已驳回〕" in str(coverage_rows["manufacturing_investment_growth"][2].value)

    with page.expect_download() as md_download:
        page.click("#export-md")
    text = Path(md_download.value.path()).read_text(encoding="utf-8")
    assert "已驳回" in text and reason in text

    assert errors == []


def test_document_text_is_escaped(live_server: LiveServer, context: BrowserContext) -> None:
    """A plan's <script> and <img onerror> show as text on the plan and finding pages."""
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    browser_sign_in(page, live_server)
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"

    def upload(name: str, region: str, text: str, title: str) -> None:
        page.goto(f"{live_server.url}/web/plans")
        page.set_input_files("#file", files=_file(name, text.encode()))
        page.select_option("#region", region)
        page.fill("#period", "2024")
        page.fill("#title", title)
        page.click("#upload-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/web/plans/[^/]+$"))

    upload("fujian.txt", "350000", "2024年全省制造业投资增长12%。", "福建省2024年要点")
    upload("jinjiang.txt", "350582", f"2024年,全市制造业投资增长10%{payload}。\n", f"晋江{payload}")
    for where in ("#plan-title", "#plan-text"):
        expect(page.locator(where)).to_contain_text(payload)
    page.click("#run-check")
    page.wait_for_url(re.compile(r".*/web/checks/\d+$"))
    page.locator('tr[data-indicator="manufacturing_investment_growth"] a').first.click()
    page.wait_for_url(re.compile(r".*/web/findings/\d+$"))
    expect(page.locator(".side-county .paragraph")).to_contain_text(payload)
    expect(page.locator(".side-county mark")).to_have_text("制造业投资增长10%")
    assert page.locator("main script, main img").count() == 0
    page.reload()  # and again: still nothing runs
    assert dialogs == []


def test_upload_errors_are_plain_words(live_server: LiveServer, context: BrowserContext) -> None:
    page = context.new_page()
    browser_sign_in(page, live_server)

    # An empty file.
    page.set_input_files("#file", files=_file("empty.txt", b""))
    page.select_option("#region", "330281")
    page.fill("#period", "2023")
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#upload-error")).to_contain_text("上传失败")
    expect(page.locator(".field.invalid .field-error")).to_contain_text("文件是空的")
    expect(page.locator("#period")).to_have_value("2023")  # what was typed stays
    screenshot(page, "upload-error")

    # A region that is not in the list (a stale or tampered form): said in words, no traceback.
    page.set_input_files("#file", files=_file("plan.txt", "工业增长6%。".encode()))
    page.evaluate(
        "() => { const s = document.querySelector('#region');"
        " s.add(new Option('火星市', '火星市', true, true)); }"
    )
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#upload-error")).to_contain_text("地区")
    expect(page.locator(".field.invalid .field-error")).to_contain_text("未找到行政区“火星市”")
    body = page.content()
    assert "Traceback" not in body and "problem+json" not in body and "message_zh" not in body


def test_an_upload_over_the_limit_shows_a_page_and_the_site_keeps_working(
    live_server: LiveServer, context: BrowserContext
) -> None:
    page = context.new_page()
    browser_sign_in(page, live_server)
    too_big = live_server.web.app.state.settings.max_upload_bytes + 1024 * 1024
    page.set_input_files("#file", files=_file("big.txt", b"x" * too_big))
    page.select_option("#region", "330281")
    page.fill("#period", "2023")
    page.click("#upload-form button[type=submit]")
    expect(page.locator(".alert.error")).to_contain_text("文件过大")
    expect(page.locator(".alert.error")).to_contain_text("未保存任何内容")
    assert "problem+json" not in page.content()
    screenshot(page, "upload-too-large")
    page.click("text=返回规划列表")
    expect(page.locator("#upload-form")).to_be_visible()


def test_pages_work_without_javascript(live_server: LiveServer, chromium: Browser) -> None:
    """Reading, filtering and reviewing with JavaScript off: plain forms and redirects."""
    ctx = chromium.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(f"{live_server.url}/web/plans?offset=0")
        expect(page).to_have_url(re.compile(r".*/web/login\?next=%2Fweb%2Fplans%3Foffset%3D0$"))
        page.fill("#token", live_server.web.tokens[Role.reviewer])
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/web/plans\?offset=0$"))
        for name, region, text in (
            ("jiangsu.txt", "320000", "2024年全省规上工业增加值增长6%,制造业投资增长12%。"),
            ("kunshan.txt", "320583", "2024年,全市规上工业增加值增长7%,制造业投资增长10%。"),
        ):
            page.goto(f"{live_server.url}/web/plans")
            page.set_input_files("#file", files=_file(name, text.encode()))
            page.select_option("#region", region)
            page.fill("#period", "2024")
            page.click("#upload-form button[type=submit]")
            page.wait_for_url(re.compile(r".*/web/plans/[^/]+$"))
        page.click("#run-check")
        page.wait_for_url(re.compile(r".*/web/checks/\d+$"))
        page.select_option("#filters select[name=severity]", "warning")
        page.click("#filters button[type=submit]")
        page.wait_for_url(re.compile(r".*severity=warning.*"))
        assert page.locator("#findings .badge.sev-info").count() == 0
        page.locator('tr[data-indicator="manufacturing_investment_growth"] a').first.click()
        page.check("input[name=status][value=confirmed]")
        page.fill("#comment", "确需上调")
        page.click("#review-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/web/findings/\d+\?saved=1$"))
        expect(page.locator("#finding-status")).to_have_text("已确认")
    finally:
        ctx.close()
