"""The layers are a contract `make lint` enforces: an import against them fails the build.

Run on a copy of the tree, so the test can add the forbidden import without touching ours."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _tree(tmp_path: Path) -> Path:
    for name in ("rulesengine", "api", "planalign"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tree(tmp_path_factory.mktemp("layers"))


def test_the_tree_as_it_is_keeps_every_contract(tree: Path) -> None:
    done = _lint(tree)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("rulesengine/catalog.py", "import rulesengine.check", "The library's layers"),
        ("rulesengine/model.py", "import api.schemas", "Faces over the library"),
        ("rulesengine/check.py", "import durable.lang", "Only the engine's host imports durable-rules"),
        ("rulesengine/rulebook/__init__.py", "import rulesengine.extract", "The rule pack loads without"),
    ],
)
def test_a_forbidden_import_breaks_the_contract_that_forbids_it(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    tree = _tree(tmp_path)
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    done = _lint(tree)
    assert done.returncode != 0
    broken = [row for row in done.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken) or contract in done.stdout.split("Broken contracts")[-1]


def test_a_new_module_that_belongs_to_no_layer_is_refused(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    (tree / "rulesengine" / "stray.py").write_text('"""Nobody said where this goes."""\n', encoding="utf-8")
    done = _lint(tree)
    assert done.returncode != 0 and "rulesengine.stray" in done.stdout
