"""Bad documents, through ``rulesengine.ingest`` and through the API upload: each one gets a
clear problem+json error (or a stored plan with a warning), nothing half-stored, and the
service keeps answering.

Reviewers upload whatever they were sent: an empty file, a spreadsheet renamed .txt, a GBK file
from an old PC, a scan, a hostile .docx, a web page with scripts, a notice with no targets, a
region name with a typo. None of it may cost a 500 or leave a plan half-written.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulesengine.extract import extract_targets
from rulesengine.ingest import IngestError, read_bytes
from tests.api.conftest import Api, assert_problem
from tests.documents import blank_pdf, scanned_pdf
from tests.hardening.conftest import BuildApi

COUNTY_SENTENCE = "2023年,全市规上工业增加值增长7%,数字经济核心产业增加值增长8%。"
LIMIT = 100_000


# -- documents ------------------------------------------------------------------------------------


def _docx(paragraphs: list[str]) -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(buffer)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A real .docx plus 20 MiB of zeros that deflate to about 20 KB."""
    buffer = io.BytesIO(_docx([COUNTY_SENTENCE]))
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("word/media/padding.bin", "w") as member,
    ):
        for _ in range(20):
            member.write(b"\x00" * (1024 * 1024))
    return buffer.getvalue()


def nested_zip_bomb() -> bytes:
    """A .docx whose body part is itself a highly compressed blob (the classic 42.zip shape)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (12 * 1024 * 1024) + b"</w:document>")
    return buffer.getvalue()


SCRIPT_HTML = (
    "<html><head><title>慈溪</title><script>document.cookie='x'</script></head><body>"
    f"<p>{COUNTY_SENTENCE}</p>"
    "<p>&lt;script&gt;alert('xss')&lt;/script&gt; 与 <img src=x onerror=alert(1)></p>"
    "</body></html>"
).encode()


@dataclass(frozen=True)
class Refused:
    """A document ingestion refuses: its IngestError code, and the API's status and code."""

    data: Callable[[], bytes]
    name: str
    ingest_code: str
    status: int


REFUSED: dict[str, Refused] = {
    "empty": Refused(lambda: b"", "empty.txt", "empty", 422),
    "whitespace_only": Refused(lambda: b" \r\n\t\n  ", "blank.txt", "empty", 422),
    "binary_with_nul": Refused(lambda: bytes(range(256)) * 8, "data.txt", "binary", 422),
    "executable_as_txt": Refused(lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 500, "a.txt", "binary", 422),
    "garbage_as_docx": Refused(lambda: bytes(range(7, 250)) * 9, "plan.docx", "unreadable", 422),
    "pdf_as_txt": Refused(scanned_pdf, "plan.txt", "format_mismatch", 422),
    "pdf_without_text_layer": Refused(scanned_pdf, "scan.pdf", "no_text_layer", 422),
    "blank_pdf": Refused(blank_pdf, "blank.pdf", "no_text_layer", 422),
    "truncated_pdf": Refused(lambda: scanned_pdf()[:300], "cut.pdf", "unreadable", 422),
    "docx_zip_bomb": Refused(zip_bomb, "bomb.docx", "zip_bomb", 413),
    "docx_bomb_in_body": Refused(nested_zip_bomb, "body.docx", "zip_bomb", 413),
    "over_the_size_limit": Refused(lambda: COUNTY_SENTENCE.encode() * 2_000, "big.txt", "too_large", 413),
}


# -- through rulesengine.ingest -------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_ingest_refuses_a_bad_document_with_an_ingest_error_naming_the_file(case: str) -> None:
    bad = REFUSED[case]
    with pytest.raises(IngestError) as caught:
        read_bytes(bad.data(), bad.name, max_bytes=LIMIT)
    error = caught.value
    assert error.code == bad.ingest_code, error
    assert str(error).startswith(bad.name) and error.message_zh and error.message_en


