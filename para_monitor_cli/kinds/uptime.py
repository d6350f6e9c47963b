"""Uptime checks: Sentry requests a URL on an interval and opens an issue when it fails
(``uptime:``).

Spec link: ``Spec.uptime`` (``spec/model.py`` ``UptimeMonitor``). Identity: the name within its
project (``scope = "project"``). Sentry creates uptime monitors as detectors of type
``uptime_domain_failure`` (POST ``/organizations/{org}/projects/{project}/detectors/``, validated
by UptimeDomainCheckFailureValidator in src/sentry/uptime/endpoints/validators.py; the route
Sentry's own UI uses, and the one the public OpenAPI spec covers); the older
``/projects/{org}/{project}/uptime/`` route is experimental and not in the spec. The ownership
marker with the entry key ends the detector's ``description``, as for metric monitors.

Wire: ``dataSources[0]`` = {``url``, ``method``, ``headers`` (a list of [name, value]),
``body``, ``intervalSeconds``, ``timeoutMs``, ``traceSampling``, ``assertion``}; ``config`` =
{``mode: 1`` (manual), ``environment``, ``downtimeThreshold``, ``recoveryThreshold``}.

Expected status: the data source's ``assertion`` (UptimeMonitorDataSourceValidator.assertion, a
JSONField stored on UptimeSubscription and shown in the detector's ``queryObj`` by
UptimeSubscriptionSerializer), a tree of ``and``/``or``/``not`` over ``status_code_check``
leaves (getsentry/uptime-checker src/assertions/mod.rs). :func:`status_assertion` writes one;
:func:`expected_ranges` reads any status-only tree back by evaluating it over the codes
100-599 as the checker does (compiled.rs ``Op::eval``), so Sentry's own default (``> 199`` and
``< 300``), no assertion at all (the checker then wants a 2xx) and our ``2xx`` compare equal.
An assertion that also checks headers or the JSON body cannot be read as a status list: its
comparable form names it, and export leaves it out with a problem.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from para_monitor_cli.api.wire import (
    Directory,
    entry_key,
    with_marker,
    without_marker,
)
from para_monitor_cli.errors import UsageError
from para_monitor_cli.kinds.base import (
    JSON,
    Context,
    DetectorKind,
    ExportContext,
    Lookup,
    owner_lookups,
    shown_seconds,
)
from para_monitor_cli.kinds.cron import owner_id, owner_text, shown_owner
from para_monitor_cli.redaction import register_secret
from para_monitor_cli.spec.model import Spec, UptimeMonitor
from para_monitor_cli.spec.status import (
    DEFAULT_EXPECTED,
    HIGHEST_STATUS,
    LOWEST_STATUS,
    StatusRange,
    merge,
    status_text,
    status_yaml,
)
from para_monitor_cli.spec.units import format_duration

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient

DETECTOR_TYPE = "uptime_domain_failure"  # UptimeDomainCheckFailure.slug (uptime/grouptype.py)
MANUAL = 1  # UptimeMonitorMode.MANUAL
#: The comparable value of an assertion that checks more than the status code.
CUSTOM_ASSERTION = "a custom assertion (headers or body)"


def _status_check(cmp: str, value: int) -> JSON:
    return {"op": "status_code_check", "operator": {"cmp": cmp}, "value": value}


def _range_checks(low: int, high: int) -> list[JSON]:
    if low == high:
        return [_status_check("equals", low)]
    return [_status_check("greater_than", low - 1), _status_check("less_than", high + 1)]


def status_assertion(ranges: tuple[StatusRange, ...]) -> JSON:
    """The ``assertion`` for these ranges, in the shape Sentry's monitor form sends (an ``and``
    root; the default 2xx is exactly its ``> 199`` and ``< 300`` pair). Several ranges go under
    an ``or``: a single code as one ``equals``, a range as an ``and`` of the pair. The number of
    operations is :func:`para_monitor_cli.spec.status.assertion_ops` (rule U7)."""
    merged = merge(ranges)
    if len(merged) == 1:
        return {"root": {"op": "and", "children": _range_checks(*merged[0])}}
    children: list[JSON] = []
    for low, high in merged:
        checks = _range_checks(low, high)
        children.append(checks[0] if len(checks) == 1 else {"op": "and", "children": checks})
    return {"root": {"op": "or", "children": children}}


class _NotStatusOnly(Exception):
    """The tree holds an op other than and/or/not/status_code_check, or is malformed."""


def _passes(node: Any, code: int) -> bool:
    """compiled.rs ``Op::eval`` for the status-only ops (an empty ``and`` passes, an empty
    ``or`` fails)."""
    if not isinstance(node, Mapping):
        raise _NotStatusOnly
    op = node.get("op")
    if op in ("and", "or"):
        children = node.get("children")
        if not isinstance(children, list):
            raise _NotStatusOnly
        results = [_passes(child, code) for child in children]
        return all(results) if op == "and" else any(results)
    if op == "not":
        return not _passes(node.get("operand"), code)
    if op != "status_code_check":
        raise _NotStatusOnly
    value, operator = node.get("value"), node.get("operator")
    cmp = operator.get("cmp") if isinstance(operator, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _NotStatusOnly
    tests = {
        "always": True,
        "never": False,
        "less_than": code < value,
        "greater_than": code > value,
        "equals": code == value,
        # the checker's serde name is not_equal; Sentry's TypeScript and Kafka schema spell
        # it not_equals: read both
        "not_equal": code != value,
        "not_equals": code != value,
    }
    if cmp not in tests:
        raise _NotStatusOnly
    return tests[cmp]


def expected_ranges(assertion: Any) -> tuple[StatusRange, ...] | None:
    """The codes 100-599 an assertion accepts, as ranges; None when it is not status-only.
    No assertion means the checker's own rule, any 2xx (reqwest_checker.rs
    ``to_check_status_and_reason``)."""
    if assertion is None:
        return DEFAULT_EXPECTED
    if not isinstance(assertion, Mapping) or "root" not in assertion:
        return None
    try:
        codes = [
            code
            for code in range(LOWEST_STATUS, HIGHEST_STATUS + 1)
            if _passes(assertion["root"], code)
        ]
    except _NotStatusOnly:
        return None
    return merge((code, code) for code in codes)


def expected_text(assertion: Any) -> str:
    """The comparable form: ``2xx``, ``200, 204``, or :data:`CUSTOM_ASSERTION`."""
    ranges = expected_ranges(assertion)
    return CUSTOM_ASSERTION if ranges is None else status_text(ranges)


#: Request headers whose values are plain settings, shown and exported as they are. Any other
#: header (Authorization, X-Api-Key, a cookie...) and the request body may carry a credential:
#: plan and apply show a digest of the value (a change still shows), export writes a ``${VAR}``
#: reference, and the file may give ``${VAR}`` to take the value from the environment.
PLAIN_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "cache-control",
        "content-type",
        "pragma",
        "user-agent",
    }
)
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def hidden(value: Any) -> str:
    """What plan shows of a value that may be a credential: a digest, never the value."""
    digest = hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:12]
    return f"(hidden, sha256 {digest})"


def expand_env(text: str, where: str) -> str:
    """``${NAME}`` in a header value or body replaced by the environment's value (registered
    with the output redaction, so it is never printed); an unset name is a usage error."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = os.environ.get(name)
        if found is None:
            raise UsageError(
                f"{where} names ${{{name}}}, which is not set in the environment",
                hint=f"export {name} before plan or apply-alerts (its value is never printed)",
            )
        register_secret(found)
        return found

    return _ENV_REF.sub(value, text)


