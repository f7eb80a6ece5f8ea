"""Reading a YAML data file (indicators, phrasing, rules, regions, scopes, spam terms), with one error.

Why one home: an analyst fixes these files from the error message alone, so every loader must
answer the same three questions the same way — which file, which line, which field — in Chinese
and in English. A loader reads a file with :func:`read_yaml` and gets the parsed data together
with the YAML node tree, so an error about a field found later (a missing key, a bad regular
expression, a pydantic validation error) still points at the line where that field is written
(or, for a missing key, at the mapping that lacks it). :func:`load_model` does the whole job
for data that a pydantic model describes.

The error message reads ``<file> 第<n>行/line <n> 字段/field <path>: <中文> / <English>``; the path
is dotted with list indices in brackets, as ``sections.markers[2].pattern``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import yaml
from pydantic import BaseModel, ValidationError

__all__ = [
    "DataFileError",
    "YamlFile",
    "did_you_mean",
    "field_path",
    "load_model",
    "read_yaml",
    "validation_error",
]

M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound="DataFileError")
Part = str | int
FieldPath = str | Sequence[Part]

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

# Pydantic's error types in Chinese; the English is pydantic's own message.
_PYDANTIC_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "dict_type": "应为映射",
    "model_type": "应为映射",
    "enum": "取值不在可选范围内",
    "literal_error": "取值不在可选范围内",
    "string_pattern_mismatch": "格式不对",
    "string_too_short": "文字太短或为空",
    "too_short": "条目太少",
}


def field_path(parts: FieldPath) -> str:
    """``("a", "b", 2, "c")`` → ``a.b[2].c``; a string is taken as already written that way."""
    if isinstance(parts, str):
        return parts
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _parts(path: FieldPath) -> list[Part]:
    if not isinstance(path, str):
        return list(path)
    return [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PART.finditer(path)]


class DataFileError(ValueError):
    """A data file that cannot be used: names the file, the line and the field, in zh and en.

    ``line`` is 1-based; it and ``field`` are None when the file as a whole is at fault (it is
    missing, or empty). Subclasses (CatalogError, PhrasingError, RulebookError) only add what
    their kind of file has to say where, such as the rule id.
    """

    def __init__(
        self,
        file: Path | str,
        line: int | None,
        field: str | None,
        problem_zh: str,
        problem_en: str,
        *,
        where: str = "",
        column: int | None = None,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.column = column
        self.field = field
        self.problem_zh = problem_zh
        self.problem_en = problem_en
        place = f"{self.file} {self.place}" if self.place else self.file
        place += where
        if field:
            place += f" 字段/field {field}"
        super().__init__(f"{place}: {problem_zh} / {problem_en}")

    @property
    def place(self) -> str:
        """Where in the file, as every message says it: 第4行第1列/line 4 column 1 (or no column)."""
        if self.line is None:
            return ""
        if self.column is None:
            return f"第{self.line}行/line {self.line}"
        return f"第{self.line}行第{self.column}列/line {self.line} column {self.column}"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with every attribute: the error crosses processes (batch workers, the engine
        pool), and the default would call ``__init__`` with the message alone."""
        return (_restore, (type(self), str(self), self.__dict__))


def _restore(kind: type[DataFileError], message: str, state: dict[str, Any]) -> DataFileError:
    err = kind.__new__(kind)
    ValueError.__init__(err, message)
    err.__dict__.update(state)
    return err


@dataclass(frozen=True)
class YamlFile(Generic[E]):
    """A parsed YAML file: its data, the node tree that says on which line each value is, and
    the kind of error its loader raises (a DataFileError subclass)."""

    path: Path
    data: Any
    root: yaml.Node | None
    kind: type[E]

    def line(self, path: FieldPath = ()) -> int | None:
        """The 1-based line where the field at ``path`` is written: its key's line (a list item's
        own line). A missing field gets the line of the nearest field that holds it."""
        return self.place(path)[0]

    def place(self, path: FieldPath = ()) -> tuple[int | None, int | None]:
        """(line, column), both 1-based, of the field at ``path`` — where an editor's cursor
        should go: the key that names it, or the nearest field that holds a missing one."""
        node = self.root
        if node is None:
            return None, None
        mark = node.start_mark
        for part in _parts(path):
            found = _child(node, part)
            if found is None:
                break
            node, mark = found
        return mark.line + 1, mark.column + 1

    def error(self, path: FieldPath | None, zh: str, en: str, **extra: Any) -> E:
        """The error to raise for the value at ``path`` (None: the file as a whole); ``extra``
        goes to the error kind (a rule id, a catalog entry)."""
        field = (field_path(path) or None) if path is not None else None
        line, column = self.place(path or ()) if path is not None else (self.line(()), None)
        return self.kind(self.path, line, field, zh, en, column=column, **extra)


def _child(node: yaml.Node, part: Part) -> tuple[yaml.Node, yaml.Mark] | None:
    """The value under ``part`` and where it is named (a key's mark, or an item's)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value, key.start_mark
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item: yaml.Node = node.value[part]
        return item, item.start_mark
    return None


def did_you_mean(word: object, choices: Iterable[object]) -> tuple[str, str]:
    """A "did you mean" for a misspelt key, value or id, as (中文, English) suffixes to append to
    a message; empty when nothing is close. A misspelling is the commonest error in a data file
    an analyst edits by hand."""
    names = [str(c) for c in choices]
    close = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f"(是不是 {close[0]}?)", f" (did you mean {close[0]!r}?)"


@overload
def read_yaml(path: Path | str) -> YamlFile[DataFileError]: ...


@overload
def read_yaml(path: Path | str, kind: type[E]) -> YamlFile[E]: ...


def read_yaml(path: Path | str, kind: type[Any] = DataFileError) -> YamlFile[Any]:
    """``path`` parsed (safe YAML), or a ``kind`` error: unreadable, or the line YAML stopped at.

    ``kind`` is the loader's own DataFileError subclass, so a caller that catches, say,
    CatalogError catches a catalog's syntax errors too."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise kind(path, None, None, f"无法读取:{exc.strerror}", f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise kind(path, None, None, "文件不是 UTF-8 编码", "the file is not UTF-8 text") from None
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise kind(
            path, line, None, f"YAML 语法错误:{problem}", f"YAML syntax error: {problem}", column=column
        ) from None
    finally:
        loader.dispose()
    return YamlFile(path, data, root, kind)


def validation_error(doc: YamlFile[E], exc: ValidationError, prefix: Sequence[Part] = (), **extra: Any) -> E:
    """The first of pydantic's complaints, placed at its field's line; ``prefix`` is where the
    validated value sits in the file (the catalog validates one entry at a time)."""
    err = exc.errors()[0]
    where = [*prefix, *(p for p in err["loc"] if isinstance(p, str | int))]
    zh = _PYDANTIC_ZH.get(err["type"], "取值无效")
    return doc.error(where or None, zh, err["msg"], **extra)


def load_model(path: Path | str, model: type[M], kind: type[DataFileError] = DataFileError) -> M:
    """``path`` parsed and validated as ``model``, or a ``kind`` error naming file, line and field."""
    doc = read_yaml(path, kind)
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise validation_error(doc, exc) from None
