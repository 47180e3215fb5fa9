"""YAML that remembers where each value came from, so a validation error can name the file's line.

`load(text)` returns the plain data (dicts, lists, scalars, as `yaml.safe_load`
would) and a map from each value's path (keys and list indexes, pydantic's
`loc` order) to its 1-based line. `line_of(lines, loc)` finds the nearest
recorded ancestor of a path, since pydantic may name a field that is missing
(the line of its parent mapping is then the useful one).
"""

from collections.abc import Sequence
from typing import Any

import yaml

Path = tuple[str | int, ...]


class YamlSyntaxError(ValueError):
    """The text is not YAML; `line` is 1-based."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def load(text: str) -> tuple[Any, dict[Path, int]]:
    """Plain data and path → line for every mapping, sequence and scalar in the document."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        lines: dict[Path, int] = {}
        data = _build(loader, root, (), lines) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(str(exc.problem or exc), mark.line + 1 if mark else None) from exc
    finally:
        loader.dispose()
    return data, lines


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            out[key] = _build(loader, value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), lines) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def line_of(lines: dict[Path, int], loc: Sequence[str | int]) -> int | None:
    """The line of `loc`, or of its nearest ancestor that the document holds."""
    path = tuple(loc)
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path[:-1]
