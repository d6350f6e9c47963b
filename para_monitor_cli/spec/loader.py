"""Read alert_rules.yaml keeping the line and column of every node; report every problem at once.

``read_document(text, file)`` turns YAML into plain data plus a :class:`Marks` table (YAML path
-> line/column of the value and of its key). Syntax errors, duplicate keys, non-string keys,
several documents and alias bombs become :class:`SpecProblem`\\ s, never exceptions.
``validate_document`` runs the pydantic model and turns each validation error into a problem at
the right line with a did-you-mean for unknown keys and misspelt choices.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from para_monitor_cli.errors import SpecProblem
from para_monitor_cli.spec.model import Spec

PathPart = str | int
YamlPath = tuple[PathPart, ...]

#: Upper bound on nodes built from one file (aliases can multiply a small file).
MAX_NODES = 100_000
MAX_DEPTH = 64


def format_path(path: YamlPath) -> str:
    """``("monitors", 0, "window")`` -> ``monitors[0].window``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Marks:
    """Where each node of the document sits (1-based line and column)."""

    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: YamlPath, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of ``path`` (its key if asked and known), else of its nearest parent."""
        if key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return None, None


class _Loader(yaml.SafeLoader):
    """SafeLoader used for composing only; scalars are constructed one by one."""


# PyYAML's C parser (libyaml), when installed: about ten times faster than the pure-Python one
# on alert_rules.yaml. Its nodes carry the same 0-based line and column marks, and scalars are
# still built by the same SafeConstructor and resolver. A file it finds a problem in is read
# again with the pure-Python loader, so every message stays the one that loader gives.
_FastLoader: Any = getattr(yaml, "CSafeLoader", None)


class _TooBig(Exception):
    pass


class _Builder:
    def __init__(self, loader: Any, file: str) -> None:
        self.loader = loader
        self.file = file
        self.marks = Marks()
        self.problems: list[SpecProblem] = []
        self.count = 0

    def problem(self, path: YamlPath, mark: yaml.Mark | None, message: str) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        self.problems.append(SpecProblem(self.file, line, column, format_path(path), message))

    def build(self, node: yaml.Node, path: YamlPath, active: frozenset[int]) -> Any:
        self.count += 1
        if self.count > MAX_NODES or len(path) > MAX_DEPTH:
            raise _TooBig
        self.marks.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if id(node) in active:
            self.problem(path, node.start_mark, "a YAML alias refers to itself (recursive data)")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, active | {id(node)})
        if isinstance(node, yaml.SequenceNode):
            inner = active | {id(node)}
            return [self.build(item, (*path, i), inner) for i, item in enumerate(node.value)]
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            self.problem(path, node.start_mark, f"cannot read this value: {_short(exc)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            # .inf, .nan, 1e400: Sentry's JSON has no such numbers, so no field may hold one
            self.problem(path, node.start_mark, f"expected a finite number, got {node.value!r}")
            return None
        return value

    def _mapping(self, node: yaml.MappingNode, path: YamlPath, active: frozenset[int]) -> Any:
        try:
            self.loader.flatten_mapping(node)  # resolves ``<<`` merge keys
        except yaml.YAMLError as exc:
            self.problem(path, node.start_mark, f"bad merge key: {_short(exc)}")
            return {}
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(path, key_node.start_mark, "expected a plain string key")
                continue
            try:
                key = self.loader.construct_object(key_node)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                self.problem(path, key_node.start_mark, f"cannot read this key: {_short(exc)}")
                continue
            if not isinstance(key, str):
                key_text = str(key_node.value)
                self.problem(
                    (*path, key_text),
                    key_node.start_mark,
                    f"expected a string key, got {type(key).__name__} {key_text!r}"
                    " (quote it to use it as a name)",
                )
                continue
            child = (*path, key)
            if key in result:
                first = self.marks.keys.get(child, (None, None))[0]
                message = f"duplicate key {key!r} (first given on line {first})"
                self.problem(child, key_node.start_mark, message)
                continue
            key_mark = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            self.marks.keys[child] = key_mark
            result[key] = self.build(value_node, child, active)
            if isinstance(value_node, yaml.CollectionNode) and not value_node.flow_style:
                # a block list or mapping is best shown at its key, not at its first item
                self.marks.values[child] = key_mark
        return result


def _short(exc: BaseException) -> str:
    problem = getattr(exc, "problem", None)
    text = problem if isinstance(problem, str) and problem else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def read_document(text: str, file: str) -> tuple[Any, Marks, list[SpecProblem]]:
    """YAML text -> (plain data or None, marks, problems)."""
    if _FastLoader is not None:
        fast = _read_with(_FastLoader, text, file)
        if not fast[2]:
            return fast
    return _read_with(_Loader, text, file)


def _read_with(loader_class: Any, text: str, file: str) -> tuple[Any, Marks, list[SpecProblem]]:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        return None, Marks(), [_reader_problem(exc, text, file)]
    builder = _Builder(loader, file)
    try:
        node = loader.get_single_node()
        if node is None:
            builder.problem((), None, "the file is empty: expected a mapping with 'version: 1'")
            return None, builder.marks, builder.problems
        data = builder.build(node, (), frozenset())
    except yaml.MarkedYAMLError as exc:
        # Point at where the construct began (the unclosed ``[`` or quote), when PyYAML knows
        # it, and name where the parser gave up as the second location.
        mark = _primary_mark(exc)
        message = _syntax_message(exc)
        builder.problems.append(
            SpecProblem(
                file,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                "",
                f"YAML syntax error: {message}",
            )
        )
        return None, builder.marks, builder.problems
    except _TooBig:
        builder.problems = [
            SpecProblem(file, None, None, "", "the document is too large or too deeply nested")
        ]
        return None, builder.marks, builder.problems
    except yaml.reader.ReaderError as exc:
        builder.problems.append(_reader_problem(exc, text, file))
        return None, builder.marks, builder.problems
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        message = f"cannot read YAML: {_short(exc)}"
        builder.problems.append(SpecProblem(file, None, None, "", message))
        return None, builder.marks, builder.problems
    finally:
        loader.dispose()
    return data, builder.marks, builder.problems


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> SpecProblem:
    """A character YAML refuses (control characters, invalid code points)."""
    before = text[: max(0, exc.position)]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return SpecProblem(
        file,
        line,
        column,
        "",
        f"YAML syntax error: character #x{exc.character:04x} is not allowed in YAML",
    )


def _opens_here(exc: yaml.MarkedYAMLError) -> bool:
    """Whether the error's context is a construct left open (``[``, ``{``, a quote): then its
    start is where the mistake is. A block mapping's start (often line 1) is not."""
    return bool(
        exc.context
        and exc.context.startswith("while ")
        and exc.context_mark is not None
        and exc.problem_mark is not None
        and "block" not in exc.context
        and (exc.context_mark.line, exc.context_mark.column)
        != (exc.problem_mark.line, exc.problem_mark.column)
    )


