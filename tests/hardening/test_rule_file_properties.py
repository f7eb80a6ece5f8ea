"""The rule compiler refuses a malformed rule file with a RulebookError naming file and field.

Rule files are edited by analysts, not programmers: whatever they get wrong, the loader must
answer with the file, the field and what is wrong — never a ``TypeError`` from deep inside.
Hypothesis mutates the real rule files (rules/pack/*.yaml): keys deleted or renamed, values
replaced by other types (including ``.nan``/``.inf``, lists, mappings), unknown operators,
severities that do not exist, message templates with stray braces. Each mutated file is loaded
as a one-rule pack (with the real ``_pack.yaml``) through the public ``load_rulebook``.
"""

from __future__ import annotations

import copy
import math
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulesengine.catalog import default_catalog
from rulesengine.model import Severity
from rulesengine.rulebook import RulebookError, load_rulebook
from rulesengine.ruledata import rules_data

PACK_DIR = rules_data().pack
RULE_FILES = sorted(p for p in PACK_DIR.glob("*.yaml") if not p.name.startswith("_"))
ORIGINALS: dict[str, dict[str, Any]] = {
    p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in RULE_FILES
}
REQUIRED = ("id", "version", "title", "severity", "category", "reference", "message", "specs")
KNOWN_OPERATORS = {"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "exists", "matches"}
ARITHMETIC = {"add", "sub", "mul", "div"}
_CATALOG = default_catalog()
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

Path_ = tuple[str | int, ...]

# Values of every YAML kind, including the awkward floats and nested containers.
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
ANY_VALUE = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def test_every_rule_file_of_the_pack_loads_unmutated() -> None:
    """The mutations start from valid files: each one loads alone as a one-rule pack."""
    assert len(RULE_FILES) >= 9
    for name, document in ORIGINALS.items():
        assert _load(name, document) is None, name


def _load(name: str, document: Any) -> RulebookError | None:
    """Load ``document`` as rule file ``name`` in a one-rule pack; the RulebookError, if any.

    Anything else raised propagates and fails the property being tested.
    """
    with _pack_with(name, document) as pack:
        try:
            load_rulebook(pack, specs_dir=None, catalog=_CATALOG)
        except RulebookError as error:
            return error
    return None


@contextmanager
def _pack_with(name: str, document: Any) -> Iterator[Path]:
    """A temporary one-rule pack: the real ``_pack.yaml`` and ``document`` saved as ``name``."""
    pack = Path(tempfile.mkdtemp(prefix="planalign-rule-"))
    try:
        shutil.copy(PACK_DIR / "_pack.yaml", pack / "_pack.yaml")
        text = yaml.dump(document, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
        (pack / name).write_text(text, encoding="utf-8")
        yield pack
    finally:
        shutil.rmtree(pack, ignore_errors=True)


def _paths(node: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every path to a value inside a parsed rule file (mapping keys and list indices)."""
    items: list[tuple[str | int, Any]] = []
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


def _copy(document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(document)


def _parent(document: Any, path: Path_) -> Any:
    node = document
    for key in path[:-1]:
        node = node[key]
    return node


def _assert_names_file_and_field(error: RulebookError, name: str) -> None:
    """What an analyst needs to fix the file: which file, which field, what (zh and en)."""
    assert Path(error.file).name == name, error
    assert error.field, f"no field named: {error}"
    assert error.problem_zh.strip() and error.problem_en.strip(), error
    text = str(error)
    assert name in text and error.field in text, text


@dataclass(frozen=True)
class Mutation:
    name: str
    document: Any
    description: str


@st.composite
def mutations(draw: st.DrawFn) -> Mutation:
    """One random edit of one rule file: delete, retype, rename a key, or garble a template."""
    name = draw(st.sampled_from(sorted(ORIGINALS)))
    document = _copy(ORIGINALS[name])
    path = draw(st.sampled_from(list(_paths(document))))
    parent, key = _parent(document, path), path[-1]
    kind = draw(st.sampled_from(["delete", "retype", "rename", "template"]))
    if kind == "delete":
        del parent[key]
    elif kind == "retype":
        parent[key] = draw(ANY_VALUE.filter(lambda v: type(v) is not type(parent[key])))
    elif kind == "rename" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=8).filter(lambda k: k not in parent))] = parent.pop(key)
    else:
        parent[key] = draw(st.text(alphabet="{}.[]:!abc_县0 ", max_size=16))
    return Mutation(name, document, f"{kind} {'.'.join(map(str, path))}")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_any_mutation_of_a_rule_file_loads_or_is_refused_naming_file_and_field(mutation: Mutation) -> None:
    error = _load(mutation.name, mutation.document)
    if error is not None:
        _assert_names_file_and_field(error, mutation.name)


def _keys(document: dict[str, Any]) -> list[Path_]:
    """The paths of a rule's own keys and of each case's keys (where the vocabulary lives)."""
    paths: list[Path_] = [(key,) for key in document]
    for i, case in enumerate(document.get("cases") or []):
        paths.extend(("cases", i, key) for key in case)
    return paths


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(ORIGINALS)), st.data(), ANY_VALUE)
def test_a_rule_or_case_key_of_the_wrong_type_is_refused_naming_file_and_field(
    name: str, data: st.DataObject, value: Any
) -> None:
    """Random paths rarely hit the keys that matter most, so each key gets its own draws."""
    document = _copy(ORIGINALS[name])
    path = data.draw(st.sampled_from(_keys(document)))
    _parent(document, path)[path[-1]] = value
    error = _load(name, document)
    if error is not None:
        _assert_names_file_and_field(error, name)


@pytest.mark.parametrize("key", REQUIRED)
@pytest.mark.parametrize("name", sorted(ORIGINALS))
def test_a_deleted_required_key_is_refused_naming_that_key(name: str, key: str) -> None:
    """Every required key of every rule file, deleted in turn (exhaustive, not sampled)."""
    document = _copy(ORIGINALS[name])
    del document[key]
    error = _load(name, document)
    assert error is not None, f"{name} without {key} was accepted"
    _assert_names_file_and_field(error, name)
    assert error.field == key


def _conditions(document: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(field path prefix, pattern body, field) for every field condition of every pattern."""
    found: list[tuple[str, dict[str, Any], str]] = []
    cases = document.get("cases") or [document]
    for i, case in enumerate(cases):
        where = f"cases[{i}]." if "cases" in document else ""
        for block in ("when", "unless"):
            for pattern, body in (case.get(block) or {}).items():
                found.extend(
                    (f"{where}{block}.{pattern}.{field}", body, field) for field in body if field != "type"
                )
    return found


@settings(max_examples=120, deadline=None)
@given(
    st.sampled_from(sorted(ORIGINALS)),
    st.data(),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_$<>=!", min_size=1, max_size=8).filter(
        lambda op: op not in KNOWN_OPERATORS | ARITHMETIC
    ),
    _SCALARS,
)
def test_an_unknown_operator_is_refused_naming_the_operator(
    name: str, data: st.DataObject, operator: str, argument: Any
) -> None:
    document = _copy(ORIGINALS[name])
    path, body, field = data.draw(st.sampled_from(_conditions(document)))
    body[field] = {operator: argument}
    error = _load(name, document)
    assert error is not None, f"{operator!r} accepted at {path}"
    _assert_names_file_and_field(error, name)
    assert error.field == f"{path}.{operator}"
    assert operator in error.problem_en


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(sorted(ORIGINALS)),
    st.data(),
    st.one_of(
        st.text(max_size=10).filter(lambda s: s not in {m.value for m in Severity}),
        st.integers(),
        st.floats(),
        st.lists(st.text(max_size=3), max_size=2),
        st.none(),
    ),
)
def test_a_severity_that_does_not_exist_is_refused_naming_where(
    name: str, data: st.DataObject, severity: Any
) -> None:
    document = _copy(ORIGINALS[name])
    cases = document.get("cases") or []
    where = data.draw(st.sampled_from(["severity", *(f"cases[{i}].severity" for i in range(len(cases)))]))
    if where == "severity":
        document["severity"] = severity
    else:
        cases[int(where[6 : where.index("]")])]["severity"] = severity
    error = _load(name, document)
    assert error is not None, f"severity {severity!r} accepted at {where}"
    _assert_names_file_and_field(error, name)
    assert error.field == where


def _engine_accepts(name: str, document: Any) -> None:
    """A pack the loader accepted must also compile for the engine (else every check fails)."""
    from rulesengine.check import INT_FIELDS
    from rulesengine.engine import compile_rules

    with _pack_with(name, document) as pack:
        book = load_rulebook(pack, specs_dir=None, catalog=_CATALOG)
    compile_rules(book.engine_rules(), INT_FIELDS)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *(
            (field, value)
            for field in ("value", "period_start")
            for value in (math.nan, math.inf, -math.inf, 10**30, 5e-05, [2023], {"eq": None})
        ),
        ("value", 1e16),  # json.dumps writes 1e+16
        ("value", 0.1234567),  # the engine keeps six decimals: it would compare with 0.123457
        ("period_start", 2**63),  # beyond the engine's integers (1e16 is one: it is taken)
        ("period_start", 2023.5),
    ],
    ids=repr,
)
def test_awkward_numbers_and_containers_in_a_numeric_condition_are_refused(field: str, value: Any) -> None:
    """NaN, infinities, numbers the engine cannot write or would change, containers: refused,
    naming the field."""
    name = "weaker_than_parent.yaml"
    where = {"value": "county", "period_start": "parent"}[field]
    document = _copy(ORIGINALS[name])
    document["cases"][0]["when"][where][field] = {"lt" if field == "value" else "eq": value}
    error = _load(name, document)
    assert error is not None, f"{field}: {value!r} accepted"
    _assert_names_file_and_field(error, name)
    assert error.field is not None and error.field.startswith(f"cases[0].when.{where}.{field}")


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**80), max_value=2**80),
    ),
    st.sampled_from(["lt", "gte", "ne"]),
)
def test_a_number_the_loader_accepts_compiles_for_the_engine(number: float, operator: str) -> None:
    """Any number in a condition: refused naming the field, or accepted *and* loadable by the engine."""
    name = "weaker_than_parent.yaml"
    document = _copy(ORIGINALS[name])
    document["cases"][1]["when"]["county"]["value"] = {operator: number}
    document["cases"][1]["when"]["parent"]["year"] = number
    error = _load(name, document)
    if error is None:
        _engine_accepts(name, document)
    else:
        _assert_names_file_and_field(error, name)


def test_a_top_level_that_is_not_a_mapping_is_refused_naming_the_file() -> None:
    for document in ([1, 2], "just text", 42):
        error = _load("headline_gap.yaml", document)
        assert error is not None and Path(error.file).name == "headline_gap.yaml"
