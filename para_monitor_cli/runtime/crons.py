"""``monitor_job``: check-ins for the backend's scheduled jobs, configured by alert_rules.yaml.

::

    from para_monitor_cli.runtime import monitor_job

    @monitor_job("weekly-review")
    async def generate_weekly_reviews() -> None: ...

    def cleanup() -> None:
        with monitor_job("data-cleanup"):
            ...

A run sends an ``in_progress`` check-in when it starts and ``ok`` or ``error`` (with the
duration) when it ends, through sentry-sdk's ``capture_checkin`` (the SDK puts each in an
envelope item of type ``check_in``). Each check-in carries the job's ``monitor_config`` built from
its ``crons:`` entry, so Sentry creates or updates the monitor with exactly the schedule, margin,
runtime, time zone and thresholds ``apply`` would give it: the file is the one source of truth.

Which file: the ``rules`` argument, else the ``PARA_MONITOR_CONFIG`` environment variable, else
``alert_rules.yaml`` in the working directory (the CLI's ``--config`` default). The job is found by
its cron monitor's slug or name; its check-ins use the slug.

Monitoring never breaks the job:

* no SDK client (no DSN, ``init_sentry`` not called): nothing is read, built or sent, and
  sentry-sdk is not even imported;
* file missing or unreadable, job not in it, its entry invalid: one warning in the
  ``para_monitor`` logger, and check-ins go out without ``monitor_config`` (Sentry then needs the
  monitor to exist already, e.g. from ``apply-alerts``);
* the SDK raising while sending: logged, swallowed;
* the job raising: an ``error`` check-in, then the job's own exception propagates unchanged.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, cast, overload

logger = logging.getLogger("para_monitor")

CONFIG_ENV = "PARA_MONITOR_CONFIG"
DEFAULT_RULES = "alert_rules.yaml"

P = ParamSpec("P")
R = TypeVar("R")


class JobConfig:
    """What a job's check-ins carry: the monitor slug and the SDK's ``monitor_config`` (None
    when the file could not supply one)."""

    __slots__ = ("config", "slug")

    def __init__(self, slug: str, config: dict[str, Any] | None) -> None:
        self.slug = slug
        self.config = config


_cache: dict[tuple[str, str], tuple[int, JobConfig]] = {}
_warned: set[tuple[str, str, str]] = set()
_lock = threading.Lock()


def rules_path(rules: str | os.PathLike[str] | None = None) -> Path:
    """The alert_rules.yaml ``monitor_job`` reads: ``rules``, else $PARA_MONITOR_CONFIG, else
    ``alert_rules.yaml`` in the working directory."""
    if rules is not None:
        return Path(rules)
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_RULES)


def job_config(job: str, rules: str | os.PathLike[str] | None = None) -> JobConfig:
    """The slug and ``monitor_config`` of ``job`` (a cron monitor's slug or name).

    Never raises: a problem is logged once per file, job and kind of problem, and the job's
    check-ins then go out under ``job`` itself, without a config.
    """
    path = rules_path(rules)
    key = (str(path), job)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        _warn_once(path, job, "missing", f"cannot read {path} ({type(exc).__name__})")
        return JobConfig(job, None)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    found = _read(path, job)
    with _lock:
        _cache[key] = (mtime, found)
    return found


def _read(path: Path, job: str) -> JobConfig:
    try:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        _warn_once(path, job, "unreadable", f"cannot read {path} ({type(exc).__name__})")
        return JobConfig(job, None)
    crons = data.get("crons") if isinstance(data, dict) else None
    entries = [e for e in crons if isinstance(e, dict)] if isinstance(crons, list) else []
    from pydantic import ValidationError

    from para_monitor_cli.spec.model import CronMonitor, slugify

    def slug_of(entry: dict[str, Any]) -> object:
        name = entry.get("name")
        return entry.get("slug") or (slugify(name) if isinstance(name, str) else None)

    entry = next((e for e in entries if slug_of(e) == job), None) or next(
        (e for e in entries if e.get("name") == job), None
    )
    if entry is None:
        _warn_once(path, job, "absent", f"{path} has no cron monitor {job!r} under crons:")
        return JobConfig(job, None)
    try:
        cron = CronMonitor.model_validate(entry)
    except ValidationError as exc:
        fields = ", ".join(sorted({".".join(map(str, e["loc"])) or "entry" for e in exc.errors()}))
        _warn_once(path, job, "invalid", f"cron monitor {job!r} in {path} is invalid ({fields})")
        return JobConfig(job, None)
    return JobConfig(cron.monitor_slug, cron.monitor_config())


def _warn_once(path: Path, job: str, kind: str, message: str) -> None:
    with _lock:
        if (str(path), job, kind) in _warned:
            return
        _warned.add((str(path), job, kind))
    logger.warning(
        "para-monitor: %s; job %r checks in without its schedule (validate the file with "
        "`para-monitor validate`)",
        message,
        job,
    )


def _client_active() -> bool:
    """Whether an SDK client is set up. sentry-sdk never imported means none was."""
    if "sentry_sdk" not in sys.modules:
        return False
    try:
        import sentry_sdk

        return sentry_sdk.get_client().is_active()
    except Exception:  # monitoring never breaks the job
        logger.warning("para-monitor: cannot read the Sentry client", exc_info=True)
        return False


def _send(
    job: JobConfig, status: str, check_in_id: str | None, duration: float | None
) -> str | None:
    try:
        from sentry_sdk.crons import capture_checkin

        return capture_checkin(
            monitor_slug=job.slug,
            check_in_id=check_in_id,
            status=status,
            duration=duration,
            monitor_config=cast(Any, job.config),
        )
    except Exception:  # monitoring never breaks the job
        logger.warning(
            "para-monitor: sending the %s check-in of %r failed", status, job.slug, exc_info=True
        )
        return None


class _Run:
    """One run of a job: the check-in id and when it started (None when nothing is sent)."""

    __slots__ = ("check_in_id", "job", "started")

    def __init__(self, job: JobConfig | None, check_in_id: str | None, started: float) -> None:
        self.job = job
        self.check_in_id = check_in_id
        self.started = started


class monitor_job:  # used like a function, as sentry_sdk.monitor is
    """Check-ins for one job; a decorator (sync or async functions) and a context manager
    (``with`` and ``async with``). See the module docstring."""

    def __init__(self, job: str, *, rules: str | os.PathLike[str] | None = None) -> None:
        self.job = job
        self.rules = rules
        # runs entered with `with`, per thread and per asyncio task (each has its own context)
        self._runs: ContextVar[tuple[_Run, ...]] = ContextVar(f"monitor_job:{job}", default=())

    # -- one run ---------------------------------------------------------------------------

    def start(self) -> _Run:
        """Send ``in_progress`` (when a client is active) and return the run."""
        if not _client_active():
            return _Run(None, None, 0.0)
        try:
            job = job_config(self.job, self.rules)
        except Exception:  # monitoring never breaks the job
            logger.warning("para-monitor: reading the config of %r failed", self.job, exc_info=True)
            job = JobConfig(self.job, None)
        started = time.monotonic()
        return _Run(job, _send(job, "in_progress", None, None), started)

    def finish(self, run: _Run, failed: bool) -> None:
        """Send ``ok`` or ``error`` with the run's duration (seconds, as the SDK sends it)."""
        if run.job is None:
            return
        duration = time.monotonic() - run.started
        _send(run.job, "error" if failed else "ok", run.check_in_id, duration)

    # -- context manager -------------------------------------------------------------------

    def __enter__(self) -> None:
        self._runs.set((*self._runs.get(), self.start()))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        *outer, run = self._runs.get()
        self._runs.set(tuple(outer))
        self.finish(run, failed=exc_type is not None)

    async def __aenter__(self) -> None:
        self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    # -- decorator -------------------------------------------------------------------------

    @overload
    def __call__(self, fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]: ...

    @overload
    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]: ...

    def __call__(self, fn: Callable[P, Any]) -> Callable[P, Any]:
        import inspect  # at decoration time: importing the runtime stays cheap

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                run = self.start()
                try:
                    result = await fn(*args, **kwargs)
                except BaseException:
                    self.finish(run, failed=True)
                    raise
                self.finish(run, failed=False)
                return result

            return run_async

        @functools.wraps(fn)
        def run_sync(*args: P.args, **kwargs: P.kwargs) -> Any:
            run = self.start()
            try:
                result = fn(*args, **kwargs)
            except BaseException:
                self.finish(run, failed=True)
                raise
            self.finish(run, failed=False)
            return result

        return run_sync


__all__ = ["CONFIG_ENV", "DEFAULT_RULES", "JobConfig", "job_config", "monitor_job", "rules_path"]