def env_name(check: str, part: str) -> str:
    """The ``${VAR}`` export writes for a hidden value: UPTIME_<CHECK>_<PART>."""
    return re.sub(r"[^A-Z0-9]+", "_", f"UPTIME_{check}_{part}".upper()).strip("_")


def uptime_body(check: UptimeMonitor, directory: Directory) -> JSON:
    """The detector create/update body (``type: uptime_domain_failure``)."""
    return {
        "name": check.name,
        "type": DETECTOR_TYPE,
        "description": with_marker(None, entry_key(UptimeKind.name, check.name)),
        "enabled": check.enabled,
        "owner": owner_id(check.owner, directory),
        "dataSources": [
            {
                "url": check.url,
                "method": check.method,
                "headers": [
                    [name, expand_env(str(value), f"uptime check {check.name!r}: header {name!r}")]
                    for name, value in check.headers
                ],
                "body": (
                    expand_env(check.body, f"uptime check {check.name!r}: body")
                    if check.body
                    else check.body
                ),
                "intervalSeconds": check.interval,
                "timeoutMs": check.timeout * 1000,
                "traceSampling": check.trace_sampling,
                "assertion": status_assertion(check.expected_status),
            }
        ],
        "config": {
            "mode": MANUAL,
            "environment": check.environment,
            "downtimeThreshold": check.downtime_threshold,
            "recoveryThreshold": check.recovery_threshold,
        },
    }


def _query(detector: Mapping[str, Any]) -> Mapping[str, Any]:
    sources = detector.get("dataSources") or [{}]
    query = sources[0].get("queryObj") or sources[0]
    return query if isinstance(query, Mapping) else {}


def canonical_uptime(detector: Mapping[str, Any]) -> JSON:
    """An uptime detector (request body or response) in the comparable form."""
    query = _query(detector)
    config = detector.get("config") or {}
    owner = detector.get("owner")
    if isinstance(owner, Mapping):
        owner = f"{owner.get('type')}:{owner.get('id')}"
    headers = query.get("headers") or []
    return {
        "description": without_marker(detector.get("description")),
        "enabled": bool(detector.get("enabled", True)),
        "owner": owner or None,
        "url": query.get("url"),
        "method": query.get("method") or "GET",
        "headers": [
            [str(k).lower(), v if str(k).lower() in PLAIN_HEADERS else hidden(v)]
            for k, v, *_ in headers
        ],
        "body": hidden(query["body"]) if query.get("body") else None,
        "interval": query.get("intervalSeconds"),
        "timeoutMs": query.get("timeoutMs"),
        "traceSampling": bool(query.get("traceSampling")),
        "expectedStatus": expected_text(query.get("assertion")),
        "environment": config.get("environment") or None,
        "downtimeThreshold": config.get("downtimeThreshold"),
        "recoveryThreshold": config.get("recoveryThreshold"),
    }


