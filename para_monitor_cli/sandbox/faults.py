"""Fault injection for the sandbox: an ASGI middleware and a thread-safe controller.

A :class:`Faults` object holds an ordered list of :class:`FaultRule`. :class:`FaultMiddleware`
wraps any ASGI app and, for each HTTP request whose method and path match a rule, applies it:

==============  ================================================================================
action          effect
==============  ================================================================================
``latency``     wait ``seconds`` before handling the request (then go on as usual)
``5xx``         Sentry's 500 body ``{"detail": "Internal Error", "errorId": "<32 hex>"}``
``429``         a bare JSON string body plus ``X-Sentry-Rate-Limit-*`` headers
``410``         brownout: ``{"message": "This API no longer exists."}`` plus deprecation headers
``drop``        close the connection without any response (the request is not handled)
``drop-after``  handle the request (a create is committed), then close the connection without
                sending the answer: the client cannot know whether it happened
``ratelimit``   enforce ``limit`` requests per ``window`` seconds and ``concurrent`` in flight
                (a fixed window, as Sentry's limiter): over either, 429; every matching
                response carries ``X-Sentry-Rate-Limit-Limit/Remaining/Reset/ConcurrentLimit/
                ConcurrentRemaining``
==============  ================================================================================

A latency is spent after the whole request body has been received, as a slow server that has
the request and works on it: a client that gives up meanwhile does not stop it, so the request
is still carried out (committed later than the client waited, as a create at Sentry that
finishes after the client's read timeout).

A rule fires for every matching request, or only for the next ``times`` matching requests,
or for each with ``probability``. Rules are checked in order: rate limits first, then the
others; latencies add up; the first status/drop rule that fires answers the request.

The text syntax (for ``para-monitor sandbox --fault RULE``, repeatable)::

    RULE   := [METHOD " "] PATH ":" ACTION [COUNT]
    METHOD := GET | POST | PUT | DELETE | PATCH | HEAD | *        (default: any method)
    PATH   := a regular expression searched in the URL path; "*" means every path
    ACTION := 429 | 410 | 500..599 | drop | drop-after | latency=SECONDS
            | ratelimit=LIMIT/WINDOW[s][,CONCURRENT]
    COUNT  := "x" N        only the next N matching requests
            | "@" P        each matching request with probability P (0..1)

Examples::

    POST /detectors/:429x3            the next three detector creations are rate limited
    /alert-rules/:410                 brownout of the legacy metric alert routes
    GET /eventids/:latency=0.5@0.5    half of the event-id lookups take half a second longer
    *:503x1                           the next request of any kind fails with 503
    /envelope/:drop x2                (spaces around COUNT are allowed) drop two envelopes
    POST /workflows/$:drop-after x1   the next alert is created but its answer is lost
    *:ratelimit=40/1s,25              Sentry's limits: 40 requests a second, 25 concurrent

The same rules travel as JSON for an HTTP admin route (see :func:`faults_from_json`): either
the strings above or objects such as
``{"method": "POST", "path": "/detectors/", "action": "429", "times": 3}``.

Paths starting with one of ``exempt_prefixes`` (default ``/_sandbox/``) are never faulted,
so the admin route stays reachable.

Standard library only (the middleware speaks plain ASGI): the sandbox imports nothing from
the rest of the package.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BROWNOUT_BODY",
    "DEPRECATION_DATE",
    "ConnectionDropped",
    "FaultMiddleware",
    "FaultRule",
    "FaultSyntaxError",
    "Faults",
    "deprecation_headers",
    "faults_from_json",
    "parse_fault",
    "rate_limit_message",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ACTIONS = ("latency", "status", "drop", "drop-after", "ratelimit")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
DEPRECATION_DATE = "2026-05-14T00:00:00+00:00"
BROWNOUT_BODY = {"message": "This API no longer exists."}
DEFAULT_LIMIT = 40
DEFAULT_WINDOW = 1.0
DEFAULT_CONCURRENT = 25

_RULE_RE = re.compile(
    r"""^\s*(?:(?P<method>[A-Za-z]+|\*)\s+)?(?P<path>\S.*?)\s*:\s*
        (?P<action>latency=[0-9.]+|ratelimit=[0-9]+/[0-9.]+s?(?:,[0-9]+)?|drop-after|drop|[0-9]{3})
        \s*(?:(?P<times>x\s*[0-9]+)|(?P<prob>@\s*[0-9.]+))?\s*$""",
    re.VERBOSE,
)
_LEGACY_ROUTES = (
    (re.compile(r"/organizations/(?P<org>[^/]+)/alert-rules/"), "detectors"),
    (re.compile(r"/projects/(?P<org>[^/]+)/[^/]+/alert-rules/"), "detectors"),
    (re.compile(r"/projects/(?P<org>[^/]+)/[^/]+/rules/"), "workflows"),
)


class FaultSyntaxError(ValueError):
    """A fault rule that cannot be understood (the message says what is expected)."""


class ConnectionDropped(ConnectionError):
    """Raised to the caller when a drop is requested and the server cannot cut the socket."""


def rate_limit_message(limit: int, window: float) -> str:
    """Sentry's 429 body for a request-rate limit (a bare JSON string)."""
    seconds = int(window) if float(window).is_integer() else window
    return (
        "You are attempting to use this endpoint too frequently. "
        f"Limit is {limit} requests in {seconds} seconds"
    )


