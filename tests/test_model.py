"""The model refuses invalid data and names the field at fault."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from pydantic import ValidationError

from rulesengine.model import FrozenFact, Period, Plan, Region, Span, Target


def test_periods_read_years_spans_and_quarters() -> None:
    assert str(Period.model_validate("2021-2025")) == "2021-2025"
    assert Period.model_validate("2021-2025").covers(Period.model_validate("2023"))
    assert str(Period.model_validate("2023/Q1")) == "2023/Q1"
    with pytest.raises(ValidationError, match="period"):
        Period.model_validate("2025-2021")


def test_a_target_whose_quote_does_not_fit_its_span_is_refused() -> None:
    with pytest.raises(ValidationError, match="span"):
        Target(
            indicator="industrial_va_growth",
            value=6,
            period="2023",
            quote="增长6%",
            span=Span(start=0, end=3),
        )  # type: ignore[arg-type]


def test_a_target_indicator_must_be_a_catalog_id_or_other() -> None:
    with pytest.raises(ValidationError, match="indicator"):
        Target(indicator="规上工业", value=6, period="2023", quote="x", span=Span(start=0, end=1))  # type: ignore[arg-type]


def test_models_are_frozen() -> None:
    region = Region(name="浙江省", code="330000", level="province")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        region.name = "x"  # type: ignore[misc]


def test_a_plan_hashes_its_text_and_rejects_a_wrong_hash() -> None:
    region = Region(name="慈溪市", code="330282", level="county", parent_code="330200")  # type: ignore[arg-type]
    plan = Plan(id="cixi-2023", region=region, level="county", period="2023", text="文本")  # type: ignore[arg-type]
    assert len(plan.sha256) == 64
    with pytest.raises(ValidationError, match="sha256"):
        Plan(id="x", region=region, level="county", period="2023", text="文本", sha256="0" * 64)  # type: ignore[arg-type]


def test_a_frozen_fact_refuses_every_change_but_can_be_copied_out() -> None:
    fact = FrozenFact({"type": "target", "value": 8.0})
    for change in (
        lambda: fact.__setitem__("value", 1.0),
        lambda: fact.__delitem__("value"),
        lambda: fact.update(value=1.0),
        lambda: fact.pop("value"),
        lambda: fact.setdefault("x", 1),
        fact.clear,
        fact.popitem,
    ):
        with pytest.raises(TypeError, match="cannot be changed"):
            change()
    assert fact == {"type": "target", "value": 8.0}
    assert {**fact, "value": 1.0}["value"] == 1.0 and dict(fact) == fact
    assert json.loads(json.dumps(fact)) == fact


def test_a_frozen_fact_travels_between_processes_as_a_plain_dict() -> None:
    fact = FrozenFact({"type": "target", "value": 8.0})
    back = pickle.loads(pickle.dumps(fact))
    assert back == fact and type(back) is dict
    assert copy.deepcopy(fact) is fact
