"""YAML reading that remembers where every value came from.

Coaches write templates and profiles by hand, so every error must point at a
line. PyYAML's composer keeps a mark on each node; we build plain Python
values from the node tree ourselves and keep a map from key path to mark.

The resolver follows YAML 1.2's core schema rather than PyYAML's YAML 1.1
default: ``4:50`` stays the string "4:50" (not the sexagesimal 290), ``no``
stays "no" (not False) and dates stay strings for the schema to parse.
Duplicate keys are an error instead of silently keeping the last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from plansync.errors import InputError, Problem

Loc = tuple[str | int, ...]


class _CoreResolver(BaseResolver):
    pass


_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _PyLoader(Reader, Scanner, Parser, Composer, SafeConstructor, _CoreResolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        _CoreResolver.__init__(self)


_Loader: type[Any] = _PyLoader
try:  # libyaml's parser, when PyYAML has it, is about 80 times faster and keeps the same marks
    from yaml._yaml import CParser

    class _CLoader(CParser, SafeConstructor, _CoreResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            _CoreResolver.__init__(self)

    _Loader = _CLoader
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    pass


@dataclass
class Document:
    """A parsed YAML file: its data and where each value stands in the text."""

    path: Path | None
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)  # 1-based line, column
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the value (or key) at ``loc``, or of its nearest parent."""
        probe = tuple(loc)
        while True:
            table = self.keys if key else self.values
            if probe in table:
                return table[probe]
            if key and probe in self.values:
                return self.values[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        line, col = self.locate(loc, key=key)
        return Problem(self.path, line, col, dotted(loc), message)


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _mark(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: ScalarNode, loader: Any) -> Any:
    tag = node.tag
    if tag == "tag:yaml.org,2002:str":
        return node.value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return node.value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        return int(node.value, 0)
    if tag == "tag:yaml.org,2002:float":
        return loader.construct_yaml_float(node)
    raise yaml.constructor.ConstructorError(None, None, f"unsupported tag {tag!r}", node.start_mark)


def _build(node: Node, loc: Loc, doc: Document, loader: Any, errors: list[Problem]) -> Any:
    doc.values[loc] = _mark(node)
    if isinstance(node, ScalarNode):
        return _scalar(node, loader)
    if isinstance(node, SequenceNode):
        return [_build(item, (*loc, i), doc, loader, errors) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                line, col = _mark(key_node)
                errors.append(Problem(doc.path, line, col, dotted(loc), "keys must be plain words"))
                continue
            key = _scalar(key_node, loader)
            if not isinstance(key, str):
                key = str(key_node.value)
            sub = (*loc, key)
            if key in out:
                line, col = _mark(key_node)
                first = doc.keys[sub][0]
                errors.append(
                    Problem(doc.path, line, col, dotted(sub), f"duplicate key (first on line {first})")
                )
                continue
            doc.keys[sub] = _mark(key_node)
            out[key] = _build(value_node, sub, doc, loader, errors)
        return out
    raise AssertionError(f"unexpected node {node!r}")


def parse(text: str, path: Path | None = None, error: type[InputError] = InputError) -> Document:
    """Parse one YAML document; raise ``error`` with file:line:column on bad YAML."""
    loader = _Loader(text)
    doc = Document(path, None)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        raise error([Problem(path, line, col, "", f"invalid YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise error([Problem(path, None, None, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise error([Problem(path, 1, 1, "", "the file is empty; expected a mapping of keys")])
    errors: list[Problem] = []
    try:
        doc.data = _build(node, (), doc, loader, errors)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise error(
            [Problem(path, mark.line + 1 if mark else None, None, "", f"invalid YAML: {exc.problem}")]
        ) from None
    if errors:
        raise error(errors)
    if not isinstance(doc.data, dict):
        raise error([Problem(path, 1, 1, "", "expected a mapping of keys at the top level")])
    return doc


def read(path: Path, error: type[InputError] = InputError) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error([Problem(path, None, None, "", "no such file")]) from None
    except UnicodeDecodeError as exc:
        raise error([Problem(path, None, None, "", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise error([Problem(path, None, None, "", f"cannot read: {exc.strerror}")]) from None
    return parse(text, path, error)