def test_ingest_reads_gb18030_including_four_byte_characters() -> None:
    text = COUNTY_SENTENCE + "𠀀𪚥 —— 欧元符号€与表情😀亦可。"  # CJK Ext-B and emoji: four bytes in GB18030
    document = read_bytes(text.encode("gb18030"), "gb.txt")
    assert document.text.replace("\r\n", "\n").strip() == text
    assert document.encoding == "gb18030" and not document.warnings


def test_ingest_warns_about_a_file_of_mixed_encodings_and_keeps_the_rest() -> None:
    data = "2023年,全市规上工业增加值增长7%,".encode() + "数字经济核心产业增加值增长8%。".encode("gb18030")
    document = read_bytes(data, "mixed.txt")
    assert [w.code for w in document.warnings] == ["mixed_encoding"]
    assert "规上工业增加值增长7%" in document.text


def test_ingest_drops_script_elements_and_keeps_escaped_markup_as_plain_text() -> None:
    document = read_bytes(SCRIPT_HTML, "page.html")
    assert "document.cookie" not in document.text
    assert "<script>alert('xss')</script>" in document.text  # it was text on the page: kept as text
    assert len(extract_targets(document.text, "2023")) == 2


# -- through the API ------------------------------------------------------------------------------


@pytest.fixture
def app(build_api: BuildApi) -> Api:
    return build_api(max_upload_bytes=LIMIT, raise_server_exceptions=False)


def _upload(api: Api, name: str, data: bytes, **meta: str) -> Any:
    form = {"region": "慈溪", "period": "2023", "title": "测试", **meta}
    return api.client.post(
        "/plans",
        data=form,
        files={"file": (name, data, "application/octet-stream")},
        headers=api.auth("submitter"),
    )


def _plans(api: Api) -> int:
    total: int = api.client.get("/plans", headers=api.auth("reviewer")).json()["total"]
    return total


def _still_serving(api: Api) -> None:
    assert api.client.get("/health").json()["status"] == "ok"
    assert api.client.get("/me", headers=api.auth("reviewer")).status_code == 200


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_uploaded_bad_document_is_a_clear_problem_nothing_is_stored_and_the_service_answers(
    app: Api, case: str
) -> None:
    bad = REFUSED[case]
    response = _upload(app, bad.name, bad.data())
    body = assert_problem(response, bad.status, field="file")
    assert body["code"] in {f"ingest_{bad.ingest_code}", "too_large"}
    assert "Traceback" not in response.text
    if bad.ingest_code != "too_large":
        assert bad.name in body["message_zh"] and bad.name in body["message_en"]
    assert _plans(app) == 0
    _still_serving(app)


@pytest.mark.parametrize("case", ["empty", "binary_with_nul", "pdf_without_text_layer", "docx_zip_bomb"])
def test_a_bad_document_as_a_revision_is_refused_and_the_plan_keeps_its_text(app: Api, case: str) -> None:
    assert _upload(app, "cx.txt", COUNTY_SENTENCE.encode(), id="cx-2023").status_code == 201
    bad = REFUSED[case]
    response = app.client.post(
        "/plans/cx-2023/revisions",
        data={"comment": "修订"},
        files={"file": (bad.name, bad.data(), "application/octet-stream")},
        headers=app.auth("submitter"),
    )
    assert_problem(response, bad.status, field="file")
    plan = app.client.get("/plans/cx-2023?include_text=true", headers=app.auth("reviewer")).json()
    assert plan["current_revision"] == 1 and plan["text"] == COUNTY_SENTENCE
    _still_serving(app)


def test_a_gb18030_upload_is_read_and_its_targets_extracted(app: Api) -> None:
    response = _upload(app, "gb.txt", (COUNTY_SENTENCE + "𠀀😀").encode("gb18030"))
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["encoding"] == "gb18030" and len(plan["targets"]) == 2 and plan["warnings"] == []


