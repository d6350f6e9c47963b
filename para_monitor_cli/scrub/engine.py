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

import datetime
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeAlias, cast

from para_monitor_cli.scrub.keys import GENERIC_KEY, VERSION_KEY, KeyRules
from para_monitor_cli.scrub.text import (
    FILTERED,
    TextRules,
    is_card_number,
    looks_like_credential,
    rule_kind,
)

MAX_DEPTH = 64

# -- budgets -----------------------------------------------------------------------------------
# The walk is linear in the size of its input whatever the input's shape: every container is
# walked once per event (a shared sub-object is scrubbed once and its result reused, a cycle
# becomes CYCLE), and each event and breadcrumb has a hard budget of nodes (container entries,
# a reused result counted again: the output, as JSON, stays within it) and of characters the
# rules look at (strings the memos already know cost nothing; a key name not yet classified
# costs its length plus KEY_COST, about what classifying it takes). What lies beyond the budget
# is replaced by TRUNCATED, never sent unscrubbed; a string is cut at the last whitespace that
# fits, so no secret is sent cut short where no rule would know it.
#
# How the numbers were chosen: a real FastAPI error event (benchmarks/scrub.py's login request:
# 20-odd framework frames with their local variables, request, breadcrumbs) is about 55 kB of
# JSON, 2,000 nodes and 183 distinct key names; on a cold engine its walk scans about 10,000
# characters (shorter strings, and strings met twice, are not scanned). An event gets 10 times
# those nodes and 64 Ki characters; a breadcrumb (normally a few hundred bytes) a tenth of the
# nodes and a quarter of the characters. The worst text for the rules (a secret, an address or
# a statement every few characters) costs up to about 1 microsecond per character: 64 Ki
# characters stay well under 100 ms (tests/test_scrub_budget.py, and the figures in its
# docstring).
EVENT_NODES = 20_000
EVENT_CHARS = 1 << 16
BREADCRUMB_NODES = 2_000
BREADCRUMB_CHARS = 1 << 14
KEY_COST = 48
_UNLIMITED = sys.maxsize  # the leak detector (findings) looks at everything
TRUNCATED = "[truncated by para-monitor: budget]"
CYCLE = "[truncated by para-monitor: cycle]"
# integers strictly between these cannot be card numbers (13 digits at least)
_INT_MIN = -(10**12)
_INT_MAX = 10**12
_PLACEHOLDER = re.compile(
    r"\$(\d+)|\?|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifxXeEgGcuoa]|\{[^{}]*\}"
)
_LAST_WORD = re.compile(r"([A-Za-z][\w\-]*)[^\w]{0,4}$")

Path = tuple[str | int, ...]
_VERSION_VALUE = re.compile(r"[vV]?\d{1,9}(?:\.\d{1,9}){1,5}(?:[-+._][0-9A-Za-z.\-+]{1,32})?")
_STATEMENT_MAX = 1 << 16  # characters of a message or description searched for placeholders

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
    # the SDK's own annotations (what it trimmed or filtered, never the value), a
    # transaction's name source and its measurements (numbers and units)
    **dict.fromkeys(("_meta", "transaction_info", "measurements"), _TREE_TYPES),
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
_Step: TypeAlias = "frozenset[type] | _Shape | _UserContext | str | None"


class _UserContext:
    """The event's user context (``user``): walked with the rules less the personal-data
    ones (the application put the user's email or address there on purpose)."""

    __slots__ = ()


