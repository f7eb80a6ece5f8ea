"""OCR of scanned pages and screenshots, with RapidOCR's PP-OCRv4 models (shipped in the wheel).

Why this engine: ``rapidocr-onnxruntime`` carries its detection, direction and recognition
models inside the package (16 MB), so nothing is downloaded at run time — the service runs on
networks that reach only package registries — and it reads Chinese print well. It is an
optional extra (``pip install 'planalign[ocr]'``: onnxruntime, OpenCV and NumPy, about 230 MB);
without it a scan is refused as ``no_text_layer`` with that advice.

Why per character: the recogniser's per-character confidences and boxes are kept (its
``return_word_box`` output), so the layout step can drop a character two overlapping boxes
both read, and every character below ``LOW_CONFIDENCE_BELOW`` becomes a span a reviewer is told
to check against the page.

Costs are bounded before they are paid: the page (or slice) count against
``Limits.max_ocr_pages`` before the first page is read, the pixels of an image against
``Limits.max_pixels`` from its header, and the time against ``Limits.max_ocr_seconds`` after
every page. A blank page (a separator sheet) is recognised by its flat pixels and skipped.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from rulesengine.ingest.errors import IngestError
from rulesengine.ingest.layout import Glyph, LaidOut, Run, assemble
from rulesengine.ingest.limits import Limits, OcrProgress, ProgressHook
from rulesengine.model import PlanWarning

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "LOW_CONFIDENCE_BELOW",
    "OcrPage",
    "OcrText",
    "check_ocr_pages",
    "ocr_available",
    "ocr_pages",
    "ocr_text",
    "ocr_warnings",
    "read_image",
    "require_ocr",
]

log = logging.getLogger(__name__)

LOW_CONFIDENCE_BELOW: Final = 0.8
"""Characters (not punctuation) the recogniser gave less than this are flagged. A hint, not a
guarantee: on the 慈溪 scan (3,868 characters at 150 dpi) 83 % scored 0.99 or more and 39 under
0.8 — most of them punctuation whose full or half width it could not tell, and 目 — while its
real misreadings (— read as 一, 着 as 看) scored high. A cut glyph two boxes share scores
0.3-0.7, and the layout drops it in favour of the other box's reading."""
MAX_SIDE: Final = 2000
"""RapidOCR shrinks anything longer than this before detection, which blurs small text: pages
are rendered and screenshots sliced so no side exceeds it."""
PAGE_DPI: Final = 150
"""Scanned PDF pages are rendered at this resolution: 16 pt body text is 33 px high."""
_SLICE_RATIO: Final = 1.4
"""A long screenshot is cut into slices at most this many times as tall as wide (A4-like)."""
_BLANK_STD: Final = 2.0
_DETECT_MIN: Final = 736
"""RapidOCR's detector scales a picture up until its short side is this long (``limit_side_len``)."""


def ocr_available() -> bool:
    """Whether the OCR extra is installed (checked without importing its 200 MB)."""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@dataclass(frozen=True, slots=True)
class OcrPage:
    """A page to read: its number, a way to render it, and page units per image pixel."""

    page: int
    render: Callable[[], Image]
    unit_per_px: float = 1.0
    y_offset: float = 0.0
    """Where the image's top lies on the page, in page units (slices of a screenshot)."""


@dataclass(frozen=True, slots=True)
class OcrText:
    """OCR'd text, its boxes and warnings (that OCR was used; where it was unsure)."""

    laid_out: LaidOut
    warnings: tuple[PlanWarning, ...]


def check_ocr_pages(file: str, pages: int, limits: Limits, *, image: bool = False) -> None:
    """Refuse before any page is read when there are more pages than OCR may read."""
    if pages > limits.max_ocr_pages:
        what_zh = f"图片切分后共 {pages} 页" if image else f"扫描件共 {pages} 页"
        what_en = f"the image cuts into {pages} pages" if image else f"the scan has {pages} pages"
        raise IngestError(
            file,
            "too_large",
            f"{what_zh},超过文字识别(OCR)上限 {limits.max_ocr_pages} 页;"
            "请提供带文字层的 PDF、.docx,或拆分后上传",
            f"{what_en}, over the OCR limit of {limits.max_ocr_pages}; provide a PDF with a text layer "
            "or a .docx, or split it",
        )


