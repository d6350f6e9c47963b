"""``test-event --check-in JOB``: one run of a job's check-ins, sent as the backend sends them,
then found through the API.

The check-ins (``in_progress``, then ``ok`` with the same id and a duration) go through a fresh
``sentry_sdk.Client`` built from the backend's own options (:func:`runtime.sdk_options`, so its
hooks see them as they would in production) with the job's ``monitor_config`` from
alert_rules.yaml (:func:`runtime.crons.job_config`, what ``monitor_job`` sends). With a token,
the check-in is then looked for in the monitor's check-ins list (Sentry's check-in id is the
one the SDK sent) until it shows ``ok`` or the wait ends.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from para_monitor_cli.errors import ApiError, DeliveryError, NotFoundError, UnreachableError
from para_monitor_cli.probe.transport import (
    ACCEPTED,
    NOT_SENT,
    TIMEOUT,
    UNREACHABLE,
    DeliveryLog,
    EnvelopeRecord,
    transport_class,
)

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient
    from para_monitor_cli.errors import ParaMonitorError

POLL_SECONDS = 0.5


@dataclass(frozen=True)
class CheckInResult:
    """What became of the job's check-ins."""

    job: str
    slug: str
    environment: str
    check_in_id: str | None
    with_config: bool
    records: tuple[EnvelopeRecord, ...]
    delivery_error: ParaMonitorError | None = None
    verified: bool = False
    found: dict[str, Any] | None = None
    seconds: float | None = None
    reason: str | None = None  # why it was not found, or not verified
    # the check-ins could not be read (organization not found, Sentry unreachable...): the
    # report is shown, then the CLI exits with this error's code, as test-event does
    operational_error: ParaMonitorError | None = None

    @property
    def delivered(self) -> bool:
        return self.delivery_error is None and self.check_in_id is not None

    def exit_code(self) -> int:
        if not self.delivered:
            return 3 if self.delivery_error is not None else 1
        if self.verified and (self.found is None or self.found.get("status") != "ok"):
            return 1
        return 0


def send_check_ins(
    dsn: str,
    job: str,
    *,
    rules: Path,
    environment: str | None,
    version: str | None,
    send_timeout: float,
) -> CheckInResult:
    """Send ``in_progress`` then ``ok`` for ``job``; wait for the receiver's answers."""
    import sentry_sdk
    from sentry_sdk.crons import capture_checkin

    from para_monitor_cli.runtime import sdk_options
    from para_monitor_cli.runtime.crons import job_config

    config = job_config(job, rules)
    log = DeliveryLog()
    options = sdk_options(
        dsn,
        environment=environment,
        version=version,
        environ={},  # the settings were resolved by the caller
        transport=transport_class(log, send_timeout),
    )
    client = sentry_sdk.Client(**options)
    check_in_id: str | None = None
    try:
        with sentry_sdk.isolation_scope() as isolation:
            scope = sentry_sdk.get_current_scope()
            isolation.clear()
            scope.clear()
            isolation.set_client(client)
            scope.set_client(client)
            started = time.monotonic()
            check_in_id = capture_checkin(
                monitor_slug=config.slug,
                status="in_progress",
                monitor_config=cast(Any, config.config),
            )
            capture_checkin(
                monitor_slug=config.slug,
                check_in_id=check_in_id,
                status="ok",
                duration=time.monotonic() - started,
                monitor_config=cast(Any, config.config),
            )
        client.flush(timeout=send_timeout * 3 + 1.0)
    finally:
        log.finish_pending()
        with log._lock:
            records = tuple(replace(r) for r in log.records)
        client.close(timeout=0)
    return CheckInResult(
        job=job,
        slug=config.slug,
        environment=str(options.get("environment")),
        check_in_id=check_in_id,
        with_config=config.config is not None,
        records=records,
        delivery_error=_delivery_error(records, _host(dsn)),
    )


def _host(dsn: str) -> str:
    rest = dsn.split("@", 1)[-1]
    return rest.split("/", 1)[0]


def _delivery_error(records: tuple[EnvelopeRecord, ...], host: str) -> ParaMonitorError | None:
    """Why a check-in envelope was not accepted (None when both were)."""
    mine = [r for r in records if "check_in" in r.item_types]
    failed = [r for r in mine if r.outcome != ACCEPTED]
    if not mine:
        return DeliveryError("the SDK sent no check-in (a before_send hook dropped it?)")
    if not failed:
        return None
    record = failed[0]
    if record.outcome in (UNREACHABLE, TIMEOUT, NOT_SENT):
        return UnreachableError(
            f"cannot deliver the check-ins to {host} ({record.reason})",
            hint="check the DSN's host and port, and that the server is running",
        )
    status = f"HTTP {record.status}" if record.status is not None else str(record.reason)
    return DeliveryError(f"the receiver at {host} did not accept the check-ins ({status})")


def confirm_check_in(
    client: SentryClient, org: str, sent: CheckInResult, timeout: float
) -> CheckInResult:
    """Look for the sent check-in in its monitor's list until it is ``ok`` or ``timeout``."""
    if not sent.delivered:
        return sent
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    latest: dict[str, Any] | None = None
    missing_monitor = False
    while True:
        try:
            listed = client.cron_check_ins(
                sent.slug, org=org, environment=sent.environment, limit=10
            )
            missing_monitor = False
        except NotFoundError:
            listed, missing_monitor = [], True
        except ApiError as exc:
            return replace(
                sent, reason=f"the check-ins could not be read: {exc}", operational_error=exc
            )
        latest = next((c for c in listed if str(c.get("id")) == sent.check_in_id), None)
        if latest is not None and latest.get("status") == "ok":
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_SECONDS)
    seconds = time.monotonic() - started
    if latest is not None:
        reason = None if latest.get("status") == "ok" else f"it shows {latest.get('status')}"
        return replace(sent, verified=True, found=latest, seconds=seconds, reason=reason)
    if missing_monitor:
        reason = f"Sentry has no cron monitor {sent.slug!r}" + (
            ""
            if sent.with_config
            else ", and the check-ins carried no schedule to create it (the job is not "
            "under crons: in alert_rules.yaml)"
        )
    else:
        reason = f"not among the monitor's check-ins after {seconds:.0f} s"
    return replace(sent, verified=True, seconds=seconds, reason=reason)


__all__ = ["CheckInResult", "confirm_check_in", "send_check_ins"]