_USER = _UserContext()
_HINT_KINDS = (GENERIC_KEY, VERSION_KEY)
_OVER = "[over budget]"  # what _kind answers when the budget cannot pay for a key (never cached)


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
# a span's data: the thread the SDK recorded it on (its other keys go through the rules)
_SPAN_DATA = _Shape(skip=dict.fromkeys(("thread.id", "thread.name"), _SCALAR_TYPES))
# the trace's dynamic sampling context: ids, rates and the sampling decision the SDK made
# (its transaction name, release and environment still go through the rules)
_SAMPLING = _Shape(
    skip=dict.fromkeys(
        ("trace_id", "sample_rand", "sample_rate", "sampled", "public_key", "org_id"),
        _SCALAR_TYPES,
    )
)
# the Python runtime context the SDK fills in from sys.version
_RUNTIME = _Shape(
    skip=dict.fromkeys(("name", "version", "build", "raw_description"), _SCALAR_TYPES)
)
_SPAN = _Shape(skip=_SPAN_SKIP, fields={"data": _SPAN_DATA}, statement=True)
_TRACE = _Shape(
    skip=_SPAN_SKIP,
    fields={"data": _SPAN_DATA, "dynamic_sampling_context": _SAMPLING},
    statement=True,
)
# a breadcrumb as sentry-sdk hands it to before_breadcrumb: its timestamp is still a datetime
_BREADCRUMB = _Shape(
    skip={
        "timestamp": _SCALAR_TYPES | {datetime.datetime},
        **dict.fromkeys(("type", "level"), _SCALAR_TYPES),
    },
    statement=True,
)
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
        "contexts": _Shape(fields={"trace": _TRACE, "runtime": _RUNTIME}),
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
    # keep emails and IP addresses found in free text (log messages, breadcrumbs, span
    # descriptions, exception values, query strings...); they are removed by default. The
    # event's user context keeps them either way (set_user_context decides what goes there).
    allow_pii_in_text: bool = False


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

    # slots: the walk reads these attributes at every container, and a walker (a copy per
    # event, see _walker) must read them as fast as the engine built by __init__
    __slots__ = (
        "_breadcrumb_shape",
        "_chars",
        "_dirty",
        "_event_shape",
        "_in_place",
        "_keys",
        "_nodes",
        "_placeholder_memo",
        "_seen",
        "_text",
        "_user_text",
        "config",
    )

    def __init__(self, config: ScrubConfig | None = None) -> None:
        self.config = config or ScrubConfig()
        self._in_place = False  # see in_place()
        self._keys = KeyRules(self.config.sensitive_fields, self.config.safe_fields)
        self._text = TextRules(self._keys.lookup, pii=not self.config.allow_pii_in_text)
        # the rules for the event's user context: the same, less the personal-data ones (their
        # own memos: a string clean there may not be clean elsewhere)
        self._user_text = (
            self._text if self.config.allow_pii_in_text else TextRules(self._keys.lookup, pii=False)
        )
        self._dirty = self._text.dirty  # emptied in place, never replaced
        self._placeholder_memo: dict[str, tuple[tuple[int, str, str], ...]] = {}
        # the event's shape, less any name this configuration makes sensitive or safe (a
        # configured ``module`` or ``data`` field is then handled as such everywhere)
        resolved: dict[int, _Shape] = {}
        self._event_shape = self._resolve(EVENT_SHAPE, resolved)
        self._breadcrumb_shape = self._resolve(_BREADCRUMB, resolved)
        if self._keys.lookup("user") is None:
            self._event_shape.base["user"] = self._event_shape.plan["user"] = _USER
        # the state of one walk (see _walker); the engine itself only holds these defaults
        self._seen: dict[Any, Any] = {}
        self._nodes = EVENT_NODES
        self._chars = EVENT_CHARS

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

    def _walker(self, nodes: int, chars: int) -> Scrubber:
        """This engine with the state of one walk: the containers already walked (by id: a
        shared one is scrubbed once, a cycle is cut) and the budget left. One per event or
        breadcrumb, so concurrent requests never share a walk's state."""
        walk = self._clone()
        walk._seen = {}
        walk._nodes = nodes
        walk._chars = chars
        return walk

    def _clone(self) -> Scrubber:
        twin = object.__new__(Scrubber)
        twin.config = self.config
        twin._in_place = self._in_place
        twin._keys = self._keys
        twin._text = self._text
        twin._user_text = self._user_text
        twin._dirty = self._dirty
        twin._placeholder_memo = self._placeholder_memo
        twin._event_shape = self._event_shape
        twin._breadcrumb_shape = self._breadcrumb_shape
        twin._seen = self._seen
        twin._nodes = self._nodes
        twin._chars = self._chars
        return twin

    def in_place(self) -> Scrubber:
        """This engine (the same rules and memos) for a caller that owns the events it scrubs:
        :meth:`event` then changes the dicts and lists it is given and returns the event itself.
        Only for events nobody else holds: sentry-sdk serialises an event into new containers
        before ``before_send`` and ``before_send_transaction``, but a breadcrumb's ``data`` may
        be the application's own dict, so breadcrumbs are never scrubbed in place."""
        twin = self._clone()
        twin._in_place = True
        return twin

    def event(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """A scrubbed copy of an error, message or transaction event (the input is untouched;
        from :meth:`in_place`, the event itself, scrubbed). Returns None only when ``event`` is
        not a mapping at all."""
        if type(event) is dict:
            walk = self._walker(EVENT_NODES, EVENT_CHARS)
            try:
                result: dict[str, Any] = walk._known(event, walk._event_shape, 0, None, None)
            except Exception:  # noqa: S110 - _top handles it, part by part
                pass
            else:
                return result
        return self._top(event, self._event_shape, None, EVENT_NODES, EVENT_CHARS)

    def breadcrumb(self, crumb: dict[str, Any]) -> dict[str, Any] | None:
        """A scrubbed copy of one breadcrumb (message, data, category...), JSON-safe: sets,
        tuples, bytes, objects and non-string keys come out as JSON types or scrubbed reprs."""
        return self._top(crumb, self._breadcrumb_shape, None, BREADCRUMB_NODES, BREADCRUMB_CHARS)

    def value(self, value: Any) -> Any:
        """Any value, scrubbed and JSON-safe (the same object when nothing changed)."""
        try:
            return self._walker(EVENT_NODES, EVENT_CHARS)._value(value, 0, None, None)
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
            self._top(event, self._event_shape, trace, _UNLIMITED, _UNLIMITED)
        else:
            self._walker(_UNLIMITED, _UNLIMITED)._value(event, 0, (), trace)
        return trace.findings

    # -- the walk ----------------------------------------------------------------------------

    def _top(
        self, event: Any, shape: _Shape, trace: _Trace | None, nodes: int, chars: int
    ) -> dict[str, Any] | None:
        if not isinstance(event, dict):
            return None
        walk = self._walker(nodes, chars)
        try:
            result: dict[str, Any] = walk._known(
                event, shape, 0, () if trace is not None else None, trace
            )
        except Exception:  # noqa: S110 - handled below, part by part
            pass
        else:
            return result
        # something in there is not what an event holds: keep what scrubs, drop the rest
        walk = self._walker(nodes, chars)
        out: dict[str, Any] = {}
        for k, v in list(islice(event.items(), nodes)):
            try:
                part = walk._known({k: v}, shape, 0, () if trace is not None else None, trace)
            except Exception:
                if trace is not None:
                    trace.add((str(k),), "unprocessable", "unknown")
                continue
            if type(part) is dict:
                out.update(part)
        if len(event) > nodes or walk._nodes <= 0:
            out[TRUNCATED] = max(0, len(event) - len(out))
        return out

    def _known(
        self, d: Any, shape: _Shape, depth: int, path: Path | None, trace: _Trace | None
    ) -> Any:
        """An object of a known shape: SDK-generated fields skipped, known fields walked with
        their own shape, every other key as in the generic walk (inlined: this is the hot
        path, like _dict). A list is a list of such objects."""
        t = type(d)
        if t is not dict and t is not list:
            return self._value(d, depth, path, trace)
        memo = (id(d), id(shape))
        seen = self._seen
        known = seen.get(memo)
        if known is not None:  # walked before: its result; or being walked: a cycle
            return self._again(known)
        if len(d) > self._nodes:
            return self._over(d, memo, lambda part: self._known(part, shape, depth, path, trace))
        start = self._nodes
        self._nodes -= len(d)
        seen[memo] = d
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
            result: Any = d if out_list is None else out_list
            seen[memo] = (d, result, start - self._nodes)
            return result
        if depth > MAX_DEPTH:
            result = self._too_deep(path, trace)
            seen[memo] = (d, result, start - self._nodes)
            return result
        plan = shape.plan
        clean = self._text.clean
        out: dict[Any, Any] | None = None
        rekey = False
        for k, v in d.items():
            try:
                step = plan[k]
            except KeyError:
                if type(k) is not str and not _json_key(k):
                    rekey = True
                step = self._plan(shape, k)
                if step is _OVER:
                    out = d.copy() if out is None and not self._in_place else (out or d)
                    out[k] = TRUNCATED
                    continue
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
                            new = self._scan(v, digest)
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
                # an object of a known shape, or a list of them (exceptions, frames, spans...)
                new = self._known(v, step, depth + 1, None if path is None else (*path, k), trace)
            elif step == "":
                continue
            elif step is GENERIC_KEY:
                new = self._generic(v, depth + 1, None if path is None else (*path, str(k)), trace)
            elif step is VERSION_KEY:
                new = self._version(v, depth + 1, None if path is None else (*path, str(k)), trace)
            elif step is _USER:
                new = self._user(v, depth + 1, None if path is None else (*path, str(k)), trace)
            elif t is str and trace is None and depth < MAX_DEPTH and step != "cookie":
                # _sensitive, inlined
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
        if rekey:
            out = self._rekey(d if out is None else out, depth, path, trace)
        result = d if out is None else out
        seen[memo] = (d, result, start - self._nodes)
        return result

    def _plan(self, shape: _Shape, key: Any) -> Any:
        """A key not yet in a shape's plan: its kind, remembered (bounded); _OVER when the
        walk's budget cannot pay for classifying it."""
        kind = self._kind(key)
        if type(key) is not str or kind is _OVER:
            return kind
        if len(shape.plan) > 1024:
            shape.plan = dict(shape.base)
        shape.plan[key] = kind
        return kind

    def _kind(self, key: Any) -> str | None:
        """The kind of a key name not in the hot memo, its cost counted against the budget;
        _OVER when the budget is spent (its value is then TRUNCATED)."""
        name = key if type(key) is str else _key_name(key)
        if name not in self._keys.kinds:
            cost = KEY_COST + len(name)
            if cost > self._chars:
                self._chars = 0
                return _OVER
            self._chars -= cost
        return self._keys.lookup(name)

    def _dict(self, d: dict[Any, Any], depth: int, path: Path | None, trace: _Trace | None) -> Any:
        if depth > MAX_DEPTH:
            return self._too_deep(path, trace)
        seen = self._seen
        key = id(d)
        known = seen.get(key)
        if known is not None:  # walked before: its result; or being walked: a cycle
            return self._again(known)
        if len(d) > self._nodes:
            return self._over(d, key, lambda part: self._dict(part, depth, path, trace))
        start = self._nodes
        self._nodes = start - len(d)
        seen[key] = d  # being walked: met again below it, it is a cycle
        out: dict[Any, Any] | None = None
        kinds = self._keys.kinds
        clean = self._text.clean
        rekey = False
        for k, v in d.items():
            try:
                kind = kinds[k]
            except KeyError:
                if type(k) is not str:
                    rekey = rekey or not _json_key(k)
                kind = self._kind(k)
                if kind is _OVER:
                    out = d.copy() if out is None and not self._in_place else (out or d)
                    out[k] = TRUNCATED
                    continue
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
                            new = self._scan(v, digest)
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
            elif kind == "" or (kind is VERSION_KEY and t is str and v in clean):
                continue
            elif (
                t is str
                and trace is None
                and depth < MAX_DEPTH
                and kind not in _HINT_KINDS
                and kind != "cookie"
            ):
                if not v or v == FILTERED:  # _sensitive, inlined
                    continue
                new = FILTERED
            else:
                sub = None if path is None else (*path, str(k))
                if kind is GENERIC_KEY:
                    new = self._generic(v, depth + 1, sub, trace)
                elif kind is VERSION_KEY:
                    new = self._version(v, depth + 1, sub, trace)
                else:
                    new = self._sensitive(v, depth + 1, sub, trace, kind, str(k))
            if new is not v:
                if out is None:
                    out = d if self._in_place else d.copy()
                out[k] = new
        if rekey:
            out = self._rekey(d if out is None else out, depth, path, trace)
        result = d if out is None else out
        seen[key] = (d, result, start - self._nodes)
        return result

    def _list(self, items: list[Any], depth: int, path: Path | None, trace: _Trace | None) -> Any:
        if depth > MAX_DEPTH:
            return self._too_deep(path, trace)
        clean = self._text.clean
        if len(items) == 2:
            first, second = items
            if type(first) is str and type(second) is str:
                # two strings, nothing to walk into (no memo, and no count: the entry holding
                # the pair was counted): the hot case, [name, value] pairs as ASGI headers
                # serialise (hundreds in a real event's frames)
                if len(first) <= 64 and " " not in first:
                    kinds = self._keys.kinds
                    kind = kinds[first] if first in kinds else self._kind(first)
                    if kind:
                        if (
                            trace is None
                            and first in clean
                            and kind not in _HINT_KINDS
                            and kind is not _OVER
                            and depth < MAX_DEPTH
                        ):  # _pair and _sensitive, inlined: a sensitive header
                            if not second or second == FILTERED:
                                return items
                            if kind == "cookie" and "=" in second:
                                kept = _cookie_names_kept(second)
                                return items if kept == second else [first, kept]
                            return [first, FILTERED]
                        return self._pair(items, kind, depth, path, trace)
                if first in clean and second in clean:
                    return items
                name = first if first in clean else self._str(first, _at(path, 0), trace)
                value = second if second in clean else self._str(second, _at(path, 1), trace)
                if name is first and value is second:
                    return items
                out_pair = items if self._in_place else items.copy()
                out_pair[0], out_pair[1] = name, value
                return out_pair
        seen = self._seen
        key = id(items)
        known = seen.get(key)
        if known is not None:  # walked before: its result; or being walked: a cycle
            return self._again(known)
        if len(items) > self._nodes:
            return self._over(items, key, lambda part: self._list(part, depth, path, trace))
        start = self._nodes
        self._nodes = start - len(items)
        seen[key] = items  # being walked: met again below it, it is a cycle
        result: Any = None
        first = items[0] if len(items) == 2 else None
        if type(first) is str and len(first) <= 64 and " " not in first:
            # a [name, value] pair whose value is not a string
            kinds = self._keys.kinds
            kind = kinds[first] if first in kinds else self._kind(first)
            if kind:
                result = self._pair(items, kind, depth, path, trace)
        if result is None:
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
            result = items if out is None else out
        seen[key] = (items, result, start - self._nodes)
        return result

    def _pair(
        self, items: list[Any], kind: str, depth: int, path: Path | None, trace: _Trace | None
    ) -> list[Any]:
        """A [name, value] pair whose name is sensitive (or says what its value may be): the
        value judged by the name's kind, the name scrubbed as text too (a sensitive word may
        be followed by its value in it: "password=...")."""
        first, second = items
        if kind is _OVER:  # the budget could not pay for judging the name
            return [TRUNCATED, TRUNCATED]
        sub = None if path is None else (*path, 1)
        if kind is GENERIC_KEY:
            new = self._generic(second, depth + 1, sub, trace)
        elif kind is VERSION_KEY:
            new = self._version(second, depth + 1, sub, trace)
        else:
            new = self._sensitive(second, depth + 1, sub, trace, kind, first)
        name = first
        if first not in self._text.clean:
            name = self._str(first, None if path is None else (*path, 0), trace)
        if new is second and name is first:
            return items
        return [name, new]

    def _again(self, known: Any) -> Any:
        """A container met again in this walk: being walked, a cycle (CYCLE); walked, its
        result again, its size counted against the budget once more (the output is as large
        as if it were a copy: a DAG's output stays within the budget), or TRUNCATED."""
        if type(known) is not tuple:
            return CYCLE
        if known[2] > self._nodes:
            self._nodes = 0
            return TRUNCATED
        self._nodes -= known[2]
        return known[1]

    def _over(self, d: Any, memo: Any, walk: Callable[[Any], Any]) -> Any:
        """A container larger than the budget left: the entries that fit are walked (``walk``
        on a truncated copy), the rest is replaced by TRUNCATED. Nothing left: TRUNCATED."""
        keep = self._nodes
        result: Any = TRUNCATED
        if keep > 0:
            if isinstance(d, dict):
                part: Any = dict(islice(d.items(), keep))
                result = walk(part)
                if type(result) is dict:  # the copy, or a copy of it: ours to change
                    result[TRUNCATED] = len(d) - keep
            else:
                part = list(islice(d, keep))
                result = walk(part)
                if type(result) is list:
                    result.append(TRUNCATED)
        self._nodes = 0
        self._seen[memo] = (d, result, max(keep, 0))
        return result

    def _rekey(
        self, d: dict[Any, Any], depth: int, path: Path | None, trace: _Trace | None
    ) -> dict[Any, Any]:
        """``d`` with each key JSON cannot hold (a tuple, an object...) made into a scrubbed
        string: the key walked as a value, then written as JSON or text."""
        out: dict[Any, Any] = {}
        for k, v in d.items():
            name = k
            if not _json_key(k):
                try:
                    new = self._value(k, depth + 1, path, trace)
                    name = new if type(new) is str else json.dumps(new)
                except Exception:
                    name = f"<{type(k).__name__}>"
            out[name] = v
        return out

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
        return self._other(v, depth, path, trace)

    def _other(self, v: Any, depth: int, path: Path | None, trace: _Trace | None) -> Any:
        """A value of none of JSON's types, made into one: tuples and sets (and subclasses of
        dict and list) walked as lists and dicts, bytes decoded, dates in ISO 8601, anything
        else its repr (sentry-sdk's own serialiser writes reprs too), all scrubbed. Containers
        are walked once per walk, like dicts and lists."""
        if isinstance(v, str):
            return self._str(str.__str__(v), path, trace)
        if isinstance(v, bool):
            return bool(v)
        if isinstance(v, int):
            return self._value(int(v), depth, path, trace)
        if isinstance(v, float):
            return float(v)
        if isinstance(v, bytes | bytearray | memoryview):
            raw = bytes(v[: self._chars + 1])
            return self._str(raw.decode("utf-8", "replace"), path, trace)
        if isinstance(v, datetime.date | datetime.time):
            return v.isoformat()
        if isinstance(v, dict | list | tuple | set | frozenset):
            seen = self._seen
            known = seen.get(id(v))
            if known is not None:
                return self._again(known)
            seen[id(v)] = [v]  # being walked (a list: v itself may be a tuple)
            start = self._nodes
            # at most one entry more than the budget: the walk then marks the rest truncated
            if isinstance(v, dict):
                result = self._dict(dict(islice(v.items(), self._nodes + 1)), depth, path, trace)
            else:
                result = self._list(list(islice(v, self._nodes + 1)), depth, path, trace)
            seen[id(v)] = (v, result, start - self._nodes)
            return result
        try:
            text = repr(v)
        except Exception:
            text = f"<{type(v).__name__} object>"
        return self._str(text if type(text) is str else str.__str__(text), path, trace)

    def _str(self, s: str, path: Path | None, trace: _Trace | None) -> str:
        if trace is None:
            if s in self._text.clean:
                return s
            digest = hash(s)
            hit = self._dirty.get(digest)
            if hit is not None and hit[2] == len(s):
                return hit[0]
            return self._scan(s, digest)
        fired: set[str] = set()
        new = self._text.scrub(s, fired)
        if new != s and path is not None:
            for rule in sorted(fired):
                trace.add(path, rule)
        return s if new == s else new

    def _scan(self, text: str, digest: int) -> str:
        """A string in neither memo through the value rules, its characters counted against
        the walk's budget; past the budget only its head is scanned and sent, then TRUNCATED."""
        if len(text) <= self._chars:
            self._chars -= len(text)
            return self._text.unseen(text, digest)
        keep = self._chars
        if keep <= 0:
            return TRUNCATED
        self._chars = 0
        head = text[:keep]
        if not text[keep].isspace():
            # the last word may be a secret cut short, which no rule would know: drop it
            cut = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"), head.rfind("\r"))
            head = head[: cut + 1]
        return (self._text.unseen(head, hash(head)) if head else "") + TRUNCATED

    def _generic(self, v: Any, depth: int, path: Path | None, trace: _Trace | None) -> Any:
        """A value under a generic key name (``gateway_key``, ``key``): filtered when it is
        plainly a credential (:func:`looks_like_credential`), otherwise walked as any value."""
        if type(v) is str and looks_like_credential(v):
            if trace is not None and path is not None:
                trace.add(path, "credential-value", "api_key")
            return FILTERED
        return self._value(v, depth, path, trace)

    def _version(self, v: Any, depth: int, path: Path | None, trace: _Trace | None) -> Any:
        """A value under a version's name: a dotted number there (``1.2.3.4``) is a version,
        kept as it is, not an IP address; anything else is walked as any value."""
        if type(v) is str and _VERSION_VALUE.fullmatch(v) is not None:
            return v
        return self._value(v, depth, path, trace)

    def _user(self, v: Any, depth: int, path: Path | None, trace: _Trace | None) -> Any:
        """The event's user context: every rule but the personal-data ones, with their own
        memos, within this walk's budget."""
        if self._user_text is self._text:
            return self._value(v, depth, path, trace)
        walk = self._clone()
        walk._text = self._user_text
        walk._dirty = self._user_text.dirty
        walk._seen = {}  # results differ from the rest of the event's
        try:
            return walk._value(v, depth, path, trace)
        finally:
            self._nodes, self._chars = walk._nodes, walk._chars

    def _sensitive(
        self, v: Any, depth: int, path: Path | None, trace: _Trace | None, kind: str, key: str
    ) -> Any:
        """Everything under a sensitive name: scalars filtered, shapes kept (as JSON: tuples
        become lists), each container once per walk and within its budget."""
        if depth > MAX_DEPTH:
            return self._too_deep(path, trace)
        if v is None or type(v) is bool or v in ("", FILTERED):
            return v
        if kind == "cookie" and type(v) is str and "=" in v:
            kept = _cookie_names_kept(v)
            if kept != v and trace is not None and path is not None:
                trace.add(path, f"sensitive-key:{_rule_key(key)}", kind)
            return v if kept == v else kept
        if not isinstance(v, dict | list | tuple):
            if trace is not None and path is not None:
                trace.add(path, f"sensitive-key:{_rule_key(key)}", kind)
            return FILTERED
        memo = ~id(v)  # apart from the plain walk's memo: the same dict elsewhere is not filtered
        seen = self._seen
        known = seen.get(memo)
        if known is not None:
            return self._again(known)
        if len(v) > self._nodes:
            self._nodes = 0
            seen[memo] = (v, TRUNCATED, 0)
            return TRUNCATED
        start = self._nodes
        self._nodes -= len(v)
        seen[memo] = [v]
        result: Any = v
        if isinstance(v, dict):
            out: dict[Any, Any] | None = None
            for k, item in v.items():
                sub = None if path is None else (*path, str(k))
                new = self._sensitive(item, depth + 1, sub, trace, kind, key)
                if new is not item or not _json_key(k):
                    if out is None:
                        out = dict(v)
                    out[k] = new
            if out is not None:
                result = out if all(map(_json_key, out)) else self._rekey(out, depth, path, trace)
        else:
            items = list(v)
            changed = type(v) is not list
            for i, item in enumerate(items):
                sub = None if path is None else (*path, i)
                new = self._sensitive(item, depth + 1, sub, trace, kind, key)
                if new is not item:
                    items[i] = new
                    changed = True
            if changed:
                result = items
        seen[memo] = (v, result, start - self._nodes)
        return result

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
        if len(text) > _STATEMENT_MAX:  # past it, the text itself is truncated
            text = text[:_STATEMENT_MAX]
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
            if kind and kind is not GENERIC_KEY:
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


# a Cookie or Set-Cookie header: the cookies' names (theme, lang, sessionid) are kept, their
# values filtered; Set-Cookie's attributes (expiry, path, domain...) are kept whole
_COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}")
_COOKIE_ATTRIBUTES = frozenset(
    {"path", "domain", "expires", "max-age", "samesite", "priority", "version", "comment"}
)


