"""The Sentry REST client: the only code that speaks HTTP to Sentry.

``SentryClient`` wraps an injected :class:`httpx.Client` (tests pass one built on
``httpx.MockTransport`` or pointed at the sandbox). It adds:

* Bearer authentication and the ``/api/0/`` prefix on the configured base URL
  (sentry.io, a region host such as ``de.sentry.io``, self-hosted, the sandbox);
* ``Link``-cursor pagination (follow ``rel="next"`` while ``results="true"``, same origin only);
* a limiter that bounds in-flight requests by ``X-Sentry-Rate-Limit-ConcurrentLimit`` and waits
  for ``X-Sentry-Rate-Limit-Reset`` when ``X-Sentry-Rate-Limit-Remaining`` reaches zero;
* retries of 429, 5xx, 410 brownouts, connection errors and timeouts with capped, jittered
  exponential backoff (``Retry-After`` honoured). Writes that may have reached the server
  (POST after a timeout or a 5xx) are *not* retried here: the applier re-reads first;
* one timeout policy: each attempt has a connect timeout of ``min(10 s, timeout)`` and a read
  timeout of ``timeout`` (``--timeout``, 30 s by default); one request, its retries and their
  waits included, ends within ``timeout`` seconds; the whole command's API work within
  ``COMMAND_BUDGET_FACTOR`` x ``timeout`` (300 s by default). Every retry and every wait over
  a second is reported through :func:`para_monitor_cli.waits.notify`; every sleep wakes on
  Ctrl-C (:func:`para_monitor_cli.waits.pause`);
* the server identified before it is believed: a 404 under the organization or project is
  checked once against ``organizations/{org}/`` (and ``projects/{org}/{project}/``) and becomes
  one :class:`TargetNotFoundError` naming what the token can see; a server answering HTML
  instead of JSON is checked against ``GET /api/0/`` and becomes a :class:`NotSentryError`;
* organization and project slugs checked against Sentry's slug patterns and percent-encoded
  in every URL;
* deprecation headers surfaced once per endpoint as warnings;
* error bodies parsed whether object, list or bare string, mapped to :mod:`errors` classes.

The token is sent only in the ``Authorization`` header and only to the configured origin; it
never appears in a message, a log record or the ``--debug`` trace.

Tests call :func:`set_testing` so that retries never sleep and attempts are capped.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit

import httpx

from para_monitor_cli.errors import (
    ApiError,
    AuthError,
    GoneError,
    NotFoundError,
    NotSentryError,
    RateLimitedError,
    ServerError,
    TargetNotFoundError,
    UnreachableError,
    UsageError,
    ValidationError,
)
from para_monitor_cli.redaction import redact, register_secret
from para_monitor_cli.settings import Settings
from para_monitor_cli.waits import check_cancelled, notify, pause

logger = logging.getLogger("para_monitor_cli.api")

T = TypeVar("T")
JSON = Any
Params = Mapping[str, str | int | Sequence[str | int]]

DEFAULT_CONCURRENCY = 25  # Sentry's X-Sentry-Rate-Limit-ConcurrentLimit
DEFAULT_TIMEOUT = 30.0  # read timeout of one attempt, and the bound of one request's retries
CONNECT_TIMEOUT = 10.0  # connect timeout of one attempt (at most the timeout)
COMMAND_BUDGET_FACTOR = 10  # a command's API work ends within 10 x --timeout (300 s default)
ALL_PROJECTS = "-1"  # ``project=-1``: every project the token can access
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


# --------------------------------------------------------------------------- retry policy
@dataclass
class RetryPolicy:
    """How hard to try. ``set_testing`` swaps in a policy with zero delay."""

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    # Reset waits and Retry-After are obeyed up to this many seconds, then capped.
    max_wait: float = 60.0
    sleep: Callable[[float], None] = pause

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the ``attempt``-th retry (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


class _Switch:
    testing: RetryPolicy | None = None


_default_policy = RetryPolicy()


def set_testing(testing: bool = True, *, attempts: int = 3) -> None:
    """Turn the test switch on (no sleeping, ``attempts`` tries) or off."""
    _Switch.testing = (
        RetryPolicy(attempts=attempts, base_delay=0.0, max_delay=0.0, max_wait=0.0, sleep=_no_sleep)
        if testing
        else None
    )


def is_testing() -> bool:
    return _Switch.testing is not None


def _no_sleep(_seconds: float) -> None:
    return None


def current_policy() -> RetryPolicy:
    return _Switch.testing or _default_policy


# --------------------------------------------------------------------------- rate limiter
class RateLimiter:
    """Bounds in-flight requests and waits out an exhausted rate-limit window.

    The bound starts at ``DEFAULT_CONCURRENCY`` and follows the server's
    ``X-Sentry-Rate-Limit-ConcurrentLimit``. When ``X-Sentry-Rate-Limit-Remaining`` reaches
    zero, new requests wait until ``X-Sentry-Rate-Limit-Reset`` (bounded by the policy).
    """

    def __init__(self, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        self._cond = threading.Condition()
        self.limit = max(1, concurrency)
        self._active = 0
        self._not_before = 0.0  # monotonic time before which no request starts
        # requests left in the server's current window (its Remaining minus what is in
        # flight), and when that window ends; None when unknown
        self._budget: int | None = None
        self._budget_until = 0.0
        self.waited = 0.0  # total seconds spent waiting for a window (for benchmarks)

    def acquire(self) -> None:
        """Wait for a slot (and for the rate-limit window); wakes for Ctrl-C, and a wait of
        more than a second is shown."""
        policy = current_policy()
        shown = False
        try:
            with self._cond:
                while True:
                    now = time.monotonic()
                    if self._budget is not None and now >= self._budget_until:
                        self._budget = None  # the window has reset: the budget is unknown
                    if self._active < self.limit:
                        delay = self._not_before - now
                        if self._budget is not None and self._budget <= 0:
                            delay = max(delay, self._budget_until - now)
                        if delay <= 0 or policy.max_wait <= 0:
                            self._active += 1
                            if self._budget is not None:
                                self._budget -= 1
                            return
                        if delay > 1.0 and not shown:
                            shown = True
                            notify(f"waiting {delay:.1f} s for Sentry's rate-limit window", "wait")
                        began = time.monotonic()
                        self._cond.wait(timeout=min(delay, 0.2))  # wake for Ctrl-C
                        self.waited += time.monotonic() - began
                    else:
                        self._cond.wait(timeout=0.2)
                    check_cancelled()
        finally:
            if shown:
                notify("", "done")

    def release(self, headers: httpx.Headers | None) -> None:
        with self._cond:
            self._active -= 1
            if headers is not None:
                self._observe(headers)
            self._cond.notify_all()

    def pause_for(self, seconds: float) -> None:
        """Stop every new request for ``seconds`` (a 429 told us the window is spent)."""
        with self._cond:
            self._not_before = max(self._not_before, time.monotonic() + seconds)

    def _observe(self, headers: httpx.Headers) -> None:
        concurrent = _int_header(headers, "X-Sentry-Rate-Limit-ConcurrentLimit")
        if concurrent is not None and concurrent > 0:
            self.limit = concurrent
        remaining = _int_header(headers, "X-Sentry-Rate-Limit-Remaining")
        wait = _reset_wait(headers)
        if remaining is None or wait is None:
            return
        until = time.monotonic() + min(wait, current_policy().max_wait)
        budget = remaining - self._active
        if self._budget is None or until > self._budget_until + 0.5:
            self._budget, self._budget_until = budget, until  # a new window
        else:
            self._budget = min(self._budget, budget)
            self._budget_until = max(self._budget_until, until)


def _int_header(headers: httpx.Headers, name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw))
    except ValueError:
        return None


def _reset_wait(headers: httpx.Headers) -> float | None:
    """Seconds until ``X-Sentry-Rate-Limit-Reset`` (Unix epoch seconds), at least 0."""
    raw = headers.get("X-Sentry-Rate-Limit-Reset")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw) - time.time())
    except ValueError:
        return None


def retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or HTTP-date), or None when absent/invalid."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# --------------------------------------------------------------------------- Link header
_LINK_RE = re.compile(r"<(?P<url>[^>]*)>(?P<params>[^,<]*(?:,(?![ ]*<)[^,<]*)*)")
_PARAM_RE = re.compile(r';\s*(?P<key>[a-zA-Z_-]+)\s*=\s*"?(?P<value>[^";]*)"?')


def parse_link_header(value: str) -> dict[str, dict[str, str]]:
    """Parse Sentry's ``Link`` header into ``{rel: {"url":..., "results":..., "cursor":...}}``."""
    links: dict[str, dict[str, str]] = {}
    for match in _LINK_RE.finditer(value):
        entry = {"url": match.group("url")}
        for param in _PARAM_RE.finditer(match.group("params")):
            entry[param.group("key").lower()] = param.group("value")
        if "rel" in entry:
            links[entry["rel"]] = entry
    return links


