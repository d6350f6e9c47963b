"""The Monitoring Checklist as named checks: results, dependencies, a concurrent runner.

from para_monitor_cli.checks import CHECKS, CheckContext, run_checks, select
report = run_checks(select(CHECKS, only=["dsn"]), CheckContext(settings))
"""

from para_monitor_cli.checks.base import (
    STATUSES,
    Cause,
    Check,
    CheckResult,
    Outcome,
    Report,
    Status,
    could_not_check,
    failed,
    passed,
    result_schema,
    run_checks,
    run_one,
    select,
    skipped,
    warning,
)
from para_monitor_cli.checks.context import CheckContext, CheckOptions
from para_monitor_cli.checks.registry import CHECKS, NAMES

__all__ = [
    "CHECKS",
    "NAMES",
    "STATUSES",
    "Cause",
    "Check",
    "CheckContext",
    "CheckOptions",
    "CheckResult",
    "Outcome",
    "Report",
    "Status",
    "could_not_check",
    "failed",
    "passed",
    "result_schema",
    "run_checks",
    "run_one",
    "select",
    "skipped",
    "warning",
]
