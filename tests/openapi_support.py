"""Check JSON bodies against Sentry's official OpenAPI spec, one operation at a time.

    validate_response("GET", "/api/0/organizations/{organization_id_or_slug}/detectors/", 200, body)
    validate_request("POST", "/api/0/organizations/acme/workflows/", body)

The path may be the spec's template or a concrete request path (``/api/0`` prefix optional,
query string ignored). Operations come from the repo-local subset of Sentry's official spec,
``tests/openapi/sentry-openapi-subset.json``, and, for the removed legacy alert routes,
``tests/openapi/legacy-alert-rules-paths.json`` (both written by
``scripts/extract_openapi_subset.py``; their source is in ``tests/openapi/SOURCE.md``).
An operation or a status that the spec does not know is a loud error (:class:`UnknownOperation`,
:class:`UndocumentedStatus`), never a silent pass.

Only the one operation's schema is converted and compiled (cached), with OpenAPI 3.0's
dialect turned into JSON Schema 2020-12: ``nullable: true`` becomes a type union (and adds
``None`` to an ``enum``), boolean ``exclusiveMinimum/Maximum`` become numbers, ``example``
and ``discriminator`` are dropped.

Request bodies: Sentry's CamelSnake serializers accept camelCase for the snake_case names the
spec shows, so camelCase keys are mapped onto the schema's snake_case properties (guided by
the schema, level by level) before validation.

Error statuses that the spec documents without a body schema (400, 401, 403, 404, 409...)
are checked against the shapes Sentry uses for errors (sentry-api-reference.md section 2.6):
``{"detail": str}``, DRF field errors, ``{"message": str}``, a bare string or a list of
strings.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

__all__ = [
    "ERROR_BODY_SCHEMA",
    "LEGACY_FILE",
    "OPENAPI_DIR",
    "SPEC_FILE",
    "OpenAPIValidationError",
    "RequestExample",
    "UndocumentedStatus",
    "UnknownOperation",
    "is_monitor_path",
    "load_spec",
    "loose_json",
    "operation",
    "request_examples",
    "request_schema",
    "resolve_path",
    "response_schema",
    "to_json_schema",
    "validate_monitor_response",
    "validate_request",
    "validate_response",
]

OPENAPI_DIR = Path(__file__).resolve().parent / "openapi"
SPEC_FILE = OPENAPI_DIR / "sentry-openapi-subset.json"
LEGACY_FILE = OPENAPI_DIR / "legacy-alert-rules-paths.json"
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class OpenAPIValidationError(AssertionError):
    """A body does not match the spec; the message names the operation and the JSON path."""


class UnknownOperation(LookupError):
    """The spec has no such method + path."""


class UndocumentedStatus(LookupError):
    """The spec documents no such status for this operation."""


# --------------------------------------------------------------------------- loading


@functools.cache
def load_spec() -> dict[str, dict[str, Any]]:
    """Every path object: the public spec plus the legacy alert-rule paths (loaded once)."""
    with SPEC_FILE.open(encoding="utf-8") as handle:
        spec = json.load(handle)
    with LEGACY_FILE.open(encoding="utf-8") as handle:
        legacy = json.load(handle)
    paths: dict[str, dict[str, Any]] = dict(spec["paths"])
    for template, item in legacy["paths"].items():
        paths.setdefault(template, item)
    return paths


@functools.cache
def _templates() -> list[tuple[str, re.Pattern[str], int]]:
    compiled = []
    for template in load_spec():
        literal = len(re.sub(r"\{[^}]+\}", "", template))
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
        compiled.append((template, pattern, literal))
    # the most literal template wins: `/detectors/` before `/{detector_id}/`
    compiled.sort(key=lambda item: -item[2])
    return compiled


def resolve_path(path: str) -> str:
    """The spec's template for a template or a concrete path; UnknownOperation if none."""
    path = path.split("?", 1)[0]
    paths = load_spec()
    candidates = (
        [path]
        if path.startswith("/api/0/")
        else [path, "/api/0" + ("" if path.startswith("/") else "/") + path]
    )
    for candidate in candidates:
        if candidate in paths:
            return candidate
    for candidate in candidates:
        for template, pattern, _ in _templates():
            if pattern.match(candidate):
                return template
    raise UnknownOperation(f"the OpenAPI spec has no path matching {path!r}")


