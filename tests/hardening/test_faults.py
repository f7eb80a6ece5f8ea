"""Faults: the database going away mid-request, a rule that raises, a broken rule file at start.

Each fault must end in a clear answer — problem+json in both languages, naming what failed —
with nothing half-written, and the service must carry on (or, for a broken rule pack, refuse to
start and say which file) without being restarted.

The PostgreSQL tests stop and start a throw-away cluster of their own (``pg_cluster`` as
imported by tests/hardening/conftest.py is separate from tests/api's).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from sqlmodel import SQLModel
from typer.testing import CliRunner

from api.auth import Role
from api.commands import register
from api.engine import CheckResult, PlanFacts
from api.main import create_app
from api.settings import Settings, sqlite_url
from rulesengine.catalog import Catalog
from rulesengine.check import INT_FIELDS, check_plan
from rulesengine.engine import Match, RuleEngine
from rulesengine.rulebook import RulebookError, default_rulebook
from rulesengine.ruledata import rules_data
from tests.api.conftest import COUNTY_TEXT, PROVINCE_TEXT, PgCluster, assert_problem, post_text_plan
from tests.hardening.conftest import Api, BuildApi

# -- PostgreSQL stopped mid-request ---------------------------------------------------------------


def _pg_ctl(cluster: PgCluster, *args: str) -> None:
    subprocess.run(
        [*cluster.as_user, str(cluster.bindir / "pg_ctl"), "-D", str(cluster.socket_dir / "data"), *args],
        check=True,
        capture_output=True,
        text=True,
    )


def stop(cluster: PgCluster) -> None:
    """Stop the cluster now: open transactions are cut off, as in a crash or a failover."""
    _pg_ctl(cluster, "-m", "fast", "-w", "-t", "60", "stop")


def start(cluster: PgCluster) -> None:
    log = str(cluster.socket_dir / "server.log")
    _pg_ctl(cluster, "-l", log, "-w", "-t", "60", "-o", cluster.options(), "start")


@pytest.fixture
def pg_api(build_api: BuildApi, pg_url: str, pg_cluster: PgCluster) -> Iterator[Api]:
    """An app on PostgreSQL whose cluster is running again after the test, whatever happened."""
    api = build_api(database_url=pg_url, raise_server_exceptions=False)
    try:
        yield api
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already running
            start(pg_cluster)


def _stop_on(api: Api, cluster: PgCluster, statement_start: str) -> list[str]:
    """Stop the cluster the first time the app is about to run a statement starting so."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if not seen and statement.lstrip().startswith(statement_start):
            seen.append(statement)
            stop(cluster)

    sa.event.listen(api.app.state.engine, "before_cursor_execute", before)
    return seen


def _counts(api: Api) -> dict[str, int]:
    """Rows per table of the service's data. ``write_bucket`` is left out: it is the write rate
    limiter's state on PostgreSQL, spent before the request runs, and a failed write counts
    against the token's budget as it would in memory."""
    with api.app.state.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
            if t.name != "write_bucket"
        }


def _assert_unavailable(response: Any) -> None:
    body = assert_problem(response, 503, "database_unavailable")
    assert response.headers["retry-after"] == "5"
    assert "数据库" in body["message_zh"] and "未保存" in body["message_zh"]
    assert "database" in body["message_en"] and "nothing was saved" in body["message_en"]
    assert "Traceback" not in response.text and "psycopg" not in response.text


@pytest.mark.postgres
def test_postgresql_stopped_during_an_upload_is_503_nothing_is_half_written_and_the_service_recovers(
    pg_api: Api, pg_cluster: PgCluster
) -> None:
    api = pg_api
    before = _counts(api)
    seen = _stop_on(api, pg_cluster, "INSERT INTO target (")  # plan and revision rows already sent
    body = {"id": "cx-2023", "region": "慈溪", "period": "2023", "text": COUNTY_TEXT}
    _assert_unavailable(api.client.post("/plans/text", json=body, headers=api.auth(Role.submitter)))
    assert seen, "the upload never reached the targets: the fault was not injected mid-request"
    assert api.client.get("/health").json()["status"] == "ok"  # the process answers meanwhile
    _assert_unavailable(api.client.get("/plans", headers=api.auth(Role.submitter)))
    start(pg_cluster)
    # The same app, not restarted: stale pooled connections are replaced (pool_pre_ping).
    assert api.client.get("/plans", headers=api.auth(Role.submitter)).json()["total"] == 0
    assert _counts(api) == before, "the failed upload left rows behind"
    again = api.client.post("/plans/text", json=body, headers=api.auth(Role.submitter))
    assert again.status_code == 201, again.text
    assert len(again.json()["targets"]) == 3


