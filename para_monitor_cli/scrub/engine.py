"""The scrubbing engine: one pass over an event, every surface, any depth.

Every value is judged twice: by the name it sits under (:mod:`.keys`) and by what it looks like
(:mod:`.text`). Under a sensitive name every scalar becomes ``[Filtered]`` (booleans and None
stay: they carry no secret), containers keep their shape. Elsewhere strings go through the value
rules. A two-item list whose first item is a sensitive name (``["authorization", "Bearer ..."]``,
as ASGI headers and query pairs serialise) is treated as a name/value pair. A log entry's,
breadcrumb's or span's ``params`` are filtered when its message or description names a secret
just before the placeholder (``"login with password=%s"``).

The walk knows the shape of a Sentry event (``EVENT_SHAPE``): fields the SDK generates and that
carry no user data (ids, times, a frame's code location, a span's ids and status, ``sdk``,
``modules``) are skipped, only in their own place and while they hold the SDK's type; every
other key, known or not, goes through the rules.

The walk copies on write: unchanged subtrees are returned as the very same objects, so a clean
event costs no allocation and the caller's input is never mutated. A hook that owns its event
(sentry-sdk hands ``before_send`` a freshly serialised copy) uses :meth:`Scrubber.in_place`
instead, which changes the containers it is given rather than copying the path to each change.
The engine never raises: a part it cannot process is dropped, not the event.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias, cast

from para_monitor_cli.scrub.keys import KeyRules
from para_monitor_cli.scrub.text import FILTERED, TextRules, is_card_number, rule_kind

MAX_DEPTH = 64
# integers strictly between these cannot be card numbers (13 digits at least)
_INT_MIN = -(10**12)
_INT_MAX = 10**12
_PLACEHOLDER = re.compile(
    r"\$(\d+)|\?|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxXeEgGcuoa]|\{[^{}]*\}"
)
_LAST_WORD = re.compile(r"([A-Za-z][\w\-]*)[^\w]{0,4}$")

Path = tuple[str | int, ...]

# -- the shape of a Sentry event -------------------------------------------------------------
# Fields the SDK itself generates and that can carry no user data are skipped, but only in
# their own place (a ``function`` key inside ``extra`` is user data like any other) and only
# while they hold the type the SDK writes (anything else goes through the rules). Every other
# key, known or not, goes through the generic walk.
_SCALAR_TYPES: frozenset[type] = frozenset({str, int, float, bool, type(None)})
_TREE_TYPES: frozenset[type] = frozenset({dict})
# top level: ids, times, platform, level, type; the SDK's own name/version, the installed
# packages (name -> version) and the debug images
_EVENT_SKIP = {
    **dict.fromkeys(
        ("event_id", "timestamp", "start_timestamp", "platform", "level", "type"), _SCALAR_TYPES
    ),
    **dict.fromkeys(("sdk", "modules", "debug_meta"), _TREE_TYPES),
}
# a stack frame's code location (its vars and source lines still go through the rules)
_FRAME_SKIP = dict.fromkeys(
    (
        "filename",
        "abs_path",
        "function",
        "module",
        "lineno",
        "colno",
        "in_app",
        "package",
        "instruction_addr",
    ),
    _SCALAR_TYPES,
)
# a span's ids, times and status (its description and data still go through the rules); the
# trace context is the transaction's root span and has the same fields
_SPAN_SKIP = dict.fromkeys(
    (
        "span_id",
        "parent_span_id",
        "trace_id",
        "same_process_as_parent",
        "start_timestamp",
        "timestamp",
        "status",
        "origin",
        "op",
    ),
    _SCALAR_TYPES,
)


# what the walk does with a key of a known object: skip it while its value has one of these
# types, walk it with this shape, or treat it as its kind says (None, "" safe, or a kind)
_Step: TypeAlias = "frozenset[type] | _Shape | str | None"


class _Shape:
    """A known object: ``skip`` maps SDK-generated keys to the value types that may be skipped;
    ``fields`` maps keys to the shape of their value (a list shape is the shape of each item);
    ``statement`` marks objects whose message or description may hold placeholders for
    ``params`` (log entries, breadcrumbs, spans).

    A shape resolved for a :class:`Scrubber` also has a ``plan``: key -> what to do (a shape,
    skip types, or the key's kind as in :attr:`KeyRules.kinds`), one lookup per key."""

    __slots__ = ("base", "fields", "plan", "skip", "statement")

    def __init__(
        self,
        skip: dict[str, frozenset[type]] | None = None,
        fields: dict[str, _Shape] | None = None,
        statement: bool = False,
    ) -> None:
        self.skip = skip or {}
        self.fields = fields or {}
        self.statement = statement
        self.base: dict[Any, _Step] = {**self.skip, **self.fields}
        self.plan: dict[Any, _Step] = dict(self.base)


_FRAME = _Shape(skip=_FRAME_SKIP)
_STACKTRACE = _Shape(fields={"frames": _FRAME})
_EXCEPTION = _Shape(fields={"values": _Shape(fields={"stacktrace": _STACKTRACE})})
_SPAN = _Shape(skip=_SPAN_SKIP, statement=True)
_BREADCRUMB = _Shape(statement=True)
_LOGENTRY = _Shape(statement=True)
EVENT_SHAPE = _Shape(
    skip=_EVENT_SKIP,
    fields={
        "exception": _EXCEPTION,
        "threads": _EXCEPTION,  # values[].stacktrace, as for exceptions
        "stacktrace": _STACKTRACE,
        "spans": _SPAN,
        # {"values": [...]}, or a bare list of breadcrumbs before the SDK serialises them
        "breadcrumbs": _Shape(fields={"values": _BREADCRUMB}, statement=True),
        "logentry": _LOGENTRY,
        "message": _LOGENTRY,  # the legacy alias of logentry, when it is an object
        "contexts": _Shape(fields={"trace": _SPAN}),
    },
)


@dataclass(frozen=True)
class ScrubConfig:
    """Extra field names to treat as sensitive, and field names to leave alone.

    Both are matched case- and separator-insensitively (``X-Request-Token`` ==
    ``x_request_token``); a sensitive field matches any name containing it, a safe field only
    the same name, as in Sentry's project settings.
    """

    sensitive_fields: tuple[str, ...] = ()
    safe_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One value the engine changes: where, which rule, what kind of secret."""

    path: Path
    rule: str
    kind: str


@dataclass
class _Trace:
    findings: list[Finding] = field(default_factory=list)

    def add(self, path: Path, rule: str, kind: str | None = None) -> None:
        self.findings.append(Finding(path, rule, kind or rule_kind(rule)))


class Scrubber:
    """The engine, configured once and reused (it memoises key decisions)."""

    def __init__(self, config: ScrubConfig | None = None) -> None:
        self.config = config or ScrubConfig()
        self._in_place = False  # see in_place()
        self._keys = KeyRules(self.config.sensitive_fields, self.config.safe_fields)
        self._text = TextRules(self._keys.lookup)
        self._dirty = self._text.dirty  # emptied in place, never replaced
        self._placeholder_memo: dict[str, tuple[tuple[int, str, str], ...]] = {}
        # the event's shape, less any name this configuration makes sensitive or safe (a
        # configured ``module`` or ``data`` field is then handled as such everywhere)
        resolved: dict[int, _Shape] = {}
        self._event_shape = self._resolve(EVENT_SHAPE, resolved)
        self._breadcrumb_shape = self._resolve(_BREADCRUMB, resolved)

    def _resolve(self, shape: _Shape, done: dict[int, _Shape]) -> _Shape:
        known = done.get(id(shape))
        if known is not None:
            return known
        lookup = self._keys.lookup
        out = _Shape(
            skip={k: t for k, t in shape.skip.items() if lookup(k) is None},
            fields={
                k: self._resolve(v, done) for k, v in shape.fields.items() if lookup(k) is None
            },
            statement=shape.statement,
        )
        done[id(shape)] = out
        return out

    # -- public API --------------------------------------------------------------------------

    def in_place(self) -> Scrubber:
        """This engine (the same rules and memos) for a caller that owns the events it scrubs:
        :meth:`event` then changes the dicts and lists it is given and returns the event itself.
        Only for events nobody else holds: sentry-sdk serialises an event into new containers
        before ``before_send`` and ``before_send_transaction``, but a breadcrumb's ``data`` may
        be the application's own dict, so breadcrumbs are never scrubbed in place."""
        twin = copy.copy(self)
        twin._in_place = True
        return twin

    def event(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """A scrubbed copy of an error, message or transaction event (the input is untouched;
        from :meth:`in_place`, the event itself, scrubbed). Returns None only when ``event`` is
        not a mapping at all."""
        if type(event) is dict:
            try:
                result: dict[str, Any] = self._known(event, self._event_shape, 0, None, None)
            except Exception:  # noqa: S110 - _top handles it, part by part
                pass
            else:
                return result
        return self._top(event, self._event_shape, None)

    def breadcrumb(self, crumb: dict[str, Any]) -> dict[str, Any] | None:
        """A scrubbed copy of one breadcrumb (message, data, category...)."""
        return self._top(crumb, self._breadcrumb_shape, None)

    def value(self, value: Any) -> Any:
        """Any JSON-like value, scrubbed (the same object when nothing changed)."""
        try:
            return self._value(value, 0, None, None)
        except Exception:
            return FILTERED

    def forget(self) -> None:
        """Empty the engine's memos (to measure it cold)."""
        self._text.forget()
        self._placeholder_memo.clear()

    def findings(self, event: Any) -> list[Finding]:
        """Every value the engine would change in ``event``, by path and rule (the leak
        detector: run it on what a hook produced)."""
        trace = _Trace()
        if isinstance(event, dict):
            self._top(event, self._event_shape, trace)
        else:
            self._value(event, 0, (), trace)
        return trace.findings

    # -- the walk ----------------------------------------------------------------------------

    def _top(self, event: Any, shape: _Shape, trace: _Trace | None) -> dict[str, Any] | None:
        if not isinstance(event, dict):
            return None
        try:
            result: dict[str, Any] = self._known(
                event, shape, 0, () if trace is not None else None, trace
            )
        except Exception:  # noqa: S110 - handled below, part by part
            pass
        else:
            return result
        # something in there is not what an event holds: keep what scrubs, drop the rest
        out: dict[str, Any] = {}
        for k, v in list(event.items()):
            try:
                part = self._known({k: v}, shape, 0, () if trace is not None else None, trace)
            except Exception:
                if trace is not None:
                    trace.add((str(k),), "unprocessable", "unknown")
                continue
            out.update(part)
        return out

    def _known(
        self, d: Any, shape: _Shape, depth: int, path: Path | None, trace: _Trace | None
    ) -> Any:
        """An object of a known shape: SDK-generated fields skipped, known fields walked with
        their own shape, every other key as in the generic walk (inlined: this is the hot
        path, like _dict)."""
        t = type(d)
        if t is list:
            out_list: list[Any] | None = None
            for i, item in enumerate(d):
                new = self._known(
                    item, shape, depth + 1, None if path is None else (*path, i), trace
                )
                if new is not item:
                    if out_list is None:
                        out_list = d if self._in_place else d.copy()
                    out_list[i] = new
            return d if out_list is None else out_list
        if t is not dict:
            return self._value(d, depth, path, trace)
        if depth > MAX_DEPTH:
            return self._too_deep(path, trace)
        plan = shape.plan
        clean = self._text.clean
        out: dict[Any, Any] | None = None
        for k, v in d.items():
            try:
                step = plan[k]
            except KeyError:
                step = self._plan(shape, k)
            t = type(v)
            if step is None:
                if t is str:
                    if v in clean:
                        continue
                    if trace is None:  # TextRules.scrub, inlined: v is not in clean
                        digest = hash(v)
                        hit = self._dirty.get(digest)
                        if hit is not None and hit[2] == len(v):
                            new = hit[0]
                        else:
                            new = self._text.unseen(v, digest)
                    else:
                        new = self._str(v, None if path is None else (*path, str(k)), trace)
                elif t is dict:
                    new = self._dict(v, depth + 1, None if path is None else (*path, str(k)), trace)
                elif t is list:
                    new = self._list(v, depth + 1, None if path is None else (*path, str(k)), trace)
                elif t is bool or v is None or t is float or (t is int and _INT_MIN < v < _INT_MAX):
                    continue
                else:
                    new = self._value(
                        v, depth + 1, None if path is None else (*path, str(k)), trace
                    )
            elif type(step) is frozenset:
                if t in step:
                    continue  # generated by the SDK, in its own place and type
                new = self._value(v, depth + 1, None if path is None else (*path, str(k)), trace)
            elif type(step) is _Shape:
                sub = None if path is None else (*path, k)
                if t is list:  # a list of known objects (exceptions, frames, spans...)
                    new = v
                    for i, item in enumerate(v):
                        done = self._known(
                            item, step, depth + 2, None if sub is None else (*sub, i), trace
                        )
                        if done is not item:
                            if new is v and not self._in_place:
                                new = list(v)
                            new[i] = done
                else:
                    new = self._known(v, step, depth + 1, sub, trace)
            elif step == "":
                continue
            elif t is str and trace is None and depth < MAX_DEPTH:  # _sensitive, inlined
                if not v or v == FILTERED:
                    continue
                new = FILTERED
            else:
                sub = None if path is None else (*path, str(k))
                new = self._sensitive(v, depth + 1, sub, trace, cast(str, step), str(k))
            if new is not v:
                if out is None:
                    out = d if self._in_place else d.copy()
                out[k] = new
        if shape.statement:
            text = d.get("message")
            if type(text) is not str:
                text = d.get("description")
            if type(text) is str and ("%" in text or "{" in text or "$" in text or "?" in text):
                out = self._statement_params(
                    text, d if out is None else out, out is not None, path, trace
                )
        return d if out is None else out

    def _plan(self, shape: _Shape, key: Any) -> Any:
        """A key not yet in a shape's plan: its kind, remembered (bounded)."""
        kind = self._keys.lookup(key if type(key) is str else str(key))
        if len(shape.plan) > 1024:
            shape.plan = dict(shape.base)
        shape.plan[key] = kind
        return kind

    def _dict(self, d: dict[Any, Any], depth: int, path: Path | None, trace: _Trace | None) -> Any:
        if depth > MAX_DEPTH:
            return self._too_deep(path, trace)
        out: dict[Any, Any] | None = None
        kinds = self._keys.kinds
        clean = self._text.clean
        for k, v in d.items():
            try:
                kind = kinds[k]
            except KeyError:
                kind = self._keys.lookup(k if type(k) is str else str(k))
            t = type(v)
            if kind is None:
                # the hot path: inlined checks for the common, clean cases
                if t is str:
                    if v in clean:
                        continue
                    if trace is None:  # TextRules.scrub, inlined: v is not in clean
                        digest = hash(v)
                        hit = self._dirty.get(digest)
                        if hit is not None and hit[2] == len(v):
                            new = hit[0]
                        else:
                            new = self._text.unseen(v, digest)
                    else:
                        new = self._str(v, None if path is None else (*path, str(k)), trace)
                elif t is dict:
                    new = self._dict(v, depth + 1, None if path is None else (*path, str(k)), trace)
                elif t is list:
                    new = self._list(v, depth + 1, None if path is None else (*path, str(k)), trace)
                elif t is bool or v is None or t is float or (t is int and _INT_MIN < v < _INT_MAX):
                    continue
                else:
                    new = self._value(
                        v, depth + 1, None if path is None else (*path, str(k)), trace
                    )
            elif kind == "":
                continue
            elif t is str and trace is None and depth < MAX_DEPTH:  # _sensitive, inlined
                if not v or v == FILTERED:
                    continue
                new = FILTERED
            else:
                sub = None if path is None else (*path, str(k))
                new = self._sensitive(v, depth + 1, sub, trace, kind, str(k))
            if new is not v:
                if out is None:
                    out = d if self._in_place else d.copy()
                out[k] = new
        return d if out is None else out

    def _list(self, items: list[Any], depth: int, path: Path | None, trace: _Trace | None) -> Any:
        if depth > MAX_DEPTH:
            return self._too_deep(path, trace)
        clean = self._text.clean
        first = items[0] if len(items) == 2 else None
        if type(first) is str and len(first) <= 64 and " " not in first:
            # a [name, value] pair, as headers serialise (hundreds in a real event's frames)
            kinds = self._keys.kinds
            kind = kinds[first] if first in kinds else self._keys.lookup(first)
            second = items[1]
            if kind:
                sub = None if path is None else (*path, 1)
                new = self._sensitive(second, depth + 1, sub, trace, kind, first)
                return items if new is second else [first, new]
            if type(second) is str and second in clean and first in clean:
                return items
        out: list[Any] | None = None
        for i, v in enumerate(items):
            t = type(v)
            if t is str:
                if v in clean:
                    continue
                new = self._str(v, None if path is None else (*path, i), trace)
            elif t is list:  # [name, value] pairs, rows
                new = self._list(v, depth + 1, None if path is None else (*path, i), trace)
            elif t is dict:
                new = self._dict(v, depth + 1, None if path is None else (*path, i), trace)
            elif t is bool or v is None or t is float or (t is int and _INT_MIN < v < _INT_MAX):
                continue
            else:
                new = self._value(v, depth + 1, None if path is None else (*path, i), trace)
            if new is not v:
                if out is None:
                    out = items if self._in_place else items.copy()
                out[i] = new
        return items if out is None else out

    def _value(self, v: Any, depth: int, path: Path | None, trace: _Trace | None) -> Any:
        t = type(v)
        if t is str:
            return v if len(v) < 6 or v in self._text.clean else self._str(v, path, trace)
        if t is dict:
            return self._dict(v, depth, path, trace)
        if t is list:
            return self._list(v, depth, path, trace)
        if t is bool or v is None or t is float:
            return v
        if t is int:
            if (v >= 10**12 or v <= -(10**12)) and is_card_number(str(abs(v))):
                if trace is not None and path is not None:
                    trace.add(path, "card-number")
                return FILTERED
            return v
        if t is tuple:
            new = self._list(list(v), depth, path, trace)
            return tuple(new) if isinstance(new, list) else new
        if isinstance(v, bytes | bytearray):
            text = bytes(v).decode("utf-8", "replace")
            new_text = self._str(text, path, trace)
            return v if new_text is text else new_text
        if isinstance(v, str):  # subclasses of the JSON types
            return self._str(str(v), path, trace)
        if isinstance(v, dict):
            return self._dict(dict(v), depth, path, trace)
        if isinstance(v, list):
            return self._list(list(v), depth, path, trace)
        return v

    def _str(self, s: str, path: Path | None, trace: _Trace | None) -> str:
        if trace is None:
            return self._text.scrub(s)
        fired: set[str] = set()
        new = self._text.scrub(s, fired)
        if new != s and path is not None:
            for rule in sorted(fired):
                trace.add(path, rule)
        return s if new == s else new

    def _sensitive(
        self, v: Any, depth: int, path: Path | None, trace: _Trace | None, kind: str, key: str
    ) -> Any:
        """Everything under a sensitive name: scalars filtered, shapes kept."""
        if depth > MAX_DEPTH:
            return self._too_deep(path, trace)
        if v is None or type(v) is bool or v in ("", FILTERED):
            return v
        if isinstance(v, dict):
            out: dict[Any, Any] | None = None
            for k, item in v.items():
                sub = None if path is None else (*path, str(k))
                new = self._sensitive(item, depth + 1, sub, trace, kind, key)
                if new is not item:
                    if out is None:
                        out = dict(v)
                    out[k] = new
            return v if out is None else out
        if isinstance(v, list | tuple):
            items = list(v)
            changed = False
            for i, item in enumerate(items):
                sub = None if path is None else (*path, i)
                new = self._sensitive(item, depth + 1, sub, trace, kind, key)
                if new is not item:
                    items[i] = new
                    changed = True
            if not changed:
                return v
            return tuple(items) if isinstance(v, tuple) else items
        if trace is not None and path is not None:
            trace.add(path, f"sensitive-key:{_rule_key(key)}", kind)
        return FILTERED

    def _statement_params(
        self,
        text: str,
        d: dict[Any, Any],
        owned: bool,
        path: Path | None,
        trace: _Trace | None,
    ) -> dict[Any, Any] | None:
        """A log message or SQL statement whose placeholder follows a sensitive name
        (``"password=%s"``, ``"SET password_hash = $1"``): filter the matching parameter, in
        ``params`` / ``db.params`` beside the text or in its ``data``."""
        result: dict[Any, Any] | None = d if owned else None
        placeholders = self._placeholders(text)
        if not placeholders:
            return result  # the common case: no placeholder follows a sensitive name
        for container_key in (None, "data"):
            container = d if container_key is None else d.get(container_key)
            if type(container) is not dict:
                continue
            for pk in ("params", "db.params"):
                params = container.get(pk)
                if type(params) is not list or not params:
                    continue
                prefix: Path | None = None
                if path is not None:
                    prefix = (*path, pk) if container_key is None else (*path, container_key, pk)
                new = self._sensitive_params(placeholders, params, prefix, trace)
                if new is params:
                    continue
                if result is None:
                    result = dict(d)
                if container_key is None:
                    result[pk] = new
                else:
                    result[container_key] = {**container, pk: new}
                    container = result[container_key]
        return result

    def _placeholders(self, text: str) -> tuple[tuple[int, str, str], ...]:
        """(parameter index, kind, name) for each placeholder that follows a sensitive name.
        Memoised for texts already found clean (statement templates repeat)."""
        memo = self._placeholder_memo
        known = memo.get(text) if text in self._text.clean else None
        if known is not None:
            return known
        found: list[tuple[int, str, str]] = []
        for i, m in enumerate(_PLACEHOLDER.finditer(text)):
            index = int(m.group(1)) - 1 if m.group(1) else i
            before = _LAST_WORD.search(text[max(0, m.start() - 48) : m.start()])
            if before is None:
                continue
            kind = self._keys.lookup(before.group(1))
            if kind:
                found.append((index, kind, before.group(1)))
        result = tuple(found)
        if text in self._text.clean:
            if len(memo) > 4096:
                memo.clear()
            memo[text] = result
        return result

    def _sensitive_params(
        self,
        placeholders: tuple[tuple[int, str, str], ...],
        params: list[Any],
        prefix: Path | None,
        trace: _Trace | None,
    ) -> list[Any]:
        out: list[Any] | None = None
        for index, kind, name in placeholders:
            if not 0 <= index < len(params):
                continue
            item = params[index] if out is None else out[index]
            sub = None if prefix is None else (*prefix, index)
            new = self._sensitive(item, 0, sub, trace, kind, name)
            if new is not item:
                if out is None:
                    out = list(params)
                out[index] = new
        return params if out is None else out

    @staticmethod
    def _too_deep(path: Path | None, trace: _Trace | None) -> str:
        if trace is not None and path is not None:
            trace.add(path, "too-deep", "unknown")
        return FILTERED


def _rule_key(key: str) -> str:
    return key if len(key) <= 40 else key[:40] + "..."


_default: Scrubber | None = None


def default_scrubber() -> Scrubber:
    global _default  # noqa: PLW0603 - one shared, lazily built engine
    if _default is None:
        _default = Scrubber()
    return _default


def scrub_event(event: dict[str, Any], config: ScrubConfig | None = None) -> dict[str, Any] | None:
    """Scrub one event with the default rules (or ``config``)."""
    scrubber = default_scrubber() if config is None else Scrubber(config)
    return scrubber.event(event)


def config_from(sensitive: Iterable[str] = (), safe: Iterable[str] = ()) -> ScrubConfig:
    return ScrubConfig(tuple(sensitive), tuple(safe))