# --------------------------------------------------------------------------- error bodies
def error_message(body: object) -> str:
    """A one-line summary of an error body that is an object, a list or a bare string."""
    if isinstance(body, str):
        return body.strip() or "(empty message)"
    if isinstance(body, list):
        parts = [error_message(item) for item in body]
        return "; ".join(p for p in parts if p) or "(empty list)"
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        parts = []
        for key, value in body.items():
            if key in {"errorId"}:
                continue
            label = "" if key in {"nonFieldErrors", "non_field_errors"} else f"{key}: "
            parts.append(label + error_message(value))
        return "; ".join(parts) or "(empty object)"
    if body is None:
        return "(no body)"
    return str(body)


def _parse_error_body(response: httpx.Response) -> tuple[str, object]:
    text = response.text
    if not text.strip():
        return f"HTTP {response.status_code} with an empty body", None
    try:
        body = json.loads(text)
    except ValueError:
        snippet = " ".join(text.split())[:200]
        return snippet or f"HTTP {response.status_code}", text
    return error_message(body), body


# --------------------------------------------------------------------------- the client
@dataclass(frozen=True)
class Identity:
    """Who the token acts as (``GET /api/0/`` ``user``): a person, or the proxy user of an
    internal integration. ``id`` is what Sentry writes as ``createdBy`` on alerts we create."""

    id: str
    name: str = ""

    @property
    def shown(self) -> str:
        return f"user {self.id}" + (f" ({self.name})" if self.name else "")


_UNKNOWN: Any = object()


@dataclass
class _TargetSlot:
    """Whether an organization or project exists, probed once (None: it does)."""

    lock: threading.Lock
    done: bool = False
    value: TargetNotFoundError | None = None