def _primary_mark(exc: yaml.MarkedYAMLError) -> yaml.Mark | None:
    return exc.context_mark if _opens_here(exc) else (exc.problem_mark or exc.context_mark)


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    text = ", ".join(parts) if parts else "invalid YAML"
    if "expected a single document" in text:
        return "expected one YAML document, found several (remove the extra '---')"
    problem = exc.problem_mark
    if _opens_here(exc) and problem is not None and exc.problem:
        where = f"line {problem.line + 1}, column {problem.column + 1}"
        return f"{exc.context} that starts here: {exc.problem} at {where}"
    return text


# --- pydantic errors -> problems --------------------------------------------------------

_EXPECTED_TYPES = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "list_type": "a list",
    "tuple_type": "a list",
    "literal_error": "",
}


_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def _walk(data: Any, loc: tuple[int | str, ...]) -> tuple[YamlPath, Any]:
    """Follow a pydantic error location through the data, skipping union and tag parts."""
    path: list[PathPart] = []
    current = data
    in_scalar = False
    for part in loc:
        if in_scalar:
            # the file holds a scalar here (``level: ">= critical"``) that a validator parsed
            # into a mapping: the error belongs to what the file wrote, not to a made-up child
            continue
        in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            path.append(part)
            current = current[part]
            in_scalar = not isinstance(current, dict | list) and current is not None
        elif isinstance(current, dict) and isinstance(part, str) and _is_loc_noise(part, current):
            continue
        else:
            path.append(part)
            current = None
    return tuple(path), current


