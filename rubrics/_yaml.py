"""Reading a YAML definition while remembering on which line each value stands.

Teachers edit these files by hand, so an error message that says "line 42" saves a search.
PyYAML's composed node tree carries the marks; it is walked once to map every path
(``criteria[2].levels[1].points``) to its line, and to catch repeated keys, which PyYAML
would otherwise silently collapse to the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem


@dataclass
class YamlDocument:
    """The data of one YAML file, the line of every path in it, the problems found reading it."""

    source: str
    data: Any = None
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, path: str) -> int | None:
        """Line of ``path``, or of its nearest enclosing value when the path itself is absent."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = _parent_path(path)


def child_path(parent: str, key: object) -> str:
    """Path of a mapping key (``parent.key``) or of a sequence index (``parent[3]``)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def _parent_path(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def read_yaml_file(path: Path, source: str | None = None) -> YamlDocument:
    """Read ``path``; unreadable files and syntax errors become problems, not exceptions."""
    document = YamlDocument(source=source or display_path(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        document.problems.append(Problem(document.source, "", f"cannot be read: {exc}"))
        return document
    return read_yaml_text(text, document.source)


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when inside it, as a user would type it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_yaml_text(text: str, source: str) -> YamlDocument:
    """Parse YAML ``text`` named ``source`` (see :func:`read_yaml_file`)."""
    document = YamlDocument(source=source)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _record_lines(node, "", document)
            document.data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        document.problems.append(Problem(source, "", f"invalid YAML: {reason}", line))
        document.data = None
    finally:
        loader.dispose()
    return document


def _record_lines(node: yaml.Node, path: str, document: YamlDocument) -> None:
    document.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = child_path(path, key)
            if key in seen:
                document.problems.append(
                    Problem(
                        document.source, child, "key appears twice", key_node.start_mark.line + 1
                    )
                )
            seen.add(key)
            document.lines.setdefault(child, key_node.start_mark.line + 1)
            _record_lines(value_node, child, document)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, child_path(path, index), document)