def ocr_pages(
    file: str,
    pages: Iterable[OcrPage],
    total: int,
    limits: Limits,
    progress: ProgressHook | None,
) -> list[Run]:
    """Runs of text on ``pages`` (``total`` of them), reporting progress after each page."""
    require_ocr(file)
    started = time.monotonic()
    runs: list[Run] = []
    for done, page in enumerate(pages, start=1):
        runs.extend(_recognise(page))
        seconds = time.monotonic() - started
        log.info("OCR %s: page %d/%d read, %.1f s so far", file, done, total, seconds)
        if progress is not None:
            progress(OcrProgress(file=file, page=done, pages=total, seconds=seconds))
        if seconds > limits.max_ocr_seconds and done < total:
            raise IngestError(
                file,
                "too_large",
                f"文字识别(OCR)用时超过上限 {limits.max_ocr_seconds:.0f} 秒(已识别 {done}/{total} 页);"
                "请提供带文字层的文件,或拆分后上传",
                f"OCR took over the {limits.max_ocr_seconds:.0f} s limit ({done} of {total} pages "
                "read); provide a file with a text layer, or split it",
            )
    return runs


def ocr_text(file: str, runs: list[Run], unit: Literal["px", "pt", "mm"], pages: int) -> OcrText:
    """Lay OCR runs out as text and say what a reviewer should know about it."""
    laid_out = assemble([runs], unit=unit, low_confidence=LOW_CONFIDENCE_BELOW)
    return OcrText(laid_out, ocr_warnings(laid_out, pages))


def ocr_warnings(laid_out: LaidOut, pages: int) -> tuple[PlanWarning, ...]:
    """One warning that the text was OCR'd, and one per span OCR was unsure of."""
    unsure = laid_out.doubtful
    summary = PlanWarning(
        code="ocr_text",
        message_zh=f"此文本由文字识别(OCR)从 {pages} 页图像中读出,可能有识别错误"
        + (f";其中 {len(unsure)} 处把握不大,已标出,引用这些位置的目标请对照原件核对。" if unsure else "。"),
        message_en=f"This text was read by OCR from {pages} page image(s) and may hold misreadings"
        + (
            f"; {len(unsure)} uncertain stretch(es) are marked: check targets quoted from them "
            "against the original."
            if unsure
            else "."
        ),
    )
    flagged = tuple(
        PlanWarning(
            code="ocr_low_confidence",
            message_zh=f"第 {page} 页此处识别把握不大:「{laid_out.text[start:end]}」,请对照原件核对。",
            message_en=f"OCR was unsure here on page {page}: {laid_out.text[start:end]!r}; "
            "check it against the page.",
            start=start,
            end=end,
        )
        for start, end, page in unsure
    )
    return (summary, *flagged)


def require_ocr(file: str) -> None:
    """Refuse a document that needs OCR where the OCR extra is not installed."""
    if not ocr_available():
        raise IngestError(
            file,
            "no_text_layer",
            "这是扫描件或图片,没有文字层,需要文字识别(OCR),但本机未安装 OCR 组件"
            "(pip install 'planalign[ocr]');请提供带文字层的 PDF、.docx 或 .txt",
            "this is a scan or an image without a text layer and needs OCR, which is not "
            "installed here (pip install 'planalign[ocr]'); provide a PDF with a text layer, "
            "a .docx or a .txt",
        )


def read_image(data: bytes, file: str, limits: Limits, progress: ProgressHook | None) -> OcrText:
    """The text of a picture of a plan (.png, .jpg): a photo of a page or a long screenshot."""
    require_ocr(file)
    image = _open_image(data, file, limits)
    slices = list(_slices(image))
    check_ocr_pages(file, len(slices), limits, image=True)
    pages = [OcrPage(1, _constant(piece), 1.0, top) for top, piece in slices]
    runs = ocr_pages(file, pages, len(pages), limits, progress)
    result = ocr_text(file, runs, "px", 1)
    if not result.laid_out.text.strip():
        raise IngestError(
            file,
            "no_text_layer",
            "图片里没有识别出文字(文字识别/OCR 未找到任何文字)",
            "no text was found in the image (OCR found nothing)",
        )
    return result


def _constant(image: Image) -> Callable[[], Image]:
    return lambda: image


def _open_image(data: bytes, file: str, limits: Limits) -> Image:
    from PIL import Image as PilImage
    from PIL import ImageOps, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", PilImage.DecompressionBombWarning)
        try:
            opened = PilImage.open(io.BytesIO(data))  # reads the header only
        except (PilImage.DecompressionBombError, PilImage.DecompressionBombWarning) as exc:
            raise _too_many_pixels(file, None, limits) from exc
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise IngestError(
                file, "unreadable", "无法读取图片:文件已损坏或不是图片", f"cannot read the image: {exc}"
            ) from exc
    if opened.width * opened.height > limits.max_pixels:
        raise _too_many_pixels(file, (opened.width, opened.height), limits)
    try:
        opened.load()
        image: Image = ImageOps.exif_transpose(opened) or opened
    except (OSError, ValueError, SyntaxError) as exc:  # truncated data, broken chunks
        raise IngestError(
            file,
            "unreadable",
            "无法读取图片:文件不完整或已损坏",
            f"cannot read the image: it is truncated or damaged ({exc})",
        ) from exc
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        flat = PilImage.new("RGB", rgba.size, "white")  # screenshots with transparency: text on white
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _too_many_pixels(file: str, size: tuple[int, int] | None, limits: Limits) -> IngestError:
    shown = f"{size[0]}×{size[1]} 像素" if size else "像素过多"
    shown_en = f"{size[0]}x{size[1]} pixels" if size else "too many pixels"
    return IngestError(
        file,
        "too_large",
        f"图片过大({shown}),超过上限 {limits.max_pixels:,} 像素",
        f"the image is too large ({shown_en}), over the {limits.max_pixels:,} pixel limit",
    )


