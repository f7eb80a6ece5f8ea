"""Properties that must hold for any input, not just the corpus: hypothesis searches for a break."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rulesengine.extract import extract_targets
from rulesengine.extract.numbers import find_numbers

_PLAN_ALPHABET = st.sampled_from(
    list(
        "规上工业增加值增长力争确保新增累计分别均达到突破以上左右以内约、,，。;；:\n|%家个项亩万亿元零的一二三十"
    )
    + list("0123456789.-—")
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_extraction_never_raises_on_any_unicode_and_every_span_is_its_quote(text: str) -> None:
    for t in extract_targets(text, "2023"):
        assert text[t.span.start : t.span.end] == t.quote


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_PLAN_ALPHABET, max_size=120))
def test_plan_like_noise_never_breaks_extraction(text: str) -> None:
    for t in extract_targets(text, "2021-2025"):
        assert text[t.span.start : t.span.end] == t.quote
        assert t.value_max is None or t.value_max >= t.value


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
    st.sampled_from(["%", "家", "个", "亿元", "亩"]),
)
def test_a_written_number_reads_back_as_the_same_value(value: Decimal, unit: str) -> None:
    written = f"{value.normalize():f}"
    (n,) = find_numbers(f"新增{written}{unit}。")
    assert abs(n.value - float(value)) < 1e-6
    assert n.unit == unit


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=9999), st.sampled_from(["万个", "万亩", "万家"]))
def test_wan_multiplies_by_ten_thousand(value: int, unit: str) -> None:
    (n,) = find_numbers(f"累计建成{value}{unit}。")
    assert n.value == value * 10000
