"""Reviewer web pages (Chinese, server-rendered) on top of the service layer.

``install(app)`` is the one call ``api.main.create_app`` makes: it adds the pages under
``/web``, their static files (the stylesheet and a vendored htmx, so nothing is fetched from a
CDN on an offline machine) under ``/web/static``, a redirect from ``/`` to the plans list, and
the signer for session cookies. The JSON API is untouched.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.web.batches import router as batch_router
from api.web.session import SessionSigner, secret_from_env
from api.web.views import PREFIX, router

__all__ = ["STATIC_DIR", "install"]

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install(app: FastAPI, *, secret: bytes | None = None) -> None:
    """Add the pages, their static files and the session signer to ``app``.

    ``secret`` signs session cookies; by default ``PLANALIGN_SESSION_SECRET`` or a random one.
    """
    app.state.web_signer = SessionSigner(secret or secret_from_env())
    app.include_router(router)
    app.include_router(batch_router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="web-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        """People who open the bare address want the pages, not a 404 in JSON."""
        return RedirectResponse(f"{PREFIX}/plans", status_code=303)
