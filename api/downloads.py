"""What a file download says about itself: one ``Content-Disposition`` for the API and the pages."""

from __future__ import annotations

from urllib.parse import quote

__all__ = ["attachment"]


def attachment(name: str, fallback: str) -> str:
    """A download name in Chinese for browsers that read RFC 5987, ASCII for the rest."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
