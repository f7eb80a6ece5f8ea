"""Fixtures for the reviewer pages: an app with a token per role, a signed-in test client, and
for the browser tests a live server (uvicorn in a thread) plus Debian's chromium via Playwright.

The browser is the system's ``/usr/bin/chromium`` (``apt-get install chromium fonts-noto-cjk``),
never a Playwright download. Without it, or without the ``playwright`` package, browser tests
skip on a laptop but FAIL under ``CI=true``, so a CI machine cannot silently stop testing pages.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import Role, issue_token
from api.main import create_app
from api.settings import Settings, sqlite_url

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
PLANS_DIR = ROOT / "examples" / "plans"
CIXI_2023 = PLANS_DIR / "cixi-2023-jingxin-gongzuo-silu.txt"
ZHEJIANG_2023 = PLANS_DIR / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

NAMES = {Role.submitter: "李四", Role.reviewer: "张三", Role.admin: "王五"}


@dataclass
class WebApp:
    """An app on a fresh SQLite file and one token per role."""

    app: FastAPI
    tokens: dict[Role, str]

    def session(self) -> Session:
        return Session(self.app.state.engine)


def make_web_app(db: Path) -> WebApp:
    app = create_app(Settings(database_url=sqlite_url(db)))
    tokens: dict[Role, str] = {}
    with Session(app.state.engine) as session:
        for role, name in NAMES.items():
            _, tokens[role] = issue_token(session, name=name, role=role, created_by="test")
        session.commit()
    return WebApp(app, tokens)


@pytest.fixture
def web_app(tmp_path: Path) -> WebApp:
    return make_web_app(tmp_path / "planalign.db")


CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Browsing:
    """A TestClient signed in as one person, with the CSRF token its forms carry."""

    client: TestClient
    csrf: str
    web: WebApp

    def upload(self, name: str, text: str | bytes, *, expect: int = 303, **fields: str) -> Any:
        data = {"csrf": self.csrf, **fields}
        body = text.encode("utf-8") if isinstance(text, str) else text
        response = self.client.post(
            "/web/plans", data=data, files={"file": (name, body, "text/plain")}, follow_redirects=False
        )
        assert response.status_code == expect, response.text[:2000]
        return response


def sign_in(client: TestClient, token: str) -> str:
    """Sign in through the form; returns the CSRF token of the new session."""
    response = client.post("/web/login", data={"token": token, "next": "/web/plans"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/web/plans")
    assert page.status_code == 200
    found = CSRF_RE.search(page.text)
    assert found is not None
    return found.group(1)


@pytest.fixture
def browsing(web_app: WebApp) -> Iterator[Browsing]:
    """The reviewer 张三 (who may also upload and run checks), signed in."""
    with TestClient(web_app.app) as client:
        yield Browsing(client, sign_in(client, web_app.tokens[Role.reviewer]), web_app)


# -- browser ---------------------------------------------------------------------------------


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(message: str) -> NoReturn:
    if in_ci():
        pytest.fail(message + " — CI=true, so the browser tests must not be skipped")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    url: str
    web: WebApp


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served by uvicorn on 127.0.0.1 in a thread, for one test module."""
    web = make_web_app(tmp_path_factory.mktemp("web") / "planalign.db")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-web-tests", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start for the browser tests")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", web)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (no browser download, ever)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed: pip install playwright")
    if not CHROMIUM.exists():
        _unavailable(
            f"{CHROMIUM} not found: install it with "
            "`apt-get install -y --no-install-recommends chromium fonts-noto-cjk` (make system-deps)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) per test, sized like a laptop screen."""
    ctx = chromium.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True, locale="zh-CN")
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


def browser_sign_in(page: Page, server: LiveServer, role: Role = Role.reviewer) -> None:
    page.goto(f"{server.url}/web/login")
    page.fill("#token", server.web.tokens[role])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/web/plans$"))


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
