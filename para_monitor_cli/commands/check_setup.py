"""``para-monitor check-setup``: the seed's Monitoring Checklist as a CI gate."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from para_monitor_cli.errors import UsageError
from para_monitor_cli.settings import Settings
from para_monitor_cli.waits import seconds_option

if TYPE_CHECKING:
    from para_monitor_cli.api.client import SentryClient
    from para_monitor_cli.checks import Check, CheckResult, Report


@dataclass(frozen=True)
class CheckSetupOptions:
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    offline: bool = False
    samples: tuple[Path, ...] = ()
    hook: str | None = None
    arrival_timeout: float = 60.0


def check_setup(
    settings: Settings,
    options: CheckSetupOptions | None = None,
    *,
    client: SentryClient | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> Report:
    """Select the checks, run them (concurrently where independent) and return the report.

    Raises :class:`~para_monitor_cli.errors.UsageError` for an unknown check name, or when a
    check that needs Sentry is selected without a token, org or project (``--offline`` runs
    only the local checks).
    """
    from para_monitor_cli.checks import CheckContext, CheckOptions, run_checks

    options = options or CheckSetupOptions()
    check_options(options)
    chosen = _select(options)
    warnings: list[str] = []

    def make_client() -> SentryClient:
        from para_monitor_cli.api.client import client_from_settings

        return client_from_settings(settings, on_warning=on_warning or warnings.append)

    ctx = CheckContext(
        settings,
        CheckOptions(
            offline=options.offline,
            samples=options.samples,
            hook=options.hook,
            arrival_timeout=options.arrival_timeout,
        ),
        client=client,
        client_factory=make_client,
    )
    if not options.offline and any(c.network != "none" for c in chosen):
        ctx.require_online()
        # The legacy_alerts check reports deprecated endpoints itself; keep the api logger's
        # per-endpoint deprecation warnings off stderr (they reach ``on_warning`` instead).
        _quiet_api_logger()
    preload_check_modules()
    try:
        return run_checks(chosen, ctx, on_result=on_result)
    finally:
        ctx.close()


# What the checks import inside their bodies. Imported here, on the calling thread, before the
# checks run on a thread pool: two threads importing a package and its submodule at once can
# make importlib raise _DeadlockError (seen: environment_release importing the runtime while
# the dsn check imported runtime.sentry).
CHECK_MODULES = (
    "para_monitor_cli.runtime",
    "para_monitor_cli.runtime.sentry",
    "para_monitor_cli.runtime.hooks",
    "para_monitor_cli.runtime.scrubbing",
    "para_monitor_cli.spec",
    "para_monitor_cli.scrub",
    "para_monitor_cli.scrub.checker",
    "para_monitor_cli.probe",
    "para_monitor_cli.reconcile.plan",
    "para_monitor_cli.reconcile.state",
    "para_monitor_cli.api.client",
)


def preload_check_modules() -> None:
    for name in CHECK_MODULES:
        importlib.import_module(name)


def _quiet_api_logger() -> None:
    logger = logging.getLogger("para_monitor_cli.api")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


def check_options(options: CheckSetupOptions) -> None:
    """Usage errors in the options themselves, before anything runs."""
    # nan (a deadline that never passes), inf and negatives are usage errors
    seconds_option(options.arrival_timeout, "--wait", allow_zero=True)


def check_junit_path(path: Path) -> None:
    """Refuse a --junit path that cannot be written, before the checks run (so a run's
    results are never lost to a typo)."""
    import os

    if path.is_dir():
        raise UsageError(f"--junit {path} is a directory: give a file name")
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"--junit {path}: the directory {parent} does not exist")
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        raise UsageError(f"--junit {path}: {target} is not writable")


def _select(options: CheckSetupOptions) -> list[Check]:
    from para_monitor_cli.checks import CHECKS, select

    chosen = select(CHECKS, options.only, options.skip)
    if not chosen:
        raise UsageError(
            "--only and --skip leave no check to run",
            hint="the checks are: " + ", ".join(c.name for c in CHECKS),
        )
    return chosen


def check_names(options: CheckSetupOptions | None = None) -> Sequence[str]:
    """The names of the checks ``options`` selects (all of them by default), in order."""
    options = options or CheckSetupOptions()
    return [c.name for c in _select(options)]