# hash(text) -> (the text with its cookie values filtered, len(text)): as TextRules' memo of
# scrubbed strings, keyed by Python's keyed hash, so it never holds a cookie's value; bounded
_COOKIE_MEMO: dict[int, tuple[str, int]] = {}


def _cookie_names_kept(text: str) -> str:
    """``sessionid=abc; theme=dark`` -> ``sessionid=[Filtered]; theme=[Filtered]``; a text
    that is not a list of cookies is filtered whole (memoised: the same headers come back with
    every request)."""
    digest = hash(text)
    hit = _COOKIE_MEMO.get(digest)
    if hit is not None and hit[1] == len(text):
        return hit[0]
    out = _cookie_parts(text)
    if len(_COOKIE_MEMO) >= 1024:
        _COOKIE_MEMO.clear()
    _COOKIE_MEMO[digest] = (out, len(text))
    return out


def _cookie_parts(text: str) -> str:
    quote = text[-1] if text[-1:] in ("'", '"') and text[:2].lstrip("b")[:1] == text[-1] else ""
    body = text[: len(text) - len(quote)]
    parts: list[str] = []
    for part in body.split(";"):
        name, eq, value = part.partition("=")
        if not eq:
            if part.strip() and _COOKIE_NAME.fullmatch(part.strip()) is None:
                return FILTERED  # not a cookie list
            parts.append(part)  # Secure, HttpOnly
            continue
        if _COOKIE_NAME.fullmatch(name.strip()) is None:
            return FILTERED
        if name.strip().lower() in _COOKIE_ATTRIBUTES or value.strip() in ("", FILTERED):
            parts.append(part)
        else:
            parts.append(f"{name}={FILTERED}")
    return ";".join(parts) + quote


def _at(path: Path | None, index: int) -> Path | None:
    return None if path is None else (*path, index)


def _json_key(key: Any) -> bool:
    """Whether json.dumps accepts this dict key."""
    return isinstance(key, str | int | float) or key is None


def _key_name(key: Any) -> str:
    """The name a key that is not a string is judged by: a number's digits, a tuple's string
    parts joined (``("user", "password")`` is ``user_password``), nothing for other objects
    (their text is scrubbed as a value when the key is rewritten)."""
    if isinstance(key, str):
        return str.__str__(key)
    if key is None or isinstance(key, int | float):
        return repr(key)
    if isinstance(key, tuple):
        return "_".join(str.__str__(part) for part in key if isinstance(part, str))
    return ""


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