@pytest.mark.postgres
def test_postgresql_stopped_while_a_check_is_recorded_is_503_and_no_check_is_half_stored(
    pg_api: Api, pg_cluster: PgCluster
) -> None:
    api = pg_api
    post_text_plan(api, id="zj-2023", region="浙江省", period="2023", text=PROVINCE_TEXT)
    post_text_plan(api, id="cx-2023", region="慈溪", period="2023", text=COUNTY_TEXT)
    before = _counts(api)
    seen = _stop_on(api, pg_cluster, "INSERT INTO finding (")  # the check row is already sent
    _assert_unavailable(api.client.post("/plans/cx-2023/checks", headers=api.auth(Role.submitter)))
    assert seen
    start(pg_cluster)
    assert _counts(api) == before, "the failed check left rows behind"
    assert api.client.get("/checks", headers=api.auth(Role.reviewer)).json()["total"] == 0
    retried = api.client.post("/plans/cx-2023/checks", headers=api.auth(Role.submitter))
    assert retried.status_code == 201, retried.text
    assert retried.json()["counts_by_severity"], retried.text


# -- a rule whose action raises -------------------------------------------------------------------

BAD_PLAN = "cx-2023"
FAILING_RULE = "weaker_than_parent"


def _raising_checker() -> Callable[[PlanFacts, Sequence[PlanFacts]], CheckResult]:
    """The real rule pack on its own engine whose action raises for one rule on one plan only."""
    rulebook = default_rulebook()

    def explode(match: Match) -> None:
        plans = {fact.get("plan") for fact in match.facts.values()}
        if match.rule.startswith(FAILING_RULE + "__") and BAD_PLAN in plans:
            raise RuntimeError("boom: a defect in the rule's action")

    engine = RuleEngine(rulebook.engine_rules(), int_fields=INT_FIELDS, on_match=explode)

    def checker(
        county: PlanFacts,
        parents: Sequence[PlanFacts],
        /,
        *,
        allow: Sequence[str] = (),
        catalog: Catalog | None = None,
    ) -> CheckResult:
        return check_plan(county, parents, rulebook=rulebook, engine=engine, allow=allow)

    return checker


COUNTIES = {BAD_PLAN: "慈溪", "yy-2023": "余姚", "hn-2023": "海宁", "ya-2023": "义乌"}


def _findings(api: Api, check_id: int) -> set[tuple[str, str]]:
    page = api.client.get(f"/checks/{check_id}/findings?limit=500", headers=api.auth(Role.reviewer)).json()
    return {(f["rule_id"], f["fingerprint"]) for f in page["items"]}


def test_a_rule_whose_action_raises_fails_that_check_with_a_clear_500_and_parallel_checks_succeed(
    build_api: BuildApi,
) -> None:
    api = build_api(checker=_raising_checker(), raise_server_exceptions=False)
    post_text_plan(api, id="zj-2023", region="浙江省", period="2023", text=PROVINCE_TEXT)
    for plan_id, region in COUNTIES.items():
        post_text_plan(api, id=plan_id, region=region, period="2023", text=COUNTY_TEXT)
    good = [p for p in COUNTIES if p != BAD_PLAN]
    # Alone first: what each good check finds (the failing rule fires for them too, harmlessly).
    baseline = {}
    for plan_id in good:
        response = api.client.post(f"/plans/{plan_id}/checks", headers=api.auth(Role.submitter))
        assert response.status_code == 201, response.text
        baseline[plan_id] = _findings(api, response.json()["id"])
        assert any(rule == FAILING_RULE for rule, _ in baseline[plan_id])

    def run(plan_id: str) -> tuple[str, Any]:
        return plan_id, api.client.post(f"/plans/{plan_id}/checks", headers=api.auth(Role.submitter))

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(run, [BAD_PLAN, *good, BAD_PLAN, *good]))
    for plan_id, response in results:
        if plan_id == BAD_PLAN:
            body = assert_problem(response, 500, "rule_evaluation_failed")
            assert body["rule_id"] == FAILING_RULE and body["case"] and body["plan_id"] == BAD_PLAN
            assert "规则执行失败" in body["message_zh"] and FAILING_RULE in body["message_zh"]
            assert "rule evaluation failed" in body["message_en"] and FAILING_RULE in body["message_en"]
            assert "boom" not in response.text and "Traceback" not in response.text  # details: the log
        else:
            assert response.status_code == 201, response.text
            assert _findings(api, response.json()["id"]) == baseline[plan_id]
    listed = api.client.get(f"/plans/{BAD_PLAN}/checks", headers=api.auth(Role.reviewer)).json()
    assert listed["total"] == 0, "a failed check was stored"
    assert api.client.get("/health").json()["status"] == "ok"