class SentryClient:
    """A typed, polite client for the Sentry REST API."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        base_url: str,
        token: str | None,
        org: str | None = None,
        on_warning: Callable[[str], None] | None = None,
        trace: Callable[[str], None] | None = None,
        limiter: RateLimiter | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.http = http
        # one request (retries included) ends within ``timeout``; the command's API work
        # within ``budget`` (COMMAND_BUDGET_FACTOR x timeout), counted from now
        self.timeout = timeout
        self.budget = COMMAND_BUDGET_FACTOR * timeout
        self.deadline = time.monotonic() + self.budget
        self._server_checked: str | None = None  # "" Sentry, else what answered instead
        self._server_lock = threading.Lock()
        self._targets: dict[tuple[str, ...], _TargetSlot] = {}
        self._targets_lock = threading.Lock()
        self._probing = threading.local()
        self.api_root = api_root(base_url)
        self._origin = _origin(self.api_root)
        self._token = token
        register_secret(token)
        self.org = org
        self.on_warning = on_warning
        self.trace = trace
        self.limiter = limiter or RateLimiter()
        self._warned: set[str] = set()
        self._count_lock = threading.Lock()
        self._identity_lock = threading.Lock()
        self._identity: Identity | None = _UNKNOWN
        self.request_count = 0  # HTTP requests actually sent (retries included)

    def close(self) -> None:
        """Close the underlying HTTP client (its connection pool)."""
        self.http.close()

    def __enter__(self) -> SentryClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing
    def url(self, path: str) -> str:
        """Absolute URL of an API path given relative to ``/api/0/``."""
        if path.startswith(("http://", "https://")):
            return path
        return self.api_root + path.lstrip("/")

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: JSON = None,
        retry_writes: bool | None = None,
    ) -> httpx.Response:
        """Send one request with retries; return the successful response or raise ApiError.

        ``retry_writes``: whether a non-idempotent request may be resent after an outcome
        that leaves it unknown (timeout, 5xx). Defaults to True for idempotent methods.
        429, 410 and connection failures (nothing was received) are always retried.

        The request, its retries and the waits between them end within ``self.timeout``
        seconds, and never after the command's budget (``self.deadline``); each retry is
        reported through :func:`para_monitor_cli.waits.notify`.
        """
        method = method.upper()
        url = self.url(path)
        if _origin(url) != self._origin:
            raise ApiError(
                f"refusing to send credentials to another host than {self._origin}",
                method=method,
                path=_shown_path(url),
            )
        resend_unknown = method in IDEMPOTENT if retry_writes is None else retry_writes
        policy = current_policy()
        shown = _shown_path(url)
        first = time.monotonic()
        end = min(first + self.timeout, self.deadline)
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= policy.attempts
            self._check_budget(method, shown, end)
            self.limiter.acquire()
            response: httpx.Response | None = None
            started = time.monotonic()
            left = max(0.001, end - started)
            try:
                self._trace_request(method, url, attempt)
                with self._count_lock:
                    self.request_count += 1
                response = self.http.request(
                    method,
                    url,
                    params=_clean_params(params),
                    json=json_body,
                    headers=self._headers(),
                    timeout=httpx.Timeout(
                        min(self.timeout, left), connect=min(CONNECT_TIMEOUT, left)
                    ),
                )
            except httpx.TimeoutException as exc:
                self.limiter.release(None)
                self._trace(f"<- {method} {shown}: timeout ({type(exc).__name__})")
                waited = time.monotonic() - first
                connect = isinstance(exc, httpx.ConnectTimeout)
                what = "no connection" if connect else "no answer"
                backoff = policy.backoff(attempt)
                if last or not (resend_unknown or connect) or not _time_for(backoff, end):
                    raise UnreachableError(
                        f"{method} {shown}: timed out: {what} from {self._origin} "
                        f"after {waited:.1f} s",
                        method=method,
                        path=shown,
                        hint=(
                            "Sentry did not answer in time; the request may or may not have "
                            f"been applied (--timeout {self.timeout:g} s)"
                        ),
                    ) from None
                self._retry_wait(method, shown, what, attempt, policy, backoff, end)
                continue
            except httpx.TransportError as exc:
                self.limiter.release(None)
                self._trace(f"<- {method} {shown}: {type(exc).__name__}")
                never_sent = isinstance(exc, httpx.ConnectError)
                reason = _transport_reason(exc)
                backoff = policy.backoff(attempt)
                if last or not (resend_unknown or never_sent) or not _time_for(backoff, end):
                    raise UnreachableError(
                        f"{method} {shown}: cannot reach {self._origin} ({reason})",
                        method=method,
                        path=shown,
                        hint="check --url / SENTRY_URL and the network",
                    ) from None
                self._retry_wait(method, shown, reason, attempt, policy, backoff, end)
                continue
            self.limiter.release(response.headers)
            elapsed = (time.monotonic() - started) * 1000
            self._trace(f"<- {response.status_code} {method} {shown} ({elapsed:.0f} ms)")
            self._check_deprecation(response, shown)
            status = response.status_code
            if status < 400:
                return response
            retryable = status in {429, 410} or (status >= 500 and resend_unknown)
            if retryable and not last:
                wait = retry_after(response.headers)
                if status == 429:
                    reset = _reset_wait(response.headers)
                    if wait is None:
                        wait = reset
                    if wait is not None:
                        self.limiter.pause_for(min(wait, policy.max_wait))
                if wait is None:
                    wait = policy.backoff(attempt)
                wait = min(wait, policy.max_wait)
                if _time_for(wait, end):
                    self._retry_wait(method, shown, f"HTTP {status}", attempt, policy, wait, end)
                    continue
            raise self._explained(self._error(response, method, shown), response)

    def extend_budget(self, seconds: float) -> None:
        """Add ``seconds`` to the command's budget, for a wait the command announces itself
        (test-event's arrival wait), so that polling within it is not cut short."""
        self.budget += seconds
        self.deadline += seconds

    def _check_budget(self, method: str, shown: str, end: float) -> None:
        """Raise when the command's time budget is spent (before an attempt)."""
        check_cancelled()
        if time.monotonic() >= self.deadline:
            raise UnreachableError(
                f"{method} {shown}: not sent: this command's time for Sentry "
                f"({self.budget:g} s = {COMMAND_BUDGET_FACTOR} x --timeout) is spent",
                method=method,
                path=shown,
                hint="Sentry is answering too slowly; raise --timeout or rerun later",
            )

    def _retry_wait(
        self,
        method: str,
        shown: str,
        why: str,
        attempt: int,
        policy: RetryPolicy,
        wait: float,
        end: float,
    ) -> None:
        """Say that the request is retried, then wait (within the request's time)."""
        wait = max(0.0, min(wait, end - time.monotonic()))
        notify(
            f"retrying {method} {shown} after {why} "
            f"({attempt + 1}/{policy.attempts}, in {wait:.1f} s)"
        )
        policy.sleep(wait)

    # ------------------------------------------------------------------ identifying the server
    def _explained(self, error: ApiError, response: httpx.Response) -> ApiError:
        """A better error than a raw status when the cause is the target itself: the server
        is not Sentry, or the organization or project does not exist."""
        if error.status in (401, 403, 429) or (error.status or 0) >= 500:
            return error
        if getattr(self._probing, "active", False):
            return error
        if not _is_json(response):
            not_sentry = self._not_sentry(error)
            if not_sentry is not None:
                return not_sentry
        if error.status == 404 and error.path is not None:
            missing = self._missing_target(error.path)
            if missing is not None:
                return missing
        return error

    def _not_sentry(self, error: ApiError, *, force: bool = False) -> NotSentryError | None:
        """A :class:`NotSentryError` if ``GET /api/0/`` does not answer as Sentry's API index
        (``src/sentry/api/endpoints/api_index.py``: a JSON object with ``version``), else
        None. Asked once per client."""
        with self._server_lock:
            if self._server_checked is None:
                self._server_checked = self._probe_server()
            verdict = self._server_checked
        if verdict == "" and not force:
            return None
        verdict = verdict or "it does not answer as Sentry's API does"
        seen = f" ({error.method} {error.path} answered HTTP {error.status})"
        return NotSentryError(
            f"the server at {self._origin} is not Sentry: {verdict}{seen}",
            status=error.status,
            method=error.method,
            path=error.path,
            hint="check --url / SENTRY_URL: it must be Sentry's URL (https://sentry.io/, "
            "a region such as https://de.sentry.io/, or your self-hosted Sentry)",
        )

    def _probe_server(self) -> str:
        """ "" when ``GET /api/0/`` answers as Sentry, else what it answered instead."""
        self._trace_request("GET", self.api_root, 1)
        with self._count_lock:
            self.request_count += 1
        try:
            response = self.http.request(
                "GET",
                self.api_root,
                headers=self._headers(),
                timeout=httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout)),
            )
        except httpx.HTTPError:
            return ""  # no answer at all: the original error says more
        if response.status_code in (401, 403):
            return ""  # Sentry refusing the token answers JSON, but proxies may not: trust it
        try:
            body = response.json()
        except ValueError:
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            return f"GET /api/0/ answered HTTP {response.status_code} with {kind}, not JSON"
        if not isinstance(body, dict) or "version" not in body:
            return f"GET /api/0/ answered HTTP {response.status_code} without Sentry's API index"
        return ""

    def _missing_target(self, path: str) -> TargetNotFoundError | None:
        """For a 404 on ``path``: the organization or project in it does not exist (checked
        once each), as one error naming what the token can see; None when they exist."""
        parts = path.split("/")
        org = project = None
        if len(parts) >= 2 and parts[0] in ("organizations", "projects", "teams"):
            org = unquote(parts[1])
        if len(parts) >= 3 and parts[0] == "projects":
            project = unquote(parts[2])
        elif len(parts) >= 4 and parts[0] == "organizations" and parts[2] == "projects":
            project = unquote(parts[3])
        if not org:
            return None
        found = self._target(("org", org), lambda: self._org_missing(org))
        if found is None and project:
            found = self._target(
                ("project", org, project), lambda: self._project_missing(org, project)
            )
        return found

    def _target(
        self, key: tuple[str, ...], probe: Callable[[], TargetNotFoundError | None]
    ) -> TargetNotFoundError | None:
        """``probe()`` once per key; other threads wait for its verdict (so none of them
        mistakes the organization's 404 for an absent resource meanwhile)."""
        with self._targets_lock:
            slot = self._targets.setdefault(key, _TargetSlot(threading.Lock()))
        with slot.lock:
            if not slot.done:
                self._probing.active = True  # the probe's own 404s are not explained again
                try:
                    slot.value = probe()
                finally:
                    self._probing.active = False
                slot.done = True
            return slot.value

    def _org_missing(self, org: str) -> TargetNotFoundError | None:
        visible = self._missing(f"organizations/{quote(org, safe='')}/", "organizations/")
        if visible is None:
            return None
        return TargetNotFoundError(
            f"organization {org!r} not found at {self._origin}: "
            + (
                f"this token can see {_names(visible)}"
                if visible
                else "this token can see no organization"
            ),
            status=404,
            method="GET",
            path=f"organizations/{org}/",
            hint="check --org / SENTRY_ORG (and that the token belongs to that organization)",
        )

    def _project_missing(self, org: str, project: str) -> TargetNotFoundError | None:
        org_path = quote(org, safe="")
        visible = self._missing(
            f"projects/{org_path}/{quote(project, safe='')}/", f"organizations/{org_path}/projects/"
        )
        if visible is None:
            return None
        return TargetNotFoundError(
            f"project {project!r} not found in organization {org!r}: "
            + (
                f"its projects are {_names(visible)}"
                if visible
                else "it has no project this token can see"
            ),
            status=404,
            method="GET",
            path=f"projects/{org}/{project}/",
            hint="check --project / SENTRY_PROJECT",
        )

    def _missing(self, path: str, siblings: str) -> list[str] | None:
        """None when ``path`` answers (or fails otherwise than 404); when it is a 404, the slugs
        listed at ``siblings`` (what the token can see instead; empty if that fails too)."""
        try:
            self.get(path)
        except NotFoundError:
            pass
        except ApiError:
            return None
        else:
            return None
        try:
            return [
                str(item.get("slug"))
                for item in self.get(siblings) or []
                if isinstance(item, dict) and item.get("slug")
            ]
        except ApiError:
            return []

    def _error(self, response: httpx.Response, method: str, shown: str) -> ApiError:
        status = response.status_code
        message, detail = _parse_error_body(response)
        text = redact(f"{method} {shown}: HTTP {status}: {message}")
        kwargs: dict[str, Any] = {"status": status, "method": method, "path": shown}
        if status in {401, 403}:
            hint = (
                "the auth token is missing, wrong or expired"
                if status == 401
                else "the auth token lacks a scope this call needs"
            )
            return AuthError(text, detail=detail, hint=hint, **kwargs)
        if status == 404:
            return NotFoundError(text, detail=detail, **kwargs)
        if status == 410:
            return GoneError(
                text,
                detail=detail,
                hint="a deprecated endpoint is in a brownout or was removed; retry later",
                **kwargs,
            )
        if status == 429:
            return RateLimitedError(
                text, detail=detail, hint="rate limited past the retry budget", **kwargs
            )
        if status >= 500:
            return ServerError(text, detail=detail, **kwargs)
        if status == 400:
            return ValidationError(text, detail=detail, **kwargs)
        return ApiError(text, detail=detail, **kwargs)

    def _check_deprecation(self, response: httpx.Response, shown: str) -> None:
        date = response.headers.get("X-Sentry-Deprecation-Date")
        replacement = response.headers.get("X-Sentry-Replacement-Endpoint")
        if not date and not replacement:
            return
        key = _template(shown)
        if key in self._warned:
            return
        self._warned.add(key)
        message = f"{key} is deprecated by Sentry"
        if date:
            message += f" (since {date})"
        if replacement:
            message += f"; replacement: {replacement}"
        if self.on_warning is not None:
            self.on_warning(redact(message))
        else:
            logger.warning(redact(message))

    def _trace_request(self, method: str, url: str, attempt: int) -> None:
        if self.trace is None:
            return
        auth = "Authorization: Bearer ****" if self._token else "no Authorization"
        again = f" (attempt {attempt})" if attempt > 1 else ""
        self._trace(f"-> {method} {url}{again} [{auth}]")

    def _trace(self, line: str) -> None:
        if self.trace is not None:
            self.trace(redact(line))

    def json(self, method: str, path: str, **kwargs: Any) -> JSON:
        """The decoded JSON body of a successful request (None for 202/204 with no body)."""
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            error = ApiError(
                f"{method.upper()} {_shown_path(response.request.url)}: "
                f"HTTP {response.status_code} with a body that is not JSON",
                status=response.status_code,
                method=method.upper(),
                path=_shown_path(response.request.url),
            )
            raise self._not_sentry(error) or error from None

    def get(self, path: str, params: Params | None = None) -> JSON:
        return self.json("GET", path, params=params)

    def post(self, path: str, body: JSON) -> JSON:
        return self.json("POST", path, json_body=body)

    def put(self, path: str, body: JSON) -> JSON:
        return self.json("PUT", path, json_body=body)

    def delete(self, path: str) -> None:
        self.request("DELETE", path)

    def paginate(self, path: str, params: Params | None = None) -> Iterator[JSON]:
        """Yield every item of a list endpoint, following ``Link`` cursors."""
        url: str | None = self.url(path)
        query: Params | None = dict(params or {})
        pages = 0
        while url is not None:
            response = self.request("GET", url, params=query)
            pages += 1
            try:
                body = response.json()
            except ValueError:
                error = ApiError(
                    f"GET {_shown_path(url)}: the list is not JSON",
                    status=response.status_code,
                    method="GET",
                    path=_shown_path(url),
                )
                raise self._not_sentry(error) or error from None
            if not isinstance(body, list):
                raise ApiError(
                    f"GET {_shown_path(url)}: expected a list, got {type(body).__name__}",
                    status=response.status_code,
                    method="GET",
                    path=_shown_path(url),
                )
            yield from body
            url = None
            link = response.headers.get("Link")
            if link and body:
                nxt = parse_link_header(link).get("next")
                if nxt and nxt.get("results") == "true" and pages < 10_000:
                    target = nxt["url"]
                    if target and _origin(target) == self._origin:
                        url, query = target, None
                    elif nxt.get("cursor"):
                        url = self.url(path)
                        query = {**dict(params or {}), "cursor": nxt["cursor"]}

    def list_all(self, path: str, params: Params | None = None) -> list[JSON]:
        return list(self.paginate(path, params))

    def gather(self, calls: Sequence[Callable[[], T]]) -> list[T]:
        """Run independent calls concurrently (bounded by the limiter); results in order.

        The first exception is re-raised after every call has finished.
        """
        if len(calls) <= 1:
            return [call() for call in calls]
        workers = max(1, min(len(calls), self.limiter.limit))
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            futures = [pool.submit(call) for call in calls]
            errors = [f.exception() for f in futures]
        except BaseException:
            # Ctrl-C: do not wait for requests in flight (their threads see waits.CANCEL)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        for error in errors:
            if error is not None:
                raise error
        return [f.result() for f in futures]

    # ------------------------------------------------------------------ endpoints
    def _org(self, org: str | None) -> str:
        """The organization's slug (or numeric id), checked and percent-encoded for a URL."""
        value = org or self.org
        if not value:
            raise UsageError("no organization configured: pass --org or set SENTRY_ORG")
        return _slug(value, "organization")

    def whoami(self) -> JSON:
        """``GET /api/0/``: the token's scopes and the user it acts as (``user`` is null for
        organization tokens)."""
        return self.get("")

    def identity(self) -> Identity | None:
        """The user the token acts as, read once per client (None when the token has none)."""
        with self._identity_lock:
            if self._identity is _UNKNOWN:
                body = self.whoami()
                user = body.get("user") if isinstance(body, Mapping) else None
                found: Identity | None = None
                if isinstance(user, Mapping) and user.get("id") is not None:
                    found = Identity(id=str(user["id"]), name=str(user.get("name") or ""))
                self._identity = found
            return self._identity

    def lookup_event_id(self, event_id: str, org: str | None = None) -> JSON:
        """``GET organizations/{org}/eventids/{id}/`` (404 until processed; 1 request/s)."""
        return self.get(f"organizations/{self._org(org)}/eventids/{_id(event_id)}/")

    def project_event(self, project: str, event_id: str, org: str | None = None) -> JSON:
        return self.get(f"projects/{self._org(org)}/{_project(project)}/events/{_id(event_id)}/")

    def project(self, project: str, org: str | None = None) -> JSON:
        return self.get(f"projects/{self._org(org)}/{_project(project)}/")

    def update_project(self, project: str, body: JSON, org: str | None = None) -> JSON:
        return self.put(f"projects/{self._org(org)}/{_project(project)}/", body)

    def projects(self, org: str | None = None) -> list[JSON]:
        return self.list_all(f"organizations/{self._org(org)}/projects/")

    def project_keys(self, project: str, org: str | None = None) -> list[JSON]:
        return self.list_all(f"projects/{self._org(org)}/{_project(project)}/keys/")

    def teams(self, org: str | None = None) -> list[JSON]:
        return self.list_all(f"organizations/{self._org(org)}/teams/")

    def project_teams(self, project: str, org: str | None = None) -> list[JSON]:
        return self.list_all(f"projects/{self._org(org)}/{_project(project)}/teams/")

    def members(self, org: str | None = None) -> list[JSON]:
        return self.list_all(f"organizations/{self._org(org)}/members/")

    def team_members(self, team: str, org: str | None = None) -> list[JSON]:
        return self.list_all(f"teams/{self._org(org)}/{_slug(team, 'team')}/members/")

    def integrations(self, provider_key: str | None = None, org: str | None = None) -> list[JSON]:
        params: dict[str, str] = {"providerKey": provider_key} if provider_key else {}
        return self.list_all(f"organizations/{self._org(org)}/integrations/", params)

    def environments(self, org: str | None = None) -> list[JSON]:
        """``GET organizations/{org}/environments/``: ``[{"id", "name"}]``, hidden ones too.

        ``OrganizationEnvironmentsEndpoint`` (src/sentry/api/endpoints/
        organization_environments.py) lists the environments of the projects it is asked for
        (``project=-1``: every project the token can access, as for detectors) and only the
        visible ones unless ``visibility=all``; a detector may use any environment of the
        organization (``EnvironmentField`` looks the name up among all of them).
        """
        return self.list_all(
            f"organizations/{self._org(org)}/environments/",
            {"visibility": "all", "project": [ALL_PROJECTS]},
        )

    def release(self, version: str, org: str | None = None) -> JSON:
        """One release by version (NotFoundError when the organization has none)."""
        return self.get(f"organizations/{self._org(org)}/releases/{quote(version, safe='')}/")

    def releases(self, project: str | None = None, org: str | None = None) -> list[JSON]:
        if project:
            return self.list_all(f"projects/{self._org(org)}/{_project(project)}/releases/")
        return self.list_all(f"organizations/{self._org(org)}/releases/")

    # detectors (monitors)
    def detectors(
        self, project_ids: Sequence[str | int] = (), org: str | None = None
    ) -> list[JSON]:
        """The org's detectors in ``project_ids``, or in every project the token can access.

        Sentry reads no ``project`` parameter as "the projects I am a *member* of" (none for an
        internal integration), so the parameter is always sent: the ids given, else ``-1``.
        """
        projects = [str(p) for p in project_ids] or [ALL_PROJECTS]
        return self.list_all(f"organizations/{self._org(org)}/detectors/", {"project": projects})

    def detector(self, detector_id: str, org: str | None = None) -> JSON:
        return self.get(f"organizations/{self._org(org)}/detectors/{_id(detector_id)}/")

    def create_detector(self, project: str, body: JSON, org: str | None = None) -> JSON:
        return self.post(
            f"organizations/{self._org(org)}/projects/{_project(project)}/detectors/", body
        )

    def update_detector(self, detector_id: str, body: JSON, org: str | None = None) -> JSON:
        return self.put(f"organizations/{self._org(org)}/detectors/{_id(detector_id)}/", body)

    def delete_detector(self, detector_id: str, org: str | None = None) -> None:
        self.delete(f"organizations/{self._org(org)}/detectors/{_id(detector_id)}/")

    # workflows (alerts)
    def workflows(self, org: str | None = None) -> list[JSON]:
        return self.list_all(f"organizations/{self._org(org)}/workflows/")

    def workflow(self, workflow_id: str, org: str | None = None) -> JSON:
        return self.get(f"organizations/{self._org(org)}/workflows/{_id(workflow_id)}/")

    def create_workflow(self, body: JSON, org: str | None = None) -> JSON:
        return self.post(f"organizations/{self._org(org)}/workflows/", body)

    def update_workflow(self, workflow_id: str, body: JSON, org: str | None = None) -> JSON:
        return self.put(f"organizations/{self._org(org)}/workflows/{_id(workflow_id)}/", body)

    def delete_workflow(self, workflow_id: str, org: str | None = None) -> None:
        self.delete(f"organizations/{self._org(org)}/workflows/{_id(workflow_id)}/")

    # dashboards
    def dashboards(self, org: str | None = None) -> list[JSON]:
        return self.list_all(f"organizations/{self._org(org)}/dashboards/")

    def dashboard(self, dashboard_id: str, org: str | None = None) -> JSON:
        return self.get(f"organizations/{self._org(org)}/dashboards/{_id(dashboard_id)}/")

    def create_dashboard(self, body: JSON, org: str | None = None) -> JSON:
        return self.post(f"organizations/{self._org(org)}/dashboards/", body)

    def update_dashboard(self, dashboard_id: str, body: JSON, org: str | None = None) -> JSON:
        return self.put(f"organizations/{self._org(org)}/dashboards/{_id(dashboard_id)}/", body)

    def delete_dashboard(self, dashboard_id: str, org: str | None = None) -> None:
        self.delete(f"organizations/{self._org(org)}/dashboards/{_id(dashboard_id)}/")

    # legacy alert APIs (deprecated; read for export/migration)
    def metric_alert_rules(self, org: str | None = None) -> list[JSON]:
        return self.list_all(f"organizations/{self._org(org)}/alert-rules/")

    def issue_alert_rules(self, project: str, org: str | None = None) -> list[JSON]:
        return self.list_all(f"projects/{self._org(org)}/{_project(project)}/rules/")

    # cron monitors (src/sentry/monitors/endpoints/organization_monitor_index.py and
    # organization_monitor_details.py); a monitor is addressed by its slug or guid
    def cron_monitors(self, org: str | None = None) -> list[JSON]:
        """Every cron monitor of the organization (``project=-1``: every project)."""
        return self.list_all(
            f"organizations/{self._org(org)}/monitors/", {"project": [ALL_PROJECTS]}
        )

    def cron_monitor(self, monitor: str, org: str | None = None) -> JSON:
        return self.get(f"organizations/{self._org(org)}/monitors/{_id(monitor)}/")

    def create_cron_monitor(self, body: JSON, org: str | None = None) -> JSON:
        return self.post(f"organizations/{self._org(org)}/monitors/", body)

    def update_cron_monitor(self, monitor: str, body: JSON, org: str | None = None) -> JSON:
        return self.put(f"organizations/{self._org(org)}/monitors/{_id(monitor)}/", body)

    def delete_cron_monitor(self, monitor: str, org: str | None = None) -> None:
        self.delete(f"organizations/{self._org(org)}/monitors/{_id(monitor)}/")

    def cron_check_ins(
        self, monitor: str, org: str | None = None, environment: str | None = None, limit: int = 1
    ) -> list[JSON]:
        """The newest ``limit`` check-ins of a monitor (one page; Sentry lists newest first)."""
        params: dict[str, Any] = {"per_page": str(limit)}
        if environment:
            params["environment"] = environment
        found = self.get(
            f"organizations/{self._org(org)}/monitors/{_id(monitor)}/checkins/", params
        )
        return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []

    # uptime monitors: detectors of type uptime_domain_failure (the detector methods above);
    # their state and results are served beside the project (not in the public OpenAPI spec:
    # ProjectUptimeAlertDetailsEndpoint, ProjectUptimeAlertCheckIndexEndpoint)
    def uptime_monitor(self, project: str, detector_id: str, org: str | None = None) -> JSON:
        return self.get(f"projects/{self._org(org)}/{_project(project)}/uptime/{_id(detector_id)}/")

    def uptime_checks(
        self, project: str, detector_id: str, org: str | None = None, limit: int = 5
    ) -> list[JSON]:
        found = self.get(
            f"projects/{self._org(org)}/{_project(project)}/uptime/{_id(detector_id)}/checks/",
            {"per_page": str(limit)},
        )
        return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


