"""The one error the engine raises, shared by every step from compiling a rule to running a check."""

from __future__ import annotations

__all__ = ["EngineError"]


class EngineError(RuntimeError):
    """A bad ruleset, a bad fact, a failing action or an error code from the C core.

    The message names the rule or the fact at fault; ``rule``, ``fact_index``, ``key``,
    ``code`` (a durable-rules C error code) and ``fact_set`` (which of several fact sets, in
    :meth:`EnginePool.run_many`) carry the same information for programs. Instances pickle,
    so they cross process boundaries unchanged.
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        fact_index: int | None = None,
        key: str | None = None,
        code: int | None = None,
        fact_set: int | None = None,
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.fact_index = fact_index
        self.key = key
        self.code = code
        self.fact_set = fact_set
