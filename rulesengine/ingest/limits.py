"""How much work one document may cost, in one place, so every format is held to the same.

A reviewer's upload runs inside a request worker, and a careless or hostile file can make any
reader work far longer than its size suggests: a zip that inflates a thousandfold, a scan of
five hundred pages, an image of a billion pixels, an old Word file that makes an external tool
spin. Each reader checks the limit that bounds its own cost *before* doing the costly part, and
refuses with an ``IngestError`` naming the file and the limit; nothing is half-read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

__all__ = ["DEFAULT_LIMITS", "MAX_BYTES", "Limits", "OcrProgress", "ProgressHook"]

MAX_BYTES: Final = 5 * 1024 * 1024
"""Default size limit. The longest real plan in the corpus is 24 KB of text; 5 MiB leaves room
for a .docx or .pdf with images while keeping a careless upload from tying up a worker."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits a read is held to; ``Limits()`` are the defaults the service and CLI use."""

    max_bytes: int = MAX_BYTES
    max_pages: int = 2_000
    """Pages a text-layer PDF or an OFD may have; real plans have tens."""
    max_ocr_pages: int = 30
    """Pages (or screenshot slices) OCR may read. A full A4 page takes about 10 s here
    (bench/ocr.py), so 30 pages is some five minutes; a county plan scans to 5-20 pages, and a
    500-page scan is an archive, not a plan."""
    max_ocr_seconds: float = 480.0
    """Wall time OCR may take for one document, checked between pages: the page limit at a
    page's usual cost, with room for a busy machine."""
    max_pixels: int = 80_000_000
    """Pixels of one image (a long screenshot of 1080 x 60000 is 65 Mpx), checked from the
    header before the image is decoded, so an image bomb never reaches memory."""
    max_unpacked_bytes: int = 200 * 1024 * 1024
    """Total declared size of a zip's members (.docx, .ofd)."""
    max_members: int = 10_000
    max_compression_ratio: int = 100
    """Deflated XML reaches about 10-20x; hundreds-fold is a bomb (checked on members > 1 MiB)."""
    tool_seconds: float = 30.0
    """Time an external reader (catdoc for .doc/.wps) may run; it reads a 5 MiB file in well
    under a second, so running out means it is stuck on the input."""


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True, slots=True)
class OcrProgress:
    """One OCR page done: what a progress bar or a log line needs."""

    file: str
    page: int
    """1-based number of the page (or screenshot slice) just read."""
    pages: int
    seconds: float
    """Time spent on OCR for this document so far."""


ProgressHook = Callable[[OcrProgress], None]
