"""Checks on what runs without a user: background jobs (cron monitors) and uptime checks.

``check_jobs`` ("Background jobs check in"): each entry of ``crons:`` exists in Sentry (by its
slug) and, in the environment its check-ins come from, checked in, last with ``ok`` (or a run in
progress), and is not overdue (Sentry's ``nextCheckInLatest``, the expected time plus the
check-in margin, has not passed). ``check_uptime`` ("Uptime monitored"): each entry of
``uptime:`` exists as an uptime detector in its project, is enabled, and is not down (the
monitor's ``uptimeStatus``: 1 up, 2 down, UptimeStatus in src/sentry/uptime/models.py). A down
monitor is reported with its last answer and the statuses its assertion accepts (what Sentry
judged by; a difference from the file is drift, which the alerts check reports).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from para_monitor_cli.checks.base import Outcome, failed, passed, skipped
from para_monitor_cli.checks.context import CheckContext
from para_monitor_cli.errors import NotFoundError
from para_monitor_cli.kinds.uptime import expected_text
from para_monitor_cli.wording import plural

APPLY_HINT = "hint: para-monitor apply-alerts creates what alert_rules.yaml declares"
DOWN = 2  # UptimeStatus.FAILED


def _parse(moment: Any) -> datetime | None:
    if not isinstance(moment, str) or not moment:
        return None
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def job_problem(
    monitor: dict[str, Any], environment: str, latest: dict[str, Any] | None, now: datetime
) -> str | None:
    """Why a job's monitor is not healthy in ``environment`` (None when it is)."""
    slug = monitor.get("slug")
    if monitor.get("status") == "disabled":
        return f"{slug}: the monitor is disabled"
    envs = [e for e in monitor.get("environments") or [] if isinstance(e, dict)]
    env = next((e for e in envs if e.get("name") == environment), None)
    if env is None or not env.get("lastCheckIn"):
        seen = sorted(str(e.get("name")) for e in envs if e.get("lastCheckIn"))
        elsewhere = f" (it did in {', '.join(seen)})" if seen else ""
        return f"{slug}: never checked in from {environment}{elsewhere}"
    status = str(latest.get("status")) if latest else str(env.get("status"))
    if status not in ("ok", "in_progress"):
        when = latest.get("dateCreated") if latest else env.get("lastCheckIn")
        return f"{slug}: the last run was {status} ({when})"
    deadline = _parse(env.get("nextCheckInLatest"))
    if deadline is not None and deadline < now:
        return (
            f"{slug}: overdue, the next check-in was due by {env.get('nextCheckInLatest')} "
            f"(last: {env.get('lastCheckIn')})"
        )
    return None


def check_jobs(ctx: CheckContext) -> Outcome:
    spec = ctx.spec()
    if not spec.crons:
        return skipped("alert_rules.yaml declares no background jobs (crons:)")
    client, org = ctx.client(), ctx.org()
    default_env = ctx.settings.environment or "production"
    problems: list[str] = []
    good: list[str] = []
    now = datetime.now(UTC)
    for cron in spec.crons:
        slug = cron.monitor_slug
        environment = cron.environment or default_env
        try:
            monitor = client.cron_monitor(slug, org=org)
        except NotFoundError:
            problems.append(f"{slug}: no such cron monitor in {org}")
            continue
        latest_list = client.cron_check_ins(slug, org=org, environment=environment)
        latest = latest_list[0] if latest_list else None
        problem = job_problem(monitor, environment, latest, now)
        if problem:
            problems.append(problem)
        else:
            good.append(slug)
    if problems:
        hints = [APPLY_HINT] if any("no such cron monitor" in p for p in problems) else []
        missing_runs = any("never checked in" in p for p in problems)
        if missing_runs:
            hints.append(
                "hint: wrap the job in para_monitor_cli.runtime.monitor_job(SLUG), or try one "
                "check-in with para-monitor test-event --check-in SLUG"
            )
        return failed(
            f"{plural(len(problems), 'background job')} not checking in: " + problems[0],
            *problems[1:],
            *hints,
        )
    return passed(
        f"{plural(len(good), 'background job')} checked in on time, last run ok: " + ", ".join(good)
    )


def check_uptime(ctx: CheckContext) -> Outcome:
    spec = ctx.spec()
    if not spec.uptime:
        return failed(
            "alert_rules.yaml declares no uptime check (uptime:): an API that is down for "
            "everyone sends no error, so nothing would alert",
            "hint: add the API's health endpoint under uptime: and run para-monitor apply-alerts",
        )
    client, org = ctx.client(), ctx.org()
    projects = {
        p.get("slug"): str(p.get("id")) for p in client.projects(org=org) if isinstance(p, dict)
    }
    detectors = [
        d
        for d in client.detectors(org=org)
        if isinstance(d, dict) and d.get("type") == "uptime_domain_failure"
    ]
    problems: list[str] = []
    good: list[str] = []
    for check in spec.uptime:
        project = check.project or spec.project or ctx.project_slug()
        pid = projects.get(project)
        found = next(
            (
                d
                for d in detectors
                if d.get("name") == check.name and str(d.get("projectId")) == pid
            ),
            None,
        )
        if found is None:
            problems.append(f"{check.name}: no uptime monitor in {org}/{project}")
            continue
        if found.get("enabled") is False:
            problems.append(f"{check.name}: the uptime monitor is disabled")
            continue
        state = client.uptime_monitor(project, str(found.get("id")), org=org)
        if isinstance(state, dict) and state.get("uptimeStatus") == DOWN:
            checks = client.uptime_checks(project, str(found.get("id")), org=org, limit=1)
            last = checks[0] if checks else {}
            code = last.get("httpStatusCode")
            sources = found.get("dataSources") or [{}]
            query = sources[0].get("queryObj") or {}
            expected = expected_text(query.get("assertion") if isinstance(query, dict) else None)
            problems.append(
                f"{check.name}: {check.url} is down"
                + (
                    f" (last check {last.get('timestamp')}, HTTP {code}; expected {expected})"
                    if last
                    else f" (expected {expected})"
                )
            )
            continue
        good.append(check.name)
    if problems:
        hints = [APPLY_HINT] if any("no uptime monitor" in p for p in problems) else []
        return failed(
            f"{plural(len(problems), 'uptime check')} failing: " + problems[0],
            *problems[1:],
            *hints,
        )
    return passed(f"{plural(len(good), 'uptime check')} in place and up: " + ", ".join(good))


__all__ = ["check_jobs", "check_uptime", "job_problem"]
