"""Fixtures for the service tests: an app on SQLite or on a throw-away PostgreSQL cluster.

``backend`` is parametrised by the tests that must hold on both databases (the round trip,
concurrent reviews, a failed upload); the rest run on SQLite only. The PostgreSQL cluster is
started once per session with Debian's binaries in a temp directory on a free loopback port,
and removed afterwards. Without PostgreSQL the PG tests skip on a laptop but FAIL under
``CI=true``, so a CI machine cannot silently stop testing PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import Role, issue_token
from api.engine import Checker, CheckResult, PlanFacts
from api.main import create_app
from api.settings import Settings, sqlite_url
from rulesengine.catalog import Catalog
from rulesengine.model import Category, Finding, FindingFact, Severity
from tools.pgcluster import ClusterUnavailable, PgCluster, start_cluster

PLANS_DIR = Path(__file__).resolve().parents[2] / "examples" / "plans"
ZHEJIANG_2023 = PLANS_DIR / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"
ZHEJIANG_2021_2025 = PLANS_DIR / "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt"
CIXI_2023 = PLANS_DIR / "cixi-2023-jingxin-gongzuo-silu.txt"


# -- PostgreSQL ------------------------------------------------------------------------------


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL cluster of our own for the session (``tools.pgcluster``): initdb in a temp
    dir, loopback port; skipped without the binaries on a laptop, failed under ``CI=true``."""
    try:
        cluster = start_cluster()
    except ClusterUnavailable as exc:
        if _in_ci():
            pytest.fail(f"{exc} — CI=true, so the PostgreSQL tests must not be skipped")
        pytest.skip(str(exc))
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


_db_numbers = itertools.count(1)


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    """A fresh, empty database in the session's cluster for one test."""
    name = f"planalign_test_{os.getpid()}_{next(_db_numbers)}"
    pg_cluster.psql(f'CREATE DATABASE "{name}"')
    try:
        yield pg_cluster.url(name)
    finally:
        pg_cluster.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- apps and clients ------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Parametrised over both backends; use it in tests that must hold on both."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "planalign.db")
    url: str = request.getfixturevalue("pg_url")
    return url


@dataclass
class Api:
    """A test client plus one token per role (and their holders' names)."""

    app: FastAPI
    client: TestClient
    settings: Settings
    tokens: dict[Role, str]

    def auth(self, role: Role | str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[Role(role)]}"}

    def session(self) -> Session:
        return Session(self.app.state.engine)


NAMES = {Role.submitter: "李四", Role.reviewer: "张三", Role.admin: "王五"}

MakeApi = Callable[..., Api]


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[MakeApi]:
    """Build an app for a database URL with a token per role; closed after the test.

    ``make_api(url, checker=…, raise_server_exceptions=False, max_upload_bytes=…)``: any other
    keyword is a ``Settings`` field (rate limits, rule pack …). Without a URL, every app of the
    test shares one SQLite file (so a test can restart the app on the same data).
    """
    clients: list[TestClient] = []

    def make(
        url: str | None = None,
        *,
        checker: Checker | None = None,
        raise_server_exceptions: bool = True,
        **fields: Any,
    ) -> Api:
        settings = Settings(database_url=url or sqlite_url(tmp_path / "planalign.db"), **fields)
        app = create_app(settings, checker=checker)
        client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        clients.append(client)
        tokens: dict[Role, str] = {}
        with Session(app.state.engine) as session:
            for role, name in NAMES.items():
                _, tokens[role] = issue_token(session, name=name, role=role, created_by="test")
            session.commit()
        return Api(app=app, client=client, settings=settings, tokens=tokens)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    """An app on a fresh SQLite file."""
    return make_api()


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None, field: str | None = None
) -> dict[str, Any]:
    """Assert an RFC 9457 problem body with both languages; returns it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:planalign:problem:")
    assert body["message_zh"] and body["message_en"] and body["title"]
    if code is not None:
        assert body["code"] == code
    if field is not None:
        assert body["field"] == field
    return body


def meta_of(path: Path) -> dict[str, str]:
    """The form fields for an example plan, from its .meta.yaml."""
    import yaml

    meta = yaml.safe_load(path.with_name(path.stem + ".meta.yaml").read_text(encoding="utf-8"))
    return {k: str(v) for k, v in meta.items()}


def upload(api: Api, path: Path, *, role: Role = Role.submitter, **overrides: str) -> dict[str, Any]:
    """POST /plans with an example file and its metadata; asserts 201."""
    data = {**meta_of(path), **overrides}
    with path.open("rb") as fh:
        response = api.client.post(
            "/plans", data=data, files={"file": (path.name, fh, "text/plain")}, headers=api.auth(role)
        )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# -- a scripted check, for tests of the review workflow that must not depend on the rule pack --


@dataclass
class ScriptedChecker:
    """Stands in for ``rulesengine.check.check_plan``: one finding per county target.

    The fingerprint is the indicator, so a finding disappears exactly when a revised text no
    longer states that indicator. ``calls`` records what each check was given.
    """

    calls: list[tuple[str, tuple[str, ...]]]
    on_event_loop: list[bool] = field(default_factory=list)

    def __call__(
        self,
        county: PlanFacts,
        parents: Sequence[PlanFacts],
        /,
        *,
        allow: Sequence[str] = (),
        catalog: Catalog | None = None,
    ) -> CheckResult:
        self.calls.append((county.plan.id, tuple(p.plan.id for p in parents)))
        try:
            asyncio.get_running_loop()
            self.on_event_loop.append(True)
        except RuntimeError:
            self.on_event_loop.append(False)
        findings = [
            Finding(
                rule_id="scripted_gap",
                rule_version=1,
                severity=Severity.warning if i % 2 else Severity.error,
                category=Category.weaker if i % 2 else Category.gap,
                indicator=t.indicator,
                message=f"{t.indicator} {t.value:g}{t.unit}",
                facts=(
                    FindingFact(
                        role="county",
                        plan_id=county.plan.id,
                        region=county.plan.region.name,
                        indicator=t.indicator,
                        value=t.value,
                        unit=t.unit,
                        quote=t.quote,
                        start=t.span.start,
                        end=t.span.end,
                    ),
                ),
                fingerprint=f"fp-{t.indicator}",
            )
            for i, t in enumerate(county.targets)
        ]
        return CheckResult(
            plan_id=county.plan.id,
            parent_ids=tuple(p.plan.id for p in parents),
            rule_pack_version="scripted-1",
            catalog_version="catalog-test",
            findings=tuple(findings),
        )


@pytest.fixture
def scripted() -> ScriptedChecker:
    return ScriptedChecker(calls=[])


PROVINCE_TEXT = "2023年全省规上工业增加值增长6%以上,数字经济核心产业增加值增长10%。"
COUNTY_TEXT = "2023年,全市规上工业增加值增长7%,数字经济核心产业增加值增长8%,高新技术产业投资增长20%。"


def post_text_plan(api: Api, **body: str) -> dict[str, Any]:
    response = api.client.post("/plans/text", json=body, headers=api.auth(Role.submitter))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def small_pair(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """浙江省 2023 and 慈溪市 2023 as short texts (a few targets each)."""
    province = post_text_plan(api, id="zj-2023", region="浙江省", period="2023", text=PROVINCE_TEXT)
    county = post_text_plan(api, id="cx-2023", region="慈溪", period="2023", text=COUNTY_TEXT)
    return province, county
