"""schemathesis against the service's own OpenAPI schema, in-process (ASGI), bounded.

The schema is the contract clients are generated from; this holds the service to it with
inputs nobody would write by hand. Two runs over every operation:

* with an admin token (so authorisation passes and the handlers are reached): never a 5xx,
  and every response — status code, content type, headers, body — conforms to the schema;
* without a token: every operation but ``/health`` answers 401 with a problem body, whatever
  the generated parameters and body.

The database is seeded first (two plans, a check with findings, a few tokens) so generated ids
sometimes hit real rows; the scripted checker keeps the run independent of the rule pack.
Operations are fuzzed one by one with ``MAX_EXAMPLES`` cases each and every operation's
failure is collected, so one run reports all of them. (schemathesis' own pytest integration
is not used: its lazy subtests do not run under pytest 9.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, assume, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import Session

from api.auth import Role, issue_token
from api.main import create_app
from api.settings import Settings, sqlite_url
from tests.api.conftest import COUNTY_TEXT, PROVINCE_TEXT, ScriptedChecker

MAX_EXAMPLES = 30

# What "conforms to the schema" means here. schemathesis' positive_data_acceptance is left out
# on purpose: a schema cannot say which region names exist or which plan ids are stored, so a
# schema-valid request may rightly get a 404/409/422 — but that answer must itself be in the
# schema, with the documented content type and body.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

OPEN_PATHS = {"/health"}


@dataclass(frozen=True)
class Seeded:
    app: FastAPI
    token: str
    token_id: int


def _seed(tmp: Path) -> Seeded:
    """An app on a fresh SQLite file with two plans, a check, and one token per role."""
    settings = Settings(database_url=sqlite_url(tmp / "fuzz.db"), write_rate_per_minute=0)
    app = create_app(settings, checker=ScriptedChecker(calls=[]))
    with Session(app.state.engine) as session:
        row, token = issue_token(session, name="模糊测试", role=Role.admin, created_by="test")
        for role in Role:
            issue_token(session, name=f"其他{role.value}", role=role, created_by="test")
        session.commit()
        assert row.id is not None
        token_id = row.id
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        for body in (
            {"id": "zj-2023", "region": "浙江省", "period": "2023", "text": PROVINCE_TEXT},
            {"id": "cx-2023", "region": "慈溪", "period": "2023", "text": COUNTY_TEXT},
        ):
            assert client.post("/plans/text", json=body, headers=auth).status_code == 201
        assert client.post("/plans/cx-2023/checks", headers=auth).status_code == 201
    return Seeded(app=app, token=token, token_id=token_id)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    seeded = _seed(tmp_path_factory.mktemp("fuzz"))
    yield seeded
    seeded.app.state.engine.dispose()


def _operations(app: FastAPI) -> list[Any]:
    """Every operation of the app's own OpenAPI schema, loaded in-process."""
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = []
    for result in loaded.get_all_operations():
        assert isinstance(result, Ok), f"the schema has an invalid operation: {result}"
        operations.append(result.ok())
    assert len(operations) >= 25, "the schema lost operations"
    return operations


def _fuzz(operation: Any, check: Callable[[schemathesis.Case], None]) -> str | None:
    """Run ``check`` on up to MAX_EXAMPLES generated cases; the failure's report, or None."""

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        check(case)

    try:
        run()
    except Exception as exc:  # collect every operation's failure, then fail once with all
        return f"{operation.method.upper()} {operation.path}: {type(exc).__name__}: {exc}"[:3000]
    return None


def _header(response: Any, name: str) -> str:
    """A header of a schemathesis response (its values are lists), case-insensitively."""
    for key, values in response.headers.items():
        if key.lower() == name:
            return str(values[0] if isinstance(values, list) else values)
    return ""


def test_every_operation_with_an_admin_token_answers_within_its_schema_and_never_5xx(
    seeded: Seeded,
) -> None:
    headers = {"Authorization": f"Bearer {seeded.token}"}
    statuses: Counter[int] = Counter()

    def check(case: schemathesis.Case) -> None:
        # Revoking the fuzzer's own token would turn the rest of the run into 401s.
        assume(
            not (case.path == "/tokens/{token_id}" and case.path_parameters == {"token_id": seeded.token_id})
        )
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:800]}"
        case.validate_response(response, headers=headers, checks=CONFORMANCE)

    failures = [f for op in _operations(seeded.app) if (f := _fuzz(op, check))]
    assert not failures, "\n\n".join(failures)
    print(f"\nadmin token: {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}")
    assert 401 not in statuses, statuses
    assert statuses[200] + statuses[201] + statuses[204] > 100, statuses


def test_every_operation_without_a_token_is_401_problem_json(seeded: Seeded) -> None:
    statuses: Counter[int] = Counter()

    def check(case: schemathesis.Case) -> None:
        for key in [k for k in case.headers or {} if k.lower() == "authorization"]:
            del case.headers[key]
        response = case.call()
        statuses[response.status_code] += 1
        if case.path in OPEN_PATHS:
            assert response.status_code == 200
            return
        assert response.status_code == 401, f"{case.method} {case.formatted_path}: {response.text[:800]}"
        assert _header(response, "content-type").startswith("application/problem+json")
        assert response.json()["code"] == "unauthorized"
        case.validate_response(response, checks=CONFORMANCE)

    failures = [f for op in _operations(seeded.app) if (f := _fuzz(op, check))]
    assert not failures, "\n\n".join(failures)
    print(f"\nno token: {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}")
    assert set(statuses) == {200, 401}, statuses
