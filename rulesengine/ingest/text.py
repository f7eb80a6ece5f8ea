"""Turning the bytes of a plain-text plan into ``str`` without changing a character.

Chinese government pages are saved as UTF-8, GBK/GB2312 or GB18030, and detectors guess wrong
on short GBK text (an 8-byte GBK string came back as UTF-16-BE), so the order is fixed: UTF-8
(with or without BOM), then GB18030 (a superset of GBK and GB2312, so it is always used in their
place), and only then charset-normalizer. Two traps shape the code:

* UTF-8 Chinese usually decodes *without error* as GB18030 mojibake, so a UTF-8 file with one
  pasted GBK fragment must not fall through to GB18030. When most non-ASCII bytes are valid
  UTF-8 we keep UTF-8, replace the bad runs with U+FFFD and say so in a ``mixed_encoding``
  warning instead of failing or garbling the whole plan.
* Binary files (a renamed .xls, an image) must fail as ``binary``, not become noise that later
  stages try to read targets from.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Final

from charset_normalizer import from_bytes

from rulesengine.ingest.errors import IngestError
from rulesengine.model import PlanWarning

__all__ = ["DecodedText", "decode_text", "widen_encoding"]

# Share of non-ASCII bytes that may be invalid before we stop calling a file "mostly X".
_MOSTLY_DECODES: Final = 0.5
# Control bytes that never occur in text (everything below 0x20 except \t \n \v \f \r and ESC).
_CONTROL_BYTES: Final = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_MAX_CONTROL_SHARE: Final = 0.01
_MAX_ODD_CHAR_SHARE: Final = 0.02
_ASCII_BYTES: Final = bytes(range(0x80))
_ESCAPED_RUN: Final = re.compile("[\udc80-\udcff]+")
# Controls (C0 but whitespace/ESC, DEL, C1), surrogates and the BMP private-use area: what a
# binary file decoded by a lenient codec turns into, and what no plan contains.
_ODD_CHAR: Final = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff]")
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDER: Final = {"gbk": "gb18030", "gb2312": "gb18030", "hz": "gb18030", "cp936": "gb18030"}


@dataclass(frozen=True, slots=True)
class DecodedText:
    """The decoded text, the codec that produced it, and any non-fatal oddities."""

    text: str
    encoding: str
    warnings: tuple[PlanWarning, ...] = ()


def widen_encoding(name: str) -> str:
    """Canonical codec name, with GBK and GB2312 widened to GB18030.

    GB2312 lacks characters that real plans use (e.g. 堃, 镕 in names); GB18030 decodes every
    GBK/GB2312 byte sequence the same way and more, so the wider codec is never wrong.
    """
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return name
    return _WIDER.get(canonical, canonical)


def decode_text(data: bytes, file: str, declared: str | None = None) -> DecodedText:
    """Decode a text file's bytes; raise ``IngestError`` (empty/binary) when it is not text.

    ``declared`` is an encoding the file names itself (an HTML ``<meta charset>``). It is used
    when the bytes decode cleanly with it; pages often lie about it, so otherwise the usual
    order applies.
    """
    if not data.strip():
        raise _empty(file)
    bom = _bom_encoding(data)
    if bom is not None and bom != "utf-8-sig":
        # UTF-16/32 (Windows Notepad's "Unicode") legitimately contain NUL bytes.
        return _checked(file, _decode_strict_or_binary(data, bom, file), bom, ())
    _refuse_binary_bytes(data, file)
    if declared is not None and bom is None:
        encoding = widen_encoding(declared)
        try:
            return _checked(file, data.decode(encoding), encoding, ())
        except (UnicodeDecodeError, LookupError):
            pass

    utf8 = _try_mostly(data, "utf-8-sig")
    if utf8 is not None:
        text, bad = utf8
        encoding = "utf-8-sig" if bom == "utf-8-sig" else "utf-8"
        return _checked(file, text, encoding, _mixed(text, bad, encoding))
    gb = _try_mostly(data, "gb18030")
    if gb is not None:
        text, bad = gb
        return _checked(file, text, "gb18030", _mixed(text, bad, "gb18030"))
    return _guess(data, file)


def _bom_encoding(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def _decode_strict_or_binary(data: bytes, encoding: str, file: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _binary(file, f"不是有效的 {encoding} 文本", f"not valid {encoding} text") from exc


def _refuse_binary_bytes(data: bytes, file: str) -> None:
    """NUL bytes or many control bytes mean a binary file, whatever its name says."""
    if b"\x00" in data:
        raise _binary(file, "含有 NUL 字节", "it contains NUL bytes")
    controls = len(data) - len(data.translate(None, delete=_CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(data):
        raise _binary(
            file,
            f"控制字符占比过高({controls}/{len(data)} 字节)",
            f"too many control bytes ({controls} of {len(data)})",
        )


def _try_mostly(data: bytes, encoding: str) -> tuple[str, int] | None:
    """Decode strictly, or with replacement when most non-ASCII bytes are valid.

    Returns the text and the number of bytes that had to be replaced (0 for a clean decode),
    or ``None`` when too much is invalid for this codec to be the file's encoding.
    """
    try:
        return data.decode(encoding), 0
    except UnicodeDecodeError:
        pass
    escaped = data.decode(encoding, errors="surrogateescape")
    bad = sum(len(m.group()) for m in _ESCAPED_RUN.finditer(escaped))
    non_ascii = len(data.translate(None, delete=_ASCII_BYTES))
    if non_ascii == 0 or bad / non_ascii >= _MOSTLY_DECODES:
        return None
    return _ESCAPED_RUN.sub("\ufffd", escaped), bad


def _mixed(text: str, bad: int, encoding: str) -> tuple[PlanWarning, ...]:
    if bad == 0:
        return ()
    first = text.index("\ufffd")
    return (
        PlanWarning(
            code="mixed_encoding",
            message_zh=(
                f"文件主要是 {encoding} 编码,但有 {bad} 个字节无法按此编码解读"
                f"(可能混入了其他编码的片段),已替换为 “\ufffd”;首处在第 {first} 个字符。"
                "请核对原文。"
            ),
            message_en=(
                f"The file is mostly {encoding}, but {bad} bytes are not valid {encoding} "
                f"(probably a fragment in another encoding); they were replaced with U+FFFD, "
                f"first at character {first}. Check against the original."
            ),
            start=first,
            end=first + 1,
        ),
    )


def _guess(data: bytes, file: str) -> DecodedText:
    """Last resort: let charset-normalizer name the codec, and warn that it was a guess."""
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise _binary(file, "无法识别文字编码", "no text encoding fits it")
    encoding = widen_encoding(best.encoding)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise _binary(file, "无法识别文字编码", "no text encoding fits it") from exc
    warning = PlanWarning(
        code="guessed_encoding",
        message_zh=f"文件既不是 UTF-8 也不是 GB18030/GBK,按推测的编码 {encoding} 解读,请核对。",
        message_en=f"The file is neither UTF-8 nor GB18030/GBK; decoded as {encoding} by "
        "guessing. Check the text.",
    )
    return _checked(file, text, encoding, (warning,))


def _checked(file: str, text: str, encoding: str, warnings: tuple[PlanWarning, ...]) -> DecodedText:
    """Refuse whitespace-only text and text that is mostly unprintable (a mis-decoded binary)."""
    if not text.strip():
        raise _empty(file)
    odd = len(_ODD_CHAR.findall(text))
    if odd > _MAX_ODD_CHAR_SHARE * len(text):
        raise _binary(
            file,
            f"按 {encoding} 解码后仍有大量不可打印字符",
            f"decoded as {encoding} it is still mostly unprintable",
        )
    return DecodedText(text=text, encoding=encoding, warnings=warnings)


def _empty(file: str) -> IngestError:
    return IngestError(
        file,
        "empty",
        "文件是空的(或只有空白字符),没有可检查的规划文本",
        "the file is empty (or whitespace only): there is no plan text to check",
    )


def _binary(file: str, why_zh: str, why_en: str) -> IngestError:
    return IngestError(
        file,
        "binary",
        f"这不是文本文件:{why_zh}。请上传 .txt(UTF-8 或 GBK)、.docx、.pdf 或 .html 文件",
        f"this is not a text file: {why_en}. Upload a .txt (UTF-8 or GBK), .docx, .pdf or .html file",
    )
