"""alert_rules.yaml: the model, the loader with line numbers, Sentry's rules and the lints.

Importing this package imports pydantic: the CLI imports it inside command bodies only.

    from para_monitor_cli.spec import load_spec, check_spec
    spec = load_spec("alert_rules.yaml")          # raises errors.SpecError
    spec, problems = check_spec("alert_rules.yaml")  # problems include warnings
"""

from __future__ import annotations

from para_monitor_cli.errors import SpecError, SpecProblem
from para_monitor_cli.spec.check import check_spec, check_text, load_spec, scrubbing_fields
from para_monitor_cli.spec.model import (
    Alert,
    AlertFilter,
    Dashboard,
    EmailTarget,
    FrequencyCondition,
    Layout,
    LevelCondition,
    Monitor,
    PagerDutyTarget,
    Scrubbing,
    SlackTarget,
    Spec,
    TagCondition,
    Target,
    Widget,
)
from para_monitor_cli.spec.schema import json_schema

__all__ = [
    "Alert",
    "AlertFilter",
    "Dashboard",
    "EmailTarget",
    "FrequencyCondition",
    "Layout",
    "LevelCondition",
    "Monitor",
    "PagerDutyTarget",
    "Scrubbing",
    "SlackTarget",
    "Spec",
    "SpecError",
    "SpecProblem",
    "TagCondition",
    "Target",
    "Widget",
    "check_spec",
    "check_text",
    "json_schema",
    "load_spec",
    "scrubbing_fields",
]
