"""The one error a rule pack raises: it names the file, the line, the rule and the field, in zh and en.

A rule author fixes YAML from this message alone, so it always says where (file, line, rule id,
field path such as ``cases[1].when.county.value``) and what is wrong, in both languages. It is
the data files' error (``rulesengine.datafile.DataFileError``) with the rule id added, so code
that handles any broken data file handles a broken rule too.
"""

from __future__ import annotations

from pathlib import Path

from rulesengine.datafile import DataFileError

__all__ = ["RulebookError"]


class RulebookError(DataFileError):
    """A rule file (or the pack around it) that cannot be used."""

    def __init__(
        self,
        file: Path | str,
        line: int | None,
        field: str | None,
        problem_zh: str,
        problem_en: str,
        *,
        rule_id: str | None = None,
        column: int | None = None,
    ) -> None:
        self.rule_id = rule_id
        where = f" 规则/rule {rule_id}" if rule_id else ""
        super().__init__(file, line, field, problem_zh, problem_en, where=where, column=column)
