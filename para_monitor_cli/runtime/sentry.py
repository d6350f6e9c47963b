"""init_sentry and the capture helpers, with the call shapes of the seed's sentry_config.py.

Without a DSN the runtime does nothing at all: importing it imports neither sentry-sdk nor
the scrubbing engine (both are imported by the functions that use them), and
:func:`init_sentry` returns after reading the DSN (``benchmarks/overhead.py`` measures both).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from para_monitor_cli.runtime.hooks import OWN_LOGGERS, BreadcrumbHook, EventHook, Hooks

if TYPE_CHECKING:
    from sentry_sdk.integrations import Integration
    from sentry_sdk.utils import Dsn

logger = logging.getLogger("para_monitor")

RELEASE_PREFIX = "para-autopilot@"
DEFAULT_ENVIRONMENT = "development"

# The seed documents these rates: every transaction traced in production, 10% elsewhere,
# and 10% of traced transactions profiled.
TRACES_SAMPLE_RATES: Mapping[str, float] = {"production": 1.0, "development": 0.1}
DEFAULT_TRACES_SAMPLE_RATE = 0.1
PROFILES_SAMPLE_RATE = 0.1
# keep emails and IP addresses in free text (see sdk_options)
ALLOW_PII_IN_TEXT_ENV = "PARA_MONITOR_ALLOW_PII_IN_TEXT"


def release_for(version: str | None) -> str | None:
    """The release name the runtime sends: ``para-autopilot@<VERSION>``."""
    return f"{RELEASE_PREFIX}{version}" if version else None


def traces_sample_rate_for(environment: str) -> float:
    return TRACES_SAMPLE_RATES.get(environment, DEFAULT_TRACES_SAMPLE_RATE)


def validate_dsn(dsn: str, source: str | None = None) -> Dsn:
    """Parse a DSN, or raise :class:`InvalidDsnError` naming the problem (never the DSN).

    ``source`` is where the caller got it, as :mod:`para_monitor_cli.settings` records it
    (``"flag --dsn"``, ``"env SENTRY_DSN"``, ``".env (path)"``): the message names it.
    """
    from sentry_sdk.utils import Dsn

    from para_monitor_cli.errors import InvalidDsnError

    try:
        return Dsn(dsn)
    except ValueError as exc:  # BadDsn, and urlsplit's own ValueError (bad IPv6, bad port)
        reason = str(exc).split(" '", 1)[0].split(" %", 1)[0].split(" (", 1)[0]
        raise InvalidDsnError(
            f"{_dsn_name(source)} is not a valid Sentry DSN ({reason or type(exc).__name__})",
            hint="it looks like https://<public key>@o<org>.ingest.sentry.io/<project id>",
        ) from None


def _dsn_name(source: str | None) -> str:
    """How to name a DSN in a message, from its settings source."""
    if source is None:
        return "the DSN"
    from para_monitor_cli.settings import setting_label

    return setting_label("dsn", source)


def sdk_options(
    dsn: str | None = None,
    *,
    environment: str | None = None,
    version: str | None = None,
    release: str | None = None,
    traces_sample_rate: float | None = None,
    profiles_sample_rate: float | None = None,
    before_send: EventHook | None = None,
    before_send_transaction: EventHook | None = None,
    before_breadcrumb: BreadcrumbHook | None = None,
    sensitive_fields: Sequence[str] = (),
    safe_fields: Sequence[str] = (),
    allow_pii_in_text: bool | None = None,
    integrations: Sequence[Integration] = (),
    environ: Mapping[str, str] | None = None,
    scrubbing_engine: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """The keyword arguments :func:`init_sentry` passes to ``sentry_sdk.init``.

    Kept separate so ``test-event`` and ``check-setup`` can see exactly the set-up the backend
    runs, without initialising anything. ``scrubbing_engine=False`` leaves the engine out, so
    that only the given hooks scrub (``test-event --hook-only``).

    ``allow_pii_in_text`` keeps emails and IP addresses found in free text (log messages,
    breadcrumbs, span descriptions, exception values, query strings), which the engine removes
    by default; not given, it is read from ``PARA_MONITOR_ALLOW_PII_IN_TEXT`` (1, true, yes),
    else follows ``send_default_pii`` when that is passed through.
    """
    from sentry_sdk.integrations.logging import ignore_logger, ignore_logger_for_sentry_logs

    environ = os.environ if environ is None else environ
    for name in OWN_LOGGERS:  # process-wide and idempotent: the integration is global too
        ignore_logger(name)
        ignore_logger_for_sentry_logs(name)
    dsn = _dsn(dsn, environ)
    if dsn:
        validate_dsn(dsn)
    env = environment or environ.get("ENVIRONMENT") or DEFAULT_ENVIRONMENT
    if release is None:
        release = release_for(version or environ.get("VERSION"))
    from para_monitor_cli.runtime.scrubbing import engine_hooks, register_bounding

    if allow_pii_in_text is None:
        flag = environ.get(ALLOW_PII_IN_TEXT_ENV, "").strip().lower()
        allow_pii_in_text = flag in ("1", "true", "yes") or bool(extra.get("send_default_pii"))
    engine_event, engine_breadcrumb = (
        engine_hooks(sensitive_fields, safe_fields, allow_pii_in_text=allow_pii_in_text)
        if scrubbing_engine
        else (None, None)
    )
    if engine_event is not None:
        register_bounding()  # process-wide and idempotent, like ignore_logger above
    hooks = Hooks(
        engine_event=engine_event,
        engine_breadcrumb=engine_breadcrumb,
        user_before_send=before_send,
        user_before_send_transaction=before_send_transaction,
        user_before_breadcrumb=before_breadcrumb,
    )
    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": env,
        "release": release,
        "traces_sample_rate": (
            traces_sample_rate if traces_sample_rate is not None else traces_sample_rate_for(env)
        ),
        # The seed's profiles_sample_rate=0.1. sentry-sdk 2.75 deprecates transaction-based
        # profiling; its replacement profiles 10% of sessions while a sampled trace runs.
        "profile_session_sample_rate": (
            profiles_sample_rate if profiles_sample_rate is not None else PROFILES_SAMPLE_RATE
        ),
        "profile_lifecycle": "trace",
        # The seed's send_default_pii=False. sentry-sdk 2.75 deprecates that option (it warns
        # whenever it is given, even as False) and treats "not given" as exactly False.
        "integrations": [*default_integrations(), *integrations],
        **hooks.sdk_options(),
    }
    options.update(extra)
    return options


def default_integrations() -> list[Integration]:
    """Logging (INFO as breadcrumbs, ERROR as events), plus FastAPI/Starlette when installed."""
    from sentry_sdk.integrations.logging import LoggingIntegration

    integrations: list[Integration] = [
        LoggingIntegration(level=logging.INFO, event_level=logging.ERROR)
    ]
    try:
        import fastapi  # noqa: F401
    except ImportError:
        return integrations
    from sentry_sdk.integrations.fastapi import FastApiIntegration
    from sentry_sdk.integrations.starlette import StarletteIntegration

    integrations += [StarletteIntegration(), FastApiIntegration()]
    return integrations


def init_sentry(dsn: str | None = None, **kwargs: Any) -> bool:
    """Initialise sentry-sdk as the seed documents. Returns whether the SDK is enabled.

    No DSN (argument or SENTRY_DSN): the SDK stays disabled, one warning is logged, the app
    keeps running. An invalid DSN raises :class:`InvalidDsnError` at start-up.
    """
    if not _dsn(dsn, kwargs.get("environ")):  # nothing else is read, built or imported
        logger.warning("para-monitor: SENTRY_DSN is not set; Sentry is disabled")
        return False
    import sentry_sdk

    sentry_sdk.init(**sdk_options(dsn, **kwargs))
    return True


def _dsn(dsn: str | None, environ: Mapping[str, str] | None) -> str | None:
    """The DSN :func:`sdk_options` uses: the argument, else SENTRY_DSN (an empty one is none)."""
    if dsn is not None:
        return dsn or None
    return (os.environ if environ is None else environ).get("SENTRY_DSN") or None


def _sdk_loaded() -> bool:
    """Whether sentry-sdk was ever imported. If not, no client was ever set up (by
    :func:`init_sentry` or by the application): the capture helpers have nothing to send to,
    and return at once rather than import it."""
    return "sentry_sdk" in sys.modules


def capture_exception(
    exc: BaseException | None = None, context: Mapping[str, Any] | None = None
) -> str | None:
    """Send an exception; ``context`` is attached to that event only. Returns the event id
    (None when Sentry is off)."""
    if not _sdk_loaded():
        return None
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        if context:
            scope.set_context("context", dict(context))
        return sentry_sdk.capture_exception(exc)


def capture_message(
    message: str, level: str = "info", context: Mapping[str, Any] | None = None
) -> str | None:
    """Send a message at ``level``; ``context`` is attached to that event only."""
    if not _sdk_loaded():
        return None
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        if context:
            scope.set_context("context", dict(context))
        return sentry_sdk.capture_message(message, level=level)  # type: ignore[arg-type]


def set_user_context(
    user_id: str, email: str | None = None, *, allow_pii: bool | None = None
) -> None:
    """Set the user for the current request: the id always, the email only when PII is allowed
    (``allow_pii=True``, or the SDK's ``send_default_pii`` when ``allow_pii`` is not given)."""
    if not _sdk_loaded():
        return
    import sentry_sdk
    from sentry_sdk.scope import should_send_default_pii

    if allow_pii is None:
        allow_pii = should_send_default_pii()
    user: dict[str, Any] = {"id": str(user_id)}
    if email and allow_pii:
        user["email"] = email
    sentry_sdk.set_user(user)
