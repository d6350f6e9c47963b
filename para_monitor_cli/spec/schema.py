"""The JSON Schema of alert_rules.yaml, for editors (YAML language server) and CI.

It is generated from the pydantic model, then adjusted where the model accepts shorthands:
a monitor needs ``aggregate`` or ``condition``. Committed as ``alert_rules.schema.json``;
a test keeps the file in step with :func:`json_schema`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from para_monitor_cli.spec.model import Spec

SCHEMA_ID = "https://para-autopilot.example/para-monitor/alert_rules.schema.json"
SCHEMA_FILE = "alert_rules.schema.json"


# What an editor shows on hover for each object of the file, written for whoever edits
# alert_rules.yaml. The model's docstrings describe the mapping to Sentry's API for developers
# and stay in the code.
DESCRIPTIONS: dict[str, str] = {
    "Alert": "An alert: when to notify (`triggers`, `filters`, linked `monitors`) and whom "
    "(`actions`, naming targets), at most once per issue every `frequency`.",
    "AlertFilter": 'One filter, exactly one key per item: `level: ">= fatal"`, '
    '`events: "> 10 in 1h"`, `users: "> 100 in 1h"`, `priority: ">= high"`, '
    "`occurrences: 100` (seen at least this many times), `category: error` or "
    "`tag: {key, match, value}`.",
    "Dashboard": "A custom dashboard, identified by its title within the organization.",
    "EmailTarget": "Email to a Sentry team (by slug) or to one member (by email): exactly one "
    "of the two.",
    "Monitor": "A metric monitor. Write `condition: p95(transaction.duration) > 3s` (the "
    "aggregate, the direction and the high threshold at once), or give `aggregate`, "
    "`direction` and the thresholds yourself.",
    "PagerDutyTarget": "A service of a PagerDuty integration, both named as Sentry shows them; "
    "`severity` is the incident's priority.",
    "Scrubbing": "Extra field names for scrubbing: `sensitive_fields` are always replaced "
    "(whatever their case and separators), `safe_fields` are never scrubbed.",
    "SlackTarget": "A channel of a Slack workspace connected to Sentry: `workspace` is the "
    "integration's name in Sentry, `channel` is `#name` (or `@user`); `channel_id` (e.g. "
    "`C0123ABC`) spares Sentry a lookup by name.",
    "TagCondition": "`tag: {key: endpoint, match: eq, value: /api/tasks}`: only events whose "
    "tag matches.",
    "Widget": "A dashboard widget with one query: what it shows (`display`, `dataset`, "
    "`aggregates`, `columns`) and where (`layout`).",
}

# Internal wording a description may still carry (from a docstring or a field's description
# written for developers), turned into what a user reads.
_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")  # :class:`Spec` -> `Spec`
_INTERNAL = (
    (re.compile(r"``([^`]+)``"), r"`\1`"),  # reStructuredText literals -> Markdown
    (re.compile(r"\bspec\.project\b"), "the file's `project:`"),
    (re.compile(r" ?\((?:seconds held|issue \d+)\)"), ""),
    (re.compile(r": held in \w+"), ""),  # how a value is stored, not what to write
)


def user_description(text: str) -> str:
    """``text`` without reStructuredText roles and literals, internal references, or the
    paragraphs describing the mapping to Sentry's API (those starting with "Wire")."""
    paragraphs = [p for p in text.split("\n\n") if not p.lstrip().lower().startswith("wire")]
    text = "\n\n".join(" ".join(p.split()) for p in paragraphs)
    text = _ROLE.sub(r"`\1`", text)
    for pattern, replacement in _INTERNAL:
        text = pattern.sub(replacement, text)
    return text


def _user_descriptions(node: Any) -> None:
    """Every ``description`` in the schema, as :func:`user_description` gives it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = user_description(value)
            else:
                _user_descriptions(value)
    elif isinstance(node, list):
        for item in node:
            _user_descriptions(item)


def json_schema() -> dict[str, Any]:
    """The schema as a dict (JSON Schema draft 2020-12)."""
    schema = Spec.model_json_schema(mode="validation")
    for name, definition in schema.get("$defs", {}).items():
        if name in DESCRIPTIONS:
            definition["description"] = DESCRIPTIONS[name]
    _user_descriptions(schema)
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
