"""``para-monitor test-event``: send test events through the backend's SDK set-up, then prove
they arrived, scrubbed.

The flow itself lives in :mod:`para_monitor_cli.probe` (the checklist reuses it); this module
turns settings and flags into probe options, loads the application's own hooks given as
``module:function``, and builds the API client when a token is configured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from para_monitor_cli.errors import UsageError
from para_monitor_cli.runtime.hooks import load_hook
from para_monitor_cli.settings import Settings
from para_monitor_cli.waits import seconds_option

if TYPE_CHECKING:
    import httpx

    from para_monitor_cli.probe import ProbeResult
    from para_monitor_cli.probe.checkin import CheckInResult


@dataclass(frozen=True)
class TestEventOptions:
    """The flags of ``test-event``."""

    __test__ = False  # not a pytest test class

    transaction: bool = False
    timeout: float = 60.0
    send_timeout: float = 10.0
    compression: str = "auto"
    verify: bool = True
    hook: str | None = None
    transaction_hook: str | None = None
    breadcrumb_hook: str | None = None
    # send through the application's hooks alone, without para-monitor's scrubbing engine
    hook_only: bool = False
    sensitive_fields: tuple[str, ...] = ()
    safe_fields: tuple[str, ...] = ()


def run_test_event(
    settings: Settings,
    options: TestEventOptions,
    *,
    api_transport: httpx.BaseTransport | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> ProbeResult:
    """Send the test events and, with a token, confirm their arrival and scrubbing.

    ``api_transport`` lets tests point the REST client at an in-process server.
    """
    from para_monitor_cli.probe import ProbeOptions, run_probe
    from para_monitor_cli.runtime.sentry import validate_dsn

    dsn = settings.require("dsn")
    validate_dsn(dsn, settings.values["dsn"].source)  # the error names --dsn, SENTRY_DSN...
    # nan, inf and negatives are usage errors (a nan deadline never passes)
    seconds_option(options.timeout, "--wait")
    seconds_option(options.send_timeout, "--send-timeout")
    if options.hook_only and not (
        options.hook or options.transaction_hook or options.breadcrumb_hook
    ):
        raise UsageError(
            "--hook-only leaves only the application's hooks, and none was given",
            hint="pass --hook module:function (and --transaction-hook, --breadcrumb-hook)",
        )
    from para_monitor_cli.spec import scrubbing_fields

    sensitive, safe = scrubbing_fields(
        settings.config, options.sensitive_fields, options.safe_fields, on_warning
    )
    probe_options = ProbeOptions(
        dsn=dsn,
        environment=settings.environment,
        version=settings.version,
        sensitive_fields=sensitive,
        safe_fields=safe,
        before_send=load_hook(options.hook, "--hook") if options.hook else None,
        before_send_transaction=(
            load_hook(options.transaction_hook, "--transaction-hook")
            if options.transaction_hook
            else None
        ),
        before_breadcrumb=(
            load_hook(options.breadcrumb_hook, "--breadcrumb-hook")
            if options.breadcrumb_hook
            else None
        ),
        transaction=options.transaction,
        scrubbing_engine=not options.hook_only,
        send_timeout=options.send_timeout,
        compression=options.compression,
    )
    api = None
    if options.verify and settings.auth_token:
        from para_monitor_cli.api.client import client_from_settings

        api = client_from_settings(settings, transport=api_transport, on_warning=on_warning)
    try:
        return run_probe(
            probe_options,
            api=api,
            org=settings.org,
            project=settings.project,
            base_url=settings.url,
            timeout=options.timeout,
            report_api_errors=True,  # the per-event report first; the CLI then exits 3
            report_interrupt=True,  # likewise on Ctrl-C: the report, then exit 130
        )
    finally:
        if api is not None:
            api.http.close()


def run_check_in(
    settings: Settings,
    job: str,
    options: TestEventOptions,
    *,
    api_transport: httpx.BaseTransport | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> CheckInResult:
    """``test-event --check-in JOB``: send one run's check-ins for ``job`` (its slug or name
    under ``crons:``) through the backend's SDK set-up and, with a token, find it in Sentry."""
    from para_monitor_cli.probe.checkin import confirm_check_in, send_check_ins
    from para_monitor_cli.runtime.sentry import validate_dsn

    dsn = settings.require("dsn")
    validate_dsn(dsn, settings.values["dsn"].source)
    seconds_option(options.timeout, "--wait")
    seconds_option(options.send_timeout, "--send-timeout")
    if not job.strip():
        raise UsageError("--check-in needs a job: the slug or name of a cron monitor")
    sent = send_check_ins(
        dsn,
        job,
        rules=settings.config,
        environment=settings.environment,
        version=settings.version,
        send_timeout=options.send_timeout,
    )
    if not (options.verify and settings.auth_token and settings.org):
        reason = "no token and organization to read the check-ins with"
        return sent if not sent.delivered else _unverified(sent, reason)
    from para_monitor_cli.api.client import client_from_settings

    api = client_from_settings(settings, transport=api_transport, on_warning=on_warning)
    try:
        return confirm_check_in(api, settings.org, sent, options.timeout)
    finally:
        api.http.close()


def _unverified(sent: CheckInResult, reason: str) -> CheckInResult:
    from dataclasses import replace

    return replace(sent, reason=reason)
