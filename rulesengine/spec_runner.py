"""Runs spec files (specs/*.feature) and says, per scenario, whether it passed and why not.

This is what ``planalign rules test [specs/x.feature]`` prints (every feature of the pack when
none is named, so a new rule's clash with another spec shows at once): an analyst who wrote a rule and its
scenarios sees plain pass/fail lines without reading pytest output. It runs pytest in a child
process (pytest caches imported test modules, so a second in-process run would see the first
run's scenarios) on a two-line test module written to a temporary folder, which binds just those
features to the step library (rulesengine/spec_steps.py, loaded as a plugin). Nothing comes from
a checkout — no tests/ folder, no pyproject.toml — so it works the same from an installed
planalign: a draft can be tried anywhere, and once it is under specs/ `make test` runs it too.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ScenarioResult", "SpecRunError", "run_feature", "run_features"]

_ENV_FEATURE = "PLANALIGN_SPEC_FEATURE"
_ENV_REPORT = "PLANALIGN_SPEC_REPORT"

# The child's test module and settings: the features, bound by absolute path.
_BINDING = f"""import os

from pytest_bdd import scenarios

scenarios(*os.environ["{_ENV_FEATURE}"].split(os.pathsep))
"""
_SETTINGS = """[pytest]
disable_test_id_escaping_and_forfeit_all_rights_to_community_support = true
"""


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario (one row of 例子 for an outline): its name, verdict and, if failed, why."""

    name: str
    passed: bool
    message: str = ""


class SpecRunError(RuntimeError):
    """The feature could not be run at all (missing, outside specs/, or nothing collected)."""


def _scenario_of(item: Any) -> tuple[str, str] | None:
    """(feature file, scenario name) of a pytest-bdd test item, or None for other tests."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    func = getattr(item, "function", None)
    template = scenario_wrapper_template_registry.get(func) if func is not None else None
    if template is None:
        return None
    return str(Path(template.feature.filename).resolve()), str(template.name)


class _Collector:
    """A pytest plugin: keeps the named features' scenarios and records each one's outcome."""

    def __init__(self, features: list[Path]) -> None:
        self.features = {str(f.resolve()) for f in features}
        self.names: dict[str, str] = {}
        self.feature_of: dict[str, str] = {}
        self.results: dict[str, ScenarioResult] = {}
        self.errors: list[str] = []

    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
        keep, drop = [], []
        for item in items:
            found = _scenario_of(item)
            if found is not None and found[0] in self.features:
                self.names[item.nodeid] = _display_name(item, found[1])
                self.feature_of[item.nodeid] = found[0]
                keep.append(item)
            else:
                drop.append(item)
        items[:] = keep
        config.hook.pytest_deselected(items=drop)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.errors.append(_reason(report))

    def pytest_runtest_logreport(self, report: Any) -> None:
        name = self.names.get(report.nodeid)
        if name is None:
            return
        if report.failed and (report.nodeid not in self.results or self.results[report.nodeid].passed):
            self.results[report.nodeid] = ScenarioResult(name, False, _reason(report))
        elif report.when == "call" and report.passed and report.nodeid not in self.results:
            self.results[report.nodeid] = ScenarioResult(name, True)


def _display_name(item: Any, name: str) -> str:
    """An outline's name with its 例子 row filled in (<县级值> → 10), as an analyst reads it."""
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example") if callspec is not None else None
    if not isinstance(example, dict) or not example:
        return name
    filled = re.sub(r"<([^<>]+)>", lambda m: str(example.get(m.group(1), m.group(0))), name)
    if filled == name:
        filled += " [" + ", ".join(f"{k}={v}" for k, v in example.items()) + "]"
    return filled


_NO_STEP = re.compile(
    r'Step definition is not found: \w+ "(?P<text>.*?)"\. Line (?P<line>\d+) in scenario .*?'
    r' in the feature "(?P<file>[^"]+)"',
    re.S,
)


