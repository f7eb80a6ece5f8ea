"""Facts as the C core must see them: validated, normalised, de-duplicated, serialised, with ids.

What is done to every fact, and why (each was reproduced on this machine):

* **Keys** are non-empty strings without quotes, backslashes or control characters, and not
  reserved (``sid``, ``id``, ``fid``, anything starting with ``$`` or ``__``): the engine adds
  its own ids and gate facts. Two keys whose 32-bit FNV hashes collide are refused, since the
  C core indexes properties by that hash and would take them for one property.
* **Values** follow :mod:`rulesengine.values` (flat scalars, finite numbers rounded to six
  decimals, ints in ``int_fields`` and floats elsewhere); ``None`` is dropped, so a fact
  lacking a value simply lacks the field. A fact has at most :data:`MAX_FACT_KEYS` keys.
* **Serialised here, not by durable**: floats always with a fixed decimal point. The C number
  parser reads an exponent only after a ".", and a fact holding ``5e-05`` or ``1e+20`` — how
  ``json.dumps`` writes them — crashed the process.
* **Duplicates are removed** (same content, any key order): durable raises
  ``MessageObservedException`` for the second and still stores the rest of the batch.
* **Canonical order and ids**: facts are sorted by their serialised body, and every fact gets an
  id whose 32-bit FNV hash is unique in the check (the C core compares fact ids by that hash
  alone). So the same set of facts is the same input to the C core in any order, and the ids a
  match reports depend on the set alone.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from rulesengine.engine.errors import EngineError
from rulesengine.values import DECIMALS, MAX_WHOLE, Refused, normal

__all__ = [
    "BAD_KEY_CHARS",
    "DEFAULT_INT_FIELDS",
    "FID",
    "Encoded",
    "FactIds",
    "check_mapping",
    "fnv1_32",
    "normalise_facts",
    "normalise_one",
    "validate_one",
]

DEFAULT_INT_FIELDS: Final[tuple[str, ...]] = ("year", "start", "end")
"""Fields whose integral numbers stay ``int``; every other number becomes ``float``."""

FID: Final = "fid"
"""The key of the id the engine gives each fact (also its durable ``id``)."""

_RESERVED_KEYS: Final = frozenset({"sid", "id", FID})
MAX_FACT_KEYS: Final = 240  # the C core allows 255 properties, sid/id/fid included
BAD_KEY_CHARS: Final = re.compile(r'["\\\x00-\x1f\x7f]')
_NEEDS_ESCAPE: Final = re.compile(r'["\\\x00-\x1f]')  # what json.dumps escapes (ensure_ascii off)

Encoded = tuple[str, dict[str, Any]]
"""A fact's canonical body (its JSON with sorted keys, without the closing brace, so the engine
can append its ids) and the normalised fact."""


# --------------------------------------------------------------------------------------------
# 32-bit FNV-1, exactly as the C core computes it (``char`` is signed on x86).


def fnv1_32(text: str) -> int:
    """The hash the C core keys facts and properties by."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value ^= byte if byte < 0x80 else (byte - 0x100) & 0xFFFFFFFF
        value = (value * 16777619) & 0xFFFFFFFF
    return value


class FactIds:
    """Fact ids ``f0, f1, …`` skipping any whose 32-bit hash repeats an earlier one's.

    durable-rules stores a fact under ``fnv1_32(id)`` and treats two facts with equal hashes
    as the same fact, so the first *n* ids of this sequence are always safe together.
    """

    def __init__(self, reserved: Iterable[str]) -> None:
        self._ids: list[str] = []
        self._owner: dict[int, int] = {fnv1_32(text): -1 for text in reserved}
        self._counter = itertools.count()

    def first(self, n: int) -> list[str]:
        while len(self._ids) < n:
            candidate = f"f{next(self._counter)}"
            digest = fnv1_32(candidate)
            if digest in self._owner:
                continue
            self._owner[digest] = len(self._ids)
            self._ids.append(candidate)
        return self._ids[:n]

    def clashes(self, text: str, n: int) -> bool:
        """Whether ``text`` hashes like a reserved id or one of the first ``n`` fact ids."""
        owner = self._owner.get(fnv1_32(text))
        return owner is not None and owner < n


# --------------------------------------------------------------------------------------------
# Keys. Checked once per process each (a key's hash must not collide with another's anywhere).

_KEY_OK: dict[str, bool] = {}  # keys already checked (shared; a dict write is atomic)
_KEY_BY_HASH: dict[int, str] = {fnv1_32(key): key for key in _RESERVED_KEYS}
_KEY_LOCK = threading.Lock()


def _check_key(index: int, key: object) -> str:
    if isinstance(key, str) and _KEY_OK.get(key):
        return key
    if not isinstance(key, str) or not key:
        raise EngineError(f"fact #{index}: key {key!r} must be a non-empty string", fact_index=index)
    if key.startswith(("$", "__")) or key in _RESERVED_KEYS:
        raise EngineError(f"fact #{index}: key {key!r} is reserved by the engine", fact_index=index, key=key)
    if BAD_KEY_CHARS.search(key):
        raise EngineError(
            f"fact #{index}: key {key!r} has quotes, backslashes or control characters",
            fact_index=index,
            key=key,
        )
    with _KEY_LOCK:
        digest = fnv1_32(key)
        other = _KEY_BY_HASH.setdefault(digest, key)
        if other != key:
            # The C core indexes properties by this hash: the two keys would be one property.
            raise EngineError(
                f"fact #{index}: key {key!r} has the same 32-bit hash as key {other!r}; rename it",
                fact_index=index,
                key=key,
            )
        _KEY_OK[key] = True
    return key


