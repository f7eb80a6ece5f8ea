"""The one error a rule pack raises: it names the file, the rule and the field, in zh and en.

A rule author fixes YAML from this message alone, so it always says where (file, rule id,
field path such as ``cases[1].when.county.value``) and what is wrong, in both languages.
"""

from __future__ import annotations

__all__ = ["RulebookError"]


class RulebookError(ValueError):
    """A rule file (or the pack around it) that cannot be used."""

    def __init__(
        self,
        file: str,
        rule_id: str | None,
        field: str | None,
        problem_zh: str,
        problem_en: str,
    ) -> None:
        self.file = file
        self.rule_id = rule_id
        self.field = field
        self.problem_zh = problem_zh
        self.problem_en = problem_en
        where = file
        if rule_id:
            where += f" 规则/rule {rule_id}"
        if field:
            where += f" 字段/field {field}"
        super().__init__(f"{where}: {problem_zh} / {problem_en}")
