"""The JSON Schema of alert_rules.yaml, for editors (YAML language server) and CI.

It is generated from the pydantic model, then adjusted where the model accepts shorthands:
a monitor needs ``aggregate`` or ``condition``. Committed as ``alert_rules.schema.json``;
a test keeps the file in step with :func:`json_schema`.
"""

from __future__ import annotations

import json
from typing import Any

from para_monitor_cli.spec.model import Spec

SCHEMA_ID = "https://para-autopilot.example/para-monitor/alert_rules.schema.json"
SCHEMA_FILE = "alert_rules.schema.json"


def json_schema() -> dict[str, Any]:
    """The schema as a dict (JSON Schema draft 2020-12)."""
    schema = Spec.model_json_schema(mode="validation")
    monitor = schema["$defs"]["Monitor"]
    monitor["required"] = [r for r in monitor.get("required", []) if r != "aggregate"]
    monitor["anyOf"] = [{"required": ["aggregate"]}, {"required": ["condition"]}]
    monitor["not"] = {"required": ["aggregate", "condition"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "para-monitor alert_rules.yaml",
        "description": "Sentry monitors, alerts, dashboards, notification targets and scrubbing "
        "for one backend. Check it with `para-monitor validate`.",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def json_schema_text() -> str:
    """The schema as stable, indented JSON text (what the committed file holds)."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
