"""What the backend imports. The backend's monitoring/sentry_config.py can be::

from para_monitor_cli.runtime import (
    capture_exception, capture_message, filter_sensitive_data, init_sentry, monitor_job,
    set_user_context,
)
"""

from para_monitor_cli.runtime.crons import monitor_job
from para_monitor_cli.runtime.fastapi import add_sentry_test_route
from para_monitor_cli.runtime.scrubbing import filter_sensitive_data
from para_monitor_cli.runtime.sentry import (
    capture_exception,
    capture_message,
    init_sentry,
    release_for,
    sdk_options,
    set_user_context,
)

__all__ = [
    "add_sentry_test_route",
    "capture_exception",
    "capture_message",
    "filter_sensitive_data",
    "init_sentry",
    "monitor_job",
    "release_for",
    "sdk_options",
    "set_user_context",
]
