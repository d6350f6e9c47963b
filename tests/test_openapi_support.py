"""The OpenAPI checker used by the sandbox tests: loading, conversion, strictness."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_support import (
    ERROR_BODY_SCHEMA,
    OPENAPI_DIR,
    SPEC_FILE,
    OpenAPIValidationError,
    UndocumentedStatus,
    UnknownOperation,
    load_spec,
    loose_json,
    operation,
    request_examples,
    request_schema,
    resolve_path,
    to_json_schema,
    validate_request,
    validate_response,
)

from para_monitor_cli.sandbox.app import routes

ORG = "/api/0/organizations/{organization_id_or_slug}"
METHODS = ("get", "put", "post", "delete", "patch")


def _spec_examples() -> list[tuple[str, str, int, str, Any]]:
    cases = []
    for template, item in load_spec().items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            for status, response in op.get("responses", {}).items():
                media = (response.get("content") or {}).get("application/json") or {}
                for name, example in (media.get("examples") or {}).items():
                    cases.append((method, template, int(status), name, example["value"]))
    return cases


def test_the_spec_is_the_repo_local_subset_with_its_source_named() -> None:
    """The tests read only tests/openapi/, whose SOURCE.md names the upstream file and hash."""
    assert SPEC_FILE.parent == OPENAPI_DIR == Path(__file__).parent / "openapi"
    source = json.loads(SPEC_FILE.read_text(encoding="utf-8"))["x-para-monitor-source"]
    assert source["repository"] == "https://github.com/getsentry/sentry-api-schema"
    notes = (OPENAPI_DIR / "SOURCE.md").read_text(encoding="utf-8")
    assert source["commit"] in notes
    assert source["sha256"] in notes
    assert "scripts/extract_openapi_subset.py" in notes


def test_every_sandbox_route_sentry_documents_is_in_the_subset() -> None:
    """Each route the sandbox serves resolves to an operation of the subset, except the few
    that Sentry's public spec does not document at all (named here)."""
    undocumented = {
        "POST /api/{project_id:int}/envelope/",  # ingestion (Relay), not the web API
        "POST /api/{project_id:int}/store/",
        "GET /api/0/",  # the API index: not in the public spec
        "GET /_sandbox/faults/",  # the sandbox's own admin route
        "PUT /_sandbox/faults/",
        "DELETE /_sandbox/faults/",
        "POST /_sandbox/organizations/{org}/monitors/{monitor}/missed/",  # sandbox controls
        "POST /_sandbox/organizations/{org}/detectors/{detector_id}/uptime-check/",
        # uptime monitor detail and checks (ProjectUptimeAlertDetailsEndpoint,
        # ProjectUptimeAlertCheckIndexEndpoint): served by Sentry, not in its public spec
        "GET /api/0/projects/{org}/{project}/uptime/{detector_id}/",
        "GET /api/0/projects/{org}/{project}/uptime/{detector_id}/checks/",
    }
    missing = []
    for route in routes():
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            name = f"{method} {route.path}"
            if name in undocumented:
                continue
            concrete = re.sub(r"\{[^}]+\}", "x1", route.path)
            try:
                operation(method, concrete)
            except UnknownOperation:
                missing.append(name)
    assert missing == []


def test_legacy_routes_are_loaded_beside_the_public_spec() -> None:
    paths = load_spec()
    assert f"{ORG}/alert-rules/" in paths
    assert (
        "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/rules/{rule_id}/" in paths
    )
    assert f"{ORG}/detectors/" in paths


@pytest.mark.parametrize(
    ("method", "template", "status", "name", "body"),
    _spec_examples(),
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "",
)
def test_every_example_in_the_spec_validates(
    method: str, template: str, status: int, name: str, body: Any
) -> None:
    """The conversion is right if Sentry's own examples pass through it."""
    validate_response(method, template, status, body)


def test_concrete_paths_resolve_to_the_most_literal_template() -> None:
    assert resolve_path("/api/0/organizations/acme/detectors/") == f"{ORG}/detectors/"
    assert (
        resolve_path("/api/0/organizations/acme/detectors/12/")
        == f"{ORG}/detectors/{{detector_id}}/"
    )
    assert resolve_path("organizations/acme/workflows/?cursor=0:0:0") == f"{ORG}/workflows/"
    assert (
        resolve_path("/api/0/organizations/acme/projects/backend/detectors/")
        == f"{ORG}/projects/{{project_id_or_slug}}/detectors/"
    )


def test_unknown_operations_are_loud() -> None:
    with pytest.raises(UnknownOperation, match="no path"):
        validate_response("GET", "/api/0/", 200, {})
    with pytest.raises(UnknownOperation, match="PATCH"):
        operation("PATCH", f"{ORG}/dashboards/")
    with pytest.raises(UnknownOperation, match="no request body"):
        validate_request("GET", f"{ORG}/dashboards/", {})


def test_undocumented_status_is_loud() -> None:
    with pytest.raises(UndocumentedStatus, match="not 401"):
        validate_response("GET", f"{ORG}/dashboards/", 401, {"detail": "Invalid token"})


def test_a_wrong_response_names_the_json_path() -> None:
    examples = [case for case in _spec_examples() if case[:3] == ("get", f"{ORG}/dashboards/", 200)]
    listing = copy.deepcopy(examples[0][4])
    listing[0]["id"] = 5
    with pytest.raises(OpenAPIValidationError, match=r"\$\[0\]\['id'\]: 5 is not of type 'string'"):
        validate_response("GET", "/api/0/organizations/acme/dashboards/", 200, listing)
    with pytest.raises(OpenAPIValidationError, match="'enabled' is a required property"):
        validate_response("GET", f"{ORG}/detectors/1/", 200, {"id": "1"})


