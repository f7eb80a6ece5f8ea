"""The new formats through the service's upload: a .doc and an .ofd stored with their targets;
a zip-bomb OFD, a truncated .doc and a 500-page scan refused as problems with nothing stored;
and the upload form offering every extension ingestion reads."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image

from rulesengine.ingest import SUPPORTED_EXTENSIONS
from tests.api.conftest import Api, api, assert_problem, make_api  # noqa: F401  (fixtures by name)
from tests.ingest.ofd_package import ofd_package, typeset_ofd

ROOT = Path(__file__).resolve().parents[2]
CIXI_DOC = ROOT / "tests" / "fixtures" / "documents" / "cixi-2023.doc"
CIXI_TEXT = (ROOT / "examples" / "plans" / "cixi-2023-jingxin-gongzuo-silu.txt").read_text(encoding="utf-8")


def _upload(api: Api, name: str, data: bytes) -> Any:  # noqa: F811  (api is the fixture's value)
    return api.client.post(
        "/plans",
        data={"region": "慈溪", "period": "2023", "title": "市经信局2023年工作思路"},
        files={"file": (name, data, "application/octet-stream")},
        headers=api.auth("submitter"),
    )


def _stored(api: Api) -> int:  # noqa: F811
    total: int = api.client.get("/plans", headers=api.auth("reviewer")).json()["total"]
    return total


def _bomb() -> bytes:
    buffer = io.BytesIO(ofd_package(typeset_ofd(CIXI_TEXT)))
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("Doc_0/Res/a.png", "w") as m,
    ):
        for _ in range(20):
            m.write(b"\x00" * (1024 * 1024))
    return buffer.getvalue()


def _scan_of_500_pages() -> bytes:
    pdf = pdfium.PdfDocument.new()
    grey = pdfium.PdfBitmap.from_pil(Image.new("RGB", (40, 60), (210, 210, 210)))
    for _ in range(500):
        page = pdf.new_page(595, 842)
        image = pdfium.PdfImage.new(pdf)
        image.set_bitmap(grey)
        image.set_matrix(pdfium.PdfMatrix().scale(595, 842))
        page.insert_obj(image)
        page.gen_content()
        page.close()
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [("慈溪2023.doc", CIXI_DOC.read_bytes()), ("慈溪2023.ofd", ofd_package(typeset_ofd(CIXI_TEXT)))],
    ids=["doc", "ofd"],
)
def test_a_plan_uploaded_as_doc_or_ofd_is_stored_with_its_targets(api: Api, name: str, data: bytes) -> None:  # noqa: F811
    response = _upload(api, name, data)
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["format"] == name.rsplit(".", 1)[1] and plan["source_name"] == name
    assert len(plan["targets"]) >= 31
    assert any(t["quote"] == "淘汰落后产能企业50家以上" for t in plan["targets"])


@pytest.mark.parametrize(
    ("name", "make", "status", "code"),
    [
        ("bomb.ofd", _bomb, 413, "ingest_zip_bomb"),
        ("cut.doc", lambda: CIXI_DOC.read_bytes()[:9000], 422, "ingest_unreadable"),
        ("archive.pdf", _scan_of_500_pages, 413, "ingest_too_large"),
    ],
    ids=["ofd-zip-bomb", "truncated-doc", "500-page-scan"],
)
def test_a_bad_file_of_a_new_format_is_a_clear_problem_and_nothing_is_stored(
    api: Api,  # noqa: F811
    name: str,
    make: Any,
    status: int,
    code: str,
) -> None:
    response = _upload(api, name, make())
    body = assert_problem(response, status, code, "file")
    assert body["message_zh"].startswith(f"{name}:") and body["message_en"].startswith(f"{name}: ")
    assert "Traceback" not in response.text
    assert _stored(api) == 0
    assert api.client.get("/health").json()["status"] == "ok"


def test_the_upload_form_accepts_exactly_the_extensions_ingestion_reads() -> None:
    page = (ROOT / "api" / "web" / "templates" / "plans.html").read_text(encoding="utf-8")
    [accept] = re.findall(r'<input id="file"[^>]*accept="([^"]+)"', page)
    assert accept.split(",") == list(SUPPORTED_EXTENSIONS)
