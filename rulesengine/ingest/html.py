"""Reading a saved web page: the visible text of its body, one block element per line.

Most plans are published as web pages, wrapped in navigation, headers, footers and scripts.
Those elements are dropped outright (the text inside a <nav> is never plan text); what is left
of the page furniture (breadcrumbs in a <div>, "打印本页") stays and can be skipped with
``furniture_lines``. Block elements end a line so sentences and list items keep the structure
the clause splitter relies on; table rows become one line with cells joined by `` | ``, as in
.docx. A line break in the HTML source between two Chinese characters is dropped rather than
turned into a space (the CSS rule for segment breaks in CJK text), so "规上⏎工业" stays one word.
"""

from __future__ import annotations

import re
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from rulesengine.ingest.errors import IngestError
from rulesengine.ingest.text import DecodedText, decode_text

__all__ = ["DROPPED_TAGS", "html_to_text", "read_html"]

DROPPED_TAGS: Final = (
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "noscript",
    "template",
    "iframe",
    "svg",
    "object",
    "embed",
)
_BLOCK_TAGS: Final = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
_CELL_TAGS: Final = frozenset({"td", "th"})
_META_CHARSET: Final = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CJK: Final = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]"
_CJK_SEGMENT_BREAK: Final = re.compile(rf"(?<={_CJK})[ \t\r\f]*\n\s*(?={_CJK})")
_SPACES: Final = re.compile(r"[ \t\n\r\f]+")


def read_html(data: bytes, file: str) -> tuple[str, DecodedText]:
    """The page's text and how its bytes were decoded; ``IngestError`` if no text is left."""
    declared = _META_CHARSET.search(data[:4096])
    decoded = decode_text(data, file, declared.group(1).decode("ascii") if declared else None)
    text = html_to_text(decoded.text)
    if not text.strip():
        raise IngestError(
            file,
            "empty",
            "网页里没有正文文字(去掉脚本、导航、页眉页脚后为空)",
            "the page has no body text (nothing left after removing scripts, navigation, "
            "headers and footers)",
        )
    return text, decoded


def html_to_text(markup: str) -> str:
    """Visible body text, one block per line, table cells joined by `` | ``."""
    tree = LexborHTMLParser(markup)
    tree.strip_tags(list(DROPPED_TAGS))
    body = tree.body
    if body is None:
        return ""
    return "\n".join(_Lines().walk(body))


class _Lines:
    """Collects lines while walking the tree; an explicit stack, so deep pages cannot overflow."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.buffer: list[str] = []
        self.cell_depth = 0
        self.row_cells = 0
        self.pre_depth = 0

    def walk(self, root: LexborNode) -> list[str]:
        stack: list[tuple[LexborNode, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self._leave(node)
                continue
            if node.is_text_node:
                self._text(node.text_content or "")
                continue
            if not node.is_element_node or _hidden(node):
                continue
            self._enter(node)
            stack.append((node, True))
            children: list[LexborNode] = []
            child = node.child
            while child is not None:
                children.append(child)
                child = child.next
            stack.extend((c, False) for c in reversed(children))
        self._flush()
        return self.lines

    def _enter(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag in _CELL_TAGS:
            if self.cell_depth == 0:
                if self.row_cells:
                    self.buffer.append(" | ")
                self.row_cells += 1
            self.cell_depth += 1
            return
        if tag == "tr" and self.cell_depth == 0:
            self.row_cells = 0
        if tag == "br" or tag in _BLOCK_TAGS:
            self._break()
        if tag == "pre":
            self.pre_depth += 1

    def _leave(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag in _CELL_TAGS:
            self.cell_depth -= 1
        elif tag == "pre" and not self.cell_depth:
            self._flush(raw=True)
            self.pre_depth -= 1
        elif tag in _BLOCK_TAGS:
            if tag == "pre":
                self.pre_depth -= 1
            self._break()

    def _text(self, text: str) -> None:
        if self.pre_depth and not self.cell_depth:
            first, *rest = text.split("\n")
            self.buffer.append(first)
            for line in rest:
                self._flush(raw=True)
                self.buffer.append(line)
        else:
            self.buffer.append(text)

    def _break(self) -> None:
        """End the line, except inside a table cell, where a row must stay one line."""
        if self.cell_depth:
            self.buffer.append(" ")
        else:
            self._flush()

    def _flush(self, raw: bool = False) -> None:
        text = "".join(self.buffer)
        self.buffer.clear()
        # <pre> text keeps its spacing; elsewhere HTML collapses whitespace, CJK breaks vanish.
        line = text.rstrip() if raw else _SPACES.sub(" ", _CJK_SEGMENT_BREAK.sub("", text)).strip()
        if line.strip():
            self.lines.append(line)


def _hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    if "hidden" in attrs:
        return True
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style