def operation(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """(template, operation object) for ``method path``; UnknownOperation if absent."""
    template = resolve_path(path)
    item = load_spec()[template]
    op = item.get(method.lower())
    if method.lower() not in _METHODS or op is None:
        known = sorted(m.upper() for m in item if m in _METHODS)
        raise UnknownOperation(f"{method.upper()} {template} is not in the spec (it has {known})")
    return template, op


# ------------------------------------------------------------- OpenAPI 3.0 -> JSON Schema


def to_json_schema(schema: Any) -> Any:
    """Convert an OpenAPI 3.0 schema object (already dereferenced) into JSON Schema 2020-12."""
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("example", "discriminator", "xml", "externalDocs", "deprecated"):
            continue
        if key in ("properties", "patternProperties", "$defs", "definitions"):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = to_json_schema(value)
        else:
            out[key] = value
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if out.get(bound) is True and limit in out:
            out[bound] = out.pop(limit)
        elif out.get(bound) is False:
            del out[bound]
    if out.pop("nullable", False):
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"] if "null" not in types else types
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _json_content(container: Mapping[str, Any]) -> Mapping[str, Any] | None:
    content = container.get("content") or {}
    for media_type, media in content.items():
        if media_type.startswith("application/json") or media_type == "*/*":
            return media  # type: ignore[no-any-return]
    return None


@functools.cache
def _response_validator(method: str, template: str, status: str) -> Any:
    _, op = operation(method, template)
    responses = op.get("responses", {})
    response = responses.get(status) or responses.get(status[0] + "XX") or responses.get("default")
    if response is None:
        raise UndocumentedStatus(
            f"{method.upper()} {template} documents statuses {sorted(responses)}, not {status}"
        )
    media = _json_content(response)
    if media is None or "schema" not in media:
        return None
    schema = to_json_schema(media["schema"])
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@functools.cache
def _request_schema(method: str, template: str) -> Any:
    _, op = operation(method, template)
    body = op.get("requestBody")
    if body is None:
        raise UnknownOperation(f"{method.upper()} {template} takes no request body in the spec")
    media = _json_content(body)
    if media is None or "schema" not in media:
        raise UnknownOperation(f"{method.upper()} {template} has no JSON request body schema")
    schema = to_json_schema(media["schema"])
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    """The converted JSON Schema of one documented response (None: documented without body)."""
    template, _ = operation(method, path)
    validator = _response_validator(method.lower(), template, str(status))
    return None if validator is None else copy.deepcopy(validator.schema)


def request_schema(method: str, path: str) -> dict[str, Any]:
    """The converted JSON Schema of one operation's request body."""
    template, _ = operation(method, path)
    return copy.deepcopy(_request_schema(method.lower(), template))  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- error bodies

_ERROR_VALUE: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {"type": "integer"},
        {"type": "array", "items": {"$ref": "#/$defs/value"}},
        {"type": "object", "additionalProperties": {"$ref": "#/$defs/value"}},
    ]
}

#: Shapes Sentry's error responses take (reference section 2.6).
ERROR_BODY_SCHEMA: dict[str, Any] = {
    "$defs": {"value": _ERROR_VALUE},
    "anyOf": [
        {
            "type": "object",
            "required": ["detail"],
            "properties": {
                "detail": {"type": ["string", "object"]},
                "errorId": {"type": ["string", "null"]},
            },
        },
        {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
        {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array"},
                    {"type": "object"},
                ]
            },
            "properties": {"nonFieldErrors": {"type": "array", "items": {"type": "string"}}},
        },
        {"type": "string", "minLength": 1},
        {"type": "array", "items": {"type": "string"}, "minItems": 1},
    ],
}
_ERROR_VALIDATOR = jsonschema.Draft202012Validator(ERROR_BODY_SCHEMA)


# --------------------------------------------------------------------------- validation