def _concurrency_message(concurrent: int) -> str:
    return (
        "You are attempting to go above the allowed concurrency for this endpoint. "
        f"Concurrency limit is {concurrent}"
    )


def deprecation_headers(path: str) -> dict[str, str] | None:
    """The deprecation headers Sentry puts on a legacy alert route, or None for other paths."""
    for pattern, replacement in _LEGACY_ROUTES:
        match = pattern.search(path)
        if match:
            return {
                "X-Sentry-Deprecation-Date": DEPRECATION_DATE,
                "X-Sentry-Replacement-Endpoint": (
                    f"/api/0/organizations/{match['org']}/{replacement}/"
                ),
            }
    return None


# --------------------------------------------------------------------------- rules


@dataclass
class FaultRule:
    """One fault. Build it with :func:`parse_fault`, :func:`faults_from_json` or directly."""

    action: str
    path: str = "*"
    method: str | None = None
    status: int | None = None
    seconds: float = 0.0
    times: int | None = None
    probability: float | None = None
    limit: int = DEFAULT_LIMIT
    window: float = DEFAULT_WINDOW
    concurrent: int | None = None
    # state (guarded by the owning Faults' lock)
    fired: int = field(default=0, compare=False)
    _window_start: float = field(default=0.0, compare=False, repr=False)
    _window_count: int = field(default=0, compare=False, repr=False)
    _in_flight: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise FaultSyntaxError(
                f"unknown fault action {self.action!r}; expected one of {ACTIONS}"
            )
        if self.method is not None:
            self.method = self.method.upper()
            if self.method == "*":
                self.method = None
            elif self.method not in METHODS:
                raise FaultSyntaxError(f"unknown method {self.method!r}; expected one of {METHODS}")
        try:
            self._pattern = re.compile("" if self.path in ("*", "") else self.path)
        except re.error as exc:
            raise FaultSyntaxError(f"bad path pattern {self.path!r}: {exc}") from None
        if self.action == "status" and (
            self.status is None or not (self.status in (410, 429) or 500 <= self.status <= 599)
        ):
            raise FaultSyntaxError(f"status faults are 410, 429 or 5xx, not {self.status}")
        if self.action == "latency" and not 0 <= self.seconds <= 600:
            raise FaultSyntaxError(f"latency must be 0..600 seconds, not {self.seconds}")
        if self.times is not None and self.times < 0:
            raise FaultSyntaxError("times must be 0 or more")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise FaultSyntaxError(f"probability must be between 0 and 1, not {self.probability}")
        if self.times is not None and self.probability is not None:
            raise FaultSyntaxError("give either times or probability, not both")
        if self.action == "ratelimit":
            if self.limit < 1 or self.window <= 0:
                raise FaultSyntaxError("a rate limit needs limit >= 1 and window > 0")
            if self.concurrent is not None and self.concurrent < 1:
                raise FaultSyntaxError("a concurrency limit must be 1 or more")

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method.upper()) and bool(
            self._pattern.search(path)
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"action": self.action, "path": self.path, "fired": self.fired}
        if self.method:
            data["method"] = self.method
        if self.action == "status":
            data["status"] = self.status
        if self.action == "latency":
            data["seconds"] = self.seconds
        if self.action == "ratelimit":
            data.update(limit=self.limit, window=self.window, concurrent=self.concurrent)
        if self.times is not None:
            data["times"] = self.times
        if self.probability is not None:
            data["probability"] = self.probability
        return data