def _is_loc_noise(part: str, current: dict[str, Any]) -> bool:
    """Union member names and discriminator tags that pydantic puts in locations."""
    return current.get("type") == part or not part.isidentifier() or part[:1].isupper()


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _did_you_mean(word: object, choices: list[str]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _error_to_problem(
    error: ErrorDetails, data: Any, marks: Marks, file: str, allowed: dict[int, tuple[str, ...]]
) -> SpecProblem:
    loc = tuple(error["loc"])
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    path, _ = _walk(data, loc)
    point_at_key = False
    message = error["msg"]

    if kind == "extra_forbidden":
        _, parent = _walk(data, loc[:-1])
        key = path[-1] if path else loc[-1]
        choices = list(allowed.get(id(parent), ())) if isinstance(parent, dict) else []
        message = f"unknown key {key!r}{_did_you_mean(key, choices)}"
        if choices and not _did_you_mean(key, choices):
            message += f" (expected one of: {', '.join(choices)})"
        point_at_key = True
    elif kind == "missing":
        message = f"missing required key {path[-1]!r}" if path else "missing required key"
        path = path[:-1]
    elif kind == "spec" and "field" in ctx:
        path = (*path, str(ctx["field"]))
        message = str(error["msg"])
    elif kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        message = f"expected one of {expected}, got {_describe(value)}"
        message += _did_you_mean(value, [o for o in options if o])
    elif kind == "union_tag_invalid":
        path = (*path, "type")
        tags = str(ctx.get("expected_tags", ""))
        options = [o.strip().strip("'") for o in tags.split(",")]
        message = f"expected type one of {tags}, got {_describe(ctx.get('tag'))}"
        message += _did_you_mean(ctx.get("tag"), options)
    elif kind == "union_tag_not_found":
        message = "missing required key 'type' (email, slack or pagerduty)"
    elif _EXPECTED_TYPES.get(kind):
        message = f"expected {_EXPECTED_TYPES[kind]}, got {_describe(value)}"
    elif kind == "value_error":
        message = str(message).removeprefix("Value error, ")
    elif kind == "too_long":
        message = f"expected at most {ctx.get('max_length')} items, got {ctx.get('actual_length')}"
    elif kind == "too_short":
        message = f"expected at least {ctx.get('min_length')} items"
    elif kind == "string_too_long":
        message = f"expected at most {ctx.get('max_length')} characters"
    elif kind == "string_too_short":
        message = "expected a non-empty text" if ctx.get("min_length") == 1 else str(message)
    elif kind in _BOUNDS:
        bound = next(iter(ctx.values()), "?")
        message = f"expected a number {_BOUNDS[kind]} {bound}, got {_describe(value)}"
    elif kind == "string_pattern_mismatch":
        message = f"{_describe(value)} does not have the expected form ({ctx.get('pattern')})"

    line, column = marks.locate(path, key=point_at_key)
    if kind == "spec" and path in marks.keys:
        line, column = marks.keys[path]
    return SpecProblem(file, line, column, format_path(path), message)


def validate_document(data: Any, marks: Marks, file: str) -> tuple[Spec | None, list[SpecProblem]]:
    """Run the model over plain data; every validation error becomes a located problem."""
    if not isinstance(data, dict):
        line, column = marks.locate(())
        message = f"expected a mapping with 'version: 1', got {_describe(data)}"
        return None, [SpecProblem(file, line, column, "", message)]
    context: dict[str, Any] = {"allowed_keys": {}}
    try:
        spec = Spec.model_validate(data, context=context)
    except ValidationError as exc:
        allowed: dict[int, tuple[str, ...]] = context["allowed_keys"]
        problems = [_error_to_problem(e, data, marks, file, allowed) for e in exc.errors()]
        return None, list(_dedupe(problems))
    return spec, []


def _dedupe(problems: list[SpecProblem]) -> Iterator[SpecProblem]:
    seen: set[tuple[str, str]] = set()
    for problem in problems:
        key = (problem.path, problem.message)
        if key not in seen:
            seen.add(key)
            yield problem