_SHOWN_NAMES = {
    "traceSampling": "trace_sampling",
    "expectedStatus": "expected_status",
    "downtimeThreshold": "downtime_threshold",
    "recoveryThreshold": "recovery_threshold",
}


def shown_uptime(fields: Mapping[str, Any], directory: Directory) -> JSON:
    """The comparable fields as the file writes them (``interval: 1m``, ``timeout: 10s``)."""
    out: JSON = {}
    for key, value in fields.items():
        if key == "interval":
            out[key] = shown_seconds(value)
        elif key == "timeoutMs" and isinstance(value, int) and value % 1000 == 0:
            out["timeout"] = format_duration(value // 1000)
        elif key == "owner":
            out[key] = shown_owner(value, directory)
        else:
            out[_SHOWN_NAMES.get(key, key)] = value
    return out


def export_uptime(
    detector: Mapping[str, Any], directory: Directory, problems: list[str] | None = None
) -> JSON:
    """An uptime detector as an ``uptime:`` item (what cannot be written goes to ``problems``)."""
    if problems is None:
        problems = []
    fields = canonical_uptime(detector)
    out: JSON = {"name": detector.get("name")}
    out["project"] = directory.project_slug(str(detector.get("projectId")))
    if fields["enabled"] is False:
        out["enabled"] = False
    out["url"] = fields["url"]
    if fields["method"] != "GET":
        out["method"] = fields["method"]
    name = str(detector.get("name"))
    headers: JSON = {}
    for key, value, *_ in _query(detector).get("headers") or []:
        key = str(key).lower()  # noqa: PLW2901 - header names compare lower-case
        if key in PLAIN_HEADERS:
            headers[key] = value
        else:
            var = env_name(name, key)
            headers[key] = f"${{{var}}}"
            problems.append(
                f"uptime check {name!r}: header {key!r} may hold a credential; exported as "
                f"${{{var}}}: set {var} in the environment to its value"
            )
    if headers:
        out["headers"] = headers
    if _query(detector).get("body"):
        var = env_name(name, "body")
        out["body"] = f"${{{var}}}"
        problems.append(
            f"uptime check {name!r}: its request body may hold a credential; exported as "
            f"${{{var}}}: set {var} in the environment to it"
        )
    out["interval"] = format_duration(int(fields["interval"] or 60))
    timeout_ms = int(fields["timeoutMs"] or 5000)
    out["timeout"] = format_duration(max(timeout_ms // 1000, 1))
    if fields["downtimeThreshold"] not in (None, 3):
        out["downtime_threshold"] = fields["downtimeThreshold"]
    if fields["recoveryThreshold"] not in (None, 1):
        out["recovery_threshold"] = fields["recoveryThreshold"]
    ranges = expected_ranges(_query(detector).get("assertion"))
    if ranges is None:
        problems.append(
            f"uptime check {detector.get('name')!r}: its assertion also checks headers or the "
            "body; only the expected status can be exported (left at 2xx)"
        )
    elif not ranges:
        problems.append(
            f"uptime check {detector.get('name')!r}: its assertion accepts no status 100-599; "
            "expected_status left out"
        )
    elif ranges != DEFAULT_EXPECTED:
        out["expected_status"] = status_yaml(ranges)
    if fields["traceSampling"]:
        out["trace_sampling"] = True
    if fields["environment"]:
        out["environment"] = fields["environment"]
    owner = owner_text(detector.get("owner"), directory)
    if owner:
        out["owner"] = owner
    return out


class UptimeKind(DetectorKind):
    name = "uptime check"
    plural = "uptime checks"
    section = "uptime"
    order = 0
    check_group = "alerts"
    detector_type = DETECTOR_TYPE

    def lookups(self, spec: Spec | None) -> set[Lookup]:
        return owner_lookups(None if spec is None else [check.owner for check in spec.uptime])

    def encode(self, entry: Any, project: str, ctx: Context) -> JSON:
        return uptime_body(entry, ctx.directory)

    def canonical(self, obj: Mapping[str, Any]) -> JSON:
        return canonical_uptime(obj)

    def show(self, fields: Mapping[str, Any], directory: Directory) -> JSON:
        return shown_uptime(fields, directory)

    def read(self, client: SentryClient, org: str) -> list[JSON]:
        found = client.list_all(
            f"organizations/{org}/detectors/", {"project": ["-1"], "query": f"type:{DETECTOR_TYPE}"}
        )
        return [d for d in found if d.get("type") == DETECTOR_TYPE]

    def export(self, obj: Mapping[str, Any], ctx: ExportContext) -> JSON | None:
        return export_uptime(obj, ctx.directory, ctx.problems)


KIND = UptimeKind()