def _reason(report: Any) -> str:
    """The assertion message (the step library writes them in plain Chinese), else the error —
    a step no definition matches said in Chinese, with its file, line and the sentence meant."""
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    text = crash.message if crash is not None else str(getattr(report, "longrepr", "") or "")
    missing = _NO_STEP.search(text)
    if missing:
        from rulesengine.spec_steps import STEP_SENTENCES

        said = missing["text"]
        close = difflib.get_close_matches(said, STEP_SENTENCES, n=1, cutoff=0.4)
        hint = (f";是不是“{close[0]}”?", f"; did you mean {close[0]!r}?") if close else ("", "")
        return (
            f"{missing['file']} 第{missing['line']}行/line {missing['line']}: 步骤“{said}”不是步骤库中的句子"
            f"(见 specs/README.md“可用的步骤”){hint[0]} / no step definition matches {said!r}{hint[1]}"
        )
    text = re.sub(r"^(?:[\w.]+\.)?\w+(?:Error|Exception): ", "", text)  # no Python class names
    return text.split("\nassert ", 1)[0].strip()


def pytest_configure(config: Any) -> None:
    """Plugin entry in the child process: collect the feature named by the environment."""
    features = os.environ.get(_ENV_FEATURE)
    if features:
        paths = [Path(f) for f in features.split(os.pathsep)]
        config.pluginmanager.register(_Collector(paths), "planalign-spec-collector")


def pytest_unconfigure(config: Any) -> None:
    collector = config.pluginmanager.get_plugin("planalign-spec-collector")
    report = os.environ.get(_ENV_REPORT)
    if collector is None or not report:
        return
    data = {
        "errors": collector.errors,
        "scenarios": [
            {
                "nodeid": n,
                "name": name,
                "feature": collector.feature_of[n],
                **(
                    {"passed": r.passed, "message": r.message}
                    if (r := collector.results.get(n)) is not None
                    else {"passed": False, "message": "未运行 / not run"}
                ),
            }
            for n, name in collector.names.items()
        ],
    }
    Path(report).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def run_feature(path: Path | str, *, timeout: float = 600.0) -> list[ScenarioResult]:
    """Run every scenario of one feature file; results in file order."""
    return next(iter(run_features([path], timeout=timeout).values()))


def run_features(paths: Sequence[Path | str], *, timeout: float = 600.0) -> dict[Path, list[ScenarioResult]]:
    """Run every scenario of the features in one child pytest; results per feature, in order."""
    features = [Path(p).resolve() for p in paths]
    for feature, path in zip(features, paths, strict=True):
        if not feature.is_file():
            raise SpecRunError(f"找不到规格文件 / no such feature file: {path}")
    with tempfile.TemporaryDirectory(prefix="planalign-spec-") as tmp:
        work = Path(tmp)
        (work / "test_feature.py").write_text(_BINDING, encoding="utf-8")
        (work / "pytest.ini").write_text(_SETTINGS, encoding="utf-8")
        report = work / "report.json"
        env = {**os.environ, _ENV_FEATURE: os.pathsep.join(map(str, features)), _ENV_REPORT: str(report)}
        args = [
            sys.executable, "-m", "pytest", str(work / "test_feature.py"),
            f"--rootdir={work}", "-c", str(work / "pytest.ini"),
            "-p", "rulesengine.spec_steps", "-p", "rulesengine.spec_runner",
            "-p", "no:cacheprovider", "-q", "--no-header",
        ]  # fmt: skip
        proc = subprocess.run(
            args, cwd=work, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if not report.is_file():
            tail = " ".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
            raise SpecRunError(f"规格未能运行 / the spec did not run (exit {proc.returncode}): {tail}")
        data = json.loads(report.read_text(encoding="utf-8"))
    if data["errors"]:
        raise SpecRunError(
            "规格无法加载 / the spec could not be loaded: " + "; ".join(dict.fromkeys(data["errors"]))
        )
    out: dict[Path, list[ScenarioResult]] = {f: [] for f in features}
    for s in data["scenarios"]:
        out[Path(s["feature"])].append(ScenarioResult(s["name"], bool(s["passed"]), s["message"]))
    empty = [f.name for f, results in out.items() if not results]
    if empty:
        raise SpecRunError(f"该文件中没有场景 / no scenarios collected from {', '.join(empty)}")
    return out