def _slices(image: Image) -> Iterator[tuple[float, Image]]:
    """A long screenshot cut into page-like slices at blank rows, each with its top offset.

    Cutting through a line of text would garble it in both slices, so each cut is moved up to
    the nearest row with no ink; a wide image is first scaled so its width fits ``MAX_SIDE``.
    """
    import numpy as np

    if image.width > MAX_SIDE:
        scale = MAX_SIDE / image.width
        image = image.resize((MAX_SIDE, max(1, round(image.height * scale))))
    else:
        scale = 1.0
    tall = min(MAX_SIDE, max(800, round(_SLICE_RATIO * image.width)))
    if image.height <= tall:
        yield 0.0, image
        return
    ink = (np.asarray(image.convert("L")) < 160).sum(axis=1)
    top = 0
    while top < image.height:
        bottom = min(image.height, top + tall)
        if bottom < image.height:
            window = ink[top + tall // 2 : bottom]
            quiet = np.flatnonzero(window == window.min())
            bottom = top + tall // 2 + int(quiet[-1]) + 1
        yield top / scale, image.crop((0, top, image.width, bottom))
        top = bottom


_ENGINE: Any = None
_LOCK = threading.Lock()


def _engine() -> Any:
    """One recogniser per process (0.3 s to load); calls are serialised, as the engine object
    keeps per-call state."""
    global _ENGINE
    if _ENGINE is None:
        from rapidocr_onnxruntime import RapidOCR

        _ENGINE = RapidOCR(print_verbose=False)
    return _ENGINE


def _recognise(page: OcrPage) -> list[Run]:
    import numpy as np

    image = page.render()
    if float(np.asarray(image.convert("L")).std()) < _BLANK_STD:
        return []  # a blank sheet: nothing to read, and detection would take a second
    image = _padded(image)
    with _LOCK:
        result, _ = _engine()(image, use_cls=False, return_word_box=True)
    runs: list[Run] = []
    for item in result or ():
        box, text, score = item[0], str(item[1]), float(item[2])
        words = (item[3], item[4], item[5]) if len(item) >= 6 else None
        ys = [p[1] for p in box]
        xs = [p[0] for p in box]
        glyphs = _glyphs(text, score, words, min(xs), max(xs))
        k = page.unit_per_px
        runs.append(
            Run(
                page=page.page,
                glyphs=tuple(Glyph(g.char, g.x0 * k, g.x1 * k, g.confidence) for g in glyphs),
                y0=page.y_offset + min(ys) * k,
                y1=page.y_offset + max(ys) * k,
            )
        )
    return runs


def _padded(image: Image) -> Image:
    """A small picture with white added right and below up to ``_DETECT_MIN`` a side.

    The detector scales any picture whose short side is under 736 px up to that size: a
    1240 x 220 strip would be read at 4150 x 736, three times the work for no gain, while
    padding keeps the text at its own size and every coordinate where it was.
    """
    from PIL import Image as PilImage

    if min(image.size) >= _DETECT_MIN:
        return image
    canvas = PilImage.new("RGB", (max(image.width, _DETECT_MIN), max(image.height, _DETECT_MIN)), "white")
    canvas.paste(image, (0, 0))
    return canvas


def _glyphs(text: str, score: float, words: tuple[Any, Any, Any] | None, x0: float, x1: float) -> list[Glyph]:
    """Per-character glyphs from the recogniser's word boxes; spread evenly when it gave none
    that line up with the text (it returns none for a line it read as empty)."""
    if words is not None:
        boxes, chars, confidences = words
        if boxes and len(boxes) == len(chars) == len(confidences) and "".join(chars) == text.replace(" ", ""):
            return [
                Glyph(ch, float(min(p[0] for p in b)), float(max(p[0] for p in b)), float(c))
                for b, ch, c in zip(boxes, chars, confidences, strict=True)
            ]
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return []
    width = (x1 - x0) / len(chars)
    return [Glyph(ch, x0 + i * width, x0 + (i + 1) * width, score) for i, ch in enumerate(chars)]
