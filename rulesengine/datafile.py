"""Reading a data file under rules/ into its pydantic model, with one kind of error.

Why one home: each data file (regions, scopes) needs the same answer when it is wrong — the
file, the line YAML stopped at, or the field that failed, in Chinese and English.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

__all__ = ["load_model"]

M = TypeVar("M", bound=BaseModel)


def load_model(path: Path, model: type[M]) -> M:
    """``path`` parsed and validated as ``model``, or a ValueError naming file and line or field."""
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ValueError(f"{path}{line}: YAML 无法解析 / cannot be parsed: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"{path}: 字段 {field} 无效 / field {field} is invalid: {err['msg']}") from None