def test_bodiless_statuses() -> None:
    validate_response("DELETE", f"{ORG}/dashboards/7/", 204, None)
    with pytest.raises(OpenAPIValidationError, match="documents no body"):
        validate_response("DELETE", f"{ORG}/dashboards/7/", 204, {"deleted": True})


@pytest.mark.parametrize(
    "body",
    [
        {"detail": "The requested resource does not exist"},
        {"detail": "Internal Error", "errorId": "abc"},
        {"message": "This API no longer exists."},
        {"title": ["This field is required."]},
        {"widgets": [{}, {"layout": ["Missing required keys: minH"]}]},
        {"nonFieldErrors": ["Too many conditions"]},
        "Dashboard title already taken",
        ["You cannot update widgets that are not part of this dashboard."],
    ],
)
def test_sentry_error_shapes_are_accepted(body: Any) -> None:
    jsonschema.validate(body, ERROR_BODY_SCHEMA)
    validate_response("POST", f"{ORG}/dashboards/", 400, body)


@pytest.mark.parametrize("body", [None, {}, "", [], 42, [{"detail": "x"}]])
def test_non_error_shapes_are_refused(body: Any) -> None:
    with pytest.raises(OpenAPIValidationError, match="error body"):
        validate_response("POST", f"{ORG}/dashboards/", 400, body)


def test_nullable_becomes_a_type_union() -> None:
    converted = to_json_schema(
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "nullable": True},
                "b": {"enum": ["x", "y"], "type": "string", "nullable": True},
                "c": {"allOf": [{"type": "integer"}], "nullable": True},
                "d": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "example": 3},
            },
        }
    )
    props = converted["properties"]
    assert props["a"] == {"type": ["string", "null"]}
    assert props["b"]["enum"] == ["x", "y", None]
    assert props["c"] == {"anyOf": [{"allOf": [{"type": "integer"}]}, {"type": "null"}]}
    assert props["d"] == {"type": "number", "exclusiveMinimum": 0}
    validator = jsonschema.Draft202012Validator(converted)
    assert validator.is_valid({"a": None, "b": None, "c": None, "d": 1})
    assert not validator.is_valid({"d": 0})
    assert not validator.is_valid({"b": "z"})


def test_requests_accept_camel_case_for_snake_case_properties() -> None:
    body = {
        "name": "errors",
        "type": "metric_issue",
        "conditionGroup": {"logicType": "any", "conditions": []},
    }
    validate_request("POST", "/api/0/organizations/acme/projects/backend/detectors/", body)
    assert "condition_group" in request_schema("POST", f"{ORG}/projects/p/detectors/")["properties"]


def test_a_wrong_request_is_refused() -> None:
    with pytest.raises(OpenAPIValidationError, match="too long"):
        validate_request(
            "POST",
            "/api/0/organizations/acme/projects/backend/detectors/",
            {"name": "x" * 201, "type": "metric_issue"},
        )
    with pytest.raises(OpenAPIValidationError, match="logic_type"):
        validate_request(
            "POST",
            "/api/0/organizations/acme/workflows/",
            {"name": "w", "triggers": {"conditions": []}},
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1,}', {"a": 1}),  # trailing comma
        ('[\n  {"a": 1},\n],', [{"a": 1}]),  # trailing commas, outer too
        ('{\n  type: "gt",\n  comparison: 5\n}', {"type": "gt", "comparison": 5}),  # bare keys
        ('{\n  "a": ["x"]\n  "b": 2\n}', {"a": ["x"], "b": 2}),  # a missing comma at a break
        ('"logicType": "any",\n"actions": []', {"logicType": "any", "actions": []}),  # members
        ('{"a": 1},\n{"b": 2}', [{"a": 1}, {"b": 2}]),  # a run of objects
        ('{\n  "window": 7200, // seconds\n  "count": 1\n}', {"window": 7200, "count": 1}),
        ('"user:123456"', "user:123456"),
    ],
)
def test_loose_json_repairs_only_what_people_leave_out(text: str, expected: Any) -> None:
    assert loose_json(text) == expected


@pytest.mark.parametrize("text", ['{"targetIdentifier":",\n "b": 1}', '{"data":{...}}', "{"])
def test_loose_json_refuses_what_is_not_json(text: str) -> None:
    with pytest.raises(ValueError, match="not JSON"):
        loose_json(text)


def test_request_examples_come_from_the_property_descriptions() -> None:
    found = request_examples("POST", f"{ORG}/projects/backend/detectors/")
    titles = [(e.field, e.title) for e in found]
    assert ("config", "Threshold") in titles
    (threshold,) = [e for e in found if (e.field, e.title) == ("config", "Threshold")]
    assert threshold.value() == {"detectionType": "static"}
    workflow = request_examples("POST", f"{ORG}/workflows/")
    (slack,) = [e for e in workflow if e.title == "Notify on Slack"]
    assert slack.section == "Actions"
    assert slack.value()["type"] == "slack"
    triggers = [e for e in workflow if e.field == "triggers"]
    assert triggers[0].value()["logicType"] == "any-short"  # unwrapped from "triggers": {...}
    with pytest.raises(UnknownOperation, match="no JSON request body"):
        request_examples("GET", f"{ORG}/workflows/")
