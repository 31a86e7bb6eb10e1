"""YAML reading that remembers where every value came from.

Coaches write templates and profiles by hand, so every error must point at a
line. PyYAML's composer keeps a mark on each node; we build plain Python
values from the node tree ourselves and keep a map from key path to mark.

The resolver follows YAML 1.2's core schema rather than PyYAML's YAML 1.1
default: ``4:50`` stays the string "4:50" (not the sexagesimal 290), ``no``
stays "no" (not False) and dates stay strings for the schema to parse.
Duplicate keys are an error instead of silently keeping the last one.

Hostile or careless files get a message, never a hang or a crash: only
regular files are read (not FIFOs, devices or folders), at most
:data:`MAX_INPUT_BYTES`, as UTF-8 (a byte-order mark is allowed); anchors and
aliases are refused (an alias bomb of a kilobyte expands to gigabytes);
nesting is bounded; numbers have at most :data:`MAX_DIGITS` digits.
"""

from __future__ import annotations

import re
import stat
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
MAX_INPUT_BYTES = 1_000_000  # every YAML or TOML file plansync reads
MAX_DEPTH = 32  # nesting of sequences and mappings
MAX_DIGITS = 12  # in a whole number; no real plan needs more


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
        text = node.value.lstrip("+-")
        if len(text.lstrip("0")) > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {len(text)} digits is too large", node.start_mark
            )
        if text.startswith(("0o", "0x")):
            return int(node.value, 0)
        return int(node.value, 10)  # "012" is twelve, as a person reads it
    if tag == "tag:yaml.org,2002:float":
        return loader.construct_yaml_float(node)
    raise yaml.constructor.ConstructorError(None, None, f"unsupported tag {tag!r}", node.start_mark)


class _Refused(Exception):
    def __init__(self, node: Node, message: str) -> None:
        self.node, self.message = node, message


def _build(
    node: Node, loc: Loc, doc: Document, loader: Any, errors: list[Problem], seen: set[int] | None = None
) -> Any:
    seen = set() if seen is None else seen
    if id(node) in seen:  # the same node twice: an alias
        raise _Refused(node, "YAML anchors and aliases are not allowed in {kind}: write each value out")
    seen.add(id(node))
    if len(loc) > MAX_DEPTH:
        raise _Refused(node, f"nested more than {MAX_DEPTH} levels deep")
    doc.values[loc] = _mark(node)
    if isinstance(node, ScalarNode):
        return _scalar(node, loader)
    if isinstance(node, SequenceNode):
        return [_build(item, (*loc, i), doc, loader, errors, seen) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                line, col = _mark(key_node)
                errors.append(Problem(doc.path, line, col, dotted(loc), "keys must be plain words"))
                continue
            if id(key_node) in seen:
                raise _Refused(
                    key_node, "YAML anchors and aliases are not allowed in {kind}: write each value out"
                )
            seen.add(id(key_node))
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
            out[key] = _build(value_node, sub, doc, loader, errors, seen)
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
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        message = f"the control character U+{char:04X} is not allowed; type names and notes as plain text"
        raise error([Problem(path, line, col, "", message)]) from None
    except yaml.YAMLError as exc:
        raise error([Problem(path, None, None, "", f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise error([Problem(path, 1, 1, "", "the file is empty; expected a mapping of keys")])
    errors: list[Problem] = []
    try:
        doc.data = _build(node, (), doc, loader, errors)
    except _Refused as refused:
        kind = {"profile": "profiles", "template": "templates"}.get(
            getattr(error, "kind", ""), "plansync files"
        )
        line, col = _mark(refused.node)
        raise error([Problem(path, line, col, "", refused.message.format(kind=kind))]) from None
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


def read_text(path: Path, error: type[InputError] = InputError) -> str:
    """A text file a person wrote, read with care: a regular file, at most
    :data:`MAX_INPUT_BYTES`, UTF-8 (a byte-order mark is dropped)."""

    def fail(message: str) -> InputError:
        return error([Problem(path, None, None, "", message)])

    try:
        info = path.stat()
    except FileNotFoundError:
        raise fail("no such file") from None
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        what = (
            "a folder"
            if stat.S_ISDIR(info.st_mode)
            else "a FIFO"
            if stat.S_ISFIFO(info.st_mode)
            else "a device"
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "not a regular file"
        )
        raise fail(f"is {what}, not a file plansync can read")
    if info.st_size > MAX_INPUT_BYTES:
        raise fail(f"is {info.st_size:,} bytes; plansync reads files up to {MAX_INPUT_BYTES:,} bytes")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise fail(f"cannot read: {exc.strerror}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise fail(f"is larger than {MAX_INPUT_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            [
                Problem(
                    path,
                    line,
                    None,
                    "",
                    f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                )
            ]
        ) from None


def read(path: Path, error: type[InputError] = InputError) -> Document:
    return parse(read_text(path, error), path, error)
