"""One error tree for para-monitor; each class carries its exit code.

    ParaMonitorError                 3  operational (base)
    ├── UsageError                   2  bad flags, bad settings
    │   ├── InvalidDsnError          2  a DSN not of Sentry's form (also a ValueError)
    │   └── SpecError                2  invalid alert_rules.yaml (every problem, with file:line:col)
    ├── ApiError                     3  Sentry answered with an error
    │   ├── AuthError                3  401 / 403: token missing, wrong or lacking a scope
    │   ├── NotFoundError            3  404: org, project or resource does not exist
    │   ├── RateLimitedError         3  429 past the retry budget
    │   ├── ServerError              3  5xx past the retry budget
    │   ├── GoneError                3  410: deprecated endpoint in a brownout, or removed
    │   ├── ValidationError          3  400: Sentry refused a body (field errors attached)
    │   ├── TargetNotFoundError      3  404 on the organization or project itself (not a resource)
    │   ├── NotSentryError           3  the server answers, but not as Sentry does (HTML, no JSON)
    │   └── UnreachableError         3  connection refused, DNS failure, timeout, time budget spent
    ├── DeliveryError                3  an event was not accepted by the receiver
    ├── PreflightError               3  the organization lacks names the file refers to
    └── ApplyError                   3  apply stopped part-way (what was applied is attached)
        └── ApplyInterrupted       130  Ctrl-C stopped it (what was applied, what is unknown)

Exit codes (design.md section 3): 0 success, 1 findings (returned by commands, not raised),
2 usage, 3 operational, 4 unexpected bug, 130 interrupted.

Messages must never contain a token, a DSN key or a scrubbed value: build them from names,
paths and statuses, never from raw request or response text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_OPERATIONAL = 3
EXIT_BUG = 4
EXIT_INTERRUPTED = 130

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success; no drift; every check passed",
    EXIT_FINDINGS: "findings: a check failed, leaks found, drift found (plan --detailed-exitcode)",
    EXIT_USAGE: "usage: bad flags, bad settings, or an invalid alert_rules.yaml",
    EXIT_OPERATIONAL: (
        "operational: auth refused, Sentry unreachable, rate limited, partial apply, or the "
        "organization lacks something the file refers to (plan's pre-flight)"
    ),
    EXIT_BUG: "a bug: unexpected exception (traceback only with --debug)",
    EXIT_INTERRUPTED: "interrupted",
}


class ParaMonitorError(Exception):
    """Base of every error para-monitor raises on purpose."""

    exit_code: int = EXIT_OPERATIONAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(ParaMonitorError):
    """The user asked for something that cannot work as given."""

    exit_code = EXIT_USAGE


class InvalidDsnError(UsageError, ValueError):
    """A DSN that is not of Sentry's form. The message never includes the DSN's keys."""


@dataclass(frozen=True)
class SpecProblem:
    """One problem found in a spec file, located as precisely as the loader knows."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    severity: str = "error"  # "error" or "warning"

    def location(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        path = f" {self.path}:" if self.path else ""
        return f"{self.location()}:{path} {self.message}"


class SpecError(UsageError):
    """An invalid spec file; carries every problem found, not only the first."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        first = errors[0] if errors else problems[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first}{more}")
        self.problems = problems


class ApiError(ParaMonitorError):
    """Sentry answered, with an error."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        detail: object = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.method = method
        self.path = path
        self.detail = detail


class AuthError(ApiError):
    """401 or 403."""


class NotFoundError(ApiError):
    """404."""


class RateLimitedError(ApiError):
    """429 after the retry budget was spent."""


class ServerError(ApiError):
    """5xx after the retry budget was spent."""


class GoneError(ApiError):
    """410: a deprecated endpoint in a brownout (or removed)."""


class ValidationError(ApiError):
    """400: Sentry refused the body; ``detail`` holds its field errors."""


class UnreachableError(ApiError):
    """No HTTP answer at all: connection refused, DNS failure, TLS failure, timeout."""


class TargetNotFoundError(ApiError):
    """The organization (or the project) the command works on does not exist for this token:
    one error naming it and what the token can see. Not a :class:`NotFoundError`, which
    callers read as "this resource is absent"."""


class NotSentryError(ApiError):
    """The server at the configured URL answers, but not as Sentry: HTML pages, no JSON."""


class DeliveryError(ParaMonitorError):
    """An event was sent but the receiver did not accept it."""


class PreflightError(ParaMonitorError):
    """plan's pre-flight: names the file depends on (environments, teams, members,
    integrations, services, projects) that the organization lacks; nothing was written. Each
    problem names the file line and the remedy."""

    def __init__(self, problems: list[SpecProblem], *, hint: str | None = None) -> None:
        errors = [p for p in problems if p.severity == "error"] or problems
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{errors[0]}{more}", hint=hint)
        self.problems = problems


@dataclass
class ApplyProgress:
    """What an interrupted apply managed to do, and what it did not."""

    applied: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_attempted: list[str] = field(default_factory=list)
    # sent, but still unanswered when Ctrl-C stopped the apply: it may or may not have happened
    in_flight: list[str] = field(default_factory=list)


class ApplyError(ParaMonitorError):
    """apply-alerts stopped part-way; ``progress`` says what was and was not applied."""

    def __init__(self, message: str, progress: ApplyProgress, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.progress = progress


class ApplyInterrupted(ApplyError):
    """Ctrl-C stopped apply-alerts: ``progress`` says what was applied (requests in flight
    were given a moment to answer) and what is unknown; exit 130."""

    exit_code = EXIT_INTERRUPTED
