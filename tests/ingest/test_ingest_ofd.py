"""OFD packages: text in reading order from positioned glyphs, boxes back to the page, and
hostile or broken packages refused before anything is inflated."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable

import pytest

from rulesengine.ingest import IngestError, read_bytes
from rulesengine.ingest.limits import Limits
from tests.ingest.gold import found_share, score_against_gold
from tests.ingest.ofd_package import Glyphs, ofd_package, typeset_ofd

CIXI = "cixi-2023-jingxin-gongzuo-silu.txt"


def _characters(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def cixi_ofd(cixi_text: str) -> bytes:
    return ofd_package(typeset_ofd(cixi_text))


def test_the_cixi_plan_as_an_ofd_reads_back_every_character_in_order(cixi_ofd: bytes, cixi_text: str) -> None:
    document = read_bytes(cixi_ofd, "cixi.ofd")
    assert document.format == "ofd"
    assert _characters(document.text) == _characters(cixi_text)


def test_wrapped_lines_of_an_ofd_page_are_joined_into_their_paragraphs(
    cixi_ofd: bytes, cixi_text: str
) -> None:
    lines = read_bytes(cixi_ofd, "cixi.ofd").text.split("\n")
    whole = "规上工业增加值增长6%、力争10%,规下工业增加值增长7%、力争10%,制造业投资增长10%、力争38%"
    assert any(whole in line for line in lines)
    assert "(二)致力增量提质,推进平台产业高质量发展。一是开展制造业产业发展定位研究。" in lines


def test_the_cixi_ofd_yields_every_gold_target_of_the_plain_text(cixi_ofd: bytes, cixi_text: str) -> None:
    result = score_against_gold(read_bytes(cixi_ofd, "cixi.ofd").text, cixi_text)
    assert found_share(result) == 1.0, [(m.indicator, m.quote) for m in result.missed]
    assert result.precision == 1.0, [(s.indicator, s.quote) for s in result.spurious]


def test_glyphs_stored_one_object_each_in_shuffled_order_are_read_in_reading_order(
    cixi_text: str, cixi_ofd: bytes
) -> None:
    shuffled = ofd_package(typeset_ofd(cixi_text), per_glyph=True, shuffle=True, absolute_paths=True)
    assert read_bytes(shuffled, "shuffled.ofd").text == read_bytes(cixi_ofd, "cixi.ofd").text


def test_a_quote_maps_back_to_its_page_and_box_in_millimetres(cixi_ofd: bytes) -> None:
    document = read_bytes(cixi_ofd, "cixi.ofd")
    quote = "淘汰落后产能企业50家以上"
    start = document.text.index(quote)
    boxes = document.locate(start, start + len(quote))
    assert boxes and {b.unit for b in boxes} == {"mm"}
    assert all(b.confidence is None for b in boxes)
    for box in boxes:
        assert 25 - 1e-6 <= box.x0 < box.x1 <= 185 + 1e-6 and 25 <= box.y0 < box.y1 <= 272
        assert document.text[box.start : box.end] in document.text[start - 200 : start + 200]
    pages = [b.page for b in read_bytes(cixi_ofd, "cixi.ofd").boxes]
    assert pages == sorted(pages) and pages[-1] > 1


def test_a_template_page_letterhead_is_furniture_and_left_out(cixi_text: str) -> None:
    data = ofd_package(typeset_ofd(cixi_text), template="慈溪市经济和信息化局文件")
    assert "慈溪市经济和信息化局文件" not in read_bytes(data, "cixi.ofd").text


def test_deltax_shorthand_g_repeats_an_advance() -> None:
    line = Glyphs(25.0, 30.0, 4.0, "坚定不移推动制造业高质量", (), delta_x="g 10 4 2")
    document = read_bytes(ofd_package([[line]]), "g.ofd")
    assert document.text == "坚定不移推动制造业高质量"
    [box] = document.boxes
    # ten advances of 4 mm, one of 2, then the last character itself (4 mm wide)
    assert box.x0 == pytest.approx(25.0) and box.x1 == pytest.approx(25.0 + 10 * 4 + 2 + 4)


# -- refused ----------------------------------------------------------------------------------------


def _with_member(ofd: bytes, name: str, size: int) -> bytes:
    buffer = io.BytesIO(ofd)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w") as member:
        for _ in range(size // (1024 * 1024)):
            member.write(b"\x00" * (1024 * 1024))
    return buffer.getvalue()


def test_an_ofd_zip_bomb_is_refused_before_anything_is_inflated(cixi_ofd: bytes) -> None:
    bomb = _with_member(cixi_ofd, "Doc_0/Res/image_1.png", 20 * 1024 * 1024)
    assert len(bomb) < 100_000
    started = time.perf_counter()
    with pytest.raises(IngestError) as caught:
        read_bytes(bomb, "bomb.ofd")
    assert time.perf_counter() - started < 1.0
    error = caught.value
    assert error.code == "zip_bomb"
    assert str(error).startswith("bomb.ofd: 疑似压缩炸弹,拒绝解压:其中 Doc_0/Res/image_1.png 压缩比")


def test_an_ofd_that_unpacks_past_the_total_limit_is_refused(cixi_ofd: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(cixi_ofd, "big.ofd", limits=Limits(max_unpacked_bytes=10_000))
    assert caught.value.code == "zip_bomb" and "超过上限" in caught.value.message_zh


def test_an_ofd_with_too_many_members_is_refused(cixi_ofd: bytes) -> None:
    buffer = io.BytesIO(cixi_ofd)
    with zipfile.ZipFile(buffer, "a") as zf:
        for i in range(60):
            zf.writestr(f"Doc_0/Res/{i}.xml", "<x/>")
    with pytest.raises(IngestError) as caught:
        read_bytes(buffer.getvalue(), "many.ofd", limits=Limits(max_members=50))
    assert caught.value.code == "zip_bomb" and "个文件,过多" in caught.value.message_zh


def test_an_ofd_with_entity_declarations_is_refused_before_parsing() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'><ofd:DocBody><ofd:DocRoot>&lol2;</ofd:DocRoot>"
        "</ofd:DocBody></ofd:OFD>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("OFD.xml", laughs)
    with pytest.raises(IngestError) as caught:
        read_bytes(buffer.getvalue(), "laughs.ofd")
    assert caught.value.code == "unreadable" and "DOCTYPE" in caught.value.message_zh


def test_a_truncated_ofd_is_refused_as_damaged_naming_the_file(cixi_ofd: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(cixi_ofd[: len(cixi_ofd) // 2], "cut.ofd")
    assert caught.value.code == "unreadable"
    assert str(caught.value).startswith("cut.ofd: 无法读取 .ofd:文件已损坏")


def test_a_zip_without_ofd_xml_is_refused_as_not_an_ofd() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "规上工业")
    with pytest.raises(IngestError) as caught:
        read_bytes(buffer.getvalue(), "plan.ofd")
    assert caught.value.code == "unreadable" and "OFD.xml" in caught.value.message_zh


def test_an_ofd_whose_page_content_is_missing_names_the_page(cixi_ofd: bytes) -> None:
    source = zipfile.ZipFile(io.BytesIO(cixi_ofd))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for item in source.infolist():
            if item.filename != "Doc_0/Pages/Page_1/Content.xml":
                zf.writestr(item, source.read(item))
    with pytest.raises(IngestError) as caught:
        read_bytes(buffer.getvalue(), "holes.ofd")
    assert caught.value.code == "unreadable"
    assert "第 2 页的内容 Doc_0/Pages/Page_1/Content.xml 不存在" in caught.value.message_zh


def test_an_ofd_holding_no_text_is_refused_as_having_no_text_layer() -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(ofd_package([[], []]), "scan.ofd")
    assert caught.value.code == "no_text_layer"
    assert "OFD 共 2 页,但里面没有文字" in caught.value.message_zh


def test_an_ofd_over_the_page_limit_is_refused(cixi_ofd: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(cixi_ofd, "long.ofd", limits=Limits(max_pages=2))
    assert caught.value.code == "too_large" and "超过上限 2 页" in caught.value.message_zh


def test_an_ofd_and_a_docx_under_each_others_names_are_format_mismatches(
    cixi_ofd: bytes, make_docx: Callable[..., bytes]
) -> None:
    with pytest.raises(IngestError) as as_docx:
        read_bytes(cixi_ofd, "plan.docx")
    assert as_docx.value.code == "format_mismatch" and "OFD" in as_docx.value.message_zh
    with pytest.raises(IngestError) as as_ofd:
        read_bytes(make_docx(["规上工业"], None, []), "plan.ofd")
    assert as_ofd.value.code == "format_mismatch" and "Word .docx" in as_ofd.value.message_zh
