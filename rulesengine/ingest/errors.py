"""The one exception ingestion raises, so callers can show bad input without a traceback.

Every failure a user can cause with a file (wrong format, empty, binary, too large, a zip bomb,
a scan without text) becomes an ``IngestError`` carrying a stable ``code`` for programs and a
bilingual explanation for people. Chinese comes first because the reviewers read Chinese; the
English half is for logs and for maintainers.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["ERROR_CODES", "ErrorCode", "IngestError", "format_size"]

ErrorCode = Literal[
    "not_found",
    "unsupported_format",
    "format_mismatch",
    "too_large",
    "empty",
    "binary",
    "zip_bomb",
    "unreadable",
    "encrypted",
    "no_text_layer",
]

ERROR_CODES: Final[tuple[ErrorCode, ...]] = (
    "not_found",
    "unsupported_format",
    "format_mismatch",
    "too_large",
    "empty",
    "binary",
    "zip_bomb",
    "unreadable",
    "encrypted",
    "no_text_layer",
)


class IngestError(Exception):
    """A document could not be read; ``str()`` is ``"file: 中文说明 / English explanation"``."""

    file: str
    code: ErrorCode
    message_zh: str
    message_en: str

    def __init__(self, file: str, code: ErrorCode, message_zh: str, message_en: str) -> None:
        self.file = file
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{file}: {message_zh} / {message_en}")

    def __reduce__(self) -> tuple[type[IngestError], tuple[str, ErrorCode, str, str]]:
        # Exceptions pickle through their args; ours has four, so say so (worker processes).
        return (type(self), (self.file, self.code, self.message_zh, self.message_en))


def format_size(n: int) -> str:
    """A byte count the way people read it, keeping the exact figure: ``6.0 MiB (6,291,456 B)``."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB ({n:,} B)"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB ({n:,} B)"
    return f"{n:,} B"
