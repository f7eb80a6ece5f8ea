"""planalign as a user gets it: ``pip install .`` (a wheel, not editable) into a fresh virtualenv.

Everything here runs that virtualenv's ``planalign`` from a folder outside the checkout, so the
rules data, the specs and the spec step library must have come with the wheel, every module the
commands import must be a declared dependency, and nothing may be found by a path into the
checkout. One virtualenv for the module: building it (dependencies from pip's cache or the
index, durable-rules compiled) takes about half a minute.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "examples" / "plans"
COUNTY, PARENT = "cixi-2023-jingxin-gongzuo-silu", "zhejiang-2023-jingxin-gongzuo-yaodian"
# What the wheel is built from; a copy keeps the checkout free of build/ and *.egg-info (a stale
# build/lib would otherwise carry deleted modules into the next wheel).
SOURCES = ("rulesengine", "api", "planalign", "rules", "specs", "README.md", "pyproject.toml", "setup.py")

pytestmark = pytest.mark.install


@dataclass(frozen=True)
class Installed:
    venv: Path
    work: Path  # the working folder of every command: outside the checkout

    @property
    def site_packages(self) -> Path:
        found = subprocess.run(
            [
                str(self.venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return Path(found.stdout.strip())

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        clean = {
            k: v for k, v in os.environ.items() if not k.startswith(("PLANALIGN_", "PYTHON", "VIRTUAL_ENV"))
        }
        return subprocess.run(
            [str(self.venv / "bin" / args[0]), *args[1:]],
            cwd=self.work,
            env={**clean, "COLUMNS": "400", **(env or {})},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, source / name)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    work = base / "work"
    work.mkdir()
    for name in (COUNTY, PARENT):
        for suffix in (".txt", ".meta.yaml"):
            shutil.copy(PLANS / (name + suffix), work / (name + suffix))
    return Installed(venv, work)


def check_json(installed: Installed, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = installed.run(
        "planalign", "check", f"{COUNTY}.txt", "--against", f"{PARENT}.txt", "-f", "json", env=env
    )
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_wheel_carries_the_rules_data_and_specs_but_not_the_development_tools(
    installed: Installed,
) -> None:
    data = installed.site_packages / "planalign_rules"
    for name in ("indicators.yaml", "phrasing.yaml", "regions.yaml", "scopes.yaml", "spam_terms.yaml"):
        assert (data / name).is_file(), name
    assert (data / "pack" / "weaker_than_parent.yaml").is_file()
    assert (data / "specs" / "weaker_than_parent.feature").is_file()
    assert (installed.site_packages / "rulesengine" / "spec_steps.py").is_file()
    assert not (installed.site_packages / "tools").exists()
    assert not (installed.site_packages / "rulesengine" / "synth").exists()


def test_check_of_the_example_plans_reports_findings(installed: Installed) -> None:
    result = check_json(installed)
    findings = result["findings"]
    assert isinstance(findings, list) and findings
    assert {"weaker_than_parent", "headline_gap"} <= {f["rule_id"] for f in findings}


def test_rules_list_names_the_installed_pack(installed: Installed) -> None:
    done = installed.run("planalign", "rules", "list")
    assert done.returncode == 0, done.stderr
    assert "weaker_than_parent" in done.stdout and "县级目标低于上级同期同口径目标" in done.stdout
    assert f"来源 / from {installed.site_packages / 'planalign_rules' / 'pack'}" in done.stdout


def test_a_spec_of_the_pack_runs_from_the_installed_step_library(installed: Installed) -> None:
    feature = installed.work / "count_exceeds_parent.feature"
    shutil.copy(installed.site_packages / "planalign_rules" / "specs" / feature.name, feature)
    done = installed.run("planalign", "rules", "test", feature.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed, 0 failed" in done.stdout


def test_an_analysts_own_pack_is_used_when_planalign_rules_points_at_it(installed: Installed) -> None:
    mine = installed.work / "my-rules"
    shutil.copytree(installed.site_packages / "planalign_rules", mine)
    rule = mine / "pack" / "weaker_than_parent.yaml"
    rule.write_text(
        re.sub(r"(?m)^version: \d+$", "version: 7", rule.read_text(encoding="utf-8")).replace(
            "title: 县级目标低于上级同期同口径目标", "title: 我的偏弱规则"
        ),
        encoding="utf-8",
    )
    catalog = mine / "indicators.yaml"
    catalog.write_text(
        re.sub(r"(?m)^version: .*$", "version: 2099.1.1", catalog.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    env = {"PLANALIGN_RULES": str(mine)}

    listed = installed.run("planalign", "rules", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "我的偏弱规则" in listed.stdout and f"来源 / from {mine / 'pack'}" in listed.stdout

    shipped, own = check_json(installed), check_json(installed, env)
    assert own["catalog_version"] == "2099.1.1" != shipped["catalog_version"]
    assert own["rule_pack_version"] != shipped["rule_pack_version"]
    assert {f["rule_version"] for f in own["findings"] if f["rule_id"] == "weaker_than_parent"} == {7}


def test_a_missing_pack_and_the_missing_generator_are_said_plainly(installed: Installed) -> None:
    nowhere = installed.work / "nowhere"
    done = installed.run("planalign", "rules", "list", env={"PLANALIGN_RULES": str(nowhere)})
    assert done.returncode == 2
    assert "规则数据目录不存在" in done.stderr and "PLANALIGN_RULES" in done.stderr
    assert "Traceback" not in done.stderr
    synth = installed.run("planalign", "synth", str(installed.work / "synth"))
    assert synth.returncode == 2 and "development tool" in synth.stderr and "开发工具" in synth.stderr