def test_a_mixed_encoding_upload_is_stored_with_a_warning_where_it_goes_wrong(app: Api) -> None:
    data = "2023年,全市规上工业增加值增长7%,".encode() + "数字经济核心产业增加值增长8%。".encode("gb18030")
    response = _upload(app, "mixed.txt", data)
    assert response.status_code == 201, response.text
    [warning] = response.json()["warnings"]
    assert warning["code"] == "mixed_encoding" and warning["start"] is not None
    assert warning["message_zh"] and warning["message_en"]


def test_html_with_scripts_is_stored_as_text_and_returned_as_json_escaped_text(app: Api) -> None:
    response = _upload(app, "page.html", SCRIPT_HTML, id="page-2023")
    assert response.status_code == 201, response.text
    shown = app.client.get("/plans/page-2023?include_text=true", headers=app.auth("reviewer"))
    assert shown.headers["content-type"] == "application/json"
    assert shown.headers.get("x-content-type-options") == "nosniff"
    text = shown.json()["text"]
    assert "document.cookie" not in text and "<script>alert('xss')</script>" in text
    raw = shown.content.decode("utf-8")
    # In the body the markup only ever appears inside a JSON string, quotes escaped.
    assert json.dumps(text, ensure_ascii=False) in raw
    assert len(shown.json()["targets"]) == 2


def test_a_plan_with_no_targets_is_stored_with_zero_targets_and_a_warning(app: Api) -> None:
    notice = "关于召开2023年工作会议的通知\n请各单位于3月5日前报送材料。会议地点另行通知。"
    response = _upload(app, "notice.txt", notice.encode())
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["targets"] == []
    codes = [w["code"] for w in plan["warnings"]]
    assert codes == ["no_targets"], plan["warnings"]
    warning = plan["warnings"][0]
    assert "目标" in warning["message_zh"] and "target" in warning["message_en"]
    assert _plans(app) == 1


@pytest.mark.parametrize(
    ("region", "code"),
    [("火星市", "unknown_region"), ("不存在县", "unknown_region"), ("朝阳区", "ambiguous_region")],
)
def test_a_plan_for_a_region_that_does_not_exist_is_422_naming_the_region_field(
    app: Api, region: str, code: str
) -> None:
    for response in (
        _upload(app, "cx.txt", COUNTY_SENTENCE.encode(), region=region),
        app.client.post(
            "/plans/text",
            json={"region": region, "period": "2023", "text": COUNTY_SENTENCE},
            headers=app.auth("submitter"),
        ),
    ):
        body = assert_problem(response, 422, code, "region")
        assert region in body["message_zh"] and region in body["message_en"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message_zh"].replace(region, ""))
    assert _plans(app) == 0
    _still_serving(app)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.one_of(
        st.binary(max_size=2_000),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.text(max_size=300).map(lambda t: t.encode("gb18030", "ignore")),
    ),
    name=st.sampled_from(["a.txt", "a.html", "a.docx", "a.pdf", "a", "a.xlsx", "a.TXT"]),
)
def test_any_bytes_under_any_name_are_stored_or_refused_with_a_problem_never_a_500(
    build_api: BuildApi, data: bytes, name: str
) -> None:
    api = _fuzz_api(build_api)
    response = _upload(api, name, data)
    assert response.status_code in (201, 413, 422), response.text
    if response.status_code != 201:
        assert_problem(response, response.status_code, field="file")
    else:
        assert response.json()["warnings"] is not None
    _still_serving(api)


_FUZZ: dict[str, Api] = {}


def _fuzz_api(build_api: BuildApi) -> Api:
    """One app for all hypothesis examples (the fixture is function-scoped; examples are not)."""
    key = str(id(build_api))
    if key not in _FUZZ:
        _FUZZ.clear()
        _FUZZ[key] = build_api(max_upload_bytes=LIMIT, raise_server_exceptions=False, write_rate_per_minute=0)
    return _FUZZ[key]
