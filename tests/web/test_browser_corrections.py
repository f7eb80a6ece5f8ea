"""Issue 15's "must show", in a real browser (Debian chromium through Playwright).

A reviewer opens a county plan whose half-year review quotes a past statistic (今年以来 …
增长8.5%, read as a target) and whose goals say 技改投入实现两位数增长 (missed: no number, and
技改投入 is not a catalog term). They mark the first "not a target", add the second by selecting
its words in the text, re-run the check and see the finding it creates; upload a revision and
see both corrections carried over. An admin then accepts the catalog suggestion the added target
made, and a new plan using that wording is extracted with it. Screenshots of the plan page with
its correction tools, the suggestions page and /docs go to test-output/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from api.auth import Role
from tests.web.conftest import LiveServer, browser_sign_in, in_ci, screenshot

try:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, FilePayload, Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    message = "the playwright package is not installed: pip install playwright (never `playwright install`)"
    if in_ci():
        pytest.fail(message + " — CI=true, so the browser tests must not be skipped", pytrace=False)
    pytest.skip(message, allow_module_level=True)

pytestmark = pytest.mark.browser

PROVINCE = "2024年全省规上工业增加值增长6%以上,技术改造投资增长12%,制造业投资增长10%。\n"
COUNTY = (
    "慈溪市2024年经信工作要点\n"
    "一、上半年工作情况\n"
    "今年以来,全市规上工业增加值增长8.5%,工业投资保持较快增长。\n"
    "二、全年主要目标\n"
    "2024年,全市规上工业增加值增长7%,制造业投资增长12%,技改投入实现两位数增长。\n"
    "三、重点工作\n"
    "实施数字化改造攻坚行动,推进企业设备更新。\n"
)
PAST = "规上工业增加值增长8.5%"
MISSED = "技改投入实现两位数增长"
REVISED = COUNTY.replace("一、上半年", "(修订稿:经局务会讨论修改)\n一、上半年").replace("增长12%", "增长13%")


def _file(name: str, text: str) -> FilePayload:
    return {"name": name, "mimeType": "text/plain", "buffer": text.encode("utf-8")}


def _upload(page: Page, server: LiveServer, name: str, text: str, region: str, plan_id: str) -> None:
    page.goto(f"{server.url}/web/plans")
    page.set_input_files("#file", files=_file(name, text))
    page.select_option("#region", region)
    page.fill("#period", "2024")
    page.fill("#plan-id", plan_id)
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/web/plans/{plan_id}$"))


def _select_text(page: Page, words: str) -> None:
    """Select ``words`` in the plan's text the way a mouse would (a DOM range in the text node)."""
    page.evaluate(
        """(words) => {
            const root = document.getElementById('plan-text');
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.textContent.indexOf(words);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + words.length);
                    const sel = window.getSelection();
                    sel.removeAllRanges();
                    sel.addRange(range);
                    return;
                }
            }
            throw new Error('not in the text: ' + words);
        }""",
        words,
    )


