"""The rule pack: one YAML file per rule under pack/ of the rules data (rules/pack in a
checkout), validated and compiled for the engine.

Public API: :func:`load_rulebook` / :func:`default_rulebook` → :class:`Rulebook` (rules, cases,
``engine_rules()`` for ``RuleEngine``, ``version`` for audits); :class:`RulebookError` names
file, line, rule and field. The rule file format is documented in rules/pack/README.md.
"""

from rulesengine.rulebook.conditions import Pattern
from rulesengine.rulebook.errors import RulebookError
from rulesengine.rulebook.loader import (
    Case,
    Rule,
    Rulebook,
    default_rulebook,
    load_rulebook,
)
from rulesengine.rulebook.specindex import ScenarioRef, SpecIndex, index_specs
from rulesengine.rulebook.templates import DISPLAY_FIELDS, render, template_fields

__all__ = [
    "DISPLAY_FIELDS",
    "Case",
    "Pattern",
    "Rule",
    "Rulebook",
    "RulebookError",
    "ScenarioRef",
    "SpecIndex",
    "default_rulebook",
    "index_specs",
    "load_rulebook",
    "render",
    "template_fields",
]