# --------------------------------------------------------------------------- helpers
# Sentry's slug rules, src/sentry/slug/patterns.py: MIXED_SLUG_PATTERN
# r"^(?![0-9]+$)[a-z0-9_\-]+$" (projects, teams) and ORG_SLUG_PATTERN
# r"^(?![0-9]+$)[a-zA-Z0-9][a-zA-Z0-9-]*(?<!-)$" (organizations). URLs take a slug or a
# numeric id (the routes' ``organization_id_or_slug``), so a reference is accepted when it is
# a slug of either pattern or all digits; anything else (``/``, ``?``, ``..``, spaces,
# non-ASCII) is refused before it reaches a URL, and what passes is still percent-encoded.
_SLUG_REFERENCE = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")


def _slug(value: str, what: str) -> str:
    """``value`` percent-encoded for a URL path segment, after checking it is a slug or an
    id (a usage error naming ``what`` otherwise)."""
    text = str(value)
    if not _SLUG_REFERENCE.match(text):
        raise UsageError(
            f"{what} {redact(text)!r} is not a Sentry {what} slug: use letters, digits, "
            "hyphens and underscores (Sentry's slug rule, src/sentry/slug/patterns.py)"
        )
    return quote(text, safe="")


MIN_ATTEMPT = 1.0  # a retry needs at least this much of the request's time left after its wait


