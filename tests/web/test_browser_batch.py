"""Issue 16's "must show", in a real browser (Debian chromium through Playwright).

An analyst uploads one zip — 30 synthetic 浙江 county plans with their .meta.yaml, and the 浙江
plans above them — and watches the job finish; opens the province dashboard, sorts it, filters it
by city, opens a county's check from its row, and downloads the Word report, which is read back
with python-docx: its headings, the matrix with every county, and a stored finding's county and
parent quotes both; on the way a finding across counties is reviewed on the job page, and the
report carries the review. A screenshot of the dashboard goes to test-output/screenshots/.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlmodel import col, select

from api.db import BatchItem, FindingRow
from tests.web.conftest import LiveServer, browser_sign_in, in_ci, screenshot
from tools.synth import generate, write

try:
    from playwright.sync_api import BrowserContext, FilePayload, Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    message = "the playwright package is not installed: pip install playwright (never `playwright install`)"
    if in_ci():
        pytest.fail(message + " — CI=true, so the browser tests must not be skipped", pytrace=False)
    pytest.skip(message, allow_module_level=True)

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "plans"
COUNTIES = 30


def province_zip(tmp_path: Path) -> FilePayload:
    folder = tmp_path / "synth"
    write(generate(COUNTIES, 2026), folder)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(folder.iterdir()):
            if not p.name.endswith(".gold.yaml"):
                z.write(p, f"各县/{p.name}")
        for p in sorted(EXAMPLES.glob("zhejiang-*")):
            z.write(p, p.name)
    return {"name": "浙江各县2023.zip", "mimeType": "application/zip", "buffer": buf.getvalue()}


def column_numbers(page: Page, index: int) -> list[int]:
    cells = page.locator(f"#dashboard tbody tr td:nth-of-type({index})").all_inner_texts()
    return [int(c) for c in cells]


def docx_text(data: bytes) -> tuple[list[str], list[list[str]], str]:
    """Headings, the tables' rows and all the text of a .docx."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    rows = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    text = "\n".join([p.text for p in doc.paragraphs] + ["\t".join(r) for r in rows])
    return headings, rows, text


def test_a_province_zip_becomes_a_job_a_dashboard_a_county_and_a_word_report(
    live_server: LiveServer, context: BrowserContext, tmp_path: Path
) -> None:
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.click("#batches-link")
    page.set_input_files("#files", files=province_zip(tmp_path))
    page.fill("#comment", "浙江各县 2023 经信工作要点对标")
    page.click("#batch-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/web/batches/\d+$"))
    job_id = int(page.url.rsplit("/", 1)[1])

    # the progress block refreshes itself until the job is done
    expect(page.locator("#batch-stage")).to_have_text("已完成", timeout=180_000)
    expect(page.locator("#items tbody tr[data-stage=checked]")).to_have_count(COUNTIES)
    expect(page.locator("#items tbody tr[data-stage=parent]")).to_have_count(2)

    page.click("#dashboard-link")
    page.wait_for_url(re.compile(rf".*/web/batches/{job_id}/dashboard$"))
    rows = page.locator("#dashboard tbody tr")
    expect(rows).to_have_count(COUNTIES)
    expect(page.locator("#dashboard-title")).to_contain_text("浙江省")
    open_gaps = [int(v) for v in rows.evaluate_all("rs => rs.map(r => r.dataset.open)")]
    assert open_gaps == sorted(open_gaps, reverse=True) and open_gaps[0] > 0  # most open gaps first
    assert page.locator("#dashboard td.cell.sev-warning, #dashboard td.cell.sev-error").count() > 0
    screenshot(page, "province-dashboard")

    page.click("#dashboard thead a[data-sort=error]")  # errors, most first
    page.wait_for_url(re.compile(r".*by=error.*"))
    errors = column_numbers(page, 3)
    assert errors == sorted(errors, reverse=True) and len(errors) == COUNTIES
    page.click("#dashboard thead a[data-sort=error]")  # the same head again: fewest first
    page.wait_for_url(re.compile(r".*desc=0.*"))
    assert column_numbers(page, 3) == sorted(errors)

    city = page.locator("#city option").nth(1)
    city_name = city.inner_text().split("(")[0]
    page.select_option("#city", city.get_attribute("value"))
    page.click("#city-filter button[type=submit]")
    page.wait_for_url(re.compile(r".*city=.*"))
    cities = page.locator("#dashboard tbody tr td:nth-of-type(1)").all_inner_texts()
    assert cities and set(cities) == {city_name}

    county = page.locator("#dashboard tbody tr th a.county").first
    county_name = county.inner_text()
    county.click()
    page.wait_for_url(re.compile(r".*/web/checks/\d+$"))
    expect(page.locator("main")).to_contain_text(county_name)
    page.go_back()

    # a finding across counties is reviewed on the job page, as a check's finding is
    page.goto(f"{live_server.url}/web/batches/{job_id}")
    first = page.locator("#across tbody tr").first
    across_id = first.get_attribute("id")
    first.locator("select[name=status]").select_option("confirmed")
    first.locator("input[name=comment]").fill("已请各县说明")
    first.locator("button[type=submit]").click()
    expect(page.locator(f"#{across_id}")).to_have_attribute("data-status", "confirmed")
    expect(page.locator(f"#{across_id} .review-state")).to_contain_text("已请各县说明")

    page.goto(f"{live_server.url}/web/batches/{job_id}/dashboard")
    with page.expect_download() as download:
        page.click("#export-docx")
    assert download.value.suggested_filename.endswith(".docx")
    headings, table_rows, text = docx_text(Path(download.value.path()).read_bytes())
    for words in ("基本情况", "总体情况", "各县对标情况", "问题清单"):
        assert any(words in h for h in headings), (words, headings)

    with live_server.web.session() as session:
        items = session.exec(
            select(BatchItem).where(BatchItem.job_id == job_id, BatchItem.role == "county")
        ).all()
        regions = {i.meta["region"] for i in items}
        checks = [i.check_id for i in items]
        finding = session.exec(
            select(FindingRow)
            .where(col(FindingRow.check_id).in_(checks), FindingRow.rule_id == "weaker_than_parent")
            .limit(1)
        ).one()
    matrix_counties = {r[0].split(" ")[0] for r in table_rows if r and r[0].split(" ")[0] in regions}
    assert matrix_counties == regions  # every county is a row of the matrix
    quotes = {f["role"]: f["quote"] for f in finding.facts}
    assert quotes["county"] in text and quotes["parent"] in text  # both sides quoted
    assert "已请各县说明" in text  # the review of the finding across counties is in the report
