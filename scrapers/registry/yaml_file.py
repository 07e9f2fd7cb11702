"""Reading the project's hand-edited YAML files (registries, the procedure taxonomy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# Where a value sits in a document: mapping keys and list indices from the top, e.g.
# ("sources", 3, "rate_limit_per_s").
YamlPath = tuple[str | int, ...]


def read_yaml(path: Path, error: type[Exception], what: str) -> Any:
    """The document in ``path``; ``error`` names the file when it is missing or not YAML
    (``what``: "registry", "taxonomy"...)."""
    return read_yaml_with_lines(path, error, what)[0]


def read_yaml_with_lines(path: Path, error: type[Exception], what: str) -> tuple[Any, dict[YamlPath, int]]:
    """The document in ``path`` and the line (1-based) of every key and list item in it.

    Error messages about a hand-edited file must say where to look; ``yaml.safe_load`` forgets
    the lines, so the document is composed once and both the values and the lines are read from
    that node tree. A mapping that repeats a key is refused (YAML keeps the last one silently, so
    a field written twice would lose the first value without a word).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error(f"{path}: {what} file not found") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} file: {exc.strerror or exc}") from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[YamlPath, int] = {}
        _index_lines(node, (), lines, path, error)
        return loader.construct_document(node), lines
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc
    finally:
        loader.dispose()


def _index_lines(node: yaml.Node, at: YamlPath, lines: dict[YamlPath, int], path: Path, error: type[Exception]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at).lstrip(".") or "top level"
                raise error(f"{path}:{line}: {where}: key '{key}' is repeated (first on line {seen[key]})")
            seen[key] = line
            lines[(*at, key)] = line
            _index_lines(value_node, (*at, key), lines, path, error)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*at, i)] = item.start_mark.line + 1
            _index_lines(item, (*at, i), lines, path, error)