def _raise(kind: str, where: str, errors: list[jsonschema.ValidationError]) -> None:
    if not errors:
        return
    lines = []
    for error in sorted(errors, key=lambda e: list(e.absolute_path))[:10]:
        path = "$" + "".join(f"[{p!r}]" for p in error.absolute_path)
        lines.append(f"  {path}: {error.message[:300]}")
    raise OpenAPIValidationError(f"{kind} of {where} does not match the spec:\n" + "\n".join(lines))


def validate_response(method: str, path_template: str, status: int, body: Any) -> None:
    """Raise OpenAPIValidationError unless ``body`` is what the spec allows for ``status``.

    ``body`` is the decoded JSON (``None`` for an empty body). A documented status without a
    schema must carry no body when it is a success, or an error-shaped body when >= 400.
    """
    template, _ = operation(method, path_template)
    where = f"{method.upper()} {template} -> {status}"
    validator = _response_validator(method.lower(), template, str(status))
    if validator is not None:
        _raise("response", where, list(validator.iter_errors(body)))
        return
    if status >= 400:
        _raise("error body", where, list(_ERROR_VALIDATOR.iter_errors(body)))
    elif body not in (None, b"", ""):
        raise OpenAPIValidationError(f"{where}: the spec documents no body, got {body!r:.200}")


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _subschemas(schema: Any) -> list[Mapping[str, Any]]:
    """The schema and every schema reachable through allOf / anyOf / oneOf."""
    if not isinstance(schema, Mapping):
        return []
    found = [schema]
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            found.extend(_subschemas(sub))
    return found


def _align_keys(schema: Any, body: Any) -> Any:
    """Rename camelCase keys to the schema's snake_case property names, level by level."""
    subschemas = _subschemas(schema)
    if isinstance(body, list):
        items = [s["items"] for s in subschemas if isinstance(s.get("items"), Mapping)]
        return [_align_keys({"anyOf": items}, item) for item in body] if items else body
    if not isinstance(body, Mapping):
        return body
    properties: dict[str, Any] = {}
    for sub in subschemas:
        for name, prop in (sub.get("properties") or {}).items():
            properties.setdefault(name, {"anyOf": []})["anyOf"].append(prop)
    aligned: dict[str, Any] = {}
    for key, value in body.items():
        name = key
        if key not in properties and _snake(key) in properties and _snake(key) not in body:
            name = _snake(key)
        aligned[name] = _align_keys(properties.get(name), value)
    return aligned


def validate_request(method: str, path_template: str, body: Any) -> None:
    """Raise OpenAPIValidationError unless ``body`` is a request body the spec allows."""
    template, _ = operation(method, path_template)
    schema = _request_schema(method.lower(), template)
    aligned = _align_keys(schema, body)
    validator = jsonschema.Draft202012Validator(schema)
    _raise("request", f"{method.upper()} {template}", list(validator.iter_errors(aligned)))


# --------------------------------------------------------------------------- request examples
#
# Sentry's spec documents its request bodies by example only inside the descriptions of the
# body's properties: fenced ```json blocks under a bold title (**Threshold**, **Notify on
# Slack**...). They are written for people: fragments ("logicType": "any", "conditions": ...),
# trailing commas, bare keys, a missing comma here and there. :func:`loose_json` reads them
# with those few repairs and nothing else; what still is not JSON raises ValueError.


class RequestExample:
    """One ```json block from the description of a request-body property."""

    __slots__ = ("field", "section", "text", "title")

    def __init__(self, field: str, section: str, title: str, text: str) -> None:
        self.field = field  # the property whose description holds it (snake_case, as the spec)
        self.section = section  # the last "## Heading" before it ("" when none)
        self.title = title  # the last **bold** line before it ("" when none)
        self.text = text  # the block, verbatim

    def value(self) -> Any:
        """The example as JSON (see :func:`loose_json`); unwrapped from ``"field": ...``."""
        parsed = loose_json(self.text)
        camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), self.field)
        if (
            isinstance(parsed, dict)
            and len(parsed) == 1
            and next(iter(parsed))
            in (
                self.field,
                camel,
            )
        ):
            return next(iter(parsed.values()))
        return parsed

    def __repr__(self) -> str:
        return f"RequestExample({self.field!r}, {self.section!r}, {self.title!r})"


