"""A batch upload's files, zips, .meta.yaml and mapping tables become documents with metadata."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from rulesengine.bundle import BundleError, unpack
from rulesengine.plans import meta_from_heading


def zipped(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_documents_pair_with_their_meta_files_and_other_members_are_skipped_with_a_reason() -> None:
    bundle = unpack(
        [
            (
                "all.zip",
                zipped(
                    {
                        "慈溪/cixi.txt": "正文".encode(),
                        "慈溪/cixi.meta.yaml": "region: 慈溪市\nperiod: '2023'\n".encode(),
                        "孤儿.meta.yaml": b"region: x\n",
                        "__MACOSX/._cixi.txt": b"junk",
                        ".DS_Store": b"junk",
                        "inner.zip": zipped({"a.txt": b"a"}),
                        "logo.svg": b"<svg/>",
                    }
                ),
            )
        ]
    )
    assert [(f.name, f.meta, f.meta_source) for f in bundle.files] == [
        ("慈溪/cixi.txt", {"region": "慈溪市", "period": "2023"}, "meta")
    ]
    skipped = {s.name: s.reason_zh for s in bundle.skipped}
    assert set(skipped) == {"孤儿.meta.yaml", "inner.zip", "logo.svg"}
    assert "压缩包" in skipped["inner.zip"]


def test_a_zip_made_on_chinese_windows_keeps_its_member_names() -> None:
    # Windows' zip stores GBK names without the UTF-8 flag; write an ASCII placeholder of the
    # same byte length, then put the GBK bytes in its place in both headers.
    gbk = "慈溪.txt".encode("gbk")
    placeholder = b"x" * (len(gbk) - 4) + b".txt"
    data = zipped({placeholder.decode(): "正文".encode()}).replace(placeholder, gbk)
    assert [f.name for f in unpack([("县.zip", data)]).files] == ["慈溪.txt"]


def test_the_mapping_table_describes_documents_in_gbk_csv_or_in_excel() -> None:
    csv = "文件,行政区,规划期,标题\n甲.txt,慈溪市,2023,慈溪市经信局2023年工作思路\n".encode("gb18030")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["file", "region", "period"])
    sheet.append(["乙.docx", "余姚市", 2023])
    xlsx = io.BytesIO()
    book.save(xlsx)
    bundle = unpack([("清单.csv", csv), ("list.xlsx", xlsx.getvalue()), ("甲.txt", b"a"), ("乙.docx", b"b")])
    metas = {f.name: (f.meta, f.meta_source) for f in bundle.files}
    assert metas["甲.txt"] == (
        {"region": "慈溪市", "period": "2023", "title": "慈溪市经信局2023年工作思路"},
        "mapping",
    )
    assert metas["乙.docx"] == ({"region": "余姚市", "period": "2023"}, "mapping")


def test_a_table_row_overrides_the_meta_file_field_by_field() -> None:
    bundle = unpack(
        [
            ("a.txt", b"a"),
            ("a.meta.yaml", "region: 慈溪市\nperiod: '2023'\ntitle: 旧标题\n".encode()),
            ("map.csv", "文件,规划期\na.txt,2024\n".encode()),
        ]
    )
    assert bundle.files[0].meta == {"region": "慈溪市", "period": "2024", "title": "旧标题"}


@pytest.mark.parametrize(
    ("uploads", "words", "line"),
    [
        ([("a.zip", b"PK\x03\x04garbage")], "不是有效的 zip", None),
        ([("m.csv", "文件,行政区\na.txt,慈溪市\na.txt,余姚市\n".encode())], "出现两次", 3),
        ([("m.csv", "文件,行政区\n,慈溪市\n".encode())], "没有文件名", 2),
        ([("a.txt", b"a"), ("a.meta.yaml", b"region: [\n")], "YAML", None),
        ([("a.txt", b"a"), ("a.meta.yaml", b"colour: red\n")], "colour", None),
        ([("b.zip", zipped({"a.txt": b"\x00" * (2 * 1024 * 1024)}))], "压缩比", None),
    ],
)
def test_an_unusable_archive_or_table_is_refused_naming_it(
    uploads: list[tuple[str, bytes]], words: str, line: int | None
) -> None:
    with pytest.raises(BundleError) as caught:
        unpack(uploads)
    assert words in str(caught.value) and " / " in str(caught.value)
    assert caught.value.line == line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("慈溪市经信局2023年工作思路\n正文", {"region": "330282", "period": "2023"}),
        ("宁波市慈溪市经济和信息化局\n2023年工作要点\n", {"region": "330282", "period": "2023"}),
        ("浙江省数字经济发展“十四五”规划\n", {"region": "330000", "period": "2021-2025"}),
        ("湖北省制造业高质量发展2021—2025年行动方案\n", {"region": "420000", "period": "2021-2025"}),
        ("鼓楼区2024年工作要点\n", {}),  # 鼓楼区 is in four cities: not guessed
        ("2023年工作要点\n正文提到慈溪市。\n", {}),  # a region in the body does not count
        ("慈溪市经信局工作思路\n" + "正文\n" * 10 + "2023年", {}),  # a year far below does not
    ],
)
def test_the_heading_gives_region_and_period_only_when_its_first_lines_name_both(
    text: str, expected: dict[str, str]
) -> None:
    assert meta_from_heading(text) == expected


def test_a_corrupt_member_or_a_bomb_split_over_many_zips_is_refused_naming_it() -> None:
    good = zipped({"a.txt": "正文".encode() * 1000})
    corrupt = bytearray(good)
    at = corrupt.index(b"a.txt") + len(b"a.txt") + 10  # inside the deflated data
    corrupt[at : at + 20] = b"\xff" * 20
    with pytest.raises(BundleError) as caught:
        unpack([("坏.zip", bytes(corrupt))])
    assert "坏.zip/a.txt" in str(caught.value)

    from rulesengine.ingest import Limits

    small = Limits(max_unpacked_bytes=3 * 1024 * 1024)
    import random

    part = zipped({"x.txt": random.Random(1).randbytes(1024 * 1024 + 1)})  # each alone within the limit
    with pytest.raises(BundleError) as caught:
        unpack([(f"{i}.zip", part) for i in range(4)], limits=small)
    assert "上传" in caught.value.message_zh and "whole upload" in caught.value.message_en


def test_an_empty_field_in_a_meta_file_is_absent_not_the_word_none() -> None:
    bundle = unpack([("a.txt", b"a"), ("a.meta.yaml", b"region:\nperiod: '2023'\n")])
    assert bundle.files[0].meta == {"period": "2023"}