def _time_for(wait: float, end: float) -> bool:
    """Whether a retry after ``wait`` seconds still has time for an attempt before ``end``."""
    return time.monotonic() + wait + MIN_ATTEMPT <= end


def _project(value: str) -> str:
    return _slug(value, "project")


def _id(value: object) -> str:
    """A resource id (or event id) as one URL path segment."""
    return quote(str(value), safe="")


def _names(names: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(sorted(names)[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _is_json(response: httpx.Response) -> bool:
    """Whether ``response``'s body is JSON (an empty body counts: 204 and some errors)."""
    if not response.content.strip():
        return True
    try:
        response.json()
    except ValueError:
        return False
    return True


def _transport_reason(exc: httpx.TransportError) -> str:
    """A few words for a transport failure (never a URL or header)."""
    text = str(exc).lower()
    if isinstance(exc, httpx.ConnectError):
        if "refused" in text:
            return "connection refused"
        if "name or service" in text or "nodename" in text or "resolve" in text:
            return "the host name could not be resolved"
        return "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed without an answer"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "the connection was dropped"
    return type(exc).__name__


def api_root(base_url: str) -> str:
    """``https://sentry.io`` -> ``https://sentry.io/api/0/`` (keeps a self-hosted sub-path)."""
    root = base_url.strip().rstrip("/")
    if not root.startswith(("http://", "https://")):
        root = "https://" + root
    if root.endswith("/api/0"):
        root = root[: -len("/api/0")]
    return root + "/api/0/"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}".lower()


def _shown_path(url: str | httpx.URL) -> str:
    """The path of a URL below ``/api/0/``, without query string (never holds secrets)."""
    path = urlsplit(str(url)).path
    marker = "/api/0/"
    return path.split(marker, 1)[1] if marker in path else path.lstrip("/")


_ID_SEGMENT = re.compile(r"^(?:\d+|[0-9a-f]{32}|[0-9a-f-]{36})$")


def _template(path: str) -> str:
    return "/".join("{id}" if _ID_SEGMENT.match(seg) else seg for seg in path.split("/"))


def _clean_params(params: Params | None) -> dict[str, Any] | None:
    if not params:
        return None
    clean: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str | int):
            clean[key] = str(value)
        else:
            clean[key] = [str(v) for v in value]
    return clean


def client_from_settings(
    settings: Settings,
    *,
    transport: httpx.BaseTransport | None = None,
    on_warning: Callable[[str], None] | None = None,
    trace: Callable[[str], None] | None = None,
    timeout: float | None = None,
    event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
) -> SentryClient:
    """Build a client from :class:`~para_monitor_cli.settings.Settings` (token required).

    ``timeout``: seconds per request, retries included (default: ``settings.timeout``, the
    global ``--timeout``, else :data:`DEFAULT_TIMEOUT`)."""
    token = settings.require("auth_token")
    seconds = timeout or settings.timeout or DEFAULT_TIMEOUT
    http = httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT)),
        headers={"User-Agent": "para-monitor"},
        follow_redirects=False,
        event_hooks=dict(event_hooks or {}),
    )
    if trace is None and settings.debug:
        trace = logger.debug
    return SentryClient(
        http,
        base_url=settings.url,
        token=token,
        org=settings.org,
        on_warning=on_warning,
        trace=trace,
        timeout=seconds,
    )
