"""Uptime monitors in the sandbox: detectors of type ``uptime_domain_failure``, their checks, and
a control that records a check result (a URL up or down).

Sentry creates uptime monitors as detectors (``POST /organizations/{org}/projects/{project}/
detectors/`` with ``type: uptime_domain_failure``), validated by UptimeDomainCheckFailureValidator
with UptimeMonitorDataSourceValidator and UptimeDomainCheckFailureConfigValidator
(src/sentry/uptime/endpoints/validators.py); the detector routes of ``app.py`` hand bodies of that
type here (:func:`create`, :func:`update`). Each rule of :data:`SOURCE_RULES` and
:func:`validate` names what it restates. The stored shape is the one the OpenAPI spec's detector
examples show: one data source ``uptime_subscription`` whose ``queryObj`` holds url, method, body,
headers, intervalSeconds, timeoutMs and traceSampling; a condition group (``eq failure`` -> 75,
``eq success`` -> 0); ``config`` = mode, environment, downtimeThreshold, recoveryThreshold.

Checks: ``GET /projects/{org}/{project}/uptime/{detector_id}/checks/``
(ProjectUptimeAlertCheckIndexEndpoint, EapCheckEntrySerializer in
src/sentry/uptime/endpoints/serializers.py) lists the results, newest first;
``GET /projects/{org}/{project}/uptime/{detector_id}/`` shows the monitor with its
``uptimeStatus`` (UptimeDetectorSerializer: 1 ok, 2 failed). Results come from
``POST /_sandbox/organizations/{org}/detectors/{detector_id}/uptime-check/``: with
``{"httpStatusCode": 404}`` the URL answered that code and the sandbox decides up or down as the
uptime checker does (getsentry/uptime-checker src/checker/reqwest_checker.rs
``to_check_status_and_reason``: the monitor's ``assertion`` when it has one, else any 2xx); with
``{"status": "failure"}`` or ``"success"`` the result is given outright (a timeout, a DNS
error). downtimeThreshold failures in a row mark the monitor down and open an incident,
recoveryThreshold successes end it (the results consumer's threshold logic,
src/sentry/uptime/consumers/results_consumer.py).

Assertions: the data source's ``assertion`` is a JSONField (UptimeMonitorDataSourceValidator,
added with the assertion column, getsentry/sentry#106626): any JSON is stored as sent; only an
organization with ``organizations:uptime-runtime-assertions`` has the uptime checker compile it
(checker_api.invoke_checker_validator, behind that flag), and then on the older /uptime/ route.
The checker compiles it when it runs a check (src/assertions/compiled.rs ``compile``: the op
tree of src/assertions/mod.rs, at most 16 operations, ``max_assertion_ops`` in src/config.rs);
an assertion it cannot compile fails the check (``assertion_compilation_error``). The sandbox's
checked response has no headers and an empty body: a ``header_check`` finds no header, a
``json_path`` cannot parse the body (``assertion_evaluation_error``), as the checker would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import Response
from starlette.routing import Route

from para_monitor_cli.sandbox import model
from para_monitor_cli.sandbox.detectors import TypeValidator, register_type, show_actor
from para_monitor_cli.sandbox.store import Doc, Store
from para_monitor_cli.sandbox.web import (
    ALERTS_READ,
    NOT_FOUND,
    Ctx,
    Problem,
    api,
    detail,
    now,
    ok,
    paginate,
    project_ids,
)

DETECTOR_TYPE = "uptime_domain_failure"  # UptimeDomainCheckFailure.slug (uptime/grouptype.py)
SOURCE_TYPE = "uptime_subscription"  # DATA_SOURCE_UPTIME_SUBSCRIPTION
INTERVALS = (60, 300, 600, 1200, 1800, 3600)  # UptimeSubscription.IntervalSeconds
METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS")  # SupportedHTTPMethods
MAX_REQUEST_SIZE_BYTES = 1000
DEFAULT_DOWNTIME_THRESHOLD = 3  # uptime/types.py
DEFAULT_RECOVERY_THRESHOLD = 1
MANUAL = 1  # UptimeMonitorMode.MANUAL

ErrorBody = dict[str, Any]

_REQUIRED = "This field is required."


def _choice(choices: tuple[Any, ...]) -> Callable[[Any], str | None]:
    return lambda v: (
        None if v in choices and not isinstance(v, bool) else f'"{v}" is not a valid choice.'
    )


def _url(value: Any) -> str | None:
    """URLField(max_length=255): http(s), a host (DRF's URLValidator, simplified)."""
    if not isinstance(value, str):
        return "Not a valid string."
    if len(value) > 255:
        return "Ensure this field has no more than 255 characters."
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return "Enter a valid URL."
    if parts.scheme not in ("http", "https") or not host or " " in value:
        return "Enter a valid URL."
    return None


def _timeout(value: Any) -> str | None:
    """IntegerField(min_value=1000, max_value=60_000)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "A valid integer is required."
    if value < 1000:
        return "Ensure this value is greater than or equal to 1000."
    if value > 60_000:
        return "Ensure this value is less than or equal to 60000."
    return None


def _headers(value: Any) -> str | None:
    """_validate_headers: HEADERS_LIST_SCHEMA, a list of [name, value] string pairs."""
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and all(isinstance(x, str) for x in pair[:2]) for pair in value
    ):
        return "Expected array of header tuples."
    return None


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "Must be a valid boolean."


def _body(value: Any) -> str | None:
    """CharField(allow_null=True)."""
    return None if value is None or isinstance(value, str) else "Not a valid string."


def _json(value: Any) -> str | None:
    """JSONField: any JSON value (null too: Sentry's own monitor form sends ``assertion:
    null``); the structure is the checker's business (see the module docstring)."""
    return None


#: UptimeMonitorDataSourceValidator's fields (camelCase on the wire: CamelSnakeSerializer).
SOURCE_RULES: dict[str, tuple[bool, Callable[[Any], str | None]]] = {
    # url = URLField(required=True, max_length=255); validate_url -> check_url_limits (the
    # per-domain limit is not modelled)
    "url": (True, _url),
    # interval_seconds = ChoiceField(required=True, choices=IntervalSeconds.choices)
    "intervalSeconds": (True, _choice(INTERVALS)),
    # timeout_ms = IntegerField(required=True, min_value=1000, max_value=60_000)
    "timeoutMs": (True, _timeout),
    # method = ChoiceField(required=False, choices=SupportedHTTPMethods.choices)
    "method": (False, _choice(METHODS)),
    # headers = JSONField; validate_headers -> _validate_headers
    "headers": (False, _headers),
    # body = CharField(required=False, allow_null=True)
    "body": (False, _body),
    # trace_sampling = BooleanField(default=False)
    "traceSampling": (False, _bool),
    # assertion = JSONField(required=False), stored on UptimeSubscription.assertion
    "assertion": (False, _json),
}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def _get(body: Any, key: str) -> Any:
    if not isinstance(body, dict):
        return None
    if key in body:
        return body[key]
    snake = "".join("_" + c.lower() if c.isupper() else c for c in key)
    return body.get(snake)


def _has(body: Any, key: str) -> bool:
    snake = "".join("_" + c.lower() if c.isupper() else c for c in key)
    return isinstance(body, dict) and (key in body or snake in body)


def request_size(method: str, url: str, headers: list[Any], body: str | None) -> int:
    """compute_http_request_size: request line, header lines, body and its CRLF."""
    size = len(f"{method} {url} HTTP/1.1\r\n")
    size += sum(len(k) + len(v.encode("utf-8")) + 2 for k, v, *_ in headers)
    if body is not None:
        size += len(body.encode("utf-8")) + 2
    return size


def validate(body: Any, *, partial: bool, stored: Doc | None) -> ErrorBody | None:
    """UptimeDomainCheckFailureValidator.is_valid: the detector's own fields
    (BaseDetectorTypeValidator: name, type), ``dataSources`` (enforce_single_datasource, each
    through UptimeMonitorDataSourceValidator) and ``config``
    (UptimeDomainCheckFailureConfigValidator)."""
    if not isinstance(body, dict):
        return {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}
    errors: ErrorBody = {}
    name = body.get("name")
    if "name" in body or not partial:
        if not isinstance(name, str) or not name.strip():
            errors["name"] = [_REQUIRED if name is None else "This field may not be blank."]
        elif len(name) > 200:
            errors["name"] = ["Ensure this field has no more than 200 characters."]
    sources = _get(body, "dataSources")
    if _has(body, "dataSources"):
        if not isinstance(sources, list):
            errors["dataSources"] = ["Expected a list of items."]
        elif len(sources) != 1:
            # enforce_single_datasource (workflow_engine/endpoints/validators/base/detector.py)
            errors["dataSources"] = ["Only one data source is allowed for this detector type."]
        else:
            source_errors = _source_errors(sources[0], partial=partial, stored=stored)
            if source_errors:
                errors["dataSources"] = {"0": source_errors}
    elif not partial:
        errors["dataSources"] = [_REQUIRED]
    config = _get(body, "config")
    if config is not None:
        config_errors = _config_errors(config)
        if config_errors:
            errors["config"] = config_errors
    return errors or None


def _source_errors(source: Any, *, partial: bool, stored: Doc | None) -> ErrorBody:
    if not isinstance(source, dict):
        return {"non_field_errors": ["Invalid data. Expected a dictionary."]}
    errors: ErrorBody = {}
    for key, (required, rule) in SOURCE_RULES.items():
        if _has(source, key):
            message = rule(_get(source, key))
            if message:
                errors[key] = [message]
        elif required and not partial:
            errors[key] = [_REQUIRED]
    if errors:
        return errors
    # UptimeMonitorDataSourceValidator.validate -> _validate_request_size, with the stored
    # subscription's values for what the body leaves out
    old = stored_query(stored) if stored else {}
    size = request_size(
        _get(source, "method") or old.get("method") or "GET",
        _get(source, "url") or old.get("url") or "",
        _get(source, "headers") if _has(source, "headers") else old.get("headers") or [],
        _get(source, "body") if _has(source, "body") else old.get("body"),
    )
    if size > MAX_REQUEST_SIZE_BYTES:
        return {
            "non_field_errors": [
                f"Request is too large, max size is {MAX_REQUEST_SIZE_BYTES} bytes"
            ]
        }
    return {}


def _config_errors(config: Any) -> ErrorBody:
    if not isinstance(config, dict):
        return {"non_field_errors": ["Invalid data. Expected a dictionary."]}
    errors: ErrorBody = {}
    environment = _get(config, "environment")
    # environment = CharField(max_length=64, allow_null=True)
    if environment is not None and (not isinstance(environment, str) or len(environment) > 64):
        errors["environment"] = ["Ensure this field has no more than 64 characters."]
    # recovery_threshold / downtime_threshold = IntegerField(min_value=1)
    for key in ("recoveryThreshold", "downtimeThreshold"):
        value = _get(config, key)
        if _has(config, key):
            if isinstance(value, bool) or not isinstance(value, int):
                errors[key] = ["A valid integer is required."]
            elif value < 1:
                errors[key] = ["Ensure this value is greater than or equal to 1."]
    # mode: non-superusers may only set MANUAL (UptimeDomainCheckFailureConfigValidator.validate)
    if _has(config, "mode") and _get(config, "mode") != MANUAL:
        errors["mode"] = ["Only superusers can modify `mode`"]
    return errors


# -- stored shape ---------------------------------------------------------------------------------


def stored_query(detector: Doc) -> Doc:
    sources = detector.get("dataSources") or [{}]
    query = sources[0].get("queryObj")
    return query if isinstance(query, dict) else {}


def _query(source: Doc, old: Doc) -> Doc:
    """update_uptime_subscription: each field sent replaces the stored one (NOT_SET keeps it)."""
    out = {
        "url": old.get("url"),
        "method": old.get("method", "GET"),
        "body": old.get("body"),
        "headers": old.get("headers", []),
        "intervalSeconds": old.get("intervalSeconds"),
        "timeoutMs": old.get("timeoutMs"),
        "traceSampling": old.get("traceSampling", False),
        "assertion": old.get("assertion"),
    }
    for key in out:
        if _has(source, key):
            out[key] = _get(source, key)
    return out


def _stored_config(store: Store, detector: Doc, config: Any, when: str) -> Doc:
    old = detector.get("config") or {}
    out = {
        "mode": MANUAL,
        "environment": old.get("environment"),
        "downtimeThreshold": old.get("downtimeThreshold", DEFAULT_DOWNTIME_THRESHOLD),
        "recoveryThreshold": old.get("recoveryThreshold", DEFAULT_RECOVERY_THRESHOLD),
    }
    if isinstance(config, dict):
        for key in ("environment", "downtimeThreshold", "recoveryThreshold"):
            if _has(config, key):
                out[key] = _get(config, key)
    if out["environment"]:  # Environment.get_or_create
        model.get_or_create_environment(
            store, detector["org"], detector["projectId"], out["environment"], when
        )
    return out


def _condition_group(store: Store, org_id: str) -> Doc:
    """create_uptime_detector's condition group: failure -> high (75), success -> resolve (0)."""
    return {
        "id": str(store.next_id("condition_group")),
        "organizationId": org_id,
        "logicType": "any",
        "conditions": [
            {
                "id": str(store.next_id("condition")),
                "type": "eq",
                "comparison": "failure",
                "conditionResult": 75,
            },
            {
                "id": str(store.next_id("condition")),
                "type": "eq",
                "comparison": "success",
                "conditionResult": 0,
            },
        ],
        "actions": [],
    }


def create(ctx: Ctx, body: Doc) -> Doc:
    """The detector POST for this type: validated, then stored (a new subscription)."""
    errors = validate(body, partial=False, stored=None)
    if errors:
        raise Problem(400, errors)
    when = now()
    detector: Doc = {
        "id": str(ctx.store.next_id("detector")),
        "org": ctx.org["id"],
        "projectId": ctx.project["id"],
        "createdBy": ctx.user,
        "dateCreated": when,
        "type": DETECTOR_TYPE,
        "uptimeStatus": 1,
        "failures": 0,
        "successes": 0,
        "incident": False,
    }
    source = _get(body, "dataSources")[0]
    detector["dataSources"] = [
        {
            "id": str(ctx.store.next_id("data_source")),
            "organizationId": ctx.org["id"],
            "type": SOURCE_TYPE,
            "sourceId": str(ctx.store.next_id("uptime_subscription")),
            "queryObj": _query(source, {}),
        }
    ]
    detector["conditionGroup"] = _condition_group(ctx.store, ctx.org["id"])
    _apply_fields(ctx, detector, body, when)
    return detector


def update(ctx: Ctx, detector: Doc, body: Doc) -> Doc:
    """The detector PUT for this type (partial): update_data_source for the data source."""
    errors = validate(body, partial=True, stored=detector)
    if errors:
        raise Problem(400, errors)
    sources = _get(body, "dataSources")
    if sources:
        detector["dataSources"][0]["queryObj"] = _query(sources[0], stored_query(detector))
    _apply_fields(ctx, detector, body, now())
    return detector


def _apply_fields(ctx: Ctx, detector: Doc, body: Doc, when: str) -> None:
    for key in ("name", "description", "owner", "enabled"):
        if key in body:
            detector[key] = body[key]
    detector.setdefault("description", None)
    detector.setdefault("owner", None)
    detector.setdefault("enabled", True)
    detector["config"] = _stored_config(ctx.store, detector, _get(body, "config"), when)
    detector["dateUpdated"] = when


# -- the uptime checker's assertions -------------------------------------------------------------
#
# getsentry/uptime-checker: src/assertions/mod.rs (the serde shapes), src/assertions/compiled.rs
# (compile: every op, groups included, spends one of max_assertion_ops = 16; eval: and/or stop at
# the deciding child; a status_code_check compares the response's code).

MAX_ASSERTION_OPS = 16  # src/config.rs Config::default max_assertion_ops
COMPARISONS = ("always", "never", "less_than", "greater_than", "equals", "not_equal")


class AssertionCompileError(Exception):
    """The checker could not deserialize or compile the assertion."""


class AssertionRuntimeError(Exception):
    """compiled.rs RuntimeError (here: a json_path over the empty body)."""


def _cmp(value: Any) -> str:
    """Comparison: ``{"cmp": ...}`` (serde tag ``cmp``, snake_case names)."""
    cmp = value.get("cmp") if isinstance(value, dict) else None
    if cmp not in COMPARISONS:
        raise AssertionCompileError(f"unknown comparison {cmp!r}")
    return str(cmp)


def _operand(value: Any, tag: str, *, default: bool = False) -> None:
    """HeaderOperand / JSONPathOperand: none, literal {value}, glob {pattern: {value}}."""
    if value is None and default:
        return
    kind = value.get(tag) if isinstance(value, dict) else None
    if kind == "none":
        return
    if kind == "literal" and isinstance(value.get("value"), str):
        return
    if kind == "glob" and isinstance((value.get("pattern") or {}).get("value"), str):
        return
    raise AssertionCompileError(f"bad {tag} operand")


def compile_assertion(assertion: Any) -> Doc:
    """compile(): the op tree checked node by node; returns the root."""
    if not isinstance(assertion, dict) or not isinstance(assertion.get("root"), dict):
        raise AssertionCompileError('an assertion is {"root": op}')
    budget = [MAX_ASSERTION_OPS]

    def visit(node: Any) -> None:
        if not isinstance(node, dict):
            raise AssertionCompileError("an op is an object")
        if budget[0] == 0:  # dec_ops
            raise AssertionCompileError("Too many assertion operations")
        budget[0] -= 1
        op = node.get("op")
        if op in ("and", "or"):
            children = node.get("children")
            if not isinstance(children, list):
                raise AssertionCompileError(f"{op} needs children")
            for child in children:
                visit(child)
        elif op == "not":
            visit(node.get("operand"))
        elif op == "status_code_check":
            value = node.get("value")
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
                raise AssertionCompileError("a status code is a u16")
            _cmp(node.get("operator"))
        elif op == "header_check":
            _cmp(node.get("key_op"))
            _cmp(node.get("value_op"))
            _operand(node.get("key_operand"), "header_op")
            _operand(node.get("value_operand"), "header_op")
        elif op == "json_path":
            if not isinstance(node.get("value"), str):
                raise AssertionCompileError("json_path needs a value")
            if node.get("operator") is not None:  # #[serde(default)]
                _cmp(node.get("operator"))
            _operand(node.get("operand"), "jsonpath_op", default=True)
        else:
            raise AssertionCompileError(f"unknown op {op!r}")

    root: Doc = assertion["root"]
    visit(root)
    return root


def evaluate(node: Doc, code: int) -> tuple[bool, Doc]:
    """Op::eval with the failure data extract_failure_data keeps: for a failing ``and`` (or a
    passing ``or``) only the deciding child's branch."""
    op = node["op"]
    if op in ("and", "or"):
        want = op == "or"
        for child in node["children"]:
            result, part = evaluate(child, code)
            if result == want:
                return result, {"op": op, "children": [part]}
        return not want, node
    if op == "not":
        result, part = evaluate(node["operand"], code)
        return not result, {"op": "not", "operand": part}
    if op == "status_code_check":
        value, cmp = node["value"], node["operator"]["cmp"]
        outcome = {
            "always": True,
            "never": False,
            "less_than": code < value,
            "greater_than": code > value,
            "equals": code == value,
            "not_equal": code != value,
        }[cmp]
        return outcome, node
    if op == "header_check":  # no response header to match
        return False, node
    raise AssertionRuntimeError("Invalid Body JSON: EOF while parsing a value")


def judge(detector: Doc, code: int) -> tuple[str, str | None, Doc | None]:
    """to_check_status_and_reason for a response with this code: status, reason, failure data."""
    assertion = stored_query(detector).get("assertion")
    if assertion is None:
        return ("success", None, None) if 200 <= code <= 299 else ("failure", "failure", None)
    try:
        root = compile_assertion(assertion)
    except AssertionCompileError:
        return "failure", "assertion_compilation_error", None
    try:
        result, part = evaluate(root, code)
    except AssertionRuntimeError:
        return "failure", "assertion_evaluation_error", None
    if result:
        return "success", None, None
    return "failure", "failure", {"root": part}


# -- checks ---------------------------------------------------------------------------------------


def _find(ctx: Ctx, detector_id: str) -> Doc:
    detector = ctx.store.get("detector", detector_id)
    if (
        detector is None
        or detector.get("type") != DETECTOR_TYPE
        or detector["projectId"] not in project_ids(ctx)
        or (ctx.project and detector["projectId"] != ctx.project["id"])
    ):
        raise detail(404, NOT_FOUND)
    return detector


def show_check(check: Doc) -> Doc:
    """EapCheckEntrySerializer: ``failure`` inside an incident is shown ``failure_incident``."""
    status = check["checkStatus"]
    if status == "failure" and check["incidentStatus"] == 1:
        status = "failure_incident"
    return {
        "uptimeCheckId": check["id"],
        "timestamp": check["timestamp"],
        "scheduledCheckTime": check["timestamp"],
        "checkStatus": status,
        "checkStatusReason": check["checkStatusReason"],
        "assertionFailureData": check.get("assertionFailureData"),
        "httpStatusCode": check["httpStatusCode"],
        "durationMs": check["durationMs"],
        "traceId": check["traceId"],
        "traceItemId": check["id"],
        "incidentStatus": check["incidentStatus"],
        "environment": check["environment"],
        "region": "default",
        "regionName": "Default Region",
    }


def show_uptime(detector: Doc, project_slug: str, owner: Doc | None) -> Doc:
    """UptimeDetectorSerializer: the detector as an uptime monitor, with ``uptimeStatus``."""
    query = stored_query(detector)
    return {
        "id": detector["id"],
        "projectSlug": project_slug,
        "environment": detector["config"].get("environment"),
        "name": detector["name"],
        "status": "active" if detector["enabled"] else "disabled",
        "uptimeStatus": detector.get("uptimeStatus", 1),
        "mode": detector["config"].get("mode", MANUAL),
        "owner": owner,
        "recoveryThreshold": detector["config"]["recoveryThreshold"],
        "downtimeThreshold": detector["config"]["downtimeThreshold"],
        **query,
    }


@api(*ALERTS_READ)
async def uptime_detail(ctx: Ctx) -> Response:
    detector = _find(ctx, ctx.request.path_params["detector_id"])
    owner = show_actor(ctx.store, detector.get("owner"))
    return ok(show_uptime(detector, ctx.project["slug"], owner))


@api(*ALERTS_READ)
async def checks_list(ctx: Ctx) -> Response:
    detector = _find(ctx, ctx.request.path_params["detector_id"])
    found = [c for c in ctx.store.all("uptime_check") if c["detector"] == detector["id"]]
    found.reverse()
    return paginate(ctx, found, show=show_check)


@api()
async def control_check(ctx: Ctx) -> Response:
    """The sandbox's own: record one check result for this uptime monitor, as the checker's
    result would arrive. Body: ``{"httpStatusCode": 404}`` (the URL answered that; the monitor's
    assertion, else 2xx, decides) or ``{"status": "failure" | "success"}`` (given outright,
    with an optional ``httpStatusCode`` to show)."""
    detector = _find(ctx, ctx.request.path_params["detector_id"])
    body = await ctx.body()
    if not isinstance(body, dict):
        raise Problem(400, {"non_field_errors": ["Invalid data. Expected a dictionary."]})
    code = body.get("httpStatusCode")
    if code is not None and (
        isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 999
    ):
        raise Problem(400, {"httpStatusCode": ["An HTTP status code (100-999) is required."]})
    status = body.get("status")
    reason: str | None = None
    failure: Doc | None = None
    if status is None and code is not None:
        status, reason, failure = judge(detector, code)
    elif status not in ("success", "failure"):
        raise Problem(
            400, {"status": ['"status" must be "success" or "failure", or give httpStatusCode.']}
        )
    check = record(ctx.store, detector, status, code, now(), reason=reason, failure=failure)
    return ok(show_check(check), 201)


def record(
    store: Store,
    detector: Doc,
    status: str,
    code: int | None,
    when: str,
    *,
    reason: str | None = None,
    failure: Doc | None = None,
) -> Doc:
    """One result: consecutive failures past downtimeThreshold mark the monitor down (uptime
    status 2, an incident), consecutive successes past recoveryThreshold bring it back."""
    config = detector["config"]
    if status == "failure":
        detector["failures"] = detector.get("failures", 0) + 1
        detector["successes"] = 0
        if detector["failures"] >= config["downtimeThreshold"]:
            detector["uptimeStatus"] = 2
            detector["incident"] = True
    else:
        detector["successes"] = detector.get("successes", 0) + 1
        detector["failures"] = 0
        if detector.get("incident") and detector["successes"] >= config["recoveryThreshold"]:
            detector["uptimeStatus"] = 1
            detector["incident"] = False
    store.put("detector", detector["id"], detector)
    check = {
        "id": uuid.uuid4().hex,
        "detector": detector["id"],
        "timestamp": when,
        "checkStatus": status,
        "checkStatusReason": None if status == "success" else (reason or "failure"),
        "assertionFailureData": failure,
        "httpStatusCode": code if code is not None else (200 if status == "success" else None),
        "durationMs": 0,
        "traceId": uuid.uuid4().hex,
        "incidentStatus": 1 if detector.get("incident") else 0,
        "environment": config.get("environment") or "production",
    }
    store.put("uptime_check", check["id"], check)
    return check


# this type's own validator on the detector endpoints (get_detector_validator)
register_type(DETECTOR_TYPE, TypeValidator(create=create, update=update))


def routes(org: str, project: str) -> list[Route]:
    return [
        Route(project + "/uptime/{detector_id}/", uptime_detail, methods=["GET"]),
        Route(project + "/uptime/{detector_id}/checks/", checks_list, methods=["GET"]),
        Route(
            "/_sandbox/organizations/{org}/detectors/{detector_id}/uptime-check/",
            control_check,
            methods=["POST"],
        ),
    ]


__all__ = ["DETECTOR_TYPE", "create", "request_size", "routes", "update", "validate"]