def parse_fault(text: str) -> FaultRule:
    """A rule from the text syntax in this module's docstring."""
    match = _RULE_RE.match(text)
    if match is None:
        raise FaultSyntaxError(
            f"cannot read fault {text!r}; expected '[METHOD ] PATH:ACTION[xN|@P]' with ACTION "
            "one of 429, 410, 5xx, drop, drop-after, latency=SECONDS, "
            "ratelimit=LIMIT/WINDOW[,CONCURRENT] "
            "(e.g. 'POST /detectors/:429x3')"
        )
    action = match["action"]
    kwargs: dict[str, Any] = {"path": match["path"], "method": match["method"]}
    if match["times"]:
        kwargs["times"] = int(match["times"][1:].strip())
    if match["prob"]:
        kwargs["probability"] = _float(match["prob"][1:].strip(), text)
    if action in ("drop", "drop-after"):
        return FaultRule(action, **kwargs)
    if action.startswith("latency="):
        return FaultRule("latency", seconds=_float(action.split("=", 1)[1], text), **kwargs)
    if action.startswith("ratelimit="):
        spec = action.split("=", 1)[1]
        rate, _, concurrent = spec.partition(",")
        limit, _, window = rate.partition("/")
        return FaultRule(
            "ratelimit",
            limit=int(limit),
            window=_float(window.rstrip("s"), text),
            concurrent=int(concurrent) if concurrent else None,
            **kwargs,
        )
    return FaultRule("status", status=int(action), **kwargs)


