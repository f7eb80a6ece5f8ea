"""Access: every write endpoint, taken from the app's route table, refuses a missing token (401)
and a token of a lower role (403); tokens are stored hashed; uploads are size limited (413) and
writes rate limited per token (429 with Retry-After).

The route tests are generated from ``app.routes``, not from a hand-kept list, so a write route
added later cannot slip through: if it is not in ``WRITE_ROLES`` (the role each write needs),
its test fails and says to add it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlmodel import SQLModel

from api.auth import Role
from api.main import create_app
from api.ratelimit import WRITE_METHODS, WriteRateLimiter
from api.settings import Settings, sqlite_url
from tests.api.conftest import CIXI_2023, Api, ScriptedChecker, assert_problem, meta_of, small_pair
from tests.hardening.conftest import BuildApi

# The least role each write endpoint of the JSON API needs (None: any valid token).
WRITE_ROLES: dict[tuple[str, str], Role | None] = {
    ("POST", "/plans"): Role.submitter,
    ("POST", "/plans/text"): Role.submitter,
    ("DELETE", "/plans/{plan_id}"): Role.admin,
    ("POST", "/plans/{plan_id}/revisions"): Role.submitter,
    ("POST", "/plans/{plan_id}/revisions/text"): Role.submitter,
    ("POST", "/plans/{plan_id}/corrections"): Role.reviewer,
    ("DELETE", "/plans/{plan_id}/corrections/{correction_id}"): Role.reviewer,
    ("POST", "/plans/{plan_id}/checks"): Role.submitter,
    ("PATCH", "/findings/{finding_id}"): Role.reviewer,
    ("POST", "/tokens"): Role.admin,
    ("DELETE", "/tokens/{token_id}"): Role.admin,
    ("POST", "/rules/validate"): None,  # a dry run: any token may ask whether a rule file is valid
    ("POST", "/rules/impact"): Role.admin,  # a draft tried on every stored plan: admins only
    ("POST", "/catalog/suggestions/{suggestion_id}/accept"): Role.admin,
    ("POST", "/catalog/suggestions/{suggestion_id}/decline"): Role.admin,
    ("POST", "/batches"): Role.submitter,
    ("PATCH", "/batches/{batch_id}/findings/{finding_id}"): Role.reviewer,
    ("POST", "/batches/{batch_id}/cancel"): Role.submitter,
}

# Write routes of the reviewer pages (cookie sessions, not bearer tokens) that are open by design.
PAGE_OPEN_WRITES = {("POST", "/web/login")}

_RANKED = [Role.submitter, Role.reviewer, Role.admin]


def _route_contexts(app: FastAPI) -> Iterator[Any]:
    """Every route with its effective path, including those of included routers.

    FastAPI 0.16x nests included routers in ``app.routes``; ``iter_route_contexts`` flattens
    them with their prefixes. Older FastAPI lists included routes flat, already prefixed.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - FastAPI before the nested router table
        yield from app.routes
        return
    yield from iter_route_contexts(app.routes)


def _routes() -> list[tuple[str, str, bool]]:
    """(method, path, in the OpenAPI schema) for every write route of a freshly built app."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(database_url=sqlite_url(Path(tmp) / "routes.db")))
        found = sorted(
            (method, str(ctx.path), bool(ctx.include_in_schema))
            for ctx in _route_contexts(app)
            if isinstance(getattr(ctx, "original_route", ctx), APIRoute)
            for method in (ctx.methods or set()) & WRITE_METHODS
        )
        app.state.engine.dispose()
    assert found, "no write routes found in the route table"
    return found


ROUTES = _routes()
API_WRITES = [(m, p) for m, p, in_schema in ROUTES if in_schema]
PAGE_WRITES = [(m, p) for m, p, in_schema in ROUTES if not in_schema and (m, p) not in PAGE_OPEN_WRITES]


def _url(path: str) -> str:
    """A concrete URL for a route path: ids that exist in ``small_pair`` data or plausible ones."""
    values = {
        "plan_id": "cx-2023",
        "finding_id": "1",
        "check_id": "1",
        "correction_id": "1",
        "token_id": "1",
        "suggestion_id": "1",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


@pytest.fixture
def seeded(build_api: BuildApi) -> Iterator[Api]:
    """An app with two plans and a check, so the write routes' ids exist."""
    api = build_api(checker=ScriptedChecker(calls=[]), raise_server_exceptions=False)
    small_pair(api)
    assert api.client.post("/plans/cx-2023/checks", headers=api.auth(Role.submitter)).status_code == 201
    yield api


