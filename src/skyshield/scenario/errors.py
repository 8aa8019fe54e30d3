"""Problems found in a user's file, reported as ``FILE:LINE path.to.field: message (got VALUE)``."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

__all__ = ["Problem", "ScenarioError", "MAX_FILE_BYTES", "parse_yaml", "problems_from_validation",
           "read_source"]

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Largest scenario or catalogue file, in bytes of UTF-8. Measured (bench: a generated scenario of
many three-waypoint routes, validated by parse_scenario): 1 MB 2.3 s of CPU and 188 MiB peak,
4 MB 10.1 s and 426 MiB, 8 MB 18.2 s and 742 MiB; 4 MiB is some 300 times the built-in scenario."""
MAX_DEPTH = 100
"""Deepest nesting of mappings and lists a file may have (a scenario needs 6 levels)."""
_NO_VALUE = object()
_SUBPATH = re.compile(r"^@([A-Za-z0-9_.\-]+): (.*)$", re.S)

try:  # libyaml's parser, in C; the pure-Python one gives the same events, some 10 times slower
    from yaml import CSafeLoader as _Loader
    LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    LIBYAML = False


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str
    got: Any = _NO_VALUE

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        path = f" {self.path}:" if self.path else ""
        got = "" if self.got is _NO_VALUE else f" (got {_short(self.got)})"
        return f"{where}{path} {self.message}{got}"


