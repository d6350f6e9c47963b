"""The applier: the only code that writes monitors, alerts and dashboards to Sentry.

It runs a :class:`~para_monitor_cli.reconcile.plan.Plan` phase by phase, one phase per kind in
the registry's order (monitors, then the alerts that link them, then dashboards), then deletes
in reverse dependency order; each write goes through the change's kind (``kinds/``); within a
phase independent changes run concurrently, bounded by the client's limiter. The first failure
stops the run cleanly: changes in flight finish, nothing new starts, and
:class:`~para_monitor_cli.errors.ApplyError` says what was applied, what failed and what was
not attempted.

A create whose outcome is unknown (timeout, dropped connection, 5xx) may have happened, or may
still be happening: Sentry can commit a request after the client gave up on it. Before trying
again the applier looks for the resource (by name and by the entry key in our marker) for a
bounded time, :data:`REREAD_SECONDS`, re-reading with backoff and saying so on stderr (through
``on_notice``); a 5xx that Sentry itself answered (500, 503: its request is over) is re-read
once. Whatever still slips through (a process killed mid-request, two applies at once) is a
duplicate that the next plan deletes (``reconcile/plan.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from typing import Any

from para_monitor_cli.api.client import SentryClient
from para_monitor_cli.api.wire import Directory
from para_monitor_cli.errors import (
    ApiError,
    ApplyError,
    ApplyInterrupted,
    ApplyProgress,
    NotFoundError,
    ServerError,
    UnreachableError,
    UsageError,
)
from para_monitor_cli.kinds import registry
from para_monitor_cli.reconcile.plan import Change, Plan
from para_monitor_cli.waits import pause

Progress = Callable[[Change, str], None]
#: On Ctrl-C, how long requests in flight may still answer so that what they did is reported.
IN_FLIGHT_GRACE = 0.5
CREATE_ATTEMPTS = 3
#: How long a create whose answer was lost is looked for before it is made again (seconds).
REREAD_SECONDS = 10.0
#: The first pause between re-reads; it doubles up to REREAD_MAX_PAUSE.
REREAD_FIRST_PAUSE = 0.25
REREAD_MAX_PAUSE = 2.0
# Answers from a proxy in front of Sentry (bad gateway, gateway timeout): the request may still
# be running behind it, as after a timeout or a dropped connection.
_STILL_RUNNING = frozenset({502, 504})


@dataclass
class ApplyResult:
    applied: list[Change] = field(default_factory=list)
    progress: ApplyProgress = field(default_factory=ApplyProgress)


def _phase(change: Change) -> int:
    """Writes kind by kind in the registry's order (dependencies first), then deletes kind by
    kind in its delete order (dependents first)."""
    kinds = registry()
    if change.action == "delete":
        return len(kinds) + kinds.delete_rank(change.kind)
    return kinds.write_rank(change.kind)


class Applier:
    def __init__(
        self,
        client: SentryClient,
        org: str,
        directory: Directory,
        *,
        on_progress: Progress | None = None,
        on_notice: Callable[[str], None] | None = None,
        reread_seconds: float | None = None,
        sleep: Callable[[float], None] = pause,
    ) -> None:
        self.client = client
        self.org = org
        self.directory = directory
        self.on_progress = on_progress
        self.on_notice = on_notice
        self.reread_seconds = REREAD_SECONDS if reread_seconds is None else reread_seconds
        self.sleep = sleep
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- run
    def apply(self, plan: Plan) -> ApplyResult:
        pending = list(plan.pending)
        result = ApplyResult()
        phases: dict[int, list[Change]] = {}
        for change in pending:
            phases.setdefault(_phase(change), []).append(change)
        failure: BaseException | None = None
        done: set[int] = set()
        try:
            for phase in sorted(phases):
                changes = phases[phase]
                errors = self._run_phase(changes, result, done)
                if errors:
                    failure = errors[0]
                    break
        except KeyboardInterrupt:
            raise self._interrupted(pending, result, done) from None
        if failure is not None:
            result.progress.not_attempted = [c.label for c in pending if id(c) not in done]
            applied = len(result.progress.applied)
            message = (
                f"apply stopped after {applied} of {len(pending)} changes: "
                f"{getattr(failure, 'message', None) or type(failure).__name__}"
            )
            raise ApplyError(
                message,
                result.progress,
                hint="fix the cause and run apply-alerts again: it continues where it stopped",
            ) from failure
        return result

    def _interrupted(
        self, pending: Sequence[Change], result: ApplyResult, done: set[int]
    ) -> ApplyInterrupted:
        """Ctrl-C: what was applied, what was in flight (unknown), what was not attempted."""
        with self._lock:
            progress = result.progress
            finished = set(progress.applied) | set(progress.failed)
            progress.in_flight = [
                c.label for c in pending if id(c) in done and c.label not in finished
            ]
            progress.not_attempted = [c.label for c in pending if id(c) not in done]
            applied = len(progress.applied)
        return ApplyInterrupted(
            f"interrupted after {applied} of {len(pending)} changes",
            progress,
            hint="run plan to see where things stand; apply-alerts continues from there",
        )

    def _run_phase(
        self, changes: Sequence[Change], result: ApplyResult, done: set[int]
    ) -> list[BaseException]:
        stop = threading.Event()
        errors: list[BaseException] = []

        def run(change: Change) -> None:
            if stop.is_set():
                return
            with self._lock:
                done.add(id(change))
            self._notify(change, "start")
            try:
                self._apply_one(change)
            except (ApiError, UsageError) as exc:
                stop.set()
                with self._lock:
                    errors.append(exc)
                    result.progress.failed.append(change.label)
                self._notify(change, "failed")
                return
            with self._lock:
                result.applied.append(change)
                result.progress.applied.append(change.label)
            self._notify(change, "done")

        workers = max(1, min(len(changes), self.client.limiter.limit))
        if workers == 1:
            for change in changes:
                run(change)
        else:
            pool = ThreadPoolExecutor(max_workers=workers)
            futures = [pool.submit(run, c) for c in changes]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                # Ctrl-C: start nothing new, give requests in flight a moment to answer (what
                # they create is reported), then go without waiting for the rest
                stop.set()
                wait_futures(futures, timeout=IN_FLIGHT_GRACE)
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown(wait=True)
        return errors

    def _notify(self, change: Change, status: str) -> None:
        if self.on_progress is not None:
            self.on_progress(change, status)

    # ---------------------------------------------------------------- one change
    def _apply_one(self, change: Change) -> None:
        kind = registry().get(change.kind)
        c, org = self.client, self.org
        if change.action == "delete":
            assert change.actual is not None
            assert change.actual.id is not None
            try:
                kind.delete(c, org, change.actual.id)
            except NotFoundError:
                # already gone (another apply deleted the same duplicate): what we wanted
                self._say(f"{change.label}: already deleted")
            return
        desired = change.desired
        assert desired is not None
        assert desired.body is not None
        body = dict(desired.body)
        with self._lock:  # the directory grows as monitors are written
            kind.complete_body(body, desired, self.directory)
        if change.action == "update":
            assert change.actual is not None
            assert change.actual.id is not None
            saved = kind.update(c, org, change.actual.id, body)
        else:
            saved = self._create(change, body)
        with self._lock:
            kind.remember(saved, self.directory)

    def _create(self, change: Change, body: dict[str, Any]) -> Any:
        """Create; after an unknown outcome, look for the resource before any retry."""
        desired = change.desired
        assert desired is not None
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                return self._post(change, body)
            except (UnreachableError, ServerError) as exc:
                found = self._await_created(change, exc)
                if found is not None:
                    return found
                if attempt == CREATE_ATTEMPTS:
                    raise exc from None
            except ApiError as exc:
                if exc.status == 409:  # dashboard title taken: it may be our earlier create
                    found = self._find(change)
                    if found is not None:
                        return found
                raise
        return None  # pragma: no cover - the loop returns or raises

    def _await_created(self, change: Change, exc: ApiError) -> Any:
        """The resource ``change`` creates, if it exists now or appears within the re-read
        window (when the failed create may still be running at Sentry); else None."""
        found = self._find(change)
        if found is not None:
            return found
        running = isinstance(exc, UnreachableError) or exc.status in _STILL_RUNNING
        if not running or self.reread_seconds <= 0:
            return None
        window = self.reread_seconds
        self._say(
            f"{change.label}: no answer to the create ({exc.message}); it may still be "
            f"happening at Sentry: re-reading for up to {window:g} s before creating it again"
        )
        deadline = time.monotonic() + window
        pause = REREAD_FIRST_PAUSE
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sleep(min(pause, left))
            pause = min(pause * 2, REREAD_MAX_PAUSE)
            found = self._find(change)
            if found is not None:
                self._say(f"{change.label}: found it (id {found.get('id')}): not creating again")
                return found
        self._say(f"{change.label}: not there after {window:g} s: creating it again")
        return None

    def _say(self, text: str) -> None:
        if self.on_notice is not None:
            self.on_notice(text)

    def _post(self, change: Change, body: dict[str, Any]) -> Any:
        assert change.desired is not None
        kind = registry().get(change.kind)
        return kind.create(self.client, self.org, change.desired, body)

    def _find(self, change: Change) -> Any:
        """The resource named like ``change`` if it exists now (after an unknown outcome)."""
        assert change.desired is not None
        kind = registry().get(change.kind)
        return kind.find(self.client, self.org, self.directory, change.desired)


def apply_plan(
    plan: Plan,
    client: SentryClient,
    org: str,
    directory: Directory,
    *,
    on_progress: Progress | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> ApplyResult:
    """Apply every pending change of ``plan``; raise ApplyError if it stops part-way."""
    return Applier(client, org, directory, on_progress=on_progress, on_notice=on_notice).apply(plan)
