"""Ingestion: plan files (.txt, .docx, .doc/.wps, .pdf, .ofd, .html, scans and screenshots)
in, one frozen ``Document`` out.

Everything downstream points into ``Document.text`` by character offsets, so ingestion keeps
that text as close to the original as the format allows and never edits it afterwards: page
furniture and injected spam are reported (``furniture_lines``, ``injected_term`` warnings),
not removed. Every failure caused by the input is an ``IngestError`` with a stable code and a
bilingual message naming the file, and every reader is held to the same ``Limits``.
"""

from rulesengine.ingest.document import Document, Format, TextBox
from rulesengine.ingest.errors import ERROR_CODES, ErrorCode, IngestError
from rulesengine.ingest.furniture import furniture_lines
from rulesengine.ingest.limits import DEFAULT_LIMITS, Limits, OcrProgress, ProgressHook
from rulesengine.ingest.reader import MAX_BYTES, read_bytes, read_document
from rulesengine.ingest.sniff import SUPPORTED_EXTENSIONS
from rulesengine.ingest.spam import find_injected_terms

__all__ = [
    "DEFAULT_LIMITS",
    "ERROR_CODES",
    "MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "Document",
    "ErrorCode",
    "Format",
    "IngestError",
    "Limits",
    "OcrProgress",
    "ProgressHook",
    "TextBox",
    "find_injected_terms",
    "furniture_lines",
    "read_bytes",
    "read_document",
]