class ScenarioError(Exception):
    """One or more problems in a scenario or catalogue file."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        text = ("a mapping with keys " + ", ".join(_name(k) for k in list(value)[:5])
                if value else "an empty mapping")
    elif isinstance(value, list):
        text = f"a list of {len(value)} items"
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class LineMap(dict[tuple[Any, ...], int]):
    """The line of every mapping key and list item of a parsed file, by path; also looked up
    with every key as a string (pydantic's paths name an int key ``1`` as ``'1'``)."""

    _as_str: tuple[int, dict[tuple[str, ...], int]] | None = None

    def as_str(self) -> dict[tuple[str, ...], int]:
        """The same lines by paths of strings (the first of equal paths), built once."""
        if self._as_str is None or self._as_str[0] != len(self):
            index: dict[tuple[str, ...], int] = {}
            for k, v in self.items():
                index.setdefault(tuple(str(x) for x in k), v)
            self._as_str = (len(self), index)
        return self._as_str[1]


def read_source(path: Path, file: str, what: str) -> str:
    """The text of a UTF-8 file; an unreadable or undecodable file raises :class:`ScenarioError`."""
    try:
        with path.open("rb") as f:  # never more than the bound: a huge file or a device
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ScenarioError([Problem(file, None, "", f"cannot read {what}: {exc.strerror or exc}")
                             ]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(file, None, "", f"file larger than {MAX_FILE_BYTES} bytes")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScenarioError([Problem(file, line, "", f"cannot read {what}: not UTF-8 text "
                                     f"({exc.reason} at byte {exc.start})",
                                     raw[exc.start:exc.start + 1])]) from None


def parse_yaml(text: str, file: str) -> tuple[Any, LineMap]:
    """Parse YAML once, returning the data and the line of every mapping key and list item.

    The parser's events (libyaml's, in C, when PyYAML has it) are composed into nodes by
    :func:`_compose`, which records the lines, checks duplicate keys and bounds the nesting as it
    goes; PyYAML's safe constructor then builds the data from the same nodes. Malformed YAML,
    duplicate keys, nesting deeper than :data:`MAX_DEPTH` and oversize input raise
    :class:`ScenarioError`.
    """
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(file, None, "", f"file larger than {MAX_FILE_BYTES} bytes")])
    line_at = _line_counter(text)
    try:
        loader = _Loader(text)  # (PyYAML's reader checks the characters here)
        try:
            node, lines, problems = _compose(loader, file, line_at)
            if problems:
                raise ScenarioError(problems)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = line_at(mark) if mark is not None else None
        context = exc.context
        if context and exc.context_mark is not None and exc.context_mark is not mark \
                and line_at(exc.context_mark) != line:
            context = f"{context} (started on line {line_at(exc.context_mark)})"
        msg = ": ".join(str(p) for p in (context, exc.problem) if p)
        raise ScenarioError([Problem(file, line, "", f"malformed YAML: {msg}")]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: no mark, a position
        # (libyaml gives the position in bytes of the UTF-8 text, PyYAML in characters)
        pos = max(exc.position, 0)
        if LIBYAML:
            head = text.encode("utf-8", errors="replace")[:pos]
            pos = len(head.decode("utf-8", errors="replace"))
        line = text.count("\n", 0, pos) + 1
        ch = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise ScenarioError([Problem(file, line, "", f"malformed YAML: {exc.reason}",
                                     ch)]) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise ScenarioError([Problem(file, None, "", f"malformed YAML: {exc}")]) from None
    return data, lines


def _line_counter(text: str) -> Callable[[yaml.Mark], int]:
    """Line number (1-based) of a YAML mark, counting '\\n' only, as editors and grep do.

    (YAML's own ``mark.line`` also counts U+0085, U+2028, U+2029 and a lone '\\r' as breaks.)
    Both parsers count ``mark.index`` in characters.
    """
    newlines = [m.start() for m in re.finditer("\n", text)]
    return lambda mark: bisect_right(newlines, mark.index - 1) + 1


class _Open:
    """A mapping or list being composed: its node, path, depth and (mappings) pending key."""

    __slots__ = ("node", "path", "key", "keys")

    def __init__(self, node: yaml.Node, path: tuple[Any, ...]):
        self.node = node
        self.path = path
        self.key: yaml.Node | None = None  # a mapping's key whose value comes next
        self.keys: set[Any] = set()


class _KeyNode:
    """The path element of a key that is itself a mapping or list (never a valid key)."""

    def __repr__(self) -> str:
        return "?"


_KEY_NODE = _KeyNode()


def _compose(loader: Any, file: str, line_at: Callable[[yaml.Mark], int]
             ) -> tuple[yaml.Node | None, LineMap, list[Problem]]:
    """Compose the parser's events into the node tree, iteratively (PyYAML's composer, in C or
    Python, recurses once per level: libyaml's overflows the C stack at a few thousand levels).

    Returns the root node (None for an empty stream), the line of every mapping key and list
    item by path, and the duplicate keys and too-deep nesting found.
    """
    lines = LineMap()
    problems: list[Problem] = []
    anchors: dict[str, Any] = {}  # (nodes: PyYAML types their marks as its Python parser's)
    resolved: dict[tuple[str, tuple[bool, bool]], str] = {}
    resolve = loader.resolve
    get_event = loader.get_event
    ScalarNode, SequenceNode, MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
    ScalarEvent, AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
    SequenceStartEvent = yaml.SequenceStartEvent
    CollectionEndEvent = yaml.CollectionEndEvent

    get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        get_event()
        return None, lines, problems
    get_event()  # document start
    stack: list[_Open] = []
    root: Any = None
    while root is None:
        try:
            event = get_event()
        except yaml.MarkedYAMLError as exc:
            # libyaml ≥ 0.2.6 stops deeper than its own bound (1,000 flow levels) while it scans
            # ahead, before this composer has seen level MAX_DEPTH: the same refusal
            if "maximum nesting depth" not in str(exc.problem) or exc.problem_mark is None:
                raise
            path = stack[-1].path if stack else ()
            raise ScenarioError([Problem(
                file, line_at(exc.problem_mark),
                _dotted(path[:12]) + (".…" if len(path) > 12 else ""),
                f"nested more than {MAX_DEPTH} levels deep")]) from None
        if isinstance(event, CollectionEndEvent):
            done = stack.pop()
            done.node.end_mark = event.end_mark
            node = done.node
        else:
            start: Any = event.start_mark  # (PyYAML types marks as its Python parser's)
            if isinstance(event, AliasEvent):
                if event.anchor not in anchors:
                    raise yaml.composer.ComposerError(None, None, f"found undefined alias "
                                                      f"{event.anchor!r}", start)
                node = anchors[event.anchor]
            else:
                anchor = event.anchor
                if anchor is not None and anchor in anchors:
                    raise yaml.composer.ComposerError(
                        f"found duplicate anchor {anchor!r}; first occurrence",
                        anchors[anchor].start_mark, "second occurrence", event.start_mark)
                tag = event.tag
                if isinstance(event, ScalarEvent):
                    if tag is None or tag == "!":
                        rkey = (event.value, event.implicit)
                        tag = resolved.get(rkey)
                        if tag is None:
                            tag = resolved[rkey] = resolve(ScalarNode, event.value,
                                                           event.implicit)
                    end: Any = event.end_mark
                    node = ScalarNode(tag, event.value, start, end,
                                      style=event.style)
                else:
                    is_seq = isinstance(event, SequenceStartEvent)
                    kind = SequenceNode if is_seq else MappingNode
                    if tag is None or tag == "!":
                        tag = resolve(kind, None, event.implicit)
                    node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
                    path = _child_path(stack, event, line_at, lines, problems, file)
                    if anchor is not None:
                        anchors[anchor] = node
                    if len(stack) >= MAX_DEPTH:
                        raise ScenarioError([Problem(
                            file, line_at(event.start_mark),
                            _dotted(path[:12]) + (".…" if len(path) > 12 else ""),
                            f"nested more than {MAX_DEPTH} levels deep")])
                    stack.append(_Open(node, path))
                    continue
                if anchor is not None:
                    anchors[anchor] = node
            _child_path(stack, event, line_at, lines, problems, file)
        if not stack:
            root = node
            break
        parent = stack[-1]
        if isinstance(parent.node, MappingNode):
            if parent.key is None:
                parent.key = node
            else:
                parent.node.value.append((parent.key, node))
                parent.key = None
        else:
            parent.node.value.append(node)
    if not loader.check_event(yaml.DocumentEndEvent):  # pragma: no cover - the parser ensures it
        raise ValueError("expected the end of the document")
    get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        event = get_event()
        raise yaml.composer.ComposerError("expected a single document in the stream",
                                          root.start_mark, "but found another document",
                                          event.start_mark)
    get_event()  # stream end
    lines[()] = line_at(root.start_mark)
    return root, lines, problems


def _child_path(stack: list[_Open], event: Any, line_at: Callable[[yaml.Mark], int],
                lines: LineMap, problems: list[Problem], file: str) -> tuple[Any, ...]:
    """The path of the node ``event`` starts inside the open collection on top of ``stack``;
    records the line of a mapping's key (checking it is not a duplicate) and of a list item."""
    if not stack:
        return ()
    parent = stack[-1]
    if isinstance(parent.node, yaml.SequenceNode):
        path = (*parent.path, len(parent.node.value))
        lines.setdefault(path, line_at(event.start_mark))
        return path
    k = parent.key
    if k is None:  # this node is a key: its line is recorded with its value
        return (*parent.path, _KEY_NODE)
    key = k.value if isinstance(k, yaml.ScalarNode) else _KEY_NODE
    path = (*parent.path, key)
    if key is not _KEY_NODE:
        if key in parent.keys and key != "<<":
            problems.append(Problem(file, line_at(k.start_mark), _dotted(path), "duplicate key"))
        parent.keys.add(key)
    lines.setdefault(path, line_at(k.start_mark))
    return path


def _name(x: Any) -> str:
    """A key as written in a path: quoted when empty or holding spaces, dots or control chars."""
    s = str(x)
    if not s or not s.isprintable() or any(c.isspace() or c == "." for c in s):
        return repr(x)
    return s


def _dotted(loc: Iterable[Any]) -> str:
    return ".".join(_name(x) for x in loc)


def line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    """Line of the deepest known prefix of ``loc`` (keys are matched as strings too).

    A lookup, not a scan of the map: a file with thousands of problems (each needing the
    string match when its field is missing) took time quadratic in its size."""
    as_str = lines.as_str() if isinstance(lines, LineMap) else LineMap(lines).as_str()
    for n in range(len(loc), -1, -1):
        key = loc[:n]
        if key in lines:
            return lines[key]
        line = as_str.get(tuple(str(x) for x in key))
        if line is not None:
            return line
    return None


def _dig(value: Any, sub: tuple[Any, ...]) -> Any:
    """The raw input at ``sub`` inside ``value`` (keys matched as strings too), if present."""
    for k in sub:
        if isinstance(value, Mapping):
            match = [v for kk, v in value.items() if kk == k or str(kk) == str(k)]
            if not match:
                return _NO_VALUE
            value = match[0]
        elif isinstance(value, list) and isinstance(k, int) and 0 <= k < len(value):
            value = value[k]
        else:
            return _NO_VALUE
    return value


def problems_from_validation(exc: ValidationError, lines: LineMap, file: str,
                             prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """Turn pydantic's errors into located problems."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        loc = (*prefix, *loc)
        kind = err["type"]
        is_key = bool(loc) and loc[-1] == "[key]"  # the name (key) of an entry, not its value
        if is_key:
            loc = loc[:-1]
        if kind == "extra_forbidden":
            msg, got = "unknown field", err.get("input", _NO_VALUE)
        elif kind == "missing":
            msg, got = "missing required field", _NO_VALUE
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            got = err.get("input", _NO_VALUE)
            m = _SUBPATH.match(msg)
            if m:  # a model validator naming the field it is about: "@sub.path: message"
                sub = tuple(int(x) if x.isdigit() else x for x in m.group(1).split("."))
                loc = (*loc, *sub)
                msg, got = m.group(2), _dig(got, sub)
        if is_key:
            msg = f"invalid name: {msg}"
        out.append(Problem(file, line_of(lines, loc), _dotted(loc), msg, got))
    return out