def test_the_route_table_has_the_write_endpoints_we_know_and_no_others() -> None:
    """A write route added, renamed or removed must be reflected in WRITE_ROLES."""
    assert sorted(API_WRITES) == sorted(WRITE_ROLES), (
        "write routes and WRITE_ROLES differ: add each new write route with the role it needs"
    )
    assert {(m, p) for m, p, _ in ROUTES} >= PAGE_OPEN_WRITES, "an open page write no longer exists"


@pytest.mark.parametrize(("method", "path"), API_WRITES, ids=[f"{m} {p}" for m, p in API_WRITES])
def test_a_write_endpoint_refuses_no_token_and_a_lower_role_and_lets_its_role_through(
    seeded: Api, method: str, path: str
) -> None:
    assert (method, path) in WRITE_ROLES, f"{method} {path} is not in WRITE_ROLES: add it with its role"
    needed = WRITE_ROLES[(method, path)]
    url = _url(path)
    # json={} for JSON bodies; multipart routes then fail validation, but only after auth.
    missing = seeded.client.request(method, url, json={})
    assert_problem(missing, 401, "unauthorized", "Authorization")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    bad = seeded.client.request(method, url, json={}, headers={"Authorization": "Bearer pa_not-a-token"})
    assert_problem(bad, 401, "unauthorized")
    lowest = _RANKED.index(needed) if needed else 0
    for role in _RANKED[:lowest]:
        refused = seeded.client.request(method, url, json={}, headers=seeded.auth(role))
        body = assert_problem(refused, 403, "forbidden", "Authorization")
        assert body["required_role"] == needed and body["your_role"] == role
    allowed = seeded.client.request(method, url, json={}, headers=seeded.auth(_RANKED[lowest]))
    assert allowed.status_code not in (401, 403) and allowed.status_code < 500, allowed.text


@pytest.mark.parametrize(("method", "path"), PAGE_WRITES, ids=[f"{m} {p}" for m, p in PAGE_WRITES])
def test_a_page_write_without_a_session_is_refused_and_writes_nothing(
    seeded: Api, method: str, path: str
) -> None:
    """Reviewer pages sign in with a cookie; without one, no page write may succeed."""
    before = _row_counts(seeded)
    response = seeded.client.request(method, _url(path), data={"comment": "x"}, follow_redirects=False)
    assert response.status_code < 500, response.text
    assert not 200 <= response.status_code < 300, f"{method} {path} answered {response.status_code}"
    assert _row_counts(seeded) == before


def _row_counts(api: Api) -> dict[str, int]:
    with api.app.state.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }


def test_tokens_are_stored_only_as_hashes_nowhere_in_plain_text(seeded: Api) -> None:
    """Read every text column of every table: no token (fixture or API-made) appears in any."""
    created = seeded.client.post(
        "/tokens", json={"name": "赵六", "role": "reviewer"}, headers=seeded.auth("admin")
    )
    assert created.status_code == 201
    plaintexts = [*seeded.tokens.values(), created.json()["token"]]
    seeded.client.get("/me", headers={"Authorization": f"Bearer {plaintexts[-1]}"})
    cells = 0
    with seeded.app.state.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    text = str(value)
                    cells += 1
                    for token in plaintexts:
                        assert token not in text, f"a token in plain text in {table.name}.{column}"
                        assert token[3:20] not in text, f"part of a token in {table.name}.{column}"
    assert cells > 100


