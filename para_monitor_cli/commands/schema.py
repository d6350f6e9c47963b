"""``para-monitor schema``: the JSON Schema of alert_rules.yaml, for editors and CI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SchemaResult:
    text: str  # the schema as indented JSON, ending with a newline


def schema() -> SchemaResult:
    from para_monitor_cli.spec.schema import json_schema_text

    return SchemaResult(text=json_schema_text())