def _float(text: str, rule: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise FaultSyntaxError(f"not a number: {text!r} in fault {rule!r}") from None


_JSON_KEYS = {
    "action",
    "path",
    "method",
    "status",
    "seconds",
    "times",
    "probability",
    "limit",
    "window",
    "concurrent",
}


def faults_from_json(data: Mapping[str, Any] | Sequence[Any]) -> list[FaultRule]:
    """Rules from an admin request body.

    Accepts ``{"faults": [...]}`` or a bare list; each item is a rule string (see the module
    docstring) or an object with ``action`` (``latency``, ``drop``, ``drop-after``,
    ``ratelimit``, or a
    status such as ``"429"``/``503``) and optional ``method``, ``path``, ``status``,
    ``seconds``, ``times``, ``probability``, ``limit``, ``window``, ``concurrent``.
    """
    items: Any = data.get("faults", []) if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise FaultSyntaxError('expected {"faults": [...]} with a list of rules')
    rules = []
    for item in items:
        if isinstance(item, str):
            rules.append(parse_fault(item))
            continue
        if not isinstance(item, Mapping):
            raise FaultSyntaxError(f"a fault must be a string or an object, not {item!r}")
        unknown = set(item) - _JSON_KEYS
        if unknown:
            raise FaultSyntaxError(f"unknown fault keys {sorted(unknown)}")
        kwargs = dict(item)
        action = str(kwargs.pop("action", ""))
        if action.isdigit():
            kwargs["status"] = int(action)
            action = "status"
        try:
            rules.append(FaultRule(action, **kwargs))
        except TypeError as exc:
            raise FaultSyntaxError(str(exc)) from None
    return rules


# --------------------------------------------------------------------------- controller


@dataclass(frozen=True)
class _Decision:
    latency: float = 0.0
    answer: FaultRule | None = None
    limited: tuple[str, dict[str, str]] | None = None  # (429 body, headers)
    headers: dict[str, str] = field(default_factory=dict)
    holds: tuple[FaultRule, ...] = ()


class Faults:
    """The live set of rules; safe to change from any thread while the server runs."""

    def __init__(
        self,
        rules: Iterable[FaultRule | str] = (),
        *,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._rng = rng or random.Random()  # noqa: S311 - fault dice, not cryptography
        self._clock = clock
        # bumped by clear(): a request a latency rule is still holding when the faults are
        # cleared (the test that set them is over) is dropped, never handled, so it cannot
        # write into the state the next test starts from
        self.generation = 0
        for rule in rules:
            self.add(rule)

    # changing the rules
    def add(self, rule: FaultRule | str) -> FaultRule:
        parsed = parse_fault(rule) if isinstance(rule, str) else rule
        with self._lock:
            self._rules.append(parsed)
        return parsed

    def replace(self, rules: Iterable[FaultRule | str]) -> None:
        parsed = [parse_fault(r) if isinstance(r, str) else r for r in rules]
        with self._lock:
            self._rules = parsed

    def clear(self) -> None:
        """Faults off; requests held by a latency rule are dropped when their wait ends."""
        with self._lock:
            self.generation += 1
        self.replace(())

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {"faults": [rule.to_json() for rule in self._rules]}

    # shorthands
    def latency(self, path: str, seconds: float, **kw: Any) -> FaultRule:
        return self.add(FaultRule("latency", path=path, seconds=seconds, **kw))

    def error(self, path: str, status: int = 500, **kw: Any) -> FaultRule:
        return self.add(FaultRule("status", path=path, status=status, **kw))

    def too_many_requests(self, path: str, **kw: Any) -> FaultRule:
        return self.add(FaultRule("status", path=path, status=429, **kw))

    def brownout(self, path: str = r"/(alert-rules|rules)/", **kw: Any) -> FaultRule:
        return self.add(FaultRule("status", path=path, status=410, **kw))

    def drop(self, path: str, **kw: Any) -> FaultRule:
        return self.add(FaultRule("drop", path=path, **kw))

    def drop_after(self, path: str, **kw: Any) -> FaultRule:
        """Handle matching requests, then close the connection instead of answering."""
        return self.add(FaultRule("drop-after", path=path, **kw))

    def rate_limit(
        self,
        path: str = "*",
        limit: int = DEFAULT_LIMIT,
        window: float = DEFAULT_WINDOW,
        concurrent: int | None = DEFAULT_CONCURRENT,
        **kw: Any,
    ) -> FaultRule:
        return self.add(
            FaultRule(
                "ratelimit", path=path, limit=limit, window=window, concurrent=concurrent, **kw
            )
        )

    # deciding (called by the middleware)
    def _fires(self, rule: FaultRule) -> bool:
        if rule.times is not None:
            if rule.fired >= rule.times:
                return False
        elif rule.probability is not None and self._rng.random() >= rule.probability:
            return False
        rule.fired += 1
        return True

    def _decide(self, method: str, path: str) -> _Decision:
        now = self._clock()
        latency = 0.0
        answer: FaultRule | None = None
        headers: dict[str, str] = {}
        holds: list[FaultRule] = []
        with self._lock:
            matching = [rule for rule in self._rules if rule.matches(method, path)]
            for rule in (r for r in matching if r.action == "ratelimit"):
                # fixed windows aligned to the epoch, as Sentry's limiter buckets time
                # (int(now / window)), so Reset is exactly when the next window opens
                start = math.floor(now / rule.window) * rule.window
                if start != rule._window_start:
                    rule._window_start = start
                    rule._window_count = 0
                reset = math.ceil(rule._window_start + rule.window)
                over_rate = rule._window_count >= rule.limit
                over_concurrency = (
                    rule.concurrent is not None and rule._in_flight >= rule.concurrent
                )
                if not over_rate and not over_concurrency:
                    rule._window_count += 1
                    rule._in_flight += 1
                    holds.append(rule)
                headers = {
                    "X-Sentry-Rate-Limit-Limit": str(rule.limit),
                    "X-Sentry-Rate-Limit-Remaining": str(max(rule.limit - rule._window_count, 0)),
                    "X-Sentry-Rate-Limit-Reset": str(reset),
                }
                if rule.concurrent is not None:
                    headers["X-Sentry-Rate-Limit-ConcurrentLimit"] = str(rule.concurrent)
                    headers["X-Sentry-Rate-Limit-ConcurrentRemaining"] = str(
                        max(rule.concurrent - rule._in_flight, 0)
                    )
                if over_rate or over_concurrency:
                    rule.fired += 1
                    for held in holds:
                        held._in_flight -= 1
                    message = (
                        rate_limit_message(rule.limit, rule.window)
                        if over_rate
                        else _concurrency_message(rule.concurrent or 0)
                    )
                    return _Decision(limited=(message, headers), headers=headers)
            for rule in matching:
                if rule.action == "ratelimit" or not self._fires(rule):
                    continue
                if rule.action == "latency":
                    latency += rule.seconds
                elif answer is None:
                    answer = rule
        return _Decision(latency=latency, answer=answer, headers=headers, holds=tuple(holds))

    def _release(self, holds: Iterable[FaultRule]) -> None:
        with self._lock:
            for rule in holds:
                rule._in_flight = max(rule._in_flight - 1, 0)


# --------------------------------------------------------------------------- middleware


class FaultMiddleware:
    """Pure ASGI middleware applying a :class:`Faults` controller to HTTP requests."""

    def __init__(
        self,
        app: ASGIApp,
        faults: Faults,
        *,
        exempt_prefixes: Sequence[str] = ("/_sandbox/",),
    ) -> None:
        self.app = app
        self.faults = faults
        self.exempt_prefixes = tuple(exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path.startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        generation = self.faults.generation
        decision = self.faults._decide(scope.get("method", "GET"), path)
        if decision.limited is not None:
            message, headers = decision.limited
            await _send_json(send, 429, message, headers)
            return
        try:
            rule = decision.answer
            if decision.latency or (rule is not None and rule.action == "drop-after"):
                # the server has the whole request before it is slow or loses the answer
                receive = await _buffered(receive)
            if decision.latency:
                await asyncio.sleep(decision.latency)
                if self.faults.generation != generation:
                    await _drop(send)  # cleared while held: see Faults.clear
                    return
            if rule is not None and rule.action == "drop":
                await _drop(send)
                return
            if rule is not None and rule.action == "drop-after":
                await self.app(scope, receive, _swallow)
                await _drop(send)
                return
            if rule is not None:
                await self._answer(rule, path, send, decision.headers)
                return
            await self.app(scope, receive, _with_headers(send, decision.headers))
        finally:
            self.faults._release(decision.holds)

    async def _answer(
        self, rule: FaultRule, path: str, send: Send, headers: dict[str, str]
    ) -> None:
        status = rule.status or 500
        extra = dict(headers)
        body: Any
        if status == 429:
            now = int(self.faults._clock())
            extra.setdefault("X-Sentry-Rate-Limit-Limit", str(DEFAULT_LIMIT))
            extra["X-Sentry-Rate-Limit-Remaining"] = "0"
            extra.setdefault("X-Sentry-Rate-Limit-Reset", str(now + 1))
            extra.setdefault("X-Sentry-Rate-Limit-ConcurrentLimit", str(DEFAULT_CONCURRENT))
            extra.setdefault("X-Sentry-Rate-Limit-ConcurrentRemaining", str(DEFAULT_CONCURRENT - 1))
            limit = int(extra["X-Sentry-Rate-Limit-Limit"])
            body = rate_limit_message(limit, DEFAULT_WINDOW)
        elif status == 410:
            body = BROWNOUT_BODY
            extra.update(
                deprecation_headers(path)
                or {
                    "X-Sentry-Deprecation-Date": DEPRECATION_DATE,
                    "X-Sentry-Replacement-Endpoint": "/api/0/",
                }
            )
        else:
            body = {"detail": "Internal Error", "errorId": uuid.uuid4().hex}
        await _send_json(send, status, body, extra)


def _with_headers(send: Send, headers: Mapping[str, str]) -> Send:
    if not headers:
        return send
    encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {name for name, _ in encoded}
            kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
            message = {**message, "headers": [*kept, *encoded]}
        await send(message)

    return wrapped


async def _send_json(send: Send, status: int, body: Any, headers: Mapping[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


async def _buffered(receive: Receive) -> Receive:
    """Read the whole request body now; the returned ``receive`` replays it (a client that
    disconnects later no longer takes the body away from the handler)."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message.get("type") != "http.request" or not message.get("more_body"):
            break

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replay


async def _swallow(_message: Message) -> None:
    """A ``send`` that loses the answer (``drop-after``)."""
    return None


async def _drop(send: Send) -> None:
    """Close the socket with no response (uvicorn), else raise ConnectionDropped."""
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is not None and transport is not None and hasattr(cycle, "disconnected"):
        cycle.disconnected = True  # tell uvicorn not to write a 500 after we return
        transport.close()
        return
    raise ConnectionDropped("fault injection: connection dropped")
