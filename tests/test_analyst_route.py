"""The analyst's route, end to end: copy the pack, add a rule and its feature exactly as
specs/README.md shows them, and the pack's own tests and every spec pass — no Python touched,
no test naming the new rule."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rulesengine.ruledata import ENV_VAR, rules_data
from rulesengine.spec_steps import CORPUS_VAR

ROOT = Path(__file__).resolve().parents[1]
PLANALIGN = Path(sys.executable).with_name("planalign")


@pytest.fixture(scope="module")
def analysts_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = rules_data()
    pack = tmp_path_factory.mktemp("analyst") / "rules"
    shutil.copytree(data.root, pack, ignore=shutil.ignore_patterns("__pycache__", "specs"))
    shutil.copytree(data.specs, pack / "specs", ignore=shutil.ignore_patterns("__pycache__"))
    readme = (data.specs / "README.md").read_text(encoding="utf-8")
    rule = re.search(r"```yaml\n(.*?)```", readme, re.S)
    feature = re.search(r"```gherkin\n(.*?)```", readme, re.S)
    assert rule and feature, "specs/README.md shows a rule file and a feature"
    rule_id = re.search(r"^id: (\w+)", rule.group(1), re.M)
    assert rule_id is not None
    (pack / "pack" / f"{rule_id.group(1)}.yaml").write_text(rule.group(1), encoding="utf-8")
    (pack / "specs" / f"{rule_id.group(1)}.feature").write_text(feature.group(1), encoding="utf-8")
    return pack


def _run(args: list[str], pack: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, ENV_VAR: str(pack), CORPUS_VAR: str(ROOT / "examples" / "plans")}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_every_spec_of_the_analysts_pack_passes_with_the_new_rule(analysts_pack: Path) -> None:
    done = _run([str(PLANALIGN), "rules", "test"], analysts_pack)
    said = " ".join(done.stdout.split())
    assert done.returncode == 0, said[-2000:]
    features = len(list((analysts_pack / "specs").glob("*.feature")))
    assert f"0 failed({features} 个规格文件)" in said
    assert "software_weaker.feature" in said and "县级软件业增速低于省级" in said


def test_the_packs_own_tests_pass_on_the_analysts_pack(analysts_pack: Path) -> None:
    done = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_rulebook.py"],
        analysts_pack,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    listed = _run([str(PLANALIGN), "rules", "list"], analysts_pack)
    assert "software_weaker" in listed.stdout.replace("\n", "") or "software_we" in listed.stdout
