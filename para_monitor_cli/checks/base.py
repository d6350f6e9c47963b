"""The check framework: named checks, their results, dependencies and the concurrent runner.

A :class:`Check` is a name, the checklist item it answers, the names of the checks it needs,
how much it relies on the network, and a function ``(CheckContext) -> Outcome``. The runner
(:func:`run_checks`) runs every selected check once, each as soon as the checks it needs have
finished, independent ones concurrently on a thread pool no wider than the API client's
concurrency limit. A check whose prerequisite failed (or was skipped) is skipped with that
reason; errors raised by a check become a result naming the problem, so one broken check
never hides the others.

Statuses: ``passed``, ``failed`` (a finding: the set-up is wrong), ``warning`` (reported, does
not fail the run), ``skipped`` (with the reason) and ``not_run``: the check could not run
because Sentry could not answer it (no connection, the token refused, 5xx or 429 past the
retry budget), the server is not Sentry, or the organization or project does not exist; an
operational outcome, never a pass and not a finding. Exit codes (:meth:`Report.exit_code`):
4 a check crashed (a bug), else 1 a check failed, else 3 a check could not run, else 0.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from para_monitor_cli.errors import (
    EXIT_BUG,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_OPERATIONAL,
    AuthError,
    NotSentryError,
    ParaMonitorError,
    PreflightError,
    RateLimitedError,
    ServerError,
    SpecError,
    TargetNotFoundError,
    UnreachableError,
    UsageError,
)
from para_monitor_cli.redaction import redact

if TYPE_CHECKING:
    from para_monitor_cli.checks.context import CheckContext

Status = Literal["passed", "failed", "warning", "skipped", "not_run"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "warning", "skipped", "not_run")
# How a check uses the network: "none" (local only), "optional" (does its local part with
# --offline, the rest online), "required" (skipped with --offline).
Network = Literal["none", "optional", "required"]


@dataclass(frozen=True)
class Outcome:
    """What a check function returns: a status, one line of evidence or reason, details."""

    status: Status
    summary: str
    details: tuple[str, ...] = ()


def passed(summary: str, *details: str) -> Outcome:
    return Outcome("passed", summary, details)


def failed(summary: str, *details: str) -> Outcome:
    return Outcome("failed", summary, details)


def warning(summary: str, *details: str) -> Outcome:
    return Outcome("warning", summary, details)


def skipped(summary: str, *details: str) -> Outcome:
    return Outcome("skipped", summary, details)


def could_not_check(summary: str, *details: str) -> Outcome:
    """The check could not run: Sentry could not answer (an operational outcome, exit 3),
    e.g. ``could_not_check("not run: Sentry answered 500")``."""
    return Outcome("not_run", summary, details)


# Why a check could not run (CheckResult.cause): no connection, the token refused, Sentry
# failing (5xx past the retry budget), rate limited (429 past it), the organization or
# project does not exist, the server is not Sentry.
Cause = Literal["unreachable", "token", "server", "rate_limited", "not_found", "not_sentry"]


@dataclass(frozen=True)
class Check:
    """One item of the checklist."""

    name: str
    title: str  # the checklist line, e.g. "Sentry DSN added to environment variables"
    run: Callable[[CheckContext], Outcome]
    needs: tuple[str, ...] = ()
    network: Network = "required"
    description: str = ""


@dataclass(frozen=True)
class CheckResult:
    """The result of one check, as rendered in text, JSON and JUnit."""

    name: str
    title: str
    status: Status
    summary: str
    details: tuple[str, ...] = ()
    seconds: float = 0.0
    needs: tuple[str, ...] = ()
    network: Network = "required"
    # the check could not get an answer from Sentry at all (no connection, or token refused)
    unreachable: bool = False
    # the check raised an unexpected exception (a bug in para-monitor)
    crashed: bool = False
    # why a check with status "not_run" could not run
    cause: Cause | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "summary": redact(self.summary),
            "details": [redact(d) for d in self.details],
            "seconds": round(self.seconds, 3),
            "needs": list(self.needs),
            "network": self.network,
            "unreachable": self.unreachable,
        }


@dataclass(frozen=True)
class Report:
    """Every result, in checklist order, and what the run as a whole means."""

    results: tuple[CheckResult, ...]
    seconds: float
    offline: bool = False
    requests: int | None = None  # API requests made (None when no client was used)
    target: dict[str, str | None] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for result in self.results:
            counts[result.status] += 1
        return counts

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def not_checked(self) -> list[CheckResult]:
        """Checks that could not run (status ``not_run``)."""
        return [r for r in self.results if r.status == "not_run"]

    @property
    def unreachable(self) -> bool:
        """Sentry could not be reached at all: every networked check that ran failed at the
        connection level (and at least one ran)."""
        if self.offline:
            return False
        networked = [r for r in self.results if r.network != "none" and r.status != "skipped"]
        return bool(networked) and all(r.unreachable for r in networked)

    def causes(self) -> list[Cause]:
        """Why checks could not be done, each cause once, in checklist order."""
        out: list[Cause] = []
        for result in self.not_checked:
            if result.cause is not None and result.cause not in out:
                out.append(result.cause)
        return out

    def exit_code(self) -> int:
        if any(r.crashed for r in self.results):
            return EXIT_BUG
        if self.failed:
            return EXIT_FINDINGS
        if self.not_checked:
            return EXIT_OPERATIONAL
        return EXIT_OK

    def to_json(self) -> dict[str, object]:
        return {
            "version": 1,
            "ok": not self.failed and not self.not_checked,
            "exit_code": self.exit_code(),
            "unreachable": self.unreachable,
            "offline": self.offline,
            "seconds": round(self.seconds, 3),
            "requests": self.requests,
            "target": dict(self.target),
            "summary": {**self.counts(), "total": len(self.results)},
            "checks": [r.to_json() for r in self.results],
        }


# --------------------------------------------------------------------------- selection
def select(
    checks: Sequence[Check],
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
) -> list[Check]:
    """The checks to run, in checklist order. Unknown names are a usage error."""
    only_list, skip_list = _names(only), _names(skip)
    known = {c.name for c in checks}
    unknown = [n for n in (*only_list, *skip_list) if n not in known]
    if unknown:
        raise UsageError(
            f"unknown check {', '.join(repr(n) for n in unknown)}",
            hint="the checks are: " + ", ".join(c.name for c in checks),
        )
    chosen = [c for c in checks if not only_list or c.name in only_list]
    return [c for c in chosen if c.name not in skip_list]


def _names(values: Iterable[str]) -> list[str]:
    """Names from repeated options and comma-separated lists (``--only dsn,team``)."""
    out: list[str] = []
    for value in values:
        out += [part.strip().replace("-", "_") for part in value.split(",") if part.strip()]
    return out


def check_order(checks: Sequence[Check]) -> None:
    """Raise ValueError if a check needs an unknown check or the needs form a cycle."""
    names = {c.name for c in checks}
    for check in checks:
        for need in check.needs:
            if need not in names:
                raise ValueError(f"check {check.name!r} needs unknown check {need!r}")
    state: dict[str, int] = {}
    by_name = {c.name: c for c in checks}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValueError("checks need each other in a cycle: " + " -> ".join((*chain, name)))
        state[name] = 1
        for need in by_name[name].needs:
            visit(need, (*chain, name))
        state[name] = 2

    for check in checks:
        visit(check.name, ())


# --------------------------------------------------------------------------- running
def run_one(check: Check, ctx: CheckContext) -> CheckResult:
    """Run one check, turning what it raises into a failed result."""
    started = time.monotonic()
    unreachable = crashed = False
    cause: Cause | None = None
    if ctx.offline and check.network == "required":
        outcome = skipped("needs Sentry; not run with --offline")
    else:
        try:
            outcome = check.run(ctx)
        except TargetNotFoundError as exc:  # one message naming what the token can see
            cause = "not_found"
            outcome = could_not_check(f"not run: {exc.message}", *_hint(exc))
        except NotSentryError as exc:
            unreachable, cause = True, "not_sentry"
            outcome = could_not_check(f"not run: {exc.message}", *_hint(exc))
        except UnreachableError as exc:
            unreachable, cause = True, "unreachable"
            outcome = could_not_check(f"not run: cannot reach Sentry: {exc.message}", *_hint(exc))
        except AuthError as exc:
            if exc.status in (None, 401):
                unreachable, cause = True, "token"
                outcome = could_not_check(
                    f"not run: Sentry refused the token ({exc.status or 401})",
                    exc.message,
                    *_hint(exc),
                )
            else:  # 403: the token works but lacks a scope or access: a finding
                outcome = failed(f"Sentry refused the request: {exc.message}", *_hint(exc))
        except ServerError as exc:
            cause = "server"
            status = exc.status or "5xx"
            outcome = could_not_check(
                f"not run: Sentry answered {status}", exc.message, *_hint(exc)
            )
        except RateLimitedError as exc:
            cause = "rate_limited"
            outcome = could_not_check(
                "not run: Sentry kept answering 429 (rate limited) past the retry budget",
                exc.message,
                *_hint(exc),
            )
        except (SpecError, PreflightError) as exc:
            outcome = failed(exc.message, *(str(p) for p in exc.problems), *_hint(exc))
        except ParaMonitorError as exc:
            outcome = failed(exc.message, *_hint(exc))
        except Exception as exc:
            crashed = True
            outcome = failed(
                f"unexpected error ({type(exc).__name__}): this is a bug in para-monitor"
            )
    return CheckResult(
        name=check.name,
        title=check.title,
        status=outcome.status,
        summary=redact(outcome.summary),
        details=tuple(redact(d) for d in outcome.details),
        seconds=time.monotonic() - started,
        needs=check.needs,
        network=check.network,
        unreachable=unreachable,
        crashed=crashed,
        cause=cause if outcome.status == "not_run" else None,
    )


def _hint(exc: ParaMonitorError) -> tuple[str, ...]:
    return (f"hint: {exc.hint}",) if exc.hint else ()


def _blocked(check: Check, done: dict[str, CheckResult]) -> CheckResult | None:
    """A skipped result if a prerequisite that ran did not pass (warnings do not block)."""
    for need in check.needs:
        result = done.get(need)
        if result is not None and result.status in ("failed", "skipped", "not_run"):
            verb = {"failed": "failed", "skipped": "was skipped"}.get(result.status, "did not run")
            return CheckResult(
                name=check.name,
                title=check.title,
                status="skipped",
                summary=f"needs {need}, which {verb}",
                needs=check.needs,
                network=check.network,
            )
    return None


def run_checks(
    checks: Sequence[Check],
    ctx: CheckContext,
    *,
    workers: int | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
) -> Report:
    """Run ``checks`` (already selected) and return the report in checklist order.

    A prerequisite gates a check only when it is among ``checks`` (``--only test_error`` runs
    the test error check on its own). ``on_result`` is called as each result is known (from
    the calling thread), for live output.
    """
    started = time.monotonic()
    selected = {c.name for c in checks}
    pending = list(checks)
    done: dict[str, CheckResult] = {}
    limit = ctx.concurrency() if workers is None else workers
    width = max(1, min(limit, len(checks) or 1))
    lock = threading.Lock()

    def finish(result: CheckResult) -> None:
        with lock:
            done[result.name] = result
        if on_result is not None:
            on_result(result)

    pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix="check")
    try:
        running: dict[Future[CheckResult], Check] = {}
        while pending or running:
            progressed = True
            while progressed:
                progressed = False
                for check in list(pending):
                    needs = [n for n in check.needs if n in selected]
                    if any(n not in done for n in needs):
                        continue
                    pending.remove(check)
                    progressed = True
                    blocked = _blocked(check, done)
                    if blocked is not None:
                        finish(blocked)
                    else:
                        running[pool.submit(run_one, check, ctx)] = check
            if not running:
                if pending:  # the needs form a cycle (check_order tests the registry)
                    names = ", ".join(c.name for c in pending)
                    raise ValueError(f"checks that need each other in a cycle: {names}")
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                running.pop(future)
                finish(future.result())
    except BaseException:
        # Ctrl-C: the results printed so far stand; checks still waiting stop on
        # waits.CANCEL, and a request in flight is not waited for
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    order = {c.name: i for i, c in enumerate(checks)}
    results = tuple(sorted(done.values(), key=lambda r: order[r.name]))
    return Report(
        results=results,
        seconds=time.monotonic() - started,
        offline=ctx.offline,
        requests=ctx.request_count(),
        target=ctx.target(),
    )


def result_schema() -> dict[str, object]:
    """The JSON Schema of :meth:`Report.to_json` (``checks/result.schema.json``)."""
    import json
    from importlib import resources

    text = resources.files("para_monitor_cli.checks").joinpath("result.schema.json").read_text()
    schema: dict[str, object] = json.loads(text)
    return schema