# -- upload size ---------------------------------------------------------------------------------


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body built by hand, so it can also be sent in chunks without a length."""
    boundary = "planalign-hardening-boundary"
    head = f"--{boundary}\r\nContent-Disposition: form-data; "
    parts = [f'{head}name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    file_head = f'{head}name="file"; filename="{name}"\r\nContent-Type: text/plain\r\n\r\n'
    parts.append(file_head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_an_upload_over_the_limit_is_413_with_or_without_a_content_length(build_api: BuildApi) -> None:
    api = build_api(max_upload_bytes=200_000)
    big = "规上工业增加值增长6%。\n".encode() * 20_000  # 600 KB of plausible text
    fields = {k: v for k, v in meta_of(CIXI_2023).items() if k in {"region", "period", "title"}}
    body, content_type = _multipart(fields, "big.txt", big)
    headers = {**api.auth(Role.submitter), "Content-Type": content_type}
    declared = api.client.post("/plans", content=body, headers=headers)
    assert_problem(declared, 413, "too_large", "file")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the route's own bounded read decides
        for i in range(0, len(body), 64 * 1024):
            yield body[i : i + 64 * 1024]

    streamed = api.client.post("/plans", content=chunks(), headers=headers)
    assert "content-length" not in {k.lower() for k in streamed.request.headers}
    assert_problem(streamed, 413, "too_large", "file")
    as_text = api.client.post(
        "/plans/text",
        json={"region": "慈溪", "period": "2023", "text": big.decode()},
        headers=api.auth(Role.submitter),
    )
    assert_problem(as_text, 413)
    assert api.client.get("/plans", headers=api.auth(Role.submitter)).json()["total"] == 0
    assert api.client.get("/health").json()["status"] == "ok"


# -- rate limit ----------------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_writes_over_a_tokens_budget_are_429_with_retry_after_and_reads_are_not_limited(
    build_api: BuildApi,
) -> None:
    api = build_api(checker=ScriptedChecker(calls=[]), write_rate_per_minute=6, write_burst=3)
    clock = _Clock()
    api.app.state.rate_limiter = WriteRateLimiter(6, 3, clock=clock)
    texts = [f"2023年全市规上工业增加值增长{i}%。" for i in range(5, 12)]
    submit = api.auth(Role.submitter)

    def upload(i: int, headers: dict[str, str]) -> Any:
        body = {"id": f"cx-{i}", "region": "慈溪", "period": "2023", "text": texts[i]}
        return api.client.post("/plans/text", json=body, headers=headers)

    assert [upload(i, submit).status_code for i in range(3)] == [201, 201, 201]
    refused = upload(3, submit)
    body = assert_problem(refused, 429, "rate_limited", "Authorization")
    assert refused.headers["retry-after"] == "10" and body["retry_after"] == 10  # 6/min: one per 10 s
    assert "每分钟" in body["message_zh"] and "per minute" in body["message_en"]
    assert api.client.get("/plans", headers=submit).json()["total"] == 3  # reads go on; nothing saved
    assert upload(3, api.auth(Role.reviewer)).status_code == 201  # another token has its own budget
    clock.now += 10
    assert upload(4, submit).status_code == 201
    assert_problem(upload(5, submit), 429)


def test_the_rate_limit_answer_is_in_the_openapi_schema_of_every_write(build_api: BuildApi) -> None:
    schema = build_api().client.get("/openapi.json").json()
    writes = [
        (method, path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method.upper() in WRITE_METHODS
    ]
    assert len(writes) == len(WRITE_ROLES)
    for method, path, op in writes:
        assert "429" in op["responses"], f"{method} {path}"
        assert "Retry-After" in op["responses"]["429"]["headers"]


def test_a_token_bucket_refills_at_its_rate_and_never_beyond_its_burst() -> None:
    clock = _Clock()
    bucket = WriteRateLimiter(rate_per_minute=60, burst=2, clock=clock)
    assert [bucket.take("a"), bucket.take("a")] == [0.0, 0.0]
    assert bucket.take("a") == pytest.approx(1.0)
    clock.now += 0.5
    assert bucket.take("a") == pytest.approx(0.5)
    clock.now += 3600  # an hour idle refills to the burst, not to 3600
    assert [bucket.take("a"), bucket.take("a")] == [0.0, 0.0]
    assert bucket.take("a") > 0
    assert bucket.take("b") == 0.0


def test_settings_read_the_rate_limit_and_rule_pack_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "PLANALIGN_DATA_DIR": str(tmp_path),
            "PLANALIGN_WRITE_RATE_PER_MINUTE": "30",
            "PLANALIGN_WRITE_BURST": "5",
            "PLANALIGN_RULE_PACK": str(tmp_path / "pack"),
        }
    )
    assert (settings.write_rate_per_minute, settings.write_burst) == (30, 5)
    assert settings.rule_pack == tmp_path / "pack"
    assert Settings.from_env({"PLANALIGN_DATA_DIR": str(tmp_path)}).write_rate_per_minute == 120
    off = create_app(Settings(database_url=sqlite_url(tmp_path / "off.db"), write_rate_per_minute=0))
    assert off.state.rate_limiter is None
    off.state.engine.dispose()