_FENCE = re.compile(r"```json[ \t]*\n(.*?)(?:```|\Z)", re.S)
_TITLE = re.compile(r"^\s*\*\*(.+?)\*\*\s*$", re.M)
_SECTION = re.compile(r"^\s*##\s+(.+?)\s*$", re.M)


def request_examples(method: str, path: str) -> list[RequestExample]:
    """Every ```json example in the descriptions of the operation's request-body properties."""
    template, op = operation(method, path)
    body = op.get("requestBody")
    media = _json_content(body) if body else None
    if media is None:
        raise UnknownOperation(f"{method.upper()} {template} has no JSON request body")
    found: list[RequestExample] = []
    for field, prop in (media["schema"].get("properties") or {}).items():
        description = prop.get("description") or ""
        for match in _FENCE.finditer(description):
            before = description[: match.start()]
            titles = _TITLE.findall(before)
            sections = _SECTION.findall(before)
            found.append(
                RequestExample(
                    field,
                    sections[-1] if sections else "",
                    titles[-1] if titles else "",
                    match.group(1),
                )
            )
    return found


def loose_json(text: str) -> Any:
    """Parse a documentation JSON example, repairing only what people leave out.

    Repairs: ``// comments`` at line ends, bare keys (``type: "gt"``), a missing comma at a
    line break between a value and the next ``"key"``, trailing commas, and a fragment of
    members (``"logicType": "any", ...``) or of objects (``{...}, {...}``) is wrapped in
    braces or brackets. Anything else raises ValueError.
    """
    fixed = re.sub(r"(?m)[ \t]+//[^\n]*$", "", text)
    fixed = re.sub(r"(?m)^(\s*)([A-Za-z_]\w*)(\s*):", r'\1"\2"\3:', fixed)
    fixed = re.sub(r'(["\]}\d]|\btrue|\bfalse|\bnull)([ \t]*\n\s*")', r"\1,\2", fixed)
    fixed = re.sub(r",(\s*[}\]])", r"\1", fixed).strip().rstrip(",").strip()
    if re.match(r'"[^"]*"\s*:', fixed):
        fixed = "{" + fixed + "}"
    try:
        return json.loads(fixed)
    except json.JSONDecodeError as first:
        if fixed.startswith("{"):
            try:
                return json.loads("[" + fixed + "]")
            except json.JSONDecodeError:
                pass
        raise ValueError(f"not JSON even with the documented repairs: {first}") from None


#: Sentry's cron monitor interval units (INTERVAL_NAMES, src/sentry/monitors/validators.py).
INTERVAL_UNITS = ("year", "month", "week", "day", "hour", "minute")


def is_monitor_path(method: str, path: str) -> bool:
    """A cron monitor's own answer (the monitors index or one monitor, not its check-ins)."""
    try:
        template, _ = operation(method, path)
    except UnknownOperation:
        return False
    return template.endswith(("/monitors/", "/monitors/{monitor_id_or_slug}/"))


def validate_monitor_response(method: str, path: str, status: int, body: Any) -> None:
    """A cron monitor answer against the spec's schema with its three errata fixed, each where
    MonitorSerializer (src/sentry/monitors/serializers.py) disagrees with the schema generated
    from its TypedDict: ``environments`` is annotated as one MonitorEnvironmentSerializerResponse
    while serialize() returns a list of them; the interval schedule ``tuple[int, IntervalNames]``
    came out as an array of integers (Sentry sends ``[1, "day"]``); ``owner`` is null for a
    monitor without one. Everything else is the spec's."""
    schema = response_schema(method, path, status)
    if schema is None:
        return
    shape = schema.get("items", schema)
    props = shape["properties"]
    props["environments"] = {"type": "array", "items": props["environments"]}
    props["owner"] = {"anyOf": [props["owner"], {"type": "null"}]}
    schedule = props["config"]["properties"]["schedule"]
    schedule["anyOf"][1]["prefixItems"] = [{"type": "integer"}, {"enum": list(INTERVAL_UNITS)}]
    schedule["anyOf"][1].pop("items", None)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(body))
    _raise("response", f"{method.upper()} {path} -> {status}", errors)
