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

MAX_FILE_BYTES = 20 * 1024 * 1024
_NO_VALUE = object()
_SUBPATH = re.compile(r"^@([A-Za-z0-9_.\-]+): (.*)$", re.S)


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


LineMap = dict[tuple[Any, ...], int]


def read_source(path: Path, file: str, what: str) -> str:
    """The text of a UTF-8 file; an unreadable or undecodable file raises :class:`ScenarioError`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(file, None, "", f"cannot read {what}: {exc.strerror or exc}")
                             ]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScenarioError([Problem(file, line, "", f"cannot read {what}: not UTF-8 text "
                                     f"({exc.reason} at byte {exc.start})",
                                     raw[exc.start:exc.start + 1])]) from None


def parse_yaml(text: str, file: str) -> tuple[Any, LineMap]:
    """Parse YAML, returning the data and the line of every mapping key and list item.

    Malformed YAML, duplicate keys and oversize input raise :class:`ScenarioError`.
    """
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(file, None, "", f"file larger than {MAX_FILE_BYTES} bytes")])
    line_at = _line_counter(text)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
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
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        ch = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise ScenarioError([Problem(file, line, "", f"malformed YAML: {exc.reason}",
                                     ch)]) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise ScenarioError([Problem(file, None, "", f"malformed YAML: {exc}")]) from None
    lines: LineMap = {}
    problems: list[Problem] = []
    if node is not None:
        _walk(node, (), lines, problems, file, line_at)
        lines[()] = line_at(node.start_mark)
    if problems:
        raise ScenarioError(problems)
    return data, lines


def _line_counter(text: str) -> Callable[[yaml.Mark], int]:
    """Line number (1-based) of a YAML mark, counting '\\n' only, as editors and grep do.

    (YAML's own ``mark.line`` also counts U+0085, U+2028, U+2029 and a lone '\\r' as breaks.)
    """
    newlines = [m.start() for m in re.finditer("\n", text)]
    return lambda mark: bisect_right(newlines, mark.index - 1) + 1


def _walk(node: yaml.Node, path: tuple[Any, ...], lines: LineMap, problems: list[Problem],
          file: str, line_at: Callable[[yaml.Mark], int]) -> None:
    stack = [(node, path)]
    seen_nodes: set[int] = set()
    while stack:
        n, p = stack.pop()
        if id(n) in seen_nodes:  # aliases: walk each node once
            continue
        seen_nodes.add(id(n))
        if isinstance(n, yaml.MappingNode):
            keys: set[Any] = set()
            for k, v in n.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark)
                if key in keys and key != "<<":
                    problems.append(Problem(file, line_at(k.start_mark), _dotted((*p, key)),
                                            "duplicate key"))
                keys.add(key)
                lines.setdefault((*p, key), line_at(k.start_mark))
                stack.append((v, (*p, key)))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                lines.setdefault((*p, i), line_at(v.start_mark))
                stack.append((v, (*p, i)))


def _name(x: Any) -> str:
    """A key as written in a path: quoted when empty or holding spaces, dots or control chars."""
    s = str(x)
    if not s or not s.isprintable() or any(c.isspace() or c == "." for c in s):
        return repr(x)
    return s


def _dotted(loc: Iterable[Any]) -> str:
    return ".".join(_name(x) for x in loc)


def line_of(lines: LineMap, loc: tuple[Any, ...]) -> int | None:
    """Line of the deepest known prefix of ``loc`` (keys are matched as strings too)."""
    for n in range(len(loc), -1, -1):
        key = loc[:n]
        if key in lines:
            return lines[key]
        skey = tuple(str(x) for x in key)
        for k, v in lines.items():
            if len(k) == n and tuple(str(x) for x in k) == skey:
                return v
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