def test_the_check_endpoint_documents_its_500_problem(build_api: BuildApi) -> None:
    schema = build_api().client.get("/openapi.json").json()
    responses = schema["paths"]["/plans/{plan_id}/checks"]["post"]["responses"]
    assert "500" in responses and "application/problem+json" in responses["500"]["content"]


# -- a broken rule file at start ------------------------------------------------------------------


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    """A copy of the installed rule pack to break or change."""
    pack = tmp_path / "pack"
    shutil.copytree(rules_data().pack, pack)
    return pack


BREAKAGES = {
    "bad_severity": ("headline_gap.yaml", "severity: warning", "severity: fatal", "severity"),
    "unknown_operator": (
        "weaker_than_parent.yaml",
        "value: {lt: $parent.value}",
        "value: {lower: 1}",
        "lower",
    ),
    "yaml_syntax": ("form_mismatch.yaml", "cases:", "cases: [", None),
    "missing_key": ("period_mismatch.yaml", "title:", "titel:", "titel"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_rule_file_stops_the_app_factory_naming_the_file(
    pack_copy: Path, tmp_path: Path, breakage: str
) -> None:
    name, old, new, field = BREAKAGES[breakage]
    path = pack_copy / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    db = tmp_path / "never.db"
    with pytest.raises(RulebookError) as caught:
        create_app(Settings(database_url=sqlite_url(db), rule_pack=pack_copy))
    assert Path(caught.value.file).name == name and name in str(caught.value)
    if field is not None:
        assert field in str(caught.value)
    assert not db.exists(), "the database was touched before the rule pack was checked"


def test_planalign_serve_refuses_to_start_on_a_broken_rule_file_and_says_which(
    pack_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = pack_copy / "headline_gap.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("severity: warning", "severity: fatal", 1))
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: started.append(app))
    monkeypatch.setenv("PLANALIGN_RULE_PACK", str(pack_copy))
    cli = typer.Typer()

    @cli.callback()
    def main() -> None:
        """planalign."""

    register(cli)
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "s.db"), "--engine-workers", "0"])
    assert result.exit_code == 2 and not started
    assert "headline_gap.yaml" in result.output and "severity" in result.output
    assert "规则包无法加载" in result.output and "Traceback" not in result.output


def test_the_rule_pack_setting_is_the_pack_checks_run_with(pack_copy: Path, build_api: BuildApi) -> None:
    (pack_copy / f"{FAILING_RULE}.yaml").unlink()
    api = build_api(rule_pack=pack_copy)
    listed = api.client.get("/rules", headers=api.auth(Role.reviewer)).json()
    assert FAILING_RULE not in {r["id"] for r in listed["rules"]}
    post_text_plan(api, id="zj-2023", region="浙江省", period="2023", text=PROVINCE_TEXT)
    post_text_plan(api, id="cx-2023", region="慈溪", period="2023", text=COUNTY_TEXT)
    check = api.client.post("/plans/cx-2023/checks", headers=api.auth(Role.submitter))
    assert check.status_code == 201, check.text
    assert check.json()["rule_pack_version"] == listed["version"]
    assert FAILING_RULE not in {rule for rule, _ in _findings(api, check.json()["id"])}