# --------------------------------------------------------------------------------------------
# Values and whole facts.


def _value(index: int, key: str, value: object, int_fields: frozenset[str]) -> Any:
    """:func:`rulesengine.values.normal` for a fact's value, its refusals worded for facts."""
    whole = key in int_fields
    try:
        out = normal(value, whole)
    except Refused as exc:
        if exc.reason in ("nested", "type"):
            flat = "; facts must be flat (str, int, float or bool values)" if exc.reason == "nested" else ""
            raise EngineError(
                f"fact #{index}: key {key!r} holds {exc}{flat}", fact_index=index, key=key
            ) from None
        raise EngineError(f"fact #{index}: {key!r} = {exc}", fact_index=index, key=key) from None
    if whole and type(out) is float:  # a fact joins on it: 2023 and 2023.5 would not
        raise EngineError(
            f"fact #{index}: {key!r} = {value!r} must be a whole number", fact_index=index, key=key
        )
    return out


def _normal_values(index: int, fact: Mapping[str, Any], int_fields: frozenset[str]) -> dict[str, Any]:
    """The fact's keys checked and values normalised, in the fact's own key order.

    The three commonest cases (a known key; a str or bool; a finite float outside
    ``int_fields``; an int year in range) are decided inline, as :func:`rulesengine.values.normal`
    decides them (tests/engine/test_codec.py holds the two to the same answers): this runs for
    every value of every new fact.
    """
    out: dict[str, Any] = {}
    known = _KEY_OK
    for key, value in fact.items():
        name = key if type(key) is str and known.get(key) else _check_key(index, key)
        kind = type(value)
        if kind is str or kind is bool:
            out[name] = value
        elif kind is float and name not in int_fields and math.isfinite(value):
            out[name] = round(value, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
        elif kind is int and name in int_fields and -MAX_WHOLE <= value <= MAX_WHOLE:
            out[name] = value
        elif value is not None:
            out[name] = _value(index, name, value, int_fields)
    if len(out) > MAX_FACT_KEYS:
        raise EngineError(
            f"fact #{index} has {len(out)} keys; at most {MAX_FACT_KEYS} are allowed", fact_index=index
        )
    return out


def _encode(value: Any) -> str:
    """JSON the C parser reads safely: floats always with a decimal point, never an exponent."""
    kind = type(value)
    if kind is str:
        if _NEEDS_ESCAPE.search(value) is None:
            return f'"{value}"'
        return json.dumps(value, ensure_ascii=False)
    if kind is float:
        return format(value, f".{DECIMALS}f")
    if kind is bool:
        return "true" if value else "false"
    return str(value)  # int


def check_mapping(index: int, fact: object) -> Mapping[str, Any]:
    """``fact`` if it is a mapping; an EngineError naming its index if not."""
    if not isinstance(fact, Mapping):
        raise EngineError(f"fact #{index} is a {type(fact).__name__}, not a dict", fact_index=index)
    return fact


def normalise_one(index: int, fact: Mapping[str, Any], int_fields: frozenset[str]) -> Encoded:
    """One fact's canonical body and normalised dict (keys sorted); errors name ``index``."""
    values = _normal_values(index, fact, int_fields)
    ordered = {key: values[key] for key in sorted(values)}
    parts = []
    for key, value in ordered.items():
        if type(value) is str and _NEEDS_ESCAPE.search(value) is None:
            parts.append(f'"{key}":"{value}"')
        else:
            parts.append(f'"{key}":{_encode(value)}')
    return "{" + ",".join(parts), ordered


def validate_one(index: int, fact: Mapping[str, Any], int_fields: frozenset[str]) -> None:
    """Raise what :func:`normalise_one` would raise, without serialising: for a fact that will
    not be asserted, which must still be refused if it is bad."""
    _normal_values(index, fact, int_fields)


def normalise_facts(
    facts: Sequence[Mapping[str, Any]],
    int_fields: Iterable[str] = DEFAULT_INT_FIELDS,
) -> list[Encoded]:
    """Validate and normalise ``facts``; drop duplicates; order them canonically.

    Returns ``(body, fact)`` pairs sorted by ``body``, the fact's canonical JSON (sorted keys,
    without the closing brace) — so the result depends on the set of facts only. Each dict is
    new: the caller may change it. Raises :class:`EngineError` naming the fact's index in
    ``facts`` and the key at fault.
    """
    fields = frozenset(int_fields)
    unique: dict[str, dict[str, Any]] = {}
    for index, fact in enumerate(facts):
        body, values = normalise_one(index, check_mapping(index, fact), fields)
        unique.setdefault(body, values)
    return sorted(unique.items())