def _watch(page: Page, server: LiveServer, errors: list[str], outside: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "status of 422" not in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    page.on("request", lambda r: None if r.url.startswith((server.url, "data:")) else outside.append(r.url))


def test_a_reviewer_corrects_targets_a_check_and_a_revision_follow_and_the_catalog_learns(
    live_server: LiveServer, context: BrowserContext, chromium: Browser
) -> None:
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    _watch(page, live_server, errors, outside)
    browser_sign_in(page, live_server, Role.reviewer)
    _upload(page, live_server, "zj.txt", PROVINCE, "330000", "zj-2024")
    _upload(page, live_server, "cx.txt", COUNTY, "330282", "cx-2024")

    # A first check reads the past statistic as a target: 8.5% and 7% conflict.
    page.click("#run-check")
    page.wait_for_url(re.compile(r".*/web/checks/\d+$"))
    expect(
        page.locator('tr[data-rule="inconsistent_values"][data-indicator="industrial_va_growth"]')
    ).to_be_visible()
    expect(
        page.locator('tr[data-rule="weaker_than_parent"][data-indicator="tech_renovation_investment_growth"]')
    ).to_have_count(0)
    page.goto(f"{live_server.url}/web/plans/cx-2024")

    # "Not a target": the past statistic, with the reason, in place.
    row = page.locator(f'#target-list tr[data-quote="{PAST}"]')
    row.locator("details.reject-act summary").click()
    row.locator("details.reject-act textarea[name=comment]").fill("上半年完成情况,是已发生的统计数,不是目标")
    row.locator("details.reject-act button[type=submit]").click()
    expect(page.locator("#correction-saved")).to_contain_text("不是目标")
    expect(page.locator("#plan-text mark.rejected")).to_have_text(PAST)
    expect(page.locator(f'#target-list tr[data-quote="{PAST}"]')).to_have_attribute("data-origin", "rejected")

    # Add the missed target by selecting its words: the form proposes indicator, value, wording.
    _select_text(page, MISSED)
    button = page.locator("#add-from-selection")
    expect(button).to_be_visible()
    expect(button).to_contain_text(MISSED)
    button.click()
    page.wait_for_url(re.compile(r".*quote=.*#add-target$"))
    form = page.locator("#add-target-form")
    expect(page.locator("#proposal-note")).to_be_visible()
    expect(form.locator("textarea[name=quote]")).to_have_value(MISSED)
    expect(form.locator("input[name=indicator]")).to_have_value("技术改造投资增长")
    expect(form.locator("input[name=value]")).to_have_value("10")
    expect(form.locator("select[name=comparator]")).to_have_value("gte")
    expect(form.locator("input[name=wording]")).to_have_value("技改投入")
    expect(form.locator("input[name=span_start]")).to_have_value(str(COUNTY.index(MISSED)))
    form.locator("textarea[name=comment]").fill("漏提:两位数增长即10%以上")
    form.locator("button[type=submit]").click()
    expect(page.locator("#correction-saved")).to_contain_text("已补充")
    expect(page.locator("#plan-text mark.added")).to_have_text(MISSED)
    # The tools, open, for the screenshot: an edit form beside the marked text.
    page.locator(
        '#target-list tr[data-indicator="manufacturing_investment_growth"] details.edit-act summary'
    ).click()
    screenshot(page, "plan-corrections")

    # Re-run the check: it says it read two corrections, and what changed.
    page.click("#run-check")
    page.wait_for_url(re.compile(r".*/web/checks/\d+$"))
    expect(page.locator("#corrections-used")).to_contain_text("2 条人工更正")
    changes = page.locator("#changes")
    expect(changes).to_contain_text("技术改造投资增长")
    expect(changes.locator('[data-changes="resolved"]')).to_have_text("2")  # the conflict and the gap
    new = page.locator(
        'tr[data-rule="weaker_than_parent"][data-indicator="tech_renovation_investment_growth"]'
    )
    expect(new).to_be_visible()
    expect(new).to_contain_text("10%以上")
    screenshot(page, "check-after-corrections")
    new.locator("a").click()
    page.wait_for_url(re.compile(r".*/web/findings/\d+$"))
    expect(page.locator(".side-county mark").first).to_have_text(MISSED)
    expect(page.locator("#scenario-sentence")).to_contain_text("应报告规则“县级目标低于上级同期同口径目标”")
    expect(page.locator("#scenario")).to_be_hidden()  # the Gherkin is one click away
    page.click("#scenario-raw summary")
    expect(page.locator("#scenario")).to_be_visible()

    # A revision moves every span and changes another target: both corrections carry over.
    page.goto(f"{live_server.url}/web/plans/cx-2024")
    page.set_input_files("#revision-file", files=_file("cx-v2.txt", REVISED))
    page.fill("#revision-comment", "制造业投资目标上调")
    page.click("#revision-form button[type=submit]")
    page.wait_for_url(re.compile(r".*saved=revision$"))
    expect(page.locator("#correction-saved")).to_contain_text("修订稿")
    expect(page.locator("#lost-corrections")).to_have_count(0)
    expect(page.locator('#corrections tr[data-state="applied"]')).to_have_count(2)
    expect(page.locator("#plan-text mark.rejected")).to_have_text(PAST)
    expect(page.locator("#plan-text mark.added")).to_have_text(MISSED)
    expect(page.locator("#plan-text")).to_contain_text("修订稿")
    expect(page.locator(".meta")).to_contain_text("第 2 版")

    # The admin accepts what the added target taught, and a new plan's wording is read with it.
    admin_context = chromium.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    try:
        admin = admin_context.new_page()
        _watch(admin, live_server, errors, outside)
        browser_sign_in(admin, live_server, Role.admin)
        admin.click("#catalog-link")
        admin.wait_for_url(re.compile(r".*/web/catalog$"))
        suggestion = admin.locator('#suggestions tr[data-wording="技改投入"]')
        expect(suggestion).to_contain_text("技术改造投资增长")
        expect(suggestion).to_contain_text(MISSED)
        expect(suggestion.locator("[data-count]")).to_have_text("1")
        screenshot(admin, "catalog-suggestions")
        suggestion.locator(".accept-form input[name=comment]").fill("各县通用写法")
        suggestion.locator(".accept-form button[type=submit]").click()
        admin.wait_for_url(re.compile(r".*/web/catalog\?decided=\d+$"))
        expect(admin.locator('#overlay tr[data-version="1"]')).to_contain_text("技改投入")
        expect(admin.locator(".meta")).to_contain_text("+overlay.1")
        screenshot(admin, "catalog-accepted")
        _upload(
            admin,
            live_server,
            "nh.txt",
            "宁海县2024年工业工作要点\n2024年,全县技改投入增长15%。\n",
            "330226",
            "nh-2024",
        )
        expect(admin.locator('#plan-text mark[title="技术改造投资增长"]')).to_have_text("技改投入增长15%")
        expect(
            admin.locator('#target-list tr[data-indicator="tech_renovation_investment_growth"]')
        ).to_be_visible()

        # /docs, offline: Swagger UI from the vendored files, nothing fetched from elsewhere.
        admin.goto(f"{live_server.url}/docs")
        expect(admin.locator(".swagger-ui .info .title")).to_contain_text("planalign")
        expect(admin.locator(".opblock-tag-section").first).to_be_visible()
        screenshot(admin, "docs")
    finally:
        admin_context.close()
    assert outside == []
    assert errors == []
